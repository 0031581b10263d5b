/**
 * Journey management: create, read, update, delete and the status lifecycle, with the seed's
 * rules (active journeys take only name/description; delete drafts and archived journeys; activation needs a
 * journey without errors; archive exits everyone).
 */
import { JourneyError, type Path } from '../model/errors.js';
import { checkId } from '../model/ids.js';
import { allowsDeletion, canTransition, JOURNEY_STATUSES, type JourneyStatus } from '../model/status.js';
import type { JourneyDocument, JourneyRecord, JourneySummary } from '../model/types.js';
import type { Diagnostic, ValidationResult } from '../validate/diagnostics.js';
import { validateJourney } from '../validate/validate-journey.js';
import { validationOptions, type EngineContext } from './context.js';
import { safeEmit } from './events.js';

/** What `createJourney` answers: the seed's 201 body, plus what validation found. */
export interface CreatedJourney extends JourneySummary {
  /** Diagnostics of the saved document (a draft may be saved with errors). */
  readonly diagnostics: readonly Diagnostic[];
}

/** A journey as the engine returns it: the stored record plus its current diagnostics. */
export interface JourneyDetails extends JourneyRecord {
  readonly diagnostics: readonly Diagnostic[];
}

/** Fields `updateJourney` accepts. Anything else is refused with `unknown-field`. */
export interface JourneyPatch {
  readonly name?: unknown;
  readonly description?: unknown;
  readonly maxDuration?: unknown;
  readonly status?: unknown;
  readonly steps?: unknown;
  readonly entryConditions?: unknown;
  readonly goals?: unknown;
  readonly sendPolicy?: unknown;
}

const PATCH_FIELDS = new Set(['name', 'description', 'maxDuration', 'status', 'steps', 'entryConditions', 'goals', 'sendPolicy']);
const STRUCTURAL_FIELDS = ['maxDuration', 'steps', 'entryConditions', 'goals', 'sendPolicy'] as const;

/** The seed's summary shape, with ISO-8601 timestamps. */
export function summarize(record: JourneyRecord): JourneySummary {
  return {
    id: record.id,
    name: record.name,
    status: record.status,
    maxDuration: record.maxDuration,
    stepCount: record.steps.length,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}

/** The document view of a stored journey (what validation and `PUT` merge over). */
export function documentOf(record: JourneyRecord): Record<string, unknown> {
  return {
    name: record.name,
    description: record.description,
    maxDuration: record.maxDuration,
    status: record.status,
    steps: record.steps,
    entryConditions: record.entryConditions,
    ...(record.goals === undefined ? {} : { goals: record.goals }),
    ...(record.sendPolicy === undefined ? {} : { sendPolicy: record.sendPolicy }),
  };
}

/** A journey's own caps are counted in storage: refuse them (`invalid-journey`) on a host storage that cannot count sends. */
function checkPolicyStorage(ctx: EngineContext, doc: JourneyDocument): void {
  if ((doc.sendPolicy?.caps?.length ?? 0) > 0 && typeof ctx.storage.reserveSendSlot !== 'function') {
    throw new JourneyError('invalid-journey', 'sendPolicy.caps needs a storage that counts sends (reserveSendSlot): the bundled adapters do', { path: ['sendPolicy', 'caps'] });
  }
}

function refuseInvalid(result: ValidationResult, message: string): never {
  throw new JourneyError('invalid-journey', message, {
    path: result.diagnostics.find((d) => d.severity === 'error')?.path ?? [],
    details: { diagnostics: result.diagnostics },
  });
}

function refuseActivation(result: ValidationResult): never {
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  throw new JourneyError(
    'activation-refused',
    `the journey has ${errors.length} error${errors.length === 1 ? '' : 's'}; fix them before activating (first: ${errors[0]?.code}: ${errors[0]?.message})`,
    { path: errors[0]?.path ?? [], details: { diagnostics: result.diagnostics } },
  );
}

export async function createJourney(ctx: EngineContext, tenantId: string, document: unknown): Promise<CreatedJourney> {
  const result = validateJourney(document, validationOptions(ctx));
  if (!result.journey) refuseInvalid(result, 'the journey document is not valid; see details.diagnostics');
  const doc = result.journey;
  if (doc.status !== 'draft' && doc.status !== 'active') {
    throw new JourneyError('invalid-status', `a new journey starts as "draft" (or "active" when it has no errors), not "${doc.status}"`, { path: ['status'] });
  }
  if (doc.status === 'active' && !result.valid) refuseActivation(result);
  checkPolicyStorage(ctx, doc);
  const now = ctx.clock.now();
  const record: JourneyRecord = {
    id: ctx.newId('journey'),
    tenantId,
    name: doc.name,
    description: doc.description,
    status: doc.status,
    maxDuration: doc.maxDuration,
    steps: doc.steps,
    entryConditions: doc.entryConditions,
    ...(doc.goals === undefined ? {} : { goals: doc.goals }),
    ...(doc.sendPolicy === undefined ? {} : { sendPolicy: doc.sendPolicy }),
    version: 1,
    revision: 1,
    createdAt: now,
    updatedAt: now,
  };
  if (!(await ctx.storage.createJourney(record))) {
    throw new JourneyError('duplicate-id', `a journey with id "${record.id}" already exists`, { path: ['id'] });
  }
  ctx.triggers.drop(tenantId);
  ctx.diagnostics.put(record, result.diagnostics);
  ctx.observer.log('info', 'journey-created', { tenantId, journeyId: record.id, journeyVersion: 1, status: record.status }, 'journey created');
  return { ...summarize(record), diagnostics: result.diagnostics };
}

/**
 * The stored journey, or `journey-not-found` at `path`: the name of the argument or field the
 * caller passed the id in (`['id']` for the journey methods, `['journeyId']` for enroll, stats
 * and outcomes). An id that is not an id at all is `invalid-id` at the same path.
 */
export async function requireJourney(ctx: EngineContext, tenantId: string, id: string, path: Path): Promise<JourneyRecord> {
  const record = typeof id === 'string' ? await ctx.storage.getJourney(tenantId, checkId(id, path)) : null;
  if (!record) throw new JourneyError('journey-not-found', `no journey "${String(id).slice(0, 256)}"`, { path });
  return record;
}

/** A stored journey with its diagnostics, validated once per revision (see DiagnosticsCache). */
export function withDiagnostics(ctx: EngineContext, record: JourneyRecord): JourneyDetails {
  return { ...record, diagnostics: ctx.diagnostics.get(record, () => validateJourney(documentOf(record), validationOptions(ctx)).diagnostics) };
}

/** Structural equality of JSON values; object key order does not matter. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => sameJson(item, other[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Apply a patch under the lifecycle rules. A refused patch changes nothing.
 */
export async function updateJourney(ctx: EngineContext, tenantId: string, id: string, patch: unknown): Promise<JourneyDetails> {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    throw new JourneyError('invalid-request', 'the update must be an object of fields to change', { path: [] });
  }
  for (const key of Object.keys(patch)) {
    if (!PATCH_FIELDS.has(key)) {
      throw new JourneyError('unknown-field', `"${key}" cannot be updated; updatable fields: ${[...PATCH_FIELDS].join(', ')}`, { path: [key] });
    }
  }
  const fields = patch as JourneyPatch;
  const current = await requireJourney(ctx, tenantId, id, ['id']);

  const targetStatus = fields.status === undefined ? current.status : fields.status;
  if (typeof targetStatus !== 'string' || !(JOURNEY_STATUSES as readonly string[]).includes(targetStatus)) {
    throw new JourneyError('invalid-field', `status must be one of ${JOURNEY_STATUSES.join(', ')}`, { path: ['status'] });
  }
  const status = targetStatus as JourneyStatus;
  if (current.status === 'archived') {
    throw new JourneyError('journey-archived', 'an archived journey is permanently retired and cannot change', { path: [] });
  }
  const merged = { ...documentOf(current), ...fields, status };
  const result = validateJourney(merged, validationOptions(ctx));
  // A structural change is one the parsed document shows (defaults filled in, key order ignored);
  // when the patch does not even parse, any structural field that differs as given counts.
  const parsed = result.journey;
  const structural = STRUCTURAL_FIELDS.filter((f) =>
    fields[f] !== undefined && !sameJson(parsed ? parsed[f] : fields[f], current[f]),
  );
  if (structural.length > 0 && current.status === 'active') {
    throw new JourneyError(
      'journey-active',
      `an active journey accepts only name and description changes; pause it first to change ${structural.join(', ')}`,
      { path: [structural[0]!] },
    );
  }
  if (status !== current.status && !canTransition(current.status, status)) {
    throw new JourneyError('invalid-transition', `a journey cannot go from "${current.status}" to "${status}"`, { path: ['status'] });
  }
  if (!parsed) refuseInvalid(result, 'the updated journey is not valid; see details.diagnostics');
  if (status === 'active' && !result.valid) refuseActivation(result);

  const doc = parsed;
  checkPolicyStorage(ctx, doc);
  const now = ctx.clock.now();
  const { goals: _previousGoals, sendPolicy: _previousPolicy, ...rest } = current;
  const record: JourneyRecord = {
    ...rest,
    name: doc.name,
    description: doc.description,
    status,
    maxDuration: doc.maxDuration,
    steps: doc.steps,
    entryConditions: doc.entryConditions,
    ...(doc.goals === undefined ? {} : { goals: doc.goals }),
    ...(doc.sendPolicy === undefined ? {} : { sendPolicy: doc.sendPolicy }),
    version: structural.length > 0 ? current.version + 1 : current.version,
    revision: current.revision + 1,
    updatedAt: now,
  };
  if (!(await ctx.storage.updateJourney(record, current.revision))) {
    throw new JourneyError('concurrent-update', 'the journey changed while this update ran; read it again and retry', { path: [] });
  }
  ctx.triggers.drop(tenantId);
  ctx.diagnostics.put(record, result.diagnostics);
  const lifecycle = { tenantId, journeyId: id, journeyVersion: record.version };
  if (status !== current.status) ctx.observer.log('info', 'journey-status', { ...lifecycle, from: current.status, to: status }, `journey ${current.status} -> ${status}`);
  else if (record.version !== current.version) ctx.observer.log('info', 'journey-version', { ...lifecycle, previousVersion: current.version }, `journey version ${record.version}`);
  if (status === 'archived') {
    const exited = await ctx.storage.exitAll(tenantId, id, 'archived', now);
    ctx.observer.log('info', 'journey-archived', { ...lifecycle, exited: exited.length }, `journey archived: ${exited.length} enrollment(s) exited`);
    for (const enrollmentId of exited) {
      safeEmit(ctx.events, 'exited', { enrollmentId, journeyId: id, reason: 'archived' }, ctx.onListenerError);
    }
  }
  return { ...record, diagnostics: result.diagnostics };
}

export async function deleteJourney(ctx: EngineContext, tenantId: string, id: string): Promise<void> {
  const current = await requireJourney(ctx, tenantId, id, ['id']);
  if (!allowsDeletion(current.status)) {
    throw new JourneyError('journey-not-archived', `only draft and archived journeys can be deleted; this one is "${current.status}": archive it first`, {
      path: ['status'],
    });
  }
  if (!(await ctx.storage.deleteJourney(tenantId, id, current.revision))) {
    throw new JourneyError('concurrent-update', 'the journey changed while it was being deleted; read it again and retry', { path: [] });
  }
  ctx.triggers.drop(tenantId);
  ctx.observer.log('info', 'journey-deleted', { tenantId, journeyId: id }, 'journey deleted');
}
