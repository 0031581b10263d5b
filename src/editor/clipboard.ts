/** Copy and paste of steps: a clipboard is plain JSON, so it survives the system clipboard. */
import { appendSteps, freshId, NOT_A_JOURNEY, pinOrder, positionProblem, refuse, withSteps, writeTarget } from './edit-common.js';
import { cloneJson, setIn } from './immutable.js';
import { field, findStep, indexSteps, isDraft, isObject, kindModel, ownPosition, stepHandles } from './read-steps.js';
import type { DraftStep, EditorPosition, EditResult, JourneyDraft } from './types.js';

/** Copied steps (plain JSON). */
export interface EditorClipboard {
  readonly steps: readonly DraftStep[];
}

/**
 * Copy steps (by id, kept in document order): deep copies, each "following step in array order"
 * transition written out as `next`, so the copies mean the same wherever they are pasted.
 * Refused: `unknown-step`.
 */
export function copySteps(doc: unknown, refs: readonly string[]): EditResult<EditorClipboard> {
  if (!isDraft(doc)) return NOT_A_JOURNEY;
  const index = indexSteps(doc.steps);
  const picked = new Set<number>();
  for (const ref of refs) {
    const i = typeof ref === 'string' ? findStep(index, ref) : undefined;
    if (i === undefined) return refuse('unknown-step', `No step ${JSON.stringify(ref)} in this journey.`);
    picked.add(i);
  }
  const steps = [...picked].sort((a, b) => a - b).map((i) => cloneJson(pinOrder(doc.steps, i)));
  return { ok: true, doc: { steps } };
}

/** Options of {@link pasteSteps}. */
export interface PasteOptions {
  /** Added to each pasted step's position (default `{ x: 40, y: 40 }`). */
  readonly offset?: EditorPosition;
}

/**
 * Paste copied steps at the end of the journey: each gets a fresh id (`send` → `send_2`), and
 * references between them (transitions, a send's `resultSource`) are remapped to the new ids
 * (a pasted decide's `storeResultAs` gets a fresh key when the journey already stores one by that
 * name, and the pasted sends reading it follow);
 * references to steps outside the clipboard stay as they are. Positions move by `offset`.
 * Refused: `empty-clipboard` (no steps, or not a clipboard), `invalid-position`.
 */
export function pasteSteps<D extends JourneyDraft>(doc: D, clipboard: unknown, options: PasteOptions = {}): EditResult<D> {
  if (!isDraft(doc)) return NOT_A_JOURNEY;
  if (!isObject(clipboard) || !Array.isArray(clipboard['steps']) || clipboard['steps'].length === 0 || !clipboard['steps'].every(isObject)) {
    return refuse('empty-clipboard', 'Nothing to paste: copy steps first.');
  }
  const offset = options.offset ?? { x: 40, y: 40 };
  const bad = positionProblem(offset);
  if (bad !== undefined) return bad;
  const copied = (clipboard['steps'] as DraftStep[]).map((s) => cloneJson(s));
  const taken = new Set(indexSteps(doc.steps).byStepId.keys());
  const renamed = new Map<string, string>();
  const ids = copied.map((step) => {
    const old = field(step, 'id');
    const type = field(step, 'type');
    const id = freshId(typeof old === 'string' ? old : typeof type === 'string' ? type : 'step', taken);
    taken.add(id);
    if (typeof old === 'string' && !renamed.has(old)) renamed.set(old, id);
    return id;
  });
  // A pasted decide stores under a fresh key too, so the copy reads its own result and no name is stored twice.
  const keys = new Set<string>();
  for (const step of doc.steps) {
    const key = field(field(step, 'config'), 'storeResultAs');
    if (typeof key === 'string') keys.add(key);
  }
  const rekeyed = new Map<string, string>();
  const storedKeys = copied.map((step) => {
    const key = field(field(step, 'config'), 'storeResultAs');
    if (typeof key !== 'string' || kindModel(step)?.storesResult === undefined) return undefined;
    const fresh = keys.has(key) ? freshId(key, keys) : key;
    keys.add(fresh);
    rekeyed.set(key, fresh);
    return fresh;
  });
  const inClipboard = indexSteps(copied);
  const pasted = copied.map((step, i) => {
    let out = setIn(step, ['id'], ids[i]);
    for (const h of stepHandles(inClipboard, i)) {
      const to = h.target === null || h.kind === 'order' ? undefined : renamed.get(h.target);
      if (to !== undefined) out = writeTarget(out, h, to) ?? out;
    }
    if (storedKeys[i] !== undefined) out = setIn(out, ['config', 'storeResultAs'], storedKeys[i]);
    const source = field(field(step, 'config'), 'resultSource');
    if (kindModel(step)?.readsResult !== undefined && typeof source === 'string') {
      const to = renamed.get(source) ?? rekeyed.get(source);
      if (to !== undefined) out = setIn(out, ['config', 'resultSource'], to);
    }
    const at = ownPosition(step);
    if (at !== undefined) out = setIn(out, ['position'], { x: at.x + offset.x, y: at.y + offset.y });
    return out;
  });
  return withSteps(doc, appendSteps(doc.steps, pasted));
}
