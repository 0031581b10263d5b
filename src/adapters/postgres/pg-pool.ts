/**
 * The slice of a Postgres client the adapter uses, declared here so the adapter never imports
 * `pg` (like Kysely's `postgres-dialect-config.ts`). `pg.Pool` fits, and so does PGlite
 * (`@electric-sql/pglite`: `query` without `connect`) or any pool-shaped object.
 */

/** The result the adapter reads: rows only (it uses `RETURNING` rather than `rowCount`). */
export interface PgQueryResult {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly rows: any[];
  readonly rowCount?: number | null;
}

/** Something that runs one parameterised statement (`$1`, `$2`, …). */
export interface PgQueryable {
  query(text: string, params?: unknown[]): Promise<PgQueryResult>;
}

/** A client checked out of a pool for one transaction. */
export interface PgPoolClient extends PgQueryable {
  /** Give the client back; with an error the pool discards it instead of reusing it. */
  release(err?: Error | boolean): void;
  /**
   * pg clients are event emitters: a connection that drops while the client is checked out emits
   * `error`, which would crash the process without a listener. The adapter listens while it holds
   * the client and then releases it with that error.
   */
  on?(event: 'error', listener: (err: Error) => void): unknown;
  removeListener?(event: 'error', listener: (err: Error) => void): unknown;
}

/**
 * What `postgresStorage` needs. With `connect` (pg.Pool), each transaction runs on its own
 * client. Without it (PGlite: one session), transactions are serialised inside the adapter.
 */
export interface PgPool extends PgQueryable {
  connect?(): Promise<PgPoolClient>;
}
