import type { JourneyDefinition, JourneyRecord } from '../model/types.js';
import type { JourneyStatus } from '../model/status.js';
import type { UpdateOperation } from '../model/types.js';
import type { CustomerProfile, Enrollment, EnrollmentStatus, ExitReason, Offer, SendReceipt } from './types.js';

// ───────────────────────────── Clock ─────────────────────────────

/** The only source of time for the library. Instants are UTC epoch milliseconds. */
export interface Clock {
  now(): number;
}

// ─────────────────────────── Effects ports ───────────────────────

/** Context passed with every effect call. */
export interface EffectContext {
  readonly tenantId: string;
  readonly journeyId: string;
  readonly enrollmentId: string;
  readonly stepId: string;
  /** `enrollmentId:stepId:visit`: the same on every retry of this visit. Deduplicate on it. */
  readonly idempotencyKey: string;
}

/** A request to a decision flow. */
export interface DecideRequest extends EffectContext {
  readonly decisionFlowId: string;
  readonly customer: CustomerProfile;
  readonly maxOffers: number;
}

/** The host's decision flows: pick the best offers for a customer. */
export interface DecisionFlows {
  decide(request: DecideRequest): Promise<readonly Offer[]>;
}

/** A request to deliver a message through a channel. */
export interface SendRequest extends EffectContext {
  readonly channelId: string;
  readonly creativeId: string | null;
  readonly offer: Offer | null;
  readonly offers: readonly Offer[];
  readonly customer: CustomerProfile;
}

/** The host's channels (email, push, SMS, …). Must deduplicate on `idempotencyKey`. */
export interface Channels {
  send(request: SendRequest): Promise<SendReceipt | void>;
}

/** The host's customer store. */
export interface Profiles {
  /** Read a customer; `null` when unknown (the engine then uses an empty profile). */
  get(customerId: string, context: { readonly tenantId: string }): Promise<CustomerProfile | null>;
  /** Apply update operations. Should be idempotent on `idempotencyKey`. May return the new profile. */
  apply(
    customerId: string,
    operations: readonly UpdateOperation[],
    context: EffectContext,
  ): Promise<CustomerProfile | void>;
}

// ─────────────────────────── Storage port ────────────────────────

/** A claim on a due enrollment, held until `leaseUntil`. */
export interface Claim {
  readonly enrollment: Enrollment;
  /**
   * Fencing token: increases on every claim of this enrollment. A commit that carries an older
   * token than the enrollment's current one is rejected (`fenced`).
   */
  readonly token: number;
  readonly leaseUntil: number;
}

/** An effect that happened, recorded in the same transaction that moves the enrollment on. */
export interface EffectRecord {
  /** `enrollmentId:stepId:visit`; unique in the effect log. */
  readonly idempotencyKey: string;
  readonly tenantId: string;
  readonly journeyId: string;
  readonly enrollmentId: string;
  readonly stepId: string;
  readonly visit: number;
  readonly type: 'decide' | 'send' | 'update';
  readonly at: number;
  /** A small JSON summary (offer ids, message id). */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** A per-step counter change recorded with a commit (feeds `stats`). */
export interface StepCounter {
  readonly journeyId: string;
  readonly stepId: string;
  /** `entered`, `completed`, `skipped:<reason>`, `exited:<reason>` or `failed`. */
  readonly metric: string;
}

/** One atomic write of an enrollment. */
export interface Commit {
  /** The new state. Its `version` must be `expectedVersion + 1`. */
  readonly enrollment: Enrollment;
  readonly expectedVersion: number;
  /** When given, the stored claim token must equal it (fencing); otherwise the claim is untouched. */
  readonly token?: number;
  /** With `token`: end the claim (true), or extend the lease to `now + leaseMs` (false). */
  readonly release?: boolean;
  readonly leaseMs?: number;
  readonly now: number;
  readonly effects?: readonly EffectRecord[];
  readonly counters?: readonly StepCounter[];
  /**
   * Outcome dedupe: when given, the key must be new for the enrollment's customer — the triple
   * (tenant id, customer id, key), whichever of the customer's enrollments it was recorded on;
   * it is stored with the commit. A repeat makes the commit answer `duplicate` and change nothing.
   * Concurrent commits with the same triple: exactly one is `ok`.
   */
  readonly outcomeKey?: string;
  /**
   * When true, the commit is written only while the enrollment's journey is `active`, read in the
   * same transaction; otherwise it answers `journey-inactive` and writes nothing. The worker sets
   * it on the commit that precedes an effect, so a pause or an archive stops the customer before
   * that effect at no extra round trip.
   */
  readonly requireActiveJourney?: boolean;
}

/** Effect records to append without moving their enrollment: see {@link WorkQueue.appendEffects}. */
export interface EffectAppend {
  /** The tenant of the records and the counters. */
  readonly tenantId: string;
  readonly effects: readonly EffectRecord[];
  /** Applied only when at least one of `effects` is new. */
  readonly counters?: readonly StepCounter[];
}

/**
 * - `ok`: written.
 * - `conflict`: the stored version is not `expectedVersion` (someone else wrote first). Nothing written.
 * - `fenced`: the claim token is stale (another worker claimed it since). Nothing written.
 * - `duplicate`: `outcomeKey` was seen before. Nothing written.
 * - `missing`: no such enrollment.
 * - `journey-inactive`: `requireActiveJourney` was set and the journey is not active (paused,
 *   archived or gone). Nothing written. (`missing`, `fenced` and `conflict` come first.)
 */
export type CommitResult = 'ok' | 'conflict' | 'fenced' | 'duplicate' | 'missing' | 'journey-inactive';

/** One frequency cap as storage counts it: see {@link SendSlotRequest}. */
export interface SendSlotCap {
  /** Count only sends on this channel; null: every channel. */
  readonly channelId: string | null;
  /** Count slots taken at or after this instant. */
  readonly since: number;
  readonly max: number;
}

/**
 * Take a place for one send of a customer under frequency caps counted across every journey and
 * worker: see {@link SendCounters.reserveSendSlot}.
 */
export interface SendSlotRequest {
  readonly tenantId: string;
  readonly customerId: string;
  /** The enrollment sending (while it is active, an unconfirmed slot whose hold ended still counts: its send may have gone out before a crash). */
  readonly enrollmentId: string;
  readonly channelId: string;
  /** The send's idempotency key: one slot per key, so a replay of the same send counts once. */
  readonly key: string;
  readonly now: number;
  /** Until when the slot holds without the send's effect record (a crash releases it then): `now + leaseMs`. */
  readonly holdUntil: number;
  readonly caps: readonly SendSlotCap[];
  /**
   * Slots taken before this instant count for no cap of any journey (it lies before the longest
   * window, with a margin): the storage may delete them — the bundled adapters delete up to 100
   * of this customer's such slots per call, in the same transaction — so slots do not grow
   * without bound.
   * Absent: nothing is deleted.
   */
  readonly pruneBefore?: number;
}


/**
 * - `granted`: the slot is taken (or was already held by this key).
 * - not granted: `cap` (index into the request's caps) is full; `freedBy` is when the slot of
 *   that cap's `max`-th most recent counted send was taken (a rolling window frees when it
 *   leaves).
 */
export type SendSlotResult =
  | { readonly granted: true }
  | { readonly granted: false; readonly cap: number; readonly counted: number; readonly freedBy: number };

/** A request for one send on a rate-limited channel: see {@link SendCounters.takeSendToken}. */
export interface SendTokenRequest {
  readonly tenantId: string;
  readonly channelId: string;
  readonly perSecond: number;
  readonly now: number;
}

/** One enrollment to insert, with its counters: see {@link EnrollmentStore.createEnrollments}. */
export interface NewEnrollmentEntry {
  readonly enrollment: Enrollment;
  readonly counters?: readonly StepCounter[];
}

/** One customer's entry facts: see {@link EnrollmentStore.entryHistories}. */
export interface EntryHistory {
  readonly customerId: string;
  /** Whether the customer has an active enrollment in any journey (as `customerHistory`). */
  readonly active: boolean;
  /** When their most recent ended enrollment in any journey ended (as `customerHistory`). */
  readonly lastEndedAt: number | null;
  /** Their enrollments in the journey asked about. */
  readonly journey: {
    readonly enrollments: number;
    readonly active: { readonly id: string; readonly enteredAt: number } | null;
    readonly lastEndedAt: number | null;
  };
}

/** Query for enrollments. */
export interface EnrollmentQuery {
  readonly tenantId: string;
  readonly journeyId?: string;
  readonly customerId?: string;
  readonly status?: EnrollmentStatus;
  readonly stepId?: string;
  readonly limit: number;
  readonly offset: number;
}

/**
 * An enrollment taken out of due work because its stored row could not be read (bad JSON, a
 * field failing the row checks). It stays where it is, is never claimed, and is listed by
 * `listQuarantined` until an operator repairs it (`repairEnrollment`).
 */
export interface QuarantinedEnrollment {
  readonly enrollmentId: string;
  readonly tenantId: string;
  readonly journeyId: string;
  readonly customerId: string;
  /** What the row check found (the `corrupt-row` message). */
  readonly reason: string;
  /** The field that failed the check (`data`, `data.visits.constructor`, `phase`, …), when known. */
  readonly field: string | null;
  /** When it was quarantined (the `now` of the claim that found it), epoch ms. */
  readonly at: number;
}

/** Per-step counters of one journey. */
export interface StepStats {
  readonly entered: number;
  /** Visits that did the step's work (a skipped step is not completed: see `skipped`). */
  readonly completed: number;
  /** Visits that ran without doing the step's work, by reason (`{ 'no-offer': 3 }`: a send with no offer to send). */
  readonly skipped: Readonly<Record<string, number>>;
  /** Active enrollments at this step now. */
  readonly current: number;
  readonly exited: Readonly<Record<string, number>>;
  readonly failed: number;
  /** Things noted at the step, by note (`{ 'variant:A': 40, 'time-zone-fallback:invalid-time-zone': 2 }`): see the `noted` step event. */
  readonly noted: Readonly<Record<string, number>>;
}

/**
 * The storage's lifecycle. `init` and `close` are the adapter's own; the engine reaches every
 * adapter through `guardStorage` (src/runtime/storage-guard.ts), which calls `init` once (however
 * many callers ask at once), refuses use after `close` (`storage-closed`) and checks the shape of
 * what goes in and what comes back, so an adapter implements none of those guards itself.
 */
export interface StorageLifecycle {
  /** Create or migrate the schema. Idempotent; the engine calls it once before first use. */
  init(): Promise<void>;
  /** Release resources the storage opened itself. */
  close(): Promise<void>;

}

/** Journeys and their versions: what the engine runs. */
export interface JourneyCatalog {
  /** Insert a journey and its definition as version `record.version`. `false` when the id exists. */
  createJourney(record: JourneyRecord): Promise<boolean>;
  getJourney(tenantId: string, id: string): Promise<JourneyRecord | null>;
  /** Newest first (createdAt desc, id asc). */
  listJourneys(
    tenantId: string,
    query: { readonly status?: JourneyStatus; readonly limit: number; readonly offset: number },
  ): Promise<{ readonly items: readonly JourneyRecord[]; readonly total: number }>;
  /**
   * Replace a journey if its stored revision is `expectedRevision` (record.revision must be
   * expectedRevision + 1). When `record.version` is new, its definition is stored as that version.
   * `false` on a revision mismatch or a missing journey.
   */
  updateJourney(record: JourneyRecord, expectedRevision: number): Promise<boolean>;
  /**
   * A journey's current status, or null when there is none. The worker asks before every effect
   * it runs (a paused or archived journey's customer stops before its next effect), so it reads
   * the status alone: no document, no decoding.
   */
  journeyStatus(tenantId: string, journeyId: string): Promise<JourneyStatus | null>;
  /**
   * Delete a journey, its versions and its step counters if its revision matches. The journey's
   * enrollments are kept as they ended (`getEnrollment`, `listEnrollments` and `customerHistory`
   * still answer them), so entry rules such as `minDaysSinceLastJourney` still count them.
   */
  deleteJourney(tenantId: string, id: string, expectedRevision: number): Promise<boolean>;
  /**
   * A number that changes whenever a journey of the tenant is created, updated or deleted, by
   * any process sharing this storage, and only then (reads and enrollment writes leave it alone).
   * Optional: the engine caches a tenant's active journeys by event trigger and checks this once
   * per `ingestEvent` to notice other processes' journey writes; without it the engine lists the
   * active journeys on every event.
   */
  catalogRevision?(tenantId: string): Promise<number>;
  /** A stored journey version's definition (versions never change once written). */
  getJourneyVersion(tenantId: string, journeyId: string, version: number): Promise<JourneyDefinition | null>;

}

/** Enrollments: entering customers and reading them back. */
export interface EnrollmentStore {
  /**
   * Insert a new enrollment. `duplicate` when the customer has an active enrollment in that journey
   * (at most one at a time). Counters are applied in the same transaction.
   */
  createEnrollment(enrollment: Enrollment, counters?: readonly StepCounter[]): Promise<'created' | 'duplicate'>;
  getEnrollment(tenantId: string, id: string): Promise<Enrollment | null>;
  /** Ordered by enteredAt, then id. */
  listEnrollments(query: EnrollmentQuery): Promise<{ readonly items: readonly Enrollment[]; readonly total: number }>;
  /**
   * For `minDaysSinceLastJourney`: whether the customer has an active enrollment in any journey,
   * and when their most recent ended enrollment ended.
   */
  customerHistory(tenantId: string, customerId: string): Promise<{ readonly active: boolean; readonly lastEndedAt: number | null }>;
  /**
   * Bulk {@link createEnrollment}: insert every entry in one transaction, each on its own terms
   * (`duplicate` when its customer has an active enrollment in that journey or its id exists;
   * its counters applied only when it is `created`). Answers one result per entry, in order.
   * Optional: without it the engine calls `createEnrollment` once per customer.
   */
  createEnrollments?(entries: readonly NewEnrollmentEntry[]): Promise<readonly ('created' | 'duplicate')[]>;
  /**
   * Bulk read of what the entry rules need, for many customers of one journey at once (the
   * engine's `enroll` of up to 1,000 customers): per customer, what {@link customerHistory}
   * answers, plus their enrollments in `journeyId` — how many, the active one, and when the
   * latest ended one ended — counted as `listEnrollments` lists them (quarantined rows left out).
   * Answers one entry per customer id, in order. Optional: without it the engine reads each
   * customer with `listEnrollments` and `customerHistory`.
   */
  entryHistories?(tenantId: string, journeyId: string, customerIds: readonly string[]): Promise<readonly EntryHistory[]>;

}

/**
 * Due work: claims with leases and fencing tokens, commits, the quarantine of unreadable rows,
 * set-based exits and the next wake-up.
 */
export interface WorkQueue {
  /**
   * Claim up to `limit` active enrollments with `wakeAt <= now` whose lease is free or expired and
   * whose journey is `active` — or `paused` while the enrollment's `deadline < now` (maxDuration
   * holds while paused: the worker exits it at its deadline) — in (wakeAt, id) order. Each claim
   * gets a new fencing token and a lease until `now + leaseMs`.
   *
   * A due row that cannot be read (`corrupt-row`) does not fail the claim: it is quarantined in
   * the same transaction (never claimed again until repaired; see {@link QuarantinedEnrollment}),
   * `onQuarantine` is called with it once the claim is written, and the rest are claimed, still up
   * to `limit`.
   */
  claimDue(query: {
    readonly now: number;
    readonly limit: number;
    readonly leaseMs: number;
    readonly workerId: string;
    readonly onQuarantine?: (entry: QuarantinedEnrollment) => void;
  }): Promise<readonly Claim[]>;
  /**
   * Claim one active enrollment now, due or not, when its lease is free or expired: a new fencing
   * token and a lease until `now + leaseMs`, as {@link claimDue} gives. `null` when it is not
   * active in that tenant, is claimed by someone else, is quarantined, or its row cannot be read
   * (left for `claimDue` to quarantine). The engine calls it right after delivering an outcome, an
   * event or an exit to an enrollment's inbox, to apply it at once; without it, the delivery waits
   * for the next `claimDue` (it is due at once). The journey's status is not checked: the worker
   * stops a paused journey's customer before any effect.
   */
  claimEnrollment?(
    tenantId: string,
    enrollmentId: string,
    query: { readonly now: number; readonly leaseMs: number; readonly workerId: string },
  ): Promise<Claim | null>;
  /** A tenant's quarantined enrollments, oldest quarantine first (then by id), with a total. */
  listQuarantined(
    tenantId: string,
    query: { readonly limit: number; readonly offset: number },
  ): Promise<{ readonly items: readonly QuarantinedEnrollment[]; readonly total: number }>;
  /**
   * Replace a quarantined enrollment's stored row with `enrollment` (as it should be: the same id,
   * tenant, journey and customer) and give it back to due work at its `wakeAt`; the quarantine
   * entry is removed. `enrollment` must pass the row checks (else `invalid-request`, nothing
   * written). `missing` when the enrollment is not quarantined in that tenant.
   */
  repairEnrollment(enrollment: Enrollment): Promise<'repaired' | 'missing'>;
  /**
   * Give a quarantined enrollment whose stored row was fixed in place (by hand, with the
   * database's own client) back to due work: the row is read again and must now pass the row
   * checks (else `corrupt-row`, and it stays quarantined). It is due at the row's `wakeAt` when
   * the fix set one, else at the `wakeAt` it had when it was quarantined (an ended enrollment is
   * due never). `missing` when it is not quarantined in that tenant.
   */
  releaseQuarantined(tenantId: string, enrollmentId: string): Promise<'released' | 'missing'>;
  /** Give a claim back unchanged (only if `token` is still current). */
  release(enrollmentId: string, token: number): Promise<void>;
  /** Atomically write an enrollment, its effect records and counters. See {@link CommitResult}. */
  commit(commit: Commit): Promise<CommitResult>;
  /**
   * Append effect records and their step counters without touching the enrollment, in one
   * transaction: for an effect that happened while the enrollment moved on under the worker (the
   * journey was archived, the host exited it), so its commit was refused. Idempotent on the
   * idempotency keys: a record whose key is in the log is skipped, and the counters are applied
   * only when at least one record was new, so a retry never records or counts twice. Answers the
   * records that were new. Every record's `tenantId` must be `tenantId` (else `invalid-commit`).
   */
  appendEffects(append: EffectAppend): Promise<readonly EffectRecord[]>;
  /**
   * Exit every active enrollment of a journey (archive): status `exited`, `exitReason`, `endedAt`,
   * `wakeAt` null, version +1, counters `exited:<reason>` per step. Returns the ids exited.
   */
  exitAll(tenantId: string, journeyId: string, reason: ExitReason, at: number): Promise<readonly string[]>;
  /**
   * The earliest instant at which an active enrollment can be claimed (see {@link claimDue}): its
   * `wakeAt`, or the end of its lease when it is claimed and the lease ends later; for a paused
   * journey's enrollment also no earlier than the first instant past its deadline
   * (`floor(deadline) + 1`; instants are whole milliseconds). Null when none.
   * (A driver that jumps a virtual clock from wake-up to wake-up relies on this after a crash:
   * leases the dead worker held end, and the work is claimed again.)
   */
  nextWakeAt(): Promise<number | null>;
}

/** Reads for reports and audits: step counters and the effect log. */
export interface StatsReader {
  /** Per-step counters plus current (active) counts for one journey. */
  stats(tenantId: string, journeyId: string): Promise<Readonly<Record<string, StepStats>>>;
  /** The effect log of one enrollment, in commit order (for audits and tests). */
  listEffects(tenantId: string, enrollmentId: string): Promise<readonly EffectRecord[]>;

}

/** Send counters shared by every process on the storage (send policies). All optional. */
export interface SendCounters {
  /**
   * Send counters for frequency caps (the engine's `sendPolicy.caps` needs it). Atomically, for
   * the customer: count the *live* slots of other keys that each cap covers (its channel, or
   * all; taken at or after `since`) — confirmed (a record with the slot's key is in the effect
   * log, written by the commit that follows the send), still held (`holdUntil > now`), or whose
   * enrollment is still active (its hold ended unconfirmed: a crash, whose send may have gone
   * out; the replay takes the slot again under the same key) — and when every cap counts fewer
   * than `max`, take the slot for `key` (`at = now`). A key whose slot is confirmed or held is
   * granted again at once (a replay: its hold extended, its `at` moved up to `now`, since it
   * sends now; never earlier). Windows are counted at these instants, just before the channel call. Two concurrent requests of one
   * customer are serialized: they cannot both take the last place. Optional for hosts' own
   * storages; every bundled adapter implements it.
   */
  reserveSendSlot?(request: SendSlotRequest): Promise<SendSlotResult>;
  /** Give back an unconfirmed slot (the send failed or was held back after all). A confirmed slot stays. */
  releaseSendSlot?(tenantId: string, key: string): Promise<void>;
  /**
   * A channel's rate limit shared by every process on this storage (a token bucket of depth one:
   * sends at least `1000 / perSecond` ms apart, so no second holds more than `perSecond`).
   * Answers `now` when the send may go (its token is taken), else the instant it may try again:
   * its place in the channel's queue, so sends refused one after another are told instants one
   * interval apart, in the order refused (`takeToken` in src/runtime/token-bucket.ts is the rule).
   * Optional: without it the engine keeps the bucket in its own process (right for one process,
   * or one writer such as SQLite).
   */
  takeSendToken?(request: SendTokenRequest): Promise<number>;
}

/**
 * Durable state: journeys and their versions, enrollments, claims, the effect log, outcome
 * dedupe, step counters — the intersection of the capability interfaces above, so a function that
 * needs only one capability can ask for it alone (`JourneyCatalog`, `WorkQueue`, …). One
 * conformance suite (`src/conformance`, shipped as `journey-engine/conformance`) runs against
 * every implementation. Every method is atomic.
 */
export interface Storage extends StorageLifecycle, JourneyCatalog, EnrollmentStore, WorkQueue, StatsReader, SendCounters {}

// ═══════════════ Group commit and batched effects (issue 13) ═══════════════
// Declaration merging: these optional methods extend the interfaces above. A host's adapter
// without them keeps working: the worker falls back to the single methods, concurrently.

/**
 * One answer of a batched port call (`sendMany`, `decideMany`, `getMany`), at the index of its
 * request: the value the single method would have resolved with, or the error it would have
 * thrown. The worker checks the answer: an array of the wrong length, or an element of another
 * shape, fails each affected effect with `bad-adapter-answer` (never the whole batch).
 */
export type BatchAnswer<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export interface DecisionFlows {
  /**
   * Optional: several decisions in one call (a round of the worker's batch: at most one request
   * per enrollment). Answers one {@link BatchAnswer} per request, in request order.
   */
  decideMany?(requests: readonly DecideRequest[]): Promise<readonly BatchAnswer<readonly Offer[]>[]>;
}

export interface Channels {
  /**
   * Optional: several sends in one call (a round of the worker's batch: at most one request per
   * enrollment). Answers one {@link BatchAnswer} per request, in request order; each send must
   * still deduplicate on its `idempotencyKey`.
   */
  sendMany?(requests: readonly SendRequest[]): Promise<readonly BatchAnswer<SendReceipt | void>[]>;
}

export interface Profiles {
  /**
   * Optional: read several customers in one call (the customers of a worker's batch of claims, of
   * one tenant). Answers one {@link BatchAnswer} per id, in order; a value of `null` is an unknown
   * customer.
   */
  getMany?(customerIds: readonly string[], context: { readonly tenantId: string }): Promise<readonly BatchAnswer<CustomerProfile | null>[]>;
}

export interface WorkQueue {
  /**
   * Optional: write several commits in ONE transaction (group commit). Each commit is checked and
   * written exactly as {@link WorkQueue.commit} would (version, fencing token, outcome key,
   * `requireActiveJourney`, lease, effect records, counters), as if applied one after another in
   * array order; the answer holds one {@link CommitResult} per commit, in order, and one commit's
   * refusal never fails the others. A malformed commit (`invalid-commit`, as `commit` throws it)
   * rejects the whole call and nothing is written. Without it the worker calls `commit` for each,
   * concurrently.
   */
  commitMany?(commits: readonly Commit[]): Promise<readonly CommitResult[]>;
}
