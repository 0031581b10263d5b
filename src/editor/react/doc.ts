/**
 * What the React layer adds to the graph model (`journey-engine/editor`, src/editor/): the end
 * node the canvas draws for transitions that end the journey, the toolbar's dagre auto-layout,
 * and reading a field for the configuration panel. Every edit itself is the model's.
 */
import dagre from '@dagrejs/dagre';
import { moveStep, toGraph, type EditResult, type EditorGraph, type JourneyDraft } from '../index.js';

/** A journey document as the editor holds it: plain JSON with a `steps` array, possibly invalid. */
export type JourneyDoc = JourneyDraft;
/** A path into a step (`['config', 'conditions', 0, 'targetStepId']`). */
export type FieldPath = readonly (string | number)[];

/** The end of the journey on the canvas: transitions that end the journey (`null`) lead here. */
export const END_NODE_ID = '__end__';

/** Node size the layout assumes (the CSS keeps step nodes about this size). */
export const NODE_SIZE = { width: 220, height: 90 } as const;

/**
 * The toolbar's auto-layout: dagre, top to bottom, over the graph's edges (the end node
 * included), written into every step's position. Deterministic for a given document.
 */
export function dagreLayout(doc: JourneyDoc, graph: EditorGraph = toGraph(doc)): EditResult<JourneyDoc> & { end?: { x: number; y: number } } {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 50, ranksep: 70 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.id, { width: NODE_SIZE.width, height: NODE_SIZE.height });
  g.setNode(END_NODE_ID, { width: 120, height: 40 });
  const ids = new Set(graph.nodes.map((n) => n.id));
  for (const e of graph.edges) if (!e.missing && ids.has(e.target)) g.setEdge(e.source, e.target);
  for (const n of graph.nodes) for (const h of n.handles) if (h.target === null) g.setEdge(n.id, END_NODE_ID);
  dagre.layout(g);
  let out: EditResult<JourneyDoc> = { ok: true, doc };
  for (const n of graph.nodes) {
    const p = g.node(n.id) as { x: number; y: number } | undefined;
    if (!p || !out.ok) continue;
    const moved: EditResult<JourneyDoc> = moveStep(out.doc, n.id, { x: Math.round(p.x - NODE_SIZE.width / 2), y: Math.round(p.y - NODE_SIZE.height / 2) });
    if (moved.ok) out = moved;
  }
  const end = g.node(END_NODE_ID) as { x: number; y: number } | undefined;
  return out.ok && end ? { ...out, end: { x: Math.round(end.x - 60), y: Math.round(end.y - 20) } } : out;
}

/** Read a field (undefined when absent or not reachable). */
export function getIn(target: unknown, path: FieldPath): unknown {
  let cur = target;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** A field path as the model's diagnostics name it (`config.conditions.0.expression`). */
export function fieldKey(path: FieldPath): string {
  return path.join('.');
}
