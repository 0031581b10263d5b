/**
 * Row codecs shared by the SQL adapters. A row may have been written by an older version of the
 * library, by hand, or damaged. Every read is parsed and checked; anything that does not match
 * throws a `JourneyError` with code `corrupt-row` naming the table and row id, instead of handing
 * garbage to the engine. Journey documents in this library's own format are checked for their
 * shape only (see {@link JOURNEY_DOCUMENT_FORMAT}).
 */
import { z } from 'zod';
import { JourneyError } from '../../model/errors.js';
import { goalsSchema } from '../../model/goals.js';
import { journeySendPolicySchema } from '../../model/send-policy.js';
import { entryConditionsSchema, stepSchema } from '../../model/schema.js';
import { JOURNEY_STATUSES, type JourneyStatus } from '../../model/status.js';
import { STEP_TYPES, type JourneyDefinition, type JourneyRecord } from '../../model/types.js';
import type { EffectRecord, EntryHistory, QuarantinedEnrollment } from '../../runtime/ports.js';
import type { EntryHistoryRow } from '../sql/statements.js';
import type { Enrollment, EnrollmentPhase, EnrollmentStatus } from '../../runtime/types.js';

/** Where a bad value was found. */
interface RowRef {
  readonly table: string;
  readonly id: string;
}

function corrupt(ref: RowRef, field: string, problem: string, cause?: unknown): JourneyError {
  return new JourneyError(
    'corrupt-row',
    `stored row ${ref.table}/${ref.id} is unreadable (${field}: ${problem}); it was written by another version or damaged — repair or remove it`,
    { details: { table: ref.table, id: ref.id, field }, cause },
  );
}

/** The `corrupt-row` error of a row (for adapters that find damage without decoding, like memory's test hook). */
export function corruptRow(table: string, id: string, field: string, problem: string): JourneyError {
  return corrupt({ table, id }, field, problem);
}

function isCorruptRow(error: unknown): error is JourneyError & { details: { field?: unknown } } {
  return error instanceof Error && (error as { code?: unknown }).code === 'corrupt-row';
}

/**
 * The quarantine entry for a row whose decoding threw `error`, or null when `error` is not a
 * `corrupt-row` (a bug or an I/O failure: the caller rethrows it).
 */
export function quarantineEntry(
  row: { readonly id: unknown; readonly tenant_id: unknown; readonly journey_id: unknown; readonly customer_id: unknown },
  error: unknown,
  at: number,
): QuarantinedEnrollment | null {
  if (!isCorruptRow(error)) return null;
  const field = (error as { details?: { field?: unknown } }).details?.field;
  return {
    enrollmentId: String(row.id),
    tenantId: String(row.tenant_id),
    journeyId: String(row.journey_id),
    customerId: String(row.customer_id),
    reason: error.message,
    field: typeof field === 'string' ? field : null,
    at,
  };
}

function str(ref: RowRef, field: string, v: unknown): string {
  if (typeof v !== 'string') throw corrupt(ref, field, 'expected a string');
  return v;
}
function strOrNull(ref: RowRef, field: string, v: unknown): string | null {
  return v === null || v === undefined ? null : str(ref, field, v);
}
/** Numbers may arrive as strings (Postgres int8/numeric) or bigint (SQLite safeIntegers). */
function num(ref: RowRef, field: string, v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'bigint' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw corrupt(ref, field, 'expected a finite number');
  return n;
}
function int(ref: RowRef, field: string, v: unknown): number {
  const n = num(ref, field, v);
  if (!Number.isSafeInteger(n)) throw corrupt(ref, field, 'expected an integer');
  return n;
}
function numOrNull(ref: RowRef, field: string, v: unknown): number | null {
  return v === null || v === undefined ? null : num(ref, field, v);
}
function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function obj(ref: RowRef, field: string, v: unknown): Record<string, unknown> {
  if (!isPlainObject(v)) throw corrupt(ref, field, 'expected an object');
  return v;
}
function json(ref: RowRef, field: string, v: unknown): unknown {
  if (typeof v !== 'string') return v; // drivers that parse json columns themselves
  try {
    return JSON.parse(v);
  } catch (error) {
    throw corrupt(ref, field, 'invalid JSON', error);
  }
}
function recordOf<T>(ref: RowRef, field: string, v: unknown, check: (x: unknown) => x is T, what: string): Record<string, T> {
  const o = obj(ref, field, v);
  for (const key in o) if (!check(o[key])) throw corrupt(ref, `${field}.${key}`, `expected ${what}`);
  return o as Record<string, T>;
}

const ENROLLMENT_STATUS_SET: ReadonlySet<string> = new Set<EnrollmentStatus>(['active', 'completed', 'exited', 'failed']);
const PHASE_SET: ReadonlySet<string> = new Set<EnrollmentPhase>(['ready', 'waiting', 'effect', 'done']);
const JOURNEY_STATUS_SET: ReadonlySet<string> = new Set<string>(JOURNEY_STATUSES);
const EFFECT_TYPES: ReadonlySet<string> = new Set(['decide', 'send', 'update']);

// ───────────────────────────── enrollments ─────────────────────────────

/** The enrollment fields kept in the JSON `data` column (everything without a column of its own). */
interface EnrollmentData {
  readonly visits: Enrollment['visits'];
  readonly results: Enrollment['results'];
  readonly flags: Enrollment['flags'];
  /** Absent when no split assigned a variant (and in rows written before splits existed). */
  readonly variants?: Enrollment['variants'];
  readonly outcomes: Enrollment['outcomes'];
  readonly latestOutcome: Enrollment['latestOutcome'];
  readonly lastSendAt: number | null;
  /** Absent in rows written before sends were remembered: read as `[]`. */
  readonly sends: Enrollment['sends'];
  readonly attempts: number;
  readonly lastError: Enrollment['lastError'];
  readonly context: Enrollment['context'];
  readonly deadline: number;
  /** Written only when present (see {@link Enrollment}); absent in older rows. */
  readonly inbox?: Enrollment['inbox'];
  readonly resumeAt?: Enrollment['resumeAt'];
  readonly stepEnteredAt?: Enrollment['stepEnteredAt'];
  readonly goals?: Enrollment['goals'];
}

/** The JSON text of an enrollment's `data` column. */
export function enrollmentData(e: Enrollment): string {
  return JSON.stringify(enrollmentDataValue(e));
}

/** The value {@link enrollmentData} encodes (for a writer that encodes it inside a larger JSON document). */
export function enrollmentDataValue(e: Enrollment): object {
  const data: EnrollmentData = {
    visits: e.visits,
    results: e.results,
    flags: e.flags,
    variants: e.variants,
    outcomes: e.outcomes,
    latestOutcome: e.latestOutcome,
    lastSendAt: e.lastSendAt,
    sends: e.sends,
    attempts: e.attempts,
    lastError: e.lastError,
    context: e.context,
    deadline: e.deadline,
    ...(e.inbox !== undefined && e.inbox.length > 0 ? { inbox: e.inbox, resumeAt: e.resumeAt ?? null } : {}),
    ...(e.stepEnteredAt === undefined ? {} : { stepEnteredAt: e.stepEnteredAt }),
    ...(e.goals === undefined ? {} : { goals: e.goals }),
  };
  return data;
}

/** An enrollment as the columns of its row (column names as in the schema; the rest in `data`). */
export function enrollmentColumns(e: Enrollment) {
  return {
    id: e.id,
    tenant_id: e.tenantId,
    journey_id: e.journeyId,
    journey_version: e.journeyVersion,
    customer_id: e.customerId,
    status: e.status,
    phase: e.phase,
    step_id: e.stepId,
    wake_at: e.wakeAt,
    version: e.version,
    entered_at: e.enteredAt,
    ended_at: e.endedAt,
    exit_reason: e.exitReason,
    updated_at: e.updatedAt,
    data: enrollmentData(e),
  };
}

/** An enrollment's insert values, in the order of the shared statements' `ENROLLMENT_INSERT_COLUMNS`. */
export function enrollmentValues(e: Enrollment): unknown[] {
  return [e.id, e.tenantId, e.journeyId, e.journeyVersion, e.customerId, e.status, e.phase, e.stepId, e.wakeAt, e.version, e.enteredAt, e.endedAt, e.exitReason, e.updatedAt, enrollmentData(e)];
}

/** One customer's entry facts from a row of the shared `entryHistories` statement. */
export function decodeEntryHistory(row: EntryHistoryRow, isTrue: (value: unknown) => boolean): EntryHistory {
  const instant = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    customerId: String(row.customer_id),
    active: isTrue(row.active),
    lastEndedAt: instant(row.last),
    journey: {
      enrollments: Number(row.n_here),
      active: row.active_id === null || row.active_id === undefined ? null : { id: String(row.active_id), enteredAt: Number(row.active_entered) },
      lastEndedAt: instant(row.last_here),
    },
  };
}

/** An enrollments row as a driver returns it (column names as in the schema). */
export interface EnrollmentRow {
  readonly id: unknown;
  readonly tenant_id: unknown;
  readonly journey_id: unknown;
  readonly journey_version: unknown;
  readonly customer_id: unknown;
  readonly status: unknown;
  readonly phase: unknown;
  readonly step_id: unknown;
  readonly wake_at: unknown;
  readonly lease_until?: unknown;
  readonly claim_token?: unknown;
  readonly version: unknown;
  readonly entered_at: unknown;
  readonly ended_at: unknown;
  readonly exit_reason: unknown;
  readonly updated_at: unknown;
  readonly data: unknown;
}

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isBoolean = (x: unknown): x is boolean => typeof x === 'boolean';
const isLabel = (x: unknown): x is string => typeof x === 'string' && x.length > 0;
const isOutcome = (o: unknown): boolean =>
  isPlainObject(o) && typeof o['type'] === 'string' && isNumber(o['at']) && typeof o['key'] === 'string' && (o['sendKey'] === undefined || typeof o['sendKey'] === 'string');
const isSend = (o: unknown): boolean =>
  isPlainObject(o) && typeof o['key'] === 'string' && typeof o['stepId'] === 'string' && isNumber(o['at']) && (o['messageId'] === undefined || typeof o['messageId'] === 'string');
const isCustomerEvent = (o: unknown): boolean =>
  isPlainObject(o) && typeof o['type'] === 'string' && isPlainObject(o['properties']) && isNumber(o['at']);
const isInboxItem = (o: unknown): boolean => {
  if (!isPlainObject(o) || typeof o['key'] !== 'string' || !isNumber(o['receivedAt'])) return false;
  switch (o['kind']) {
    case 'outcome':
      return isOutcome(o['outcome']);
    case 'event':
      return isCustomerEvent(o['event']);
    case 'exit':
      return typeof o['reason'] === 'string';
    default:
      return false;
  }
};
const isOfferList = (x: unknown): x is readonly { id: string }[] =>
  Array.isArray(x) && x.every((o) => isPlainObject(o) && typeof o['id'] === 'string');

/** Parse and check an enrollments row. Throws `corrupt-row` on anything unexpected. */
export function decodeEnrollment(row: EnrollmentRow, table: string): Enrollment {
  const ref: RowRef = { table, id: typeof row.id === 'string' ? row.id : String(row.id) };
  const id = str(ref, 'id', row.id);
  const status = str(ref, 'status', row.status);
  if (!ENROLLMENT_STATUS_SET.has(status)) throw corrupt(ref, 'status', `unknown status ${JSON.stringify(status)}`);
  const phase = str(ref, 'phase', row.phase);
  if (!PHASE_SET.has(phase)) throw corrupt(ref, 'phase', `unknown phase ${JSON.stringify(phase)}`);
  const d = obj(ref, 'data', json(ref, 'data', row.data));
  const outcomes = d['outcomes'];
  if (!Array.isArray(outcomes)) throw corrupt(ref, 'data.outcomes', 'expected an array');
  for (let i = 0; i < outcomes.length; i++) {
    if (!isOutcome(outcomes[i])) throw corrupt(ref, `data.outcomes[${i}]`, 'expected { type, at, key }');
  }
  const sends = d['sends'] ?? [];
  if (!Array.isArray(sends)) throw corrupt(ref, 'data.sends', 'expected an array');
  for (let i = 0; i < sends.length; i++) {
    if (!isSend(sends[i])) throw corrupt(ref, `data.sends[${i}]`, 'expected { key, stepId, at, messageId? }');
  }
  const inbox = d['inbox'];
  if (inbox !== undefined) {
    if (!Array.isArray(inbox)) throw corrupt(ref, 'data.inbox', 'expected an array');
    for (let i = 0; i < inbox.length; i++) {
      if (!isInboxItem(inbox[i])) throw corrupt(ref, `data.inbox[${i}]`, 'expected { kind: outcome | event | exit, key, receivedAt, … }');
    }
  }
  const extras: { -readonly [K in 'inbox' | 'resumeAt' | 'stepEnteredAt' | 'goals']?: Enrollment[K] } = {};
  if (inbox !== undefined && inbox.length > 0) {
    extras.inbox = inbox as Enrollment['inbox'];
    extras.resumeAt = numOrNull(ref, 'data.resumeAt', d['resumeAt'] ?? null);
  }
  if (d['stepEnteredAt'] !== undefined) extras.stepEnteredAt = num(ref, 'data.stepEnteredAt', d['stepEnteredAt']);
  if (d['goals'] !== undefined) extras.goals = recordOf(ref, 'data.goals', d['goals'], isNumber, 'a number');
  const latestOutcome = d['latestOutcome'];
  if (latestOutcome !== null && !isOutcome(latestOutcome)) throw corrupt(ref, 'data.latestOutcome', 'expected null or { type, at, key }');
  const lastError = d['lastError'];
  if (lastError !== null) {
    if (
      !isPlainObject(lastError) ||
      typeof lastError['message'] !== 'string' ||
      typeof lastError['stepId'] !== 'string' ||
      !isNumber(lastError['at']) ||
      !isNumber(lastError['attempts']) ||
      (lastError['code'] !== undefined && typeof lastError['code'] !== 'string')
    ) {
      throw corrupt(ref, 'data.lastError', 'expected null or { message, stepId, at, attempts, code? }');
    }
  }
  const variants = d['variants'] === undefined ? undefined : recordOf(ref, 'data.variants', d['variants'], isLabel, 'a variant label (a non-empty string)');
  const endedAt = numOrNull(ref, 'ended_at', row.ended_at);
  const wakeAt = numOrNull(ref, 'wake_at', row.wake_at);
  if (status === 'active' ? endedAt !== null : wakeAt !== null) {
    throw corrupt(ref, status === 'active' ? 'ended_at' : 'wake_at', `inconsistent with status ${status}`);
  }
  return {
    id,
    tenantId: str(ref, 'tenant_id', row.tenant_id),
    journeyId: str(ref, 'journey_id', row.journey_id),
    journeyVersion: int(ref, 'journey_version', row.journey_version),
    customerId: str(ref, 'customer_id', row.customer_id),
    status: status as EnrollmentStatus,
    stepId: strOrNull(ref, 'step_id', row.step_id),
    phase: phase as EnrollmentPhase,
    visits: recordOf(ref, 'data.visits', d['visits'], isNumber, 'a number'),
    results: recordOf(ref, 'data.results', d['results'], isOfferList, 'a list of offers with string ids') as Enrollment['results'],
    flags: recordOf(ref, 'data.flags', d['flags'], isBoolean, 'a boolean'),
    ...(variants === undefined ? {} : { variants }),
    outcomes: outcomes as Enrollment['outcomes'],
    latestOutcome: latestOutcome as Enrollment['latestOutcome'],
    lastSendAt: numOrNull(ref, 'data.lastSendAt', d['lastSendAt']),
    sends: sends as Enrollment['sends'],
    attempts: int(ref, 'data.attempts', d['attempts']),
    lastError: lastError as Enrollment['lastError'],
    context: obj(ref, 'data.context', d['context']) as Enrollment['context'],
    enteredAt: num(ref, 'entered_at', row.entered_at),
    deadline: num(ref, 'data.deadline', d['deadline']),
    wakeAt,
    endedAt,
    exitReason: strOrNull(ref, 'exit_reason', row.exit_reason),
    version: int(ref, 'version', row.version),
    updatedAt: num(ref, 'updated_at', row.updated_at),
    ...extras,
  };
}

/**
 * Check an enrollment an operator hands `repairEnrollment`: it must pass the same row checks a
 * stored row passes (it is encoded as a row and decoded back). Throws `invalid-request` naming the
 * field, so nothing unreadable is ever written.
 */
export function checkRepairedEnrollment(e: Enrollment): Enrollment {
  try {
    if (e === null || typeof e !== 'object') throw corrupt({ table: 'enrollment', id: '?' }, 'enrollment', 'expected an object');
    return decodeEnrollment(enrollmentColumns(e), 'enrollment');
  } catch (error) {
    const field = isCorruptRow(error) ? (error as { details?: { field?: unknown } }).details?.field : undefined;
    const message = error instanceof Error ? error.message : String(error);
    throw new JourneyError('invalid-request', `the repaired enrollment does not pass the row checks: ${message}`, {
      path: ['enrollment', ...(typeof field === 'string' ? field.replace(/^data\./, '').split('.') : [])],
      cause: error,
    });
  }
}

/** A `je_quarantine` row as a driver returns it. */
export interface QuarantineRow {
  readonly enrollment_id: string;
  readonly tenant_id: string;
  readonly journey_id: string;
  readonly customer_id: string;
  readonly reason: string;
  readonly field: string | null;
  readonly at: unknown;
}

/** A quarantine entry from its row (`at` may arrive as a string or bigint). */
export function decodeQuarantine(r: QuarantineRow): QuarantinedEnrollment {
  return { enrollmentId: r.enrollment_id, tenantId: r.tenant_id, journeyId: r.journey_id, customerId: r.customer_id, reason: r.reason, field: r.field, at: Number(r.at) };
}

/** The claim token of an enrollments row (0 before its first claim). */
export function decodeToken(row: EnrollmentRow, table: string): number {
  return int({ table, id: String(row.id) }, 'claim_token', row.claim_token ?? 0);
}

// ───────────────────────────── journeys ─────────────────────────────

const stepsSchema = z.array(stepSchema);

/**
 * The format of the journey documents this library writes (`data` of journeys, `definition` of
 * versions). The engine validates a document before it writes it, so a row in this format is
 * trusted on read: JSON-parsed and checked for the shape the engine relies on (step ids, types
 * and configs, entry conditions, maxDuration), not parsed again with the model's schema — that
 * parse was most of the time of every journey read (1–7 µs a step). A row without it (written
 * by an older version of the library, or by hand) or in another format is checked in full with
 * the schema and refused as `corrupt-row` when it does not match.
 */
export const JOURNEY_DOCUMENT_FORMAT = 1;

const STEP_TYPE_SET: ReadonlySet<unknown> = new Set(STEP_TYPES);

/** The JSON text of a journey's `data` column: the document fields without their own column. */
export function journeyData(r: JourneyRecord): string {
  return JSON.stringify({
    format: JOURNEY_DOCUMENT_FORMAT,
    name: r.name,
    description: r.description,
    maxDuration: r.maxDuration,
    steps: r.steps,
    entryConditions: r.entryConditions,
    ...(r.goals === undefined ? {} : { goals: r.goals }),
    ...(r.sendPolicy === undefined ? {} : { sendPolicy: r.sendPolicy }),
  });
}

/** The JSON text of a journey version's `definition` column. */
export function definitionData(d: JourneyDefinition): string {
  return JSON.stringify({
    format: JOURNEY_DOCUMENT_FORMAT,
    maxDuration: d.maxDuration,
    steps: d.steps,
    entryConditions: d.entryConditions,
    ...(d.goals === undefined ? {} : { goals: d.goals }),
    ...(d.sendPolicy === undefined ? {} : { sendPolicy: d.sendPolicy }),
  });
}

/** A document in this library's own format: its shape is checked, its contents trusted. */
function trustedDefinitionFields(ref: RowRef, field: string, d: Record<string, unknown>): JourneyDefinition {
  const steps = d['steps'];
  if (!Array.isArray(steps)) throw corrupt(ref, `${field}.steps`, 'expected an array');
  for (let i = 0; i < steps.length; i++) {
    const step: unknown = steps[i];
    if (!isPlainObject(step) || typeof step['id'] !== 'string' || !STEP_TYPE_SET.has(step['type']) || !isPlainObject(step['config'])) {
      throw corrupt(ref, `${field}.steps[${i}]`, `expected a step { id, type: ${STEP_TYPES.join(' | ')}, config }`);
    }
  }
  const entry = obj(ref, `${field}.entryConditions`, d['entryConditions']);
  const goals = d['goals'];
  if (goals !== undefined) {
    if (!Array.isArray(goals)) throw corrupt(ref, `${field}.goals`, 'expected an array');
    for (let i = 0; i < goals.length; i++) {
      const goal: unknown = goals[i];
      if (!isPlainObject(goal) || typeof goal['id'] !== 'string') throw corrupt(ref, `${field}.goals[${i}]`, 'expected a goal { id, outcome | event, … }');
    }
  }
  const sendPolicy = d['sendPolicy'];
  if (sendPolicy !== undefined) obj(ref, `${field}.sendPolicy`, sendPolicy);
  return {
    maxDuration: num(ref, `${field}.maxDuration`, d['maxDuration']),
    steps: steps as JourneyDefinition['steps'],
    entryConditions: entry as JourneyDefinition['entryConditions'],
    ...(goals === undefined ? {} : { goals: goals as JourneyDefinition['goals'] }),
    ...(sendPolicy === undefined ? {} : { sendPolicy: sendPolicy as JourneyDefinition['sendPolicy'] }),
  };
}

function decodeDefinitionFields(ref: RowRef, field: string, d: Record<string, unknown>): JourneyDefinition {
  if (d['format'] === JOURNEY_DOCUMENT_FORMAT) return trustedDefinitionFields(ref, field, d);
  const steps = stepsSchema.safeParse(d['steps']);
  if (!steps.success) throw corrupt(ref, `${field}.steps`, steps.error.issues[0]?.message ?? 'invalid steps', steps.error);
  const entry = entryConditionsSchema.safeParse(d['entryConditions']);
  if (!entry.success) {
    throw corrupt(ref, `${field}.entryConditions`, entry.error.issues[0]?.message ?? 'invalid entry conditions', entry.error);
  }
  const goals = d['goals'] === undefined ? undefined : goalsSchema.safeParse(d['goals']);
  if (goals !== undefined && !goals.success) throw corrupt(ref, `${field}.goals`, goals.error.issues[0]?.message ?? 'invalid goals', goals.error);
  const sendPolicy = d['sendPolicy'] === undefined ? undefined : journeySendPolicySchema.safeParse(d['sendPolicy']);
  if (sendPolicy !== undefined && !sendPolicy.success) throw corrupt(ref, `${field}.sendPolicy`, sendPolicy.error.issues[0]?.message ?? 'invalid send policy', sendPolicy.error);
  return {
    maxDuration: num(ref, `${field}.maxDuration`, d['maxDuration']),
    steps: steps.data,
    entryConditions: entry.data,
    ...(goals === undefined ? {} : { goals: goals.data }),
    ...(sendPolicy === undefined ? {} : { sendPolicy: sendPolicy.data }),
  };
}

/** A journeys row as a driver returns it. */
export interface JourneyRow {
  readonly tenant_id: unknown;
  readonly id: unknown;
  readonly status: unknown;
  readonly version: unknown;
  readonly revision: unknown;
  readonly created_at: unknown;
  readonly updated_at: unknown;
  readonly data: unknown;
}

/** Check a journeys row's `status` column read on its own (see `Storage.journeyStatus`). Throws `corrupt-row`. */
export function decodeJourneyStatus(value: unknown, table: string, id: string): JourneyStatus {
  const ref: RowRef = { table, id };
  const status = str(ref, 'status', value);
  if (!JOURNEY_STATUS_SET.has(status)) throw corrupt(ref, 'status', `unknown status ${JSON.stringify(status)}`);
  return status as JourneyStatus;
}

/** Parse and check a journeys row. Throws `corrupt-row`. */
export function decodeJourney(row: JourneyRow, table: string): JourneyRecord {
  const ref: RowRef = { table, id: String(row.id) };
  const status = str(ref, 'status', row.status);
  if (!JOURNEY_STATUS_SET.has(status)) throw corrupt(ref, 'status', `unknown status ${JSON.stringify(status)}`);
  const d = obj(ref, 'data', json(ref, 'data', row.data));
  const def = decodeDefinitionFields(ref, 'data', d);
  return {
    id: str(ref, 'id', row.id),
    tenantId: str(ref, 'tenant_id', row.tenant_id),
    name: str(ref, 'data.name', d['name']),
    description: str(ref, 'data.description', d['description']),
    status: status as JourneyStatus,
    maxDuration: def.maxDuration,
    steps: def.steps,
    entryConditions: def.entryConditions,
    ...(def.goals === undefined ? {} : { goals: def.goals }),
    ...(def.sendPolicy === undefined ? {} : { sendPolicy: def.sendPolicy }),
    version: int(ref, 'version', row.version),
    revision: int(ref, 'revision', row.revision),
    createdAt: num(ref, 'created_at', row.created_at),
    updatedAt: num(ref, 'updated_at', row.updated_at),
  };
}

/** Parse and check a journey version's definition. Throws `corrupt-row`. */
export function decodeDefinition(value: unknown, table: string, id: string): JourneyDefinition {
  const ref: RowRef = { table, id };
  return decodeDefinitionFields(ref, 'definition', obj(ref, 'definition', json(ref, 'definition', value)));
}

// ───────────────────────────── effects ─────────────────────────────

/** An effects row as a driver returns it. */
export interface EffectRow {
  readonly idempotency_key: unknown;
  readonly tenant_id: unknown;
  readonly journey_id: unknown;
  readonly enrollment_id: unknown;
  readonly step_id: unknown;
  readonly visit: unknown;
  readonly type: unknown;
  readonly at: unknown;
  readonly detail: unknown;
}

/** Parse and check an effects row. Throws `corrupt-row`. */
export function decodeEffect(row: EffectRow, table: string): EffectRecord {
  const ref: RowRef = { table, id: String(row.idempotency_key) };
  const type = str(ref, 'type', row.type);
  if (!EFFECT_TYPES.has(type)) throw corrupt(ref, 'type', `unknown effect type ${JSON.stringify(type)}`);
  const base = {
    idempotencyKey: str(ref, 'idempotency_key', row.idempotency_key),
    tenantId: str(ref, 'tenant_id', row.tenant_id),
    journeyId: str(ref, 'journey_id', row.journey_id),
    enrollmentId: str(ref, 'enrollment_id', row.enrollment_id),
    stepId: str(ref, 'step_id', row.step_id),
    visit: int(ref, 'visit', row.visit),
    type: type as EffectRecord['type'],
    at: num(ref, 'at', row.at),
  };
  if (row.detail === null || row.detail === undefined) return base;
  return { ...base, detail: obj(ref, 'detail', json(ref, 'detail', row.detail)) };
}

/** The JSON text of an effect's `detail` column, or null. */
export function effectDetail(e: EffectRecord): string | null {
  return e.detail === undefined ? null : JSON.stringify(e.detail);
}
