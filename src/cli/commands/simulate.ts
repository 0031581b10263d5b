import { createEngine, JourneyError, memoryStorage, systemClock, virtualClock, type JourneyDocument } from '../../index.js';
import { memoryProfiles, scriptedDecisions, type ProfileSeed } from '../../testing.js';
import { EXIT } from '../command.js';
import { parseCommandLine } from '../parse-command-line.js';
import type { CliIo, Command } from '../command.js';
import { loadJourney, parseNdjson, readText, reportError } from '../journey-file.js';
import { formatMs, progressBar, table } from '../print.js';
import { DEFAULT_RATES, scriptedResponse, syntheticCustomers } from '../synthetic-customers.js';

const USAGE = `Usage: journeys simulate <journey.json> --customers <N | file.ndjson> [--seed n] [--start ISO] [--json]

Run many customers through a journey on one in-memory engine with a virtual clock, jumping
from wake-up to wake-up, and print the per-step funnel and the exit reasons.

Synthetic customers (--customers N) are deterministic for a seed: 80% are in one of the
journey's entry segments, with attributes age, tier, region and income. Each send gets a
scripted response: 10% convert, 25% click, the rest nothing. With a file, each line is a
customer {"id":"c1","segments":[...],"attributes":{...}}; responses are scripted the same way.

Options:
  --customers <N|file>  how many synthetic customers (1..1000000), or an NDJSON file of customers
  --seed <n>            random seed (default 1)
  --start <ISO>         when the customers enter (default 2026-01-01T00:00:00Z)
  --json                print the result as JSON
  -h, --help            show this help
`;

/** What `journeys simulate` measures. */
export interface SimulationReport {
  readonly journey: string;
  readonly customers: number;
  readonly enrolled: number;
  readonly notEnrolled: Readonly<Record<string, number>>;
  /**
   * Per step: visits, visits that did the step's work, visits skipped by reason (a send with no
   * offer), and what the step noted, by note (a split's `variant:A`), when it noted anything.
   */
  readonly steps: ReadonlyArray<{
    stepId: string;
    type: string;
    entered: number;
    completed: number;
    skipped: Readonly<Record<string, number>>;
    noted?: Readonly<Record<string, number>>;
  }>;
  readonly completed: number;
  readonly exited: Readonly<Record<string, number>>;
  readonly failed: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly simulatedDays: number;
  readonly wallMs: number;
}

function customersFrom(list: unknown[], source: string): ProfileSeed[] {
  return list.map((c, i) => {
    const p = c as ProfileSeed;
    if (p === null || typeof p !== 'object' || typeof p.id !== 'string' || p.id === '') {
      throw new JourneyError('invalid-customer', `${source} line ${i + 1}: a customer is {"id": "...", "segments"?: [...], "attributes"?: {...}}`, { path: [i] });
    }
    return p;
  });
}

/** Run the simulation (exported for tests). */
export async function runSimulation(
  journey: JourneyDocument,
  customers: readonly ProfileSeed[],
  options: { seed: number; start?: string; io?: CliIo },
): Promise<SimulationReport> {
  const now = options.io?.now ?? systemClock().now;
  const began = now();
  const clock = virtualClock(options.start ?? Date.UTC(2026, 0, 1));
  const startAt = clock.now();
  let counter = 0;
  const sendsTo = new Map<string, number>();
  const outcomes: Record<string, number> = {};
  const pending: Array<{ customerId: string; type: string; key: string }> = [];
  const engine = createEngine({
    storage: memoryStorage(),
    clock,
    profiles: memoryProfiles(customers),
    decisions: scriptedDecisions(),
    channels: { send: async () => ({}) },
    newId: (kind) => `${kind === 'journey' ? 'jrn' : 'enr'}_${++counter}`,
  });
  engine.events.on('sent', ({ enrollment, idempotencyKey }) => {
    const n = (sendsTo.get(enrollment.customerId) ?? 0) + 1;
    sendsTo.set(enrollment.customerId, n);
    const type = scriptedResponse(options.seed, enrollment.customerId, n, DEFAULT_RATES);
    if (type) pending.push({ customerId: enrollment.customerId, type, key: `sim:${idempotencyKey}` });
  });
  const { id } = await engine.createJourney({ ...journey, status: 'active' });
  const notEnrolled: Record<string, number> = {};
  let enrolled = 0;
  for (let i = 0; i < customers.length; i += 1000) {
    const batch = customers.slice(i, i + 1000).map((c) => c.id);
    const result = await engine.enroll(id, { customerIds: batch });
    enrolled += result.enrolled.length;
    for (const s of result.skipped) notEnrolled[s.reason] = (notEnrolled[s.reason] ?? 0) + 1;
  }

  const tty = options.io?.stderrIsTTY === true;
  let lastDrawn = -1;
  const draw = async (force = false) => {
    if (!tty || !options.io) return;
    const { total: active } = await engine.listEnrollments({ status: 'active', limit: 1 });
    const done = enrolled - active;
    if (force || done - lastDrawn >= Math.max(1, Math.floor(enrolled / 100))) {
      lastDrawn = done;
      options.io.stderr(progressBar(done, enrolled));
    }
  };
  for (let i = 0; i < 1_000_000; i++) {
    while ((await engine.runDue({ limit: 1000 })).processed > 0) {
      // keep going until nothing is due now
    }
    while (pending.length > 0) {
      const o = pending.shift()!;
      outcomes[o.type] = (outcomes[o.type] ?? 0) + 1;
      await engine.recordOutcome({ customerId: o.customerId, journeyId: id, type: o.type, idempotencyKey: o.key });
    }
    await draw();
    const next = await engine.nextWakeAt();
    if (next === null) break;
    if (next > clock.now()) clock.set(next);
  }
  await draw(true);
  if (tty && options.io) options.io.stderr('\n');

  const stats = await engine.stats(id);
  await engine.close();
  return {
    journey: journey.name,
    customers: customers.length,
    enrolled,
    notEnrolled,
    steps: stats.steps.map((s) => {
      const row = { stepId: s.stepId, type: s.type, entered: s.entered, completed: s.completed, skipped: s.skipped };
      return Object.keys(s.noted).length === 0 ? row : { ...row, noted: s.noted };
    }),
    completed: stats.completed,
    exited: stats.exited,
    failed: stats.failed,
    outcomes,
    simulatedDays: Math.round(((clock.now() - startAt) / 86_400_000) * 10) / 10,
    wallMs: now() - began,
  };
}

function pct(n: number, of: number): string {
  return of === 0 ? '—' : `${((n / of) * 100).toFixed(1)}%`;
}

/** The report as text: the funnel table, then how enrollments ended. */
export function formatReport(r: SimulationReport): string {
  const lines = [`${r.journey}: ${r.customers} customers, ${r.enrolled} enrolled${Object.keys(r.notEnrolled).length ? ` (not enrolled: ${Object.entries(r.notEnrolled).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`, ''];
  const skipped = (s: SimulationReport['steps'][number]) => Object.values(s.skipped).reduce((a, b) => a + b, 0);
  lines.push(...table(['step', 'type', 'entered', 'completed', 'skipped', 'of enrolled'], r.steps.map((s) => [s.stepId, s.type, s.entered, s.completed, skipped(s), pct(s.entered, r.enrolled)])));
  for (const s of r.steps) {
    if (s.noted === undefined) continue;
    lines.push(`noted at ${s.stepId}: ${Object.entries(s.noted).map(([note, n]) => `${note} ${n} (${pct(n, s.entered)})`).join(', ')}`);
  }
  lines.push('');
  lines.push(`completed: ${r.completed} (${pct(r.completed, r.enrolled)})`);
  for (const [reason, n] of Object.entries(r.exited)) lines.push(`exited (${reason}): ${n} (${pct(n, r.enrolled)})`);
  if (r.failed > 0) lines.push(`failed: ${r.failed}`);
  lines.push(`outcomes: ${Object.entries(r.outcomes).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  lines.push(`simulated ${r.simulatedDays} days in ${formatMs(r.wallMs)} wall time`);
  return `${lines.join('\n')}\n`;
}

/** `journeys simulate`: many customers, one engine, a virtual clock. */
export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'run many synthetic customers through a journey and print the funnel',
  usage: USAGE,
  async run(argv, io) {
    const options = { customers: { type: 'string' }, seed: { type: 'string' }, start: { type: 'string' }, json: { type: 'boolean' } } as const;
    const parsed = parseCommandLine({ name: 'simulate', usage: USAGE }, argv, options, io);
    if (typeof parsed === 'number') return parsed;
    const { values, positionals } = parsed;
    const seed = values.seed === undefined ? 1 : Number(values.seed);
    if (positionals.length !== 1 || values.customers === undefined || !Number.isSafeInteger(seed)) {
      io.stderr(`journeys simulate: name one journey file and --customers (and an integer --seed).\n\n${USAGE}`);
      return EXIT.usage;
    }
    if (values.start !== undefined && !Number.isFinite(Date.parse(values.start))) {
      io.stderr(`journeys simulate: --start "${values.start}" is not an ISO-8601 date-time.\n`);
      return EXIT.usage;
    }
    try {
      const journey = await loadJourney(positionals[0]!, io);
      let customers: ProfileSeed[];
      if (/^\d+$/.test(values.customers)) {
        const n = Number(values.customers);
        if (n < 1 || n > 1_000_000) {
          io.stderr('journeys simulate: --customers must be from 1 to 1000000.\n');
          return EXIT.usage;
        }
        customers = syntheticCustomers(n, seed, journey);
      } else {
        customers = customersFrom(parseNdjson(await readText(values.customers, io), values.customers), values.customers);
      }
      const report = await runSimulation(journey, customers, { seed, ...(values.start ? { start: values.start } : {}), io });
      io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      return EXIT.ok;
    } catch (error) {
      return reportError(io, 'simulate', error);
    }
  },
};
