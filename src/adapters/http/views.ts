/**
 * What the HTTP API answers for journeys and enrollments: plain JSON with ISO-8601 timestamps.
 */
import type { JourneyRecord, JourneySummary } from '../../model/types.js';
import type { JourneyDetails } from '../../runtime/journeys.js';
import type { Enrollment, OutcomeEntry } from '../../runtime/types.js';
import type { Diagnostic } from '../../validate/diagnostics.js';

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}

/** A journey in a list: the seed's summary shape plus description and version. */
export interface JourneyListItem extends JourneySummary {
  readonly description: string;
  readonly version: number;
}

/** `GET /journeys/:id`: the whole journey and its current diagnostics. */
export interface JourneyView extends JourneyListItem {
  readonly steps: JourneyRecord['steps'];
  readonly entryConditions: JourneyRecord['entryConditions'];
  /** Present when the journey has goals. */
  readonly goals?: JourneyRecord['goals'];
  /** Present when the journey has its own send policy. */
  readonly sendPolicy?: JourneyRecord['sendPolicy'];
  readonly diagnostics: readonly Diagnostic[];
}

export function journeyListItem(record: JourneyRecord): JourneyListItem {
  return {
    id: record.id,
    name: record.name,
    description: record.description,
    status: record.status,
    maxDuration: record.maxDuration,
    stepCount: record.steps.length,
    version: record.version,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
  };
}

export function journeyView(details: JourneyDetails): JourneyView {
  return {
    ...journeyListItem(details),
    steps: details.steps,
    entryConditions: details.entryConditions,
    ...(details.goals === undefined ? {} : { goals: details.goals }),
    ...(details.sendPolicy === undefined ? {} : { sendPolicy: details.sendPolicy }),
    diagnostics: details.diagnostics,
  };
}

function outcomeView(o: OutcomeEntry): { type: string; at: string; idempotencyKey: string; sendKey?: string } {
  const view = { type: o.type, at: iso(o.at), idempotencyKey: o.key };
  return o.sendKey === undefined ? view : { ...view, sendKey: o.sendKey };
}

/** An enrollment as the API shows it (no tenant, ISO timestamps). */
export function enrollmentView(e: Enrollment): Record<string, unknown> {
  return {
    id: e.id,
    journeyId: e.journeyId,
    journeyVersion: e.journeyVersion,
    customerId: e.customerId,
    status: e.status,
    stepId: e.stepId,
    phase: e.phase,
    visits: e.visits,
    results: e.results,
    flags: e.flags,
    variants: e.variants ?? {},
    outcomes: e.outcomes.map(outcomeView),
    latestOutcome: e.latestOutcome ? outcomeView(e.latestOutcome) : null,
    lastError: e.lastError ? { ...e.lastError, at: iso(e.lastError.at) } : null,
    context: e.context,
    enteredAt: iso(e.enteredAt),
    deadline: iso(e.deadline),
    wakeAt: isoOrNull(e.wakeAt),
    endedAt: isoOrNull(e.endedAt),
    exitReason: e.exitReason,
    updatedAt: iso(e.updatedAt),
    // Inputs delivered and not applied yet; goals converted (goal id → when).
    ...(e.inbox === undefined ? {} : { inbox: e.inbox.map((i) => ({ kind: i.kind, key: i.key, receivedAt: iso(i.receivedAt) })) }),
    ...(e.goals === undefined ? {} : { goals: Object.fromEntries(Object.entries(e.goals).map(([id, at]) => [id, iso(at)])) }),
  };
}

/** `{ data, pagination }` of a list answer. */
export function paged<T>(data: readonly T[], total: number, limit: number, offset: number) {
  return { data, pagination: { total, limit, offset, hasMore: offset + data.length < total } };
}
