/**
 * The journey as a graph over step indices, and the linear-time graph algorithms the analyses
 * share: reachability, strongly connected components (Tarjan), dominators (Lengauer–Tarjan)
 * and shortest waits (Dijkstra). All iterative, so a 10,000-step chain cannot overflow the stack.
 */
import type { Step } from '../model/types.js';
import { resolveTransitions, stepTargets } from './transitions.js';

/** A transition whose target names no step. */
export interface UnknownTarget {
  readonly index: number;
  readonly stepId: string;
  readonly targetStepId: string;
  /** Path to the target in the input. */
  readonly path: (string | number)[];
}

/** The steps as nodes `0 … size-1` (array indices) with their transitions as edges. */
export interface JourneyGraph {
  readonly size: number;
  /** Step id → index of its FIRST occurrence. */
  readonly indexById: ReadonlyMap<string, number>;
  /** Known targets of each step, without repeats. */
  readonly successors: readonly (readonly number[])[];
  /** Whether the step can end the journey (`next: null`, or the last step's normal transition). */
  readonly endsJourney: readonly boolean[];
  /** Whether the step has a transition to an id that names no step. */
  readonly hasUnknownTarget: readonly boolean[];
  readonly unknownTargets: readonly UnknownTarget[];
}

/**
 * Build the graph. The normal transition "the following step" is the next array index (even
 * when ids repeat); an id target resolves to the first step with that id.
 */
export function buildGraph(steps: readonly Step[]): JourneyGraph {
  const size = steps.length;
  const indexById = new Map<string, number>();
  for (let i = 0; i < size; i++) if (!indexById.has(steps[i]!.id)) indexById.set(steps[i]!.id, i);
  const resolved = resolveTransitions(steps);
  const successors: number[][] = [];
  const endsJourney: boolean[] = [];
  const hasUnknownTarget: boolean[] = [];
  const unknownTargets: UnknownTarget[] = [];
  const seen = new Int32Array(size).fill(-1);
  for (let i = 0; i < size; i++) {
    const step = steps[i]!;
    const out: number[] = [];
    let ends = false;
    let unknown = false;
    for (const t of stepTargets(step, resolved[i] ?? null)) {
      let j: number | undefined;
      if (t.targetStepId === null) {
        ends = true;
        continue;
      }
      if (t.kind === 'order') j = i + 1;
      else j = indexById.get(t.targetStepId);
      if (j === undefined) {
        unknown = true;
        unknownTargets.push({ index: i, stepId: step.id, targetStepId: t.targetStepId, path: ['steps', i, ...t.path] });
        continue;
      }
      if (seen[j] !== i) {
        seen[j] = i;
        out.push(j);
      }
    }
    successors.push(out);
    endsJourney.push(ends);
    hasUnknownTarget.push(unknown);
  }
  return { size, indexById, successors, endsJourney, hasUnknownTarget, unknownTargets };
}

/** Nodes reachable from `start` (inclusive) without entering a node for which `blocked` is true. */
export function reachableFrom(
  successors: readonly (readonly number[])[],
  start: number,
  blocked?: (node: number) => boolean,
): Uint8Array {
  const seen = new Uint8Array(successors.length);
  if (start < 0 || start >= successors.length || blocked?.(start)) return seen;
  const stack = [start];
  seen[start] = 1;
  while (stack.length > 0) {
    const v = stack.pop()!;
    for (const w of successors[v]!) {
      if (seen[w] === 0 && !blocked?.(w)) {
        seen[w] = 1;
        stack.push(w);
      }
    }
  }
  return seen;
}

/**
 * Strongly connected components of the subgraph induced by the nodes for which `include` is
 * true (Tarjan's algorithm, iterative). Each component lists its nodes in ascending order.
 */
export function stronglyConnectedComponents(
  successors: readonly (readonly number[])[],
  include: (node: number) => boolean,
): number[][] {
  const n = successors.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const components: number[][] = [];
  const callNode: number[] = [];
  const callEdge: number[] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1 || !include(root)) continue;
    callNode.push(root);
    callEdge.push(0);
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (callNode.length > 0) {
      const top = callNode.length - 1;
      const v = callNode[top]!;
      const edges = successors[v]!;
      const e = callEdge[top]!;
      if (e < edges.length) {
        callEdge[top] = e + 1;
        const w = edges[e]!;
        if (!include(w)) continue;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          callNode.push(w);
          callEdge.push(0);
        } else if (onStack[w] === 1 && index[w]! < low[v]!) {
          low[v] = index[w]!;
        }
        continue;
      }
      callNode.pop();
      callEdge.pop();
      if (callNode.length > 0) {
        const parent = callNode[callNode.length - 1]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        components.push(component.sort((a, b) => a - b));
      }
    }
  }
  return components;
}

/** A dominator tree: `dominates(a, b)` is true when every path from the entry to `b` passes `a`. */
export interface Dominators {
  /** Immediate dominator of each node reachable from the entry; -1 for the entry and unreachable nodes. */
  readonly idom: Int32Array;
  /** Whether the node is reachable from the entry. */
  reachable(node: number): boolean;
  /** Whether `a` dominates `b` (both reachable; a node dominates itself). O(1). */
  dominates(a: number, b: number): boolean;
}

/** Dominators from `entry` (Lengauer–Tarjan, simple version with path compression). */
export function dominators(successors: readonly (readonly number[])[], entry: number): Dominators {
  const n = successors.length;
  const dfnum = new Int32Array(n).fill(-1);
  const vertex: number[] = [];
  const parent = new Int32Array(n).fill(-1);
  const idom = new Int32Array(n).fill(-1);
  if (n === 0 || entry < 0 || entry >= n) {
    return { idom, reachable: () => false, dominates: () => false };
  }
  // Depth-first numbering.
  const nodeStack = [entry];
  const edgeStack = [0];
  dfnum[entry] = 0;
  vertex.push(entry);
  while (nodeStack.length > 0) {
    const top = nodeStack.length - 1;
    const v = nodeStack[top]!;
    const e = edgeStack[top]!;
    const edges = successors[v]!;
    if (e >= edges.length) {
      nodeStack.pop();
      edgeStack.pop();
      continue;
    }
    edgeStack[top] = e + 1;
    const w = edges[e]!;
    if (dfnum[w] === -1) {
      dfnum[w] = vertex.length;
      vertex.push(w);
      parent[w] = v;
      nodeStack.push(w);
      edgeStack.push(0);
    }
  }
  const count = vertex.length;
  const preds: number[][] = Array.from({ length: n }, () => []);
  for (const v of vertex) for (const w of successors[v]!) preds[w]!.push(v);

  const semi = new Int32Array(n).fill(-1); // as a DFS number
  const ancestor = new Int32Array(n).fill(-1);
  const label = new Int32Array(n);
  const bucket: number[][] = Array.from({ length: n }, () => []);
  for (const v of vertex) {
    semi[v] = dfnum[v]!;
    label[v] = v;
  }
  const compressStack: number[] = [];
  const evaluate = (v: number): number => {
    if (ancestor[v] === -1) return v;
    let x = v;
    while (ancestor[ancestor[x]!] !== -1) {
      compressStack.push(x);
      x = ancestor[x]!;
    }
    while (compressStack.length > 0) {
      const y = compressStack.pop()!;
      const a = ancestor[y]!;
      if (semi[label[a]!]! < semi[label[y]!]!) label[y] = label[a]!;
      ancestor[y] = ancestor[a]!;
    }
    return label[v]!;
  };
  for (let i = count - 1; i >= 1; i--) {
    const w = vertex[i]!;
    for (const v of preds[w]!) {
      const u = evaluate(v);
      if (semi[u]! < semi[w]!) semi[w] = semi[u]!;
    }
    bucket[vertex[semi[w]!]!]!.push(w);
    const p = parent[w]!;
    ancestor[w] = p;
    for (const v of bucket[p]!) {
      const u = evaluate(v);
      idom[v] = semi[u]! < semi[v]! ? u : p;
    }
    bucket[p] = [];
  }
  for (let i = 1; i < count; i++) {
    const w = vertex[i]!;
    if (idom[w] !== vertex[semi[w]!]) idom[w] = idom[idom[w]!]!;
  }
  // Pre/post numbers on the dominator tree for O(1) queries.
  const children: number[][] = Array.from({ length: n }, () => []);
  for (let i = 1; i < count; i++) children[idom[vertex[i]!]!]!.push(vertex[i]!);
  const pre = new Int32Array(n).fill(-1);
  const post = new Int32Array(n).fill(-1);
  let clock = 0;
  const tNodes = [entry];
  const tEdges = [0];
  pre[entry] = clock++;
  while (tNodes.length > 0) {
    const top = tNodes.length - 1;
    const v = tNodes[top]!;
    const e = tEdges[top]!;
    const kids = children[v]!;
    if (e < kids.length) {
      tEdges[top] = e + 1;
      const c = kids[e]!;
      pre[c] = clock++;
      tNodes.push(c);
      tEdges.push(0);
    } else {
      post[v] = clock++;
      tNodes.pop();
      tEdges.pop();
    }
  }
  return {
    idom,
    reachable: (node) => dfnum[node] !== undefined && dfnum[node] !== -1,
    dominates: (a, b) =>
      pre[a] !== undefined && pre[a] !== -1 && pre[b] !== undefined && pre[b] !== -1 && pre[a]! <= pre[b]! && post[b]! <= post[a]!,
  };
}

/** A binary min-heap of `[priority, node]` pairs. */
class MinHeap {
  private readonly keys: number[] = [];
  private readonly nodes: number[] = [];
  get size(): number {
    return this.keys.length;
  }
  push(key: number, node: number): void {
    const keys = this.keys;
    const nodes = this.nodes;
    let i = keys.length;
    keys.push(key);
    nodes.push(node);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p]! <= key) break;
      keys[i] = keys[p]!;
      nodes[i] = nodes[p]!;
      i = p;
    }
    keys[i] = key;
    nodes[i] = node;
  }
  /** Remove the minimum; returns its node, and its key in `lastKey`. */
  pop(): number {
    const keys = this.keys;
    const nodes = this.nodes;
    const topNode = nodes[0]!;
    this.lastKey = keys[0]!;
    const key = keys.pop()!;
    const node = nodes.pop()!;
    const n = keys.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && keys[c + 1]! < keys[c]!) c++;
        if (keys[c]! >= key) break;
        keys[i] = keys[c]!;
        nodes[i] = nodes[c]!;
        i = c;
      }
      keys[i] = key;
      nodes[i] = node;
    }
    return topNode;
  }
  lastKey = 0;
}

/**
 * Shortest distances from `entry` where leaving node `v` costs `cost[v]` (Dijkstra with a
 * binary heap). Unreached nodes are `Infinity`.
 */
export function shortestDistances(
  successors: readonly (readonly number[])[],
  cost: ArrayLike<number>,
  entry: number,
): Float64Array {
  const n = successors.length;
  const dist = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  if (entry < 0 || entry >= n) return dist;
  const heap = new MinHeap();
  dist[entry] = 0;
  heap.push(0, entry);
  while (heap.size > 0) {
    const v = heap.pop();
    const d = heap.lastKey;
    if (d > dist[v]!) continue;
    const nd = d + cost[v]!;
    for (const w of successors[v]!) {
      if (nd < dist[w]!) {
        dist[w] = nd;
        heap.push(nd, w);
      }
    }
  }
  return dist;
}
