/** Edits of transitions: connect, disconnect, reconnect, insert a step on an edge. */
import { appendSteps, freshId, handleOf, locate, positionProblem, refuse, stepIdProblem, withSteps, writeTarget } from './edit-common.js';
import { setIn, cloneJson } from './immutable.js';
import { defaultConfig } from './palette.js';
import { field, findStep, indexSteps, isInstant, kindModel, stepHandles, type StepIndex } from './read-steps.js';
import type { Connection, DraftStep, EditorPosition, EditRefusal, EditResult, HandleRef, JourneyDraft } from './types.js';

/** Whether an instant path leads from step `from` to step `to` (both instant, every step between too). */
function instantPath(index: StepIndex, from: number, to: number): boolean {
  const seen = new Set<number>([from]);
  const queue = [from];
  while (queue.length > 0) {
    const v = queue.pop()!;
    if (v === to) return true;
    if (!isInstant(index.steps[v])) continue;
    for (const h of stepHandles(index, v)) {
      if (h.target === null) continue;
      const w = h.kind === 'order' ? v + 1 : index.byStepId.get(h.target);
      if (w !== undefined && !seen.has(w)) {
        seen.add(w);
        queue.push(w);
      }
    }
  }
  return false;
}

/** The step a connection would be written into, or why it cannot be made. */
function planConnection(doc: unknown, connection: Connection): { index: StepIndex; i: number; step: DraftStep } | EditRefusal {
  const found = locate(doc, connection.source);
  if ('ok' in found) return found;
  const { index, i } = found;
  const handle = handleOf(index, i, connection.handle);
  if ('ok' in handle) return handle;
  const j = typeof connection.target === 'string' ? findStep(index, connection.target) : undefined;
  const targetId = j === undefined ? undefined : field(index.steps[j], 'id');
  if (j === undefined || typeof targetId !== 'string' || index.byStepId.get(targetId) !== j) {
    return refuse('unknown-target', `No step ${JSON.stringify(connection.target)} to connect to${j === undefined ? '' : ': that step has no usable id (give it one first)'}.`);
  }
  if (isInstant(index.steps[i]) && instantPath(index, j, i)) {
    return refuse(
      'instant-loop',
      j === i
        ? `Step ${JSON.stringify(connection.source)} cannot lead to itself: it holds no time, so a customer would loop without pausing. Add a wait in the loop.`
        : `Connecting ${JSON.stringify(connection.source)} to ${JSON.stringify(targetId)} makes a loop without a wait, so a customer would loop without pausing. Add a wait in the loop.`,
    );
  }
  const step = writeTarget(index.steps[i]!, handle, targetId);
  if (step === undefined) return refuse('unknown-handle', `Transition ${JSON.stringify(connection.handle)} cannot be written.`);
  return { index, i, step };
}

/**
 * Whether {@link connect} would accept the connection, without making it (React Flow's
 * `isValidConnection`): `{ ok: true }`, or the refusal `connect` would give.
 */
export function canConnect(doc: unknown, connection: Connection): { readonly ok: true } | EditRefusal {
  const plan = planConnection(doc, connection);
  return 'ok' in plan ? plan : { ok: true };
}

/**
 * Point the transition `handle` of step `source` at step `target` (replacing where it led).
 * Refused: `unknown-step`, `unknown-handle` (the step has no such transition), `unknown-target`
 * (no such step), `instant-loop` (the connection closes a loop of steps that hold no time — a
 * send leading back to itself).
 *
 * @example
 * ```ts
 * const r = connect(doc, { source: 'step_check_response', handle: 'config.conditions.0.targetStepId', target: 'step_send_email' });
 * if (r.ok) setDoc(r.doc); else toast(r.message);
 * ```
 */
export function connect<D extends JourneyDraft>(doc: D, connection: Connection): EditResult<D> {
  const plan = planConnection(doc, connection);
  if ('ok' in plan) return plan;
  const steps = [...doc.steps];
  steps[plan.i] = plan.step;
  return withSteps(doc, steps);
}

/**
 * End the journey at the transition `handle` of step `source`: `next: null`, a variant's or a
 * path's target `null`, a branch's default removed (it falls back to its normal transition).
 * Refused with `target-required` where the kind needs a target (a branch condition: delete the
 * condition, or connect it elsewhere).
 */
export function disconnect<D extends JourneyDraft>(doc: D, ref: HandleRef): EditResult<D> {
  const found = locate(doc, ref.source);
  if ('ok' in found) return found;
  const { index, i } = found;
  const handle = handleOf(index, i, ref.handle);
  if ('ok' in handle) return handle;
  const step = writeTarget(index.steps[i]!, handle, null);
  if (step === undefined) return refuse('target-required', `Transition ${JSON.stringify(ref.handle)} of step ${JSON.stringify(ref.source)} needs a target: connect it elsewhere, or delete it.`);
  const steps = [...doc.steps];
  steps[i] = step;
  return withSteps(doc, steps);
}

/**
 * Move an edge: the transition `from` now ends the journey and `to` is connected instead
 * (React Flow's `onReconnect`); the same handle with a new target is a plain {@link connect}.
 * Refused as either step would be; nothing changes then.
 */
export function reconnect<D extends JourneyDraft>(doc: D, from: HandleRef, to: Connection): EditResult<D> {
  if (from.source === to.source && from.handle === to.handle) return connect(doc, to);
  const cut = disconnect(doc, from);
  return cut.ok ? connect(cut.doc, to) : cut;
}

/** Options of {@link insertOnEdge}. */
export interface InsertOptions {
  readonly id?: string;
  readonly position?: EditorPosition;
  readonly config?: unknown;
}

/**
 * Put a new step of `kind` on the transition `edge` (a handle of a step): the handle leads to
 * the new step and each of the new step's transitions to where the handle led (its `next`, and a
 * split's variants or a waitFor's paths too). The new step goes at the end of the array.
 */
export function insertOnEdge<D extends JourneyDraft>(doc: D, edge: HandleRef, kind: string, options: InsertOptions = {}): EditResult<D> {
  const found = locate(doc, edge.source);
  if ('ok' in found) return found;
  const { index, i } = found;
  const handle = handleOf(index, i, edge.handle);
  if ('ok' in handle) return handle;
  if (kindModel({ type: kind }) === undefined) return refuse('unknown-kind', `No step kind ${JSON.stringify(kind)}.`);
  const config = options.config !== undefined ? cloneJson(options.config) : defaultConfig(kind);
  const bad = positionProblem(options.position);
  if (bad !== undefined) return bad;
  const id = options.id ?? freshId(kind, index.byStepId);
  const problem = stepIdProblem(index, id);
  if (problem !== undefined) return problem;
  let added: DraftStep = { id, type: kind, config };
  if (options.position !== undefined) added = setIn(added, ['position'], { x: options.position.x, y: options.position.y });
  const source = writeTarget(index.steps[i]!, handle, id);
  if (source === undefined) return refuse('unknown-handle', `Transition ${JSON.stringify(edge.handle)} cannot be written.`);
  const steps = [...doc.steps];
  steps[i] = source;
  // The new step's own transitions lead on to the old target.
  const alone = indexSteps([added]);
  for (const h of stepHandles(alone, 0)) added = writeTarget(added, h, handle.target) ?? added;
  return withSteps(doc, appendSteps(steps, [added]));
}
