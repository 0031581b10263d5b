import type { JourneyRecord } from '../model/types.js';
import type { EffectRecord } from '../runtime/ports.js';
import type { Enrollment } from '../runtime/types.js';

export const T = 'tenant-a';
export const OTHER = 'tenant-b';
export const DAY = 86_400_000;

/** A valid, parsed journey record (steps are zod output: defaults filled). */
export function journey(over: Partial<JourneyRecord> = {}): JourneyRecord {
  return {
    id: 'j1',
    tenantId: T,
    name: 'Welcome',
    description: '',
    status: 'active',
    maxDuration: 30,
    steps: [
      { id: 'wait1', type: 'wait', config: { duration: 1, unit: 'days' } },
      { id: 'decide1', type: 'decide', config: { decisionFlowId: 'df', maxOffers: 1 } },
      { id: 'send1', type: 'send', config: { channelId: 'email', resultSource: 'decide1' } },
    ],
    entryConditions: {},
    version: 1,
    revision: 1,
    createdAt: 1_000,
    updatedAt: 1_000,
    ...over,
  };
}

/** A waiting enrollment. */
export function enrollment(over: Partial<Enrollment> = {}): Enrollment {
  return {
    id: 'e1',
    tenantId: T,
    journeyId: 'j1',
    journeyVersion: 1,
    customerId: 'c1',
    status: 'active',
    stepId: 'wait1',
    phase: 'waiting',
    visits: { wait1: 1 },
    results: {},
    flags: {},
    outcomes: [],
    latestOutcome: null,
    lastSendAt: null,
    sends: [],
    attempts: 0,
    lastError: null,
    context: {},
    enteredAt: 1_000,
    deadline: 1_000 + 30 * DAY,
    wakeAt: 2_000,
    endedAt: null,
    exitReason: null,
    version: 1,
    updatedAt: 1_000,
    ...over,
  };
}

/** The enrollment moved on one version. */
export function next(e: Enrollment, over: Partial<Enrollment> = {}): Enrollment {
  return { ...e, version: e.version + 1, ...over };
}

/** The enrollment ended. */
export function ended(e: Enrollment, at: number, status: 'completed' | 'exited' | 'failed' = 'completed'): Enrollment {
  return next(e, { status, phase: 'done', wakeAt: null, endedAt: at, stepId: status === 'completed' ? null : e.stepId, updatedAt: at });
}

export function effect(e: Enrollment, stepId: string, visit: number, over: Partial<EffectRecord> = {}): EffectRecord {
  return {
    idempotencyKey: `${e.id}:${stepId}:${visit}`,
    tenantId: e.tenantId,
    journeyId: e.journeyId,
    enrollmentId: e.id,
    stepId,
    visit,
    type: 'send',
    at: 5_000,
    ...over,
  };
}
