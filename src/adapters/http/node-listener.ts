/**
 * `toNodeListener`: mount a fetch-style handler on `node:http`. The request body is streamed
 * to the handler as it arrives (with backpressure), so the handler's size limit stops the read
 * at the limit instead of after buffering everything. No import of `node:http`, not even of its
 * types (see node-http.ts).
 */
import type { NodeRequest as IncomingMessage, NodeResponse as ServerResponse } from './node-http.js';
import type { HttpHandler } from './http-handler.js';

/**
 * A `node:http` request listener (also an Express/Connect middleware). The promise settles once
 * the answer is written; it never rejects.
 */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** What frameworks add to node's request: a mount path kept aside, a body already read. */
interface FrameworkRequest {
  /** Express/Connect: the URL before a mount path (`app.use('/api/v1', …)`) was stripped from `url`. */
  originalUrl?: unknown;
  /** Express `express.json()`/`text()`/`raw()`, Koa's bodyparser with `patchNode`, …: the parsed body. */
  body?: unknown;
  /** Koa's bodyparser with `patchNode`: the body as received. */
  rawBody?: unknown;
}

/**
 * The body a framework already read from the (now ended) stream, as bytes: `rawBody` when it is
 * a string or bytes, else `body` (a string, bytes, or a parsed value serialised back to JSON
 * once). `undefined` when the parser left no body behind.
 */
function parsedBodyOf(req: FrameworkRequest): Uint8Array | undefined {
  const bytesOf = (value: unknown): Uint8Array | undefined => {
    if (typeof value === 'string') return new TextEncoder().encode(value);
    if (value instanceof Uint8Array) return value;
    return undefined;
  };
  const raw = bytesOf(req.rawBody);
  if (raw) return raw;
  if (req.body === undefined) return undefined;
  return bytesOf(req.body) ?? new TextEncoder().encode(JSON.stringify(req.body));
}

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    try {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else headers.set(name, value);
    } catch {
      // A header value fetch's Headers refuses: leave it out.
    }
  }
  return headers;
}

/** The request body as a pull-based stream: node data is read only as fast as the handler reads. */
function bodyOf(req: IncomingMessage): { stream: ReadableStream<Uint8Array>; finished: () => boolean } {
  let ended = false;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Uint8Array) => {
        if (cancelled) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.on('end', () => {
        ended = true;
        if (!cancelled) controller.close();
      });
      req.on('error', (error) => {
        if (!cancelled) controller.error(error);
      });
      req.pause();
    },
    pull() {
      req.resume();
    },
    cancel() {
      cancelled = true;
      req.pause();
    },
  }, { highWaterMark: 1 });
  return { stream, finished: () => ended };
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  res.end(JSON.stringify({ error: { code, message, status } }));
}

/**
 * Adapt a fetch-style handler (such as {@link createHttpHandler}'s) to `node:http`, or to a
 * framework that hands out node's request and response (Express, Connect, Fastify's `raw`, Koa's
 * `ctx.req`). When the handler answers before reading the whole body (a 413, a 404), the
 * connection is closed after the answer instead of reading the rest.
 *
 * - Mount paths: routes on `req.originalUrl` when a framework set it (Express strips the mount
 *   path from `req.url`), so `basePath` is the full public path.
 * - Body parsers: an unread body is streamed; a body a parser already read is taken from
 *   `req.rawBody` or `req.body` (a parsed value is serialised back to JSON once) under the
 *   handler's size limit, and a drained stream with nothing left is an empty body, never a hang.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * createServer(toNodeListener(createHttpHandler(engine))).listen(3000);
 * // Express: app.use(express.json()); app.use('/api/v1', toNodeListener(handler));
 * ```
 */
export function toNodeListener(handler: HttpHandler): NodeListener {
  return (req, res) =>
    (async () => {
      let request: Request;
      let finished = () => true;
      try {
        const framework = req as unknown as FrameworkRequest;
        const target = typeof framework.originalUrl === 'string' ? framework.originalUrl : (req.url ?? '/');
        const url = new URL(target, 'http://localhost');
        const host = req.headers.host;
        let origin = 'http://localhost';
        try {
          if (host) origin = new URL(`http://${host}`).origin;
        } catch {
          // An unparsable Host header: keep localhost (only the path and query are routed).
        }
        const method = req.method ?? 'GET';
        const hasBody = method !== 'GET' && method !== 'HEAD';
        const headers = headersOf(req);
        let body: BodyInit | undefined;
        if (hasBody && !req.readableEnded) {
          // Unread (a parser that reads a body waits for its end): stream it, whatever req.body says.
          const streamed = bodyOf(req);
          finished = streamed.finished;
          body = streamed.stream;
        } else if (hasBody) {
          // Read before us: hand the handler what the parser kept (its size limit applies to
          // those bytes), or an empty body when it kept nothing — never wait for a drained stream.
          const parsed = parsedBodyOf(framework) ?? new Uint8Array(0);
          headers.set('content-length', String(parsed.byteLength));
          headers.delete('transfer-encoding');
          headers.delete('content-encoding');
          body = parsed as Uint8Array<ArrayBuffer>;
        }
        request = new Request(new URL(`${url.pathname}${url.search}`, origin), {
          method,
          headers,
          ...(body === undefined ? {} : { body, duplex: 'half' }),
        } as RequestInit);
      } catch {
        fail(res, 400, 'invalid-request', 'the request line or headers cannot be read');
        req.resume();
        return;
      }
      let response: Response;
      try {
        response = await handler(request);
      } catch {
        fail(res, 500, 'internal', 'internal error; the request may be retried later');
        return;
      }
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name] = value;
      });
      const unread = !finished() && !req.complete;
      if (unread) headers['connection'] = 'close';
      const payload = response.body ? new Uint8Array(await response.arrayBuffer()) : undefined;
      res.writeHead(response.status, headers);
      res.end(payload);
      if (unread) {
        // Discard (never buffer) what the client is still sending; the socket closes after the answer.
        req.resume();
      }
    })().catch(() => {
      fail(res, 500, 'internal', 'internal error; the request may be retried later');
    });
}
