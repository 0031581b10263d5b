/** A path into an input: object keys and array indices. */
export type Path = ReadonlyArray<string | number>;

/**
 * Every `code` a {@link JourneyError} can carry: the library's whole error vocabulary, one closed
 * union so that a typo is a compile error and hosts can `switch` on it exhaustively. Each code has
 * one HTTP status in `HTTP_STATUS_BY_CODE` (`journey-engine/http`), checked by the compiler against
 * this union, and one row in docs/http-api.md ("Error codes") saying when it happens and what to do.
 *
 * Codes are stable: a code is never reused for another meaning; messages may change.
 */
export type JourneyErrorCode =
  // The caller's request or input is malformed.
  | 'invalid-json'
  | 'invalid-request'
  | 'invalid-field'
  | 'unknown-field'
  | 'unknown-parameter'
  | 'read-only-field'
  | 'forbidden-key'
  | 'invalid-journey'
  | 'invalid-status'
  | 'invalid-instant'
  | 'invalid-path'
  | 'too-many-customers'
  | 'idempotency-key-mismatch'
  | 'invalid-id'
  | 'invalid-context'
  // simulate / journeys test: an outcome names a step the journey does not have.
  | 'unknown-step'
  // The request has no tenant.
  | 'unauthorized'
  // Nothing there.
  | 'not-found'
  | 'journey-not-found'
  | 'enrollment-not-found'
  // The route exists, the method does not.
  | 'method-not-allowed'
  // The lifecycle (or a concurrent writer) forbids it now.
  | 'journey-active'
  | 'journey-archived'
  | 'journey-not-archived'
  | 'journey-not-active'
  | 'invalid-transition'
  | 'concurrent-update'
  | 'duplicate-id'
  // An enrollment's inbox is full: the worker is behind (or stopped); retry later.
  | 'inbox-full'
  // Request size and media type.
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'context-too-large'
  // Well-formed, but the journey cannot be activated or run.
  | 'activation-refused'
  | 'simulation-too-long'
  // POST /outcomes: the outcome matched no enrollment (`details.reason`); nothing was recorded.
  | 'outcome-unmatched'
  // The `journeys` command's own inputs (files and options).
  | 'unreadable-file'
  | 'invalid-option'
  | 'invalid-rules'
  | 'invalid-customer'
  // The host's set-up or adapters, and stored data: never the HTTP caller's fault (HTTP 500).
  | 'no-adapter'
  | 'bad-adapter-answer'
  | 'sqlite-unavailable'
  | 'storage-closed'
  | 'schema-too-new'
  | 'corrupt-row'
  | 'invalid-commit'
  | 'invalid-revision'
  | 'clock-backwards'
  | 'storage-unavailable'
  | 'internal';

/**
 * The brand every `JourneyError` carries on its prototype. It is a registered symbol
 * (`Symbol.for`), the same in every copy of the library and every realm, so an error is
 * recognised even when it was thrown by another bundle of journey-engine (the CommonJS and ESM
 * builds, two entry points, two installed copies) or crossed a `vm` context.
 */
const BRAND: unique symbol = Symbol.for('journey-engine.error') as never;

function hasBrand(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    const v = value as { [BRAND]?: unknown; code?: unknown; message?: unknown };
    return v[BRAND] === true && typeof v.code === 'string' && typeof v.message === 'string';
  } catch {
    return false; // a Proxy whose traps throw is not one of ours
  }
}

/**
 * The one error type the library throws for a caller's mistake or a refused operation.
 * `code` is stable (switch on it); `path` points at the offending input when there is one.
 *
 * Recognise it with {@link JourneyError.is} (or `instanceof JourneyError`, which uses the same
 * test): identity is a brand, not the class object, so errors from another copy of the library
 * — `require('journey-engine/http')` next to `import 'journey-engine'` — are recognised too.
 *
 * @example
 * try {
 *   await engine.enroll(journeyId, { customerId: 'c1' });
 * } catch (error) {
 *   if (JourneyError.is(error) && error.code === 'journey-not-active') console.log('activate it first');
 *   else throw error;
 * }
 */
export class JourneyError extends Error {
  override readonly name: string = 'JourneyError';
  readonly code: JourneyErrorCode;
  readonly path: Path;
  readonly details: unknown;

  constructor(code: JourneyErrorCode, message: string, options: { path?: Path; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path ?? [];
    this.details = options.details;
  }

  /**
   * Whether `value` is a `JourneyError` from any copy of journey-engine (another bundle, another
   * realm). Never throws. A copy of another version may carry a code this version does not
   * know; `HTTP_STATUS_BY_CODE` treats such a code as internal (500).
   */
  static is(value: unknown): value is JourneyError {
    return hasBrand(value);
  }

  /**
   * `error instanceof JourneyError` answers {@link JourneyError.is}, so it also holds across
   * copies of the library. Subclasses keep the ordinary prototype-chain test.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return this === JourneyError ? hasBrand(value) : Function.prototype[Symbol.hasInstance].call(this, value);
  }
}
Object.defineProperty(JourneyError.prototype, BRAND, { value: true });

/** Render a path as `steps[3].config.duration`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}
