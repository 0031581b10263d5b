/**
 * The editor's real-time validation: a 200-step journey, one edit (`setField` of a branch
 * expression, through `journey-engine/editor`) followed by `validateJourney` — what the editor
 * runs on every keystroke — and the whole frame (edit, validate, diagnostics placed on nodes,
 * the graph rebuilt). Median and p99 ms over many runs; target: edit + validate < 16 ms median
 * (one frame at 60 Hz). Peer, measured in the same run: ajv (compiled) checking the same
 * document against the shipped JSON Schema — what a schema-only editor could do per keystroke;
 * it checks no expressions and no graph.
 *
 * Run: `npx tsx bench/editor-validate.ts` (or through bench/run.ts, which calls `run()`).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { diagnosticsByStep, setField, toGraph, type JourneyDraft } from '../src/editor/index.js';
import { validateJourney } from '../src/validate/index.js';
import { generateJourney } from './validation.js';

const STEPS = 200;
const RUNS = 2_000;
const TARGET_MS = 16;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Median and p99 of each `fn(i)` over `runs` calls (after a warm-up), the variants interleaved
 * call by call, so a busy machine slows them alike and the ratios hold.
 */
function measure(runs: number, variants: readonly (readonly [string, (i: number) => void])[]): [string, { median: number; p99: number }][] {
  for (let i = 0; i < 50; i++) for (const [, fn] of variants) fn(i);
  const samples = variants.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    variants.forEach(([, fn], v) => {
      const start = performance.now();
      fn(i);
      samples[v]!.push(performance.now() - start);
    });
  }
  return variants.map(([name], v) => {
    const sorted = samples[v]!.sort((a, b) => a - b);
    return [name, { median: percentile(sorted, 50), p99: percentile(sorted, 99) }];
  });
}

/** Run the benchmark and print a table. */
export async function run(): Promise<void> {
  const doc = generateJourney(STEPS + 1) as unknown as JourneyDraft;
  const steps = doc.steps.length;
  if (!validateJourney(doc).valid) throw new Error('the generated journey is invalid');
  const branches = doc.steps.map((s, i) => (s['type'] === 'branch' ? i : -1)).filter((i) => i >= 0);
  // Each edit types into a different branch; every other one is a half-typed (invalid) expression.
  const edit = (i: number): JourneyDraft => {
    const at = branches[i % branches.length]!;
    const id = doc.steps[at]!['id'] as string;
    const r = setField(doc, id, ['config', 'conditions', 0, 'expression'], i % 2 === 0 ? `customer.score > ${i % 100}` : `customer.score > ${i % 100} &&`);
    if (!r.ok) throw new Error(r.message);
    return r.doc;
  };
  let sink = 0;
  const schema = JSON.parse(readFileSync(new URL('../schema/journey.schema.json', import.meta.url), 'utf8')) as object;
  const ajv = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  const rows = measure(RUNS, [
    ['setField (the edit alone)', (i) => void (sink += edit(i).steps.length)],
    ['setField + validateJourney', (i) => void (sink += validateJourney(edit(i)).diagnostics.length)],
    [
      'frame: + diagnosticsByStep + toGraph',
      (i) => {
        const next = edit(i);
        const result = validateJourney(next);
        sink += diagnosticsByStep(result, next).steps.size + toGraph(next).edges.length;
      },
    ],
    ['toGraph alone (the canvas after the edit)', (i) => void (sink += toGraph(edit(i)).edges.length)],
    ['peer: setField + ajv (JSON Schema only)', (i) => void (sink += ajv(edit(i)) ? 1 : 0)],
  ]);
  console.log(`${steps}-step journey, ${RUNS} edits each (a branch expression, every other one half-typed), the rows interleaved`);
  console.log('what runs per edit                              median ms    p99 ms');
  for (const [name, r] of rows) console.log(`${name.padEnd(46)} ${r.median.toFixed(3).padStart(9)} ${r.p99.toFixed(3).padStart(9)}`);
  const validate = rows[1]![1];
  const peer = rows[4]![1];
  console.log(`ratio setField + validateJourney / peer ajv: ${(validate.median / peer.median).toFixed(2)} (median)`);
  console.log(`edit + validate: ${validate.median.toFixed(2)} ms median — target < ${TARGET_MS} ms: ${validate.median < TARGET_MS ? 'met' : 'NOT met'}`);
  if (sink < 0) console.log(sink);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
