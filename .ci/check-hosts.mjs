// From the installed tarball: the REST handler on node:http, and in Express behind express.json()
// under a mount path (app.use('/api/v1', …)), both from import and from require. Each request is
// bounded by a timeout, so a hang (a body parser that drained the stream) fails instead of waiting.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import express from 'express';
import * as esm from 'journey-engine';
import * as esmHttp from 'journey-engine/http';

const require = createRequire(import.meta.url);
const cjs = require('journey-engine');
const cjsHttp = require('journey-engine/http');
const doc = { name: 'x', maxDuration: 1, steps: [{ id: 'w', type: 'wait', config: { duration: 1, unit: 'hours' } }] };

async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${server.address().port}/api/v1`;
}

async function call(base, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, body: await res.json() };
}

async function probe(label, base) {
  const created = await call(base, 'POST', '/journeys', doc);
  const invalid = await call(base, 'POST', '/journeys', { name: 1 });
  const put = await call(base, 'PUT', `/journeys/${created.body.id}`, { name: 'renamed' });
  const missing = await call(base, 'POST', '/journeys/nope/enroll', { customerId: 'c1' });
  const got = [created.status, invalid.status, invalid.body.error?.code, put.status, put.body.name, missing.status];
  const want = [201, 400, 'invalid-journey', 200, 'renamed', 404];
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${label}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

for (const [format, core, http] of [['import', esm, esmHttp], ['require', cjs, cjsHttp]]) {
  const engine = () => core.createEngine({ storage: core.memoryStorage(), clock: core.virtualClock(0) });
  const plain = createServer(http.toNodeListener(http.createHttpHandler(engine(), { basePath: '/api/v1' })));
  const app = express();
  app.use(express.json());
  app.use('/api/v1', http.toNodeListener(http.createHttpHandler(engine(), { basePath: '/api/v1' })));
  const mounted = createServer(app);
  try {
    await probe(`${format}, node:http`, await listen(plain));
    await probe(`${format}, Express behind express.json() under app.use('/api/v1')`, await listen(mounted));
  } finally {
    plain.close();
    mounted.close();
  }
}
console.log('hosts: node:http and Express (express.json(), mounted at /api/v1) answer alike from import and require: ok');
