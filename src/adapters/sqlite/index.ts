/**
 * SQLite storage for journey-engine (`journey-engine/sqlite`). Requires the optional peer
 * dependency `better-sqlite3`.
 *
 * @packageDocumentation
 */
export { sqliteStorage } from './sqlite-storage.js';
export type { SqliteDatabaseOptions, SqliteFileOptions, SqliteStorageOptions, SqliteStorageTuning } from './sqlite-storage.js';
export type { SqliteDatabase, SqliteStatement, SqliteRunResult, SqliteTransaction } from './sqlite-database.js';
export { SQLITE_SCHEMA_VERSION } from './sqlite-migrations.js';
