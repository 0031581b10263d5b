/**
 * Send policies with real PostgreSQL worker processes (docs/send-policies.md):
 * - a cap of one holds with 4 workers racing 1,000 customers who are each in 3 journeys
 *   (counted from the effect log: never more than one send per customer per window);
 * - a rate limit of 200/s over 4 workers, measured from the send timestamps (no 1-second window
 *   above the limit);
 * - SIGKILL while sends are deferred (by a cap and by quiet hours) loses nothing and repeats no key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresStorage } from '../../src/adapters/postgres/index.js';
import type { SendPolicy } from '../../src/model/send-policy.js';
import type { WorkerConfig } from './crash-worker.js';
import { PG_SKIP_REASON, PG_URL, enrollCustomers, freshSchema, killLoop, readLines, sharedClock, spawnWorker, tally, workerBundle, type Worker } from './durability-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'je-policy-'));
let bundle: string;
beforeAll(async () => {
  if (PG_URL) bundle = await workerBundle();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

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

/** A Postgres worker's config on `schema`, logging its sends to `logs`; `over` changes the defaults. */
function workerConfig(
  schema: string,
  clock: { readonly epoch: number; readonly t0: number },
  logs: { readonly sendLog: string; readonly sendTimesLog: string },
  over: Partial<WorkerConfig>,
): (workerId: string) => WorkerConfig {
  return (workerId) => ({
    storage: { kind: 'pg', url: PG_URL!, schema },
    workerId,
    ...logs,
    epoch: clock.epoch,
    t0: clock.t0,
    factor: 1,
    leaseMs: 30_000,
    batch: 20,
    sendDelayMs: 0,
    ...over,
  });
}

async function finished(worker: Worker, label: string): Promise<void> {
  const { code, signal } = await worker.exited;
  if (code !== 0) throw new Error(`${label} exited with ${code ?? signal}: ${worker.stderr.join('')}`);
}

/** The send effects of a schema with their customer: `{ customer, key, at }`. */
async function sendEffects(pool: pg.Pool, schema: string): Promise<{ customer: string; key: string; at: number }[]> {
  const { rows } = await pool.query(
    `SELECT e.customer_id, f.idempotency_key, f.at FROM "${schema}".je_effects f JOIN "${schema}".je_enrollments e ON e.id = f.enrollment_id WHERE f.type = 'send'`,
  );
  return rows.map((r) => ({ customer: String(r.customer_id), key: String(r.idempotency_key), at: Number(r.at) }));
}

/** The most instants of `times` (sorted) inside any half-open window `[t, t + width)`. */
function busiestWindow(times: readonly number[], width: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let lo = 0, hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= width) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** The most sends of one customer inside any rolling window of `width`. */
function mostPerCustomer(sends: readonly { customer: string; at: number }[], width: number): number {
  const byCustomer = new Map<string, number[]>();
  for (const s of sends) byCustomer.set(s.customer, [...(byCustomer.get(s.customer) ?? []), s.at]);
  let most = 0;
  for (const times of byCustomer.values()) most = Math.max(most, busiestWindow(times, width));
  return most;
}

describe('send policies on Postgres (worker processes)', () => {
  it('a cap of one holds with 4 workers racing 1,000 customers who are each in 3 journeys', async (ctx) => {
    if (!PG_URL) return ctx.skip(PG_SKIP_REASON);
    await withSchema('cap', async ({ pool, schema }) => {
      const N = 1000;
      const clock = sharedClock(1);
      const storage = postgresStorage({ pool, schema });
      const journeys = [];
      for (const j of [0, 1, 2]) journeys.push(await enrollCustomers(storage, clock, [{ id: `send${j}`, type: 'send', config: { channelId: j === 2 ? 'ch_sms' : 'ch_email' } }], N, 2));
      const policy: SendPolicy = { caps: [{ max: 1, per: { duration: 1, unit: 'days' } }] };
      const sendLog = join(dir, 'cap-sends.log');
      const sendTimesLog = join(dir, 'cap-times.log');
      const config = workerConfig(schema, clock, { sendLog, sendTimesLog }, { sendPolicy: policy, exitWhenIdle: true });
      const workers = ['w1', 'w2', 'w3', 'w4'].map((id) => spawnWorker(bundle, config(id)));
      await Promise.all(workers.map((w, i) => finished(w, `worker ${i + 1}`)));

      const effects = await sendEffects(pool, schema);
      const deliveries = readLines(sendTimesLog).map((l) => l.split(' ')[0]!);
      const perCustomer = tally(effects.map((e) => e.customer));
      console.log(`[policy cap] ${3 * N} enrollments, 4 workers: send effects ${effects.length}, deliveries ${deliveries.length}, customers served ${perCustomer.size}`);
      // Counted from the effect log: one send per customer in the day, never more.
      expect(mostPerCustomer(effects, DAY)).toBe(1);
      expect(perCustomer.size).toBe(N);
      expect(effects.length).toBe(N);
      // The channel saw no more than that either, and the other two enrollments of each customer wait, deferred.
      expect(Math.max(...tally(deliveries).values())).toBe(1);
      const { rows } = await pool.query(`SELECT count(*) AS n, min(wake_at) AS first FROM "${schema}".je_enrollments WHERE status = 'active' AND phase = 'effect'`);
      expect(Number(rows[0].n)).toBe(2 * N);
      expect(Number(rows[0].first)).toBeGreaterThan(clock.t0 + DAY - HOUR);
    });
  }, 180_000);

  it('a rate limit of 200/s over 4 workers: no 1-second window of send timestamps above it', async (ctx) => {
    if (!PG_URL) return ctx.skip(PG_SKIP_REASON);
    await withSchema('rate', async ({ pool, schema }) => {
      const N = 1200;
      const clock = sharedClock(1);
      const storage = postgresStorage({ pool, schema });
      const { enrollmentIds } = await enrollCustomers(storage, clock, [{ id: 'sms', type: 'send', config: { channelId: 'ch_sms' } }], N, 2);
      const sendLog = join(dir, 'rate-sends.log');
      const sendTimesLog = join(dir, 'rate-times.log');
      const config = workerConfig(schema, clock, { sendLog, sendTimesLog }, { idleMs: 5, sendPolicy: { rateLimits: [{ channelId: 'ch_sms', perSecond: 200 }] } });
      const started = Date.now();
      const workers = ['w1', 'w2', 'w3', 'w4'].map((id) => spawnWorker(bundle, config(id)));
      await Promise.all(workers.map((w, i) => finished(w, `worker ${i + 1}`)));
      const tookMs = Date.now() - started;

      const sends = readLines(sendTimesLog).map((l) => l.split(' '));
      const times = sends.map((s) => Number(s[2]));
      const busiest = busiestWindow(times, 1000);
      console.log(`[policy rate] ${N} sends at 200/s over 4 workers in ${tookMs} ms; busiest 1-second window: ${busiest}`);
      expect(new Set(sends.map((s) => s[1])).size).toBe(N);
      expect(new Set(sends.map((s) => s[1]))).toEqual(new Set(enrollmentIds.map((id) => `${id}:sms:1`)));
      expect(busiest).toBeLessThanOrEqual(200);
      // and the limit was used, not just respected: 1,200 sends need at least 6 seconds
      expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(5000);
    });
  }, 180_000);

  it('SIGKILL while sends are deferred (a cap, quiet hours) loses nothing and repeats no key', async (ctx) => {
    if (!PG_URL) return ctx.skip(PG_SKIP_REASON);
    await withSchema('defer', async ({ pool, schema }) => {
      const N = 300;
      // 1 real ms = 0.6 clock s; start at 20:50Z. Journey A sends, waits 5 minutes, sends again
      // (capped: two emails an hour) — deferred to 21:50, which is quiet (21:00–22:00 UTC), so
      // deferred again to 22:00. Journey B sends once at 20:50.
      const FACTOR = 600;
      const clock = { ...sharedClock(FACTOR) };
      const t0 = Date.UTC(2026, 2, 10, 20, 50);
      const shared = { epoch: clock.epoch, t0, now: () => t0 + (Date.now() - clock.epoch) * FACTOR };
      const storage = postgresStorage({ pool, schema });
      const a = await enrollCustomers(storage, shared, [
        { id: 'first', type: 'send', config: { channelId: 'ch_email' } },
        { id: 'pause', type: 'wait', config: { duration: 5, unit: 'minutes' } },
        { id: 'second', type: 'send', config: { channelId: 'ch_email' } },
      ], N, 2);
      const b = await enrollCustomers(storage, shared, [{ id: 'only', type: 'send', config: { channelId: 'ch_email' } }], N, 2);
      const policy: SendPolicy = {
        quietHours: { from: '21:00', to: '22:00', timeZone: 'UTC' },
        caps: [{ channelId: 'ch_email', max: 2, per: { duration: 1, unit: 'hours' } }],
      };
      const sendLog = join(dir, 'defer-sends.log');
      const sendTimesLog = join(dir, 'defer-times.log');
      const config = workerConfig(schema, { epoch: clock.epoch, t0 }, { sendLog, sendTimesLog }, { factor: FACTOR, leaseMs: 100 * FACTOR, batch: 10, sendDelayMs: 2, sendPolicy: policy });
      const loops = ['k1', 'k2'].map((id) => {
        let n = 0;
        return killLoop(() => spawnWorker(bundle, config(`${id}-${++n}`)), { kills: 12, minDelayMs: 100, maxDelayMs: 600, finishTimeoutMs: 90_000 });
      });
      const counts = await Promise.all(loops);

      const expected = new Set([...a.enrollmentIds.flatMap((id) => [`${id}:first:1`, `${id}:second:1`]), ...b.enrollmentIds.map((id) => `${id}:only:1`)]);
      const effects = await sendEffects(pool, schema);
      const delivered = tally(readLines(sendLog));
      const { rows } = await pool.query(`SELECT status, count(*) AS n FROM "${schema}".je_enrollments GROUP BY status`);
      const { rows: deferred } = await pool.query(`SELECT metric, sum(count) AS n FROM "${schema}".je_counters WHERE metric LIKE 'noted:deferred:%' GROUP BY metric`);
      console.log(`[policy crash] kills ${counts.map((c) => c.kills).join('+')}, deliveries ${[...delivered.values()].reduce((x, y) => x + y, 0)} (distinct ${delivered.size}), effects ${effects.length}, deferred ${JSON.stringify(Object.fromEntries(deferred.map((r) => [r.metric, Number(r.n)])))}`);
      // Nothing lost: every enrollment completed, every expected send is in the effect log once.
      expect(Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))).toEqual({ completed: 2 * N });
      expect(effects.length).toBe(expected.size);
      expect(new Set(effects.map((e) => e.key))).toEqual(expected);
      // No new key: the channel saw only the expected keys (a redelivery after a kill reuses its key).
      expect([...delivered.keys()].filter((k) => !expected.has(k))).toEqual([]);
      expect([...expected].filter((k) => !delivered.has(k))).toEqual([]);
      // The deferrals happened, and the policy held through the kills.
      const metrics = Object.fromEntries(deferred.map((r) => [String(r.metric), Number(r.n)]));
      // (How many of each depends on the pace under the kills: a send late past 21:00 meets quiet hours first.)
      expect(metrics['noted:deferred:cap']).toBeGreaterThan(0);
      expect(metrics['noted:deferred:quiet-hours']).toBeGreaterThan(0);
      // The cap, from what the channel saw: each key's first delivery (a redelivery after a kill
      // carries the same key, which the channel deduplicates). The effect log's instant of a send
      // replayed after a kill is when the replay committed, so it is not the delivery time.
      const first = new Map<string, { customer: string; at: number }>();
      for (const [customer, key, at] of readLines(sendTimesLog).map((l) => l.split(' '))) if (!first.has(key!)) first.set(key!, { customer: customer!, at: Number(at) });
      expect(first.size).toBe(expected.size);
      // Windows are counted at each slot's instant, just before the channel call; the channel logs
      // a moment later (the journey-status read, the send's own delay). On this clock (600× real
      // time) a loaded machine's 100 ms is a clock minute: allow 3 clock minutes (300 real ms).
      expect(mostPerCustomer([...first.values()], HOUR - 3 * 60_000)).toBeLessThanOrEqual(2);
      // No send inside quiet hours (a send that passed the gate at 20:59:59 reaches the channel a
      // few clock seconds later, well inside this margin).
      const MARGIN = 30_000;
      for (const e of first.values()) {
        const sinceNine = (e.at - Date.UTC(2026, 2, 10, 21)) % DAY;
        expect(sinceNine < MARGIN || sinceNine >= HOUR, `${e.customer} sent at ${new Date(e.at).toISOString()}`).toBe(true);
      }
    });
  }, 240_000);
});
