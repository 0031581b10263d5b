/**
 * Rules every storage adapter applies the same way, kept in one place so the adapters cannot
 * drift apart: commit checks, lease handling, counter aggregation, orderings and stats shape.
 */
import { JourneyError } from '../../model/errors.js';
import { emptyRecord } from '../../model/own.js';
import type { JourneyDefinition, JourneyRecord } from '../../model/types.js';
import type { Commit, QuarantinedEnrollment, StepCounter, StepStats } from '../../runtime/ports.js';
import type { Enrollment } from '../../runtime/types.js';

/** The step id counters use when an ended enrollment has no step (matches the engine's journey-level key). */
export const JOURNEY_LEVEL_STEP = '$journey';

/** Compare ids the way every adapter orders them (UTF-16 code units; byte order for ASCII). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Refuse a repair that would change what the quarantined enrollment is (its journey or customer),
 * or make an ended enrollment active again: throws `invalid-request`.
 */
export function checkRepair(entry: QuarantinedEnrollment, storedStatus: string, e: Enrollment): void {
  if (e.journeyId !== entry.journeyId || e.customerId !== entry.customerId) {
    throw new JourneyError(
      'invalid-request',
      `enrollment ${e.id} is in journey ${entry.journeyId} for customer ${entry.customerId}; a repair keeps both`,
      { path: ['enrollment', e.journeyId !== entry.journeyId ? 'journeyId' : 'customerId'] },
    );
  }
  if (storedStatus !== 'active' && e.status === 'active') {
    throw new JourneyError('invalid-request', `enrollment ${e.id} has ended (${storedStatus}); a repair cannot make it active again`, {
      path: ['enrollment', 'status'],
    });
  }
}

/** The stored identity of an enrollment, for telling a stale commit from a malformed one. */
export interface StoredIdentity {
  readonly tenantId: string;
  readonly journeyId: string;
  readonly customerId: string;
  readonly status: string;
  readonly version: number;
  readonly token: number;
}

/**
 * Decide what a commit gets when it cannot be written as is, in the one order all adapters use:
 * missing → (identity change: throws) → fenced → conflict → (re-activation: throws). `null` means
 * the commit may proceed (the outcome-key check comes after).
 */
export function refusal(commit: Commit, stored: StoredIdentity | undefined): 'missing' | 'fenced' | 'conflict' | null {
  const next = commit.enrollment;
  if (stored === undefined || stored.tenantId !== next.tenantId) return 'missing';
  if (stored.journeyId !== next.journeyId || stored.customerId !== next.customerId) {
    throw new JourneyError('invalid-commit', `commit of enrollment ${next.id}: journeyId and customerId never change`, {
      path: ['enrollment'],
      details: { enrollmentId: next.id },
    });
  }
  if (commit.token !== undefined && stored.token !== commit.token) return 'fenced';
  if (stored.version !== commit.expectedVersion) return 'conflict';
  if (stored.status !== 'active' && next.status === 'active') {
    throw new JourneyError('invalid-commit', `commit of enrollment ${next.id}: an ended enrollment cannot become active again`, {
      path: ['enrollment', 'status'],
      details: { enrollmentId: next.id },
    });
  }
  return null;
}

/** What a commit does to the claim: keep it, end it, or extend it to `until`. */
export type LeaseChange = { readonly kind: 'keep' } | { readonly kind: 'end' } | { readonly kind: 'extend'; readonly until: number };

/**
 * Without a token the claim is untouched. With one, `release: false` extends the lease to
 * `now + leaseMs` (kept as is when leaseMs is absent); anything else ends the claim.
 */
export function leaseChange(commit: Commit): LeaseChange {
  if (commit.token === undefined) return { kind: 'keep' };
  if (commit.release === false) {
    return commit.leaseMs === undefined ? { kind: 'keep' } : { kind: 'extend', until: commit.now + commit.leaseMs };
  }
  return { kind: 'end' };
}

/** One counter row to add: (journey, step, metric) += count. */
export interface CounterIncrement {
  readonly journeyId: string;
  readonly stepId: string;
  readonly metric: string;
  readonly count: number;
}

/** Sum repeated counters so each (journey, step, metric) is written once per transaction. */
export function aggregateCounters(counters: readonly StepCounter[] | undefined): readonly CounterIncrement[] {
  if (counters === undefined || counters.length === 0) return [];
  if (counters.length === 1) {
    const c = counters[0]!;
    return [{ journeyId: c.journeyId, stepId: c.stepId, metric: c.metric, count: 1 }];
  }
  const byKey = new Map<string, { journeyId: string; stepId: string; metric: string; count: number }>();
  for (const c of counters) {
    const key = `${c.journeyId}\u0000${c.stepId}\u0000${c.metric}`;
    const found = byKey.get(key);
    if (found === undefined) byKey.set(key, { journeyId: c.journeyId, stepId: c.stepId, metric: c.metric, count: 1 });
    else found.count += 1;
  }
  return [...byKey.values()];
}

/**
 * Build the `stats` answer from counter rows and current (active) counts per step. Every record
 * is prototype-free, so a step id or a reason such as `constructor` or `__proto__` is a key like
 * any other.
 */
export function buildStats(
  counters: Iterable<{ readonly stepId: string; readonly metric: string; readonly count: number }>,
  current: Iterable<{ readonly stepId: string; readonly count: number }>,
): Record<string, StepStats> {
  type Mutable = {
    entered: number;
    completed: number;
    skipped: Record<string, number>;
    current: number;
    exited: Record<string, number>;
    failed: number;
    noted: Record<string, number>;
  };
  const out = emptyRecord<Mutable>();
  const at = (stepId: string) =>
    (out[stepId] ??= { entered: 0, completed: 0, skipped: emptyRecord(), current: 0, exited: emptyRecord(), failed: 0, noted: emptyRecord() });
  const add = (record: Record<string, number>, reason: string, count: number) => {
    record[reason] = (record[reason] ?? 0) + count;
  };
  for (const { stepId, metric, count } of counters) {
    if (metric === 'entered') at(stepId).entered += count;
    else if (metric === 'completed') at(stepId).completed += count;
    else if (metric === 'failed') at(stepId).failed += count;
    else if (metric.startsWith('exited:')) add(at(stepId).exited, metric.slice('exited:'.length), count);
    else if (metric.startsWith('skipped:')) add(at(stepId).skipped, metric.slice('skipped:'.length), count);
    else if (metric.startsWith('noted:')) add(at(stepId).noted, metric.slice('noted:'.length), count);
  }
  for (const { stepId, count } of current) if (count > 0) at(stepId).current += count;
  const result = emptyRecord<StepStats>();
  for (const stepId of Object.keys(out).sort(compareIds)) result[stepId] = out[stepId]!;
  return result;
}

/** The structural part of a journey record: what a journey version stores. */
export function definitionOf(record: JourneyRecord): JourneyDefinition {
  return {
    maxDuration: record.maxDuration,
    steps: record.steps,
    entryConditions: record.entryConditions,
    ...(record.goals === undefined ? {} : { goals: record.goals }),
    ...(record.sendPolicy === undefined ? {} : { sendPolicy: record.sendPolicy }),
  };
}

/** Refuse an update whose new revision is not `expectedRevision + 1` (a caller bug): `invalid-revision`. */
export function checkRevision(record: JourneyRecord, expectedRevision: number): void {
  if (record.revision !== expectedRevision + 1) {
    throw new JourneyError(
      'invalid-revision',
      `update of journey ${record.id}: revision must be expectedRevision + 1 (${expectedRevision + 1}), got ${record.revision}`,
      { path: ['revision'] },
    );
  }
}

/** The enrollment `exitAll` writes for an active one. The step is kept (the engine's exits keep it too). */
export function exitedEnrollment(e: Enrollment, reason: string, at: number): Enrollment {
  return { ...e, status: 'exited', phase: 'done', exitReason: reason, endedAt: at, wakeAt: null, version: e.version + 1, updatedAt: at };
}
