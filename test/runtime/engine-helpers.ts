import { memoryStorage } from '../../src/adapters/memory/index.js';
import { virtualClock } from '../../src/adapters/clock/virtual-clock.js';
import { memoryProfiles, type ProfileSeed } from '../../src/adapters/testing/memory-profiles.js';
import { recordingChannels, type RecordingChannelsOptions } from '../../src/adapters/testing/recording-channels.js';
import { scriptedDecisions, type DecisionScript } from '../../src/adapters/testing/scripted-decisions.js';
import { expect } from 'vitest';
import { JourneyError } from '../../src/model/errors.js';
import { createEngine, type EngineOptions } from '../../src/runtime/engine.js';
import type { Storage } from '../../src/runtime/ports.js';
import { T0 } from './helpers.js';

export interface Harness {
  engine: ReturnType<typeof createEngine>;
  clock: ReturnType<typeof virtualClock>;
  channels: ReturnType<typeof recordingChannels>;
  decisions: ReturnType<typeof scriptedDecisions>;
  profiles: ReturnType<typeof memoryProfiles>;
  storage: Storage;
}

export function harness(
  options: {
    customers?: ProfileSeed[];
    decisions?: Record<string, DecisionScript>;
    channels?: RecordingChannelsOptions;
    storage?: Storage;
    engine?: Partial<EngineOptions>;
    /** When the virtual clock starts (default T0). */
    start?: number;
  } = {},
): Harness {
  const clock = virtualClock(options.start ?? T0);
  const channels = recordingChannels(options.channels);
  const decisions = scriptedDecisions(options.decisions ?? { df_personal_loans: [{ id: 'loan_a', apr: 7.9 }] });
  const profiles = memoryProfiles(options.customers ?? []);
  const storage = options.storage ?? memoryStorage();
  let n = 0;
  const engine = createEngine({
    storage,
    clock,
    channels,
    decisions,
    profiles,
    newId: (kind) => `${kind === 'journey' ? 'jrn' : 'enr'}_${++n}`,
    ...options.engine,
  });
  return { engine, clock, channels, decisions, profiles, storage };
}

/** Run due work, then jump to the next wake-up, until nothing is left or `until` is reached. */
export async function runUntilIdle(h: Harness, until = Number.POSITIVE_INFINITY): Promise<void> {
  // A journey may loop through short waits until maxDuration (e.g. every 2 minutes for 7 days).
  for (let i = 0; i < 100_000; i++) {
    await h.engine.runDue();
    const next = await h.engine.nextWakeAt();
    if (next === null || next > until) return;
    if (next > h.clock.now()) h.clock.set(next);
  }
  throw new Error('runUntilIdle did not settle');
}

/** Await a promise that must reject with a {@link JourneyError} of `code`; answers the error. */
export async function rejects(promise: Promise<unknown>, code: string): Promise<JourneyError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(JourneyError);
  expect((error as JourneyError).code).toBe(code);
  return error as JourneyError;
}
