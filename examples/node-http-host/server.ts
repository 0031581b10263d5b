/**
 * A small host service: the journey REST API on node:http with in-memory adapters.
 *
 *   npx tsx examples/node-http-host/server.ts        # PORT=3000 by default
 *   curl -X POST localhost:3000/api/v1/journeys -H 'content-type: application/json' \
 *        --data @examples/journeys/loan-nurture.json
 */
import { createServer } from 'node:http';
import { createEngine, memoryStorage, systemClock } from '../../src/index.js';
import { createHttpHandler, toNodeListener } from '../../src/adapters/http/index.js';
import { memoryProfiles, scriptedDecisions } from '../../src/testing.js';

const engine = createEngine({
  storage: memoryStorage(),
  clock: systemClock(),
  // Your decision flows, channels and customer store go here; these are stand-ins.
  decisions: scriptedDecisions({ df_personal_loans: [{ id: 'loan_a', apr: 7.9 }] }),
  channels: {
    async send(request) {
      console.log(`send ${request.channelId} to ${request.customer.id} [${request.idempotencyKey}]`);
    },
  },
  profiles: memoryProfiles([{ id: 'c1', segments: ['loan_interested'] }]),
  onError: (error) => console.error('worker:', error),
});

const handler = createHttpHandler(engine, {
  // One tenant per API key; no key → 401. Replace with your own authentication.
  resolveTenant: (request) => (request.headers.get('x-api-key') === null ? 'default' : `tenant:${request.headers.get('x-api-key')}`),
  limits: { maxBodyBytes: 512 * 1024 },
  onError: (error) => console.error('internal error:', error),
});

const server = createServer(toNodeListener(handler));
const port = Number(process.env['PORT'] ?? 3000);
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`journeys API on http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}/api/v1`);
});
engine.start({ pollMs: 500 });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void engine.close().then(() => process.exit(0));
  });
}
