import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import { toNodeListener, type HttpHandler } from '../../src/adapters/http/index.js';

/** Koa 3 behind `@koa/bodyparser`: `patchNode` puts the parsed body on `ctx.req`, where the listener finds it. */
export function koaApp(handler: HttpHandler): Koa {
  const app = new Koa();
  app.use(bodyParser({ patchNode: true }));
  const listener = toNodeListener(handler);
  app.use(async (ctx, next) => {
    if (ctx.path !== '/api/v1' && !ctx.path.startsWith('/api/v1/')) return next();
    ctx.respond = false; // the listener writes the answer
    await listener(ctx.req, ctx.res);
  });
  return app;
}
