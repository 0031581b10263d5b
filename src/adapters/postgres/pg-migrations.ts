/**
 * The Postgres schema as ordered migrations, each a list of statements (one statement per query,
 * so drivers that only speak the extended protocol, like PGlite's `query`, can run them).
 * Append only: never edit a migration that has shipped. `S` stands for the quoted schema name.
 */
export interface PgMigration {
  readonly version: number;
  readonly name: string;
  readonly statements: (schema: string) => readonly string[];
}

const ID = 'text COLLATE "C"';

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'initial schema',
    statements: (S) => [
      `CREATE TABLE ${S}.je_journeys (
        tenant_id  ${ID} NOT NULL,
        id         ${ID} NOT NULL,
        status     text NOT NULL,
        version    integer NOT NULL,
        revision   integer NOT NULL,
        created_at double precision NOT NULL,
        updated_at double precision NOT NULL,
        data       json NOT NULL,
        PRIMARY KEY (tenant_id, id))`,
      `CREATE INDEX je_journeys_by_created ON ${S}.je_journeys (tenant_id, created_at DESC, id)`,
      `CREATE TABLE ${S}.je_journey_versions (
        tenant_id  ${ID} NOT NULL,
        journey_id ${ID} NOT NULL,
        version    integer NOT NULL,
        definition json NOT NULL,
        PRIMARY KEY (tenant_id, journey_id, version))`,
      `CREATE TABLE ${S}.je_enrollments (
        id              ${ID} PRIMARY KEY,
        tenant_id       ${ID} NOT NULL,
        journey_id      ${ID} NOT NULL,
        journey_version integer NOT NULL,
        customer_id     ${ID} NOT NULL,
        status          text NOT NULL,
        phase           text NOT NULL,
        step_id         ${ID},
        wake_at         double precision,
        lease_until     double precision,
        claim_token     integer NOT NULL DEFAULT 0,
        claimed_by      text,
        version         integer NOT NULL,
        entered_at      double precision NOT NULL,
        ended_at        double precision,
        exit_reason     text,
        updated_at      double precision NOT NULL,
        data            json NOT NULL)`,
      `CREATE UNIQUE INDEX je_enrollments_one_active ON ${S}.je_enrollments (tenant_id, journey_id, customer_id) WHERE status = 'active'`,
      `CREATE INDEX je_enrollments_due ON ${S}.je_enrollments (wake_at, id) WHERE status = 'active' AND wake_at IS NOT NULL`,
      `CREATE INDEX je_enrollments_by_journey ON ${S}.je_enrollments (tenant_id, journey_id, entered_at, id)`,
      `CREATE INDEX je_enrollments_by_customer ON ${S}.je_enrollments (tenant_id, customer_id)`,
      `CREATE INDEX je_enrollments_by_entered ON ${S}.je_enrollments (tenant_id, entered_at, id)`,
      `CREATE TABLE ${S}.je_effects (
        seq             bigserial PRIMARY KEY,
        idempotency_key ${ID} NOT NULL UNIQUE,
        tenant_id       ${ID} NOT NULL,
        journey_id      ${ID} NOT NULL,
        enrollment_id   ${ID} NOT NULL,
        step_id         ${ID} NOT NULL,
        visit           integer NOT NULL,
        type            text NOT NULL,
        at              double precision NOT NULL,
        detail          json)`,
      `CREATE INDEX je_effects_by_enrollment ON ${S}.je_effects (enrollment_id, seq)`,
      `CREATE TABLE ${S}.je_outcome_keys (
        enrollment_id ${ID} NOT NULL,
        key           ${ID} NOT NULL,
        PRIMARY KEY (enrollment_id, key))`,
      `CREATE TABLE ${S}.je_counters (
        tenant_id  ${ID} NOT NULL,
        journey_id ${ID} NOT NULL,
        step_id    ${ID} NOT NULL,
        metric     ${ID} NOT NULL,
        count      bigint NOT NULL,
        PRIMARY KEY (tenant_id, journey_id, step_id, metric))`,
    ],
  },
  {
    version: 2,
    name: 'shard step counters',
    // Every commit increments the same few counter rows (journey, step, metric). With one row per
    // counter, concurrent workers queue on its row lock until the holder's commit is flushed, so
    // commits serialise on WAL flushes. A commit now adds to one of 16 shards of a counter (chosen
    // by enrollment id); readers sum the shards.
    statements: (S) => [
      `ALTER TABLE ${S}.je_counters ADD COLUMN shard smallint NOT NULL DEFAULT 0`,
      `ALTER TABLE ${S}.je_counters DROP CONSTRAINT je_counters_pkey`,
      `ALTER TABLE ${S}.je_counters ADD CONSTRAINT je_counters_pkey PRIMARY KEY (tenant_id, journey_id, step_id, metric, shard)`,
    ],
  },
  {
    version: 3,
    name: 'quarantine',
    // Enrollments whose row a claim could not read: taken out of due work (their row's wake_at is
    // set to NULL; the original is kept here) until an operator repairs them.
    statements: (S) => [
      `CREATE TABLE ${S}.je_quarantine (
        enrollment_id ${ID} PRIMARY KEY,
        tenant_id     ${ID} NOT NULL,
        journey_id    ${ID} NOT NULL,
        customer_id   ${ID} NOT NULL,
        wake_at       double precision,
        reason        text NOT NULL,
        field         text,
        at            double precision NOT NULL)`,
      `CREATE INDEX je_quarantine_by_tenant ON ${S}.je_quarantine (tenant_id, at, enrollment_id)`,
    ],
  },
  {
    version: 4,
    name: 'catalog revision',
    // One row per tenant, bumped in the same transaction as every journey write, so any process
    // can tell with one primary-key read whether the tenant's journeys changed (the engine's
    // event-trigger index checks it on every ingestEvent).
    statements: (S) => [
      `CREATE TABLE ${S}.je_catalog (
        tenant_id ${ID} PRIMARY KEY,
        revision  bigint NOT NULL)`,
    ],
  },
  {
    version: 5,
    name: 'outcome keys per customer',
    // An outcome key is unique per customer (tenant, customer, key), whichever of their
    // enrollments the outcome lands on; keys already taken keep counting.
    statements: (S) => [
      `CREATE TABLE ${S}.je_customer_outcome_keys (
        tenant_id   ${ID} NOT NULL,
        customer_id ${ID} NOT NULL,
        key         ${ID} NOT NULL,
        PRIMARY KEY (tenant_id, customer_id, key))`,
      `INSERT INTO ${S}.je_customer_outcome_keys (tenant_id, customer_id, key)
        SELECT e.tenant_id, e.customer_id, k.key FROM ${S}.je_outcome_keys k JOIN ${S}.je_enrollments e ON e.id = k.enrollment_id
        ON CONFLICT DO NOTHING`,
      `DROP TABLE ${S}.je_outcome_keys`,
    ],
  },
  {
    version: 6,
    name: 'send policies',
    // Frequency caps: one slot per send (by its idempotency key) per customer, counted while its
    // hold lasts, while its enrollment is active, or once its effect record is in je_effects; reservations of one customer are
    // serialized by a transaction-scoped advisory lock. Rate limits: per channel, the next
    // instant a send may go (a shared token bucket of depth one).
    statements: (S) => [
      `CREATE TABLE ${S}.je_send_slots (
        tenant_id   ${ID} NOT NULL,
        key         ${ID} NOT NULL,
        customer_id ${ID} NOT NULL,
        enrollment_id ${ID} NOT NULL,
        channel_id  ${ID} NOT NULL,
        at          double precision NOT NULL,
        hold_until  double precision NOT NULL,
        PRIMARY KEY (tenant_id, key))`,
      `CREATE INDEX je_send_slots_by_customer ON ${S}.je_send_slots (tenant_id, customer_id, at)`,
      `CREATE TABLE ${S}.je_send_rates (
        tenant_id  ${ID} NOT NULL,
        channel_id ${ID} NOT NULL,
        tat        double precision NOT NULL,
        PRIMARY KEY (tenant_id, channel_id))`,
    ],
  },
  {
    version: 7,
    name: 'rate-limit queue',
    // Where the next refused send of a channel is told to come back (takeToken in
    // src/runtime/token-bucket.ts): refusals come back one interval apart, not all at once.
    statements: (S) => [`ALTER TABLE ${S}.je_send_rates ADD COLUMN queue_at double precision`],
  },
];

/** Shards per step counter (migration 2). */
export const PG_COUNTER_SHARDS = 16;

/** The newest schema version this code knows. */
export const PG_SCHEMA_VERSION = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version;
