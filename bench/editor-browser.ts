/**
 * The editor's real-time validation in a browser: bench/editor-browser-entry.ts (edit + 
 * validateJourney on a 200-step journey) bundled with esbuild for the browser and run in Debian's
 * Chromium (playwright-core), next to the same function in Node in the same run (the ratio).
 * Target: < 16 ms median (one frame at 60 Hz).
 *
 * Run: `npx tsx bench/editor-browser.ts` (needs /usr/bin/chromium or CHROMIUM_PATH).
 */
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { measureEditValidate } from './editor-browser-entry.js';

const STEPS = 200;
const RUNS = 1_000;
const TARGET_MS = 16;

async function bundle(): Promise<string> {
  const out = await build({
    entryPoints: [new URL('./editor-browser-entry.ts', import.meta.url).pathname],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    logLevel: 'error',
    // bench/validation.ts's own CLI check reads process.argv: not a CLI here.
    define: { 'process.argv': '[]' },
    // bench/validation.ts imports node:perf_hooks and node:url for its own CLI; the browser has performance.
    plugins: [
      {
        name: 'node-stubs',
        setup(b) {
          b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'stub' }));
          b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export const performance = globalThis.performance; export const pathToFileURL = () => ({ href: "" });', loader: 'js' }));
        },
      },
    ],
  });
  return out.outputFiles[0]!.text;
}

/** Run it and print the table. */
export async function run(): Promise<void> {
  const code = await bundle();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.setContent('<!doctype html><title>bench</title>');
    await page.addScriptTag({ content: code });
    const inBrowser = await page.evaluate(([s, r]) => (globalThis as unknown as { measureEditValidate: typeof measureEditValidate }).measureEditValidate(s!, r!), [STEPS, RUNS]);
    const inNode = measureEditValidate(STEPS, RUNS);
    const version = browser.version();
    console.log(`${inBrowser.steps}-step journey, ${RUNS} edits (a branch expression, every other one half-typed), setField + validateJourney`);
    console.log('where                          median ms    p99 ms   mean ms');
    console.log(`Chromium ${version.padEnd(21)} ${inBrowser.median.toFixed(3).padStart(9)} ${inBrowser.p99.toFixed(3).padStart(9)} ${inBrowser.mean.toFixed(3).padStart(9)}`);
    console.log(`Node ${process.version.padEnd(25)} ${inNode.median.toFixed(3).padStart(9)} ${inNode.p99.toFixed(3).padStart(9)} ${inNode.mean.toFixed(3).padStart(9)}`);
    console.log(`ratio Chromium / Node (same run): ${(inBrowser.median / inNode.median).toFixed(2)} (median)`);
    console.log(`in the browser: ${inBrowser.median.toFixed(2)} ms median — target < ${TARGET_MS} ms: ${inBrowser.median < TARGET_MS ? 'met' : 'NOT met'}`);
  } finally {
    await browser.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\/bench\//, '/bench/'))) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
