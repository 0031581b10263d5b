#!/usr/bin/env node
/**
 * The `journeys` command-line tool: `journeys --help`, `validate`, `test`, `simulate`, `diagram`,
 * `serve`.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { runCli } from './run-cli.js';

// Only `serve` runs until stopped: it gets SIGINT/SIGTERM as an abort signal and shuts down
// gracefully (a second signal exits at once). Other commands keep the default behaviour.
const stop = new AbortController();
if (process.argv[2] === 'serve') {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop.abort();
      process.once(signal, () => process.exit(130));
    });
  }
}

void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path, 'utf8'),
  stderrIsTTY: process.stderr.isTTY === true,
  signal: stop.signal,
}).then((status) => {
  process.exitCode = status;
});
