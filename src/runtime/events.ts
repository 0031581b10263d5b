import mittImport, { type Emitter } from 'mitt';
import type { Observer } from './observe.js';
import type { QuarantinedEnrollment } from './ports.js';
import type { Enrollment, EnrollmentError, ExitReason, OutcomeEntry, SendReceipt, StepEvent } from './types.js';

/** Events the engine emits, by name. Subscribe with `engine.events.on(name, handler)`. */
export type EngineEvents = {
  /** A customer entered a journey. */
  enrolled: { readonly enrollment: Enrollment };
  /** Something happened at a step (entered, completed, …), after it was committed. */
  step: { readonly enrollment: Enrollment; readonly event: StepEvent };
  /** A channel accepted a send, after it was committed. */
  sent: {
    readonly enrollment: Enrollment;
    readonly stepId: string;
    readonly channelId: string;
    readonly idempotencyKey: string;
    readonly receipt: SendReceipt;
  };
  /**
   * The send policy held a send back (`reason`: `quiet-hours`, `cap`, `rate-limit`): the
   * enrollment waits at the step until `until` and sends then with the same idempotency key.
   */
  deferred: {
    readonly enrollment: Enrollment;
    readonly stepId: string;
    readonly reason: string;
    readonly until: number;
    readonly detail: Readonly<Record<string, unknown>>;
  };
  /** An outcome was recorded on an enrollment. */
  outcome: { readonly enrollment: Enrollment; readonly outcome: OutcomeEntry };
  /** An enrollment finished the journey. */
  completed: { readonly enrollment: Enrollment };
  /** An enrollment exited (archived, max-duration, manual, …). */
  exited: { readonly enrollmentId: string; readonly journeyId: string; readonly reason: ExitReason };
  /** An enrollment failed: an adapter kept failing, or its journey version is gone. */
  failed: { readonly enrollment: Enrollment; readonly error: EnrollmentError };
  /** An adapter call failed and will be retried. */
  retry: { readonly enrollment: Enrollment; readonly error: EnrollmentError; readonly retryAt: number };
  /**
   * A due enrollment's stored row could not be read, so it was taken out of due work (the rest
   * keep running). List with `engine.listQuarantined()`; fix with `engine.repairEnrollment()`, or
   * fix the row in place and call `engine.releaseQuarantined()`.
   */
  quarantined: QuarantinedEnrollment;
};

export type EngineEmitter = Emitter<EngineEvents>;

// mitt ships CommonJS types for an ES module: take the factory whichever way it arrives.
type MittFactory = typeof mittImport.default;
const mitt: MittFactory =
  typeof mittImport === 'function' ? (mittImport as unknown as MittFactory) : (mittImport as { default: MittFactory }).default;

export function createEmitter(): EngineEmitter {
  return mitt<EngineEvents>();
}

/** The observer (logger) of each engine's emitter: it sees every event {@link safeEmit} emits. */
const OBSERVERS = new WeakMap<EngineEmitter, Pick<Observer, 'event'>>();

/** Log every event emitted on `emitter` through `observer` (the engine's logger). */
export function observeEmitter(emitter: EngineEmitter, observer: Pick<Observer, 'event'>): void {
  OBSERVERS.set(emitter, observer);
}

/**
 * Emit without letting a host's handler break the engine: the state change behind every event
 * is already committed, so a throwing handler is reported to `onError` and otherwise ignored.
 */
export function safeEmit<K extends keyof EngineEvents>(
  emitter: EngineEmitter,
  name: K,
  payload: EngineEvents[K],
  onError?: (error: unknown) => void,
): void {
  // The observer never throws (a throwing logger is reported to onError inside it).
  OBSERVERS.get(emitter)?.event(name, payload);
  try {
    emit(emitter, name, payload);
  } catch (error) {
    onError?.(error);
  }
}

/**
 * `emitter.emit(name, payload)`, as mitt does it — the handlers of `name`, then the `'*'`
 * handlers, each list as it was when the emit began; a throw stops the emit — without the two
 * arrays per list mitt's `slice().map()` makes: one handler is called directly.
 */
function emit<K extends keyof EngineEvents>(emitter: EngineEmitter, name: K, payload: EngineEvents[K]): void {
  const handlers = emitter.all.get(name) as ((event: EngineEvents[K]) => void)[] | undefined;
  if (handlers !== undefined && handlers.length > 0) {
    if (handlers.length === 1) handlers[0]!(payload);
    else for (const handler of handlers.slice()) handler(payload);
  }
  const wildcard = emitter.all.get('*') as ((type: K, event: EngineEvents[K]) => void)[] | undefined;
  if (wildcard !== undefined && wildcard.length > 0) {
    if (wildcard.length === 1) wildcard[0]!(name, payload);
    else for (const handler of wildcard.slice()) handler(name, payload);
  }
}
