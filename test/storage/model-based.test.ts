/**
 * The model-based test (src/conformance/model.ts, shipped as `journey-engine/conformance`) against
 * memory, SQLite and PostgreSQL: random operation sequences match a naive reference model.
 */
import * as fc from 'fast-check';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/adapters/memory/index.js';
import { sqliteStorage } from '../../src/adapters/sqlite/index.js';
import { describeStorageModel } from '../../src/conformance/index.js';
import { PG_KIND, pgHarness, type PgHarness } from './pg-harness.js';

const vitestApi = { it, expect };

describe('storage model-based', () => {
  let h: PgHarness;
  beforeAll(async () => {
    h = await pgHarness();
  });
  afterAll(async () => {
    await h.end();
  });

  // memory loads fast-check itself (the optional peer); the others are handed the module
  describeStorageModel('memory', async () => ({ storage: memoryStorage(), cleanup: async () => {} }), vitestApi, { numRuns: 150, commitMany: true });
  describeStorageModel(
    'sqlite',
    async () => {
      const database = new Database(':memory:');
      return { storage: sqliteStorage({ database }), cleanup: async () => void database.close() };
    },
    vitestApi,
    { numRuns: 100, fc, commitMany: true },
  );
  describeStorageModel(`postgres (${PG_KIND})`, () => h.make(), vitestApi, { numRuns: 30, fc, commitMany: true });
});
