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
import { guardBundledStorage } from '../../runtime/storage-guard.js';
import { takeToken } from '../../runtime/token-bucket.js';
import { commitManyTransaction } from './sqlite-commit-many.js';
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
  definitionData,
  effectDetail,
  decodeEntryHistory,
  enrollmentColumns,
  enrollmentData,
  enrollmentValues,
  journeyData,
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
  leaseChange,
  type LeaseChange,
  refusal,
} from '../storage-common/storage-rules.js';
import type { SqliteDatabase as Database, SqliteStatement as Statement } from './sqlite-database.js';
import * as sql from '../sql/statements.js';
import { numbered, sqliteDialect as D, type EntryHistoryRow } from '../sql/statements.js';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './sqlite-migrations.js';

/** Options shared by both ways of opening SQLite storage. */
export interface SqliteStorageTuning {
  /**
   * `normal` (default): in WAL mode a commit is not fsynced; a process crash loses nothing, but
   * an OS crash or power loss may roll back the last few commits (never corrupting the file).
   * Effects are at-least-once, so a rolled-back step is retried with the same idempotency key.
   * `full`: every commit is fsynced — durable against power loss, several times slower.
   */
  readonly synchronous?: 'normal' | 'full';
  /** How long a write waits for another connection's lock before failing (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /**
   * WAL pages after which a commit checkpoints the WAL into the database file (default 10,000
   * pages, about 40 MB with 4 KiB pages; SQLite's own default is 1,000). With `synchronous:
   * 'normal'` the checkpoint is where SQLite fsyncs, so fewer checkpoints mean fewer fsyncs and
   * fewer database-page writes. A process crash loses nothing either way (commits are in the WAL);
   * what an OS crash or power cut may roll back is the commits since the last checkpoint, so a
   * larger value widens that window. `0` turns automatic checkpoints off (the host then runs
   * `PRAGMA wal_checkpoint` itself). `journal_size_limit` is set to the larger of 64 MiB and twice
   * the checkpoint size, so a WAL that grew past it (a long reader held up a checkpoint) is
   * truncated again after the next one.
   */
  readonly walAutocheckpoint?: number;
}

/** Open (and own) a database file. `':memory:'` gives a private in-memory database. */
export interface SqliteFileOptions extends SqliteStorageTuning {
  readonly filename: string;
}

/** Use a better-sqlite3 `Database` the host opened (and closes); see {@link SqliteDatabase}. */
export interface SqliteDatabaseOptions extends SqliteStorageTuning {
  readonly database: Database;
}

/** How to open SQLite storage. */
export type SqliteStorageOptions = SqliteFileOptions | SqliteDatabaseOptions;

/**
 * Durable storage in one SQLite file, on better-sqlite3 (an optional peer dependency reached only
 * through `journey-engine/sqlite`). Good for one host process, or a few on the same machine
 * (WAL mode, `BEGIN IMMEDIATE` writes, a busy timeout). `init()` creates or migrates the schema;
 * a file whose schema is newer than this version of the library is refused (`schema-too-new`).
 * Rows are parsed and checked on read: a damaged row throws `corrupt-row`.
 *
 * @example
 * ```ts
 * import { sqliteStorage } from 'journey-engine/sqlite';
 *
 * const storage = sqliteStorage({ filename: './journeys.db' });
 * await storage.init();
 * // … hand it to the engine; on shutdown:
 * await storage.close();
 * ```
 */
export function sqliteStorage(options: SqliteStorageOptions): Storage {
  return guardBundledStorage(new SqliteStorage(checkSqliteOptions(options)));
}

/** The options as given, or `invalid-option` naming the field (at the call, before any file is opened). */
function checkSqliteOptions(options: unknown): SqliteStorageOptions {
  const bad = (message: string, path: string[] = []) => new JourneyError('invalid-option', `sqliteStorage: ${message}`, { path });
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw bad(`takes { filename: './journeys.db' } or { database } (a better-sqlite3 Database), got ${typeof options === 'string' ? JSON.stringify(options) : options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  const o = options as Record<string, unknown>;
  const hasDatabase = Object.hasOwn(o, 'database');
  const hasFilename = Object.hasOwn(o, 'filename');
  if (hasDatabase === hasFilename) throw bad('takes exactly one of filename and database');
  if (hasFilename && (typeof o['filename'] !== 'string' || o['filename'] === '')) throw bad('filename must be a non-empty string (":memory:" for a private in-memory database)', ['filename']);
  if (hasDatabase) {
    const db = o['database'] as { prepare?: unknown; pragma?: unknown } | null;
    if (db === null || typeof db !== 'object' || typeof db.prepare !== 'function' || typeof db.pragma !== 'function') {
      throw bad('database must be an open better-sqlite3 Database (with prepare and pragma)', ['database']);
    }
  }
  if (o['synchronous'] !== undefined && o['synchronous'] !== 'normal' && o['synchronous'] !== 'full') throw bad('synchronous must be "normal" or "full"', ['synchronous']);
  for (const field of ['busyTimeoutMs', 'walAutocheckpoint']) {
    const value = o[field];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) throw bad(`${field} must be a number ≥ 0`, [field]);
  }
  return options as SqliteStorageOptions;
}

const E = 'je_enrollments';
/** WAL pages between automatic checkpoints (see `walAutocheckpoint`). */
const DEFAULT_WAL_AUTOCHECKPOINT = 10_000;
const DUPLICATE = Symbol('duplicate outcome');

/**
 * A map keyed by one id (tenant, journey, step, metric) of a batch's sums: nested maps look up the
 * ids as they are, where one map would build a key string per counter of every commit.
 */
type Nested<V> = Map<string, V>;

/** The map under `key` in `outer`, made empty when it is not there. */
function inner<V>(outer: Nested<Nested<V>>, key: string): Nested<V> {
  let found = outer.get(key);
  if (found === undefined) outer.set(key, (found = new Map()));
  return found;
}

/** A counter increment summed over a batch of commits. */
interface StepCounterSum {
  readonly tenantId: string;
  readonly journeyId: string;
  readonly stepId: string;
  readonly metric: string;
  count: number;
}

interface Statements {
  journeyInsert: Statement;
  versionInsert: Statement;
  journeyGet: Statement;
  journeyStatus: Statement;
  journeyUpdate: Statement;
  journeyDelete: Statement;
  versionsDelete: Statement;
  countersDelete: Statement;
  versionGet: Statement;
  enrollmentInsert: Statement;
  enrollmentGet: Statement;
  history: Statement;
  entryHistories: Statement;
  claimSelect: Statement;
  claimRow: Statement;
  claimedToken: Statement;
  release: Statement;
  commitActive: Statement;
  commitUpdate: Statement;
  identity: Statement;
  outcomeInsert: Statement;
  effectInsert: Statement;
  counterAdd: Statement;
  exitSelect: Statement;
  exitUpdate: Statement;
  nextWake: Statement;
  counterRows: Statement;
  currentRows: Statement;
  effects: Statement;
  quarantineInsert: Statement;
  unschedule: Statement;
  quarantineGet: Statement;
  quarantineList: Statement;
  quarantineCount: Statement;
  quarantineDelete: Statement;
  repairUpdate: Statement;
  releaseQuarantine: Statement;
  catalogBump: Statement;
  catalogGet: Statement;
  claimOne: Statement;
}

interface Open {
  readonly db: Database;
  readonly st: Statements;
  readonly commitTx: (commit: Commit) => CommitResult;
  readonly commitManyTx: (commits: readonly Commit[]) => CommitResult[];
  readonly appendTx: (append: EffectAppend) => EffectRecord[];
  readonly createTx: (e: Enrollment, counters: readonly StepCounter[] | undefined) => 'created' | 'duplicate';
  readonly createManyTx: (entries: readonly NewEnrollmentEntry[]) => ('created' | 'duplicate')[];
  readonly claimTx: (now: number, limit: number, leaseUntil: number, workerId: string) => { claims: Claim[]; quarantined: QuarantinedEnrollment[] };
  readonly repairTx: (e: Enrollment) => 'repaired' | 'missing';
  readonly releaseTx: (tenantId: string, id: string) => 'released' | 'missing';
  readonly exitTx: (tenantId: string, journeyId: string, reason: string, at: number) => string[];
  readonly journeyTx: (record: JourneyRecord, expectedRevision: number | null) => boolean;
  readonly deleteTx: (tenantId: string, id: string, expectedRevision: number) => boolean;
  readonly listCache: Map<string, Statement>;
  /** The send-policy transactions, prepared on first use. */
  reserveTx?: (request: SendSlotRequest) => SendSlotResult;
  tokenTx?: (request: SendTokenRequest) => number;
}

class SqliteStorage implements Storage {
  private state: Open | null = null;

  constructor(private readonly options: SqliteStorageOptions) {}

  /** Open the file, set the pragmas, migrate and prepare; again: nothing (`guardStorage` calls it once). */
  async init(): Promise<void> {
    this.state ??= await this.open();
  }

  async close(): Promise<void> {
    if (this.state !== null && !('database' in this.options)) this.state.db.close();
    this.state = null;
  }

  /** The open database (the guard calls `init` before any other method and none after `close`). */
  private ready(): Open {
    if (this.state === null) throw new JourneyError('storage-closed', 'this sqlite storage is not open: call init() (guardStorage does)');
    return this.state;
  }

  private async open(): Promise<Open> {
    let db: Database;
    if ('database' in this.options) db = this.options.database;
    else {
      const { default: Sqlite } = await import('better-sqlite3');
      db = new Sqlite(this.options.filename);
    }
    try {
      db.pragma('journal_mode = WAL');
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(this.options.busyTimeoutMs ?? 5000))}`);
      db.pragma(`synchronous = ${this.options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      const autocheckpoint = Math.max(0, Math.floor(this.options.walAutocheckpoint ?? DEFAULT_WAL_AUTOCHECKPOINT));
      db.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      db.pragma(`journal_size_limit = ${Math.max(64 * 1024 * 1024, 2 * autocheckpoint * pageSize)}`);
      migrate(db);
      return prepare(db);
    } catch (error) {
      if (!('database' in this.options)) db.close();
      throw error;
    }
  }

  // ───────────────────────── journeys ─────────────────────────

  async createJourney(record: JourneyRecord): Promise<boolean> {
    const s = this.ready();
    return s.journeyTx(record, null);
  }

  async journeyStatus(tenantId: string, journeyId: string): Promise<JourneyStatus | null> {
    const s = this.ready();
    const row = s.st.journeyStatus.get(tenantId, journeyId) as { status: unknown } | undefined;
    return row === undefined ? null : decodeJourneyStatus(row.status, 'je_journeys', journeyId);
  }

  async getJourney(tenantId: string, id: string): Promise<JourneyRecord | null> {
    const s = this.ready();
    const row = s.st.journeyGet.get(tenantId, id) as JourneyRow | undefined;
    return row === undefined ? null : decodeJourney(row, 'je_journeys');
  }

  async listJourneys(
    tenantId: string,
    query: { readonly status?: JourneyStatus; readonly limit: number; readonly offset: number },
  ): Promise<{ readonly items: readonly JourneyRecord[]; readonly total: number }> {
    const s = this.ready();
    const where = query.status === undefined ? 'tenant_id = ?' : 'tenant_id = ? AND status = ?';
    const params: unknown[] = query.status === undefined ? [tenantId] : [tenantId, query.status];
    const rows = cached(s, `SELECT * FROM je_journeys WHERE ${where} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`).all(
      ...params,
      query.limit,
      query.offset,
    ) as JourneyRow[];
    const total = (cached(s, `SELECT count(*) AS n FROM je_journeys WHERE ${where}`).get(...params) as { n: number }).n;
    return { items: rows.map((r) => decodeJourney(r, 'je_journeys')), total };
  }

  async updateJourney(record: JourneyRecord, expectedRevision: number): Promise<boolean> {
    checkRevision(record, expectedRevision);
    const s = this.ready();
    return s.journeyTx(record, expectedRevision);
  }

  async deleteJourney(tenantId: string, id: string, expectedRevision: number): Promise<boolean> {
    const s = this.ready();
    return s.deleteTx(tenantId, id, expectedRevision);
  }

  async catalogRevision(tenantId: string): Promise<number> {
    const s = this.ready();
    const row = s.st.catalogGet.get(tenantId) as { revision: number } | undefined;
    return row?.revision ?? 0;
  }

  async getJourneyVersion(tenantId: string, journeyId: string, version: number): Promise<JourneyDefinition | null> {
    const s = this.ready();
    const row = s.st.versionGet.get(tenantId, journeyId, version) as { definition: unknown } | undefined;
    return row === undefined ? null : decodeDefinition(row.definition, 'je_journey_versions', `${journeyId}@${version}`);
  }

  // ───────────────────────── enrollments ─────────────────────────

  async createEnrollment(enrollment: Enrollment, counters?: readonly StepCounter[]): Promise<'created' | 'duplicate'> {
    const s = this.ready();
    return s.createTx(enrollment, counters);
  }

  async createEnrollments(entries: readonly NewEnrollmentEntry[]): Promise<readonly ('created' | 'duplicate')[]> {
    if (entries.length === 0) return [];
    return this.ready().createManyTx(entries);
  }

  async getEnrollment(tenantId: string, id: string): Promise<Enrollment | null> {
    const s = this.ready();
    const row = s.st.enrollmentGet.get(id, tenantId) as EnrollmentRow | undefined;
    return row === undefined ? null : decodeEnrollment(row, E);
  }

  async listEnrollments(query: EnrollmentQuery): Promise<{ readonly items: readonly Enrollment[]; readonly total: number }> {
    const s = this.ready();
    // Quarantined rows are listed by listQuarantined, not here.
    const conditions = ['tenant_id = ?', 'id NOT IN (SELECT enrollment_id FROM je_quarantine)'];
    const params: unknown[] = [query.tenantId];
    for (const [column, value] of [
      ['journey_id', query.journeyId],
      ['customer_id', query.customerId],
      ['status', query.status],
      ['step_id', query.stepId],
    ] as const) {
      if (value === undefined) continue;
      conditions.push(`${column} = ?`);
      params.push(value);
    }
    const where = conditions.join(' AND ');
    const rows = cached(s, `SELECT * FROM ${E} WHERE ${where} ORDER BY entered_at, id LIMIT ? OFFSET ?`).all(
      ...params,
      query.limit,
      query.offset,
    ) as EnrollmentRow[];
    const total = (cached(s, `SELECT count(*) AS n FROM ${E} WHERE ${where}`).get(...params) as { n: number }).n;
    return { items: rows.map((r) => decodeEnrollment(r, E)), total };
  }

  async customerHistory(tenantId: string, customerId: string): Promise<{ readonly active: boolean; readonly lastEndedAt: number | null }> {
    const s = this.ready();
    const row = s.st.history.get(tenantId, customerId) as { active: unknown; last: number | null };
    return { active: D.isTrue(row.active), lastEndedAt: row.last };
  }

  async entryHistories(tenantId: string, journeyId: string, customerIds: readonly string[]): Promise<readonly EntryHistory[]> {
    const s = this.ready();
    const rows = s.st.entryHistories.all(numbered([tenantId, journeyId, D.bindTextList(customerIds)])) as EntryHistoryRow[];
    return rows.map((row) => decodeEntryHistory(row, D.isTrue));
  }

  // ───────────────────────── claims and commits ─────────────────────────

  async claimDue(query: {
    readonly now: number;
    readonly limit: number;
    readonly leaseMs: number;
    readonly workerId: string;
    readonly onQuarantine?: (entry: QuarantinedEnrollment) => void;
  }): Promise<readonly Claim[]> {
    const s = this.ready();
    if (query.limit <= 0) return [];
    const leaseUntil = query.now + query.leaseMs;
    // Rows are decoded inside the transaction: a corrupt row is quarantined there, the rest claimed.
    const { claims, quarantined } = s.claimTx(query.now, query.limit, leaseUntil, query.workerId);
    claims.sort((a, b) => a.enrollment.wakeAt! - b.enrollment.wakeAt! || compareIds(a.enrollment.id, b.enrollment.id));
    for (const entry of quarantined) query.onQuarantine?.(entry);
    return claims;
  }

  async claimEnrollment(
    tenantId: string,
    enrollmentId: string,
    query: { readonly now: number; readonly leaseMs: number; readonly workerId: string },
  ): Promise<Claim | null> {
    const s = this.ready();
    const leaseUntil = query.now + query.leaseMs;
    const row = s.st.claimOne.get({ id: enrollmentId, tenant: tenantId, now: query.now, lease_until: leaseUntil, worker: query.workerId }) as EnrollmentRow | undefined;
    if (row === undefined) return null;
    try {
      return { enrollment: decodeEnrollment(row, E), token: decodeToken(row, E), leaseUntil };
    } catch {
      // Unreadable: give the lease back; the next claimDue quarantines it.
      s.st.release.run(enrollmentId, Number(row.claim_token));
      return null;
    }
  }

  async listQuarantined(
    tenantId: string,
    query: { readonly limit: number; readonly offset: number },
  ): Promise<{ readonly items: readonly QuarantinedEnrollment[]; readonly total: number }> {
    const s = this.ready();
    const rows = s.st.quarantineList.all(tenantId, query.limit, query.offset) as QuarantineRow[];
    const total = (s.st.quarantineCount.get(tenantId) as { n: number }).n;
    return { items: rows.map(decodeQuarantine), total };
  }

  async repairEnrollment(enrollment: Enrollment): Promise<'repaired' | 'missing'> {
    const s = this.ready();
    return s.repairTx(enrollment);
  }

  async releaseQuarantined(tenantId: string, enrollmentId: string): Promise<'released' | 'missing'> {
    const s = this.ready();
    return s.releaseTx(tenantId, enrollmentId);
  }

  async release(enrollmentId: string, token: number): Promise<void> {
    const s = this.ready();
    s.st.release.run(enrollmentId, token);
  }

  async commit(commit: Commit): Promise<CommitResult> {
    const s = this.ready();
    try {
      return s.commitTx(commit);
    } catch (error) {
      if (error === DUPLICATE) return 'duplicate';
      throw error;
    }
  }

  async commitMany(commits: readonly Commit[]): Promise<readonly CommitResult[]> {
    return (await this.ready()).commitManyTx(commits);
  }

  async appendEffects(append: EffectAppend): Promise<readonly EffectRecord[]> {
    const s = this.ready();
    return s.appendTx(append);
  }

  async exitAll(tenantId: string, journeyId: string, reason: ExitReason, at: number): Promise<readonly string[]> {
    const s = this.ready();
    return s.exitTx(tenantId, journeyId, reason, at);
  }

  async nextWakeAt(): Promise<number | null> {
    const s = this.ready();
    const row = s.st.nextWake.get() as { wake_at: number | null } | undefined;
    return row?.wake_at ?? null;
  }

  async stats(tenantId: string, journeyId: string): Promise<Readonly<Record<string, StepStats>>> {
    const s = this.ready();
    const counters = s.st.counterRows.all(tenantId, journeyId) as { step_id: string; metric: string; count: number }[];
    const current = s.st.currentRows.all(tenantId, journeyId) as { step_id: string; n: number }[];
    return buildStats(
      counters.map((r) => ({ stepId: r.step_id, metric: r.metric, count: r.count })),
      current.map((r) => ({ stepId: r.step_id, count: r.n })),
    );
  }

  async listEffects(tenantId: string, enrollmentId: string): Promise<readonly EffectRecord[]> {
    const s = this.ready();
    return (s.st.effects.all(enrollmentId, tenantId) as EffectRow[]).map((r) => decodeEffect(r, 'je_effects'));
  }

  async reserveSendSlot(request: SendSlotRequest): Promise<SendSlotResult> {
    const s = this.ready();
    const reserve = (s.reserveTx ??= s.db.transaction((r: SendSlotRequest): SendSlotResult => {
      if (r.pruneBefore !== undefined) {
        // Older than every cap's window: they count for nothing any more (a bounded batch per call).
        cached(s, `DELETE FROM je_send_slots WHERE tenant_id = ? AND key IN (SELECT key FROM je_send_slots
          WHERE tenant_id = ? AND customer_id = ? AND at < ? AND key <> ? LIMIT ${SEND_SLOT_PRUNE_BATCH})`).run(r.tenantId, r.tenantId, r.customerId, r.pruneBefore, r.key);
      }
      const rows = cached(s, `SELECT key, channel_id, at, hold_until,
          EXISTS (SELECT 1 FROM je_effects f WHERE f.idempotency_key = je_send_slots.key) AS confirmed,
          EXISTS (SELECT 1 FROM je_enrollments n WHERE n.id = je_send_slots.enrollment_id AND n.status = 'active') AS pending
        FROM je_send_slots WHERE tenant_id = ? AND customer_id = ? AND (at >= ? OR key = ?)`)
        .all(r.tenantId, r.customerId, oldestCounted(r), r.key) as { key: string; channel_id: string; at: number; hold_until: number; confirmed: number; pending: number }[];
      const stored = rows.map((row) => storedSlot({ key: row.key, channelId: row.channel_id, at: row.at, holdUntil: row.hold_until, confirmed: row.confirmed === 1, pending: row.pending === 1 }, r.now));
      const decision = decideSendSlot(r, stored.filter((row) => row.live));
      if (!decision.granted) return decision;
      // A replay sends now: its slot counts from now (never from earlier than it did).
      if (decision.held) cached(s, 'UPDATE je_send_slots SET at = max(at, ?), hold_until = max(hold_until, ?) WHERE tenant_id = ? AND key = ?').run(r.now, r.holdUntil, r.tenantId, r.key);
      else {
        cached(s, `INSERT INTO je_send_slots (tenant_id, key, customer_id, enrollment_id, channel_id, at, hold_until) VALUES (?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (tenant_id, key) DO UPDATE SET at = excluded.at, hold_until = excluded.hold_until`).run(r.tenantId, r.key, r.customerId, r.enrollmentId, r.channelId, r.now, r.holdUntil);
      }
      return { granted: true };
    }).immediate);
    return reserve(request);
  }

  async releaseSendSlot(tenantId: string, key: string): Promise<void> {
    const s = this.ready();
    cached(s, `DELETE FROM je_send_slots WHERE tenant_id = ? AND key = ?
      AND NOT EXISTS (SELECT 1 FROM je_effects e WHERE e.idempotency_key = je_send_slots.key)`).run(tenantId, key);
  }

  async takeSendToken(request: SendTokenRequest): Promise<number> {
    const s = this.ready();
    const take = (s.tokenTx ??= s.db.transaction((r: SendTokenRequest): number => {
      const row = cached(s, 'SELECT tat, queue_at FROM je_send_rates WHERE tenant_id = ? AND channel_id = ?').get(r.tenantId, r.channelId) as { tat: number; queue_at: number | null } | undefined;
      const next = takeToken(row === undefined ? undefined : { tat: row.tat, queueAt: row.queue_at }, r.perSecond, r.now);
      cached(s, 'INSERT INTO je_send_rates (tenant_id, channel_id, tat, queue_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, channel_id) DO UPDATE SET tat = excluded.tat, queue_at = excluded.queue_at')
        .run(r.tenantId, r.channelId, next.state.tat, next.state.queueAt);
      return next.at;
    }).immediate);
    return take(request);
  }
}

/**
 * An enrollment row's deadline (`data.deadline`), or NULL when `data` is not JSON or the deadline
 * not a number: read only for paused journeys' due rows, and a damaged row must not make the
 * query fail for everyone (json_extract throws on malformed JSON; CASE evaluates lazily).
 */
const PAUSED_DEADLINE = `(CASE WHEN json_valid(e.data) THEN CASE WHEN json_type(e.data, '$.deadline') IN ('integer', 'real') THEN json_extract(e.data, '$.deadline') END END)`;

/** The enrollment columns a claim reads (all but `lease_until` and `claimed_by`, which it sets), in the order {@link dueRow} reads them after the rowid. */
const CLAIMED_COLUMNS = [
  'id', 'tenant_id', 'journey_id', 'journey_version', 'customer_id', 'status', 'phase', 'step_id', 'wake_at',
  'claim_token', 'version', 'entered_at', 'ended_at', 'exit_reason', 'updated_at', 'data',
] as const;

/** A due row as the claim reads it: the row and its rowid (`row_key`), by which the claim leases it. */
type DueRow = EnrollmentRow & { readonly row_key: unknown };

/** A due row answered as an array: the rowid, then the {@link CLAIMED_COLUMNS}. */
function dueRow(r: readonly unknown[]): DueRow {
  return {
    row_key: r[0],
    id: r[1],
    tenant_id: r[2],
    journey_id: r[3],
    journey_version: r[4],
    customer_id: r[5],
    status: r[6],
    phase: r[7],
    step_id: r[8],
    wake_at: r[9],
    claim_token: r[10],
    version: r[11],
    entered_at: r[12],
    ended_at: r[13],
    exit_reason: r[14],
    updated_at: r[15],
    data: r[16],
  };
}

/**
 * A shared statement's text with its numbered parameters (`?1` … `?n`, each used once, in that
 * order) written as anonymous `?`, so its values bind as an argument list: better-sqlite3 binds
 * `?N` only from an object keyed by number, several times slower. A statement that uses a
 * parameter twice or out of order keeps its numbers (and `numbered`); asking for it here throws.
 */
function positional(text: string): string {
  let next = 1;
  return text.replace(/\?(\d+)/g, (_, n: string) => {
    if (Number(n) !== next) throw new Error(`positional: parameter ?${n} where ?${next} was expected in ${text}`);
    next += 1;
    return '?';
  });
}

function cached(s: Open, sql: string): Statement {
  let st = s.listCache.get(sql);
  if (st === undefined) s.listCache.set(sql, (st = s.db.prepare(sql)));
  return st;
}

/** Apply the migrations this database lacks, once, under a write lock (safe to re-run). */
function migrate(db: Database): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS journey_engine_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
    )`);
    const row = db.prepare('SELECT max(version) AS v FROM journey_engine_migrations').get() as { v: number | null };
    const current = row.v ?? 0;
    if (current > SQLITE_SCHEMA_VERSION) {
      throw new JourneyError(
        'schema-too-new',
        `this database has journey-engine schema version ${current}, but this version of the library knows only up to ${SQLITE_SCHEMA_VERSION}; upgrade journey-engine`,
        { details: { found: current, supported: SQLITE_SCHEMA_VERSION } },
      );
    }
    const record = db.prepare('INSERT INTO journey_engine_migrations (version, name) VALUES (?, ?)');
    for (const m of SQLITE_MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      record.run(m.version, m.name);
    }
  }).immediate();
}

const enrollmentParams = enrollmentColumns;

function prepare(db: Database): Open {
  const st: Statements = {
    journeyInsert: db.prepare(
      `INSERT INTO je_journeys (tenant_id, id, status, version, revision, created_at, updated_at, data)
       VALUES (@tenant_id, @id, @status, @version, @revision, @created_at, @updated_at, @data) ON CONFLICT DO NOTHING`,
    ),
    versionInsert: db.prepare(
      'INSERT INTO je_journey_versions (tenant_id, journey_id, version, definition) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    journeyGet: db.prepare(positional(sql.journeyGet(D))),
    journeyStatus: db.prepare(positional(sql.journeyStatus(D))),
    journeyUpdate: db.prepare(
      `UPDATE je_journeys SET status = @status, version = @version, revision = @revision, created_at = @created_at,
         updated_at = @updated_at, data = @data
       WHERE tenant_id = @tenant_id AND id = @id AND revision = @expected`,
    ),
    journeyDelete: db.prepare('DELETE FROM je_journeys WHERE tenant_id = ? AND id = ? AND revision = ?'),
    versionsDelete: db.prepare('DELETE FROM je_journey_versions WHERE tenant_id = ? AND journey_id = ?'),
    countersDelete: db.prepare('DELETE FROM je_counters WHERE tenant_id = ? AND journey_id = ?'),
    versionGet: db.prepare(positional(sql.versionGet(D))),
    enrollmentInsert: db.prepare(positional(sql.enrollmentInsert(D))),
    enrollmentGet: db.prepare(positional(sql.enrollmentGet(D))),
    history: db.prepare(positional(sql.customerHistory(D))),
    entryHistories: db.prepare(sql.entryHistories(D)),
    // A claim reads the due rows, then leases each by rowid, in its BEGIN IMMEDIATE transaction
    // (nothing else writes in between). One UPDATE … WHERE id IN (SELECT …) RETURNING did the same
    // at twice the cost per row: RETURNING buffers its rows in a temporary table per execution.
    claimSelect: db.prepare(
      `SELECT e.rowid AS row_key, ${CLAIMED_COLUMNS.map((c) => `e.${c} AS ${c}`).join(', ')}
       FROM ${E} e JOIN je_journeys j ON j.tenant_id = e.tenant_id AND j.id = e.journey_id
       WHERE e.status = 'active' AND e.wake_at IS NOT NULL AND e.wake_at <= @now
         AND (e.lease_until IS NULL OR e.lease_until <= @now)
         AND (j.status = 'active' OR (j.status = 'paused' AND ${PAUSED_DEADLINE} < @now))
       ORDER BY e.wake_at, e.id LIMIT @limit`,
    ),
    claimRow: db.prepare(`UPDATE ${E} SET claim_token = claim_token + 1, lease_until = ?, claimed_by = ? WHERE rowid = ?`),
    claimedToken: db.prepare(`SELECT claim_token FROM ${E} WHERE rowid = ?`),
    release: db.prepare(`UPDATE ${E} SET lease_until = NULL, claimed_by = NULL WHERE id = ? AND claim_token = ? AND lease_until IS NOT NULL`),
    // A quarantined row has no wake_at (an active one always has): it is never claimed here.
    claimOne: db.prepare(
      `UPDATE ${E} SET claim_token = claim_token + 1, lease_until = @lease_until, claimed_by = @worker
       WHERE id = @id AND tenant_id = @tenant AND status = 'active' AND wake_at IS NOT NULL
         AND (lease_until IS NULL OR lease_until <= @now)
       RETURNING *`,
    ),
    // The two commit statements bind their values by position (`?`, in the order of
    // `runCommitUpdate`): better-sqlite3 binds an object of named values several times slower
    // than an argument list, and the commit is the hot path (one per durable step).
    // An active enrollment that stays active: \`status\` is left out of SET so SQLite does not
    // rewrite the one-active index (it updates an index whenever a SET names one of its columns).
    commitActive: db.prepare(
      `UPDATE ${E} SET journey_version = ?, phase = ?, step_id = ?, wake_at = ?, version = ?, ended_at = ?, exit_reason = ?,
         updated_at = ?, data = ?,
         lease_until = CASE ? WHEN 0 THEN lease_until WHEN 1 THEN NULL ELSE ? END,
         claimed_by = CASE ? WHEN 1 THEN NULL ELSE claimed_by END
       WHERE id = ? AND tenant_id = ? AND journey_id = ? AND customer_id = ?
         AND version = ? AND (? IS NULL OR claim_token = ?) AND status = 'active'`,
    ),
    commitUpdate: db.prepare(
      `UPDATE ${E} SET journey_version = ?, phase = ?, step_id = ?, wake_at = ?, version = ?, ended_at = ?, exit_reason = ?,
         updated_at = ?, data = ?,
         lease_until = CASE ? WHEN 0 THEN lease_until WHEN 1 THEN NULL ELSE ? END,
         claimed_by = CASE ? WHEN 1 THEN NULL ELSE claimed_by END,
         status = ?
       WHERE id = ? AND tenant_id = ? AND journey_id = ? AND customer_id = ?
         AND version = ? AND (? IS NULL OR claim_token = ?)
         AND (status = 'active' OR ? <> 'active')`,
    ),
    identity: db.prepare(`SELECT tenant_id, journey_id, customer_id, status, version, claim_token FROM ${E} WHERE id = ?`),
    outcomeInsert: db.prepare('INSERT INTO je_customer_outcome_keys (tenant_id, customer_id, key) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
    effectInsert: db.prepare(
      `INSERT INTO je_effects (idempotency_key, tenant_id, journey_id, enrollment_id, step_id, visit, type, at, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
    ),
    counterAdd: db.prepare(
      `INSERT INTO je_counters (tenant_id, journey_id, step_id, metric, count) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, journey_id, step_id, metric) DO UPDATE SET count = count + excluded.count`,
    ),
    exitSelect: db.prepare(`SELECT id, step_id FROM ${E} WHERE tenant_id = ? AND journey_id = ? AND status = 'active'`),
    exitUpdate: db.prepare(
      `UPDATE ${E} SET status = 'exited', phase = 'done', exit_reason = @reason, ended_at = @at, updated_at = @at,
         wake_at = NULL, lease_until = NULL, claimed_by = NULL, version = version + 1
       WHERE tenant_id = @tenant_id AND journey_id = @journey_id AND status = 'active'`,
    ),
    // A paused journey's enrollment is claimable only past its deadline (the first whole ms after it).
    nextWake: db.prepare(
      `SELECT min(max(d.at, coalesce(d.lease_until, d.at))) AS wake_at FROM (
         SELECT e.lease_until, CASE WHEN j.status = 'paused'
           THEN max(e.wake_at, CAST(${PAUSED_DEADLINE} AS INTEGER) + 1) ELSE e.wake_at END AS at
         FROM ${E} e JOIN je_journeys j ON j.tenant_id = e.tenant_id AND j.id = e.journey_id
         WHERE e.status = 'active' AND e.wake_at IS NOT NULL AND j.status IN ('active', 'paused')) d`,
    ),
    counterRows: db.prepare('SELECT step_id, metric, count FROM je_counters WHERE tenant_id = ? AND journey_id = ?'),
    currentRows: db.prepare(
      `SELECT step_id, count(*) AS n FROM ${E} WHERE tenant_id = ? AND journey_id = ? AND status = 'active' AND step_id IS NOT NULL GROUP BY step_id`,
    ),
    effects: db.prepare('SELECT * FROM je_effects WHERE enrollment_id = ? AND tenant_id = ? ORDER BY seq'),
    quarantineInsert: db.prepare(
      `INSERT INTO je_quarantine (enrollment_id, tenant_id, journey_id, customer_id, wake_at, reason, field, at)
       VALUES (@enrollmentId, @tenantId, @journeyId, @customerId, @wakeAt, @reason, @field, @at)
       ON CONFLICT (enrollment_id) DO UPDATE SET reason = excluded.reason, field = excluded.field, at = excluded.at`,
    ),
    unschedule: db.prepare(`UPDATE ${E} SET wake_at = NULL, lease_until = NULL, claimed_by = NULL WHERE id = ?`),
    quarantineGet: db.prepare(
      `SELECT q.*, e.status AS stored_status FROM je_quarantine q JOIN ${E} e ON e.id = q.enrollment_id
       WHERE q.enrollment_id = ? AND q.tenant_id = ?`,
    ),
    quarantineList: db.prepare('SELECT * FROM je_quarantine WHERE tenant_id = ? ORDER BY at, enrollment_id LIMIT ? OFFSET ?'),
    quarantineCount: db.prepare('SELECT count(*) AS n FROM je_quarantine WHERE tenant_id = ?'),
    quarantineDelete: db.prepare('DELETE FROM je_quarantine WHERE enrollment_id = ?'),
    releaseQuarantine: db.prepare(
      `UPDATE ${E} SET wake_at = coalesce(wake_at, @wake_at), lease_until = NULL, claimed_by = NULL
       WHERE id = @id AND status = 'active' RETURNING *`,
    ),
    repairUpdate: db.prepare(
      `UPDATE ${E} SET journey_version = @journey_version, status = @status, phase = @phase, step_id = @step_id,
         wake_at = @wake_at, version = @version, entered_at = @entered_at, ended_at = @ended_at, exit_reason = @exit_reason,
         updated_at = @updated_at, data = @data, lease_until = NULL, claimed_by = NULL
       WHERE id = @id AND tenant_id = @tenant_id`,
    ),
    catalogBump: db.prepare(
      'INSERT INTO je_catalog (tenant_id, revision) VALUES (?, 1) ON CONFLICT (tenant_id) DO UPDATE SET revision = revision + 1',
    ),
    catalogGet: db.prepare('SELECT revision FROM je_catalog WHERE tenant_id = ?'),
  };

  const addCounters = (tenantId: string, counters: readonly StepCounter[] | undefined) => {
    for (const c of aggregateCounters(counters)) st.counterAdd.run(tenantId, c.journeyId, c.stepId, c.metric, c.count);
  };

  /**
   * The batch being written by `commitMany`, if any: the journeys' statuses read in it (no commit
   * changes one) and the counters of its accepted commits, summed and written once at its end —
   * one upsert per (journey, step, metric) instead of one per commit.
   */
  let batch: { readonly active: Nested<Nested<boolean>>; readonly counters: Nested<Nested<Nested<Nested<StepCounterSum>>>> } | null = null;
  const journeyActive = (tenantId: string, journeyId: string): boolean => {
    const journeys = batch === null ? undefined : inner(batch.active, tenantId);
    const known = journeys?.get(journeyId);
    if (known !== undefined) return known;
    const active = (st.journeyStatus.get(tenantId, journeyId) as { status: unknown } | undefined)?.status === 'active';
    journeys?.set(journeyId, active);
    return active;
  };
  const countCommit = (tenantId: string, counters: readonly StepCounter[] | undefined) => {
    if (batch === null) return addCounters(tenantId, counters);
    if (counters === undefined) return;
    const journeys = inner(batch.counters, tenantId);
    for (const c of counters) {
      const metrics = inner(inner(journeys, c.journeyId), c.stepId);
      const found = metrics.get(c.metric);
      if (found === undefined) metrics.set(c.metric, { tenantId, journeyId: c.journeyId, stepId: c.stepId, metric: c.metric, count: 1 });
      else found.count += 1;
    }
  };

  /**
   * The guarded UPDATE of a commit's enrollment row (`commitActive` or `commitUpdate`, values by
   * position): 1 when the row was at the expected version, held by the commit's claim token (if
   * any) and not ended (unless the commit ends it too), else 0.
   */
  const runCommitUpdate = (e: Enrollment, commit: Commit, lease: LeaseChange): number => {
    const mode = lease.kind === 'keep' ? 0 : lease.kind === 'end' ? 1 : 2;
    const until = lease.kind === 'extend' ? lease.until : null;
    const token = commit.token ?? null;
    const data = enrollmentData(e);
    return e.status === 'active'
      ? st.commitActive.run(e.journeyVersion, e.phase, e.stepId, e.wakeAt, e.version, e.endedAt, e.exitReason, e.updatedAt, data, mode, until, mode,
          e.id, e.tenantId, e.journeyId, e.customerId, commit.expectedVersion, token, token).changes
      : st.commitUpdate.run(e.journeyVersion, e.phase, e.stepId, e.wakeAt, e.version, e.endedAt, e.exitReason, e.updatedAt, data, mode, until, mode, e.status,
          e.id, e.tenantId, e.journeyId, e.customerId, commit.expectedVersion, token, token, e.status).changes;
  };

  const commitOne = (commit: Commit): CommitResult => {
    const e = commit.enrollment;
    const inactive = commit.requireActiveJourney === true && !journeyActive(e.tenantId, e.journeyId);
    const changed = inactive ? 0 : runCommitUpdate(e, commit, leaseChange(commit));
    if (changed === 0) {
      const row = st.identity.get(e.id) as
        | { tenant_id: string; journey_id: string; customer_id: string; status: string; version: number; claim_token: number }
        | undefined;
      const stored = row && {
        tenantId: row.tenant_id,
        journeyId: row.journey_id,
        customerId: row.customer_id,
        status: row.status,
        version: row.version,
        token: row.claim_token,
      };
      return refusal(commit, stored) ?? (inactive ? 'journey-inactive' : 'conflict');
    }
    if (commit.outcomeKey !== undefined && st.outcomeInsert.run(e.tenantId, e.customerId, commit.outcomeKey).changes === 0) throw DUPLICATE;
    if (commit.effects !== undefined) for (const x of commit.effects) insertEffect(x);
    countCommit(e.tenantId, commit.counters);
    return 'ok';
  };
  /** One batch of `commitMany`, inside its transaction: commits in order, then the summed counters. */
  const commitBatch = (commits: readonly Commit[], each: (commit: Commit) => CommitResult): CommitResult[] => {
    batch = { active: new Map(), counters: new Map() };
    try {
      const results = commits.map(each);
      for (const journeys of batch.counters.values()) {
        for (const steps of journeys.values()) {
          for (const metrics of steps.values()) {
            for (const c of metrics.values()) st.counterAdd.run(c.tenantId, c.journeyId, c.stepId, c.metric, c.count);
          }
        }
      }
      return results;
    } finally {
      batch = null;
    }
  };
  const commitTx = db.transaction(commitOne);

  /** Insert an effect record unless its key is in the log; true when it was new. */
  const insertEffect = (x: EffectRecord): boolean =>
    st.effectInsert.run(x.idempotencyKey, x.tenantId, x.journeyId, x.enrollmentId, x.stepId, x.visit, x.type, x.at, effectDetail(x)).changes > 0;

  const appendTx = db.transaction((append: EffectAppend): EffectRecord[] => {
    const added = append.effects.filter(insertEffect);
    if (added.length > 0) addCounters(append.tenantId, append.counters);
    return added;
  });

  const insertEnrollment = (e: Enrollment, counters: readonly StepCounter[] | undefined): 'created' | 'duplicate' => {
    if (st.enrollmentInsert.run(...enrollmentValues(e)).changes === 0) return 'duplicate';
    addCounters(e.tenantId, counters);
    return 'created';
  };
  const createTx = db.transaction(insertEnrollment);
  const createManyTx = db.transaction((entries: readonly NewEnrollmentEntry[]) => entries.map((x) => insertEnrollment(x.enrollment, x.counters)));

  // The due rows as arrays when the statement can (better-sqlite3 builds a row object several
  // times slower than it reads the row), made into row objects here.
  const claimSelectRaw = typeof st.claimSelect.raw === 'function' ? st.claimSelect.raw(true) : null;
  const dueRows = (now: number, limit: number): DueRow[] =>
    claimSelectRaw === null
      ? (st.claimSelect.all({ now, limit }) as DueRow[])
      : (claimSelectRaw.all({ now, limit }) as unknown[][]).map(dueRow);
  /** Lease one due row to `worker`: its claim token goes up by one; answers the row as claimed. */
  const claimRow = (row: DueRow, leaseUntil: number, worker: string): EnrollmentRow => {
    st.claimRow.run(leaseUntil, worker, row.row_key);
    const before = row.claim_token;
    // The new token as SQLite computed it (`claim_token + 1`); read back only when the stored one is no safe integer.
    const token = typeof before === 'number' && Number.isSafeInteger(before + 1) ? before + 1 : (st.claimedToken.get(row.row_key) as { claim_token: unknown }).claim_token;
    return { ...row, claim_token: token, lease_until: leaseUntil };
  };
  const claimTx = db.transaction((now: number, limit: number, leaseUntil: number, worker: string) => {
    const claims: Claim[] = [];
    const quarantined: QuarantinedEnrollment[] = [];
    // A quarantined row leaves the due set, so claim again for the places it took.
    for (let want = limit; want > 0; want = limit - claims.length) {
      const rows = dueRows(now, want);
      for (const due of rows) {
        const row = claimRow(due, leaseUntil, worker);
        try {
          claims.push({ enrollment: decodeEnrollment(row, E), token: decodeToken(row, E), leaseUntil });
        } catch (error) {
          const entry = quarantineEntry(row, error, now);
          if (entry === null) throw error;
          st.quarantineInsert.run({ ...entry, wakeAt: typeof row.wake_at === 'number' ? row.wake_at : null });
          st.unschedule.run(row.id);
          quarantined.push(entry);
        }
      }
      if (rows.length < want) break;
    }
    return { claims, quarantined };
  });

  const releaseTx = db.transaction((tenantId: string, id: string): 'released' | 'missing' => {
    const q = st.quarantineGet.get(id, tenantId) as (QuarantineRow & { wake_at: number | null }) | undefined;
    if (q === undefined) return 'missing';
    // Active: due again at the fixed row's wake_at, else the one it had; ended: read as it is.
    const row = (st.releaseQuarantine.get({ id, wake_at: q.wake_at }) ?? st.enrollmentGet.get(id, tenantId)) as EnrollmentRow;
    decodeEnrollment(row, E); // still unreadable: throws corrupt-row and the transaction rolls back
    st.quarantineDelete.run(id);
    return 'released';
  });

  const repairTx = db.transaction((e: Enrollment): 'repaired' | 'missing' => {
    const row = st.quarantineGet.get(e.id, e.tenantId) as (QuarantineRow & { stored_status: string }) | undefined;
    if (row === undefined) return 'missing';
    const repaired = checkRepairedEnrollment(e);
    checkRepair(decodeQuarantine(row), row.stored_status, repaired);
    st.repairUpdate.run(enrollmentParams(repaired));
    st.quarantineDelete.run(repaired.id);
    return 'repaired';
  });

  const exitTx = db.transaction((tenantId: string, journeyId: string, reason: string, at: number) => {
    const rows = st.exitSelect.all(tenantId, journeyId) as { id: string; step_id: string | null }[];
    if (rows.length === 0) return [];
    st.exitUpdate.run({ tenant_id: tenantId, journey_id: journeyId, reason, at });
    addCounters(
      tenantId,
      rows.map((r) => ({ journeyId, stepId: r.step_id ?? JOURNEY_LEVEL_STEP, metric: `exited:${reason}` })),
    );
    return rows.map((r) => r.id).sort(compareIds);
  });

  const journeyTx = db.transaction((r: JourneyRecord, expected: number | null) => {
    const params = {
      tenant_id: r.tenantId,
      id: r.id,
      status: r.status,
      version: r.version,
      revision: r.revision,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
      data: journeyData(r),
    };
    const changed = expected === null ? st.journeyInsert.run(params).changes : st.journeyUpdate.run({ ...params, expected }).changes;
    if (changed === 0) return false;
    st.versionInsert.run(r.tenantId, r.id, r.version, definitionData(definitionOf(r)));
    st.catalogBump.run(r.tenantId);
    return true;
  });

  const deleteTx = db.transaction((tenantId: string, id: string, expected: number) => {
    if (st.journeyDelete.run(tenantId, id, expected).changes === 0) return false;
    st.versionsDelete.run(tenantId, id);
    st.countersDelete.run(tenantId, id);
    st.catalogBump.run(tenantId);
    return true;
  });

  return {
    db,
    st,
    commitTx: commitTx.immediate,
    commitManyTx: commitManyTransaction(db, commitOne, DUPLICATE, commitBatch),
    appendTx: appendTx.immediate,
    createTx: createTx.immediate,
    createManyTx: createManyTx.immediate,
    claimTx: claimTx.immediate,
    repairTx: repairTx.immediate,
    releaseTx: releaseTx.immediate,
    exitTx: exitTx.immediate,
    journeyTx: journeyTx.immediate,
    deleteTx: deleteTx.immediate,
    listCache: new Map(),
  };
}
