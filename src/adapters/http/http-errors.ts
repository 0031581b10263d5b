/**
 * The HTTP error vocabulary: one table from error codes to statuses, and the one JSON shape every
 * error answer has — `{ error: { code, message, status, details? } }`.
 */
import { JourneyError } from '../../model/errors.js';
import type { JourneyErrorCode, Path } from '../../model/errors.js';

/**
 * The HTTP status of every {@link JourneyErrorCode}: the engine's codes and the adapter's own
 * request-level codes. The compiler checks it against the union — a code without a status, or a
 * status for a code that does not exist, does not compile. A code answered with 500 is an
 * internal failure: the caller gets a generic message, the host's `onError` gets the error.
 *
 * Statuses are HTTP data, so the table lives with the HTTP adapter; the codes themselves are the
 * model's (`src/model/errors.ts`), since the engine, storage and CLI throw them too.
 *
 * @example
 * import { HTTP_STATUS_BY_CODE } from 'journey-engine/http';
 * HTTP_STATUS_BY_CODE['journey-not-found']; // 404
 */
export const HTTP_STATUS_BY_CODE: Readonly<Record<JourneyErrorCode, number>> = Object.freeze({
  // 400 — the request is malformed.
  'invalid-json': 400,
  'invalid-request': 400,
  'invalid-field': 400,
  'unknown-field': 400,
  'unknown-parameter': 400,
  'read-only-field': 400,
  'forbidden-key': 400,
  'invalid-journey': 400,
  'invalid-status': 400,
  'invalid-instant': 400,
  'invalid-path': 400,
  'too-many-customers': 400,
  'idempotency-key-mismatch': 400,
  'invalid-id': 400,
  'invalid-context': 400,
  'unknown-step': 400,
  // 401 — no tenant for the request.
  unauthorized: 401,
  // 404 — nothing there (another tenant's journey is also "not found").
  'not-found': 404,
  'journey-not-found': 404,
  'enrollment-not-found': 404,
  // 405 — the route exists, the method does not.
  'method-not-allowed': 405,
  // 409 — the lifecycle forbids it now.
  'journey-active': 409,
  'journey-archived': 409,
  'journey-not-archived': 409,
  'journey-not-active': 409,
  'invalid-transition': 409,
  'concurrent-update': 409,
  'inbox-full': 503,
  'duplicate-id': 409,
  // 413, 415.
  'payload-too-large': 413,
  'context-too-large': 413,
  'unsupported-media-type': 415,
  // 422 — well-formed, but the journey cannot be activated or run.
  'activation-refused': 422,
  'simulation-too-long': 422,
  // POST /outcomes: the outcome matched no enrollment and nothing was recorded (details.reason).
  'outcome-unmatched': 422,
  // The `journeys` command's inputs: never an HTTP answer, but the caller's mistake all the same.
  'unreadable-file': 400,
  'invalid-option': 400,
  'invalid-rules': 400,
  'invalid-customer': 400,
  // 500 — the host's set-up, its adapters or stored data; a genuine internal failure.
  'no-adapter': 500,
  'bad-adapter-answer': 500,
  'sqlite-unavailable': 500,
  'storage-closed': 500,
  'schema-too-new': 500,
  'corrupt-row': 500,
  'invalid-commit': 500,
  'invalid-revision': 500,
  'clock-backwards': 500,
  internal: 500,
  // 503 — the health check cannot reach the storage.
  'storage-unavailable': 503,
} satisfies Record<JourneyErrorCode, number>);

/** The status of a code, or `undefined` for a code this version does not know (another copy's). */
function statusOf(code: string): number | undefined {
  return Object.hasOwn(HTTP_STATUS_BY_CODE, code) ? HTTP_STATUS_BY_CODE[code as JourneyErrorCode] : undefined;
}

/**
 * An error answer the adapter builds itself (thrown inside the handler, caught at its edge): a
 * {@link JourneyError} whose status comes from {@link HTTP_STATUS_BY_CODE}, with response headers.
 */
export class HttpError extends JourneyError {
  override readonly name: string = 'HttpError';
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: JourneyErrorCode,
    message: string,
    options: { path?: Path; details?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(code, message, { ...(options.path ? { path: options.path } : {}), ...(options.details ? { details: options.details } : {}) });
    this.status = HTTP_STATUS_BY_CODE[code];
    this.headers = options.headers ?? {};
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly status: number;
    readonly details?: { readonly path?: Path; readonly diagnostics?: unknown; readonly [key: string]: unknown };
  };
}

/** What the handler answers for an error, and whether it was an internal failure (to report). */
export interface ErrorAnswer {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers: Readonly<Record<string, string>>;
  readonly internal: boolean;
}

const INTERNAL: ErrorAnswer = Object.freeze({
  status: 500,
  body: { error: { code: 'internal', message: 'internal error; the request may be retried later', status: 500 } },
  headers: {},
  internal: true,
});

function detailsOf(path: Path, extra: unknown): ErrorBody['error']['details'] | undefined {
  const details: Record<string, unknown> = {};
  if (Array.isArray(path) && path.length > 0) details['path'] = [...path];
  if (extra !== null && typeof extra === 'object' && !Array.isArray(extra)) {
    const diagnostics = (extra as { diagnostics?: unknown }).diagnostics;
    if (diagnostics !== undefined) details['diagnostics'] = diagnostics;
    for (const [key, value] of Object.entries(extra)) if (key !== 'diagnostics' && key !== 'path') details[key] = value;
  }
  return Object.keys(details).length > 0 ? details : undefined;
}

/**
 * Turn anything thrown while handling a request into an answer. A {@link JourneyError} (from any
 * copy of the library: recognised by its brand, never by `instanceof`) with a known code below 500
 * keeps its code, message, path and diagnostics; everything else is a 500 with a generic message
 * (no stack, no internals).
 */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (!JourneyError.is(error)) return INTERNAL;
  const status = statusOf(error.code);
  if (status === undefined || status >= 500) return INTERNAL;
  const details = detailsOf(error.path, error.details);
  return {
    status,
    body: { error: { code: error.code, message: error.message, status, ...(details ? { details } : {}) } },
    headers: error instanceof HttpError ? error.headers : {},
    internal: false,
  };
}
