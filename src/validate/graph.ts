/**
 * The journey as a graph over step indices, and the linear-time graph algorithms the analyses
 * share: reachability, strongly connected components (Tarjan), dominators (Lengauer–Tarjan)
 * and shortest waits (Dijkstra). All iterative over typed arrays, so a 10,000-step chain cannot
 * overflow the stack and allocates little.
 */
import { stepTargets } from '../model/transitions.js';
import type { Step } from '../model/types.js';

/** A transition whose target names no step. */
export interface UnknownTarget {
  readonly index: number;
  readonly stepId: string;
  readonly targetStepId: string;
  /** Path to the target in the input. */
  readonly path: (string | number)[];
}

/**
 * Edges in compressed form: the successors of node `v` are
 * `targets[offsets[v]] … targets[offsets[v + 1] - 1]`. Two flat arrays instead of one array per
 * node, so a 10,000-step journey allocates almost nothing.
 */
export interface Adjacency {
  readonly size: number;
  readonly offsets: Int32Array;
  readonly targets: ArrayLike<number>;
}

/** The steps as nodes `0 … size-1` (array indices) with their transitions as edges. */
export interface JourneyGraph {
  readonly size: number;
  /** Step id → index of its FIRST occurrence. */
  readonly indexById: ReadonlyMap<string, number>;
  /** Known targets of each step, without repeats. */
  readonly successors: Adjacency;
  /** Whether the step can end the journey (`next: null`, or the last step's normal transition). */
  readonly endsJourney: Uint8Array;
  /** Whether the step has a transition to an id that names no step. */
  readonly hasUnknownTarget: Uint8Array;
  readonly unknownTargets: readonly UnknownTarget[];
}

/** Whether `v → w` is an edge. O(out-degree of v). */
export function hasEdge(adjacency: Adjacency, v: number, w: number): boolean {
  for (let e = adjacency.offsets[v]!; e < adjacency.offsets[v + 1]!; e++) if (adjacency.targets[e] === w) return true;
  return false;
}

/**
 * Build the graph from each step's {@link stepTargets} (its kind's transitions): `next` when
 * present (null ends), else the following array index (even when ids repeat; the last step ends);
 * kinds add their own targets (a branch its conditions and default). An id target resolves to the
 * first step with that id.
 */
export function buildGraph(steps: readonly Step[]): JourneyGraph {
  const size = steps.length;
  const indexById = new Map<string, number>();
  for (let i = 0; i < size; i++) if (!indexById.has(steps[i]!.id)) indexById.set(steps[i]!.id, i);
  const offsets = new Int32Array(size + 1);
  const targets: number[] = [];
  const endsJourney = new Uint8Array(size);
  const hasUnknownTarget = new Uint8Array(size);
  const unknownTargets: UnknownTarget[] = [];
  const seen = new Int32Array(size).fill(-1);
  for (let i = 0; i < size; i++) {
    offsets[i] = targets.length;
    const step = steps[i]!;
    for (const target of stepTargets(step, i + 1 < size ? steps[i + 1]!.id : null)) {
      const id = target.targetStepId;
      let t: number | undefined;
      if (id === null) endsJourney[i] = 1;
      else if (target.kind === 'order') t = i + 1;
      else {
        t = indexById.get(id);
        if (t === undefined) {
          hasUnknownTarget[i] = 1;
          unknownTargets.push({ index: i, stepId: step.id, targetStepId: id, path: ['steps', i, ...target.path] });
        }
      }
      if (t !== undefined && seen[t] !== i) {
        seen[t] = i;
        targets.push(t);
      }
    }
  }
  offsets[size] = targets.length;
  return { size, indexById, successors: { size, offsets, targets }, endsJourney, hasUnknownTarget, unknownTargets };
}

/** Nodes reachable from `start` (inclusive) without entering a node for which `blocked` is true. */
export function reachableFrom(graph: Adjacency, start: number, blocked?: (node: number) => boolean): Uint8Array {
  const { offsets, targets, size } = graph;
  const seen = new Uint8Array(size);
  if (start < 0 || start >= size || blocked?.(start)) return seen;
  const stack = new Int32Array(size);
  let top = 0;
  stack[top++] = start;
  seen[start] = 1;
  while (top > 0) {
    const v = stack[--top]!;
    for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
      const w = targets[e]!;
      if (seen[w] === 0 && !blocked?.(w)) {
        seen[w] = 1;
        stack[top++] = w;
      }
    }
  }
  return seen;
}

/**
 * Tarjan's algorithm, iterative over typed arrays, on the subgraph induced by the nodes for which
 * `include` is true. Calls `emit(stack, from, to)` for each component as it completes (its nodes
 * are `stack[from] … stack[to - 1]`); a component's successors in other components complete
 * before it, so emission order is a reverse topological order.
 */
function tarjan(graph: Adjacency, include: (node: number) => boolean, emit: (stack: Int32Array, from: number, to: number) => void): void {
  const { offsets, targets, size: n } = graph;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  let sp = 0;
  const callNode = new Int32Array(n);
  const callEdge = new Int32Array(n);
  let depth = 0;
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1 || !include(root)) continue;
    callNode[depth] = root;
    callEdge[depth] = offsets[root]!;
    depth++;
    index[root] = low[root] = counter++;
    stack[sp++] = root;
    onStack[root] = 1;
    while (depth > 0) {
      const top = depth - 1;
      const v = callNode[top]!;
      const e = callEdge[top]!;
      if (e < offsets[v + 1]!) {
        callEdge[top] = e + 1;
        const w = targets[e]!;
        if (!include(w)) continue;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          onStack[w] = 1;
          callNode[depth] = w;
          callEdge[depth] = offsets[w]!;
          depth++;
        } else if (onStack[w] === 1 && index[w]! < low[v]!) {
          low[v] = index[w]!;
        }
        continue;
      }
      depth--;
      if (depth > 0) {
        const parent = callNode[depth - 1]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
      if (low[v] === index[v]) {
        let from = sp;
        do from--;
        while (stack[from] !== v);
        for (let i = from; i < sp; i++) onStack[stack[i]!] = 0;
        emit(stack, from, sp);
        sp = from;
      }
    }
  }
}

/**
 * Strongly connected components of the subgraph induced by the nodes for which `include` is
 * true (Tarjan's algorithm, iterative). Only components with more than one node, or a single
 * node with an edge to itself, are returned when `cyclicOnly` is set. Each component lists its
 * nodes in ascending order.
 */
export function stronglyConnectedComponents(
  graph: Adjacency,
  include: (node: number) => boolean,
  cyclicOnly = false,
): number[][] {
  const components: number[][] = [];
  tarjan(graph, include, (stack, from, to) => {
    if (cyclicOnly && to - from === 1 && !hasEdge(graph, stack[from]!, stack[from]!)) return;
    components.push(Array.from(stack.subarray(from, to)).sort((a, b) => a - b));
  });
  return components;
}

/**
 * Every node's strongly connected component, numbered in the order Tarjan's algorithm completes
 * them: a component's successors (in other components) always have smaller numbers, so counting
 * up is a reverse topological order. Typed arrays only; `members` lists each component's nodes in
 * ascending order, `members[memberStart[c]] … members[memberStart[c + 1] - 1]`.
 */
export interface ComponentIndex {
  readonly count: number;
  readonly componentOf: Int32Array;
  readonly memberStart: Int32Array;
  readonly members: Int32Array;
}

/** {@link ComponentIndex} of the whole graph (O(nodes + edges)). */
export function componentIndex(graph: Adjacency): ComponentIndex {
  const n = graph.size;
  const componentOf = new Int32Array(n);
  let count = 0;
  tarjan(graph, () => true, (stack, from, to) => {
    for (let i = from; i < to; i++) componentOf[stack[i]!] = count;
    count++;
  });
  const memberStart = new Int32Array(count + 1);
  for (let v = 0; v < n; v++) memberStart[componentOf[v]! + 1]!++;
  for (let c = 0; c < count; c++) memberStart[c + 1]! += memberStart[c]!;
  const members = new Int32Array(n);
  const fill = memberStart.slice(0, count);
  for (let v = 0; v < n; v++) members[fill[componentOf[v]!]!++] = v;
  return { count, componentOf, memberStart, members };
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
export function dominators(graph: Adjacency, entry: number): Dominators {
  const { offsets, targets, size: n } = graph;
  const dfnum = new Int32Array(n).fill(-1);
  const vertex = new Int32Array(n);
  const parent = new Int32Array(n).fill(-1);
  const idom = new Int32Array(n).fill(-1);
  if (n === 0 || entry < 0 || entry >= n) {
    return { idom, reachable: () => false, dominates: () => false };
  }
  // Depth-first numbering.
  const nodeStack = new Int32Array(n);
  const edgeStack = new Int32Array(n);
  let depth = 0;
  let count = 0;
  dfnum[entry] = count;
  vertex[count++] = entry;
  nodeStack[depth] = entry;
  edgeStack[depth++] = offsets[entry]!;
  while (depth > 0) {
    const top = depth - 1;
    const v = nodeStack[top]!;
    const e = edgeStack[top]!;
    if (e >= offsets[v + 1]!) {
      depth--;
      continue;
    }
    edgeStack[top] = e + 1;
    const w = targets[e]!;
    if (dfnum[w] === -1) {
      dfnum[w] = count;
      vertex[count++] = w;
      parent[w] = v;
      nodeStack[depth] = w;
      edgeStack[depth++] = offsets[w]!;
    }
  }
  // Predecessors (among reachable nodes), compressed.
  const predOffsets = new Int32Array(n + 1);
  for (let i = 0; i < count; i++) {
    const v = vertex[i]!;
    for (let e = offsets[v]!; e < offsets[v + 1]!; e++) predOffsets[targets[e]! + 1]!++;
  }
  for (let v = 0; v < n; v++) predOffsets[v + 1]! += predOffsets[v]!;
  const preds = new Int32Array(predOffsets[n]!);
  const fill = predOffsets.slice(0, n);
  for (let i = 0; i < count; i++) {
    const v = vertex[i]!;
    for (let e = offsets[v]!; e < offsets[v + 1]!; e++) preds[fill[targets[e]!]!++] = v;
  }

  const semi = new Int32Array(n).fill(-1); // as a DFS number
  const ancestor = new Int32Array(n).fill(-1);
  const label = new Int32Array(n);
  // Buckets as singly linked lists: head per node, next per member.
  const bucketHead = new Int32Array(n).fill(-1);
  const bucketNext = new Int32Array(n).fill(-1);
  for (let i = 0; i < count; i++) {
    const v = vertex[i]!;
    semi[v] = i;
    label[v] = v;
  }
  const compressStack = new Int32Array(n);
  const evaluate = (v: number): number => {
    if (ancestor[v] === -1) return v;
    let sp = 0;
    let x = v;
    while (ancestor[ancestor[x]!] !== -1) {
      compressStack[sp++] = x;
      x = ancestor[x]!;
    }
    while (sp > 0) {
      const y = compressStack[--sp]!;
      const a = ancestor[y]!;
      if (semi[label[a]!]! < semi[label[y]!]!) label[y] = label[a]!;
      ancestor[y] = ancestor[a]!;
    }
    return label[v]!;
  };
  for (let i = count - 1; i >= 1; i--) {
    const w = vertex[i]!;
    for (let e = predOffsets[w]!; e < predOffsets[w + 1]!; e++) {
      const u = evaluate(preds[e]!);
      if (semi[u]! < semi[w]!) semi[w] = semi[u]!;
    }
    const s = vertex[semi[w]!]!;
    bucketNext[w] = bucketHead[s]!;
    bucketHead[s] = w;
    const p = parent[w]!;
    ancestor[w] = p;
    for (let v = bucketHead[p]!; v !== -1; v = bucketNext[v]!) {
      const u = evaluate(v);
      idom[v] = semi[u]! < semi[v]! ? u : p;
    }
    bucketHead[p] = -1;
  }
  for (let i = 1; i < count; i++) {
    const w = vertex[i]!;
    if (idom[w] !== vertex[semi[w]!]) idom[w] = idom[idom[w]!]!;
  }
  // Pre/post numbers on the dominator tree for O(1) queries; children as linked lists.
  const childHead = new Int32Array(n).fill(-1);
  const sibling = new Int32Array(n).fill(-1);
  for (let i = count - 1; i >= 1; i--) {
    const v = vertex[i]!;
    sibling[v] = childHead[idom[v]!]!;
    childHead[idom[v]!] = v;
  }
  const pre = new Int32Array(n).fill(-1);
  const post = new Int32Array(n).fill(-1);
  let clock = 0;
  const cursor = new Int32Array(n);
  depth = 0;
  nodeStack[depth] = entry;
  cursor[depth++] = childHead[entry]!;
  pre[entry] = clock++;
  while (depth > 0) {
    const top = depth - 1;
    const c = cursor[top]!;
    if (c !== -1) {
      cursor[top] = sibling[c]!;
      pre[c] = clock++;
      nodeStack[depth] = c;
      cursor[depth++] = childHead[c]!;
    } else {
      post[nodeStack[top]!] = clock++;
      depth--;
    }
  }
  const inRange = (v: number): boolean => v >= 0 && v < n && pre[v] !== -1;
  return {
    idom,
    reachable: inRange,
    dominates: (a, b) => inRange(a) && inRange(b) && pre[a]! <= pre[b]! && post[b]! <= post[a]!,
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
export function shortestDistances(graph: Adjacency, cost: ArrayLike<number>, entry: number): Float64Array {
  const { offsets, targets, size: n } = graph;
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
    for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
      const w = targets[e]!;
      if (nd < dist[w]!) {
        dist[w] = nd;
        heap.push(nd, w);
      }
    }
  }
  return dist;
}
