/**
 * The contract checks `guardStorage` applies to any storage adapter, so no adapter repeats them:
 * the shape of what goes in (a malformed commit is the caller's bug: `invalid-commit`) and of what
 * comes back (an adapter's answer is untrusted: a wrong kind of answer is `bad-adapter-answer`, an
 * enrollment or journey that fails the checks — written by an older version, damaged, or a
 * third-party adapter's mistake — is `corrupt-row`, never handed on to crash the engine later).
 */
import { JourneyError } from '../model/errors.js';
import { JOURNEY_STATUSES } from '../model/status.js';
import type { JourneyRecord } from '../model/types.js';
import type { Claim, Commit, CommitResult, EffectAppend, EntryHistory } from './ports.js';
import type { Enrollment } from './types.js';

/** Refuse a commit that is malformed (a bug in the caller, not a race): throws `invalid-commit`. */
export function checkCommitShape(commit: Commit): void {
  const { enrollment, expectedVersion } = commit;
  if (enrollment.version !== expectedVersion + 1) {
    throw new JourneyError(
      'invalid-commit',
      `commit of enrollment ${enrollment.id}: version must be expectedVersion + 1 (${expectedVersion + 1}), got ${enrollment.version}`,
      { path: ['enrollment', 'version'], details: { enrollmentId: enrollment.id } },
    );
  }
  if (commit.token !== undefined && commit.release === false && commit.leaseMs !== undefined && !(commit.leaseMs > 0)) {
    throw new JourneyError('invalid-commit', `commit of enrollment ${enrollment.id}: leaseMs must be positive`, {
      path: ['leaseMs'],
    });
  }
}

/** Refuse an `appendEffects` whose records belong to another tenant (a caller bug): throws `invalid-commit`. */
export function checkAppendShape(append: EffectAppend): void {
  append.effects.forEach((effect, i) => {
    if (effect.tenantId !== append.tenantId) {
      throw new JourneyError('invalid-commit', `appendEffects for tenant ${append.tenantId}: effect ${effect.idempotencyKey} belongs to tenant ${effect.tenantId}`, {
        path: ['effects', i, 'tenantId'],
      });
    }
  });
}

// ───────────────────────────── answers ─────────────────────────────

/** `bad-adapter-answer` for the storage method `method`. */
export function badAnswer(method: string, expected: string, got: unknown): JourneyError {
  const shown = got === null ? 'null' : Array.isArray(got) ? 'an array' : typeof got === 'string' ? JSON.stringify(got).slice(0, 60) : typeof got;
  return new JourneyError('bad-adapter-answer', `storage.${method} must answer ${expected}; got ${shown}`, { details: { method } });
}

const COMMIT_RESULTS: ReadonlySet<unknown> = new Set<CommitResult>(['ok', 'conflict', 'fenced', 'duplicate', 'missing', 'journey-inactive']);
const CREATE_RESULTS: ReadonlySet<unknown> = new Set(['created', 'duplicate']);
const ENROLLMENT_STATUSES: ReadonlySet<unknown> = new Set(['active', 'completed', 'exited', 'failed']);
const PHASES: ReadonlySet<unknown> = new Set(['ready', 'waiting', 'effect', 'done']);
const JOURNEY_STATUS_SET: ReadonlySet<unknown> = new Set(JOURNEY_STATUSES);

/** A commit's answer: one of the {@link CommitResult}s. */
export function checkCommitResult(value: unknown, method = 'commit'): CommitResult {
  if (!COMMIT_RESULTS.has(value)) throw badAnswer(method, `one of ${[...COMMIT_RESULTS].join(', ')}`, value);
  return value as CommitResult;
}

/** `createEnrollment`'s answer: `created` or `duplicate`. */
export function checkCreateResult(value: unknown, method = 'createEnrollment'): 'created' | 'duplicate' {
  if (!CREATE_RESULTS.has(value)) throw badAnswer(method, '"created" or "duplicate"', value);
  return value as 'created' | 'duplicate';
}

/** A `{ items, total }` page. */
export function checkPage<T>(method: string, value: unknown, item: (x: unknown) => T): { readonly items: readonly T[]; readonly total: number } {
  const page = value as { items?: unknown; total?: unknown } | null;
  if (page === null || typeof page !== 'object' || !Array.isArray(page.items) || !isCount(page.total)) {
    throw badAnswer(method, '{ items: [...], total: <a whole number> }', value);
  }
  for (const x of page.items) item(x);
  return page as { readonly items: readonly T[]; readonly total: number };
}

/** An array answer, each element checked. */
export function checkList<T>(method: string, value: unknown, item: (x: unknown) => T): readonly T[] {
  if (!Array.isArray(value)) throw badAnswer(method, 'an array', value);
  for (const x of value) item(x);
  return value as readonly T[];
}

const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const isInstant = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

function corrupt(kind: string, id: unknown, field: string, problem: string): JourneyError {
  const name = typeof id === 'string' ? id : '?';
  return new JourneyError(
    'corrupt-row',
    `the storage answered ${kind} ${name} that is unreadable (${field}: ${problem}); it was written by another version, damaged, or the adapter is wrong — repair or remove it`,
    { details: { table: kind, id: name, field } },
  );
}

type FieldCheck = readonly [field: string, ok: (x: unknown) => boolean, problem: string];
const str = (x: unknown) => typeof x === 'string';
const strOrNull = (x: unknown) => x === null || typeof x === 'string';
const instantOrNull = (x: unknown) => x === null || isInstant(x);
const optional = (check: (x: unknown) => boolean) => (x: unknown) => x === undefined || check(x);

/** What the engine reads of every enrollment, before it trusts one (the deep row checks are the adapters' codecs). */
const ENROLLMENT_FIELDS: readonly FieldCheck[] = [
  ['id', str, 'expected a string'],
  ['tenantId', str, 'expected a string'],
  ['journeyId', str, 'expected a string'],
  ['customerId', str, 'expected a string'],
  ['journeyVersion', isCount, 'expected a whole number'],
  ['status', (x) => ENROLLMENT_STATUSES.has(x), 'expected active, completed, exited or failed'],
  ['phase', (x) => PHASES.has(x), 'expected ready, waiting, effect or done'],
  ['stepId', strOrNull, 'expected a string or null'],
  ['version', isCount, 'expected a whole number'],
  ['attempts', isCount, 'expected a whole number'],
  ['visits', isObject, 'expected an object'],
  ['results', isObject, 'expected an object'],
  ['flags', isObject, 'expected an object'],
  ['context', isObject, 'expected an object'],
  ['variants', optional(isObject), 'expected an object'],
  ['goals', optional(isObject), 'expected an object'],
  ['outcomes', Array.isArray, 'expected an array'],
  ['sends', Array.isArray, 'expected an array'],
  ['inbox', optional(Array.isArray), 'expected an array'],
  ['latestOutcome', (x) => x === null || isObject(x), 'expected an object or null'],
  ['lastError', (x) => x === null || isObject(x), 'expected an object or null'],
  ['lastSendAt', instantOrNull, 'expected an instant or null'],
  ['enteredAt', isInstant, 'expected an instant'],
  ['deadline', isInstant, 'expected an instant'],
  ['updatedAt', isInstant, 'expected an instant'],
  ['wakeAt', instantOrNull, 'expected an instant or null'],
  ['endedAt', instantOrNull, 'expected an instant or null'],
  ['resumeAt', optional(instantOrNull), 'expected an instant or null'],
  ['stepEnteredAt', optional(isInstant), 'expected an instant'],
  ['exitReason', strOrNull, 'expected a string or null'],
];

function checkFields(kind: string, value: unknown, fields: readonly FieldCheck[]): void {
  if (!isObject(value)) throw corrupt(kind, undefined, kind, 'expected an object');
  for (const [field, ok, problem] of fields) {
    if (!ok(value[field])) throw corrupt(kind, value['id'], field, problem);
  }
}

/** An enrollment the storage answered: throws `corrupt-row` naming the field that fails. */
export function checkEnrollment(value: unknown): Enrollment {
  checkFields('enrollment', value, ENROLLMENT_FIELDS);
  const e = value as unknown as Enrollment;
  if ((e.status === 'active') !== (e.endedAt === null) || (e.status !== 'active' && e.wakeAt !== null)) {
    throw corrupt('enrollment', e.id, e.status === 'active' ? 'endedAt' : 'wakeAt', `inconsistent with status ${e.status}`);
  }
  return e;
}

const JOURNEY_FIELDS: readonly FieldCheck[] = [
  ['id', str, 'expected a string'],
  ['tenantId', str, 'expected a string'],
  ['name', str, 'expected a string'],
  ['status', (x) => JOURNEY_STATUS_SET.has(x), `expected one of ${JOURNEY_STATUSES.join(', ')}`],
  ['steps', Array.isArray, 'expected an array'],
  ['entryConditions', isObject, 'expected an object'],
  ['version', isCount, 'expected a whole number'],
  ['revision', isCount, 'expected a whole number'],
  ['maxDuration', isInstant, 'expected a number'],
  ['createdAt', isInstant, 'expected an instant'],
  ['updatedAt', isInstant, 'expected an instant'],
];

/** A journey record the storage answered: throws `corrupt-row` naming the field that fails. */
export function checkJourney(value: unknown): JourneyRecord {
  checkFields('journey', value, JOURNEY_FIELDS);
  return value as unknown as JourneyRecord;
}

/** A journey status the storage answered (or null). */
export function checkJourneyStatus(value: unknown): JourneyRecord['status'] | null {
  if (value !== null && !JOURNEY_STATUS_SET.has(value)) throw badAnswer('journeyStatus', `null or one of ${JOURNEY_STATUSES.join(', ')}`, value);
  return value as JourneyRecord['status'] | null;
}

/** A claim's own fields (its enrollment is checked by {@link checkEnrollment}). */
export function checkClaimFields(method: string, value: unknown): Claim {
  if (!isObject(value) || !isInstant(value['token']) || !isInstant(value['leaseUntil'])) {
    throw badAnswer(method, 'claims { enrollment, token: <a number>, leaseUntil: <an instant> }', value);
  }
  return value as unknown as Claim;
}

/** An array answer with one element per request element, each checked. */
export function checkAligned<T>(method: string, value: unknown, length: number, item: (x: unknown, i: number) => T): readonly T[] {
  if (!Array.isArray(value) || value.length !== length) throw badAnswer(method, `an array of ${length} (one per element asked about)`, value);
  value.forEach((x, i) => item(x, i));
  return value as readonly T[];
}

/** One {@link EntryHistory}, for `customerId`. */
export function checkEntryHistory(value: unknown, customerId: string): EntryHistory {
  const h = value as Partial<EntryHistory> | null;
  const j = h?.journey as Partial<EntryHistory['journey']> | undefined;
  const active = j?.active as { id?: unknown; enteredAt?: unknown } | null | undefined;
  if (
    !isObject(h) ||
    h.customerId !== customerId ||
    typeof h.active !== 'boolean' ||
    !instantOrNull(h.lastEndedAt) ||
    !isObject(j) ||
    !isCount(j.enrollments) ||
    !instantOrNull(j.lastEndedAt) ||
    !(active === null || (isObject(active) && typeof active.id === 'string' && isInstant(active.enteredAt)))
  ) {
    throw badAnswer('entryHistories', `{ customerId: ${JSON.stringify(customerId)}, active, lastEndedAt, journey: { enrollments, active, lastEndedAt } }`, value);
  }
  return h as EntryHistory;
}
