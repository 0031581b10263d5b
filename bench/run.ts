/**
 * `npm run bench`: every benchmark module that exists, in order, each under its own header.
 * A module is skipped with a note when its file is missing; each exports `run()`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MODULES = [
  { file: 'expressions.ts', title: 'Expressions: branch-condition evaluation against filtrex, expr-eval, jexl' },
  { file: 'validation.ts', title: 'Validation: validateJourney on large journeys' },
  { file: 'ingest.ts', title: 'Event ingestion: ingestEvent on SQLite, 200 active journeys × 50 steps, against raw better-sqlite3 inserts' },
  { file: 'runtime.ts', title: 'Runtime: 100,000 customers through loan nurture, against XState v5' },
  { file: 'calendar.ts', title: 'Calendar: time-zone offsets, local times, windows and local days, against temporal-polyfill' },
  { file: 'split-assignment.ts', title: 'Split assignment: assignVariant over 100,000 customers' },
  { file: 'journey-length.ts', title: 'Journey length: one customer through 1,250 and 10,000 steps (growth)' },
  { file: 'editor-validate.ts', title: 'Editor: an edit of a 200-step journey, then validateJourney (real-time validation), against ajv' },
] as const;

for (const { file, title } of MODULES) {
  console.log(`\n${'═'.repeat(100)}\n${title}  (bench/${file})\n${'═'.repeat(100)}`);
  const url = new URL(`./${file}`, import.meta.url);
  if (!existsSync(fileURLToPath(url))) {
    console.log(`skipped: bench/${file} does not exist yet`);
    continue;
  }
  const module = (await import(url.href)) as { run?: () => Promise<unknown> };
  if (typeof module.run !== 'function') {
    console.log(`skipped: bench/${file} exports no run()`);
    continue;
  }
  await module.run();
}
