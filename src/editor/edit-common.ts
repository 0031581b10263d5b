/** What the edit operations share: refusals, resolving a step reference, writing a transition. */
import { stepIdSchema } from '../model/schema-base.js';
import { setIn } from './immutable.js';
import { field, findStep, indexSteps, isDraft, NEXT_HANDLE, parseStep, stepHandles, type StepIndex } from './read-steps.js';
import type { DraftStep, EditRefusal, EditRefusalCode, EditorHandle, EditorPosition, EditResult, JourneyDraft } from './types.js';

/** A refusal. */
export function refuse(code: EditRefusalCode, message: string): EditRefusal {
  return { ok: false, code, message };
}

/** The refusal for a value that is no draft. */
export const NOT_A_JOURNEY: EditRefusal = Object.freeze(refuse('not-a-journey', 'The document is not a journey: it needs a "steps" array.'));

/** `doc` with new steps. */
export function withSteps<D extends JourneyDraft>(doc: D, steps: readonly DraftStep[]): EditResult<D> {
  return { ok: true, doc: { ...doc, steps } };
}

/** A draft's steps indexed, and the index of the step `ref` names; or a refusal. */
export function locate(doc: unknown, ref: string): { index: StepIndex; i: number } | EditRefusal {
  if (!isDraft(doc)) return NOT_A_JOURNEY;
  const index = indexSteps(doc.steps);
  const i = typeof ref === 'string' ? findStep(index, ref) : undefined;
  if (i === undefined) return refuse('unknown-step', `No step ${JSON.stringify(ref)} in this journey.`);
  return { index, i };
}

/** The handle `id` of step `i`, or a refusal naming the handles it has. */
export function handleOf(index: StepIndex, i: number, id: string): EditorHandle | EditRefusal {
  const handles = stepHandles(index, i);
  const handle = handles.find((h) => h.id === id);
  if (handle !== undefined) return handle;
  return refuse('unknown-handle', `Step ${JSON.stringify(index.nodeIds[i])} has no transition ${JSON.stringify(id)}; it has ${handles.map((h) => JSON.stringify(h.id)).join(', ') || 'none'}.`);
}

/** Why `id` cannot be a new step's id in `index`, or `undefined`. */
export function stepIdProblem(index: StepIndex, id: unknown): EditRefusal | undefined {
  const parsed = stepIdSchema.safeParse(id);
  if (!parsed.success) return refuse('invalid-step-id', `${JSON.stringify(id)} is not a step id: use 1 to 128 letters, digits, "_", "-" and ".".`);
  if (index.byStepId.has(parsed.data)) return refuse('duplicate-step-id', `A step ${JSON.stringify(id)} already exists.`);
  return undefined;
}

/** A step id not in `taken`: `base` itself when free, else `base_2`, `base_3`, … (at most 128 characters). */
export function freshId(base: string, taken: { has(id: string): boolean }): string {
  const stem = base.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 110) || 'step';
  if (!taken.has(stem)) return stem;
  for (let n = 2; ; n++) if (!taken.has(`${stem}_${n}`)) return `${stem}_${n}`;
}

/**
 * `step` with the transition of `handle` leading to `target`: `next` for the normal transition,
 * else the handle's path. `null` ends the journey there: written as `null` where the kind's
 * schema takes it, else the field is removed (a branch's default falls back to its normal
 * transition); `undefined` when neither passes the schema (a branch condition needs a target).
 */
export function writeTarget(step: DraftStep, handle: EditorHandle, target: string | null): DraftStep | undefined {
  if (handle.id === NEXT_HANDLE) return setIn(step, ['next'], target);
  const written = setIn(step, handle.path, target);
  if (target !== null || parseStep(step) === undefined || parseStep(written) !== undefined) return written;
  const removed = setIn(step, handle.path, undefined);
  return parseStep(removed) !== undefined ? removed : undefined;
}

/**
 * Makes step `i`'s "following step in array order" transition explicit (`next` = that step's
 * id, or `null` for the last step), so that inserting or removing steps around it keeps its
 * meaning. A step with `next`, or whose follower has no usable id, is returned as it is.
 */
export function pinOrder(steps: readonly DraftStep[], i: number): DraftStep {
  const step = steps[i]!;
  if (field(step, 'next') !== undefined) return step;
  const following = steps[i + 1];
  if (following === undefined) return setIn(step, ['next'], null);
  const id = field(following, 'id');
  return typeof id === 'string' ? setIn(step, ['next'], id) : step;
}

/** `steps` plus `added` at the end, the old last step's implicit end pinned (`next: null`). */
export function appendSteps(steps: readonly DraftStep[], added: readonly DraftStep[]): DraftStep[] {
  const out = [...steps];
  if (out.length > 0 && added.length > 0) out[out.length - 1] = pinOrder(out, out.length - 1);
  out.push(...added);
  return out;
}

/** Why `position` is no canvas position (`undefined` is none, which is fine). */
export function positionProblem(position: EditorPosition | undefined): EditRefusal | undefined {
  if (position === undefined) return undefined;
  const ok = typeof position === 'object' && position !== null && Number.isFinite(position.x) && Number.isFinite(position.y);
  return ok ? undefined : refuse('invalid-position', 'A position is { x, y } with finite numbers.');
}
