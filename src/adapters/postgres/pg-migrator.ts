/**
 * Create or migrate the PostgreSQL adapter's schema: under an advisory lock (safe when several
 * workers start at once), each migration of {@link PG_MIGRATIONS} once, recorded in
 * `journey_engine_migrations`; a schema newer than this library is refused (`schema-too-new`).
 */
import { JourneyError } from '../../model/errors.js';
import { PG_MIGRATIONS, PG_SCHEMA_VERSION } from './pg-migrations.js';
import type { PgDriver } from './pg-driver.js';

/** Bring `schema` up to {@link PG_SCHEMA_VERSION}. */
export async function migratePostgres(driver: PgDriver, schema: string): Promise<void> {
  const S = `"${schema}"`;
    await driver.tx(async (db) => {
      await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`journey-engine:${schema}`]);
      await db.query(`CREATE SCHEMA IF NOT EXISTS ${S}`);
      await db.query(`CREATE TABLE IF NOT EXISTS ${S}.journey_engine_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await db.query(`SELECT max(version) AS v FROM ${S}.journey_engine_migrations`);
      const current = rows[0]?.v === null || rows[0]?.v === undefined ? 0 : Number(rows[0].v);
      if (current > PG_SCHEMA_VERSION) {
        throw new JourneyError(
          'schema-too-new',
          `schema ${schema} has journey-engine schema version ${current}, but this version of the library knows only up to ${PG_SCHEMA_VERSION}; upgrade journey-engine`,
          { details: { found: current, supported: PG_SCHEMA_VERSION, schema: schema } },
        );
      }
      for (const m of PG_MIGRATIONS) {
        if (m.version <= current) continue;
        for (const statement of m.statements(S)) await db.query(statement);
        await db.query(`INSERT INTO ${S}.journey_engine_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      }
    });
}
