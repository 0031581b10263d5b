/**
 * The PostgreSQL adapter's SQL: the shared statements (../sql/statements.ts) in its dialect,
 * its table names, and the positional parameters of its own statements.
 */
import type { JourneyRecord } from '../../model/types.js';
import type { Commit } from '../../runtime/ports.js';
import type { Enrollment } from '../../runtime/types.js';
import { enrollmentData, journeyData } from '../storage-common/rows.js';
import { leaseChange } from '../storage-common/storage-rules.js';
import * as sql from '../sql/statements.js';
import { ENROLLMENT_INSERT_COLUMNS, type SqlDialect } from '../sql/statements.js';

/** The shared statements' texts in this schema's dialect, made once per adapter. */
export function statementsIn(d: SqlDialect) {
  const types = ['text', 'text', 'text', 'integer', 'text', 'text', 'text', 'text', 'double precision', 'integer', 'double precision', 'double precision', 'text', 'double precision', 'text'];
  return {
    journeyStatus: sql.journeyStatus(d),
    journeyGet: sql.journeyGet(d),
    versionGet: sql.versionGet(d),
    enrollmentGet: sql.enrollmentGet(d),
    enrollmentInsert: sql.enrollmentInsert(d),
    /** The insert over arrays: one array parameter per column. */
    enrollmentInsertMany: `INSERT INTO ${d.table('je_enrollments')} (${ENROLLMENT_INSERT_COLUMNS.join(', ')})
      SELECT ${ENROLLMENT_INSERT_COLUMNS.map((c) => (c === 'data' ? 'r.data::json' : `r.${c}`)).join(', ')}
      FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) WITH ORDINALITY AS r(${ENROLLMENT_INSERT_COLUMNS.join(', ')}, ord)
      ORDER BY r.ord
      ON CONFLICT DO NOTHING RETURNING id`,
    customerHistory: sql.customerHistory(d),
    entryHistories: sql.entryHistories(d),
  };
}

export function tableNames(S: string) {
  return {
    journeys: `${S}.je_journeys`,
    versions: `${S}.je_journey_versions`,
    enrollments: `${S}.je_enrollments`,
    effects: `${S}.je_effects`,
    outcomeKeys: `${S}.je_customer_outcome_keys`,
    counters: `${S}.je_counters`,
    quarantine: `${S}.je_quarantine`,
    catalog: `${S}.je_catalog`,
    sendSlots: `${S}.je_send_slots`,
    sendRates: `${S}.je_send_rates`,
  };
}

export function journeyParams(r: JourneyRecord): unknown[] {
  return [r.tenantId, r.id, r.status, r.version, r.revision, r.createdAt, r.updatedAt, journeyData(r)];
}

/** $1…$18 of the commit's guarded UPDATE. */
/**
 * An enrollment row's deadline (`e.data.deadline`), or NULL when it is not a number: read only for
 * paused journeys' due rows, and a damaged row must not make the query fail for everyone.
 */
export const PAUSED_DEADLINE = `(CASE WHEN json_typeof(e.data->'deadline') = 'number' THEN (e.data->>'deadline')::double precision END)`;

export function updateParams(commit: Commit): unknown[] {
  const e = commit.enrollment;
  const lease = leaseChange(commit);
  return [
    ...stateParams(e),
    e.journeyVersion,
    e.endedAt,
    e.exitReason,
    e.updatedAt,
    enrollmentData(e),
    lease.kind === 'keep' ? 0 : lease.kind === 'end' ? 1 : 2,
    lease.kind === 'extend' ? lease.until : null,
    e.id,
    e.tenantId,
    e.journeyId,
    e.customerId,
    commit.expectedVersion,
    commit.token ?? null,
    commit.requireActiveJourney === true,
  ];
}

/** status, phase, step_id, wake_at, version: the columns a commit changes first. */
export function stateParams(e: Enrollment): unknown[] {
  return [e.status, e.phase, e.stepId, e.wakeAt, e.version];
}
