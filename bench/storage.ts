/**
 * Storage benchmark: durable steps per second through the engine on SQLite (one process) and on
 * Postgres (1 and 4 worker processes), against pg-boss 10 on the same Postgres server.
 *
 *   npm run bench:storage                      # needs JOURNEY_TEST_PG_URL (or DATABASE_URL) for Postgres
 *   npx tsx bench/storage.ts [enrollments=4000]
 *
 * A **durable step** is one effect (decide, send or update) carried out and committed: the
 * enrollment advanced past it, its effect record and its step counters written in one atomic
 * commit. Counted from the effect log (rows in `je_effects`), so every figure counts the same
 * thing. The journey is decide → send → update, so each enrollment makes 3 durable steps; the
 * enrollments are created first (not timed) and are all due at once. Ports answer at once.
 *
 * The peer: pg-boss 10 in its own schema, the same number of jobs as we have durable steps. The
 * jobs are sent first (timed separately: "send"), then workers fetch them 100 at a time and
 * complete each job on its own — like us, every unit of work is made durable on its own (one
 * complete per job, as one commit per step).
 *
 * Postgres runs three ways: 1 worker and 4 workers processing one claim at a time, and 4 workers
 * with BENCH_CONCURRENCY (default 8) in flight each — the engine's `concurrency` option against
 * pg-boss completing that many jobs of its fetched batch at once — each process's pool sized
 * concurrency + 1 for both.
 *
 * Workers are separate processes (`tsx bench/storage.ts --worker …`); each signals `ready`
 * after connecting and waits for `go` on stdin, so start-up is not timed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { postgresStorage } from '../src/adapters/postgres/index.js';
import { sqliteStorage } from '../src/adapters/sqlite/index.js';
import { createEngine } from '../src/runtime/engine.js';
import type { Channels, DecisionFlows, Profiles, Storage } from '../src/runtime/ports.js';

const STEPS = [
  { id: 'decide', type: 'decide', config: { decisionFlowId: 'df_offers' } },
  { id: 'send', type: 'send', config: { channelId: 'email', resultSource: 'decide' } },
  { id: 'update', type: 'update', config: { operations: [{ type: 'set_attribute', key: 'nurtured', value: true }] } },
];
const STEPS_PER_ENROLLMENT = 3;
const NOW = Date.UTC(2026, 2, 10, 9, 0, 0);
const clock = { now: () => NOW };
const BATCH = 100;
const QUEUE = 'bench_steps';
/** In flight per worker in the last Postgres row (engine option `concurrency`; pg-boss: completes in flight). */
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 8);

const channels: Channels = { send: async (r) => ({ messageId: `m:${r.idempotencyKey}` }) };
const decisions: DecisionFlows = { decide: async () => [{ id: 'offer_a' }] };
const profiles: Profiles = {
  get: async (customerId) => ({ id: customerId, attributes: {}, segments: [] }),
  apply: async (customerId) => ({ id: customerId, attributes: { nurtured: true }, segments: [] }),
};

function engineOn(storage: Storage, workerId = 'bench', concurrency = 1) {
  return createEngine({ storage, clock, channels, decisions, profiles, workerId, leaseMs: 600_000, concurrency });
}

/** Run due work until none is left. */
async function drain(storage: Storage, concurrency = 1): Promise<void> {
  const engine = engineOn(storage, `bench_${process.pid}`, concurrency);
  for (;;) {
    const { processed, lost } = await engine.runDue({ limit: BATCH });
    if (processed + lost === 0) return;
  }
}

async function enroll(storage: Storage, n: number, parallel: number): Promise<void> {
  const engine = engineOn(storage);
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

// ───────────────────────────── worker processes ─────────────────────────────

interface WorkerArgs {
  readonly kind: 'engine' | 'pgboss';
  readonly url: string;
  readonly schema: string;
  /** Units of work in flight per worker process (engine: `concurrency`; pg-boss: completes in flight). */
  readonly concurrency: number;
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
    const pool = new pg.Pool({ connectionString: args.url, max: args.concurrency + 1 });
    const storage = postgresStorage({ pool, schema: args.schema });
    await storage.init();
    await waitForGo();
    await drain(storage, args.concurrency);
    await pool.end();
  } else {
    const boss = new PgBoss({ connectionString: args.url, schema: args.schema, max: args.concurrency + 1, supervise: false, schedule: false, migrate: false });
    boss.on('error', (e) => process.stderr.write(`pg-boss: ${String(e)}\n`));
    await boss.start();
    await waitForGo();
    for (;;) {
      const jobs = await boss.fetch(QUEUE, { batchSize: BATCH });
      if (jobs.length === 0) break;
      await inLanes(jobs, args.concurrency, (job) => boss.complete(QUEUE, job.id));
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
  const workers = Array.from({ length: n }, () => spawnWorker(args));
  await Promise.all(workers.map((w) => w.ready));
  const t = performance.now();
  for (const w of workers) w.child.stdin!.end('go\n');
  await Promise.all(workers.map((w) => w.done));
  return performance.now() - t;
}

// ───────────────────────────── the runs ─────────────────────────────

interface Row {
  readonly system: string;
  readonly workers: number;
  /** In flight per worker. */
  readonly concurrency: number;
  readonly steps: number;
  readonly ms: number;
  readonly note?: string;
}

async function sqliteRun(n: number): Promise<Row> {
  const dir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'je-bench-storage-'));
  try {
    const filename = join(dir, 'bench.db');
    const storage = sqliteStorage({ filename });
    await enroll(storage, n, 1);
    const t = performance.now();
    await drain(storage);
    const ms = performance.now() - t;
    await storage.close();
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(filename, { readonly: true });
    const steps = (db.prepare('SELECT count(*) AS n FROM je_effects').get() as { n: number }).n;
    db.close();
    return { system: 'journey-engine, SQLite (file, WAL, synchronous=normal)', workers: 1, concurrency: 1, steps, ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresRun(url: string, n: number, workers: number, concurrency: number): Promise<Row> {
  const schema = `je_bench_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  try {
    await enroll(postgresStorage({ pool, schema }), n, 4);
    const ms = await timeWorkers(workers, { kind: 'engine', url, schema, concurrency });
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".je_effects`);
    const { rows: left } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".je_enrollments WHERE status <> 'completed'`);
    if (left[0].n !== 0) throw new Error(`${left[0].n} enrollments did not complete`);
    return { system: 'journey-engine, Postgres', workers, concurrency, steps: rows[0].n, ms };
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
}

async function pgBossRun(url: string, jobs: number, workers: number, concurrency: number): Promise<Row> {
  const schema = `pgboss_bench_${randomBytes(4).toString('hex')}`;
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
    const ms = await timeWorkers(workers, { kind: 'pgboss', url, schema, concurrency });
    const { rows } = await boss.getDb().executeSql(`SELECT count(*)::int AS n FROM "${schema}".job WHERE state = 'completed'`, []);
    return { system: 'pg-boss 10 (fetch 100, complete each job)', workers, concurrency, steps: rows[0].n, ms, note: `send ${Math.round(jobs / (sendMs / 1000))} jobs/s (insert, 1000 a call)` };
  } finally {
    await boss.stop({ graceful: false, wait: true });
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
}

export async function run(): Promise<void> {
  const n = Number(process.argv.find((a, i) => i >= 2 && /^\d+$/.test(a)) ?? 4000);
  const url = process.env['JOURNEY_TEST_PG_URL'] ?? process.env['DATABASE_URL'];
  const jobs = n * STEPS_PER_ENROLLMENT;
  console.log(`durable step = one effect run and committed with its effect record and counters (rows in je_effects); ${n} enrollments × ${STEPS_PER_ENROLLMENT} steps`);
  const rows: Row[] = [];
  const show = (row: Row) => {
    rows.push(row);
    console.log(`  ${row.system}, ${row.workers} worker(s) × ${row.concurrency} in flight: ${row.steps} in ${Math.round(row.ms)} ms = ${rate(row)}/s${row.note ? ` (${row.note})` : ''}`);
  };
  show(await sqliteRun(n));
  if (!url) {
    console.log('Postgres and pg-boss skipped: set JOURNEY_TEST_PG_URL (or DATABASE_URL) to a server');
  } else {
    for (const [workers, concurrency] of [[1, 1], [4, 1], [4, CONCURRENCY]] as const) {
      show(await postgresRun(url, n, workers, concurrency));
      show(await pgBossRun(url, jobs, workers, concurrency));
    }
  }
  console.log('\n| system | workers | in flight per worker | durable steps (jobs) | seconds | per second | ours ÷ pg-boss |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) {
    const peer = row.system.startsWith('journey-engine, Postgres') ? rows.find((r) => r.system.startsWith('pg-boss') && r.workers === row.workers && r.concurrency === row.concurrency) : undefined;
    const ratio = peer ? (rate(row) / rate(peer)).toFixed(2) : '';
    console.log(`| ${row.system} | ${row.workers} | ${row.concurrency} | ${row.steps} | ${(row.ms / 1000).toFixed(2)} | ${rate(row)} | ${ratio} |`);
  }
}

function rate(row: Row): number {
  return Math.round(row.steps / (row.ms / 1000));
}

const workerFlag = process.argv.indexOf('--worker');
if (workerFlag >= 0) {
  await worker(JSON.parse(process.argv[workerFlag + 1]!) as WorkerArgs);
  process.exit(0);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
}
