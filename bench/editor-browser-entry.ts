/**
 * What the editor runs on every keystroke — one edit (`setField` of a branch expression) and
 * `validateJourney` over a 200-step journey — as one function that runs alike in Node and, bundled
 * by bench/editor-browser.ts, in Chromium.
 */
import { setField, type JourneyDraft } from '../src/editor/index.js';
import { validateJourney } from '../src/validate/index.js';
import { generateJourney } from './validation.js';

/** Median and p99 ms of edit + validate over `runs` edits of a `steps`-step journey (after a warm-up). */
export function measureEditValidate(steps: number, runs: number): { median: number; p99: number; mean: number; steps: number } {
  const doc = generateJourney(steps + 1) as unknown as JourneyDraft;
  if (!validateJourney(doc).valid) throw new Error('the generated journey is invalid');
  const branches = doc.steps.map((s, i) => (s['type'] === 'branch' ? i : -1)).filter((i) => i >= 0);
  let sink = 0;
  const once = (i: number) => {
    const at = branches[i % branches.length]!;
    const r = setField(doc, doc.steps[at]!['id'] as string, ['config', 'conditions', 0, 'expression'], i % 2 === 0 ? `customer.score > ${i % 100}` : `customer.score > ${i % 100} &&`);
    if (!r.ok) throw new Error(r.message);
    sink += validateJourney(r.doc).diagnostics.length;
  };
  for (let i = 0; i < 50; i++) once(i);
  const samples: number[] = [];
  const begin = performance.now();
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    once(i);
    samples.push(performance.now() - start);
  }
  const mean = (performance.now() - begin) / runs;
  samples.sort((a, b) => a - b);
  const at = (p: number) => samples[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)]!;
  if (sink < 0) console.log(sink);
  return { median: at(50), p99: at(99), mean, steps: doc.steps.length };
}

(globalThis as { measureEditValidate?: typeof measureEditValidate }).measureEditValidate = measureEditValidate;
