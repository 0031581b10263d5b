/**
 * validateJourney on generated 100 / 1,000 / 10,000-step journeys: median time per call and
 * the growth ratio (10k / 1k; linear ≈ 10). Target: 10,000 steps under 20 ms median.
 *
 * Run: `npx tsx bench/validation.ts` (or through bench/run.ts, which calls `run()`).
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { validateJourney } from '../src/validate/index.js';
import { checkExpressions } from '../src/validate/analyses/expressions.js';
import { parseJourneyDocument } from '../src/validate/schema-diagnostics.js';

const EXPRESSIONS = [
  (i: number) => `outcome == 'conversion' && customer.score > ${i % 97}`,
  (i: number) => `'vip_${i % 13}' in segments || outcome == 'click'`,
  (i: number) => `results.offer_${i} != null && len(outcomes) < ${(i % 7) + 2}`,
  (i: number) => `customer.country == 'GB' ? customer.age >= ${18 + (i % 5)} : outcome == 'save'`,
];

/**
 * A realistic journey of about `size` steps: blocks of decide → send → wait → branch → update,
 * where branches test varied expressions, jump ahead, loop back through their wait, or exit.
 */
export function generateJourney(size: number): Record<string, unknown> {
  const blocks = Math.max(1, Math.floor((size - 1) / 5));
  const steps: Record<string, unknown>[] = [];
  for (let b = 0; b < blocks; b++) {
    const ahead = Math.min(blocks - 1, b + 1 + (b % 3));
    steps.push(
      { id: `decide_${b}`, type: 'decide', config: { decisionFlowId: `df_${b % 10}`, maxOffers: 1, storeResultAs: `offer_${b}` } },
      { id: `send_${b}`, type: 'send', config: { channelId: b % 2 ? 'ch_email' : 'ch_push', creativeId: `cr_${b}`, resultSource: `offer_${b}` } },
      { id: `wait_${b}`, type: 'wait', config: { duration: (b % 4) + 1, unit: 'hours' } },
      {
        id: `branch_${b}`,
        type: 'branch',
        config: {
          conditions: [
            { label: 'Converted', expression: EXPRESSIONS[0]!(b), targetStepId: 'thank_you' },
            { label: 'Jump', expression: EXPRESSIONS[(b % 3) + 1]!(b), targetStepId: `decide_${ahead}` },
            { label: 'Deferred', expression: "outcome == 'defer'", targetStepId: `wait_${b}` },
          ],
          ...(b % 2 === 0 ? { defaultTargetStepId: `update_${b}` } : {}),
        },
      },
      {
        id: `update_${b}`,
        type: 'update',
        config: { operations: [{ type: 'set_attribute', key: 'stage', value: `block_${b}` }, { type: 'add_segment', segment: `seg_${b % 20}` }] },
      },
    );
  }
  steps.push({
    id: 'thank_you',
    type: 'update',
    config: { operations: [{ type: 'add_segment', segment: 'converted' }] },
    next: null,
  });
  return {
    name: `Generated ${steps.length}-step journey`,
    description: 'benchmark',
    maxDuration: 365,
    status: 'draft',
    entryConditions: { segments: ['all'] },
    steps,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function time(fn: () => void, iterations: number): number {
  for (let i = 0; i < Math.min(5, iterations); i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

/** Run the benchmark and print a table. */
export async function run(): Promise<void> {
  const sizes = [100, 1_000, 10_000];
  const rows: { steps: number; total: number; schema: number; expressions: number; diagnostics: number }[] = [];
  for (const size of sizes) {
    const doc = generateJourney(size);
    const check = validateJourney(doc);
    if (!check.valid) throw new Error(`generated journey is invalid: ${JSON.stringify(check.diagnostics.slice(0, 3))}`);
    const iterations = size >= 10_000 ? 40 : size >= 1_000 ? 100 : 300;
    const total = time(() => validateJourney(doc), iterations);
    const schema = time(() => parseJourneyDocument(doc), iterations);
    const parsed = parseJourneyDocument(doc).steps;
    const expressions = time(() => checkExpressions(parsed, {}, []), iterations);
    rows.push({ steps: (doc['steps'] as unknown[]).length, total, schema, expressions, diagnostics: check.diagnostics.length });
  }
  console.log('validateJourney — median per call');
  console.log('steps     median ms   schema ms   expressions ms   graph+rest ms   diagnostics');
  for (const r of rows) {
    const rest = Math.max(0, r.total - r.schema - r.expressions);
    console.log(
      `${String(r.steps).padEnd(9)} ${r.total.toFixed(3).padStart(9)}   ${r.schema.toFixed(3).padStart(9)}   ${r.expressions.toFixed(3).padStart(14)}   ${rest.toFixed(3).padStart(13)}   ${r.diagnostics}`,
    );
  }
  console.log('(schema, expressions: each timed on its own; graph+rest = median minus both)');
  const k1 = rows[1]!;
  const k10 = rows[2]!;
  console.log(`growth 10k/1k: ${(k10.total / k1.total).toFixed(2)} (linear ≈ 10)`);
  console.log(`10k steps: ${k10.total.toFixed(2)} ms median — target < 20 ms: ${k10.total < 20 ? 'met' : 'NOT met'}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
