/**
 * Send policies with real PostgreSQL worker processes (docs/send-policies.md):
 * - a cap of one holds with 4 workers racing 1,000 customers who are each in 3 journeys
 *   (counted from the effect log: never more than one send per customer per window);
 * - a rate limit of 200/s over 4 workers, measured from the instants the tokens were granted (no
 *   1-second window above the limit);
 * - SIGKILL while sends are deferred (by a cap and by quiet hours) loses nothing and repeats no key
 *   (the test sets the workers' clock, phase by phase, so the deferrals do not depend on the pace).
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresStorage } from '../../src/adapters/postgres/index.js';
import type { SendPolicy } from '../../src/model/send-policy.js';
import type { WorkerConfig } from './crash-worker.js';
import { PG_SKIP_REASON, PG_URL, enrollCustomers, freshSchema, killLoop, readLines, sharedClock, sleep, spawnWorker, tally, workerBundle, type Worker } from './durability-helpers.js';

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

  it('a rate limit of 200/s over 4 workers: no 1-second window of granted tokens above it', async (ctx) => {
    if (!PG_URL) return ctx.skip(PG_SKIP_REASON);
    await withSchema('rate', async ({ pool, schema }) => {
      const N = 1200;
      const clock = sharedClock(1);
      const storage = postgresStorage({ pool, schema });
      const { enrollmentIds } = await enrollCustomers(storage, clock, [{ id: 'sms', type: 'send', config: { channelId: 'ch_sms' } }], N, 2);
      const sendLog = join(dir, 'rate-sends.log');
      const sendTimesLog = join(dir, 'rate-times.log');
      const tokenLog = join(dir, 'rate-tokens.log');
      const config = workerConfig(schema, clock, { sendLog, sendTimesLog }, { idleMs: 5, tokenLog, sendPolicy: { rateLimits: [{ channelId: 'ch_sms', perSecond: 200 }] } });
      const started = Date.now();
      const workers = ['w1', 'w2', 'w3', 'w4'].map((id) => spawnWorker(bundle, config(id)));
      await Promise.all(workers.map((w, i) => finished(w, `worker ${i + 1}`)));
      const tookMs = Date.now() - started;

      const sends = readLines(sendTimesLog).map((l) => l.split(' '));
      const tokens = readLines(tokenLog).map(Number);
      const busiest = busiestWindow(tokens, 1000);
      const { rows: refusals } = await pool.query(`SELECT coalesce(sum(count), 0) AS n FROM "${schema}".je_counters WHERE metric = 'noted:deferred:rate-limit'`);
      console.log(
        `[policy rate] ${N} sends at 200/s over 4 workers in ${tookMs} ms; ${tokens.length} tokens granted, ${Number(refusals[0].n)} deferrals, busiest 1-second window: ${busiest} ` +
          `(of the channel's own timestamps, a little later each: ${busiestWindow(sends.map((s) => Number(s[2])), 1000)})`,
      );
      expect(new Set(sends.map((s) => s[1])).size).toBe(N);
      expect(new Set(sends.map((s) => s[1]))).toEqual(new Set(enrollmentIds.map((id) => `${id}:sms:1`)));
      // The limit holds where the engine keeps it, at the instant each token is granted (the
      // channel's clock reading comes a status read and a turn later, so on a busy machine a send
      // can be delayed more than the next one and two seconds' worth can look closer than 1 s).
      expect(busiest).toBeLessThanOrEqual(200);
      // Every send went through the limiter: a token of its own before each.
      expect(tokens.length).toBeGreaterThanOrEqual(N);
      // and the limit was used, not just respected: 1,200 tokens 5 ms apart span at least 5,995 ms
      expect(Math.max(...tokens) - Math.min(...tokens)).toBeGreaterThanOrEqual((N - 1) * (1000 / 200));
    });
  }, 180_000);

  it('SIGKILL while sends are deferred (a cap, quiet hours) loses nothing and repeats no key', async (ctx) => {
    if (!PG_URL) return ctx.skip(PG_SKIP_REASON);
    await withSchema('defer', async ({ pool, schema }) => {
      const N = 300;
      // Journey A sends, waits 20 minutes, sends again; journey B sends once. Email is capped at two
      // an hour, and 21:00–22:00 UTC is quiet. The test sets the clock (it runs at real speed
      // between its jumps), so what is deferred does not depend on the machine's pace:
      //   20:00  A's first sends and B's sends go (2N);
      //   20:30  A's second sends are due and capped (two in the hour), deferred to ~21:00;
      //   21:10  they are due again, in quiet hours: deferred to 22:00;
      //   22:10  they go (the hour before holds no send of theirs).
      // Two workers are SIGKILLed and restarted throughout, and a phase ends only once storage shows
      // all of its work committed — and, in the first three, each worker was killed at least twice
      // in it (work is left for them there; after the last phase there is none, and a worker that
      // finds nothing to do exits by itself, so the last phase's kills are counted, not required).
      const at = (h: number, m: number) => Date.UTC(2026, 2, 10, h, m);
      const clockFile = join(dir, 'defer-clock');
      const setClock = (instant: number) => {
        writeFileSync(`${clockFile}.tmp`, `${instant} ${Date.now()}`);
        renameSync(`${clockFile}.tmp`, clockFile);
      };
      const t0 = at(20, 0);
      setClock(t0);
      const setup = { now: () => t0 };
      const storage = postgresStorage({ pool, schema });
      const a = await enrollCustomers(storage, setup, [
        { id: 'first', type: 'send', config: { channelId: 'ch_email' } },
        { id: 'pause', type: 'wait', config: { duration: 20, unit: 'minutes' } },
        { id: 'second', type: 'send', config: { channelId: 'ch_email' } },
      ], N, 2);
      const b = await enrollCustomers(storage, setup, [{ id: 'only', type: 'send', config: { channelId: 'ch_email' } }], N, 2);
      const policy: SendPolicy = {
        quietHours: { from: '21:00', to: '22:00', timeZone: 'UTC' },
        caps: [{ channelId: 'ch_email', max: 2, per: { duration: 1, unit: 'hours' } }],
      };
      const sendLog = join(dir, 'defer-sends.log');
      const sendTimesLog = join(dir, 'defer-times.log');
      const config = workerConfig(schema, { epoch: 0, t0: 0 }, { sendLog, sendTimesLog }, { clockFile, leaseMs: 1_000, batch: 10, sendDelayMs: 2, sendPolicy: policy });
      let done = false;
      let lastPhaseKills = 0;
      const killsInPhase = [0, 0];
      const loops = ['k1', 'k2'].map((id, w) => {
        let n = 0;
        return killLoop(() => spawnWorker(bundle, config(`${id}-${++n}`)), {
          kills: 0,
          minDelayMs: 100,
          maxDelayMs: 600,
          finishTimeoutMs: 90_000,
          until: () => done,
          onKill: () => void (killsInPhase[w]! += 1),
        });
      });
      const count = async (sql: string) => Number((await pool.query(sql)).rows[0].n);
      const activeBefore = (instant: number) => count(`SELECT count(*) AS n FROM "${schema}".je_enrollments WHERE status = 'active' AND (wake_at IS NULL OR wake_at < ${instant})`);
      /** Wait until `settled` holds and each worker slot was killed `kills` times since the phase began. */
      const phase = async (label: string, settled: () => Promise<boolean>, kills = 2) => {
        killsInPhase.fill(0);
        const deadline = Date.now() + 80_000;
        while (!(killsInPhase.every((k) => k >= kills) && (await settled()))) {
          if (Date.now() > deadline) throw new Error(`phase ${label} did not settle in 80 s (kills in it ${killsInPhase.join('+')})`);
          await sleep(100);
        }
      };
      const sends = () => count(`SELECT count(*) AS n FROM "${schema}".je_effects WHERE type = 'send'`);
      try {
        await phase('20:00', async () => (await sends()) === 2 * N && (await activeBefore(at(20, 20))) === 0);
        setClock(at(20, 30));
        await phase('20:30', async () => (await activeBefore(at(21, 0))) === 0);
        setClock(at(21, 10));
        await phase('21:10', async () => (await activeBefore(at(22, 0))) === 0);
        setClock(at(22, 10));
        await phase('22:10', async () => (await count(`SELECT count(*) AS n FROM "${schema}".je_enrollments WHERE status = 'active'`)) === 0, 0);
        lastPhaseKills = killsInPhase.reduce((a, b) => a + b, 0);
      } catch (error) {
        done = true;
        await Promise.allSettled(loops);
        throw error;
      }
      done = true;
      const counts = await Promise.all(loops);

      const expected = new Set([...a.enrollmentIds.flatMap((id) => [`${id}:first:1`, `${id}:second:1`]), ...b.enrollmentIds.map((id) => `${id}:only:1`)]);
      const effects = await sendEffects(pool, schema);
      const delivered = tally(readLines(sendLog));
      const { rows } = await pool.query(`SELECT status, count(*) AS n FROM "${schema}".je_enrollments GROUP BY status`);
      const { rows: deferred } = await pool.query(`SELECT metric, sum(count) AS n FROM "${schema}".je_counters WHERE metric LIKE 'noted:deferred:%' GROUP BY metric`);
      console.log(`[policy crash] kills ${counts.map((c) => c.kills).join('+')} (${lastPhaseKills} in the last phase), deliveries ${[...delivered.values()].reduce((x, y) => x + y, 0)} (distinct ${delivered.size}), effects ${effects.length}, deferred ${JSON.stringify(Object.fromEntries(deferred.map((r) => [r.metric, Number(r.n)])))}`);
      // Nothing lost: every enrollment completed, every expected send is in the effect log once.
      expect(Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))).toEqual({ completed: 2 * N });
      expect(effects.length).toBe(expected.size);
      expect(new Set(effects.map((e) => e.key))).toEqual(expected);
      // No new key: the channel saw only the expected keys (a redelivery after a kill reuses its key).
      expect([...delivered.keys()].filter((k) => !expected.has(k))).toEqual([]);
      expect([...expected].filter((k) => !delivered.has(k))).toEqual([]);
      // The deferrals happened, each second send deferred once by the cap and once by quiet hours
      // (each deferral committed once, whatever the kills interrupted), and the policy held.
      const metrics = Object.fromEntries(deferred.map((r) => [String(r.metric), Number(r.n)]));
      expect(metrics).toEqual({ 'noted:deferred:cap': N, 'noted:deferred:quiet-hours': N });
      // Each delivery with the instant the delivering process's gate let its key go (its granted
      // slot's `now`, where quiet hours were checked too). The channel's own clock reading comes
      // later by a status read, the send's delay and a busy machine's stalls, so the gate's
      // instants are what the policy is held to.
      const deliveries = readLines(sendTimesLog).map((l) => l.split(' ')).map(([customer, key, at, gate]) => ({ customer: customer!, key: key!, at: Number(at), gate: Number(gate) }));
      // Every delivery (a redelivery after a kill too) passed the gate in the process that made it.
      expect(deliveries.filter((d) => !Number.isFinite(d.gate))).toEqual([]);
      // No send let go inside quiet hours (21:00–22:00 UTC).
      for (const d of deliveries) {
        const sinceNine = (d.gate - Date.UTC(2026, 2, 10, 21)) % DAY;
        expect(sinceNine < 0 || sinceNine >= HOUR, `${d.customer} let go at ${new Date(d.gate).toISOString()}`).toBe(true);
      }
      // The cap, at each key's first delivery (a redelivery after a kill carries the same key, which
      // the channel deduplicates; the effect log's instant of a replayed send is when the replay
      // committed). A slot counts from the last instant its key was let go, and a replay within the
      // lease (1 s) keeps its slot: allow 3 minutes.
      const first = new Map<string, { customer: string; at: number }>();
      for (const d of deliveries) if (!first.has(d.key)) first.set(d.key, { customer: d.customer, at: d.gate });
      expect(first.size).toBe(expected.size);
      expect(mostPerCustomer([...first.values()], HOUR - 3 * 60_000)).toBeLessThanOrEqual(2);
    });
  }, 420_000);
});
