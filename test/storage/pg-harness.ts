/**
 * Postgres for the storage tests: a real server when JOURNEY_TEST_PG_URL is set, else PGlite
 * in-process (so `npm test` passes on a fresh machine). Each storage gets a fresh schema
 * `je_test_<random>_<n>`, dropped on cleanup.
 */
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { postgresStorage } from '../../src/adapters/postgres/index.js';
import type { PgPool } from '../../src/adapters/postgres/index.js';
import type { Storage } from '../../src/runtime/ports.js';

export const PG_URL = process.env['JOURNEY_TEST_PG_URL'];
export const PG_KIND = PG_URL ? 'postgres server' : 'PGlite';

export interface PgHarness {
  readonly pool: PgPool;
  /** A fresh schema and a storage on it. */
  make(): Promise<{ storage: Storage; schema: string; cleanup(): Promise<void> }>;
  newSchema(): string;
  dropSchema(schema: string): Promise<void>;
  end(): Promise<void>;
}

const prefix = `je_test_${randomBytes(4).toString('hex')}`;
let counter = 0;

export async function pgHarness(): Promise<PgHarness> {
  let pool: PgPool;
  let end: () => Promise<void>;
  if (PG_URL) {
    const p = new pg.Pool({ connectionString: PG_URL, max: 8 });
    p.on('error', () => {}); // idle clients killed by the reconnect tests
    pool = p;
    end = () => p.end();
  } else {
    const lite = new PGlite();
    await lite.waitReady;
    pool = lite;
    end = () => lite.close();
  }
  const live = new Set<string>();
  const newSchema = () => {
    const schema = `${prefix}_${++counter}`;
    live.add(schema);
    return schema;
  };
  const dropSchema = async (schema: string) => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    live.delete(schema);
  };
  return {
    pool,
    newSchema,
    dropSchema,
    /** Drops the schemas a failed test left behind, then closes the connection. */
    async end() {
      for (const schema of [...live]) await dropSchema(schema).catch(() => {});
      await end();
    },
    async make() {
      const schema = newSchema();
      const storage = postgresStorage({ pool, schema });
      return {
        storage,
        schema,
        cleanup: async () => {
          await storage.close();
          await dropSchema(schema);
        },
      };
    },
  };
}
