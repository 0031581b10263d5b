// The shipped suite under node:test with the package's assertExpect, CommonJS entries of the
// installed package. vitest is not installed when this runs: the suite must not need it.
'use strict';
const { after, afterEach, beforeEach, describe, it } = require('node:test');
const Database = require('better-sqlite3');
const pg = require('pg');
const { memoryStorage } = require('journey-engine');
const { assertExpect, describeStorageConformance, describeStorageModel } = require('journey-engine/conformance');
const { postgresStorage } = require('journey-engine/postgres');
const { sqliteStorage } = require('journey-engine/sqlite');
const makeStorages = require('./storages.cjs');

const { storages, end } = makeStorages({ memoryStorage, sqliteStorage, postgresStorage, Database, pg });
after(end);
const test = { describe, it, beforeEach, afterEach, expect: assertExpect };
for (const { name, factory, options } of storages) {
  describeStorageConformance(name, factory, test, options);
  describeStorageModel(name, factory, test, { numRuns: 15 });
}
