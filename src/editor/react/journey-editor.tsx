/**
 * `<JourneyEditor>`: a journey document on a React Flow canvas. Controlled (`value` in,
 * `onChange` out); every edit is one of the pure operations of `./doc.ts`, so undo/redo and
 * copy/paste are a history of documents. The library's own `validateJourney` runs on every edit.
 */
import {
  Background,
  Controls,
  Handle,
  MarkerType,
  Position,
  ReactFlow,
  ReactFlowProvider,
  applyNodeChanges,
  useNodesInitialized,
  useReactFlow,
  useUpdateNodeInternals,
  type Connection,
  type Edge,
  type Node,
  type NodeChange,
  type NodeProps,
} from '@xyflow/react';
import { memo, useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type ReactNode } from 'react';
import { validateJourney, type Diagnostic } from '../../validate/index.js';
import {
  addStep,
  canConnect,
  copySteps,
  deleteStep,
  diagnosticsByStep,
  disconnect,
  connect as connectHandle,
  moveStep,
  palette,
  pasteSteps,
  reconnect,
  renameStep,
  setField,
  setJourneyField,
  toGraph,
  type DraftStep,
  type EditResult,
  type EditorClipboard,
  type EditorHandle,
  type StepDiagnostic,
} from '../index.js';
import { ConfigPanel } from './config-panel.js';
import { END_NODE_ID, dagreLayout, type JourneyDoc } from './doc.js';

/** Per-step counts, as `GET /journeys/:id/stats` answers them (only `stepId` is required). */
export interface EditorStepStats {
  readonly stepId: string;
  readonly current?: number;
  readonly entered?: number;
  readonly completed?: number;
  readonly [key: string]: unknown;
}

/** The props of {@link JourneyEditor}. */
export interface JourneyEditorProps {
  /** The journey document (JSON; a draft may be invalid). */
  readonly value: JourneyDoc;
  /** Called with the new document after every edit (and undo/redo). */
  readonly onChange: (doc: JourneyDoc) => void;
  /** Diagnostics to show instead of the editor's own live `validateJourney` run. */
  readonly diagnostics?: readonly Diagnostic[];
  /** Per-step counts to show on the nodes (`{ steps: [...] }` of the stats endpoint, or the array). */
  readonly stats?: { readonly steps: readonly EditorStepStats[] } | readonly EditorStepStats[];
  /** Lock the canvas: no palette, no edits, the panel read-only. */
  readonly readOnly?: boolean;
  /** What the lock banner says (default "Read-only"). */
  readonly readOnlyMessage?: ReactNode;
  /** Step ids to highlight (the path of a test run), in order. */
  readonly highlight?: readonly string[];
  /** Extra toolbar content (the page's save/validate/lifecycle buttons). */
  readonly toolbar?: ReactNode;
  /** Told when an edit is refused (a connection a kind cannot take, a duplicate id). */
  readonly onRefused?: (refusal: { code: string; message: string }) => void;
  /** Height of the editor (default `100%`). */
  readonly height?: number | string;
}

interface StepNodeData extends Record<string, unknown> {
  step: DraftStep;
  id: string;
  label: string;
  summary: string | null;
  handles: readonly EditorHandle[];
  problems: Diagnostic[];
  stats: EditorStepStats | undefined;
  highlighted: boolean;
}

type StepNode = Node<StepNodeData, 'step'>;
type EndNode = Node<Record<string, never>, 'end'>;

const StepNodeView = memo(function StepNodeView({ data, selected }: NodeProps<StepNode>) {
  const { step, handles, problems, stats, highlighted } = data;
  // Handles come and go with the config (a branch condition added): React Flow must re-measure them.
  const updateInternals = useUpdateNodeInternals();
  const handleKey = handles.map((h) => h.id).join('|');
  useEffect(() => updateInternals(data.id), [updateInternals, data.id, handleKey]);
  const errors = problems.filter((p) => p.severity === 'error').length;
  return (
    <div
      className={`je-node je-kind-${String(step.type)}${selected ? ' je-selected' : ''}${highlighted ? ' je-highlight' : ''}${errors ? ' je-has-errors' : problems.length ? ' je-has-warnings' : ''}`}
      data-step-id={data.id}
      data-step-type={String(step.type)}
      data-highlighted={highlighted ? 'true' : undefined}
    >
      <Handle type="target" position={Position.Top} id="in" />
      <div className="je-node-head">
        <span className="je-node-kind">{String(step.type)}</span>
        {problems.length > 0 && (
          <span className="je-badge" data-testid="node-problems" data-diagnostic-codes={problems.map((p) => p.code).join(' ')} title={problems.map((p) => p.message).join('\n')}>
            {problems.length}
          </span>
        )}
        {stats && (
          <span className="je-count" data-testid="step-current" title={`entered ${String(stats.entered ?? 0)}, completed ${String(stats.completed ?? 0)}`}>
            {String(stats.current ?? 0)}
          </span>
        )}
      </div>
      <div className="je-node-id">{data.label}</div>
      <div className="je-node-summary">{data.summary ?? ''}</div>
      <div className="je-handles">
        {handles.map((h, k) => (
          <div key={h.id} className="je-handle-slot" style={{ left: `${((k + 1) / (handles.length + 1)) * 100}%` }}>
            {h.label && h.id !== 'next' && (
              <span className="je-handle-label" style={{ maxWidth: Math.floor(200 / handles.length) - 4 }} title={h.label}>
                {h.label}
              </span>
            )}
            <Handle type="source" position={Position.Bottom} id={h.id} className="je-source" data-transition={h.id} data-target={h.target ?? END_NODE_ID} />
          </div>
        ))}
      </div>
    </div>
  );
});

function EndNodeView() {
  return (
    <div className="je-end" data-end-node="true">
      <Handle type="target" position={Position.Top} id="in" />
      end
    </div>
  );
}

const NODE_TYPES = { step: StepNodeView, end: EndNodeView };
const PALETTE = palette();

/** A diagnostic placed on a step (or on the journey: `stepId` undefined). */
interface Located {
  readonly d: Diagnostic;
  readonly stepId: string | undefined;
  readonly rel: readonly (string | number)[];
  readonly key: string;
}

function placeAll(diagnostics: readonly Diagnostic[], doc: JourneyDoc): Located[] {
  const placed = diagnosticsByStep({ diagnostics }, doc);
  const out: Located[] = [...placed.journey.map((d) => ({ d, stepId: undefined, rel: [], key: '' }))];
  for (const [stepId, list] of placed.steps) for (const p of list as readonly StepDiagnostic[]) out.push({ d: p.diagnostic, stepId, rel: p.field, key: p.fieldKey });
  const order = new Map(diagnostics.map((d, k) => [d, k]));
  return out.sort((a, b) => order.get(a.d)! - order.get(b.d)!);
}

/** How the whole journey is brought into view (mount, load, auto-layout, a test run's path, the Fit view button): never zoomed in past 1. */
const FIT_WHOLE = { padding: 0.15, maxZoom: 1 } as const;

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

function Editor(props: JourneyEditorProps) {
  const { value, onChange, readOnly = false } = props;
  const flow = useReactFlow();
  const past = useRef<{ doc: JourneyDoc; key: string | null }[]>([]);
  const future = useRef<JourneyDoc[]>([]);
  const clipboard = useRef<EditorClipboard | null>(null);
  /** Whether the view was fitted to a document from the host; whether the user edited here (then it never is). */
  const fitted = useRef(false);
  const editedHere = useRef(false);
  const [, bump] = useState(0);
  const [selected, setSelected] = useState<string[]>([]);
  const [focusField, setFocusField] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  // The end node is not a step: where it was dragged lives here, not in the document.
  const [endPos, setEndPos] = useState<{ x: number; y: number } | null>(null);
  const valueRef = useRef(value);
  valueRef.current = value;

  const graph = useMemo(() => toGraph(value), [value]);
  const ownDiagnostics = useMemo(() => (props.diagnostics ? null : validateJourney(value).diagnostics), [value, props.diagnostics]);
  const diagnostics = props.diagnostics ?? ownDiagnostics ?? [];
  const located = useMemo(() => placeAll(diagnostics, value), [diagnostics, value]);

  /** Apply an edit: push history (coalescing repeated edits of one field), tell the host. */
  const commit = useCallback(
    (result: EditResult<JourneyDoc>, key: string | null = null): boolean => {
      if (!result.ok) {
        setRefusal(result.message);
        props.onRefused?.({ code: result.code, message: result.message });
        return false;
      }
      setRefusal(null);
      editedHere.current = true;
      const last = past.current[past.current.length - 1];
      if (!(key !== null && last && last.key === key)) past.current.push({ doc: valueRef.current, key });
      if (past.current.length > 200) past.current.shift();
      future.current = [];
      valueRef.current = result.doc;
      onChange(result.doc);
      bump((n) => n + 1);
      return true;
    },
    [onChange, props.onRefused],
  );

  const undo = useCallback(() => {
    const prev = past.current.pop();
    if (!prev) return;
    future.current.push(valueRef.current);
    valueRef.current = prev.doc;
    onChange(prev.doc);
    bump((n) => n + 1);
  }, [onChange]);
  const redo = useCallback(() => {
    const next = future.current.pop();
    if (!next) return;
    past.current.push({ doc: valueRef.current, key: null });
    valueRef.current = next;
    onChange(next);
    bump((n) => n + 1);
  }, [onChange]);

  const layout = useCallback(() => {
    if (readOnly) return;
    const r = dagreLayout(valueRef.current);
    if (commit(r) && r.ok && r.end) setEndPos(r.end);
    requestAnimationFrame(() => void flow.fitView(FIT_WHOLE));
  }, [commit, flow, readOnly]);

  const statsById = useMemo(() => {
    const list = props.stats ? (Array.isArray(props.stats) ? props.stats : (props.stats as { steps: readonly EditorStepStats[] }).steps) : [];
    return new Map(list.map((s) => [s.stepId, s]));
  }, [props.stats]);
  const highlighted = useMemo(() => new Set(props.highlight ?? []), [props.highlight]);
  // A new path to show (a test run): bring the whole journey into view.
  useEffect(() => {
    if (props.highlight?.length) requestAnimationFrame(() => void flow.fitView(FIT_WHOLE));
  }, [props.highlight, flow]);

  // Positions: the document's, else the model's layout (toGraph places steps without one).
  const derived = useMemo((): (StepNode | EndNode)[] => {
    const out: (StepNode | EndNode)[] = graph.nodes.map((n) => ({
      id: n.id,
      type: 'step' as const,
      position: { x: n.position.x, y: n.position.y },
      data: { step: n.step, id: n.id, label: n.label, summary: n.summary, handles: n.handles, problems: located.filter((l) => l.stepId === n.id).map((l) => l.d), stats: statsById.get(n.id), highlighted: highlighted.has(n.id) },
      deletable: !readOnly,
    }));
    const bottom = out.reduce((m, n) => Math.max(m, n.position.y), 0);
    const left = out.reduce((m, n) => Math.min(m, n.position.x), out.length ? Infinity : 50);
    out.push({ id: END_NODE_ID, type: 'end', position: endPos ?? { x: left + 50, y: out.length ? bottom + 180 : 300 }, data: {}, deletable: false, draggable: true, selectable: false });
    return out;
  }, [graph, located, statsById, highlighted, readOnly, endPos]);

  const [nodes, setNodes] = useState<(StepNode | EndNode)[]>(derived);
  // The whole journey in view once its steps are measured: the `fitView` prop fits what is there at
  // mount, which is nothing when the host hands the document over after the first render (the page
  // fetches it). Only a document from the host is fitted so, never the user's first palette drop.
  const nodesInitialized = useNodesInitialized();
  useEffect(() => {
    if (fitted.current || editedHere.current || !nodesInitialized || graph.nodes.length === 0) return;
    fitted.current = true;
    requestAnimationFrame(() => void flow.fitView(FIT_WHOLE));
  }, [nodesInitialized, graph.nodes.length, flow]);
  useEffect(() => {
    setNodes((prev) => {
      const byId = new Map(prev.map((n) => [n.id, n]));
      return derived.map((n) => {
        const old = byId.get(n.id);
        return { ...n, selected: selected.includes(n.id), ...(old?.measured ? { measured: old.measured } : {}), ...(old?.dragging ? { position: old.position, dragging: true } : {}) } as StepNode | EndNode;
      });
    });
  }, [derived, selected]);

  const onNodesChange = useCallback(
    (changes: NodeChange<StepNode | EndNode>[]) => {
      setNodes((ns) => applyNodeChanges(changes, ns));
      const sel = changes.filter((c) => c.type === 'select');
      if (sel.length) {
        setSelected((cur) => {
          const next = new Set(cur);
          for (const c of sel) if (c.type === 'select') (c.selected ? next.add(c.id) : next.delete(c.id));
          next.delete(END_NODE_ID);
          return [...next];
        });
      }
    },
    [],
  );

  const edges = useMemo((): Edge[] => {
    const onPath = props.highlight ?? [];
    const pathPairs = new Set(onPath.slice(1).map((t, k) => `${onPath[k]}>${t}`));
    const edge = (id: string, source: string, sourceHandle: string, target: string, label: string, implicit: boolean): Edge => ({
      id,
      source,
      sourceHandle,
      target,
      targetHandle: 'in',
      label: label && sourceHandle !== 'next' ? label : undefined,
      className: `${implicit ? 'je-implicit' : ''}${pathPairs.has(`${source}>${target}`) ? ' je-edge-highlight' : ''}`,
      markerEnd: { type: MarkerType.ArrowClosed },
      reconnectable: !readOnly,
      deletable: false,
    });
    const out = graph.edges.filter((e) => !e.missing).map((e) => edge(e.id, e.source, e.sourceHandle, e.target, e.label, e.implicit));
    // Transitions that end the journey lead to the end node (the model draws no edge for them).
    for (const n of graph.nodes) for (const h of n.handles) if (h.target === null) out.push(edge(`${n.id}#${h.id}#end`, n.id, h.id, END_NODE_ID, h.label, false));
    return out;
  }, [graph, props.highlight, readOnly]);

  /** Point a handle at a step, or (the end node) end the journey there. */
  const link = useCallback((doc: JourneyDoc, source: string, handle: string, target: string) => (target === END_NODE_ID ? disconnect(doc, { source, handle }) : connectHandle(doc, { source, handle, target })), []);

  const onConnect = useCallback(
    (c: Connection) => {
      if (readOnly || !c.sourceHandle) return;
      commit(link(valueRef.current, c.source, c.sourceHandle, c.target));
    },
    [commit, readOnly, link],
  );
  const onReconnect = useCallback(
    (old: Edge, c: Connection) => {
      if (readOnly || !c.sourceHandle || !old.sourceHandle) return;
      const from = { source: old.source, handle: old.sourceHandle };
      commit(c.target === END_NODE_ID ? disconnect(valueRef.current, { source: c.source, handle: c.sourceHandle }) : reconnect(valueRef.current, from, { source: c.source, handle: c.sourceHandle, target: c.target }));
    },
    [commit, readOnly],
  );
  // Connections a kind cannot take are refused before they are made (the model's canConnect).
  const isValidConnection = useCallback(
    (c: Connection | Edge) => c.source !== END_NODE_ID && !!c.sourceHandle && (c.target === END_NODE_ID || canConnect(valueRef.current, { source: c.source, handle: c.sourceHandle, target: c.target }).ok),
    [],
  );

  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault();
      if (readOnly) return;
      const type = e.dataTransfer.getData('application/x-journey-step') || e.dataTransfer.getData('text/plain');
      if (!type) return;
      const position = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      const result = addStep(valueRef.current, type, { position: { x: Math.round(position.x - 110), y: Math.round(position.y - 20) } });
      if (commit(result) && result.ok) {
        const added = result.doc.steps[result.doc.steps.length - 1];
        if (typeof added?.id === 'string') setSelected([added.id]);
        setFocusField(null);
      }
    },
    [commit, flow, readOnly],
  );

  const deleteSelected = useCallback(
    (ids: readonly string[]) => {
      const real = ids.filter((id) => id !== END_NODE_ID);
      if (readOnly || real.length === 0) return;
      let r: EditResult<JourneyDoc> = { ok: true, doc: valueRef.current };
      for (const id of real) if (r.ok) r = deleteStep(r.doc, id, { reconnect: true });
      commit(r);
      setSelected([]);
    },
    [commit, readOnly],
  );

  // Keyboard: undo/redo, copy/paste, delete — not while typing in a field (the field's own undo).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target)) return;
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      if (mod && k === 'z' && !e.shiftKey) { e.preventDefault(); if (!readOnly) undo(); }
      else if (mod && ((k === 'z' && e.shiftKey) || k === 'y')) { e.preventDefault(); if (!readOnly) redo(); }
      else if (mod && k === 'c') {
        const copied = copySteps(valueRef.current, selected);
        if (copied.ok) clipboard.current = copied.doc;
      } else if (mod && k === 'v' && !readOnly && clipboard.current) {
        e.preventDefault();
        const before = valueRef.current.steps.length;
        const r = pasteSteps(valueRef.current, clipboard.current);
        if (commit(r) && r.ok) setSelected(r.doc.steps.slice(before).map((s) => String(s.id)));
      } else if ((k === 'delete' || k === 'backspace') && selected.length && !readOnly) {
        e.preventDefault();
        deleteSelected(selected);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [undo, redo, commit, selected, readOnly, deleteSelected]);

  const currentNode = selected.length === 1 ? graph.nodes.find((n) => n.id === selected[0]) : undefined;
  const current = currentNode?.step;
  const currentId = currentNode?.id ?? null;

  const choose = (l: Located) => {
    if (l.stepId === undefined) return;
    setSelected([l.stepId]);
    setFocusField(l.key || 'id');
    const n = flow.getNode(l.stepId);
    if (n) void flow.fitView({ nodes: [n], padding: 1.2, maxZoom: 1.2, duration: 0 });
  };

  return (
    <div className={`je-editor${readOnly ? ' je-readonly' : ''}`} style={{ height: props.height ?? '100%' }} data-testid="journey-editor" data-read-only={readOnly ? 'true' : 'false'}>
      <div className="je-toolbar" role="toolbar">
        <button type="button" data-testid="undo" disabled={readOnly || past.current.length === 0} onClick={undo} title="Undo (Ctrl+Z)">Undo</button>
        <button type="button" data-testid="redo" disabled={readOnly || future.current.length === 0} onClick={redo} title="Redo (Ctrl+Shift+Z)">Redo</button>
        <button type="button" data-testid="layout" disabled={readOnly} onClick={layout}>Auto-layout</button>
        <button type="button" data-testid="fit-view" onClick={() => void flow.fitView(FIT_WHOLE)}>Fit view</button>
        {props.toolbar}
        {refusal && <span className="je-refusal" data-testid="edit-refused">{refusal}</span>}
      </div>
      {readOnly && <div className="je-lock" data-testid="read-only">{props.readOnlyMessage ?? 'Read-only'}</div>}
      <div className="je-body">
        {!readOnly && (
          <aside className="je-palette" data-testid="palette">
            {PALETTE.map((entry) => (
              <div
                key={entry.kind}
                className={`je-palette-item je-kind-${entry.kind}`}
                data-step-kind={entry.kind}
                title={entry.description}
                draggable
                onDragStart={(e) => {
                  e.dataTransfer.setData('application/x-journey-step', entry.kind);
                  e.dataTransfer.effectAllowed = 'move';
                }}
              >
                {entry.label}
              </div>
            ))}
          </aside>
        )}
        <div className="je-canvas" onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; }} onDrop={onDrop}>
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={NODE_TYPES}
            onNodesChange={onNodesChange}
            onNodeDragStop={(_e, node) => {
              if (readOnly) return;
              if (node.id === END_NODE_ID) setEndPos(node.position);
              else commit(moveStep(valueRef.current, node.id, { x: Math.round(node.position.x), y: Math.round(node.position.y) }));
            }}
            onConnect={onConnect}
            onReconnect={onReconnect}
            isValidConnection={isValidConnection}
            nodesDraggable={!readOnly}
            nodesConnectable={!readOnly}
            edgesReconnectable={!readOnly}
            deleteKeyCode={null}
            fitView
            fitViewOptions={FIT_WHOLE}
            minZoom={0.2}
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls showInteractive={false} />
          </ReactFlow>
        </div>
        <aside className="je-side">
          {current && currentId !== null ? (
            <ConfigPanel
              step={current}
              readOnly={readOnly}
              focusField={focusField}
              diagnostics={located.filter((l) => l.stepId === currentId).map((l) => ({ d: l.d, rel: l.rel }))}
              onField={(path, v) => {
                if (path[0] === 'id') {
                  if (commit(renameStep(valueRef.current, currentId, String(v)))) setSelected([String(v)]);
                } else commit(setField(valueRef.current, currentId, path, v), `${currentId}:${path.join('.')}`);
              }}
            />
          ) : (
            <JourneySettings doc={value} readOnly={readOnly} onField={(path, v) => commit(setJourneyField(valueRef.current, path, v), `journey:${path.join('.')}`)} />
          )}
          <div className="je-problems" data-testid="problems">
            <h3>Problems ({located.length})</h3>
            <ul>
              {located.map((l, k) => (
                <li key={k} className={`je-sev-${l.d.severity}`} data-diagnostic-code={l.d.code} data-problem-step={l.stepId ?? ''} data-severity={l.d.severity}>
                  <button type="button" onClick={() => choose(l)}>
                    <b>{l.d.code}</b> {l.stepId ? <i>{l.stepId}</i> : null} {l.d.message}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        </aside>
      </div>
    </div>
  );
}

/** The journey's own fields, shown when no step is selected. */
function JourneySettings({ doc, readOnly, onField }: { doc: JourneyDoc; readOnly: boolean; onField: (path: readonly string[], value: unknown) => void }) {
  const entry = (doc.entryConditions ?? {}) as Record<string, unknown>;
  const segments = Array.isArray(entry.segments) ? (entry.segments as unknown[]).join(', ') : '';
  const [segmentText, setSegmentText] = useState(segments);
  useEffect(() => setSegmentText(segments), [segments]);
  return (
    <div className="je-panel" data-testid="journey-settings">
      <h3>Journey</h3>
      <p className="je-panel-empty">Select a step to configure it{readOnly ? '' : ', or drag one from the palette'}.</p>
      <label className="je-field"><span>Description</span>
        <textarea rows={2} data-field="journey.description" disabled={readOnly} value={typeof doc.description === 'string' ? doc.description : ''} onChange={(e) => onField(['description'], e.target.value === '' ? undefined : e.target.value)} />
      </label>
      <label className="je-field"><span>Max duration (days)</span>
        <input type="number" data-field="journey.maxDuration" disabled={readOnly} value={typeof doc.maxDuration === 'number' ? doc.maxDuration : ''} onChange={(e) => onField(['maxDuration'], e.target.value === '' ? undefined : Number(e.target.value))} />
      </label>
      <label className="je-field"><span>Entry segments (comma-separated)</span>
        <input type="text" data-field="journey.entryConditions.segments" disabled={readOnly} value={segmentText}
          onChange={(e) => setSegmentText(e.target.value)}
          onBlur={() => {
            const list = segmentText.split(',').map((x) => x.trim()).filter((x) => x !== '');
            if (list.join(', ') !== segments) onField(['entryConditions', 'segments'], list.length ? list : undefined);
          }} />
      </label>
      <label className="je-field"><span>Min. days since last journey</span>
        <input type="number" data-field="journey.entryConditions.minDaysSinceLastJourney" disabled={readOnly} value={typeof entry.minDaysSinceLastJourney === 'number' ? entry.minDaysSinceLastJourney : ''} onChange={(e) => onField(['entryConditions', 'minDaysSinceLastJourney'], e.target.value === '' ? undefined : Number(e.target.value))} />
      </label>
      <label className="je-field je-check"><span>Manual enrollment</span>
        <input type="checkbox" data-field="journey.entryConditions.manual" disabled={readOnly} checked={entry.manual === true} onChange={(e) => onField(['entryConditions', 'manual'], e.target.checked ? true : undefined)} />
      </label>
    </div>
  );
}

/**
 * The journey editor: palette, canvas (drag to place, drag to connect: one handle per
 * transition), a configuration panel per kind, live validation with a problems list, undo/redo
 * (Ctrl+Z / Ctrl+Shift+Z), copy/paste (Ctrl+C / Ctrl+V), delete, fit view and auto-layout.
 * Import `journey-engine/editor/style.css` once for its styles.
 */
export function JourneyEditor(props: JourneyEditorProps) {
  return (
    <ReactFlowProvider>
      <Editor {...props} />
    </ReactFlowProvider>
  );
}
