/**
 * The slice of a better-sqlite3 `Database` the adapter uses, declared here so that the adapter's
 * types (`journey-engine/sqlite`'s .d.ts) never import `better-sqlite3`: a strict TypeScript host
 * compiles without `@types/better-sqlite3` (as `pg-pool.ts` does for `pg`). A better-sqlite3
 * `Database` (v11 to v13) fits; the tests check that it does.
 */

/** What running a write statement answers: the adapter reads `changes` only. */
export interface SqliteRunResult {
  readonly changes: number;
}

/** A prepared statement, with positional (`?`) or named (`@name`) parameters. */
export interface SqliteStatement {
  run(...params: unknown[]): SqliteRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  /**
   * Answer rows as arrays of column values instead of objects (better-sqlite3's `raw()`: the
   * adapter reads its hot queries so, building a row object costs more than the query). A
   * statement without it is read as objects.
   */
  raw?(toggle?: boolean): SqliteStatement;
}

/** The parameters of `F` (spelled as better-sqlite3's own types spell it, so its `Database` fits). */
type ArgumentsOf<F> = F extends (...args: infer A) => unknown ? A : never;

/** A function wrapped in a transaction: calling it runs `BEGIN`; `immediate` runs `BEGIN IMMEDIATE`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface SqliteTransaction<F extends (...args: any[]) => unknown> {
  (...args: ArgumentsOf<F>): ReturnType<F>;
  immediate(...args: ArgumentsOf<F>): ReturnType<F>;
}

/** An open SQLite connection: better-sqlite3's `Database`, or anything shaped like it. */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  transaction<F extends (...args: any[]) => unknown>(fn: F): SqliteTransaction<F>;
  close(): unknown;
}
