/**
 * SQL statements shared by the SQL adapters, written once against a small {@link SqlDialect}:
 * what differs between databases (placeholders, table names, a list parameter, boolean
 * aggregates, JSON, upserts, the claim's locking clause) is the dialect's; the statement — its
 * columns, conditions and the order of its parameters — is the same for every database. A fourth
 * SQL adapter is mostly a dialect plus a driver that runs `(text, params)`.
 *
 * Each statement is a function of the dialect answering its text; its parameters are positional
 * (`d.param(1)` … in the order documented on the statement), so every adapter binds them alike.
 */

/** What one database's SQL spells differently. */
export interface SqlDialect {
  /** For error messages and tests. */
  readonly name: string;
  /** The n-th positional parameter (1-based; may be used more than once in a statement). */
  param(n: number): string;
  /** A table of the engine's schema, qualified as the database needs (`je_enrollments`, `"schema".je_enrollments`). */
  table(name: TableName): string;
  /**
   * A parameter holding a list of text values (bound with {@link SqlDialect.bindTextList}), as a
   * relation `alias(ord, value)`: `ord` is the element's position, for answers in request order.
   */
  textList(n: number, alias: string): string;
  /** How a list parameter is bound: a JSON array text (SQLite's json_each) or an array (Postgres). */
  bindTextList(values: readonly string[]): unknown;
  /** An aggregate: whether any row of the group satisfies `condition` (as 1/0 or true/false). */
  anyOf(condition: string): string;
  /** Read an aggregate of {@link SqlDialect.anyOf} back as a boolean. */
  isTrue(value: unknown): boolean;
  /** A number field of a JSON column, null when it is absent or not a number. */
  jsonNumber(column: string, field: string): string;
  /** `INSERT … ON CONFLICT DO NOTHING` with these columns and values. */
  insertIgnore(table: string, columns: readonly string[], values: readonly string[]): string;
  /** Appended to a claim's `SELECT` of due rows: the locking clause (`FOR UPDATE SKIP LOCKED`), or nothing for a single writer. */
  readonly lockDue: string;
}

/** The engine's tables. */
export type TableName =
  | 'je_journeys'
  | 'je_journey_versions'
  | 'je_enrollments'
  | 'je_effects'
  | 'je_customer_outcome_keys'
  | 'je_counters'
  | 'je_quarantine'
  | 'je_catalog'
  | 'je_send_slots'
  | 'je_send_rates';

/** SQLite (better-sqlite3): `?N` placeholders bound by number, json_each lists, one writer. */
export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  param: (n) => `?${n}`,
  table: (name) => name,
  textList: (n, alias) => `(SELECT key AS ord, value FROM json_each(?${n})) ${alias}`,
  bindTextList: (values) => JSON.stringify(values),
  anyOf: (condition) => `max(${condition})`,
  isTrue: (value) => value === 1 || value === 1n,
  jsonNumber: (column, field) => `CASE WHEN json_valid(${column}) AND json_type(${column}, '$.${field}') IN ('integer', 'real') THEN json_extract(${column}, '$.${field}') END`,
  insertIgnore: (table, columns, values) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${values.join(', ')}) ON CONFLICT DO NOTHING`,
  lockDue: '',
};

/** PostgreSQL (pg, PGlite): `$N` placeholders, schema-qualified tables, array lists, `SKIP LOCKED` claims. */
export function postgresDialect(schema: string): SqlDialect {
  const S = `"${schema}"`;
  return {
    name: 'postgres',
    param: (n) => `$${n}`,
    table: (name) => `${S}.${name}`,
    textList: (n, alias) => `unnest($${n}::text[]) WITH ORDINALITY AS ${alias}(value, ord)`,
    bindTextList: (values) => values,
    anyOf: (condition) => `coalesce(bool_or(${condition}), false)`,
    isTrue: (value) => value === true,
    jsonNumber: (column, field) => `CASE WHEN json_typeof(${column} -> '${field}') = 'number' THEN (${column} ->> '${field}')::double precision END`,
    insertIgnore: (table, columns, values) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${values.join(', ')}) ON CONFLICT DO NOTHING`,
    lockDue: 'FOR UPDATE SKIP LOCKED',
  };
}

/** A statement: its text in a dialect. */
export type Statement = (d: SqlDialect) => string;

/** The enrollment columns an insert writes, in the order of {@link enrollmentValues}. */
export const ENROLLMENT_INSERT_COLUMNS = [
  'id', 'tenant_id', 'journey_id', 'journey_version', 'customer_id', 'status', 'phase', 'step_id',
  'wake_at', 'version', 'entered_at', 'ended_at', 'exit_reason', 'updated_at', 'data',
] as const;

/** Params: 1 tenant id, 2 journey id. Answers `status`. */
export const journeyStatus: Statement = (d) => `SELECT status FROM ${d.table('je_journeys')} WHERE tenant_id = ${d.param(1)} AND id = ${d.param(2)}`;

/** Params: 1 tenant id, 2 journey id. Answers the journey row. */
export const journeyGet: Statement = (d) => `SELECT * FROM ${d.table('je_journeys')} WHERE tenant_id = ${d.param(1)} AND id = ${d.param(2)}`;

/** Params: 1 tenant id, 2 journey id, 3 version. Answers `definition`. */
export const versionGet: Statement = (d) =>
  `SELECT definition FROM ${d.table('je_journey_versions')} WHERE tenant_id = ${d.param(1)} AND journey_id = ${d.param(2)} AND version = ${d.param(3)}`;

/** Params: 1 enrollment id, 2 tenant id. Answers the enrollment row. */
export const enrollmentGet: Statement = (d) => `SELECT * FROM ${d.table('je_enrollments')} WHERE id = ${d.param(1)} AND tenant_id = ${d.param(2)}`;

/**
 * Params: the {@link ENROLLMENT_INSERT_COLUMNS} in order. Inserts nothing when the id exists or
 * the customer has an active enrollment in the journey (the one-active unique index).
 */
export const enrollmentInsert: Statement = (d) =>
  d.insertIgnore(d.table('je_enrollments'), ENROLLMENT_INSERT_COLUMNS, ENROLLMENT_INSERT_COLUMNS.map((_, i) => d.param(i + 1)));

/** Params: 1 tenant id, 2 customer id. Answers `active` ({@link SqlDialect.isTrue}) and `last` (ended_at or null). */
export const customerHistory: Statement = (d) =>
  `SELECT ${d.anyOf(`status = 'active'`)} AS active, max(CASE WHEN status <> 'active' THEN ended_at END) AS last
   FROM ${d.table('je_enrollments')} WHERE tenant_id = ${d.param(1)} AND customer_id = ${d.param(2)}`;

/**
 * The entry rules' facts for many customers of one journey in one statement (`entryHistories`).
 * Params: 1 tenant id, 2 journey id, 3 the customer ids (a {@link SqlDialect.textList}). One row
 * per customer id, in their order: `active`, `last` as {@link customerHistory}; `n_here`,
 * `active_id`, `active_entered`, `last_here` over the journey's enrollments that are not
 * quarantined (as `listEnrollments` lists them).
 */
export const entryHistories: Statement = (d) => {
  const E = d.table('je_enrollments');
  const here = `e.journey_id = ${d.param(2)} AND q.enrollment_id IS NULL`;
  return `SELECT c.ord AS ord, c.value AS customer_id,
      ${d.anyOf(`e.status = 'active'`)} AS active,
      max(CASE WHEN e.status <> 'active' THEN e.ended_at END) AS last,
      count(CASE WHEN ${here} THEN 1 END) AS n_here,
      max(CASE WHEN ${here} AND e.status = 'active' THEN e.id END) AS active_id,
      max(CASE WHEN ${here} AND e.status = 'active' THEN e.entered_at END) AS active_entered,
      max(CASE WHEN ${here} AND e.status <> 'active' THEN e.ended_at END) AS last_here
    FROM ${d.textList(3, 'c')}
    LEFT JOIN ${E} e ON e.tenant_id = ${d.param(1)} AND e.customer_id = c.value
    LEFT JOIN ${d.table('je_quarantine')} q ON q.enrollment_id = e.id
    GROUP BY c.ord, c.value
    ORDER BY c.ord`;
};

/** A row of {@link entryHistories} as a driver returns it. */
export interface EntryHistoryRow {
  readonly customer_id: unknown;
  readonly active: unknown;
  readonly last: unknown;
  readonly n_here: unknown;
  readonly active_id: unknown;
  readonly active_entered: unknown;
  readonly last_here: unknown;
}

/** Positional values bound as SQLite's numbered `?N` parameters (better-sqlite3 takes them as an object keyed by number). */
export function numbered(values: readonly unknown[]): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  for (let i = 0; i < values.length; i++) out[i + 1] = values[i];
  return out;
}
