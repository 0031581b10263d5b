/**
 * An optional CORS policy for browser clients: preflights answered before any tenant is
 * resolved (they carry no credentials), and the `Access-Control-*` headers on every answer to an
 * allowed origin. Without a policy the handler adds no CORS header at all.
 */

/** The `cors` option of `createHttpHandler`. */
export interface CorsOptions {
  /** Allowed origins (`https://app.example.com`, scheme and host, no path), or `'*'` for any. */
  readonly origins: readonly string[] | '*';
  /** Request headers a browser may send (default `authorization`, `content-type`, `idempotency-key`). */
  readonly headers?: readonly string[];
  /** Answer headers a browser script may read (default `location`, `allow`). */
  readonly exposeHeaders?: readonly string[];
  /** Allow cookies and HTTP authentication (`Access-Control-Allow-Credentials`); not with `'*'`. */
  readonly credentials?: boolean;
  /** How long a browser may cache a preflight, in seconds (default 600). */
  readonly maxAgeSeconds?: number;
}

/** A checked policy. */
export interface CorsPolicy {
  /** Headers for an answer to a request with this `Origin` header (possibly only `Vary`). */
  answerHeaders(origin: string | null): Record<string, string>;
  /** Headers for a preflight naming these methods, or null when the origin is not allowed. */
  preflightHeaders(origin: string | null, methods: string): Record<string, string> | null;
}

const DEFAULT_HEADERS = ['authorization', 'content-type', 'idempotency-key'];
const DEFAULT_EXPOSE = ['location', 'allow'];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function checkOrigin(origin: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.origin !== origin) {
    throw new TypeError(`cors.origins: ${JSON.stringify(origin)} is not an origin (scheme://host[:port], no path or trailing slash)`);
  }
  return origin;
}

function checkTokens(name: string, values: readonly string[]): string[] {
  return values.map((v) => {
    if (typeof v !== 'string' || !TOKEN.test(v)) throw new TypeError(`${name}: ${JSON.stringify(v)} is not a header name`);
    return v.toLowerCase();
  });
}

/** Check the option once, at `createHttpHandler`; a policy that cannot work is a `TypeError`. */
export function corsPolicy(options: CorsOptions): CorsPolicy {
  const any = options.origins === '*';
  if (!any && !Array.isArray(options.origins)) throw new TypeError("cors.origins must be an array of origins or '*'");
  const origins = new Set(any ? [] : (options.origins as readonly string[]).map(checkOrigin));
  const credentials = options.credentials === true;
  if (any && credentials) throw new TypeError("cors: credentials cannot be allowed for origins '*'; list the origins instead");
  const allowHeaders = checkTokens('cors.headers', options.headers ?? DEFAULT_HEADERS).join(', ');
  const expose = checkTokens('cors.exposeHeaders', options.exposeHeaders ?? DEFAULT_EXPOSE).join(', ');
  const maxAge = options.maxAgeSeconds ?? 600;
  if (!Number.isSafeInteger(maxAge) || maxAge < 0) throw new TypeError('cors.maxAgeSeconds must be an integer >= 0');

  const allowed = (origin: string | null): origin is string => origin !== null && (any || origins.has(origin));
  const base = (origin: string): Record<string, string> => ({
    'access-control-allow-origin': any ? '*' : origin,
    ...(credentials ? { 'access-control-allow-credentials': 'true' } : {}),
  });
  // With a list, the answer depends on Origin: caches must key on it.
  const vary: Record<string, string> = any ? {} : { vary: 'Origin' };
  return {
    answerHeaders(origin) {
      if (!allowed(origin)) return { ...vary };
      return { ...vary, ...base(origin), ...(expose ? { 'access-control-expose-headers': expose } : {}) };
    },
    preflightHeaders(origin, methods) {
      if (!allowed(origin)) return null;
      return {
        ...vary,
        ...base(origin),
        'access-control-allow-methods': methods,
        'access-control-allow-headers': allowHeaders,
        'access-control-max-age': String(maxAge),
      };
    },
  };
}
