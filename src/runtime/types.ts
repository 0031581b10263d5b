import type { JsonValue } from '../model/schema.js';
import type { UpdateOperation } from '../model/types.js';

/** Where an enrollment is in its life. */
export type EnrollmentStatus = 'active' | 'completed' | 'exited' | 'failed';
export const ENROLLMENT_STATUSES = ['active', 'completed', 'exited', 'failed'] as const;

/**
 * Why an enrollment exited: `archived` (journey archived), `max-duration` (past the journey's
 * maxDuration), `manual` (the host ended it), or a host-defined reason.
 */
export type ExitReason = 'archived' | 'max-duration' | 'manual' | (string & {});

/**
 * What the enrollment is doing at its current step.
 * - `ready`: about to run the step (a new enrollment, or one that moved on).
 * - `waiting`: in a wait step until `wakeAt`.
 * - `effect`: an effect (decide/send/update) for this visit failed and is retried at `wakeAt`.
 * - `done`: ended (status is not `active`).
 */
export type EnrollmentPhase = 'ready' | 'waiting' | 'effect' | 'done';

/** A customer response the host reported (impression, click, conversion, …, or a custom type). */
export interface OutcomeEntry {
  readonly type: string;
  /** When it happened (host-supplied or the clock's now), epoch ms. */
  readonly at: number;
  /** The host's idempotency key (unique per customer). */
  readonly key: string;
  /**
   * The send this outcome answers (its idempotency key), when the host named the message
   * (`sendKey` or `messageId` in `recordOutcome`). Such an outcome is `outcome` only after that
   * send, whatever its `at`; one without it answers the most recent send if `at` is not before it.
   */
  readonly sendKey?: string;
}

/** One send a channel accepted, as the enrollment remembers it (the most recent {@link MAX_SENDS_KEPT}). */
export interface SentMessage {
  /** The send's idempotency key, `enrollmentId:stepId:visit`. */
  readonly key: string;
  readonly stepId: string;
  /** When the send completed (epoch ms). */
  readonly at: number;
  /** The channel's message id from the send receipt, when it gave one. */
  readonly messageId?: string;
}

/** An event the host reported for a customer (`ingestEvent`), as an enrollment's inbox and expressions (`event`) see it. */
export interface CustomerEvent {
  readonly type: string;
  readonly properties: Readonly<Record<string, JsonValue>>;
  /** When it happened (host-supplied or the clock's now at ingestion), epoch ms. */
  readonly at: number;
}

/**
 * Something from outside waiting on an enrollment to be applied by the worker, under its claim,
 * with the customer loaded (see {@link Enrollment.inbox}). `key` deduplicates deliveries;
 * `receivedAt` is when it was delivered.
 */
export type InboxItem =
  | { readonly kind: 'outcome'; readonly key: string; readonly receivedAt: number; readonly outcome: OutcomeEntry }
  | { readonly kind: 'event'; readonly key: string; readonly receivedAt: number; readonly event: CustomerEvent }
  | { readonly kind: 'exit'; readonly key: string; readonly receivedAt: number; readonly reason: ExitReason };

/** Most items an enrollment's inbox holds; a delivery beyond it is refused (`inbox-full`). */
export const MAX_INBOX_ITEMS = 200;

/** Most sends an enrollment remembers in {@link Enrollment.sends}; older ones are dropped first. */
export const MAX_SENDS_KEPT = 20;

/** The standard outcome types. Custom types are allowed too. */
export const OUTCOME_TYPES = [
  'impression',
  'click',
  'conversion',
  'not_interested',
  'opt_out',
  'defer',
  'dismiss',
  'share',
  'save',
  'complaint',
] as const;

/** An offer a decision flow returned. `id` is required; everything else is the host's. */
export interface Offer {
  readonly id: string;
  readonly [key: string]: unknown;
}

/** The last error an enrollment hit, kept for inspection. */
export interface EnrollmentError {
  readonly message: string;
  readonly code?: string;
  readonly stepId: string;
  readonly at: number;
  readonly attempts: number;
}

/**
 * One customer's passage through one journey version. Plain JSON-serialisable data;
 * the interpreter returns a new object and never mutates its input.
 */
export interface Enrollment {
  readonly id: string;
  readonly tenantId: string;
  readonly journeyId: string;
  /** The journey version this enrollment is pinned to. */
  readonly journeyVersion: number;
  readonly customerId: string;
  readonly status: EnrollmentStatus;
  /** Current step; `null` once ended. */
  readonly stepId: string | null;
  readonly phase: EnrollmentPhase;
  /**
   * Visit counts of the steps that can be entered more than once: how many times each step that
   * lies on a cycle of the journey graph has been entered. A step on no cycle is entered at most
   * once and has no entry (its visit is 1 once entered), so an acyclic journey keeps `{}` here;
   * a journey whose branch conditions read `enrollment.visits` counts every step. The current
   * visit of an entered step is `visitOf(enrollment, stepId)`, i.e. `visits[stepId] ?? 1`.
   * Rows written by older versions, with a count for every entered step, read the same way.
   */
  readonly visits: Readonly<Record<string, number>>;
  /** Decide results by storage key (`storeResultAs`, else the decide step's id). */
  readonly results: Readonly<Record<string, readonly Offer[]>>;
  /** Internal flags set by `set_flag` update operations. */
  readonly flags: Readonly<Record<string, boolean>>;
  /**
   * The variant this enrollment was assigned at each `split` step it passed: split step id →
   * variant label. Absent when no split assigned one (and in rows written before splits existed).
   */
  readonly variants?: Readonly<Record<string, string>>;
  /** Outcomes recorded for this enrollment, oldest first (the most recent 100 are kept). */
  readonly outcomes: readonly OutcomeEntry[];
  /**
   * What branch expressions see as `outcome`: of the outcomes that answer the most recent send,
   * the latest by `at` (arrival order breaks ties), or null. An outcome answers the most recent
   * send when it names it (`sendKey`), or names no send and its `at` is not before the send.
   */
  readonly latestOutcome: OutcomeEntry | null;
  /** When the most recent send completed (epoch ms), or null. */
  readonly lastSendAt: number | null;
  /** The most recent sends, oldest first (at most {@link MAX_SENDS_KEPT}): what outcomes are attributed by. */
  readonly sends: readonly SentMessage[];
  /** Failed attempts of the current effect. */
  readonly attempts: number;
  readonly lastError: EnrollmentError | null;
  /** Data the enrollment entered with (event properties, host context). */
  readonly context: Readonly<Record<string, JsonValue>>;
  readonly enteredAt: number;
  /**
   * enteredAt + maxDuration days. A step due at or before this instant runs; once the clock is past
   * it the enrollment exits with `max-duration`, with `endedAt` = this instant (also while the
   * journey is paused).
   */
  readonly deadline: number;
  /**
   * When the enrollment is next due to be advanced; null once ended. While the inbox holds
   * items it is the first item's arrival (the step's own wake-up waits in `resumeAt`).
   */
  readonly wakeAt: number | null;
  /**
   * Inputs from outside — outcomes, events, exits — recorded durably and not yet applied, oldest
   * first (absent: none). The worker applies them, in order, before anything else when it next
   * advances the enrollment: one way into the interpreter, with every command they produce
   * carried out. At most {@link MAX_INBOX_ITEMS}.
   */
  readonly inbox?: readonly InboxItem[];
  /** While the inbox holds items: the step's own wake-up (`wakeAt` before the first delivery). */
  readonly resumeAt?: number | null;
  /**
   * When the customer entered the current step, kept by steps that compare it with what arrives
   * (a `waitFor` counts only events and outcomes at or after it). Absent otherwise.
   */
  readonly stepEnteredAt?: number;
  /** The journey goals this enrollment converted, goal id → when (absent: none). A goal converts once. */
  readonly goals?: Readonly<Record<string, number>>;
  readonly endedAt: number | null;
  readonly exitReason: ExitReason | null;
  /** Optimistic-concurrency version: +1 on every committed change. */
  readonly version: number;
  readonly updatedAt: number;
}

/** A customer as the Profiles port returns it. */
export interface CustomerProfile {
  readonly id: string;
  readonly attributes: Readonly<Record<string, JsonValue>>;
  readonly segments: readonly string[];
}

/** A channel's acknowledgement of a send. */
export interface SendReceipt {
  readonly messageId?: string;
  readonly [key: string]: unknown;
}

/** An error an adapter call raised, as the interpreter records it. */
export interface EffectError {
  readonly message: string;
  readonly code?: string;
}

/** Things that happen to an enrollment: the interpreter's inputs. */
export type Input =
  /** The enrollment is due: a new enrollment, a finished wait, or a retry of a failed effect. */
  | { readonly type: 'wake' }
  /** The decision flow answered for the decide step's current visit. */
  | { readonly type: 'decided'; readonly stepId: string; readonly visit: number; readonly offers: readonly Offer[] }
  /** The channel accepted the send for the send step's current visit. */
  | { readonly type: 'sent'; readonly stepId: string; readonly visit: number; readonly receipt: SendReceipt }
  /** The profile update for the update step's current visit was applied. */
  | { readonly type: 'updated'; readonly stepId: string; readonly visit: number }
  /**
   * The effect for this visit failed. `retryAt` is when to try again (the engine's retry
   * policy), or null when attempts are exhausted and the enrollment fails.
   */
  | {
      readonly type: 'effect-failed';
      readonly stepId: string;
      readonly visit: number;
      readonly error: EffectError;
      readonly retryAt: number | null;
    }
  /**
   * The send policy held the send of this visit back until `until` (quiet hours, a frequency
   * cap, a rate limit): the enrollment waits at the step and sends then, with the same visit and
   * idempotency key. `reason` is `quiet-hours`, `cap` or `rate-limit`.
   */
  | {
      readonly type: 'deferred';
      readonly stepId: string;
      readonly visit: number;
      readonly until: number;
      readonly reason: string;
      readonly detail?: Readonly<Record<string, unknown>>;
    }
  /** The send policy dropped the send of this visit (a frequency cap with `onCapped: 'skip'`): the journey goes on. */
  | {
      readonly type: 'effect-skipped';
      readonly stepId: string;
      readonly visit: number;
      readonly reason: string;
      readonly detail?: Readonly<Record<string, unknown>>;
    }
  /** The customer responded. */
  | { readonly type: 'outcome'; readonly outcome: OutcomeEntry }
  /** The customer did something (an event the host ingested). */
  | { readonly type: 'event'; readonly event: CustomerEvent }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'archive' }
  /** The host ends the enrollment. */
  | { readonly type: 'exit'; readonly reason: ExitReason };

interface EffectCommandBase {
  readonly stepId: string;
  readonly visit: number;
  /** `enrollmentId:stepId:visit` — stable across retries and crashes. */
  readonly idempotencyKey: string;
}

/** What the interpreter asks the engine to do. */
export type Command =
  | (EffectCommandBase & {
      readonly type: 'decide';
      readonly decisionFlowId: string;
      readonly maxOffers: number;
      readonly storeAs: string;
    })
  | (EffectCommandBase & {
      readonly type: 'send';
      readonly channelId: string;
      readonly creativeId: string | null;
      /** The first offer of the result source, or null when the step names none. */
      readonly offer: Offer | null;
      readonly offers: readonly Offer[];
      /** The step skips the send policy (`bypassPolicy: true`). */
      readonly bypassPolicy?: boolean;
      /** The step's `priority` (absent: the journey's `sendPolicy.priority`, else 0). */
      readonly priority?: number;
    })
  | (EffectCommandBase & {
      readonly type: 'update';
      /** Operations for the Profiles port (set_flag operations are applied by the interpreter). */
      readonly operations: readonly UpdateOperation[];
    })
  /** Wake the enrollment at this absolute instant. */
  | { readonly type: 'schedule'; readonly wakeAt: number }
  | { readonly type: 'complete' }
  | { readonly type: 'exit'; readonly reason: ExitReason }
  | { readonly type: 'fail'; readonly error: EnrollmentError };

/** Effect commands: the ones that reach an adapter. */
export type EffectCommand = Extract<Command, { type: 'decide' | 'send' | 'update' }>;

/** What happened during one advance, for stats, events and timelines. */
export type StepEvent =
  | { readonly type: 'entered'; readonly stepId: string; readonly stepType: string; readonly visit: number; readonly at: number }
  | {
      readonly type: 'completed';
      readonly stepId: string;
      readonly stepType: string;
      readonly visit: number;
      readonly at: number;
      readonly detail?: Readonly<Record<string, unknown>>;
    }
  /**
   * The step ran without doing its work: a send whose `resultSource` holds no offer (`reason:
   * 'no-offer'`). Counted as `skipped` (by reason) in stats, not as `completed`.
   */
  | {
      readonly type: 'skipped';
      readonly stepId: string;
      readonly stepType: string;
      readonly visit: number;
      readonly at: number;
      readonly reason: string;
      readonly detail?: Readonly<Record<string, unknown>>;
    }
  /**
   * Something worth counting happened at a step (or at the journey level, `stepId` null): a
   * time-zone fallback, a split variant, a goal conversion. Counted as `noted` (by `note`) in
   * stats; `note` is `<what>:<which>` (`variant:A`, `time-zone-fallback:invalid-time-zone`).
   */
  | {
      readonly type: 'noted';
      readonly stepId: string | null;
      readonly at: number;
      readonly note: string;
      readonly detail?: Readonly<Record<string, unknown>>;
    }
  | { readonly type: 'exited'; readonly stepId: string | null; readonly reason: ExitReason; readonly at: number }
  | { readonly type: 'journey-completed'; readonly at: number }
  | { readonly type: 'failed'; readonly stepId: string | null; readonly error: EnrollmentError; readonly at: number };

/** The interpreter's answer. */
export interface AdvanceResult {
  readonly enrollment: Enrollment;
  readonly commands: readonly Command[];
  readonly events: readonly StepEvent[];
}
