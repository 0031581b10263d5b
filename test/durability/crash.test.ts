/**
 * Crash tests with group commit on: worker processes are SIGKILLed at random moments, hundreds of
 * times, and restarted, while customers go through send → wait 1 minute → send. SQLite: one
 * worker killed 200 times; Postgres: four workers, each killed and restarted independently, 100
 * kills in all. Afterwards nothing may be lost (every enrollment completed, every send delivered)
 * and nothing recorded twice (the effect log and the step counters show each send once). A kill
 * between a channel's delivery and the engine's commit shows up as a redelivery with the same
 * idempotency key — allowed, but at most one per enrollment in flight in the killed worker: the
 * repeats of each kill are at most the in-flight limit, and their distribution is printed.
 *
 * Each incarnation of a worker has its own id (`sqlite-17`), and each delivery is logged with the
 * id of the process that made it: a key delivered m times was repeated m − 1 times, and each
 * repeat is charged to the process that made the delivery before it (the one that did not commit).
 * A process that is not killed can be charged too: when its lease ran out while it was alive (a
 * busy machine, a 500 ms lease), another worker re-claimed and re-sent, and its own commits were
 * refused. The commit log says how many of each process's commits were refused, so the check is:
 * a process not killed is charged at most its refused commits, and a killed one at most the
 * in-flight limit beyond its refused commits.
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
  type KillLoopResult,
} from './durability-helpers.js';

const FACTOR = 30;
const LEASE_REAL_MS = 500;
/** Group commit in the workers: claims advanced together, effects in flight at once. */
const GROUP = { batchSize: 16, inFlight: 8 } as const;
/** The most sends one kill may repeat: one per enrollment with an effect in flight. */
const REPEAT_BOUND = GROUP.inFlight;
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

/** The kill loops of one test, and how its workers were named. */
interface Run {
  readonly label: string;
  readonly kills: number;
  readonly loops: ReadonlyArray<{ readonly result: KillLoopResult; readonly workerId: (index: number) => string }>;
}

/**
 * Repeats charged to each process: for a key delivered m times, each of the first m − 1
 * deliveries was not committed by the process that made it.
 */
function repeatsByWorker(lines: readonly string[]): Map<string, number> {
  const byKey = new Map<string, string[]>();
  for (const line of lines) {
    const [key, worker] = line.split(' ');
    byKey.set(key!, [...(byKey.get(key!) ?? []), worker!]);
  }
  const repeats = new Map<string, number>();
  for (const workers of byKey.values()) for (const w of workers.slice(0, -1)) repeats.set(w, (repeats.get(w) ?? 0) + 1);
  return repeats;
}

async function check(run: Run, storage: Storage, journeyId: string, enrollmentIds: string[], sendLog: string, commitLog: string) {
  const expected = new Set(enrollmentIds.flatMap((id) => [`${id}:send1:1`, `${id}:send2:1`]));
  const lines = readLines(sendLog);
  const deliveries = lines.map((l) => l.split(' ')[0]!);
  const delivered = tally(deliveries);
  const { byStatus, effectKeys, stats } = await readBack(storage, journeyId, enrollmentIds);

  const repeats = repeatsByWorker(lines);
  const refused = tally(readLines(commitLog).map((l) => l.split(' ')).filter((c) => c[3] !== 'ok').map((c) => c[0]!));
  const killedIds = new Set(run.loops.flatMap((l) => l.result.killed.map(l.workerId)));
  const perKill = [...killedIds].map((id) => repeats.get(id) ?? 0);
  const beyondRefused = [...killedIds].map((id) => (repeats.get(id) ?? 0) - (refused.get(id) ?? 0));
  const histogram = (xs: readonly number[]) => [...tally(xs.map(String))].sort(([a], [b]) => Number(a) - Number(b)).map(([n, times]) => `${n}×${times}`).join(' ');
  const distribution = histogram(perKill);
  const notKilled = [...repeats].filter(([id]) => !killedIds.has(id)).map(([id, n]) => `${id}: ${n} repeats, ${refused.get(id) ?? 0} refused commits`);
  const sum = (f: (r: KillLoopResult) => number) => run.loops.reduce((acc, l) => acc + f(l.result), 0);
  console.log(
    `[crash ${run.label}] kills=${sum((r) => r.kills)} restarts=${sum((r) => r.restarts)} (worker had already finished at ${sum((r) => r.finishedEarly)}; ` +
      `kill phase ${Math.max(...run.loops.map((l) => l.result.killPhaseMs))} ms, then up to ${Math.max(...run.loops.map((l) => l.result.finishMs))} ms to finish) ` +
      `sends=${deliveries.length} distinct=${delivered.size} repeated=${deliveries.length - delivered.size} ` +
      `completed=${byStatus['completed']}/${enrollmentIds.length} active=${byStatus['active']} failed=${byStatus['failed']} effects=${effectKeys.length}\n` +
      `[crash ${run.label}] repeats per kill (in-flight limit ${REPEAT_BOUND}, batch ${GROUP.batchSize}): ${distribution}` +
      `${perKill.some((n, i) => n !== beyondRefused[i]) ? `; beyond the killed process's refused commits: ${histogram(beyondRefused)}` : ''}; ` +
      `refused commits ${[...refused.values()].reduce((a, b) => a + b, 0)}; repeats charged to processes not killed (lease lost while alive): ${notKilled.length === 0 ? 'none' : notKilled.join('; ')}`,
  );

  expect(sum((r) => r.kills)).toBeGreaterThanOrEqual(run.kills);
  // Nothing lost or stuck.
  expect(byStatus).toEqual({ active: 0, completed: enrollmentIds.length, exited: 0, failed: 0 });
  // Every expected send delivered at least once, nothing else delivered: a repeat carries its original key.
  expect([...expected].filter((k) => !delivered.has(k))).toEqual([]);
  expect([...delivered.keys()].filter((k) => !expected.has(k))).toEqual([]);
  expect([...delivered].filter(([k, n]) => n > 1 && !expected.has(k))).toEqual([]);
  // A kill repeats at most one send per enrollment in flight (beyond sends whose commit was refused
  // before the kill); a process not killed repeats only sends whose commit was refused.
  expect(Math.max(0, ...beyondRefused)).toBeLessThanOrEqual(REPEAT_BOUND);
  expect([...repeats].filter(([id, n]) => !killedIds.has(id) && n > (refused.get(id) ?? 0))).toEqual([]);
  // The effect log holds each send exactly once.
  expect(effectKeys.length).toBe(expected.size);
  expect(new Set(effectKeys)).toEqual(expected);
  // Each step visit was committed once: the counters count each step once per enrollment.
  for (const step of stats.steps) expect({ step: step.stepId, entered: step.entered, completed: step.completed }).toEqual({ step: step.stepId, entered: enrollmentIds.length, completed: enrollmentIds.length });
  expect(stats.completed).toBe(enrollmentIds.length);
}

/** A worker's config: group commit on, sends tagged with the worker's id. */
function workerConfig(storage: WorkerConfig['storage'], logs: { sendLog: string; commitLog: string }, clock: { epoch: number; t0: number }, sendDelayMs: number) {
  return (workerId: string): WorkerConfig => ({
    storage,
    workerId,
    ...logs,
    tagSends: true,
    epoch: clock.epoch,
    t0: clock.t0,
    factor: FACTOR,
    leaseMs: LEASE_REAL_MS * FACTOR,
    batch: 100,
    groupCommit: GROUP,
    sendDelayMs,
  });
}

/**
 * Sizes: each send takes 40 ms, so a worker with 8 in flight sends at most ~200 a second and the
 * work outlasts the kills (a worker killed 20–200 ms after it is ready does little each time).
 */
const SQLITE = { customers: 3000, kills: 200, sendDelayMs: 40 };
const PG = { customers: 4000, workers: 4, killsEach: 25, sendDelayMs: 40 };

describe('crash: SIGKILL at random moments, group commit on', () => {
  it(`SQLite: one worker killed and restarted ${SQLITE.kills} times loses nothing and records nothing twice`, async () => {
    const filename = join(dir, 'crash.db');
    const sendLog = join(dir, 'sqlite-sends.log');
    const commitLog = join(dir, 'sqlite-commits.log');
    const clock = sharedClock(FACTOR);
    const storage = sqliteStorage({ filename });
    const { journeyId, enrollmentIds } = await enrollCustomers(storage, clock, STEPS, SQLITE.customers);
    await storage.close();

    const config = workerConfig({ kind: 'sqlite', filename }, { sendLog, commitLog }, clock, SQLITE.sendDelayMs);
    const workerId = (i: number) => `sqlite-${i}`;
    const result = await killLoop((i) => spawnWorker(bundle, config(workerId(i))), { kills: SQLITE.kills, minDelayMs: 20, maxDelayMs: 200, finishTimeoutMs: 90_000, stopWhenDone: true });

    const after = sqliteStorage({ filename });
    try {
      await check({ label: 'sqlite', kills: SQLITE.kills, loops: [{ result, workerId }] }, after, journeyId, enrollmentIds, sendLog, commitLog);
    } finally {
      await after.close();
    }
  }, 600_000);

  it(`Postgres: ${PG.workers} workers, each killed and restarted independently (${PG.workers * PG.killsEach} kills), lose nothing and record nothing twice`, async (ctx) => {
    if (!PG_URL) return ctx.skip(PG_SKIP_REASON);
    const schema = freshSchema('crash');
    const sendLog = join(dir, 'pg-sends.log');
    const commitLog = join(dir, 'pg-commits.log');
    const pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
    pool.on('error', () => {});
    const storage = postgresStorage({ pool, schema });
    try {
      const clock = sharedClock(FACTOR);
      const { journeyId, enrollmentIds } = await enrollCustomers(storage, clock, STEPS, PG.customers, 4);
      const config = workerConfig({ kind: 'pg', url: PG_URL!, schema }, { sendLog, commitLog }, clock, PG.sendDelayMs);
      const loops = await Promise.all(
        Array.from({ length: PG.workers }, async (_, w) => {
          const workerId = (i: number) => `pg-${w}-${i}`;
          const result = await killLoop((i) => spawnWorker(bundle, config(workerId(i))), { kills: PG.killsEach, finishTimeoutMs: 90_000, stopWhenDone: true });
          return { result, workerId };
        }),
      );
      await check({ label: 'postgres', kills: PG.workers * PG.killsEach, loops }, storage, journeyId, enrollmentIds, sendLog, commitLog);
    } finally {
      await storage.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  }, 600_000);
});
