import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../src/cli/command.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** A CliIo that collects output, reads `files` first and the repository otherwise. */
export function fakeIo(files: Record<string, string> = {}, extra: Partial<CliIo> = {}): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
    async readFile(path: string) {
      if (Object.hasOwn(files, path)) return files[path]!;
      return readFile(new URL(path, `file://${root}/`), 'utf8');
    },
    now: () => 0,
    ...extra,
  };
  return io;
}

export const SEED = 'examples/journeys/loan-nurture.seed.json';
export const GOOD = 'examples/journeys/loan-nurture.json';
