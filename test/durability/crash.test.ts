/**
 * Crash tests: worker processes are SIGKILLed at random moments, dozens of times, and restarted,
 * while 2,000 customers go through send → wait 1 minute → send. Afterwards nothing may be lost
 * (every enrollment completed, every send delivered) and nothing recorded twice (the effect log
 * and the step counters show each send once). A kill between a channel's delivery and the
 * engine's commit shows up as a redelivery with the same idempotency key — counted, allowed.
 *
 * The clock runs 30× real time (a 1-minute wait passes in 2 s) and the lease is 500 ms real.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresStorage } from '../../src/adapters/postgres/index.js';
import { sqliteStorage } from '../../src/adapters/sqlite/index.js';
import type { Storage } from '../../src/runtime/ports.js';
import type { WorkerConfig } from './crash-worker.js';
import {
  PG_SKIP_REASON,
  PG_URL,
  enrollCustomers,
  freshSchema,
  killLoop,
  readBack,
  readLines,
  sharedClock,
  spawnWorker,
  tally,
  workerBundle,
} from './durability-helpers.js';

const CUSTOMERS = 2000;
const FACTOR = 30;
const LEASE_REAL_MS = 500;
const STEPS = [
  { id: 'send1', type: 'send', config: { channelId: 'email' } },
  { id: 'wait', type: 'wait', config: { duration: 1, unit: 'minutes' } },
  { id: 'send2', type: 'send', config: { channelId: 'push' } },
];

const dir = mkdtempSync(join(tmpdir(), 'je-crash-'));
let bundle: string;
beforeAll(async () => {
  bundle = await workerBundle();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function check(label: string, storage: Storage, journeyId: string, enrollmentIds: string[], sendLog: string, counts: { kills: number; restarts: number; finishedEarly: number; killPhaseMs: number; finishMs: number }) {
  const expected = new Set(enrollmentIds.flatMap((id) => [`${id}:send1:1`, `${id}:send2:1`]));
  const deliveries = readLines(sendLog);
  const delivered = tally(deliveries);
  const duplicates = deliveries.length - delivered.size;
  const { byStatus, effectKeys, stats } = await readBack(storage, journeyId, enrollmentIds);

  console.log(
    `[crash ${label}] kills=${counts.kills} restarts=${counts.restarts} (worker had already finished at ${counts.finishedEarly}; kill phase ${counts.killPhaseMs} ms, then ${counts.finishMs} ms to finish) ` +
      `sends=${deliveries.length} distinct=${delivered.size} duplicate-deliveries=${duplicates} ` +
      `completed=${byStatus['completed']}/${enrollmentIds.length} active=${byStatus['active']} failed=${byStatus['failed']} effects=${effectKeys.length}`,
  );

  expect(counts.kills).toBeGreaterThanOrEqual(50);
  // Nothing lost or stuck.
  expect(byStatus).toEqual({ active: 0, completed: enrollmentIds.length, exited: 0, failed: 0 });
  // Every expected send delivered at least once, nothing else delivered.
  const missing = [...expected].filter((k) => !delivered.has(k));
  expect(missing).toEqual([]);
  expect([...delivered.keys()].filter((k) => !expected.has(k))).toEqual([]);
  // The effect log holds each send exactly once.
  expect(effectKeys.length).toBe(expected.size);
  expect(new Set(effectKeys)).toEqual(expected);
  // Each step visit was committed once: the counters count each step once per enrollment.
  for (const step of stats.steps) expect({ step: step.stepId, entered: step.entered, completed: step.completed }).toEqual({ step: step.stepId, entered: enrollmentIds.length, completed: enrollmentIds.length });
  expect(stats.completed).toBe(enrollmentIds.length);
}

describe('crash: SIGKILL at random moments', () => {
  it('SQLite: one worker killed and restarted 50+ times loses nothing and records nothing twice', async () => {
    const filename = join(dir, 'crash.db');
    const sendLog = join(dir, 'sqlite-sends.log');
    const clock = sharedClock(FACTOR);
    const storage = sqliteStorage({ filename });
    const { journeyId, enrollmentIds } = await enrollCustomers(storage, clock, STEPS, CUSTOMERS);
    await storage.close();

    const config: WorkerConfig = {
      storage: { kind: 'sqlite', filename },
      workerId: 'sqlite-worker',
      sendLog,
      epoch: clock.epoch,
      t0: clock.t0,
      factor: FACTOR,
      leaseMs: LEASE_REAL_MS * FACTOR,
      batch: 10,
      sendDelayMs: 3,
    };
    const counts = await killLoop(() => spawnWorker(bundle, config), { kills: 50, finishTimeoutMs: 90_000 });

    const after = sqliteStorage({ filename });
    try {
      await check('sqlite', after, journeyId, enrollmentIds, sendLog, counts);
    } finally {
      await after.close();
    }
  }, 180_000);

  it('Postgres: two workers, each killed and restarted independently, lose nothing and record nothing twice', async (ctx) => {
    if (!PG_URL) return ctx.skip(PG_SKIP_REASON);
    const schema = freshSchema('crash');
    const sendLog = join(dir, 'pg-sends.log');
    const pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
    pool.on('error', () => {});
    const storage = postgresStorage({ pool, schema });
    try {
      const clock = sharedClock(FACTOR);
      const { journeyId, enrollmentIds } = await enrollCustomers(storage, clock, STEPS, CUSTOMERS, 4);
      const config = (workerId: string): WorkerConfig => ({
        storage: { kind: 'pg', url: PG_URL!, schema },
        workerId,
        sendLog,
        epoch: clock.epoch,
        t0: clock.t0,
        factor: FACTOR,
        leaseMs: LEASE_REAL_MS * FACTOR,
        batch: 10,
        sendDelayMs: 3,
      });
      const [a, b] = await Promise.all([
        killLoop(() => spawnWorker(bundle, config('pg-a')), { kills: 25, finishTimeoutMs: 90_000 }),
        killLoop(() => spawnWorker(bundle, config('pg-b')), { kills: 25, finishTimeoutMs: 90_000 }),
      ]);
      const counts = {
        kills: a.kills + b.kills,
        restarts: a.restarts + b.restarts,
        finishedEarly: a.finishedEarly + b.finishedEarly,
        killPhaseMs: Math.max(a.killPhaseMs, b.killPhaseMs),
        finishMs: Math.max(a.killPhaseMs + a.finishMs, b.killPhaseMs + b.finishMs) - Math.max(a.killPhaseMs, b.killPhaseMs),
      };
      await check('postgres', storage, journeyId, enrollmentIds, sendLog, counts);
    } finally {
      await storage.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  }, 180_000);
});
