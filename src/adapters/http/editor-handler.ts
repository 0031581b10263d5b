/**
 * `createEditorHandler`: the prebuilt editor page (static files built by `npm run build` into
 * `dist/editor-app/`) as a fetch-style handler, like {@link createHttpHandler}. Mount it next to
 * the API; the page talks to the API at `apiBase`.
 */
import { HTTP_STATUS_BY_CODE } from './http-errors.js';
import type { HttpHandler } from './http-handler.js';
import type { JourneyErrorCode } from '../../model/errors.js';

/** Reads one file of the page, by its path relative to the page's folder (`assets/index-abc.js`); `null` when there is none. */
export type EditorFileReader = (relativePath: string) => Promise<Uint8Array | null>;

/** Options of {@link createEditorHandler}. */
export interface EditorHandlerOptions {
  /** Where the page finds the REST API (default `/api/v1`); written into the page it serves. */
  readonly apiBase?: string;
  /** The public path the page is served under (default `/editor`). */
  readonly basePath?: string;
  /**
   * The folder holding the built page (a `file:` URL or a path). Default: the package's own
   * `dist/editor-app/`.
   */
  readonly root?: string | URL;
  /**
   * How files are read. Default: `node:fs` (loaded on first use; Node, Deno and Bun have it).
   * Give your own on a runtime without a file system (e.g. from a KV store or bundled assets).
   */
  readonly readFile?: EditorFileReader;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  txt: 'text/plain; charset=utf-8',
};

/** A path segment we serve: a plain file or folder name (no dot segments, separators, NUL, `:` or `%`). */
const SAFE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

function problem(code: JourneyErrorCode, message: string, headers: Record<string, string> = {}): Response {
  const status = HTTP_STATUS_BY_CODE[code];
  return new Response(JSON.stringify({ error: { code, message, status } }), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The folders the page may be in, relative to this module: bundled in dist/ (`dist/editor-app/`) or run from source. */
function defaultRoots(): URL[] {
  const here = import.meta.url;
  return [new URL('./editor-app/', here), new URL('../editor-app/', here), new URL('../../../dist/editor-app/', here)];
}

function nodeReader(roots: readonly URL[]): EditorFileReader {
  let fs: Promise<{ readFile(url: URL): Promise<Uint8Array> }> | undefined;
  let found: URL | undefined;
  return async (relative) => {
    fs ??= import('node:fs/promises');
    const { readFile } = await fs;
    for (const root of found ? [found] : roots) {
      try {
        const bytes = await readFile(new URL(relative, root));
        if (relative === 'index.html') found = root;
        return bytes;
      } catch {
        // not in this folder (or not a file): try the next
      }
    }
    return null;
  };
}

function rootUrl(root: string | URL): URL {
  if (root instanceof URL) return new URL(root.href.endsWith('/') ? root.href : `${root.href}/`);
  if (/^file:/.test(root)) return new URL(root.endsWith('/') ? root : `${root}/`);
  const path = root.replace(/\\/g, '/');
  const absolute = path.startsWith('/') ? path : `/${path}`;
  return new URL(`file://${absolute.split('/').map(encodeURIComponent).join('/').replace(/%3A/g, ':')}${absolute.endsWith('/') ? '' : '/'}`);
}

/**
 * Serve the editor page: `GET {basePath}/` is the page (with `apiBase` written into it, never
 * cached), `{basePath}/assets/…` its content-hashed scripts and styles (cached for a year,
 * immutable); `{basePath}` redirects to `{basePath}/`. Only `GET` and `HEAD`; only plain file
 * names (no `..`, encoded or not, no absolute or encoded-separator paths: those are 404). The
 * answers carry `X-Content-Type-Options: nosniff` and, on the page, a Content-Security-Policy.
 *
 * @example
 * ```ts
 * const api = createHttpHandler(engine);
 * const editor = createEditorHandler({ apiBase: '/api/v1' });
 * createServer(toNodeListener((req) => (new URL(req.url).pathname.startsWith('/editor') ? editor(req) : api(req)))).listen(3000);
 * ```
 */
export function createEditorHandler(options: EditorHandlerOptions = {}): HttpHandler {
  const apiBase = options.apiBase ?? '/api/v1';
  const basePath = (options.basePath ?? '/editor').replace(/\/+$/, '');
  const read = options.readFile ?? nodeReader(options.root !== undefined ? [rootUrl(options.root)] : defaultRoots());
  let connect = "'self'";
  try {
    if (/^https?:\/\//i.test(apiBase)) connect += ` ${new URL(apiBase).origin}`;
  } catch {
    // not a URL: a path on this origin
  }
  const csp = `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src ${connect}; base-uri 'none'; frame-ancestors 'self'`;
  let page: Promise<Uint8Array | null> | undefined;

  return async (request) => {
    const url = new URL(request.url);
    const path = url.pathname;
    if (path !== basePath && !path.startsWith(`${basePath}/`)) return problem('not-found', `no route at ${path}: the editor is at ${basePath}/`);
    if (request.method !== 'GET' && request.method !== 'HEAD') return problem('method-not-allowed', 'the editor page answers GET and HEAD', { allow: 'GET, HEAD' });
    if (path === basePath) return new Response(null, { status: 308, headers: { location: `${basePath}/${url.search}` } });
    const rest = path.slice(basePath.length + 1);
    let segments: string[];
    try {
      segments = rest === '' ? ['index.html'] : rest.split('/').map((s) => decodeURIComponent(s));
    } catch {
      return problem('invalid-path', 'the path has bad percent-encoding');
    }
    if (!segments.every((s) => SAFE_SEGMENT.test(s) && !s.includes('..'))) return problem('not-found', `no file at ${path}`);
    const relative = segments.join('/');
    const isPage = relative === 'index.html';
    let bytes: Uint8Array | null;
    if (isPage) {
      page ??= read('index.html').then((b) => {
        if (b === null) return null;
        const html = new TextDecoder().decode(b).replace(/(<meta name="journey-api-base" content=")[^"]*(")/, `$1${escapeAttribute(apiBase)}$2`);
        return new TextEncoder().encode(html);
      });
      bytes = await page;
      if (bytes === null) page = undefined;
    } else bytes = await read(relative);
    if (bytes === null) {
      return isPage
        ? problem('not-found', 'the editor page is not built: run `npm run build` (it builds dist/editor-app/)')
        : problem('not-found', `no file at ${path}`);
    }
    const ext = relative.slice(relative.lastIndexOf('.') + 1).toLowerCase();
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
      'content-length': String(bytes.byteLength),
      'x-content-type-options': 'nosniff',
      'cache-control': isPage ? 'no-cache' : segments[0] === 'assets' ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
    };
    if (isPage) {
      headers['content-security-policy'] = csp;
      headers['referrer-policy'] = 'same-origin';
    }
    return new Response(request.method === 'HEAD' ? null : (bytes as BodyInit), { status: 200, headers });
  };
}
