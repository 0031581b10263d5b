/**
 * `journeys demo`: the seed's Personal Loan Nurture journey for many synthetic customers on the
 * embedded SQLite default (in memory when better-sqlite3 is not installed), with a virtual clock
 * from wake-up to wake-up until every customer has finished: 7 days of journey time, the
 * journey's longest path (its maxDuration is 21 days). Every phase is idempotent, so an
 * interrupted demo on SQLite picks up where it stopped when run again.
 */
import { performance } from 'node:perf_hooks';
import type BetterSqlite3 from 'better-sqlite3';
import { virtualClock } from '../../adapters/clock/virtual-clock.js';
import { memoryStorage } from '../../adapters/memory/index.js';
import { sqliteStorage } from '../../adapters/sqlite/index.js';
import { memoryProfiles } from '../../adapters/testing/memory-profiles.js';
import { createEngine } from '../../runtime/engine.js';
import type { Channels, DecisionFlows } from '../../runtime/ports.js';
import type { Storage } from '../../runtime/ports.js';
import { EXIT, type CliIo, type Command } from '../command.js';
import { exampleJourney } from '../examples.js';
import { parseCommandLine } from '../parse-command-line.js';

const START = Date.UTC(2026, 2, 10, 9, 0, 0);
const DAY = 86_400_000;
const JOURNEY_NAME = 'Personal Loan Nurture (demo)';

const USAGE = `Usage: journeys demo [--db ./journeys-demo.db] [--customers 10000] [--fresh]

Runs the seed's Personal Loan Nurture journey for synthetic customers on SQLite with a virtual
clock until every customer has finished (7 days of journey time, the journey's longest path;
its maxDuration is 21 days), then prints the funnel and the time it took. Interrupt it at any
moment and run it again: it continues where it stopped. Without the optional dependency
better-sqlite3 it runs in memory (and cannot resume).

Options:
  --db <file>        the SQLite file (default ./journeys-demo.db)
  --customers <n>    how many customers (default 10000, at most 1000000)
  --fresh            delete the file first and start over
`;

/** Customer i's response to the first email: 10% convert, 25% click, the rest ignore it. */
export function demoOutcome(i: number): 'conversion' | 'click' | null {
  if (i % 10 === 0) return 'conversion';
  if (i % 4 === 1) return 'click';
  return null;
}

const customerId = (i: number) => `cust_${String(i).padStart(6, '0')}`;

interface Progress {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

function memoryProgress(): Progress {
  const values = new Map<string, string>();
  return { get: (key) => values.get(key), set: (key, value) => void values.set(key, value) };
}

function progressTable(db: BetterSqlite3.Database): Progress {
  db.exec('CREATE TABLE IF NOT EXISTS demo_progress (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const get = db.prepare<[string], { value: string }>('SELECT value FROM demo_progress WHERE key = ?');
  const set = db.prepare('INSERT INTO demo_progress (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  return { get: (key) => get.get(key)?.value, set: (key, value) => void set.run(key, value) };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** better-sqlite3's constructor, or why it cannot be loaded. */
async function loadBetterSqlite3(): Promise<typeof BetterSqlite3> {
  return (await import('better-sqlite3')).default;
}

/** Where the demo keeps its state: SQLite (resumable) or memory. */
interface DemoStore {
  readonly storage: Storage;
  readonly progress: Progress;
  readonly where: string;
  close(): void;
}

async function openStore(
  options: { db: string; fresh: boolean; loadSqlite?: () => Promise<typeof BetterSqlite3> },
  io: Pick<CliIo, 'stderr'>,
): Promise<DemoStore | number> {
  let Sqlite: typeof BetterSqlite3;
  try {
    Sqlite = await (options.loadSqlite ?? loadBetterSqlite3)();
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' || (error as { code?: unknown }).code === 'MODULE_NOT_FOUND';
    io.stderr(
      `journeys demo: ${missing ? 'better-sqlite3 is not installed' : `better-sqlite3 could not be loaded (${messageOf(error)})`}: running in memory` +
        ' (npm install better-sqlite3@12 to run on SQLite and resume after an interrupt)\n',
    );
    return { storage: memoryStorage(), progress: memoryProgress(), where: 'in memory', close: () => {} };
  }
  let db: BetterSqlite3.Database;
  try {
    if (options.fresh) {
      const { rm } = await import('node:fs/promises');
      for (const suffix of ['', '-wal', '-shm']) await rm(options.db + suffix, { force: true });
    }
    db = new Sqlite(options.db);
  } catch (error) {
    io.stderr(`journeys demo: cannot open the SQLite file ${options.db} (${messageOf(error)})\n`);
    return EXIT.failed;
  }
  return { storage: sqliteStorage({ database: db }), progress: progressTable(db), where: `on SQLite (${options.db})`, close: () => db.close() };
}

/** Run the demo. Exported for tests (`loadSqlite` replaces the import of better-sqlite3). */
export async function runDemo(
  options: { db: string; customers: number; fresh: boolean; loadSqlite?: () => Promise<typeof BetterSqlite3> },
  io: Pick<CliIo, 'stdout' | 'stderr'>,
): Promise<number> {
  const store = await openStore(options, io);
  if (typeof store === 'number') return store;
  const { storage, progress } = store;
  const clock = virtualClock(Number(progress.get('clock') ?? START));
  const resumed = progress.get('journeyId') !== undefined;
  const profiles = memoryProfiles();
  for (let i = 0; i < options.customers; i++) profiles.set({ id: customerId(i), segments: ['loan_interested'], attributes: { index: i } });
  let sends = 0;
  const channels: Channels = { send: async () => ({ messageId: `m${++sends}` }) };
  const decisions: DecisionFlows = {
    decide: async ({ customer }) => [{ id: Number(customer.attributes['index']) % 3 === 0 ? 'loan_premium' : 'loan_standard' }],
  };
  const engine = createEngine({ storage, clock, channels, decisions, profiles, workerId: 'demo' });
  const began = performance.now();
  let steps = 0;
  engine.events.on('step', ({ event }) => {
    if (event.type === 'entered') steps += 1;
  });

  try {
    // 1. The journey: created and activated once.
    let journeyId = progress.get('journeyId');
    if (!journeyId) {
      const document = { ...exampleJourney('loan-nurture'), name: JOURNEY_NAME };
      journeyId = (await engine.createJourney(document)).id;
      await engine.setStatus(journeyId, 'active');
      progress.set('journeyId', journeyId);
    }
    io.stdout(`${resumed ? 'Resuming' : 'Running'} "${JOURNEY_NAME}" for ${options.customers.toLocaleString('en-US')} customers ${store.where}\n`);

    // 2. Enrollment, in calls of 1,000; customers already in the journey are skipped.
    if (progress.get('enrolled') !== String(options.customers)) {
      for (let from = 0; from < options.customers; from += 1000) {
        const ids = Array.from({ length: Math.min(1000, options.customers - from) }, (_, k) => customerId(from + k));
        await engine.enroll(journeyId, { customerIds: ids });
      }
      progress.set('enrolled', String(options.customers));
    }

    // 3. Time: from wake-up to wake-up. Outcomes arrive one day after the first email.
    const outcomesAt = START + DAY;
    for (;;) {
      await engine.runDue();
      if (progress.get('outcomes') !== 'done' && clock.now() >= outcomesAt) {
        for (let i = 0; i < options.customers; i++) {
          const type = demoOutcome(i);
          if (type) await engine.recordOutcome({ customerId: customerId(i), journeyId, type, idempotencyKey: `demo-${customerId(i)}` });
        }
        progress.set('outcomes', 'done');
      }
      const next = await engine.nextWakeAt();
      const target = progress.get('outcomes') !== 'done' ? Math.min(next ?? Number.POSITIVE_INFINITY, outcomesAt) : next;
      if (target === null || !Number.isFinite(target)) break;
      if (target > clock.now()) clock.set(target);
      progress.set('clock', String(clock.now()));
    }

    const seconds = (performance.now() - began) / 1000;
    const stats = await engine.stats(journeyId);
    const width = Math.max(...stats.steps.map((s) => s.stepId.length));
    const days = Math.round(((clock.now() - START) / DAY) * 10) / 10;
    const maxDuration = (await engine.getJourney(journeyId))?.maxDuration;
    io.stdout(
      `\nFunnel (virtual time ${new Date(START).toISOString().slice(0, 10)} → ${new Date(clock.now()).toISOString().slice(0, 10)}, ` +
        `${days} day${days === 1 ? '' : 's'}; maxDuration ${maxDuration} days):\n`,
    );
    io.stdout(`  ${'step'.padEnd(width)}  ${'type'.padEnd(6)}  ${'entered'.padStart(8)}  ${'completed'.padStart(9)}\n`);
    for (const s of stats.steps) {
      io.stdout(`  ${s.stepId.padEnd(width)}  ${s.type.padEnd(6)}  ${String(s.entered).padStart(8)}  ${String(s.completed).padStart(9)}\n`);
    }
    const exits = Object.entries(stats.exited).map(([reason, n]) => `${reason} ${n}`).join(', ') || 'none';
    io.stdout(`\nCompleted: ${stats.completed}  exited: ${exits}  failed: ${stats.failed}  still active: ${stats.active}\n`);
    io.stdout(`This run: ${steps.toLocaleString('en-US')} steps in ${seconds.toFixed(2)} s (${Math.round(steps / Math.max(seconds, 1e-9)).toLocaleString('en-US')} steps/s)\n`);
    return stats.active === 0 && stats.failed === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    await engine.close();
    store.close();
  }
}

export const demoCommand: Command = {
  name: 'demo',
  summary: "run the seed's loan nurture journey for 10,000 customers on SQLite and print the funnel",
  usage: USAGE,
  async run(argv, io) {
    const options = { db: { type: 'string' }, customers: { type: 'string' }, fresh: { type: 'boolean' } } as const;
    const parsed = parseCommandLine(demoCommand, argv, options, io, { positionals: false });
    if (typeof parsed === 'number') return parsed;
    const { values } = parsed;
    const customers = values.customers === undefined ? 10_000 : Number(values.customers);
    if (!Number.isInteger(customers) || customers < 1 || customers > 1_000_000) {
      io.stderr('journeys demo: --customers must be a whole number from 1 to 1000000\n');
      return EXIT.usage;
    }
    return runDemo({ db: values.db ?? './journeys-demo.db', customers, fresh: values.fresh ?? false }, io);
  },
};
