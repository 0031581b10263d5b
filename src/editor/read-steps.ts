/**
 * Reading a draft's steps defensively: node ids, the first index of each id, each step's kind and
 * its outgoing transitions (from the kind's own `targets`, src/model/steps/), never throwing on a
 * malformed step.
 */
import { STEP_KINDS } from '../model/steps/index.js';
import type { StepHold, StepKindModel, StepTarget } from '../model/steps/kind.js';
import type { Step, StepType } from '../model/types.js';
import type { DraftStep, EditorEdge, EditorHandle, EditorPosition, JourneyDraft } from './types.js';

/** The id of the normal transition's handle. */
export const NEXT_HANDLE = 'next';

/** Whether `value` is a non-null object (not an array). */
export function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `doc` can be edited: an object with a `steps` array. */
export function isDraft(doc: unknown): doc is JourneyDraft {
  return isObject(doc) && Array.isArray(doc['steps']);
}

/** `step[field]` when it is the step's own field. */
export function field(step: unknown, name: string): unknown {
  return isObject(step) && Object.hasOwn(step, name) ? step[name] : undefined;
}

/** The kind model of a step's `type`, when a kind knows it. */
export function kindModel(step: unknown): StepKindModel<StepType> | undefined {
  const type = field(step, 'type');
  if (typeof type !== 'string' || !Object.hasOwn(STEP_KINDS, type)) return undefined;
  return STEP_KINDS[type as StepType] as unknown as StepKindModel<StepType>;
}

/**
 * Parses by step object: edits copy what they change, so an unchanged step is the same object in
 * the next document and is not parsed again (documents are treated as immutable, as React does).
 */
const parsedSteps = new WeakMap<object, Step | null>();

/** The step parsed by its kind's schema, or `undefined` when it does not pass. */
export function parseStep(step: unknown): Step | undefined {
  const kind = kindModel(step);
  if (kind === undefined) return undefined;
  const known = parsedSteps.get(step as object);
  if (known !== undefined) return known ?? undefined;
  const parsed = kind.schema.safeParse(step);
  const out = parsed.success ? (parsed.data as Step) : undefined;
  parsedSteps.set(step as object, out ?? null);
  return out;
}

/** The steps of a draft, indexed: node ids and where each step id first appears. */
export interface StepIndex {
  readonly steps: readonly DraftStep[];
  /** Node id of each step (see `EditorNode.id`). */
  readonly nodeIds: readonly string[];
  /** Step id → index of its first occurrence (string ids only). */
  readonly byStepId: ReadonlyMap<string, number>;
  /** Node id → index. */
  readonly byNodeId: ReadonlyMap<string, number>;
}

/** Index the steps of a draft. */
export function indexSteps(steps: readonly DraftStep[]): StepIndex {
  const byStepId = new Map<string, number>();
  const byNodeId = new Map<string, number>();
  const nodeIds: string[] = [];
  steps.forEach((step, i) => {
    const id = field(step, 'id');
    let nodeId = `#${i}`;
    if (typeof id === 'string' && !byStepId.has(id)) {
      byStepId.set(id, i);
      if (id !== '' && !id.includes('#')) nodeId = id;
    }
    nodeIds.push(nodeId);
    byNodeId.set(nodeId, i);
  });
  return { steps, nodeIds, byStepId, byNodeId };
}

/** The index of the step a reference names: a node id, else a step id. */
export function findStep(index: StepIndex, ref: string): number | undefined {
  return index.byNodeId.get(ref) ?? index.byStepId.get(ref);
}

/** The normal transition of step `i`: its `next` when written, else the following step's id. */
function normalTarget(index: StepIndex, i: number): StepTarget {
  const step = index.steps[i];
  const next = field(step, 'next');
  if (next !== undefined) return { targetStepId: typeof next === 'string' ? next : null, kind: 'next', path: ['next'] };
  const following = index.steps[i + 1];
  if (following === undefined) return { targetStepId: null, kind: 'order', path: [] };
  const id = field(following, 'id');
  return { targetStepId: typeof id === 'string' ? id : index.nodeIds[i + 1]!, kind: 'order', path: [] };
}

/** A handle's id for a target: `next` for the normal transition, else its path joined by dots. */
export function handleId(target: Pick<StepTarget, 'kind' | 'path'>): string {
  return target.kind === 'next' || target.kind === 'order' ? NEXT_HANDLE : target.path.join('.');
}

function sane(target: unknown): target is StepTarget {
  return isObject(target) && Array.isArray(target['path']) && (target['path'] as unknown[]).every((p) => typeof p === 'string' || typeof p === 'number');
}

/**
 * The outgoing transitions of step `i`, from its kind's `targets` (a step of no known kind, or
 * one whose config cannot be read, has its normal transition only). Never throws.
 */
export function stepHandles(index: StepIndex, i: number): EditorHandle[] {
  const step = index.steps[i];
  const normal = normalTarget(index, i);
  const kind = kindModel(step);
  let targets: StepTarget[] = [normal];
  if (kind !== undefined) {
    try {
      const read = kind.targets(step as never, normal);
      if (Array.isArray(read) && read.every(sane)) targets = read;
    } catch {
      // A malformed config: keep the normal transition.
    }
  }
  const seen = new Set<string>();
  const handles: EditorHandle[] = [];
  for (const target of targets) {
    const id = handleId(target);
    if (seen.has(id)) continue;
    seen.add(id);
    let label = '';
    try {
      label = kind === undefined ? '' : String(kind.targetLabel(step as never, target));
    } catch {
      label = '';
    }
    const to = target.targetStepId;
    handles.push({ id, kind: target.kind, label: label !== '' ? label : id === NEXT_HANDLE ? 'next' : target.kind, path: [...target.path], target: typeof to === 'string' ? to : null });
  }
  return handles;
}

/**
 * Whether a step may hold a customer for no time (the `instant-loop` analysis's rule: its kind's
 * `holdMs().min` is 0 and it does not block). A step that does not parse counts as holding (the
 * validator reports it anyway).
 */
export function isInstant(step: unknown): boolean {
  const parsed = parseStep(step);
  if (parsed === undefined) return false;
  let hold: StepHold;
  try {
    hold = (kindModel(parsed) as StepKindModel<StepType>).holdMs(parsed as never);
  } catch {
    return false;
  }
  return !(hold.min > 0 || hold.blocks === true);
}

/** `step.position` when it is a valid one. */
export function ownPosition(step: unknown): EditorPosition | undefined {
  const p = field(step, 'position');
  if (typeof p !== 'object' || p === null) return undefined;
  const { x, y } = p as { x?: unknown; y?: unknown };
  return typeof x === 'number' && Number.isFinite(x) && typeof y === 'number' && Number.isFinite(y) ? { x, y } : undefined;
}

/** The edges of step `i`'s handles (a handle that ends the journey has none). */
export function edgesOf(index: StepIndex, i: number, handles: readonly EditorHandle[]): EditorEdge[] {
  const source = index.nodeIds[i]!;
  const out: EditorEdge[] = [];
  for (const handle of handles) {
    if (handle.target === null) continue;
    const j = handle.kind === 'order' ? i + 1 : index.byStepId.get(handle.target);
    out.push({
      id: `${source}#${handle.id}`,
      source,
      sourceHandle: handle.id,
      target: j === undefined ? handle.target : index.nodeIds[j]!,
      kind: handle.kind,
      label: handle.label,
      implicit: handle.kind === 'order',
      missing: j === undefined,
    });
  }
  return out;
}

