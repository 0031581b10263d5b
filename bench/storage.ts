/**
 * Storage benchmark (issue 13): durable steps per second through the engine on SQLite (one
 * process) and on Postgres (1 and 4 worker processes), against the raw floor of each database
 * and pg-boss 10, all in ONE run; then the latency from due to committed on an idle SQLite engine.
 *
 *   npm run bench:storage                      # needs JOURNEY_TEST_PG_URL (or DATABASE_URL) for Postgres
 *   npx tsx bench/storage.ts [enrollments=10000] [rounds=3]
 *
 * A **durable step** is one effect (decide, send or update) carried out and committed: the
 * enrollment advanced past it, its effect record and its step counters written atomically.
 * Counted from the effect log (rows in `je_effects`), so every figure counts the same thing. The
 * journey is decide → send → update, so each enrollment makes 3 durable steps; the enrollments are
 * created first (not timed) and are all due at once. Ports answer at once.
 *
 * - **Floor**: the database client alone (better-sqlite3 / pg) writing, into the real tables
 *   (created by our migrations, rows enrolled by the engine), exactly what our commits write for
 *   each durable step — the guarded UPDATE of the enrollment row (same columns, the same `data`
 *   JSON our commit carries), the effect record (same columns and detail) and the step counters
 *   (the same counters, summed per transaction as `commitMany` sums them, sharded on Postgres
 *   like ours) — 100 steps per transaction. SQLite binds the values by position, as our commit
 *   does, and sets `status` only in the step that ends the enrollment (ours leaves it out of
 *   the UPDATE of a row that stays active, so the one-active index is not rewritten). The rows
 *   written are taken from a probe: the engine run once on memory storage for one customer, its
 *   commits recorded. Everything is prepared before the clock starts. SQLite: one connection;
 *   Postgres: 1 connection, and 4 connections from one process (each its own quarter of the rows).
 *   Postgres writes each 100-step transaction as BEGIN, one UPDATE … FROM unnest(arrays), one
 *   INSERT … SELECT unnest(arrays) for the effects, one for the counters (aggregated), COMMIT.
 * - **Ours**: `createEngine` + `runDue` until nothing is due, with group commit (`batchSize`,
 *   `inFlight`; engine defaults unless BENCH_BATCH / BENCH_IN_FLIGHT), and the single-commit path (`commitMany` hidden from the worker; 1 or BENCH_PEER_IN_FLIGHT claims in flight)
 *   for comparison. Postgres workers are separate processes (`tsx bench/storage.ts --worker …`);
 *   each signals `ready` after connecting and waits for `go` on stdin, so start-up is not timed;
 *   before that, each runs BENCH_WARMUP (1,000) enrollments of its own through the same code, in a
 *   schema of its own, so the figure is a warmed-up worker's, not V8 compiling the engine (pg-boss
 *   workers likewise warm up on as many jobs of their own queue). BENCH_WARMUP=0 turns it off.
 * - **pg-boss 10** in its own schema, the same number of jobs as we have durable steps, 4 worker
 *   processes fetching 100 at a time and completing each job on its own with BENCH_PEER_IN_FLIGHT (8) completes
 *   in flight (its sends, 1,000 jobs a call, are timed separately and not counted).
 *
 * SQLite rows also print (on Linux) the main thread's time on a CPU per step and how long it waited
 * for one (`/proc/thread-self/schedstat`; the engine and the floor both run on this thread), and the
 * floor ratio from the CPU times: on a shared machine the wall-clock rates move with other load
 * (the wait shows how much), the time on a CPU much less. It leaves out V8's GC helper threads and
 * the time waiting for the disk.
 *
 * Rounds: the whole set runs `rounds` times; each figure is printed per round and summarised as
 * the median with the min–max spread; ratios are computed within each round (same run) and their
 * median is reported. The machine may be shared: read the ratios.
 *
 * Latency (SQLite file, idle engine, one enrollment due at a time; journey wait 1 minute → send):
 * - `runDue at due`: a virtual clock is moved to the enrollment's wake-up instant and `runDue()`
 *   is called at once; latency = from that call to the engine's `sent` event, which the worker
 *   emits right after the commit holding the send returned. This is the engine's own cost.
 * - `start() loop`: the engine's background loop (`engine.start({ pollMs })`) on a real-time
 *   clock; the clock is shifted so the enrollment is due at an instant t0; latency = from t0 to
 *   the `sent` event. Includes up to `pollMs` of waiting for the next poll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { virtualClock } from '../src/adapters/clock/virtual-clock.js';
import { memoryStorage } from '../src/adapters/memory/index.js';
import { PG_COUNTER_SHARDS } from '../src/adapters/postgres/pg-migrations.js';
import { postgresStorage } from '../src/adapters/postgres/index.js';
import { sqliteStorage } from '../src/adapters/sqlite/index.js';
import { effectDetail, enrollmentData } from '../src/adapters/storage-common/rows.js';
import { aggregateCounters } from '../src/adapters/storage-common/storage-rules.js';
import { createEngine, type EngineOptions } from '../src/runtime/engine.js';
import type { Channels, Commit, DecisionFlows, EffectRecord, Profiles, Storage } from '../src/runtime/ports.js';
import type { Enrollment } from '../src/runtime/types.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_IN_FLIGHT } from '../src/runtime/worker.js';

const STEPS = [
  { id: 'decide', type: 'decide', config: { decisionFlowId: 'df_offers' } },
  { id: 'send', type: 'send', config: { channelId: 'email', resultSource: 'decide' } },
  { id: 'update', type: 'update', config: { operations: [{ type: 'set_attribute', key: 'nurtured', value: true }] } },
];
const STEPS_PER_ENROLLMENT = 3;
const NOW = Date.UTC(2026, 2, 10, 9, 0, 0);
const clock = { now: () => NOW };
/** Claims per `runDue` batch, and the floor's steps per transaction. */
const BATCH = 100;
const QUEUE = 'bench_steps';
/** Group commit: claims advanced together, effects in flight at once (engine `batchSize`, `inFlight`). */
const GROUP_BATCH = Number(process.env['BENCH_BATCH'] ?? DEFAULT_BATCH_SIZE);
const IN_FLIGHT = Number(process.env['BENCH_IN_FLIGHT'] ?? DEFAULT_IN_FLIGHT);
/** In flight per worker for the single-commit Postgres row and pg-boss's completes. */
const PEER_IN_FLIGHT = Number(process.env['BENCH_PEER_IN_FLIGHT'] ?? 8);
/**
 * Enrollments each Postgres worker process (ours and pg-boss's: as many jobs as their durable
 * steps) runs through before it reports ready, in a schema or queue of its own: untimed, so the
 * figure is a warmed-up worker's (a deployed worker runs for days; the SQLite rows run in the
 * bench's own process, already warm). 0 turns it off.
 */
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 1000);

const channels: Channels = { send: async (r) => ({ messageId: `m:${r.idempotencyKey}` }) };
const decisions: DecisionFlows = { decide: async () => [{ id: 'offer_a' }] };
const profiles: Profiles = {
  get: async (customerId) => ({ id: customerId, attributes: {}, segments: [] }),
  apply: async (customerId) => ({ id: customerId, attributes: { nurtured: true }, segments: [] }),
};

/**
 * How the engine commits: group commit (the engine's `batchSize` claimed at once, `inFlight`
 * advanced together, their commits in one `commitMany`), or single commits — the same worker
 * with `commitMany` hidden from it, so each claim's commit is its own transaction.
 */
type Mode = { readonly kind: 'group' | 'single'; readonly batchSize: number; readonly inFlight: number };
const GROUP: Mode = { kind: 'group', batchSize: GROUP_BATCH, inFlight: IN_FLIGHT };

function modeLabel(mode: Mode): string {
  return mode.kind === 'group' ? `group commit (batch ${mode.batchSize}, ${mode.inFlight} in flight)` : `single commits (${mode.inFlight} in flight)`;
}

/** `storage` without `commitMany`: the worker then commits each claim on its own. */
function withoutCommitMany(storage: Storage): Storage {
  return new Proxy(storage, {
    get(target, key) {
      if (key === 'commitMany') return undefined;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function engineOptions(storage: Storage, mode: Mode, workerId: string): EngineOptions {
  return {
    storage: mode.kind === 'group' ? storage : withoutCommitMany(storage),
    clock,
    channels,
    decisions,
    profiles,
    workerId,
    leaseMs: 600_000,
    batchSize: mode.batchSize,
    inFlight: mode.inFlight,
  };
}

/** Run due work until none is left. */
async function drain(storage: Storage, mode: Mode): Promise<void> {
  const engine = createEngine(engineOptions(storage, mode, `bench_${process.pid}`));
  for (;;) {
    const { processed, lost } = await engine.runDue({ limit: 1000 });
    if (processed + lost === 0) return;
  }
}

async function enroll(storage: Storage, n: number, parallel: number): Promise<void> {
  const engine = createEngine({ storage, clock });
  const { id } = await engine.createJourney({ name: 'Bench', maxDuration: 30, steps: STEPS });
  await engine.setStatus(id, 'active');
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < n) {
        const from = next;
        next = Math.min(n, next + 500);
        const result = await engine.enroll(id, { customerIds: Array.from({ length: next - from }, (_, i) => `c${from + i}`) });
        if (result.skipped.length > 0) throw new Error(`enroll skipped ${result.skipped.length}`);
      }
    }),
  );
}

// ───────────────────────────── the floor ─────────────────────────────

/** What one of our commits writes for one durable step of one enrollment. */
interface StepWrite {
  readonly enrollment: Enrollment;
  readonly effect: EffectRecord;
  readonly counters: ReturnType<typeof aggregateCounters>;
}

/**
 * Run the engine once on memory storage for one customer and record what each of its commits
 * that carries an effect writes: the enrollment's new state, the effect record, the counters.
 */
async function probe(): Promise<StepWrite[]> {
  const writes: StepWrite[] = [];
  const record = (c: Commit) => {
    for (const effect of c.effects ?? []) writes.push({ enrollment: c.enrollment, effect, counters: aggregateCounters(c.counters) });
  };
  const base = memoryStorage();
  const storage = new Proxy(base, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (key === 'commit') return async (c: Commit) => (record(c), (value as Storage['commit']).call(target, c));
      if (key === 'commitMany') return async (cs: readonly Commit[]) => (cs.forEach(record), (value as (c: readonly Commit[]) => Promise<unknown>).call(target, cs));
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  await enroll(storage, 1, 1);
  await drain(storage, { kind: 'single', batchSize: 1, inFlight: 1 });
  if (writes.length !== STEPS_PER_ENROLLMENT) throw new Error(`probe: expected ${STEPS_PER_ENROLLMENT} effect commits, saw ${writes.length}`);
  return writes;
}

/** An enrollment row to advance in the floor. */
interface Target {
  readonly id: string;
  readonly journeyId: string;
  readonly customerId: string;
  readonly version: number;
}

/** The values of step `k` for `target`, as our commit would write them. */
function stepValues(write: StepWrite, k: number, t: Target) {
  const e: Enrollment = { ...write.enrollment, id: t.id, journeyId: t.journeyId, customerId: t.customerId, version: t.version + k + 1 };
  const x: EffectRecord = { ...write.effect, enrollmentId: t.id, journeyId: t.journeyId, idempotencyKey: `${t.id}:${write.effect.stepId}:${write.effect.visit}` };
  return {
    id: t.id,
    status: e.status,
    phase: e.phase,
    stepId: e.stepId,
    wakeAt: e.wakeAt,
    version: e.version,
    expected: t.version + k,
    updatedAt: e.updatedAt,
    endedAt: e.endedAt,
    data: enrollmentData(e),
    release: e.status !== 'active' || k === STEPS_PER_ENROLLMENT - 1,
    effect: [x.idempotencyKey, x.tenantId, x.journeyId, x.enrollmentId, x.stepId, x.visit, x.type, x.at, effectDetail(x)] as const,
    counters: write.counters.map((c) => ({ journeyId: t.journeyId, stepId: c.stepId, metric: c.metric, count: c.count })),
  };
}
type StepValues = ReturnType<typeof stepValues>;

/** Transactions of 100 steps: step k of 100 enrollments each, step 0 of all first (as a worker would). */
function floorPlan(writes: readonly StepWrite[], targets: readonly Target[]): StepValues[][] {
  const txs: StepValues[][] = [];
  for (let k = 0; k < writes.length; k++) {
    for (let i = 0; i < targets.length; i += BATCH) txs.push(targets.slice(i, i + BATCH).map((t) => stepValues(writes[k]!, k, t)));
  }
  return txs;
}

function sqliteFloor(filename: string, writes: readonly StepWrite[]): { steps: number; ms: number } & ThreadTime {
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const targets = (db.prepare('SELECT id, journey_id AS journeyId, customer_id AS customerId, version FROM je_enrollments').all() as Target[]);
  const plan = floorPlan(writes, targets);
  // As our commit writes the row: values bound by position, and `status` set only by the step
  // that ends the enrollment (an active row that stays active keeps the one-active index as is).
  const lease = `lease_until = CASE WHEN ? THEN NULL ELSE lease_until END, claimed_by = CASE WHEN ? THEN NULL ELSE claimed_by END`;
  const stay = db.prepare(
    `UPDATE je_enrollments SET phase = ?, step_id = ?, wake_at = ?, version = ?, updated_at = ?, ended_at = ?, data = ?, ${lease}
     WHERE id = ? AND version = ?`,
  );
  const end = db.prepare(
    `UPDATE je_enrollments SET status = ?, phase = ?, step_id = ?, wake_at = ?, version = ?, updated_at = ?, ended_at = ?, data = ?, ${lease}
     WHERE id = ? AND version = ?`,
  );
  const effect = db.prepare(
    `INSERT INTO je_effects (idempotency_key, tenant_id, journey_id, enrollment_id, step_id, visit, type, at, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
  );
  const counter = db.prepare(
    `INSERT INTO je_counters (tenant_id, journey_id, step_id, metric, count) VALUES ('default', ?, ?, ?, ?)
     ON CONFLICT (tenant_id, journey_id, step_id, metric) DO UPDATE SET count = count + excluded.count`,
  );
  const tx = db.transaction((steps: readonly StepValues[]) => {
    // The transaction's counters summed, one upsert per (journey, step, metric), as commitMany writes them.
    const sums = new Map<string, [string, string, string, number]>();
    for (const s of steps) {
      const release = s.release ? 1 : 0;
      const changed =
        s.status === 'active'
          ? stay.run(s.phase, s.stepId, s.wakeAt, s.version, s.updatedAt, s.endedAt, s.data, release, release, s.id, s.expected).changes
          : end.run(s.status, s.phase, s.stepId, s.wakeAt, s.version, s.updatedAt, s.endedAt, s.data, release, release, s.id, s.expected).changes;
      if (changed !== 1) throw new Error(`floor: ${s.id} not updated`);
      effect.run(...s.effect);
      for (const c of s.counters) {
        const key = `${c.journeyId}\u0000${c.stepId}\u0000${c.metric}`;
        const found = sums.get(key);
        if (found) found[3] += c.count;
        else sums.set(key, [c.journeyId, c.stepId, c.metric, c.count]);
      }
    }
    for (const c of sums.values()) counter.run(...c);
  });
  const t = performance.now();
  const thread = threadTime();
  for (const steps of plan) tx.immediate(steps);
  const times = thread();
  const ms = performance.now() - t;
  const steps = (db.prepare('SELECT count(*) AS n FROM je_effects').get() as { n: number }).n;
  db.close();
  return { steps, ms, ...times };
}

/** This thread's time on a CPU and waiting for one over a run, in ms (absent where the kernel does not tell). */
interface ThreadTime {
  readonly cpuMs?: number;
  readonly waitMs?: number;
}

/** Start measuring this thread's times (Linux `/proc/thread-self/schedstat`: ns on a CPU, ns waiting for one); call the answer to stop. */
function threadTime(): () => ThreadTime {
  const read = (): readonly number[] | null => {
    try {
      return readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(/\s+/).map(Number);
    } catch {
      return null;
    }
  };
  const start = read();
  return () => {
    const end = read();
    if (start === null || end === null) return {};
    return { cpuMs: (end[0]! - start[0]!) / 1e6, waitMs: (end[1]! - start[1]!) / 1e6 };
  };
}

/** Which counter shard an enrollment adds to: the same FNV-1a as postgres-storage.ts's `counterShard`. */
function counterShard(enrollmentId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < enrollmentId.length; i++) h = Math.imul(h ^ enrollmentId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % PG_COUNTER_SHARDS;
}

/** One 100-step transaction's statements' parameters (arrays for unnest). */
function pgArrays(steps: readonly StepValues[]) {
  const col = <T>(f: (s: StepValues) => T) => steps.map(f);
  const counters = new Map<string, [string, string, string, number, number]>();
  for (const s of steps) {
    const shard = counterShard(s.id);
    for (const c of s.counters) {
      const key = `${c.journeyId}\u0000${c.stepId}\u0000${c.metric}\u0000${shard}`;
      const found = counters.get(key);
      if (found) found[4] += c.count;
      else counters.set(key, [c.journeyId, c.stepId, c.metric, shard, c.count]);
    }
  }
  // In key order, so concurrent transactions lock the counter rows in the same order (no deadlocks).
  const cs = [...counters.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c);
  return {
    update: [col((s) => s.id), col((s) => s.status), col((s) => s.phase), col((s) => s.stepId), col((s) => s.wakeAt), col((s) => s.version), col((s) => s.expected), col((s) => s.updatedAt), col((s) => s.endedAt), col((s) => s.data), col((s) => s.release)],
    effects: Array.from({ length: 9 }, (_, i) => col((s) => s.effect[i])),
    counters: Array.from({ length: 5 }, (_, i) => cs.map((c) => c[i])),
    n: steps.length,
  };
}

async function pgFloor(url: string, schema: string, writes: readonly StepWrite[], clients: number): Promise<{ steps: number; ms: number }> {
  const S = `"${schema}"`;
  const pool = new pg.Pool({ connectionString: url, max: clients });
  try {
    const { rows } = await pool.query(`SELECT id, journey_id AS "journeyId", customer_id AS "customerId", version FROM ${S}.je_enrollments`);
    const targets = rows as Target[];
    const lanes = Array.from({ length: clients }, (_, c) => floorPlan(writes, targets.filter((_, i) => i % clients === c)).map(pgArrays));
    const update = `UPDATE ${S}.je_enrollments AS e SET status = v.status, phase = v.phase, step_id = v.step_id, wake_at = v.wake_at, version = v.version,
        updated_at = v.updated_at, ended_at = v.ended_at, data = v.data::json,
        lease_until = CASE WHEN v.release THEN NULL ELSE e.lease_until END, claimed_by = CASE WHEN v.release THEN NULL ELSE e.claimed_by END
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::double precision[], $6::integer[], $7::integer[], $8::double precision[], $9::double precision[], $10::text[], $11::boolean[])
        AS v(id, status, phase, step_id, wake_at, version, expected, updated_at, ended_at, data, release)
      WHERE e.id = v.id AND e.version = v.expected`;
    const effects = `INSERT INTO ${S}.je_effects (idempotency_key, tenant_id, journey_id, enrollment_id, step_id, visit, type, at, detail)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::integer[], $7::text[], $8::double precision[], $9::json[])
      ON CONFLICT (idempotency_key) DO NOTHING`;
    const counters = `INSERT INTO ${S}.je_counters (tenant_id, journey_id, step_id, metric, shard, count)
      SELECT 'default', * FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[], $5::bigint[])
      ON CONFLICT (tenant_id, journey_id, step_id, metric, shard) DO UPDATE SET count = ${S}.je_counters.count + excluded.count`;
    const conns = await Promise.all(Array.from({ length: clients }, () => pool.connect()));
    let ms: number;
    try {
      const t = performance.now();
      await Promise.all(
        conns.map(async (db, c) => {
          for (const tx of lanes[c]!) {
            await db.query('BEGIN');
            const done = await db.query({ name: 'floor_update', text: update, values: tx.update });
            if (done.rowCount !== tx.n) throw new Error(`floor: ${tx.n - (done.rowCount ?? 0)} rows not updated`);
            await db.query({ name: 'floor_effects', text: effects, values: tx.effects });
            await db.query({ name: 'floor_counters', text: counters, values: tx.counters });
            await db.query('COMMIT');
          }
        }),
      );
      ms = performance.now() - t;
    } finally {
      for (const db of conns) db.release(true);
    }
    const { rows: n } = await pool.query(`SELECT count(*)::int AS n FROM ${S}.je_effects`);
    return { steps: n[0].n, ms };
  } finally {
    await pool.end();
  }
}

// ───────────────────────────── worker processes ─────────────────────────────

interface WorkerArgs {
  readonly kind: 'engine' | 'pgboss';
  readonly url: string;
  readonly schema: string;
  readonly mode: Mode;
  /** Which of the run's workers this is (0, 1, …): names its warm-up schema or queue. */
  readonly index?: number;
}

/** The pg-boss queue worker `index` warms up on (made and filled by the run, before the workers start: pg-boss's createQueue run by several processes at once can deadlock). */
const warmQueue = (index: number) => `${QUEUE}_warm_${index}`;

/** Connections a worker process opens: group commit needs few; single commits one per claim in flight (at most 8), and one to spare. */
function poolSize(mode: Mode): number {
  return Math.min(mode.kind === 'group' ? 3 : mode.inFlight, 8) + 1;
}

/** Run `work` over `items` with at most `lanes` calls in flight, started in order. */
async function inLanes<T>(items: readonly T[], lanes: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function waitForGo(): Promise<void> {
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === 'go') break;
  lines.close();
}

async function worker(args: WorkerArgs): Promise<void> {
  if (args.kind === 'engine') {
    const pool = new pg.Pool({ connectionString: args.url, max: poolSize(args.mode) });
    if (WARMUP > 0) {
      const warm = `${args.schema}_warm_${args.index ?? 0}`;
      const storage = postgresStorage({ pool, schema: warm });
      await enroll(storage, WARMUP, 1);
      await drain(storage, args.mode);
      await pool.query(`DROP SCHEMA "${warm}" CASCADE`);
    }
    const storage = postgresStorage({ pool, schema: args.schema });
    await storage.init();
    await waitForGo();
    await drain(storage, args.mode);
    await pool.end();
  } else {
    const lanes = args.mode.inFlight;
    const boss = new PgBoss({ connectionString: args.url, schema: args.schema, max: lanes + 1, supervise: false, schedule: false, migrate: false });
    boss.on('error', (e) => process.stderr.write(`pg-boss: ${String(e)}\n`));
    await boss.start();
    if (WARMUP > 0) {
      const warm = warmQueue(args.index ?? 0);
      for (;;) {
        const jobs = await boss.fetch(warm, { batchSize: BATCH });
        if (jobs.length === 0) break;
        await inLanes(jobs, lanes, (job) => boss.complete(warm, job.id));
      }
      // The queue stays (pg-boss refuses to delete one holding completed jobs); it is its own partition, dropped with the schema.
    }
    await waitForGo();
    for (;;) {
      const jobs = await boss.fetch(QUEUE, { batchSize: BATCH });
      if (jobs.length === 0) break;
      await inLanes(jobs, lanes, (job) => boss.complete(QUEUE, job.id));
    }
    await boss.stop({ graceful: false, wait: true });
  }
  process.stdout.write('done\n');
}

function spawnWorker(args: WorkerArgs): { child: ChildProcess; ready: Promise<void>; done: Promise<void> } {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--worker', JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  let onReady: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  lines.on('line', (line) => line === 'ready' && onReady());
  const done = new Promise<void>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.kind} worker exited with ${code}`)))),
  );
  return { child, ready, done };
}

/** Start `n` workers, wait until all are connected, then time them from `go` to the last exit. */
async function timeWorkers(n: number, args: WorkerArgs): Promise<number> {
  const workers = Array.from({ length: n }, (_, index) => spawnWorker({ ...args, index }));
  await Promise.all(workers.map((w) => w.ready));
  const t = performance.now();
  for (const w of workers) w.child.stdin!.end('go\n');
  await Promise.all(workers.map((w) => w.done));
  return performance.now() - t;
}

// ───────────────────────────── the runs ─────────────────────────────

/** One measured row of one round. */
interface Measure {
  readonly key: string;
  readonly label: string;
  readonly steps: number;
  readonly ms: number;
  /** The main thread's time on a CPU over the run (SQLite rows, which run on it). */
  readonly cpuMs?: number;
}

const rate = (m: { steps: number; ms: number }) => m.steps / (m.ms / 1000);

function tempDir(): string {
  return mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'je-bench-storage-'));
}

async function sqliteFloorRun(n: number, writes: readonly StepWrite[]): Promise<{ steps: number; ms: number } & ThreadTime> {
  const dir = tempDir();
  try {
    const filename = join(dir, 'floor.db');
    const storage = sqliteStorage({ filename });
    await enroll(storage, n, 1);
    await storage.close();
    return sqliteFloor(filename, writes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function sqliteRun(n: number, mode: Mode): Promise<{ steps: number; ms: number } & ThreadTime> {
  const dir = tempDir();
  try {
    const filename = join(dir, 'bench.db');
    const storage = sqliteStorage({ filename });
    await enroll(storage, n, 1);
    const t = performance.now();
    const thread = threadTime();
    await drain(storage, mode);
    const times = thread();
    const ms = performance.now() - t;
    await storage.close();
    const db = new Database(filename, { readonly: true });
    const steps = (db.prepare('SELECT count(*) AS n FROM je_effects').get() as { n: number }).n;
    const left = (db.prepare("SELECT count(*) AS n FROM je_enrollments WHERE status <> 'completed'").get() as { n: number }).n;
    db.close();
    if (left !== 0) throw new Error(`${left} enrollments did not complete`);
    return { steps, ms, ...times };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Enroll `n` customers into a fresh schema, run `body`, drop the schema. */
async function inSchema<T>(url: string, n: number, body: (schema: string, pool: pg.Pool) => Promise<T>): Promise<T> {
  const schema = `je_sbench_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  try {
    await enroll(postgresStorage({ pool, schema }), n, 4);
    return await body(schema, pool);
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
}

async function postgresRun(url: string, n: number, workers: number, mode: Mode): Promise<{ steps: number; ms: number }> {
  return inSchema(url, n, async (schema, pool) => {
    const ms = await timeWorkers(workers, { kind: 'engine', url, schema, mode });
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".je_effects`);
    const { rows: left } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".je_enrollments WHERE status <> 'completed'`);
    if (left[0].n !== 0) throw new Error(`${left[0].n} enrollments did not complete`);
    return { steps: rows[0].n as number, ms };
  });
}

async function pgBossRun(url: string, jobs: number, workers: number, inFlight: number): Promise<{ steps: number; ms: number; sendRate: number }> {
  const schema = `pgboss_sbench_${randomBytes(4).toString('hex')}`;
  const boss = new PgBoss({ connectionString: url, schema, max: 4, supervise: false, schedule: false });
  boss.on('error', (e) => console.error('pg-boss', e));
  await boss.start();
  try {
    await boss.createQueue(QUEUE);
    const t = performance.now();
    for (let i = 0; i < jobs; i += 1000) {
      await boss.insert(Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => ({ name: QUEUE, data: { step: i + k } })));
    }
    const sendMs = performance.now() - t;
    for (let w = 0; w < (WARMUP > 0 ? workers : 0); w++) {
      await boss.createQueue(warmQueue(w));
      const n = WARMUP * STEPS_PER_ENROLLMENT;
      for (let i = 0; i < n; i += 1000) await boss.insert(Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ name: warmQueue(w), data: { step: i + k } })));
    }
    const ms = await timeWorkers(workers, { kind: 'pgboss', url, schema, mode: { kind: 'single', batchSize: BATCH, inFlight } });
    const { rows } = await boss.getDb().executeSql(`SELECT count(*)::int AS n FROM "${schema}".job WHERE name = $1 AND state = 'completed'`, [QUEUE]);
    return { steps: rows[0].n, ms, sendRate: jobs / (sendMs / 1000) };
  } finally {
    await boss.stop({ graceful: false, wait: true });
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
}

// ───────────────────────────── latency ─────────────────────────────

const LATENCY_STEPS = [
  { id: 'wait', type: 'wait', config: { duration: 1, unit: 'minutes' } },
  { id: 'send', type: 'send', config: { channelId: 'email' } },
];

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Latency samples (ms) from due to committed, `runDue` called at the due instant (see the header). */
async function latencyRunDue(samples: number): Promise<number[]> {
  const dir = tempDir();
  try {
    const vclock = virtualClock(NOW);
    const storage = sqliteStorage({ filename: join(dir, 'latency.db') });
    const engine = createEngine({ ...engineOptions(storage, GROUP, 'latency'), clock: vclock });
    let sentAt = 0;
    engine.events.on('sent', () => (sentAt = performance.now()));
    const { id } = await engine.createJourney({ name: 'Latency', maxDuration: 30, steps: LATENCY_STEPS });
    await engine.setStatus(id, 'active');
    const out: number[] = [];
    for (let i = 0; i < samples; i++) {
      await engine.enroll(id, { customerIds: [`c${i}`] });
      await engine.runDue(); // enters the wait
      vclock.advance('1m');
      sentAt = 0;
      const t0 = performance.now();
      await engine.runDue();
      if (sentAt === 0) throw new Error('latency: the due enrollment did not send');
      out.push(sentAt - t0);
    }
    await engine.close();
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Latency samples (ms) from due to committed through `engine.start({ pollMs })` on a real-time clock. */
async function latencyLoop(samples: number, pollMs: number): Promise<number[]> {
  const dir = tempDir();
  try {
    let offset = 0;
    const realClock = { now: () => Date.now() + offset };
    const storage = sqliteStorage({ filename: join(dir, 'latency.db') });
    const engine = createEngine({ ...engineOptions(storage, GROUP, 'latency'), clock: realClock });
    let onSent: (() => void) | undefined;
    engine.events.on('sent', () => onSent?.());
    const { id } = await engine.createJourney({ name: 'Latency', maxDuration: 30, steps: LATENCY_STEPS });
    await engine.setStatus(id, 'active');
    engine.start({ pollMs });
    const out: number[] = [];
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    for (let i = 0; i < samples; i++) {
      const { enrolled } = await engine.enroll(id, { customerIds: [`c${i}`] });
      const enrollmentId = enrolled[0]!.enrollmentId;
      let waiting: Enrollment | null = null;
      while (!(waiting = await engine.getEnrollment(enrollmentId))?.wakeAt || waiting.stepId !== 'wait' || waiting.wakeAt! <= realClock.now()) await sleep(2);
      // Let a poll go by at a random phase, then make the enrollment due now.
      await sleep(Math.random() * pollMs);
      const sent = new Promise<number>((resolve) => (onSent = () => resolve(performance.now())));
      offset += waiting.wakeAt! - realClock.now();
      const t0 = performance.now();
      out.push((await sent) - t0);
    }
    await engine.close();
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ───────────────────────────── report ─────────────────────────────

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

export async function run(): Promise<void> {
  const numbers = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);
  const n = numbers[0] ?? 10_000;
  const rounds = numbers[1] ?? 3;
  const url = process.env['JOURNEY_TEST_PG_URL'] ?? process.env['DATABASE_URL'];
  const jobs = n * STEPS_PER_ENROLLMENT;
  const writes = await probe();
  console.log(`durable step = one effect run and committed with its effect record and counters (rows in je_effects); ${n} enrollments × ${STEPS_PER_ENROLLMENT} steps = ${jobs}; ${rounds} rounds`);
  console.log(`per step our commit writes: 1 enrollment UPDATE (data ${writes.map((w) => enrollmentData(w.enrollment).length).join('/')} B), 1 effect row, ${writes.map((w) => w.counters.length).join('/')} counters (steps decide/send/update), summed per transaction; the floor writes the same`);
  if (!url) console.log('Postgres and pg-boss skipped: set JOURNEY_TEST_PG_URL (or DATABASE_URL) to a server');
  else console.log(WARMUP > 0 ? `Postgres worker processes (ours and pg-boss's) each warm up on ${WARMUP} enrollments (${WARMUP * STEPS_PER_ENROLLMENT} jobs) of their own before the clock starts (BENCH_WARMUP=0: cold)` : 'Postgres worker processes start cold (BENCH_WARMUP=0)');

  const single1: Mode = { kind: 'single', batchSize: GROUP_BATCH, inFlight: 1 };
  const single8: Mode = { kind: 'single', batchSize: GROUP_BATCH, inFlight: PEER_IN_FLIGHT };
  const all: Measure[] = [];
  for (let round = 1; round <= rounds; round++) {
    const show = (key: string, label: string, m: { steps: number; ms: number } & ThreadTime, note = '') => {
      all.push({ key, label, steps: m.steps, ms: m.ms, ...(m.cpuMs === undefined ? {} : { cpuMs: m.cpuMs }) });
      const cpu = m.cpuMs === undefined ? '' : `; main thread on a CPU ${((m.cpuMs * 1000) / m.steps).toFixed(1)} µs/step, waited ${Math.round(m.waitMs ?? 0)} ms for one`;
      console.log(`  [round ${round}] ${label}: ${m.steps} in ${Math.round(m.ms)} ms = ${fmt(rate(m))}/s${cpu}${note}`);
    };
    show('sqlite-floor', 'SQLite floor (better-sqlite3, 100 steps/tx, 1 connection)', await sqliteFloorRun(n, writes));
    show('sqlite-group', `SQLite ours, 1 process, ${modeLabel(GROUP)}`, await sqliteRun(n, GROUP));
    show('sqlite-single', `SQLite ours, 1 process, ${modeLabel(single1)}`, await sqliteRun(n, single1));
    if (!url) continue;
    show('pg-floor-1', 'PostgreSQL floor (pg, 100 steps/tx, 1 connection)', await inSchema(url, n, (schema) => pgFloor(url, schema, writes, 1)));
    show('pg-floor-4', 'PostgreSQL floor (pg, 100 steps/tx, 4 connections, 1 process)', await inSchema(url, n, (schema) => pgFloor(url, schema, writes, 4)));
    show('pg-group-1', `PostgreSQL ours, 1 worker process, ${modeLabel(GROUP)}`, await postgresRun(url, n, 1, GROUP));
    show('pg-group-4', `PostgreSQL ours, 4 worker processes, ${modeLabel(GROUP)}`, await postgresRun(url, n, 4, GROUP));
    show('pg-single-4', `PostgreSQL ours, 4 worker processes, ${modeLabel(single8)}`, await postgresRun(url, n, 4, single8));
    const boss = await pgBossRun(url, jobs, 4, PEER_IN_FLIGHT);
    show('pgboss-4', `pg-boss 10, 4 worker processes (fetch 100, complete each, ${PEER_IN_FLIGHT} in flight)`, boss, ` (send ${fmt(boss.sendRate)} jobs/s, not counted)`);
  }

  const rates = (key: string) => all.filter((m) => m.key === key).map(rate);
  const ratios = (a: string, b: string) => {
    const xs = rates(a);
    const ys = rates(b);
    return xs.map((x, i) => x / ys[i]!);
  };
  console.log(`\n| row | median steps/s | min–max over ${rounds} rounds |`);
  console.log('|---|---|---|');
  for (const key of [...new Set(all.map((m) => m.key))]) {
    const xs = rates(key);
    console.log(`| ${all.find((m) => m.key === key)!.label} | ${fmt(median(xs))} | ${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))} |`);
  }
  const ratioLine = (label: string, a: string, b: string) => {
    const xs = ratios(a, b);
    if (xs.length === 0) return undefined;
    console.log(`  ${label}: ${median(xs).toFixed(2)}× (per round: ${xs.map((x) => x.toFixed(2)).join(', ')})`);
    return median(xs);
  };
  console.log('\nratios within each round (median):');
  const sqliteFloorRatio = ratioLine('SQLite ours (group) ÷ floor', 'sqlite-group', 'sqlite-floor');
  // The same ratio from the main thread's time on a CPU per step (floor's ÷ ours): less moved by
  // other load on a shared machine than wall-clock rates are.
  const cpuPerStep = (key: string) => all.filter((m) => m.key === key && m.cpuMs !== undefined).map((m) => m.cpuMs! / m.steps);
  const cpuRatios = (() => {
    const ours = cpuPerStep('sqlite-group');
    const floor = cpuPerStep('sqlite-floor');
    return ours.map((x, i) => floor[i]! / x);
  })();
  const sqliteCpuRatio = cpuRatios.length === 0 ? undefined : median(cpuRatios);
  if (sqliteCpuRatio !== undefined) {
    console.log(`  SQLite ours (group) ÷ floor, by main-thread CPU time per step: ${sqliteCpuRatio.toFixed(2)}× (per round: ${cpuRatios.map((x) => x.toFixed(2)).join(', ')})`);
  }
  ratioLine('SQLite group ÷ single commits', 'sqlite-group', 'sqlite-single');
  const pgFloorRatio = ratioLine('PostgreSQL ours 4 workers (group) ÷ floor 4 connections', 'pg-group-4', 'pg-floor-4');
  ratioLine('PostgreSQL ours 1 worker (group) ÷ floor 1 connection', 'pg-group-1', 'pg-floor-1');
  const bossRatio = ratioLine('PostgreSQL ours 4 workers (group) ÷ pg-boss 4 workers', 'pg-group-4', 'pgboss-4');
  ratioLine('PostgreSQL group ÷ single commits, 4 workers', 'pg-group-4', 'pg-single-4');

  const check = (what: string, value: number | undefined, target: number, unit = '') =>
    console.log(`  ${what}: ${value === undefined ? 'not measured' : `${unit === '×' ? value.toFixed(2) : fmt(value)}${unit}`} vs target ≥ ${unit === '×' ? target.toFixed(1) : fmt(target)}${unit}: ${value === undefined ? 'not measured' : value >= target ? 'met' : 'missed'}`);
  console.log('\ntargets (medians):');
  check('SQLite durable steps/s, 1 process', median(rates('sqlite-group')), 40_000);
  check('SQLite ours ÷ floor', sqliteFloorRatio, 0.6, '×');
  check('SQLite ours ÷ floor, by main-thread CPU time per step', sqliteCpuRatio, 0.6, '×');
  const pg4 = rates('pg-group-4');
  check('PostgreSQL durable steps/s, 4 workers', pg4.length ? median(pg4) : undefined, 20_000);
  check('PostgreSQL ours ÷ pg-boss, 4 workers', bossRatio, 8, '×');
  check('PostgreSQL ours ÷ floor, 4 workers / 4 connections', pgFloorRatio, 0.5, '×');

  const samples = Number(process.env['BENCH_LATENCY_SAMPLES'] ?? 1000);
  const pollMs = 10;
  console.log(`\nlatency from due to committed, one due enrollment, idle SQLite engine (${modeLabel(GROUP)}):`);
  for (const [label, xs] of [
    [`runDue() called at the due instant, ${samples} samples`, await latencyRunDue(samples)],
    [`engine.start({ pollMs: ${pollMs} }) loop, real-time clock, ${Math.round(samples / 5)} samples`, await latencyLoop(Math.round(samples / 5), pollMs)],
  ] as const) {
    const sorted = [...xs].sort((a, b) => a - b);
    console.log(`  ${label}: p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms, max ${sorted[sorted.length - 1]!.toFixed(2)} ms`);
  }
}

const workerFlag = process.argv.indexOf('--worker');
if (workerFlag >= 0) {
  await worker(JSON.parse(process.argv[workerFlag + 1]!) as WorkerArgs);
  process.exit(0);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
}
