/**
 * The three storages an engine test can run on: memory, SQLite (a temporary file) and PostgreSQL
 * (a real server when JOURNEY_TEST_PG_URL is set, else PGlite), each fresh per call.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { memoryStorage } from '../../src/adapters/memory/index.js';
import { sqliteStorage } from '../../src/adapters/sqlite/index.js';
import type { Storage } from '../../src/runtime/ports.js';
import { pgHarness, type PgHarness } from '../storage/pg-harness.js';

export interface StorageKind {
  readonly name: 'memory' | 'sqlite' | 'postgres';
  /** A fresh, empty storage (closed by the engine's `close`). */
  make(): Promise<Storage>;
}

let pg: Promise<PgHarness> | undefined;
const dirs: string[] = [];

afterAll(async () => {
  if (pg) await (await pg).end();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

export const STORAGE_KINDS: readonly StorageKind[] = [
  { name: 'memory', make: async () => memoryStorage() },
  {
    name: 'sqlite',
    make: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'je-test-'));
      dirs.push(dir);
      return sqliteStorage({ filename: join(dir, 'journeys.db') });
    },
  },
  {
    name: 'postgres',
    make: async () => {
      pg ??= pgHarness();
      return (await (await pg).make()).storage;
    },
  },
];
