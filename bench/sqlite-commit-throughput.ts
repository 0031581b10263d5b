/**
 * Micro-benchmark: durable steps per second on SQLite storage (a "step" = one commit of an
 * advance with an effect record and two counters), in a temp file, WAL, synchronous=NORMAL.
 *
 *   npx tsx bench/sqlite-commit-throughput.ts [enrollments=20000] [synchronous=normal|full]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sqliteStorage } from '../src/adapters/sqlite/index.js';
import type { Enrollment } from '../src/runtime/types.js';

const n = Number(process.argv[2] ?? 20_000);
const synchronous = (process.argv[3] ?? 'normal') as 'normal' | 'full';
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'je-bench-'));
import Database from 'better-sqlite3';
const database = new Database(process.env.BENCH_MEMORY ? ':memory:' : join(dir, 'bench.db'));
const storage = sqliteStorage({ database, synchronous });
for (const p of (process.env.BENCH_PRAGMAS ?? '').split(';').filter(Boolean)) database.pragma(p);
await storage.init();
await storage.createJourney({
  id: 'j1', tenantId: 't', name: 'bench', description: '', status: 'active', maxDuration: 30,
  steps: [{ id: 'send1', type: 'send', config: { channelId: 'email' } }], entryConditions: {},
  version: 1, revision: 1, createdAt: 0, updatedAt: 0,
});
const base = (i: number): Enrollment => ({
  id: `e${i}`, tenantId: 't', journeyId: 'j1', journeyVersion: 1, customerId: `c${i}`, status: 'active',
  stepId: 'send1', phase: 'ready', visits: { send1: 1 }, results: {}, flags: {}, outcomes: [], latestOutcome: null,
  lastSendAt: null, sends: [], attempts: 0, lastError: null, context: { plan: 'pro' }, enteredAt: 0, deadline: 1e12,
  wakeAt: 1, endedAt: null, exitReason: null, version: 1, updatedAt: 0,
});
let t = performance.now();
for (let i = 0; i < n; i++) await storage.createEnrollment(base(i), [{ journeyId: 'j1', stepId: 'send1', metric: 'entered' }]);
const createMs = performance.now() - t;

t = performance.now();
let steps = 0;
let claimMs = 0;
for (;;) {
  const c0 = performance.now();
  const claims = await storage.claimDue({ now: 10, limit: 200, leaseMs: 30_000, workerId: 'w' });
  claimMs += performance.now() - c0;
  if (claims.length === 0) break;
  for (const { enrollment: e, token } of claims) {
    const result = await storage.commit({
      enrollment: { ...e, version: e.version + 1, lastSendAt: 10, wakeAt: 1_000_000, phase: 'waiting', updatedAt: 10 },
      expectedVersion: e.version, token, release: true, now: 10,
      effects: [{ idempotencyKey: `${e.id}:send1:1`, tenantId: 't', journeyId: 'j1', enrollmentId: e.id, stepId: 'send1', visit: 1, type: 'send', at: 10, detail: { messageId: `m-${e.id}` } }],
      counters: [{ journeyId: 'j1', stepId: 'send1', metric: 'completed' }, { journeyId: 'j1', stepId: 'send1', metric: 'entered' }],
    });
    if (result !== 'ok') throw new Error(result);
    steps += 1;
  }
}
const stepMs = performance.now() - t;
await storage.close();
database.close();
rmSync(dir, { recursive: true, force: true });
console.log(`sqlite synchronous=${synchronous}: ${n} enrollments`);
console.log(`  createEnrollment: ${Math.round(n / (createMs / 1000))}/s`);
console.log(`  claim+commit steps: ${Math.round(steps / (stepMs / 1000))}/s (claimDue share ${Math.round((claimMs / stepMs) * 100)}%)`);
