/**
 * A deterministic top-to-bottom layered layout: ranks by the longest path from the entry step
 * over the graph without its back edges (a loop back up does not push steps down), steps of a
 * rank side by side in the order a depth-first walk from the entry first meets them.
 */
import { edgesOf, indexSteps, isDraft, ownPosition, stepHandles, type StepIndex } from './read-steps.js';
import { setIn } from './immutable.js';
import type { EditorEdge, EditorPosition, JourneyDraft } from './types.js';

/** Horizontal distance between the centres of two steps of a rank. */
export const LAYOUT_COLUMN_WIDTH = 240;
/** Vertical distance between two ranks. */
export const LAYOUT_ROW_HEIGHT = 140;

/** Options of {@link layout}. */
export interface LayoutOptions {
  /** Lay out every step, also those that have a position (default: only those without). */
  readonly all?: boolean;
}

/**
 * A position for every step (index order). With `keep`, steps that have a valid position keep
 * it, and a computed position that lands on a kept one moves right until it is free.
 */
export function computeLayout(index: StepIndex, edges: readonly EditorEdge[], all: boolean): EditorPosition[] {
  const n = index.steps.length;
  const successors: number[][] = Array.from({ length: n }, () => []);
  for (const e of edges) {
    if (e.missing) continue;
    const from = index.byNodeId.get(e.source);
    const to = index.byNodeId.get(e.target);
    if (from !== undefined && to !== undefined) successors[from]!.push(to);
  }
  // Depth-first from the entry, then from each step not yet met, in index order (iterative).
  const state = new Uint8Array(n); // 0 new, 1 on the stack, 2 done
  const preorder: number[] = [];
  const postorder: number[] = [];
  const forward: number[][] = Array.from({ length: n }, () => []);
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue;
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    preorder.push(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [v, k] = top;
      if (k < successors[v]!.length) {
        top[1] = k + 1;
        const w = successors[v]![k]!;
        if (state[w] === 1) continue; // a back edge: ignored for ranks
        forward[v]!.push(w);
        if (state[w] === 0) {
          state[w] = 1;
          preorder.push(w);
          stack.push([w, 0]);
        }
      } else {
        state[v] = 2;
        postorder.push(v);
        stack.pop();
      }
    }
  }
  // Longest path over the forward edges, in topological order (reverse postorder).
  const rank = new Int32Array(n);
  for (let p = postorder.length - 1; p >= 0; p--) {
    const v = postorder[p]!;
    for (const w of forward[v]!) if (rank[w]! < rank[v]! + 1) rank[w] = rank[v]! + 1;
  }
  const rows = new Map<number, number[]>();
  for (const v of preorder) {
    const row = rows.get(rank[v]!);
    if (row === undefined) rows.set(rank[v]!, [v]);
    else row.push(v);
  }
  const out: EditorPosition[] = new Array<EditorPosition>(n);
  const taken = new Set<string>();
  if (!all) {
    for (let i = 0; i < n; i++) {
      const own = ownPosition(index.steps[i]);
      if (own !== undefined) taken.add(`${own.x},${own.y}`);
    }
  }
  for (const [r, row] of [...rows].sort((a, b) => a[0] - b[0])) {
    row.forEach((v, col) => {
      let x = (col - (row.length - 1) / 2) * LAYOUT_COLUMN_WIDTH;
      const y = r * LAYOUT_ROW_HEIGHT;
      while (taken.has(`${x},${y}`)) x += LAYOUT_COLUMN_WIDTH;
      taken.add(`${x},${y}`);
      out[v] = { x, y };
    });
  }
  return out;
}

/**
 * The draft with positions for its steps: top to bottom from the entry step, deterministic (the
 * same document always gives the same positions, every step its own). Only steps without a
 * position, unless `{ all: true }`. The input is not mutated; a value that is not a draft is
 * returned as it is.
 *
 * @example
 * ```ts
 * const placed = layout(doc);              // fill in missing positions
 * const tidy = layout(doc, { all: true }); // the toolbar's "auto-layout"
 * ```
 */
export function layout<D extends JourneyDraft>(doc: D, options: LayoutOptions = {}): D {
  if (!isDraft(doc)) return doc;
  const all = options.all === true;
  const index = indexSteps(doc.steps);
  const edges = doc.steps.flatMap((_, i) => edgesOf(index, i, stepHandles(index, i)));
  const positions = computeLayout(index, edges, all);
  const steps = doc.steps.map((step, i) => (!all && ownPosition(step) !== undefined ? step : setIn(step, ['position'], positions[i]!)));
  return { ...doc, steps };
}
