/** A journey draft as nodes and edges ({@link toGraph}), and back ({@link fromGraph}). */
import { computeLayout } from './layout.js';
import { edgesOf, field, indexSteps, isDraft, kindModel, NEXT_HANDLE, ownPosition, parseStep, stepHandles } from './read-steps.js';
import { writeTarget } from './edit-common.js';
import { setIn, withoutField } from './immutable.js';
import type { DraftStep, EditorEdge, EditorGraph, EditorNode, JourneyDraft } from './types.js';

function summaryOf(step: DraftStep): { summary: string | null; valid: boolean } {
  const parsed = parseStep(step);
  if (parsed === undefined) return { summary: null, valid: false };
  try {
    return { summary: kindModel(parsed)!.summary(parsed as never), valid: true };
  } catch {
    return { summary: null, valid: true };
  }
}

/**
 * The draft as nodes (one per step, in array order) and edges (one per transition that targets a
 * step, implicit "following step" ones marked `implicit`, ones to an unknown id marked `missing`).
 * Steps without a position get the one {@link layout} would give them. Never throws on an object
 * with a `steps` array, however malformed its steps (a type no kind knows is a generic node with
 * its normal transition); anything else (or a value that is no plain data) gives an empty graph.
 *
 * @example
 * ```ts
 * import { toGraph } from 'journey-engine/editor';
 *
 * const { nodes, edges } = toGraph(doc);
 * // React Flow: <ReactFlow nodes={nodes.map((n) => ({ id: n.id, position: n.position, data: n }))}
 * //   edges={edges.map((e) => ({ ...e, animated: e.implicit }))} />
 * ```
 */
export function toGraph(doc: unknown): EditorGraph {
  try {
    return buildGraph(doc);
  } catch {
    // Not plain data (a getter that throws, a Proxy): nothing to draw.
    return { nodes: [], edges: [] };
  }
}

function buildGraph(doc: unknown): EditorGraph {
  if (!isDraft(doc)) return { nodes: [], edges: [] };
  const index = indexSteps(doc.steps);
  const handles = doc.steps.map((_, i) => stepHandles(index, i));
  const edges = doc.steps.flatMap((_, i) => edgesOf(index, i, handles[i]!));
  const computed = computeLayout(index, edges, false);
  const nodes = doc.steps.map((step, i): EditorNode => {
    const own = ownPosition(step);
    const label = field(step, 'label');
    const kind = kindModel(step);
    const { summary, valid } = summaryOf(step);
    return {
      id: index.nodeIds[i]!,
      index: i,
      kind: kind === undefined ? 'unknown' : kind.type,
      label: typeof label === 'string' && label !== '' ? label : typeof field(step, 'id') === 'string' ? (field(step, 'id') as string) : index.nodeIds[i]!,
      summary,
      valid,
      position: own ?? computed[i]!,
      positioned: own !== undefined,
      entry: i === 0,
      handles: handles[i]!,
      step,
    };
  });
  return { nodes, edges };
}

/**
 * The document a graph shows: `base` with its steps rebuilt from the graph — each node's step in
 * node order at the node's position, its transitions written from the edges (a handle without an
 * edge ends the journey where the kind allows it; an edge to the following node is written as
 * array order). For
 * `toGraph(doc)` this gives `doc` back, positions aside. Edits are easier as document operations
 * (`connect`, `deleteStep`, …); this is for a host that keeps React Flow's own state.
 */
export function fromGraph<D extends JourneyDraft>(graph: EditorGraph, base: D): D {
  const nodeIndex = new Map<string, number>();
  graph.nodes.forEach((n, i) => nodeIndex.set(n.id, i));
  const edgeByHandle = new Map<string, EditorEdge>();
  for (const e of graph.edges) edgeByHandle.set(`${e.source}#${e.sourceHandle}`, e);
  const stepIdOf = (target: string): string => {
    const j = nodeIndex.get(target);
    if (j === undefined) return target;
    const id = field(graph.nodes[j]!.step, 'id');
    return typeof id === 'string' ? id : target;
  };
  const steps = graph.nodes.map((node, i) => {
    let step: DraftStep = setIn(node.step, ['position'], { x: node.position.x, y: node.position.y });
    for (const handle of node.handles) {
      const edge = edgeByHandle.get(`${node.id}#${handle.id}`);
      if (handle.id === NEXT_HANDLE) {
        const following = graph.nodes[i + 1];
        if (edge !== undefined && following !== undefined && edge.target === following.id && field(step, 'next') === undefined) continue;
        step = edge === undefined && handle.kind === 'order' ? withoutField(step, 'next') : setIn(step, ['next'], edge === undefined ? null : stepIdOf(edge.target));
        continue;
      }
      step = writeTarget(step, handle, edge === undefined ? null : stepIdOf(edge.target)) ?? step;
    }
    return step;
  });
  return { ...base, steps };
}
