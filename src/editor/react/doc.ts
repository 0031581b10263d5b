/**
 * The component's view of a journey document: raw JSON (a draft may be invalid), its handles
 * (one per outgoing transition), the edges they make, a top-to-bottom layout and the edits the
 * canvas makes. Tolerant of any shape: a field of the wrong type is left alone, never thrown on.
 */
import dagre from '@dagrejs/dagre';
import { STEP_TYPES } from '../../model/index.js';

/** A journey document as the editor holds it: plain JSON, possibly invalid. */
export type JourneyDoc = Record<string, unknown> & { steps?: unknown };
/** A raw step of a {@link JourneyDoc}. */
export type RawStep = Record<string, unknown> & { id?: unknown; type?: unknown; config?: unknown; next?: unknown; position?: unknown };
/** A path into a step (`['config', 'conditions', 0, 'targetStepId']`). */
export type FieldPath = readonly (string | number)[];

/** One outgoing transition of a step: where a connection dragged from it is written. */
export interface StepHandle {
  /** Stable within the step: `next`, `c0`…, `default`, `p0`…, `timeout`, `v0`…. */
  readonly id: string;
  readonly label: string;
  /** Where the target is written, relative to the step. */
  readonly path: FieldPath;
  /** The step it leads to, `null` for the end, `undefined` when it names nothing. */
  readonly target: string | null | undefined;
  /** True when the target is the array-order successor, not written in the document. */
  readonly implicit: boolean;
}

/** The end of the journey on the canvas: edges to `null` lead here. */
export const END_NODE_ID = '__end__';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The document's steps (an empty list when `steps` is not an array). */
export function stepsOf(doc: JourneyDoc): RawStep[] {
  return Array.isArray(doc.steps) ? (doc.steps.filter(isObj) as RawStep[]) : [];
}

function stepId(step: RawStep, i: number): string {
  return typeof step.id === 'string' ? step.id : `#${i}`;
}

function arr(config: unknown, key: string): Record<string, unknown>[] {
  const v = isObj(config) ? config[key] : undefined;
  return Array.isArray(v) ? v.map((x) => (isObj(x) ? x : {})) : [];
}

function targetOf(v: unknown): string | null | undefined {
  return typeof v === 'string' || v === null ? v : undefined;
}

/** The handles of step `i`: one per outgoing transition, in evaluation order. */
export function handlesOf(steps: readonly RawStep[], i: number): StepHandle[] {
  const step = steps[i]!;
  const config = step.config;
  const successor = steps[i + 1] ? stepId(steps[i + 1]!, i + 1) : null;
  const normal = (id: string, label: string): StepHandle =>
    step.next !== undefined
      ? { id, label, path: ['next'], target: targetOf(step.next), implicit: false }
      : { id, label, path: ['next'], target: successor, implicit: true };
  switch (step.type) {
    case 'branch': {
      const out: StepHandle[] = arr(config, 'conditions').map((c, j) => ({
        id: `c${j}`,
        label: typeof c.label === 'string' && c.label !== '' ? c.label : typeof c.expression === 'string' ? c.expression : `condition ${j + 1}`,
        path: ['config', 'conditions', j, 'targetStepId'],
        target: targetOf(c.targetStepId),
        implicit: false,
      }));
      const fallback = isObj(config) ? config.defaultTargetStepId : undefined;
      out.push(fallback !== undefined ? { id: 'default', label: 'default', path: ['config', 'defaultTargetStepId'], target: targetOf(fallback), implicit: false } : { ...normal('default', 'otherwise'), path: ['config', 'defaultTargetStepId'] });
      return out;
    }
    case 'waitFor': {
      const out: StepHandle[] = arr(config, 'paths').map((p, j) => ({
        id: `p${j}`,
        label: typeof p.label === 'string' && p.label !== '' ? p.label : String(p.event ?? p.outcome ?? `path ${j + 1}`),
        path: ['config', 'paths', j, 'targetStepId'],
        target: targetOf(p.targetStepId),
        implicit: false,
      }));
      const timeout = isObj(config) ? config.timeoutTargetStepId : undefined;
      out.push(timeout !== undefined ? { id: 'timeout', label: 'timeout', path: ['config', 'timeoutTargetStepId'], target: targetOf(timeout), implicit: false } : { ...normal('timeout', 'timeout'), path: ['config', 'timeoutTargetStepId'] });
      return out;
    }
    case 'split':
      return arr(config, 'variants').map((v, j) => ({
        id: `v${j}`,
        label: typeof v.label === 'string' ? v.label : `variant ${j + 1}`,
        path: ['config', 'variants', j, 'targetStepId'],
        target: targetOf(v.targetStepId),
        implicit: false,
      }));
    default:
      return [normal('next', '')];
  }
}

/** An edge of the canvas. */
export interface DocEdge {
  readonly id: string;
  readonly source: string;
  readonly sourceHandle: string;
  /** A step id or {@link END_NODE_ID}. */
  readonly target: string;
  readonly label: string;
  readonly implicit: boolean;
}

/** Every edge of the document: one per handle whose target is a step of the journey or the end. */
export function edgesOf(doc: JourneyDoc): DocEdge[] {
  const steps = stepsOf(doc);
  const ids = new Set(steps.map(stepId));
  const edges: DocEdge[] = [];
  steps.forEach((step, i) => {
    for (const h of handlesOf(steps, i)) {
      if (h.target === undefined || (h.target !== null && !ids.has(h.target))) continue;
      const target = h.target ?? END_NODE_ID;
      edges.push({ id: `${stepId(step, i)}:${h.id}`, source: stepId(step, i), sourceHandle: h.id, target, label: h.label, implicit: h.implicit });
    }
  });
  return edges;
}

/** Node size the layout assumes (the CSS keeps nodes about this size). */
export const NODE_SIZE = { width: 220, height: 90 } as const;

/** A deterministic top-to-bottom layout of every step (and the end node), by dagre. */
export function layoutPositions(doc: JourneyDoc): Map<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 60 });
  g.setDefaultEdgeLabel(() => ({}));
  const steps = stepsOf(doc);
  steps.forEach((s, i) => g.setNode(stepId(s, i), { width: NODE_SIZE.width, height: NODE_SIZE.height }));
  g.setNode(END_NODE_ID, { width: 120, height: 40 });
  for (const e of edgesOf(doc)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const out = new Map<string, { x: number; y: number }>();
  for (const id of g.nodes()) {
    const n = g.node(id) as { x: number; y: number; width: number; height: number } | undefined;
    if (n) out.set(id, { x: Math.round(n.x - n.width / 2), y: Math.round(n.y - n.height / 2) });
  }
  return out;
}

/** The result of an edit: the new document, or why it was refused. */
export type EditResult = { ok: true; doc: JourneyDoc } | { ok: false; code: string; message: string };

function clone<T>(v: T): T {
  return structuredClone(v);
}

function setIn(target: Record<string, unknown>, path: FieldPath, value: unknown): void {
  let cur: unknown = target;
  for (let k = 0; k < path.length - 1; k++) {
    const key = path[k]!;
    const container = cur as Record<string | number, unknown>;
    if (!isObj(container[key]) && !Array.isArray(container[key])) container[key] = typeof path[k + 1] === 'number' ? [] : {};
    cur = container[key];
  }
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(cur) && typeof last === 'number') cur.splice(last, 1);
    else delete (cur as Record<string | number, unknown>)[last];
  } else (cur as Record<string | number, unknown>)[last] = value;
}

/** Read a field of a step (undefined when absent). */
export function getIn(target: unknown, path: FieldPath): unknown {
  let cur = target;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

function indexOfStep(doc: JourneyDoc, id: string): number {
  return stepsOf(doc).findIndex((s, i) => stepId(s, i) === id);
}

/** The config a step of `type` starts with when placed from the palette. */
export function defaultConfig(type: string): Record<string, unknown> {
  switch (type) {
    case 'wait': return { duration: 1, unit: 'days' };
    case 'decide': return { decisionFlowId: '', maxOffers: 1 };
    case 'branch': return { conditions: [] };
    case 'send': return { channelId: '', creativeId: '' };
    case 'update': return { operations: [{ type: 'set_attribute', key: '', value: '' }] };
    case 'waitFor': return { paths: [{ outcome: 'click', targetStepId: null }], timeout: { duration: 1, unit: 'days' } };
    case 'split': return { variants: [{ label: 'A', weight: 50, targetStepId: null }, { label: 'B', weight: 50, targetStepId: null }] };
    default: return {};
  }
}

/** Every step kind the palette offers. */
export const PALETTE_KINDS: readonly string[] = STEP_TYPES;

function freshId(doc: JourneyDoc, base: string): string {
  const ids = new Set(stepsOf(doc).map(stepId));
  for (let n = 1; ; n++) if (!ids.has(`${base}_${n}`)) return `${base}_${n}`;
}

/** Append a new step of `type` at `position` (a fresh id `type_n`). */
export function addStep(doc: JourneyDoc, type: string, position?: { x: number; y: number }): EditResult & { id?: string } {
  if (!PALETTE_KINDS.includes(type)) return { ok: false, code: 'unknown-step-type', message: `no step kind "${type}"` };
  const next = clone(doc);
  const id = freshId(doc, type.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
  const step: RawStep = { id, type, config: defaultConfig(type) };
  if (position) step.position = { x: Math.round(position.x), y: Math.round(position.y) };
  next.steps = [...stepsOf(next), step];
  return { ok: true, doc: next, id };
}

/** Point handle `handleId` of `sourceId` at `target` (a step id, or {@link END_NODE_ID} for the end). */
export function connect(doc: JourneyDoc, sourceId: string, handleId: string, target: string): EditResult {
  const i = indexOfStep(doc, sourceId);
  if (i < 0) return { ok: false, code: 'unknown-step', message: `no step "${sourceId}"` };
  const steps = stepsOf(doc);
  const handle = handlesOf(steps, i).find((h) => h.id === handleId);
  if (!handle) return { ok: false, code: 'no-such-handle', message: `step "${sourceId}" has no transition "${handleId}"` };
  if (target !== END_NODE_ID && indexOfStep(doc, target) < 0) return { ok: false, code: 'unknown-step', message: `no step "${target}"` };
  if (target === sourceId && (steps[i]!.type !== 'wait' && steps[i]!.type !== 'waitFor')) return { ok: false, code: 'self-loop', message: `a ${String(steps[i]!.type)} step cannot lead to itself: it would loop at once` };
  const next = clone(doc);
  setIn(stepsOf(next)[i]!, handle.path, target === END_NODE_ID ? null : target);
  return { ok: true, doc: next };
}

/** Set (or, with `undefined`, remove) a field of step `id`. */
export function setField(doc: JourneyDoc, id: string, path: FieldPath, value: unknown): EditResult {
  const i = indexOfStep(doc, id);
  if (i < 0) return { ok: false, code: 'unknown-step', message: `no step "${id}"` };
  if (path[0] === 'id') return renameStep(doc, id, String(value));
  const next = clone(doc);
  setIn(stepsOf(next)[i]!, path, value);
  return { ok: true, doc: next };
}

function retarget(doc: JourneyDoc, from: string, to: string | null): void {
  const steps = stepsOf(doc);
  steps.forEach((s, i) => {
    for (const h of handlesOf(steps, i)) if (!h.implicit && h.target === from) setIn(s, h.path, to);
  });
}

/** Rename step `id` to `to`, rewriting every reference to it. */
export function renameStep(doc: JourneyDoc, id: string, to: string): EditResult {
  if (to === id) return { ok: true, doc };
  if (to === '' || indexOfStep(doc, to) >= 0) return { ok: false, code: 'duplicate-step-id', message: `a step "${to}" exists already` };
  const next = clone(doc);
  const i = indexOfStep(next, id);
  if (i < 0) return { ok: false, code: 'unknown-step', message: `no step "${id}"` };
  retarget(next, id, to);
  stepsOf(next)[i]!.id = to;
  return { ok: true, doc: next };
}

/** Delete steps, reconnecting what led to each to where it led (its normal transition). */
export function deleteSteps(doc: JourneyDoc, ids: readonly string[]): EditResult {
  let next = clone(doc);
  for (const id of ids) {
    const steps = stepsOf(next);
    const i = indexOfStep(next, id);
    if (i < 0) continue;
    const outs = handlesOf(steps, i);
    const onward = outs.length === 1 ? (outs[0]!.target ?? null) : null;
    const prev = steps[i - 1];
    if (prev && prev.next === undefined && !['branch', 'split'].includes(String(prev.type)) && onward !== (steps[i + 1] ? stepId(steps[i + 1]!, i + 1) : null)) prev.next = onward;
    retarget(next, id, onward === id ? null : onward);
    next = { ...next, steps: steps.filter((_, k) => k !== i) };
  }
  return { ok: true, doc: next };
}

/** Set the canvas position of step `id`. */
export function moveStep(doc: JourneyDoc, id: string, position: { x: number; y: number }): EditResult {
  return setField(doc, id, ['position'], { x: Math.round(position.x), y: Math.round(position.y) });
}

/** Write the auto-layout's positions into every step. */
export function applyLayout(doc: JourneyDoc): EditResult {
  const positions = layoutPositions(doc);
  const next = clone(doc);
  stepsOf(next).forEach((s, i) => {
    const p = positions.get(stepId(s, i));
    if (p) s.position = p;
  });
  return { ok: true, doc: next };
}

/** Paste copies of `steps` with fresh ids; their links among themselves follow the copies. */
export function pasteSteps(doc: JourneyDoc, copied: readonly RawStep[]): EditResult & { ids?: string[] } {
  let next = clone(doc);
  const rename = new Map<string, string>();
  const added: RawStep[] = [];
  for (const s of copied) {
    const base = typeof s.id === 'string' ? s.id : String(s.type);
    let id = `${base}_copy`;
    for (let n = 2; indexOfStep(next, id) >= 0 || [...rename.values()].includes(id); n++) id = `${base}_copy${n}`;
    rename.set(String(s.id), id);
    const c = clone(s);
    c.id = id;
    const p = c.position as { x?: unknown; y?: unknown } | undefined;
    if (p && typeof p.x === 'number' && typeof p.y === 'number') c.position = { x: p.x + 40, y: p.y + 40 };
    added.push(c);
  }
  next = { ...next, steps: [...stepsOf(next), ...added] };
  const steps = stepsOf(next);
  steps.forEach((s, i) => {
    if (!added.includes(s)) return;
    for (const h of handlesOf(steps, i)) if (!h.implicit && typeof h.target === 'string' && rename.has(h.target)) setIn(s, h.path, rename.get(h.target));
  });
  return { ok: true, doc: next, ids: [...rename.values()] };
}

/** The diagnostics path of step `i`'s field `path`, as the config panel names it (`config.unit`). */
export function fieldKey(path: FieldPath): string {
  return path.join('.');
}

/** The id of step `i` of the document (a placeholder `#i` when it has none). */
export { stepId };
