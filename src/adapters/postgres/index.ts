/**
 * Postgres storage for journey-engine (`journey-engine/postgres`). Bring your own `pg.Pool` or
 * PGlite instance; this module imports neither.
 *
 * @packageDocumentation
 */
export { postgresStorage } from './postgres-storage.js';
export type { PostgresStorageOptions } from './postgres-storage.js';
export type { PgPool, PgPoolClient, PgQueryResult, PgQueryable } from './pg-pool.js';
export { PG_SCHEMA_VERSION } from './pg-migrations.js';
