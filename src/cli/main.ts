#!/usr/bin/env node
/**
 * The `journeys` command-line tool: `journeys --help`, `journeys validate <file...> [--json]`.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { runCli } from './run-cli.js';

void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path, 'utf8'),
}).then((status) => {
  process.exitCode = status;
});
