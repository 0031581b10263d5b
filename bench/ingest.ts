/**
 * Event ingestion benchmark: `ingestEvent` on a SQLite file with 200 active journeys of 50 steps,
 * each journey triggered by its own event type; every event matches exactly one journey and
 * enrolls a new customer.
 *
 *   npx tsx bench/ingest.ts [events=4000]
 *
 * The floor beside it: better-sqlite3 inserting the same enrollment rows into the same schema
 * directly, one `BEGIN IMMEDIATE` transaction per event, with the same pragmas (WAL,
 * synchronous=normal). Ours ÷ floor is the share of the database's own insert rate the engine
 * keeps while it finds the journey, checks entry, builds the enrollment and emits `enrolled`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sqliteStorage } from '../src/adapters/sqlite/index.js';
import { enrollmentData } from '../src/adapters/storage-common/rows.js';
import { createEngine } from '../src/runtime/engine.js';
import type { Enrollment } from '../src/runtime/types.js';

const JOURNEYS = 200;
const STEPS = 50;
const TARGET = 2000;
const NOW = Date.UTC(2026, 2, 10, 9, 0, 0);

/** A realistic 50-step journey: decide, send, wait, branch on the outcome, update, repeated. */
function steps(n: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; out.length < n; i++) {
    out.push({ id: `decide_${i}`, type: 'decide', config: { decisionFlowId: 'df_offers', storeResultAs: `offers_${i}` } });
    out.push({ id: `send_${i}`, type: 'send', config: { channelId: 'email', resultSource: `offers_${i}` } });
    out.push({ id: `wait_${i}`, type: 'wait', config: { duration: 1, unit: 'days' } });
    out.push({
      id: `branch_${i}`,
      type: 'branch',
      config: {
        conditions: [{ label: 'clicked', expression: `outcome.type == 'click' && customer.score >= ${i}`, targetStepId: `update_${i}` }],
        defaultTargetStepId: `update_${i}`,
      },
    });
    out.push({ id: `update_${i}`, type: 'update', config: { operations: [{ type: 'set_attribute', key: `round_${i}`, value: true }] } });
  }
  return out.slice(0, n);
}

interface Figure {
  readonly events: number;
  readonly ms: number;
}

const perSecond = (f: Figure) => Math.round(f.events / (f.ms / 1000));
const share = (r: number) => (r >= 0.1 ? r.toFixed(2) : r.toPrecision(2));

async function ours(dir: string, events: number): Promise<Figure> {
  const storage = sqliteStorage({ filename: join(dir, 'engine.db') });
  const engine = createEngine({ storage, clock: { now: () => NOW }, workerId: 'bench' });
  for (let k = 0; k < JOURNEYS; k++) {
    const { id } = await engine.createJourney({
      name: `Journey ${k}`,
      maxDuration: 60,
      steps: steps(STEPS),
      entryConditions: { events: [{ type: `event_${k}` }] },
    });
    await engine.setStatus(id, 'active');
  }
  await engine.ingestEvent({ customerId: 'warm-up', type: 'event_0' });
  const t = performance.now();
  for (let i = 0; i < events; i++) {
    const result = await engine.ingestEvent({ customerId: `c${i}`, type: `event_${i % JOURNEYS}`, properties: { source: 'bench' } });
    if (result.enrolled.length !== 1) throw new Error(`event ${i} enrolled ${result.enrolled.length} customers (skipped: ${JSON.stringify(result.skipped)})`);
  }
  const ms = performance.now() - t;
  await engine.close();
  return { events, ms };
}

/** The same enrollment inserts straight through better-sqlite3, one transaction per event. */
async function floor(dir: string, events: number): Promise<Figure> {
  const filename = join(dir, 'floor.db');
  const schema = sqliteStorage({ filename });
  await schema.init(); // the library's schema and pragmas, then close and write directly
  await schema.close();
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 10000');
  const insert = db.prepare(
    `INSERT INTO je_enrollments (id, tenant_id, journey_id, journey_version, customer_id, status, phase, step_id, wake_at, version,
       entered_at, ended_at, exit_reason, updated_at, data)
     VALUES (?, 'default', ?, 1, ?, 'active', 'ready', 'decide_0', ?, 1, ?, NULL, NULL, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const tx = db.transaction((e: Enrollment) => {
    insert.run(e.id, e.journeyId, e.customerId, NOW, NOW, NOW, enrollmentData(e));
  }).immediate;
  const t = performance.now();
  for (let i = 0; i < events; i++) {
    const e = {
      id: `enr_${i}`,
      journeyId: `jrn_${i % JOURNEYS}`,
      customerId: `c${i}`,
      visits: { decide_0: 1 },
      results: {},
      flags: {},
      outcomes: [],
      latestOutcome: null,
      lastSendAt: null,
      attempts: 0,
      lastError: null,
      context: { event: { type: `event_${i % JOURNEYS}`, properties: { source: 'bench' }, at: NOW } },
      deadline: NOW + 60 * 86_400_000,
    } as unknown as Enrollment;
    tx(e);
  }
  const ms = performance.now() - t;
  db.close();
  return { events, ms };
}

export async function run(): Promise<void> {
  const events = Number(process.argv.find((a, i) => i >= 2 && /^\d+$/.test(a)) ?? 4000);
  const dir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'je-bench-ingest-'));
  try {
    console.log(`${JOURNEYS} active journeys × ${STEPS} steps, one event type each; ${events} events, each enrolling a new customer`);
    const engine = await ours(dir, events);
    const raw = await floor(dir, events);
    const ratio = perSecond(engine) / perSecond(raw);
    console.log('\n| system | events | seconds | events/s | ÷ floor |');
    console.log('|---|---|---|---|---|');
    console.log(`| journey-engine ingestEvent, SQLite (file, WAL, synchronous=normal) | ${events} | ${(engine.ms / 1000).toFixed(2)} | ${perSecond(engine)} | ${share(ratio)} |`);
    console.log(`| floor: better-sqlite3, same inserts, one transaction per event | ${events} | ${(raw.ms / 1000).toFixed(2)} | ${perSecond(raw)} | 1.00 |`);
    console.log(`\nevents/s: ${perSecond(engine)} (target >= ${TARGET}: ${perSecond(engine) >= TARGET ? 'met' : 'MISSED'}); ours ÷ floor ${share(ratio)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
}
