/**
 * Concurrency on Postgres with real processes:
 * - 4 workers over 10,000 due enrollments (decide → send → update): every step visit is committed
 *   exactly once (effect log, step counters, commit results, enrollment versions).
 * - A worker paused (SIGSTOP) in the middle of a claim, past its lease, while others re-claim and
 *   finish its enrollments: once resumed (SIGCONT), every one of its late commits is refused.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresStorage } from '../../src/adapters/postgres/index.js';
import type { WorkerConfig } from './crash-worker.js';
import { PG_SKIP_REASON, PG_URL, enrollCustomers, freshSchema, readLines, sharedClock, sleep, spawnWorker, tally, workerBundle, type Worker } from './durability-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'je-concurrency-'));
let bundle: string;
beforeAll(async () => {
  if (PG_URL) bundle = await workerBundle();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DECIDE_SEND_UPDATE = [
  { id: 'decide', type: 'decide', config: { decisionFlowId: 'df_offers' } },
  { id: 'send', type: 'send', config: { channelId: 'email', resultSource: 'decide' } },
  { id: 'update', type: 'update', config: { operations: [{ type: 'set_attribute', key: 'nurtured', value: true }] } },
];
const SEND_UPDATE = [
  { id: 'send', type: 'send', config: { channelId: 'email' } },
  { id: 'update', type: 'update', config: { operations: [{ type: 'set_attribute', key: 'nurtured', value: true }] } },
];

/** A fresh schema on the server for one test, dropped afterwards. */
async function withSchema(label: string, body: (ctx: { pool: pg.Pool; schema: string }) => Promise<void>): Promise<void> {
  const schema = freshSchema(label);
  const pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
  pool.on('error', () => {});
  try {
    await body({ pool, schema });
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
}

/** Whether process `pid` is stopped (SIGSTOP), from /proc; true where there is no /proc to ask. */
function isStopped(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync('/proc/self/stat')) return true;
  // `pid (comm) S …`: the state follows the last ')'.
  return readFileSync(stat, 'utf8').replace(/^.*\) /s, '').startsWith('T');
}

/** Polls `done` every 20 ms for up to 20 s. */
async function until(done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 20_000; !done() && Date.now() < deadline; ) await sleep(20);
  expect(done()).toBe(true);
}

async function finished(worker: Worker, label: string): Promise<void> {
  const { code, signal } = await worker.exited;
  if (code !== 0) throw new Error(`${label} exited with ${code ?? signal}: ${worker.stderr.join('')}`);
}

/** Step counters of a schema as `step/metric → count` (summed over shards). */
async function counters(pool: pg.Pool, schema: string): Promise<Record<string, number>> {
  const { rows } = await pool.query(`SELECT step_id, metric, sum(count) AS count FROM "${schema}".je_counters GROUP BY step_id, metric`);
  return Object.fromEntries(rows.map((r) => [`${r.step_id}/${r.metric}`, Number(r.count)]));
}

async function effectKeys(pool: pg.Pool, schema: string): Promise<string[]> {
  const { rows } = await pool.query(`SELECT idempotency_key FROM "${schema}".je_effects`);
  return rows.map((r) => String(r.idempotency_key));
}

async function versions(pool: pg.Pool, schema: string): Promise<Record<string, number>> {
  const { rows } = await pool.query(`SELECT status, version, count(*) AS n FROM "${schema}".je_enrollments GROUP BY status, version`);
  return Object.fromEntries(rows.map((r) => [`${r.status}@v${r.version}`, Number(r.n)]));
}

describe('concurrency on Postgres (worker processes)', () => {
  it('4 workers over 10,000 due enrollments commit every step visit exactly once', async (ctx) => {
    if (!PG_URL) return ctx.skip(PG_SKIP_REASON);
    await withSchema('conc', async ({ pool, schema }) => {
      const N = 10_000;
      const clock = sharedClock(1);
      const storage = postgresStorage({ pool, schema });
      const t0 = Date.now();
      const { enrollmentIds } = await enrollCustomers(storage, clock, DECIDE_SEND_UPDATE, N, 4);
      const enrollMs = Date.now() - t0;
      const sendLog = join(dir, 'conc-sends.log');
      const commitLog = join(dir, 'conc-commits.log');
      const config = (workerId: string): WorkerConfig => ({
        storage: { kind: 'pg', url: PG_URL!, schema },
        workerId,
        sendLog,
        commitLog,
        epoch: clock.epoch,
        t0: clock.t0,
        factor: 1,
        leaseMs: 30_000,
        batch: 20,
        sendDelayMs: 0,
      });
      const t1 = Date.now();
      const workers = ['w1', 'w2', 'w3', 'w4'].map((id) => spawnWorker(bundle, config(id)));
      await Promise.all(workers.map((w, i) => finished(w, `worker ${i + 1}`)));
      const runMs = Date.now() - t1;

      const commits = readLines(commitLog).map((l) => l.split(' '));
      const okByWorker = tally(commits.filter((c) => c[3] === 'ok').map((c) => c[0]!));
      const results = tally(commits.map((c) => c[3]!));
      const keys = await effectKeys(pool, schema);
      const deliveries = readLines(sendLog);
      console.log(
        `[concurrency] ${N} enrollments (enrolled in ${enrollMs} ms), 4 workers in ${runMs} ms: ` +
          `commits ${JSON.stringify(Object.fromEntries(results))}, ok per worker ${JSON.stringify(Object.fromEntries(okByWorker))}, ` +
          `effects ${keys.length} (distinct ${new Set(keys).size}), sends ${deliveries.length} (distinct ${new Set(deliveries).size})`,
      );

      const expected = new Set(enrollmentIds.flatMap((id) => [`${id}:decide:1`, `${id}:send:1`, `${id}:update:1`]));
      expect(keys.length).toBe(3 * N);
      expect(new Set(keys)).toEqual(expected);
      // One successful commit per step visit (decide, send, update), and every worker took part.
      expect(results.get('ok')).toBe(3 * N);
      expect(okByWorker.size).toBe(4);
      // Each enrollment was written exactly three times after creation (version 1 → 4).
      expect(await versions(pool, schema)).toEqual({ 'completed@v4': N });
      expect(await counters(pool, schema)).toEqual({
        '$journey/completed': N,
        'decide/completed': N,
        'decide/entered': N,
        'send/completed': N,
        'send/entered': N,
        'update/completed': N,
        'update/entered': N,
      });
      // No claim was handed to two workers: every customer got exactly one message.
      expect(deliveries.length).toBe(N);
      expect(new Set(deliveries).size).toBe(N);
    });
  }, 180_000);

  it('a worker paused past its lease has every late commit refused, and nothing is committed twice', async (ctx) => {
    if (!PG_URL) return ctx.skip(PG_SKIP_REASON);
    await withSchema('pause', async ({ pool, schema }) => {
      const N = 200;
      const BATCH = 10;
      const clock = sharedClock(1);
      const storage = postgresStorage({ pool, schema });
      const { enrollmentIds } = await enrollCustomers(storage, clock, SEND_UPDATE, N);
      const sendLog = join(dir, 'pause-sends.log');
      const commitLog = join(dir, 'pause-commits.log');
      const config = (workerId: string, over: Partial<WorkerConfig>): WorkerConfig => ({
        storage: { kind: 'pg', url: PG_URL!, schema },
        workerId,
        sendLog,
        commitLog,
        epoch: clock.epoch,
        t0: clock.t0,
        factor: 1,
        leaseMs: 1000,
        batch: BATCH,
        sendDelayMs: 0,
        announceSends: true,
        ...over,
      });

      // The slow worker claims a batch and stops itself (SIGSTOP) in the middle of its first send, once
      // the sends started with it have started: a stop the test sends on reading `sending` could land
      // after a send finished (the machine busy for 300 ms) and let it commit.
      const slow = spawnWorker(bundle, config('slow', { sendDelayMs: 300, pauseInSend: true }));
      const pausedLine = slow.waitFor(/^paused$/);
      const firstSend = await slow.waitFor(/^sending /);
      await pausedLine;
      await until(() => isStopped(slow.child.pid!));
      const stoppedAt = Date.now();
      expect(readLines(commitLog)).toEqual([]); // it holds claims and has committed nothing

      // Two workers finish everything, re-claiming the slow one's enrollments once its lease ran out.
      // Their own leases are long: a busy machine stalling one of them cannot make the other re-send
      // its claims, so every repeated send below is the paused worker's.
      const others = [spawnWorker(bundle, config('fast1', { leaseMs: 30_000 })), spawnWorker(bundle, config('fast2', { leaseMs: 30_000 }))];
      await Promise.all(others.map((w, i) => finished(w, `fast worker ${i + 1}`)));
      const pausedMs = Date.now() - stoppedAt;
      const beforeResume = readLines(commitLog).length;

      const sendsStarted = () => slow.stdout.filter((l) => l.startsWith('sending ')).length;
      const startedBeforeResume = sendsStarted();
      slow.child.kill('SIGCONT');
      await finished(slow, 'the paused worker');

      const commits = readLines(commitLog).map((l) => l.split(' '));
      const late = commits.filter((c) => c[0] === 'slow');
      const lateResults = tally(late.map((c) => c[3]!));
      const deliveries = readLines(sendLog);
      const redelivered = [...tally(deliveries)].filter(([, n]) => n > 1).length;
      console.log(
        `[paused worker] stopped at "${firstSend}" for ${pausedMs} ms (lease 1000 ms); ${beforeResume} commits by others meanwhile; ` +
          `its late commits: ${JSON.stringify(Object.fromEntries(lateResults))}; redelivered sends (same key) ${redelivered}; ` +
          `sends it started before the stop ${startedBeforeResume}, after waking ${sendsStarted() - startedBeforeResume}`,
      );

      // Woken past its lease, it started no further send: it repeats only what was in flight. (It stopped itself
      // between turns, after the sends of its batch had started: no claim sat between its lease check and its port
      // call, where a stop from outside can land — a claim there would still send on waking, under its original key.)
      expect(sendsStarted()).toBe(startedBeforeResume);
      const startedKeys = slow.stdout.filter((l) => l.startsWith('sending ')).map((l) => l.slice('sending '.length));
      expect(new Set(startedKeys).size).toBe(startedKeys.length);
      expect(startedKeys.length).toBeLessThanOrEqual(BATCH);
      expect(redelivered).toBeLessThanOrEqual(startedKeys.length);
      // Every commit the paused worker made after waking up was refused.
      expect(late.length).toBeGreaterThanOrEqual(1);
      expect(late.every((c) => c[3] === 'fenced' || c[3] === 'conflict')).toBe(true);
      expect(lateResults.get('fenced')).toBeGreaterThanOrEqual(1);
      // Storage shows each step committed once: versions, effect log, counters.
      expect(await versions(pool, schema)).toEqual({ 'completed@v3': N });
      const keys = await effectKeys(pool, schema);
      expect(keys.length).toBe(2 * N);
      expect(new Set(keys)).toEqual(new Set(enrollmentIds.flatMap((id) => [`${id}:send:1`, `${id}:update:1`])));
      expect(tally(commits.filter((c) => c[3] === 'ok').map((c) => c[1]!)).size).toBe(N);
      expect(commits.filter((c) => c[3] === 'ok').length).toBe(2 * N);
      expect(await counters(pool, schema)).toEqual({
        '$journey/completed': N,
        'send/completed': N,
        'send/entered': N,
        'update/completed': N,
        'update/entered': N,
      });
    });
  }, 120_000);
});
