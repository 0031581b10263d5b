/** Edits of steps: add, delete (and reconnect around), rename, move, change a field; and of the journey's own fields. */
import { appendSteps, freshId, locate, NOT_A_JOURNEY, positionProblem, refuse, stepIdProblem, withSteps, writeTarget } from './edit-common.js';
import { cloneJson, pathProblem, setIn, type JsonPath } from './immutable.js';
import { defaultConfig } from './palette.js';
import { field, indexSteps, isDraft, kindModel, stepHandles } from './read-steps.js';
import type { DraftStep, EditorPosition, EditResult, JourneyDraft } from './types.js';

/** Options of {@link addStep}. */
export interface AddStepOptions {
  /** The new step's id (default: `<kind>`, else `<kind>_2`, … whichever is free). */
  readonly id?: string;
  readonly position?: EditorPosition;
  /** Its config (default: the palette's for the kind, which passes the kind's schema). */
  readonly config?: unknown;
  readonly label?: string;
}

/**
 * Add a step of `kind`, unconnected, at the end of the array (the previous last step keeps
 * ending the journey: it gets `next: null`). The first step of an empty journey is its entry.
 * Refused: `unknown-kind`, `invalid-step-id`, `duplicate-step-id`, `invalid-position`.
 *
 * @example
 * ```ts
 * const r = addStep(doc, 'wait', { position: { x: 120, y: 300 } });
 * if (r.ok) setDoc(r.doc); // r.doc.steps.at(-1): { id: 'wait', type: 'wait', config: { duration: 1, unit: 'days' }, position: … }
 * ```
 */
export function addStep<D extends JourneyDraft>(doc: D, kind: string, options: AddStepOptions = {}): EditResult<D> {
  if (!isDraft(doc)) return NOT_A_JOURNEY;
  if (kindModel({ type: kind }) === undefined) return refuse('unknown-kind', `No step kind ${JSON.stringify(kind)}.`);
  const index = indexSteps(doc.steps);
  const id = options.id ?? freshId(kind, index.byStepId);
  const problem = stepIdProblem(index, id) ?? positionProblem(options.position);
  if (problem !== undefined) return problem;
  let step: DraftStep = { id, type: kind };
  if (options.label !== undefined) step = setIn(step, ['label'], options.label);
  step = setIn(step, ['config'], options.config !== undefined ? cloneJson(options.config) : defaultConfig(kind));
  if (options.position !== undefined) step = setIn(step, ['position'], { x: options.position.x, y: options.position.y });
  return withSteps(doc, appendSteps(doc.steps, [step]));
}

/** Options of {@link deleteStep}. */
export interface DeleteStepOptions {
  /**
   * When the step has exactly one successor (one step, or the end), lead every transition into
   * it there instead (default `false`: they end the journey, or stay as broken edges where the
   * kind needs a target).
   */
  readonly reconnect?: boolean;
}

/**
 * Remove a step. Transitions that led to it lead to its one successor with `{ reconnect: true }`
 * (when it has exactly one); otherwise they end the journey where the kind allows (`next: null`,
 * a variant's target `null`, a branch default removed) and stay, broken, where it needs a target
 * (a branch condition: the validator reports `unknown-target`). Every other step keeps its
 * meaning: the step before it, which went on to it in array order, now says where it goes.
 */
export function deleteStep<D extends JourneyDraft>(doc: D, ref: string, options: DeleteStepOptions = {}): EditResult<D> {
  const found = locate(doc, ref);
  if ('ok' in found) return found;
  const { index, i } = found;
  const id = field(index.steps[i], 'id');
  let replacement: string | null | undefined;
  if (options.reconnect === true) {
    const targets = new Set(stepHandles(index, i).map((h) => h.target));
    if (targets.size === 1) {
      const only = [...targets][0]!;
      replacement = only === id ? null : only;
    }
  }
  const follower = field(index.steps[i + 1], 'id');
  const steps: DraftStep[] = [];
  index.steps.forEach((step, j) => {
    if (j === i) return;
    let out = step;
    for (const h of stepHandles(index, j)) {
      if (h.kind === 'order') {
        // The step before, going on to the deleted one in array order, goes on to i + 1 once it is gone.
        if (j === i - 1 && !(replacement !== undefined && replacement === (follower ?? null))) out = writeTarget(out, h, replacement ?? null) ?? out;
        continue;
      }
      if (typeof id !== 'string' || h.target !== id) continue;
      out = writeTarget(out, h, replacement ?? null) ?? out;
    }
    steps.push(out);
  });
  return withSteps(doc, steps);
}

/**
 * Give a step a new id and update every reference to it: transitions (`next`, conditions,
 * defaults, paths, variants) and a send's `resultSource` naming it. Refused: `unknown-step`,
 * `invalid-step-id`, `duplicate-step-id`.
 */
export function renameStep<D extends JourneyDraft>(doc: D, ref: string, newId: string): EditResult<D> {
  const found = locate(doc, ref);
  if ('ok' in found) return found;
  const { index, i } = found;
  const oldId = field(index.steps[i], 'id');
  if (oldId === newId) return { ok: true, doc };
  const problem = stepIdProblem(index, newId);
  if (problem !== undefined) return problem;
  const storesResult = kindModel(index.steps[i])?.storesResult !== undefined;
  const steps = index.steps.map((step, j) => {
    let out = j === i ? setIn(step, ['id'], newId) : step;
    if (typeof oldId !== 'string') return out;
    for (const h of stepHandles(index, j)) if (h.kind !== 'order' && h.target === oldId) out = writeTarget(out, h, newId) ?? out;
    // `resultSource` names a decide step's id (first) or its storeResultAs key (src/runtime/steps/send.ts).
    const reads = kindModel(step)?.readsResult;
    if (storesResult && reads !== undefined && field(field(step, 'config'), 'resultSource') === oldId) out = setIn(out, ['config', 'resultSource'], newId);
    return out;
  });
  return withSteps(doc, steps);
}

/** Put a step at `position` on the canvas. Refused: `unknown-step`, `invalid-position`. */
export function moveStep<D extends JourneyDraft>(doc: D, ref: string, position: EditorPosition): EditResult<D> {
  const found = locate(doc, ref);
  if ('ok' in found) return found;
  const bad = positionProblem(position ?? (null as never));
  if (bad !== undefined) return bad;
  const steps = [...doc.steps];
  steps[found.i] = setIn(steps[found.i]!, ['position'], { x: position.x, y: position.y });
  return withSteps(doc, steps);
}

/**
 * Set a field of a step: `path` relative to the step (`['config', 'conditions', 0, 'expression']`,
 * `['label']`), `value` a JSON value (copied), `undefined` to remove the field (or an array
 * element). Missing objects on the way are created. Validation is the validator's job: any value
 * is accepted, so a half-typed expression can be stored and diagnosed. Refused: `unknown-step`,
 * `read-only-field` (`id`: use {@link renameStep}; `type`: add a step of the other kind),
 * `invalid-path` (a path through a value that is no object or array, past the end of an array,
 * or through `__proto__`, `constructor` or `prototype`).
 */
export function setField<D extends JourneyDraft>(doc: D, ref: string, path: JsonPath, value: unknown): EditResult<D> {
  const found = locate(doc, ref);
  if ('ok' in found) return found;
  if (!Array.isArray(path) || path.length === 0) return refuse('invalid-path', 'Name the field to set: a path such as ["config", "channelId"].');
  if (path[0] === 'id' || path[0] === 'type') {
    return refuse('read-only-field', path[0] === 'id' ? 'Use renameStep to change a step id: it updates every reference.' : 'A step cannot change its kind: add a step of the other kind instead.');
  }
  const step = doc.steps[found.i]!;
  const problem = pathProblem(step, path);
  if (problem !== undefined) return refuse('invalid-path', `Cannot set ${path.join('.')}: ${problem}.`);
  const steps = [...doc.steps];
  steps[found.i] = setIn(step, path, value === undefined ? undefined : cloneJson(value));
  return withSteps(doc, steps);
}

/**
 * Set a field of the journey itself (`['name']`, `['entryConditions', 'segments']`,
 * `['maxDuration']`), like {@link setField}. Refused: `read-only-field` for `steps` (use the
 * step edits), `invalid-path`.
 */
export function setJourneyField<D extends JourneyDraft>(doc: D, path: JsonPath, value: unknown): EditResult<D> {
  if (!isDraft(doc)) return NOT_A_JOURNEY;
  if (!Array.isArray(path) || path.length === 0) return refuse('invalid-path', 'Name the field to set: a path such as ["name"].');
  if (path[0] === 'steps') return refuse('read-only-field', 'Change steps with the step edits (addStep, setField, deleteStep, …).');
  const problem = pathProblem(doc, path);
  if (problem !== undefined) return refuse('invalid-path', `Cannot set ${path.join('.')}: ${problem}.`);
  return { ok: true, doc: setIn(doc, path, value === undefined ? undefined : cloneJson(value)) };
}
