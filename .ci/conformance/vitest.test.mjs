// The shipped suite under vitest, ESM entries of the installed package.
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryStorage } from 'journey-engine';
import { describeStorageConformance, describeStorageModel } from 'journey-engine/conformance';
import { postgresStorage } from 'journey-engine/postgres';
import { sqliteStorage } from 'journey-engine/sqlite';
import makeStorages from './storages.cjs';

const { storages, end } = makeStorages({ memoryStorage, sqliteStorage, postgresStorage, Database, pg });
afterAll(end);
const test = { describe, it, expect, beforeEach, afterEach };
for (const { name, factory, options } of storages) {
  describeStorageConformance(name, factory, test, options);
  // fast-check is loaded by the package (an optional peer, installed here)
  describeStorageModel(name, factory, test, { numRuns: 15 });
}
