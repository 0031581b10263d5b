import { JourneyError } from '../../model/errors.js';
import type { JourneyStatus } from '../../model/status.js';
import type { JourneyDefinition, JourneyRecord } from '../../model/types.js';
import type {
  Claim,
  Commit,
  CommitResult,
  EffectAppend,
  EffectRecord,
  EnrollmentQuery,
  EntryHistory,
  NewEnrollmentEntry,
  QuarantinedEnrollment,
  StepCounter,
  StepStats,
  Storage,
  SendSlotRequest,
  SendSlotResult,
  SendTokenRequest,
} from '../../runtime/ports.js';
import { decideSendSlot, oldestCounted, SEND_SLOT_PRUNE_BATCH, storedSlot } from '../storage-common/send-slots.js';
import type { Enrollment, ExitReason } from '../../runtime/types.js';
import {
  type EffectRow,
  type EnrollmentRow,
  type JourneyRow,
  decodeDefinition,
  decodeEffect,
  decodeEnrollment,
  decodeJourney,
  checkRepairedEnrollment,
  decodeQuarantine,
  decodeJourneyStatus,
  decodeToken,
  decodeEntryHistory,
  definitionData,
  enrollmentValues,
  effectDetail,
  enrollmentData,
  quarantineEntry,
  type QuarantineRow,
} from '../storage-common/rows.js';
import {
  JOURNEY_LEVEL_STEP,
  aggregateCounters,
  buildStats,
  checkRepair,
  checkRevision,
  compareIds,
  definitionOf,
  refusal,
} from '../storage-common/storage-rules.js';
import { guardBundledStorage } from '../../runtime/storage-guard.js';
import { ENROLLMENT_INSERT_COLUMNS, postgresDialect, type EntryHistoryRow, type SqlDialect } from '../sql/statements.js';
import { PgDriver } from './pg-driver.js';
import { counterShard, hash53 } from './pg-keys.js';
import { migratePostgres } from './pg-migrator.js';
import { journeyParams, PAUSED_DEADLINE, stateParams, statementsIn, tableNames, updateParams } from './pg-sql.js';
import { pgCommitMany, storedIdentityOf } from './pg-commit-many.js';
import type { PgPool, PgQueryable, PgQueryResult } from './pg-pool.js';

/** Options for {@link postgresStorage}. */
export interface PostgresStorageOptions {
  /** A `pg.Pool`, a PGlite instance, or anything with the same `query` (and optionally `connect`). */
  readonly pool: PgPool;
  /** The schema holding the tables (created if missing). Default `journey_engine`. */
  readonly schema?: string;
  /**
   * Run the hot commit statements (`commit`'s, and `commitMany`'s batch statement) as named
   * prepared statements (pg's `{ name, text, values }` query config), so each connection parses
   * and plans them once instead of on every step or batch. Default:
   * on for a `pg.Pool` (recognised by its `totalCount` and `idleCount`), off for anything else
   * (PGlite, pool-shaped wrappers whose `query` takes only text). Set it explicitly for a wrapper
   * that passes pg's query config through; turn it off behind PgBouncer in transaction mode
   * without `max_prepared_statements`.
   */
  readonly namedStatements?: boolean;
}

/**
 * Durable storage in Postgres, for any number of workers on any number of hosts. Claims use
 * `FOR UPDATE SKIP LOCKED`, so workers never block each other nor claim the same enrollment;
 * every claim bumps a fencing token. All times come from the arguments (the injected clock),
 * never from the database's `now()`.
 *
 * The adapter never imports `pg`: pass a `pg.Pool` (each transaction runs on its own client; a
 * client whose connection broke is released with the error so the pool drops it), or a PGlite
 * instance (one session: the adapter serialises its transactions — use one adapter per PGlite).
 * `init()` creates or migrates the schema under an advisory lock (safe when several workers start
 * at once) and refuses a schema newer than this library (`schema-too-new`). Rows are checked on
 * read (`corrupt-row`). `close()` does not end the pool: the host owns it.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { postgresStorage } from 'journey-engine/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * pool.on('error', (err) => log.warn(err)); // idle clients may drop; the pool replaces them
 * const storage = postgresStorage({ pool, schema: 'journeys' });
 * await storage.init();
 * ```
 *
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite';
 * const storage = postgresStorage({ pool: new PGlite() }); // in-process, for tests and demos
 * ```
 */
export function postgresStorage(options: PostgresStorageOptions): Storage {
  return guardBundledStorage(new PostgresStorage(options));
}

const DUPLICATE = Symbol('duplicate outcome');

/**
 * The claim's plan, fixed for its transaction (`set_config(…, true)` is `SET LOCAL`): the due
 * index walked in its order, never a bitmap scan of every due row and a sort. The planner picks
 * that sort when it believes few rows are due — always on a table not analyzed yet, where it
 * guesses `status = 'active'` keeps 0.5% of the rows (measured: 24–65 ms per claim of 100 at
 * 20,000 due rows, 4 workers, against 1–2 ms in index order). Both are only made expensive,
 * not forbidden: a plan without them is always there (the index scan).
 */
const CLAIM_PLAN = `SELECT set_config('enable_sort', 'off', true), set_config('enable_bitmapscan', 'off', true)`;
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

class PostgresStorage implements Storage {
  private readonly schema: string;
  private readonly t: ReturnType<typeof tableNames>;
  private readonly dialect: SqlDialect;
  private readonly sql: ReturnType<typeof statementsIn>;
  private readonly driver: PgDriver;
  private readonly named: boolean;
  private readonly names = new Map<string, string>();
  private claimText: string | undefined;

  constructor(options: PostgresStorageOptions) {
    const schema = options.schema ?? 'journey_engine';
    if (!SCHEMA_NAME.test(schema)) {
      throw new JourneyError('invalid-option', `schema must be a plain identifier (letters, digits, "_"), got ${JSON.stringify(schema)}`, {
        path: ['schema'],
      });
    }
    this.driver = new PgDriver(options.pool);
    this.named = options.namedStatements ?? (typeof options.pool.connect === 'function' && 'totalCount' in options.pool && 'idleCount' in options.pool);
    this.schema = schema;
    this.t = tableNames(`"${schema}"`);
    this.dialect = postgresDialect(schema);
    this.sql = statementsIn(this.dialect);
  }

  /** Create or migrate the schema (`guardStorage`, which `postgresStorage()` answers, runs it once). */
  async init(): Promise<void> {
    await migratePostgres(this.driver, this.schema);
  }

  /** Nothing to release: the host owns the pool. */
  async close(): Promise<void> {}

  // ───────────────────────── plumbing (pg-driver.ts) ─────────────────────────

  /** One statement, outside any transaction. */
  private q(text: string, params: unknown[] = []): Promise<unknown[]> {
    return this.driver.q(text, params);
  }

  /** One read-only statement outside any transaction, sent again once if its connection was lost. */
  private read(text: string, params: unknown[] = []): Promise<unknown[]> {
    return this.driver.read(text, params);
  }

  /** Run `body` in one transaction; a thrown value rolls it back and is rethrown. */
  private tx<T>(body: (db: PgQueryable) => Promise<T>): Promise<T> {
    return this.driver.tx(body);
  }

  /** Run `body` on one pooled client without a transaction block. */
  private onClient<T>(body: (db: PgQueryable) => Promise<T>): Promise<T> {
    return this.driver.onClient(body);
  }

  // ───────────────────────── journeys ─────────────────────────

  async createJourney(record: JourneyRecord): Promise<boolean> {
    return this.tx(async (db) => {
      const { rows } = await db.query(
        `INSERT INTO ${this.t.journeys} (tenant_id, id, status, version, revision, created_at, updated_at, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING 1`,
        journeyParams(record),
      );
      if (rows.length === 0) return false;
      await this.insertVersion(db, record);
      await this.bumpCatalog(db, record.tenantId);
      return true;
    });
  }

  private async bumpCatalog(db: PgQueryable, tenantId: string): Promise<void> {
    await db.query(
      `INSERT INTO ${this.t.catalog} (tenant_id, revision) VALUES ($1, 1)
       ON CONFLICT (tenant_id) DO UPDATE SET revision = ${this.t.catalog}.revision + 1`,
      [tenantId],
    );
  }

  async catalogRevision(tenantId: string): Promise<number> {
    const rows = (await this.read(`SELECT revision FROM ${this.t.catalog} WHERE tenant_id = $1`, [tenantId])) as { revision: unknown }[];
    return rows[0] === undefined ? 0 : Number(rows[0].revision);
  }

  private async insertVersion(db: PgQueryable, r: JourneyRecord): Promise<void> {
    await db.query(
      `INSERT INTO ${this.t.versions} (tenant_id, journey_id, version, definition) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [r.tenantId, r.id, r.version, definitionData(definitionOf(r))],
    );
  }

  async journeyStatus(tenantId: string, journeyId: string): Promise<JourneyStatus | null> {
    // Shared by the callers that ask before the read goes out (see PgDriver.qShared).
    const rows = (await this.driver.qShared(`${tenantId}\u0000${journeyId}`, this.sql.journeyStatus, [tenantId, journeyId])) as { status: unknown }[];
    return rows[0] === undefined ? null : decodeJourneyStatus(rows[0].status, 'je_journeys', journeyId);
  }

  async getJourney(tenantId: string, id: string): Promise<JourneyRecord | null> {
    const rows = (await this.read(this.sql.journeyGet, [tenantId, id])) as JourneyRow[];
    return rows[0] === undefined ? null : decodeJourney(rows[0], 'je_journeys');
  }

  async listJourneys(
    tenantId: string,
    query: { readonly status?: JourneyStatus; readonly limit: number; readonly offset: number },
  ): Promise<{ readonly items: readonly JourneyRecord[]; readonly total: number }> {
    const where = query.status === undefined ? 'tenant_id = $1' : 'tenant_id = $1 AND status = $2';
    const params: unknown[] = query.status === undefined ? [tenantId] : [tenantId, query.status];
    const n = params.length;
    const rows = (await this.read(
      `SELECT *, count(*) OVER () AS total FROM ${this.t.journeys} WHERE ${where}
       ORDER BY created_at DESC, id LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...params, query.limit, query.offset],
    )) as (JourneyRow & { total: unknown })[];
    const total = rows[0] !== undefined ? Number(rows[0].total) : await this.count(this.t.journeys, where, params);
    return { items: rows.map((r) => decodeJourney(r, 'je_journeys')), total };
  }

  private async count(table: string, where: string, params: unknown[]): Promise<number> {
    const rows = (await this.read(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, params)) as { n: unknown }[];
    return Number(rows[0]?.n ?? 0);
  }

  async updateJourney(record: JourneyRecord, expectedRevision: number): Promise<boolean> {
    checkRevision(record, expectedRevision);
    return this.tx(async (db) => {
      const { rows } = await db.query(
        `UPDATE ${this.t.journeys} SET status = $3, version = $4, revision = $5, created_at = $6, updated_at = $7, data = $8
         WHERE tenant_id = $1 AND id = $2 AND revision = $9 RETURNING 1`,
        [...journeyParams(record), expectedRevision],
      );
      if (rows.length === 0) return false;
      await this.insertVersion(db, record);
      await this.bumpCatalog(db, record.tenantId);
      return true;
    });
  }

  async deleteJourney(tenantId: string, id: string, expectedRevision: number): Promise<boolean> {
    return this.tx(async (db) => {
      const { rows } = await db.query(`DELETE FROM ${this.t.journeys} WHERE tenant_id = $1 AND id = $2 AND revision = $3 RETURNING 1`, [
        tenantId,
        id,
        expectedRevision,
      ]);
      if (rows.length === 0) return false;
      await db.query(`DELETE FROM ${this.t.versions} WHERE tenant_id = $1 AND journey_id = $2`, [tenantId, id]);
      await db.query(`DELETE FROM ${this.t.counters} WHERE tenant_id = $1 AND journey_id = $2`, [tenantId, id]);
      await this.bumpCatalog(db, tenantId);
      return true;
    });
  }

  async getJourneyVersion(tenantId: string, journeyId: string, version: number): Promise<JourneyDefinition | null> {
    const rows = (await this.read(this.sql.versionGet, [
      tenantId,
      journeyId,
      version,
    ])) as { definition: unknown }[];
    return rows[0] === undefined ? null : decodeDefinition(rows[0].definition, 'je_journey_versions', `${journeyId}@${version}`);
  }

  // ───────────────────────── enrollments ─────────────────────────

  async createEnrollment(enrollment: Enrollment, counters?: readonly StepCounter[]): Promise<'created' | 'duplicate'> {
    return this.tx(async (db) => {
      const { rows } = await db.query(`${this.sql.enrollmentInsert} RETURNING 1`, enrollmentValues(enrollment));
      if (rows.length === 0) return 'duplicate' as const;
      await this.addCounters(db, enrollment.tenantId, counters);
      return 'created' as const;
    });
  }

  /**
   * One transaction, one statement for the rows: the entries as arrays, inserted in their order
   * (`WITH ORDINALITY`), each on its own (`ON CONFLICT DO NOTHING`), then one counters upsert for
   * the entries that were created.
   */
  async createEnrollments(entries: readonly NewEnrollmentEntry[]): Promise<readonly ('created' | 'duplicate')[]> {
    if (entries.length === 0) return [];
    const columns: unknown[][] = ENROLLMENT_INSERT_COLUMNS.map(() => []);
    for (const { enrollment } of entries) enrollmentValues(enrollment).forEach((v, i) => columns[i]!.push(v));
    return this.tx(async (db) => {
      const { rows } = await db.query(this.sql.enrollmentInsertMany, columns);
      const created = new Set((rows as { id: string }[]).map((r) => r.id));
      // Rows go in by `ord`: of entries sharing an id, the first one is the one written.
      const results = entries.map(({ enrollment }) => (created.delete(enrollment.id) ? ('created' as const) : ('duplicate' as const)));
      const byTenant = new Map<string, StepCounter[]>();
      entries.forEach(({ enrollment, counters }, i) => {
        if (results[i] !== 'created' || counters === undefined) return;
        const list = byTenant.get(enrollment.tenantId) ?? [];
        list.push(...counters);
        byTenant.set(enrollment.tenantId, list);
      });
      for (const [tenantId, counters] of byTenant) await this.addCounters(db, tenantId, counters);
      return results;
    });
  }

  async entryHistories(tenantId: string, journeyId: string, customerIds: readonly string[]): Promise<readonly EntryHistory[]> {
    const rows = (await this.read(this.sql.entryHistories, [tenantId, journeyId, this.dialect.bindTextList(customerIds)])) as EntryHistoryRow[];
    return rows.map((row) => decodeEntryHistory(row, this.dialect.isTrue));
  }

  async getEnrollment(tenantId: string, id: string): Promise<Enrollment | null> {
    const rows = (await this.read(this.sql.enrollmentGet, [id, tenantId])) as EnrollmentRow[];
    return rows[0] === undefined ? null : decodeEnrollment(rows[0], 'je_enrollments');
  }

  async listEnrollments(query: EnrollmentQuery): Promise<{ readonly items: readonly Enrollment[]; readonly total: number }> {
    // Quarantined rows are listed by listQuarantined, not here.
    const conditions = ['tenant_id = $1', `id NOT IN (SELECT enrollment_id FROM ${this.t.quarantine})`];
    const params: unknown[] = [query.tenantId];
    for (const [column, value] of [
      ['journey_id', query.journeyId],
      ['customer_id', query.customerId],
      ['status', query.status],
      ['step_id', query.stepId],
    ] as const) {
      if (value === undefined) continue;
      params.push(value);
      conditions.push(`${column} = $${params.length}`);
    }
    const where = conditions.join(' AND ');
    const n = params.length;
    const rows = (await this.read(
      `SELECT *, count(*) OVER () AS total FROM ${this.t.enrollments} WHERE ${where}
       ORDER BY entered_at, id LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...params, query.limit, query.offset],
    )) as (EnrollmentRow & { total: unknown })[];
    const total = rows[0] !== undefined ? Number(rows[0].total) : await this.count(this.t.enrollments, where, params);
    return { items: rows.map((r) => decodeEnrollment(r, 'je_enrollments')), total };
  }

  async customerHistory(tenantId: string, customerId: string): Promise<{ readonly active: boolean; readonly lastEndedAt: number | null }> {
    const rows = (await this.read(this.sql.customerHistory, [tenantId, customerId])) as { active: unknown; last: unknown }[];
    const row = rows[0];
    return { active: this.dialect.isTrue(row?.active), lastEndedAt: row?.last === null || row?.last === undefined ? null : Number(row.last) };
  }

  // ───────────────────────── claims and commits ─────────────────────────

  async claimDue(query: {
    readonly now: number;
    readonly limit: number;
    readonly leaseMs: number;
    readonly workerId: string;
    readonly onQuarantine?: (entry: QuarantinedEnrollment) => void;
  }): Promise<readonly Claim[]> {
    if (query.limit <= 0) return [];
    const leaseUntil = query.now + query.leaseMs;
    // Decode inside the transaction: a corrupt row is quarantined there, the rest claimed.
    const quarantined: QuarantinedEnrollment[] = [];
    const claims = await this.tx(async (db) => {
      const claimed: Claim[] = [];
      quarantined.length = 0;
      await db.query(CLAIM_PLAN);
      // A quarantined row leaves the due set, so claim again for the places it took.
      for (let want = query.limit; want > 0; want = query.limit - claimed.length) {
        const { rows } = await db.query(
          this.claimStatement(),
          [query.now, want, leaseUntil, query.workerId],
        );
        for (const row of rows as EnrollmentRow[]) {
          try {
            claimed.push({ enrollment: decodeEnrollment(row, 'je_enrollments'), token: decodeToken(row, 'je_enrollments'), leaseUntil });
          } catch (error) {
            const entry = quarantineEntry(row, error, query.now);
            if (entry === null) throw error;
            await this.quarantine(db, entry, row.wake_at);
            quarantined.push(entry);
          }
        }
        if (rows.length < want) break;
      }
      return claimed;
    });
    claims.sort((a, b) => a.enrollment.wakeAt! - b.enrollment.wakeAt! || compareIds(a.enrollment.id, b.enrollment.id));
    for (const entry of quarantined) query.onQuarantine?.(entry);
    return claims;
  }

  /**
   * The claim: the first due rows in wake-up order, locked (`SKIP LOCKED`) and leased. The
   * journey's status is a subquery per row, not a join, so the plan walks `je_enrollments_due`
   * in its order and stops at `LIMIT` rows: a join let the planner (misjudging how many rows the
   * journey condition keeps) read and sort every due row on every claim (40 ms at 20,000 due rows,
   * growing with the backlog; this is ~1 ms at any backlog). A row of a missing journey, or of a
   * paused journey before its deadline, is skipped as before.
   */
  private claimStatement(): string {
    const E = this.t.enrollments;
    return (this.claimText ??= `WITH due AS (
             SELECT e.id FROM ${E} e
             WHERE e.status = 'active' AND e.wake_at IS NOT NULL AND e.wake_at <= $1
               AND (e.lease_until IS NULL OR e.lease_until <= $1)
               AND CASE (SELECT j.status FROM ${this.t.journeys} j WHERE j.tenant_id = e.tenant_id AND j.id = e.journey_id)
                 WHEN 'active' THEN true
                 WHEN 'paused' THEN coalesce(${PAUSED_DEADLINE} < $1, false)
                 ELSE false END
             ORDER BY e.wake_at, e.id
             LIMIT $2
             FOR UPDATE OF e SKIP LOCKED)
           UPDATE ${E} e SET claim_token = e.claim_token + 1, lease_until = $3, claimed_by = $4
           FROM due WHERE e.id = due.id
           RETURNING e.*`);
  }

  /** Take an unreadable enrollment out of due work and record why (inside the claim's transaction). */
  private async quarantine(db: PgQueryable, entry: QuarantinedEnrollment, wakeAt: unknown): Promise<void> {
    const wake = typeof wakeAt === 'number' || typeof wakeAt === 'string' ? Number(wakeAt) : NaN;
    await db.query(
      `INSERT INTO ${this.t.quarantine} (enrollment_id, tenant_id, journey_id, customer_id, wake_at, reason, field, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (enrollment_id) DO UPDATE SET reason = excluded.reason, field = excluded.field, at = excluded.at`,
      [entry.enrollmentId, entry.tenantId, entry.journeyId, entry.customerId, Number.isFinite(wake) ? wake : null, entry.reason, entry.field, entry.at],
    );
    await db.query(`UPDATE ${this.t.enrollments} SET wake_at = NULL, lease_until = NULL, claimed_by = NULL WHERE id = $1`, [entry.enrollmentId]);
  }

  async listQuarantined(
    tenantId: string,
    query: { readonly limit: number; readonly offset: number },
  ): Promise<{ readonly items: readonly QuarantinedEnrollment[]; readonly total: number }> {
    const rows = (await this.read(
      `SELECT *, count(*) OVER () AS total FROM ${this.t.quarantine} WHERE tenant_id = $1 ORDER BY at, enrollment_id LIMIT $2 OFFSET $3`,
      [tenantId, query.limit, query.offset],
    )) as (QuarantineRow & { total: unknown })[];
    const total = rows[0] !== undefined ? Number(rows[0].total) : await this.count(this.t.quarantine, 'tenant_id = $1', [tenantId]);
    return { items: rows.map(decodeQuarantine), total };
  }

  async releaseQuarantined(tenantId: string, enrollmentId: string): Promise<'released' | 'missing'> {
    return this.tx(async (db) => {
      const found = await db.query(
        `SELECT q.wake_at FROM ${this.t.quarantine} q JOIN ${this.t.enrollments} e ON e.id = q.enrollment_id
         WHERE q.enrollment_id = $1 AND q.tenant_id = $2 FOR UPDATE OF e`,
        [enrollmentId, tenantId],
      );
      if (found.rows.length === 0) return 'missing' as const;
      // Active: due again at the fixed row's wake_at, else the one it had; ended: read as it is.
      const released = await db.query(
        `UPDATE ${this.t.enrollments} SET wake_at = coalesce(wake_at, $2::double precision), lease_until = NULL, claimed_by = NULL
         WHERE id = $1 AND status = 'active' RETURNING *`,
        [enrollmentId, found.rows[0]!.wake_at ?? null],
      );
      const row = released.rows[0] ?? (await db.query(`SELECT * FROM ${this.t.enrollments} WHERE id = $1`, [enrollmentId])).rows[0];
      decodeEnrollment(row as EnrollmentRow, 'je_enrollments'); // still unreadable: throws corrupt-row, rolled back
      await db.query(`DELETE FROM ${this.t.quarantine} WHERE enrollment_id = $1`, [enrollmentId]);
      return 'released' as const;
    });
  }

  async repairEnrollment(enrollment: Enrollment): Promise<'repaired' | 'missing'> {
    return this.tx(async (db) => {
      const found = await db.query(
        `SELECT q.*, e.status AS stored_status FROM ${this.t.quarantine} q JOIN ${this.t.enrollments} e ON e.id = q.enrollment_id
         WHERE q.enrollment_id = $1 AND q.tenant_id = $2 FOR UPDATE OF e`,
        [enrollment?.id, enrollment?.tenantId],
      );
      const row = found.rows[0] as (QuarantineRow & { stored_status: string }) | undefined;
      if (row === undefined) return 'missing' as const;
      const e = checkRepairedEnrollment(enrollment);
      checkRepair(decodeQuarantine(row), row.stored_status, e);
      await db.query(
        `UPDATE ${this.t.enrollments} SET status = $1, phase = $2, step_id = $3, wake_at = $4, version = $5,
           journey_version = $6, entered_at = $7, ended_at = $8, exit_reason = $9, updated_at = $10, data = $11,
           lease_until = NULL, claimed_by = NULL
         WHERE id = $12 AND tenant_id = $13`,
        [...stateParams(e), e.journeyVersion, e.enteredAt, e.endedAt, e.exitReason, e.updatedAt, enrollmentData(e), e.id, e.tenantId],
      );
      await db.query(`DELETE FROM ${this.t.quarantine} WHERE enrollment_id = $1`, [e.id]);
      return 'repaired' as const;
    });
  }

  async claimEnrollment(
    tenantId: string,
    enrollmentId: string,
    query: { readonly now: number; readonly leaseMs: number; readonly workerId: string },
  ): Promise<Claim | null> {
    const leaseUntil = query.now + query.leaseMs;
    // A quarantined row has no wake_at (an active one always has): it is never claimed here.
    const rows = await this.q(
      `UPDATE ${this.t.enrollments} SET claim_token = claim_token + 1, lease_until = $4, claimed_by = $5
       WHERE id = $1 AND tenant_id = $2 AND status = 'active' AND wake_at IS NOT NULL
         AND (lease_until IS NULL OR lease_until <= $3)
       RETURNING *`,
      [enrollmentId, tenantId, query.now, leaseUntil, query.workerId],
    );
    const row = rows[0] as EnrollmentRow | undefined;
    if (row === undefined) return null;
    try {
      return { enrollment: decodeEnrollment(row, 'je_enrollments'), token: decodeToken(row, 'je_enrollments'), leaseUntil };
    } catch {
      // Unreadable: give the lease back; the next claimDue quarantines it.
      await this.release(enrollmentId, Number(row.claim_token));
      return null;
    }
  }

  async release(enrollmentId: string, token: number): Promise<void> {
    await this.q(
      `UPDATE ${this.t.enrollments} SET lease_until = NULL, claimed_by = NULL WHERE id = $1 AND claim_token = $2 AND lease_until IS NOT NULL`,
      [enrollmentId, token],
    );
  }

  async commit(commit: Commit): Promise<CommitResult> {
    if (commit.outcomeKey === undefined) return this.commitInOneStatement(commit);
    const e = commit.enrollment;
    try {
      return await this.tx(async (db): Promise<CommitResult> => {
        const { rows } = await db.query(`${this.updateSql()} RETURNING 1`, updateParams(commit));
        if (rows.length === 0) return this.refuse(db, commit);
        const outcome = await db.query(
          `INSERT INTO ${this.t.outcomeKeys} (tenant_id, customer_id, key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
          [e.tenantId, e.customerId, commit.outcomeKey],
        );
        if (outcome.rows.length === 0) throw DUPLICATE;
        if (commit.effects !== undefined && commit.effects.length > 0) {
          const params: unknown[] = [];
          const tuples = this.effectTuples(commit.effects, params);
          await db.query(
            `INSERT INTO ${this.t.effects} (idempotency_key, tenant_id, journey_id, enrollment_id, step_id, visit, type, at, detail)
             VALUES ${tuples} ON CONFLICT (idempotency_key) DO NOTHING`,
            params,
          );
        }
        await this.addCounters(db, e.tenantId, commit.counters);
        return 'ok';
      });
    } catch (error) {
      if (error === DUPLICATE) return 'duplicate';
      throw error;
    }
  }

  /**
   * The hot path (a worker's step): the guarded UPDATE, the effect records and the counter
   * increments as one statement (data-modifying CTEs), so one round trip and one implicit
   * transaction instead of BEGIN, three statements and COMMIT. The inserts run only when the
   * UPDATE matched; when it did not, nothing was written and a read tells why.
   */
  private async commitInOneStatement(commit: Commit): Promise<CommitResult> {
    const e = commit.enrollment;
    const params = updateParams(commit);
    const parts = [`upd AS (${this.updateSql()} RETURNING 1)`];
    if (commit.effects !== undefined && commit.effects.length > 0) {
      const tuples = this.effectTuples(commit.effects, params, true);
      parts.push(`eff AS (
        INSERT INTO ${this.t.effects} (idempotency_key, tenant_id, journey_id, enrollment_id, step_id, visit, type, at, detail)
        SELECT * FROM (VALUES ${tuples}) AS v WHERE EXISTS (SELECT 1 FROM upd)
        ON CONFLICT (idempotency_key) DO NOTHING)`);
    }
    const increments = aggregateCounters(commit.counters);
    if (increments.length > 0) {
      params.push(e.tenantId, counterShard(e.id));
      const tenant = params.length - 1;
      const tuples = increments.map((c) => {
        params.push(c.journeyId, c.stepId, c.metric, c.count);
        const b = params.length;
        return `($${tenant}::text, $${b - 3}::text, $${b - 2}::text, $${b - 1}::text, $${tenant + 1}::smallint, $${b}::bigint)`;
      });
      parts.push(`cnt AS (
        INSERT INTO ${this.t.counters} (tenant_id, journey_id, step_id, metric, shard, count)
        SELECT * FROM (VALUES ${tuples.join(', ')}) AS v WHERE EXISTS (SELECT 1 FROM upd)
        ON CONFLICT (tenant_id, journey_id, step_id, metric, shard) DO UPDATE SET count = ${this.t.counters}.count + excluded.count)`);
    }
    const text = `WITH ${parts.join(', ')} SELECT count(*)::int AS n FROM upd`;
    return this.onClient(async (db) => {
      const { rows } = this.named
        ? await (db as unknown as NamedQueryable).query({ name: this.statementName(text), text, values: params })
        : await db.query(text, params);
      return rows[0]?.n === 1 ? 'ok' : this.refuse(db, commit);
    });
  }

  /** {@link Storage.commitMany}: one statement over arrays (see pg-commit-many.ts). */
  async commitMany(commits: readonly Commit[]): Promise<readonly CommitResult[]> {
    return pgCommitMany(
      {
        tables: this.t,
        onClient: (body) => this.onClient(body),
        tx: (body) => this.tx(body),
        shard: counterShard,
        run: (db, text, values) => (this.named ? (db as unknown as NamedQueryable).query({ name: this.statementName(text), text, values }) : db.query(text, values)),
      },
      commits,
    );
  }

  /** A name for a prepared statement: derived from its text, so equal on every connection and storage. */
  private statementName(text: string): string {
    let name = this.names.get(text);
    if (name === undefined) {
      if (this.names.size >= 1000) this.names.clear();
      this.names.set(text, (name = `je_${hash53(text).toString(36)}`));
    }
    return name;
  }

  private updateSql(): string {
    return `UPDATE ${this.t.enrollments} SET status = $1, phase = $2, step_id = $3, wake_at = $4, version = $5,
             journey_version = $6, ended_at = $7, exit_reason = $8, updated_at = $9, data = $10,
             lease_until = CASE $11::integer WHEN 0 THEN lease_until WHEN 1 THEN NULL ELSE $12::double precision END,
             claimed_by = CASE $11::integer WHEN 1 THEN NULL ELSE claimed_by END
           WHERE id = $13 AND tenant_id = $14 AND journey_id = $15 AND customer_id = $16 AND version = $17
             AND ($18::integer IS NULL OR claim_token = $18::integer)
             AND (status = 'active' OR $1 <> 'active')
             AND ($19::boolean IS NOT TRUE
               OR EXISTS (SELECT 1 FROM ${this.t.journeys} j WHERE j.tenant_id = $14 AND j.id = $15 AND j.status = 'active'))`;
  }

  /** `($n, …), …` for effect rows, their values appended to `params`; `typed` adds casts (needed inside SELECT … VALUES). */
  private effectTuples(effects: readonly EffectRecord[], params: unknown[], typed = false): string {
    const types = ['text', 'text', 'text', 'text', 'text', 'integer', 'text', 'double precision', 'json'];
    return effects
      .map((x) => {
        const base = params.length;
        params.push(x.idempotencyKey, x.tenantId, x.journeyId, x.enrollmentId, x.stepId, x.visit, x.type, x.at, effectDetail(x));
        return `(${types.map((t, i) => `$${base + i + 1}${typed ? `::${t}` : ''}`).join(', ')})`;
      })
      .join(', ');
  }

  /** Why a guarded UPDATE matched nothing: missing, fenced, conflict (or a rule broken: throws). */
  private async refuse(db: PgQueryable, commit: Commit): Promise<CommitResult> {
    const found = await db.query(`SELECT tenant_id, journey_id, customer_id, status, version, claim_token FROM ${this.t.enrollments} WHERE id = $1`, [
      commit.enrollment.id,
    ]);
    const row = found.rows[0] as Record<string, unknown> | undefined;
    const refused = refusal(commit, row && storedIdentityOf(row));
    if (refused !== null) return refused;
    if (commit.requireActiveJourney === true) {
      const journey = await db.query(`SELECT status FROM ${this.t.journeys} WHERE tenant_id = $1 AND id = $2`, [commit.enrollment.tenantId, commit.enrollment.journeyId]);
      if ((journey.rows[0] as { status?: unknown } | undefined)?.status !== 'active') return 'journey-inactive';
    }
    return 'conflict';
  }

  private async addCounters(db: PgQueryable, tenantId: string, counters: readonly StepCounter[] | undefined): Promise<void> {
    const increments = aggregateCounters(counters);
    if (increments.length === 0) return;
    const params: unknown[] = [tenantId];
    const tuples = increments.map((c) => {
      params.push(c.journeyId, c.stepId, c.metric, c.count);
      const b = params.length;
      return `($1, $${b - 3}, $${b - 2}, $${b - 1}, $${b}::bigint)`;
    });
    await db.query(
      `INSERT INTO ${this.t.counters} (tenant_id, journey_id, step_id, metric, count) VALUES ${tuples.join(', ')}
       ON CONFLICT (tenant_id, journey_id, step_id, metric, shard) DO UPDATE SET count = ${this.t.counters}.count + excluded.count`,
      params,
    );
  }

  async appendEffects(append: EffectAppend): Promise<readonly EffectRecord[]> {
    if (append.effects.length === 0) return [];
    return this.tx(async (db) => {
      const params: unknown[] = [];
      const tuples = this.effectTuples(append.effects, params);
      const { rows } = await db.query(
        `INSERT INTO ${this.t.effects} (idempotency_key, tenant_id, journey_id, enrollment_id, step_id, visit, type, at, detail)
         VALUES ${tuples} ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key`,
        params,
      );
      const added = new Set((rows as { idempotency_key: string }[]).map((r) => r.idempotency_key));
      if (added.size > 0) await this.addCounters(db, append.tenantId, append.counters);
      return append.effects.filter((x) => added.delete(x.idempotencyKey)); // once per key
    });
  }

  async exitAll(tenantId: string, journeyId: string, reason: ExitReason, at: number): Promise<readonly string[]> {
    const E = this.t.enrollments;
    const rows = (await this.q(
      `WITH old AS (
         SELECT id, step_id FROM ${E} WHERE tenant_id = $1 AND journey_id = $2 AND status = 'active' FOR UPDATE
       ), upd AS (
         UPDATE ${E} e SET status = 'exited', phase = 'done', exit_reason = $3, ended_at = $4, updated_at = $4,
           wake_at = NULL, lease_until = NULL, claimed_by = NULL, version = e.version + 1
         FROM old WHERE e.id = old.id AND e.status = 'active'
         RETURNING e.id, old.step_id
       ), counted AS (
         INSERT INTO ${this.t.counters} (tenant_id, journey_id, step_id, metric, count)
         SELECT $1, $2, coalesce(step_id, $5), 'exited:' || $3::text, count(*) FROM upd GROUP BY coalesce(step_id, $5)
         ON CONFLICT (tenant_id, journey_id, step_id, metric, shard) DO UPDATE SET count = ${this.t.counters}.count + excluded.count
       )
       SELECT id FROM upd`,
      [tenantId, journeyId, reason, at, JOURNEY_LEVEL_STEP],
    )) as { id: string }[];
    return rows.map((r) => r.id).sort(compareIds);
  }

  async nextWakeAt(): Promise<number | null> {
    const rows = (await this.read(
      // A paused journey's enrollment is claimable only past its deadline (the first whole ms after it).
      `SELECT min(GREATEST(e.wake_at, e.lease_until,
         CASE WHEN j.status = 'paused' THEN floor(${PAUSED_DEADLINE}) + 1 END)) AS wake_at
       FROM ${this.t.enrollments} e
       JOIN ${this.t.journeys} j ON j.tenant_id = e.tenant_id AND j.id = e.journey_id
       WHERE e.status = 'active' AND e.wake_at IS NOT NULL
         AND (j.status = 'active' OR (j.status = 'paused' AND ${PAUSED_DEADLINE} IS NOT NULL))`,
    )) as { wake_at: unknown }[];
    const at = rows[0]?.wake_at;
    return at === undefined || at === null ? null : Number(at);
  }

  async stats(tenantId: string, journeyId: string): Promise<Readonly<Record<string, StepStats>>> {
    const counters = (await this.read(`SELECT step_id, metric, sum(count) AS count FROM ${this.t.counters} WHERE tenant_id = $1 AND journey_id = $2 GROUP BY step_id, metric`, [
      tenantId,
      journeyId,
    ])) as { step_id: string; metric: string; count: unknown }[];
    const current = (await this.read(
      `SELECT step_id, count(*) AS n FROM ${this.t.enrollments}
       WHERE tenant_id = $1 AND journey_id = $2 AND status = 'active' AND step_id IS NOT NULL GROUP BY step_id`,
      [tenantId, journeyId],
    )) as { step_id: string; n: unknown }[];
    return buildStats(
      counters.map((r) => ({ stepId: r.step_id, metric: r.metric, count: Number(r.count) })),
      current.map((r) => ({ stepId: r.step_id, count: Number(r.n) })),
    );
  }

  async listEffects(tenantId: string, enrollmentId: string): Promise<readonly EffectRecord[]> {
    const rows = (await this.read(`SELECT * FROM ${this.t.effects} WHERE enrollment_id = $1 AND tenant_id = $2 ORDER BY seq`, [
      enrollmentId,
      tenantId,
    ])) as EffectRow[];
    return rows.map((r) => decodeEffect(r, 'je_effects'));
  }

  async reserveSendSlot(request: SendSlotRequest): Promise<SendSlotResult> {
    const slots = this.t.sendSlots;
    return this.tx(async (db) => {
      // One customer's reservations one at a time (two workers cannot both take the last place).
      await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [`${request.tenantId}\u001f${request.customerId}`]);
      if (request.pruneBefore !== undefined) {
        // Older than every cap's window: they count for nothing any more (a bounded batch per call).
        await db.query(
          `DELETE FROM ${slots} WHERE tenant_id = $1 AND key IN (SELECT key FROM ${slots}
             WHERE tenant_id = $1 AND customer_id = $2 AND at < $3 AND key <> $4 LIMIT ${SEND_SLOT_PRUNE_BATCH})`,
          [request.tenantId, request.customerId, request.pruneBefore, request.key],
        );
      }
      const { rows } = await db.query(
        `SELECT s.key, s.channel_id, s.at, s.hold_until,
            EXISTS (SELECT 1 FROM ${this.t.effects} f WHERE f.idempotency_key = s.key) AS confirmed,
            EXISTS (SELECT 1 FROM ${this.t.enrollments} n WHERE n.id = s.enrollment_id AND n.status = 'active') AS pending
          FROM ${slots} s WHERE s.tenant_id = $1 AND s.customer_id = $2 AND (s.at >= $3 OR s.key = $4)`,
        [request.tenantId, request.customerId, oldestCounted(request), request.key],
      );
      const stored = (rows as { key: string; channel_id: string; at: number; hold_until: number; confirmed: boolean; pending: boolean }[]).map((r) =>
        storedSlot({ key: r.key, channelId: r.channel_id, at: Number(r.at), holdUntil: Number(r.hold_until), confirmed: r.confirmed, pending: r.pending }, request.now),
      );
      const decision = decideSendSlot(request, stored.filter((r) => r.live));
      if (!decision.granted) return decision;
      if (decision.held) {
        // A replay sends now: its slot counts from now (never from earlier than it did).
        await db.query(`UPDATE ${slots} SET at = GREATEST(at, $4), hold_until = GREATEST(hold_until, $1) WHERE tenant_id = $2 AND key = $3`, [request.holdUntil, request.tenantId, request.key, request.now]);
      } else {
        await db.query(
          `INSERT INTO ${slots} (tenant_id, key, customer_id, enrollment_id, channel_id, at, hold_until) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (tenant_id, key) DO UPDATE SET at = EXCLUDED.at, hold_until = EXCLUDED.hold_until`,
          [request.tenantId, request.key, request.customerId, request.enrollmentId, request.channelId, request.now, request.holdUntil],
        );
      }
      return { granted: true };
    });
  }

  async releaseSendSlot(tenantId: string, key: string): Promise<void> {
    await this.q(
      `DELETE FROM ${this.t.sendSlots} s WHERE s.tenant_id = $1 AND s.key = $2
         AND NOT EXISTS (SELECT 1 FROM ${this.t.effects} e WHERE e.idempotency_key = s.key)`,
      [tenantId, key],
    );
  }

  async takeSendToken(request: SendTokenRequest): Promise<number> {
    const rates = this.t.sendRates;
    const interval = 1000 / request.perSecond;
    // Taken when the channel's next instant has come: one statement, the row lock orders the takers.
    const taken = (await this.q(
      `INSERT INTO ${rates} (tenant_id, channel_id, tat) VALUES ($1, $2, $3::float8 + $4::float8)
       ON CONFLICT (tenant_id, channel_id) DO UPDATE SET tat = GREATEST(${rates}.tat, $3::float8) + $4::float8
         WHERE ${rates}.tat <= $3::float8
       RETURNING tat`,
      [request.tenantId, request.channelId, request.now, interval],
    )) as { tat: number }[];
    if (taken.length > 0) return request.now;
    // Refused (so tat > now, and tat only grows): come back at the queue's end, which moves one
    // interval on — takeToken's rule (src/runtime/token-bucket.ts), in SQL.
    const queued = (await this.q(
      `UPDATE ${rates} SET queue_at = GREATEST(queue_at, tat) + $3::float8
       WHERE tenant_id = $1 AND channel_id = $2 RETURNING queue_at - $3::float8 AS at`,
      [request.tenantId, request.channelId, interval],
    )) as { at: number }[];
    return queued.length === 0 ? request.now + 1 : Number(queued[0]!.at);
  }
}

/** pg's query config: a named statement is parsed and planned once per connection. */
interface NamedQueryable {
  query(config: { name: string; text: string; values: unknown[] }): Promise<PgQueryResult>;
}
