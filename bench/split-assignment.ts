/**
 * Split assignment per call: `assignVariant` over 100,000 distinct customers for a 45/45/10 split.
 *
 *   npx tsx bench/split-assignment.ts
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { assignVariant } from '../src/runtime/split-assignment.js';

/** Print µs per call (median of 5 rounds of 100,000 customers) and return it. */
export async function run(): Promise<number> {
  const ids = Array.from({ length: 100_000 }, (_, i) => `customer-${i.toString(36)}-${(i * 7919) % 100_003}`);
  const weights = [45, 45, 10];
  let sink = 0;
  const samples: number[] = [];
  for (let round = 0; round < 6; round++) {
    const start = performance.now();
    for (const customerId of ids) sink += assignVariant({ journeyId: 'j_welcome_series', stepId: 'step_split', customerId, salt: '2026-q1' }, weights);
    if (round > 0) samples.push(((performance.now() - start) * 1000) / ids.length);
  }
  await Promise.resolve();
  samples.sort((a, b) => a - b);
  const median = samples[2]!;
  console.log(`assignVariant: ${median.toFixed(3)} µs per call (${(1 / median).toFixed(1)} million per second), median of 5 rounds × 100,000 customers`);
  if (sink === -1) console.log(sink); // keep the work observable
  return median;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
