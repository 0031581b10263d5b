/**
 * The slice of `node:http`'s request and response that `toNodeListener` uses, declared here so
 * that `journey-engine/http`'s types never import `node:http`: a strict TypeScript host compiles
 * without `@types/node` (a Deno, Bun or workers host that only uses `createHttpHandler`), as the
 * Postgres adapter does for `pg`. Node's `IncomingMessage` and `ServerResponse` fit (and so do
 * framework requests built on them); the tests mount the listener on a real `node:http` server.
 */

/** What the listener reads from a request: `IncomingMessage`'s line, headers and body events. */
export interface NodeRequest {
  readonly url?: string | undefined;
  readonly method?: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Whether the whole body has been received. */
  readonly complete: boolean;
  /** Whether the body stream has been read to its end (by us, or by a body parser before us). */
  readonly readableEnded?: boolean;
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** What the listener writes to a response: `ServerResponse`'s head and body. */
export interface NodeResponse {
  readonly headersSent: boolean;
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body?: Uint8Array | string): unknown;
  destroy(): unknown;
}
