/**
 * The SQLite schema, as an ordered list of migrations. Append only: never edit a migration that
 * has shipped; add a new one. The applied versions are recorded in `journey_engine_migrations`.
 *
 * Indexes are chosen so that a commit (the hot path) rewrites few b-tree pages: a commit changes
 * only the `one_active` and `due` index columns; the listing indexes use columns that never
 * change after insert.
 */
export interface SqliteMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE je_journeys (
  tenant_id  TEXT NOT NULL,
  id         TEXT NOT NULL,
  status     TEXT NOT NULL,
  version    INTEGER NOT NULL,
  revision   INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  data       TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;
CREATE INDEX je_journeys_by_created ON je_journeys (tenant_id, created_at DESC, id);

CREATE TABLE je_journey_versions (
  tenant_id  TEXT NOT NULL,
  journey_id TEXT NOT NULL,
  version    INTEGER NOT NULL,
  definition TEXT NOT NULL,
  PRIMARY KEY (tenant_id, journey_id, version)
) WITHOUT ROWID;

CREATE TABLE je_enrollments (
  id              TEXT PRIMARY KEY NOT NULL,
  tenant_id       TEXT NOT NULL,
  journey_id      TEXT NOT NULL,
  journey_version INTEGER NOT NULL,
  customer_id     TEXT NOT NULL,
  status          TEXT NOT NULL,
  phase           TEXT NOT NULL,
  step_id         TEXT,
  wake_at         INTEGER,
  lease_until     INTEGER,
  claim_token     INTEGER NOT NULL DEFAULT 0,
  claimed_by      TEXT,
  version         INTEGER NOT NULL,
  entered_at      INTEGER NOT NULL,
  ended_at        INTEGER,
  exit_reason     TEXT,
  updated_at      INTEGER NOT NULL,
  data            TEXT NOT NULL
);
CREATE UNIQUE INDEX je_enrollments_one_active ON je_enrollments (tenant_id, journey_id, customer_id) WHERE status = 'active';
CREATE INDEX je_enrollments_due ON je_enrollments (wake_at, id) WHERE status = 'active' AND wake_at IS NOT NULL;
CREATE INDEX je_enrollments_by_journey ON je_enrollments (tenant_id, journey_id, entered_at, id);
CREATE INDEX je_enrollments_by_customer ON je_enrollments (tenant_id, customer_id);
CREATE INDEX je_enrollments_by_entered ON je_enrollments (tenant_id, entered_at, id);

CREATE TABLE je_effects (
  seq             INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  tenant_id       TEXT NOT NULL,
  journey_id      TEXT NOT NULL,
  enrollment_id   TEXT NOT NULL,
  step_id         TEXT NOT NULL,
  visit           INTEGER NOT NULL,
  type            TEXT NOT NULL,
  at              INTEGER NOT NULL,
  detail          TEXT
);
CREATE INDEX je_effects_by_enrollment ON je_effects (enrollment_id, seq);

CREATE TABLE je_outcome_keys (
  enrollment_id TEXT NOT NULL,
  key           TEXT NOT NULL,
  PRIMARY KEY (enrollment_id, key)
) WITHOUT ROWID;

CREATE TABLE je_counters (
  tenant_id  TEXT NOT NULL,
  journey_id TEXT NOT NULL,
  step_id    TEXT NOT NULL,
  metric     TEXT NOT NULL,
  count      INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, journey_id, step_id, metric)
) WITHOUT ROWID;
`,
  },
  {
    version: 2,
    name: 'quarantine',
    // Enrollments whose row a claim could not read: taken out of due work (their row's wake_at is
    // set to NULL; the original is kept here) until an operator repairs them.
    sql: `
CREATE TABLE je_quarantine (
  enrollment_id TEXT PRIMARY KEY NOT NULL,
  tenant_id     TEXT NOT NULL,
  journey_id    TEXT NOT NULL,
  customer_id   TEXT NOT NULL,
  wake_at       INTEGER,
  reason        TEXT NOT NULL,
  field         TEXT,
  at            INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX je_quarantine_by_tenant ON je_quarantine (tenant_id, at, enrollment_id);
`,
  },
  {
    version: 3,
    name: 'catalog revision',
    // One row per tenant, bumped in the same transaction as every journey write, so any process
    // can tell with one primary-key read whether the tenant's journeys changed (the engine's
    // event-trigger index checks it on every ingestEvent).
    sql: `
CREATE TABLE je_catalog (
  tenant_id TEXT PRIMARY KEY NOT NULL,
  revision  INTEGER NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    version: 4,
    name: 'outcome keys per customer',
    // An outcome key is unique per customer (tenant, customer, key), whichever of their
    // enrollments the outcome lands on; keys already taken keep counting.
    sql: `
CREATE TABLE je_customer_outcome_keys (
  tenant_id   TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  key         TEXT NOT NULL,
  PRIMARY KEY (tenant_id, customer_id, key)
) WITHOUT ROWID;
INSERT OR IGNORE INTO je_customer_outcome_keys (tenant_id, customer_id, key)
  SELECT e.tenant_id, e.customer_id, k.key FROM je_outcome_keys k JOIN je_enrollments e ON e.id = k.enrollment_id;
DROP TABLE je_outcome_keys;
`,
  },
  {
    version: 5,
    name: 'send policies',
    // Frequency caps: one slot per send (by its idempotency key) per customer, counted while its
    // hold lasts, while its enrollment is active, or once its effect record is in je_effects. Rate limits: the next instant a
    // channel may send (in-process buckets are enough for one writer, but the row lets several
    // processes on one file share it).
    sql: `
CREATE TABLE je_send_slots (
  tenant_id   TEXT NOT NULL,
  key         TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  enrollment_id TEXT NOT NULL,
  channel_id  TEXT NOT NULL,
  at          INTEGER NOT NULL,
  hold_until  INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, key)
) WITHOUT ROWID;
CREATE INDEX je_send_slots_by_customer ON je_send_slots (tenant_id, customer_id, at);
CREATE TABLE je_send_rates (
  tenant_id  TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  tat        REAL NOT NULL,
  PRIMARY KEY (tenant_id, channel_id)
) WITHOUT ROWID;
`,
  },
  {
    version: 6,
    name: 'rate-limit queue',
    // Where the next refused send of a channel is told to come back (takeToken in
    // src/runtime/token-bucket.ts): refusals come back one interval apart, not all at once.
    sql: `ALTER TABLE je_send_rates ADD COLUMN queue_at REAL;`,
  },
];

/** The newest schema version this code knows. */
export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1]!.version;
