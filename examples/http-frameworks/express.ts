import express from 'express';
import { toNodeListener, type HttpHandler } from '../../src/adapters/http/index.js';

/** Express 5: the API mounted at /api/v1 (it routes on `req.originalUrl`, so keep basePath '/api/v1'). */
export function expressApp(handler: HttpHandler): express.Express {
  const app = express();
  app.use('/api/v1', toNodeListener(handler));
  return app;
}

/** Express 5 with `express.json()` in front: the handler reuses the parsed `req.body`. */
export function expressAppWithJson(handler: HttpHandler): express.Express {
  const app = express();
  app.use(express.json({ limit: '1mb' })); // express.json's default limit is 100 kB
  app.use('/api/v1', toNodeListener(handler));
  return app;
}
