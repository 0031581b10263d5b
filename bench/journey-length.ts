/**
 * Running one customer through a long journey: time against the journey's length.
 *
 * - `simulate` of an alternating update → wait(1 minute) chain (one profile effect and one
 *   wake-up per two steps), 1,250 and 10,000 steps, through the real engine in memory.
 * - `advance` of a straight chain of instant steps (branches and flag updates) in ONE advance,
 *   1,250 and 10,000 steps: the interpreter's own loop.
 *
 * Prints each time and the growth 10,000 / 1,250 (linear ≈ 8, quadratic ≈ 64), and whether it
 * is linear (growth ≤ 16). Target: both cases linear.
 *
 * Both are linear. Only steps on a cycle of the journey graph keep a visit count in the
 * enrollment (a step on no cycle is entered once, its visit is 1), so an acyclic journey's
 * `visits` stays `{}` and no advance copies a record that grows with the run. Before that, every
 * advance returned a complete new `visits` record (one entry per distinct step entered) and the
 * update/wait chain was quadratic: 0.27 s for 1,250 steps, 13.1 s for 10,000 (growth 49); now
 * 0.06 s and 0.23 s. Still copied once per advance: `results` (per decide) and `flags` — records
 * of a journey's few result keys and flags, not of its length.
 *
 * Run: `npx tsx bench/journey-length.ts` (or through bench/run.ts, which calls `run()`).
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { journeyDocumentSchema } from '../src/model/schema.js';
import { compileJourney } from '../src/runtime/compile-journey.js';
import { advance, createEnrollment } from '../src/runtime/interpreter.js';
import { simulate } from '../src/simulate/simulate.js';

const SIZES = [1_250, 10_000] as const;
/** The growth 10,000 / 1,250 accepted as linear (8 is exact; timing noise and GC allow up to 2× that). */
const LINEAR_ENOUGH = 16;

/** `n` steps alternating an update (a profile effect) and a one-minute wait. */
export function updateWaitChain(n: number): Record<string, unknown> {
  const steps = Array.from({ length: n }, (_, i) =>
    i % 2 === 0
      ? { id: `u${i}`, type: 'update', config: { operations: [{ type: 'set_attribute', key: 'k', value: i }] } }
      : { id: `w${i}`, type: 'wait', config: { duration: 1, unit: 'minutes' } },
  );
  return { name: `update/wait chain of ${n}`, maxDuration: 365, steps };
}

/** `n` instant steps: branches whose condition does not match, and flag-only updates. */
export function instantChain(n: number): Record<string, unknown> {
  const id = (i: number) => (i % 2 === 0 ? `b${i}` : `u${i}`);
  const steps = Array.from({ length: n }, (_, i) =>
    i % 2 === 0
      ? { id: id(i), type: 'branch', config: { conditions: i + 1 < n ? [{ expression: "outcome == 'click'", targetStepId: id(i + 1) }] : [] } }
      : { id: id(i), type: 'update', config: { operations: [{ type: 'set_flag', flag: `f${i}` }] } },
  );
  return { name: `instant chain of ${n}`, maxDuration: 30, steps };
}

async function seconds(work: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}

export async function run(): Promise<void> {
  const rows: { what: string; times: number[] }[] = [];

  const simulated: number[] = [];
  for (const n of SIZES) {
    const doc = updateWaitChain(n);
    simulated.push(
      await seconds(async () => {
        const result = await simulate(doc);
        if (result.status !== 'completed') throw new Error(`simulate of ${n} steps ended ${result.status}`);
      }),
    );
  }
  rows.push({ what: 'simulate, update/wait chain', times: simulated });

  const instant: number[] = [];
  for (const n of SIZES) {
    const doc = journeyDocumentSchema.parse(instantChain(n));
    const journey = compileJourney({ id: 'j', tenantId: 't', name: 'chain', version: 1 }, doc);
    const e = createEnrollment(journey, { id: 'e', customerId: 'c' }, 0);
    instant.push(
      await seconds(() => {
        for (let i = 0; i < 5; i++) {
          if (advance(journey, e, { type: 'wake' }, 0).enrollment.status !== 'completed') throw new Error('instant chain did not complete');
        }
      }) / 5,
    );
  }
  rows.push({ what: 'advance, instant chain (one advance)', times: instant });

  console.log(`${'case'.padEnd(40)} ${SIZES.map((n) => `${n.toLocaleString('en')} steps`.padStart(14)).join(' ')}   growth 10k/1.25k (linear ≈ 8, quadratic ≈ 64)`);
  for (const { what, times } of rows) {
    const growth = times[1]! / times[0]!;
    const verdict = growth <= LINEAR_ENOUGH ? 'linear' : 'NOT linear';
    console.log(`${what.padEnd(40)} ${times.map((t) => `${t.toFixed(3)} s`.padStart(14)).join(' ')}   ${growth.toFixed(1)} (${verdict})`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
