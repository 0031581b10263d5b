import { Hono } from 'hono';
import type { HttpHandler } from '../../src/adapters/http/index.js';

/** Hono 4 (any runtime; on Node with `@hono/node-server`): the handler is already fetch-style. */
export function honoApp(handler: HttpHandler): Hono {
  const app = new Hono();
  app.all('/api/v1/*', (c) => handler(c.req.raw));
  return app;
}
