/**
 * `toNodeListener`: mount a fetch-style handler on `node:http`. The request body is streamed
 * to the handler as it arrives (with backpressure), so the handler's size limit stops the read
 * at the limit instead of after buffering everything. No import of `node:http`, not even of its
 * types (see node-http.ts).
 */
import type { NodeRequest as IncomingMessage, NodeResponse as ServerResponse } from './node-http.js';
import type { HttpHandler } from './http-handler.js';

/** A `node:http` request listener. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

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
 * Adapt a fetch-style handler (such as {@link createHttpHandler}'s) to `node:http`.
 * When the handler answers before reading the whole body (a 413, a 404), the connection is
 * closed after the answer instead of reading the rest.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * createServer(toNodeListener(createHttpHandler(engine))).listen(3000);
 * ```
 */
export function toNodeListener(handler: HttpHandler): NodeListener {
  return (req, res) => {
    void (async () => {
      let request: Request;
      let finished = () => true;
      try {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const host = req.headers.host;
        let origin = 'http://localhost';
        try {
          if (host) origin = new URL(`http://${host}`).origin;
        } catch {
          // An unparsable Host header: keep localhost (only the path and query are routed).
        }
        const method = req.method ?? 'GET';
        const hasBody = method !== 'GET' && method !== 'HEAD';
        const body = hasBody ? bodyOf(req) : undefined;
        if (body) finished = body.finished;
        request = new Request(new URL(`${url.pathname}${url.search}`, origin), {
          method,
          headers: headersOf(req),
          ...(body ? { body: body.stream, duplex: 'half' } : {}),
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
  };
}
