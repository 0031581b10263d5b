/**
 * PostgreSQL's group commit (`Storage.commitMany`): the commits of a batch as ONE statement over
 * arrays (`unnest`; the JSON columns as one JSON document each), not one statement per commit.
 * The statement does what the single commit's does for every element at once: the guarded
 * enrollment UPDATE (version, fencing token, no ended enrollment made active,
 * `requireActiveJourney` read in the same statement), the effect records (`ON CONFLICT` on the
 * idempotency key) and the step counters (summed per counter, one shard per statement) of the
 * commits whose UPDATE matched. Each enrollment row is found once, by primary key (`m`): the
 * rule check reads it there, and the UPDATE reaches it by its `ctid` with every guard repeated
 * on the row it updates (so a row changed after the statement's snapshot is re-checked as it is
 * now, READ COMMITTED's recheck of the updated row). Commits whose UPDATE did not match are
 * explained by one read of their rows afterwards (missing, fenced, conflict, journey-inactive).
 */
import type { Commit, CommitResult } from '../../runtime/ports.js';
import { enrollmentDataValue } from '../storage-common/rows.js';
import { leaseChange, refusal } from '../storage-common/storage-rules.js';
import type { PgQueryable, PgQueryResult } from './pg-pool.js';

/** What the adapter lends the batch: its tables, its connections and its counter sharding. */
export interface PgCommitManyHost {
  readonly tables: { readonly enrollments: string; readonly journeys: string; readonly effects: string; readonly counters: string; readonly outcomeKeys: string };
  /** Run `body` on one connection, outside a transaction block. */
  onClient<T>(body: (db: PgQueryable) => Promise<T>): Promise<T>;
  /** Run `body` in one transaction. */
  tx<T>(body: (db: PgQueryable) => Promise<T>): Promise<T>;
  /** The counter shard a statement adds to (chosen from an enrollment id). */
  shard(enrollmentId: string): number;
  /** Run the batch statement on `db` (as a named prepared statement where the adapter names its hot statements). */
  run(db: PgQueryable, text: string, values: unknown[]): Promise<PgQueryResult>;
}

/**
 * Write `commits` (shapes already checked) in one transaction; one result per commit, in order.
 * The batch is cut into segments applied in order: a segment has each enrollment at most once
 * (a second commit of the same enrollment starts a new one) and a commit with an outcome key is
 * a segment of its own, in a savepoint that a duplicate key rolls back. One segment without an
 * outcome key (the worker's batch) is a single statement and needs no transaction block.
 */
export async function pgCommitMany(host: PgCommitManyHost, commits: readonly Commit[]): Promise<CommitResult[]> {
  if (commits.length === 0) return host.onClient(async () => []);
  const segments = segmentsOf(commits);
  if (segments.length === 1 && commits[0]!.outcomeKey === undefined) {
    return host.onClient((db) => writeSegment(host, db, commits));
  }
  return host.tx(async (db) => {
    const results: CommitResult[] = [];
    for (const segment of segments) {
      if (segment[0]!.outcomeKey === undefined) results.push(...(await writeSegment(host, db, segment)));
      else results.push(await writeWithOutcome(host, db, segment[0]!));
    }
    return results;
  });
}

function segmentsOf(commits: readonly Commit[]): Commit[][] {
  const segments: Commit[][] = [];
  let current: Commit[] = [];
  let ids = new Set<string>();
  for (const commit of commits) {
    if (commit.outcomeKey !== undefined || ids.has(commit.enrollment.id) || current[0]?.outcomeKey !== undefined) {
      if (current.length > 0) segments.push(current);
      current = [];
      ids = new Set();
    }
    current.push(commit);
    ids.add(commit.enrollment.id);
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

async function writeWithOutcome(host: PgCommitManyHost, db: PgQueryable, commit: Commit): Promise<CommitResult> {
  await db.query('SAVEPOINT je_commit');
  const [result] = await writeSegment(host, db, [commit]);
  if (result === 'ok') {
    const e = commit.enrollment;
    const taken = await db.query(
      `INSERT INTO ${host.tables.outcomeKeys} (tenant_id, customer_id, key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
      [e.tenantId, e.customerId, commit.outcomeKey],
    );
    if (taken.rows.length === 0) {
      await db.query('ROLLBACK TO SAVEPOINT je_commit');
      return 'duplicate';
    }
  }
  await db.query('RELEASE SAVEPOINT je_commit');
  return result!;
}

/** One statement for commits of distinct enrollments; then the refused ones explained. */
async function writeSegment(host: PgCommitManyHost, db: PgQueryable, commits: readonly Commit[]): Promise<CommitResult[]> {
  const { rows } = await host.run(db, statement(host), parameters(host, commits));
  const matched = new Set((rows as { ord: number }[]).map((r) => Number(r.ord)));
  const results: (CommitResult | null)[] = commits.map((_, i) => (matched.has(i) ? 'ok' : null));
  if (matched.size < commits.length) await explain(host, db, commits, results);
  return results as CommitResult[];
}

const T = 'text';
const F = 'double precision';
const I = 'integer';
/** A column bound as one JSON document (an array, one element per row) rather than an array. */
const J = 'json';
/** The per-commit parameters, in order: [column, element type]. */
const COMMIT_COLUMNS: readonly (readonly [string, string])[] = [
  ['ord', I], ['status', T], ['phase', T], ['step_id', T], ['wake_at', F], ['version', I], ['journey_version', I],
  ['ended_at', F], ['exit_reason', T], ['updated_at', F], ['data', J], ['lease_mode', I], ['lease_until', F],
  ['id', T], ['tenant_id', T], ['journey_id', T], ['customer_id', T], ['expected', I], ['token', I], ['require_active', 'boolean'],
];
const EFFECT_COLUMNS: readonly (readonly [string, string])[] = [
  ['owner', I], ['idempotency_key', T], ['tenant_id', T], ['journey_id', T], ['enrollment_id', T], ['step_id', T],
  ['visit', I], ['type', T], ['at', F], ['detail', J],
];
const COUNTER_COLUMNS: readonly (readonly [string, string])[] = [['owner', I], ['journey_id', T], ['step_id', T], ['metric', T], ['count', 'bigint']];

/**
 * The rows of one set of parameters, zipped by position (`ROWS FROM`): an array per column, and
 * for a JSON column one JSON document holding all the rows' values — an array parameter would cost
 * the client an escaping pass over every JSON text (the enrollment's `data` above all, the
 * largest value of a commit), and the server parses the document once, as it parsed each text
 * cast to json.
 */
function rowsFrom(columns: readonly (readonly [string, string])[], first: number, alias: string): string {
  const sources = columns.map(([, type], i) => (type === J ? `json_array_elements($${first + i}::json)` : `unnest($${first + i}::${type}[])`)).join(', ');
  return `ROWS FROM (${sources}) WITH ORDINALITY AS ${alias}(${columns.map(([name]) => name).join(', ')}, n)`;
}

const statements = new WeakMap<PgCommitManyHost['tables'], string>();

/** The batch statement (its text depends only on the tables: one prepared plan per connection). */
function statement(host: PgCommitManyHost): string {
  const cached = statements.get(host.tables);
  if (cached !== undefined) return cached;
  const t = host.tables;
  const e0 = COMMIT_COLUMNS.length + 1;
  const c0 = e0 + EFFECT_COLUMNS.length;
  const shard = c0 + COUNTER_COLUMNS.length;
  const text = `WITH i AS (SELECT * FROM ${rowsFrom(COMMIT_COLUMNS, 1, 'i')}),
  m AS (
    SELECT i.*, e.ctid AS tid,
      e.journey_id <> i.journey_id OR e.customer_id <> i.customer_id
        OR ((i.token IS NULL OR e.claim_token = i.token) AND e.version = i.expected AND e.status <> 'active' AND i.status = 'active') AS broken
    FROM i JOIN ${t.enrollments} e ON e.id = i.id AND e.tenant_id = i.tenant_id),
  upd AS (
    UPDATE ${t.enrollments} e SET status = m.status, phase = m.phase, step_id = m.step_id, wake_at = m.wake_at, version = m.version,
      journey_version = m.journey_version, ended_at = m.ended_at, exit_reason = m.exit_reason, updated_at = m.updated_at, data = m.data,
      lease_until = CASE m.lease_mode WHEN 0 THEN e.lease_until WHEN 1 THEN NULL ELSE m.lease_until END,
      claimed_by = CASE m.lease_mode WHEN 1 THEN NULL ELSE e.claimed_by END
    FROM m
    WHERE e.ctid = m.tid
      AND e.id = m.id AND e.tenant_id = m.tenant_id AND e.journey_id = m.journey_id AND e.customer_id = m.customer_id
      AND e.version = m.expected
      AND (m.token IS NULL OR e.claim_token = m.token)
      AND (e.status = 'active' OR m.status <> 'active')
      AND (m.require_active IS NOT TRUE
        OR EXISTS (SELECT 1 FROM ${t.journeys} j WHERE j.tenant_id = m.tenant_id AND j.id = m.journey_id AND j.status = 'active'))
      AND NOT EXISTS (SELECT 1 FROM m WHERE m.broken)
    RETURNING m.ord, m.tenant_id),
  eff AS (
    INSERT INTO ${t.effects} (idempotency_key, tenant_id, journey_id, enrollment_id, step_id, visit, type, at, detail)
    SELECT x.idempotency_key, x.tenant_id, x.journey_id, x.enrollment_id, x.step_id, x.visit, x.type, x.at,
      CASE WHEN json_typeof(x.detail) = 'null' THEN NULL ELSE x.detail END
    FROM ${rowsFrom(EFFECT_COLUMNS, e0, 'x')}
    WHERE x.owner IN (SELECT ord FROM upd)
    ORDER BY x.n
    ON CONFLICT (idempotency_key) DO NOTHING),
  cnt AS (
    INSERT INTO ${t.counters} (tenant_id, journey_id, step_id, metric, shard, count)
    SELECT u.tenant_id, c.journey_id, c.step_id, c.metric, $${shard}::smallint, sum(c.count)::bigint
    FROM ${rowsFrom(COUNTER_COLUMNS, c0, 'c')} JOIN upd u ON u.ord = c.owner
    GROUP BY u.tenant_id, c.journey_id, c.step_id, c.metric
    ORDER BY u.tenant_id, c.journey_id, c.step_id, c.metric
    ON CONFLICT (tenant_id, journey_id, step_id, metric, shard) DO UPDATE SET count = ${t.counters}.count + excluded.count)
  SELECT ord FROM upd`;
  statements.set(host.tables, text);
  return text;
}

function parameters(host: PgCommitManyHost, commits: readonly Commit[]): unknown[] {
  const columns: unknown[][] = COMMIT_COLUMNS.map(() => []);
  const effects: unknown[][] = EFFECT_COLUMNS.map(() => []);
  const counters: unknown[][] = COUNTER_COLUMNS.map(() => []);
  commits.forEach((commit, ord) => {
    const e = commit.enrollment;
    const lease = leaseChange(commit);
    const row = [
      ord, e.status, e.phase, e.stepId, e.wakeAt, e.version, e.journeyVersion, e.endedAt, e.exitReason, e.updatedAt, enrollmentDataValue(e),
      lease.kind === 'keep' ? 0 : lease.kind === 'end' ? 1 : 2, lease.kind === 'extend' ? lease.until : null,
      e.id, e.tenantId, e.journeyId, e.customerId, commit.expectedVersion, commit.token ?? null, commit.requireActiveJourney === true,
    ];
    row.forEach((value, k) => columns[k]!.push(value));
    for (const x of commit.effects ?? []) {
      [ord, x.idempotencyKey, x.tenantId, x.journeyId, x.enrollmentId, x.stepId, x.visit, x.type, x.at, x.detail ?? null].forEach((value, k) => effects[k]!.push(value));
    }
    for (const c of commit.counters ?? []) [ord, c.journeyId, c.stepId, c.metric, 1].forEach((value, k) => counters[k]!.push(value));
  });
  const bind = (spec: readonly (readonly [string, string])[], values: unknown[][]) =>
    values.map((list, k) => (spec[k]![1] === J ? JSON.stringify(list) : arrayLiteral(list, spec[k]![1] === T)));
  return [...bind(COMMIT_COLUMNS, columns), ...bind(EFFECT_COLUMNS, effects), ...bind(COUNTER_COLUMNS, counters), host.shard(commits[0]!.enrollment.id)];
}

const NEEDS_ESCAPE = /[\\"]/;
const ESCAPED = /[\\"]/g;

/**
 * An array parameter's text (`{"a","b",NULL}`), as pg writes it for an array of `values`, in one
 * pass: pg's own writer escapes each element with two regular-expression replacements and goes
 * through its general value conversion per element (a tenth of a worker's CPU in a profile).
 * Numbers and booleans are written with `String`, as pg does.
 */
function arrayLiteral(values: readonly unknown[], text: boolean): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i];
    if (v === null || v === undefined) out += 'NULL';
    else if (text) {
      const s = String(v);
      out += NEEDS_ESCAPE.test(s) ? `"${s.replace(ESCAPED, '\\$&')}"` : `"${s}"`;
    } else out += String(v);
  }
  return out + '}';
}

/** Why the UPDATE left some commits alone: one read of their rows (and of their journeys' status when asked). */
async function explain(host: PgCommitManyHost, db: PgQueryable, commits: readonly Commit[], results: (CommitResult | null)[]): Promise<void> {
  const refused = commits.filter((_, i) => results[i] === null);
  const found = await db.query(
    `SELECT e.id, e.tenant_id, e.journey_id, e.customer_id, e.status, e.version, e.claim_token, j.status AS journey_status
     FROM ${host.tables.enrollments} e LEFT JOIN ${host.tables.journeys} j ON j.tenant_id = e.tenant_id AND j.id = e.journey_id
     WHERE e.id = ANY($1::text[])`,
    [refused.map((c) => c.enrollment.id)],
  );
  const byId = new Map((found.rows as Record<string, unknown>[]).map((row) => [String(row['id']), row]));
  let broken: unknown = null;
  commits.forEach((commit, i) => {
    if (results[i] !== null) return;
    const row = byId.get(commit.enrollment.id);
    const stored = row && storedIdentityOf(row);
    try {
      const reason = refusal(commit, stored);
      results[i] = reason ?? (commit.requireActiveJourney === true && row?.['journey_status'] !== 'active' ? 'journey-inactive' : 'conflict');
    } catch (error) {
      broken ??= error; // a rule broken: the statement wrote nothing (see `bad`), and the call rejects
      results[i] = 'conflict';
    }
  });
  if (broken !== null) throw broken;
}

/** The stored identity {@link refusal} reads, from an enrollment row (`tenant_id`, …, `claim_token`). */
export function storedIdentityOf(row: Record<string, unknown>): Parameters<typeof refusal>[1] {
  return {
    tenantId: String(row['tenant_id']),
    journeyId: String(row['journey_id']),
    customerId: String(row['customer_id']),
    status: String(row['status']),
    version: Number(row['version']),
    token: Number(row['claim_token']),
  };
}
