/**
 * The HTTP error vocabulary: one table from error codes to statuses, and the one JSON shape every
 * error answer has — `{ error: { code, message, status, details? } }`.
 */
import { JourneyError } from '../../model/errors.js';
import type { Path } from '../../model/errors.js';

/**
 * Status of every error code the HTTP API answers with: the engine's {@link JourneyError} codes
 * and the adapter's own request-level codes. A `JourneyError` whose code is not listed is treated
 * as an internal failure (500, generic message).
 */
export const HTTP_STATUS_BY_CODE: Readonly<Record<string, number>> = Object.freeze({
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
  'journey-not-draft': 409,
  'journey-not-active': 409,
  'invalid-transition': 409,
  'concurrent-update': 409,
  'duplicate-id': 409,
  // 413, 415.
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  // 422 — well-formed, but the journey cannot be activated or run.
  'activation-refused': 422,
  'journey-invalid': 422,
  'simulation-too-long': 422,
  // 500 — a genuine internal failure.
  internal: 500,
});

/** An error answer the adapter builds itself (thrown inside the handler, caught at its edge). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly code: string;
  readonly status: number;
  readonly path: Path;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: string,
    message: string,
    options: { path?: Path; details?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.code = code;
    this.status = HTTP_STATUS_BY_CODE[code] ?? 500;
    this.path = options.path ?? [];
    this.details = options.details;
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
  if (path.length > 0) details['path'] = [...path];
  if (extra !== null && typeof extra === 'object' && !Array.isArray(extra)) {
    const diagnostics = (extra as { diagnostics?: unknown }).diagnostics;
    if (diagnostics !== undefined) details['diagnostics'] = diagnostics;
    for (const [key, value] of Object.entries(extra)) if (key !== 'diagnostics' && key !== 'path') details[key] = value;
  }
  return Object.keys(details).length > 0 ? details : undefined;
}

/**
 * Turn anything thrown while handling a request into an answer. `HttpError`s and
 * `JourneyError`s with a known code keep their code, message, path and diagnostics; everything
 * else is a 500 with a generic message (no stack, no internals).
 */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof HttpError) {
    const details = detailsOf(error.path, error.details);
    return {
      status: error.status,
      body: { error: { code: error.code, message: error.message, status: error.status, ...(details ? { details } : {}) } },
      headers: error.headers,
      internal: error.status >= 500,
    };
  }
  if (error instanceof JourneyError) {
    const status = HTTP_STATUS_BY_CODE[error.code];
    if (status === undefined || status >= 500) return INTERNAL;
    const details = detailsOf(error.path, error.details);
    return {
      status,
      body: { error: { code: error.code, message: error.message, status, ...(details ? { details } : {}) } },
      headers: {},
      internal: false,
    };
  }
  return INTERNAL;
}
