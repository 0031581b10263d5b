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
  useReactFlow,
  type Connection,
  type Edge,
  type Node,
  type NodeChange,
  type NodeProps,
} from '@xyflow/react';
import { memo, useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type ReactNode } from 'react';
import { validateJourney, type Diagnostic } from '../../validate/index.js';
import { ConfigPanel } from './config-panel.js';
import {
  END_NODE_ID,
  PALETTE_KINDS,
  addStep,
  applyLayout,
  connect,
  deleteSteps,
  edgesOf,
  fieldKey,
  handlesOf,
  layoutPositions,
  moveStep,
  pasteSteps,
  setField,
  stepId,
  stepsOf,
  type EditResult,
  type FieldPath,
  type JourneyDoc,
  type RawStep,
  type StepHandle,
} from './doc.js';

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
  step: RawStep;
  id: string;
  handles: StepHandle[];
  problems: Diagnostic[];
  stats: EditorStepStats | undefined;
  highlighted: boolean;
}

type StepNode = Node<StepNodeData, 'step'>;
type EndNode = Node<Record<string, never>, 'end'>;

function summary(step: RawStep): string {
  const c = (step.config ?? {}) as Record<string, unknown>;
  switch (step.type) {
    case 'wait': return c.duration !== undefined ? `${String(c.duration)} ${String(c.unit ?? '')}` : 'wait';
    case 'decide': return String(c.decisionFlowId || '—');
    case 'send': return `${String(c.channelId || '—')} · ${String(c.creativeId || '—')}`;
    case 'update': return `${Array.isArray(c.operations) ? c.operations.length : 0} operation(s)`;
    default: return '';
  }
}

const StepNodeView = memo(function StepNodeView({ data, selected }: NodeProps<StepNode>) {
  const { step, handles, problems, stats, highlighted } = data;
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
      <div className="je-node-id">{typeof step.label === 'string' && step.label ? step.label : data.id}</div>
      <div className="je-node-summary">{summary(step)}</div>
      <div className="je-handles">
        {handles.map((h, k) => (
          <div key={h.id} className="je-handle-slot" style={{ left: `${((k + 1) / (handles.length + 1)) * 100}%` }}>
            {h.label && <span className="je-handle-label">{h.label}</span>}
            <Handle type="source" position={Position.Bottom} id={h.id} className="je-source" data-transition={h.id} />
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

/** Where a diagnostic belongs: its step id and its path relative to that step. */
function locate(d: Diagnostic, steps: readonly RawStep[]): { stepId: string | undefined; rel: FieldPath } {
  if (d.path[0] === 'steps' && typeof d.path[1] === 'number') {
    const s = steps[d.path[1]];
    return { stepId: d.stepId ?? (s ? stepId(s, d.path[1]) : undefined), rel: d.path.slice(2) };
  }
  return { stepId: d.stepId, rel: [] };
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

function Editor(props: JourneyEditorProps) {
  const { value, onChange, readOnly = false } = props;
  const flow = useReactFlow();
  const past = useRef<{ doc: JourneyDoc; key: string | null }[]>([]);
  const future = useRef<JourneyDoc[]>([]);
  const clipboard = useRef<RawStep[]>([]);
  const [, bump] = useState(0);
  const [selected, setSelected] = useState<string[]>([]);
  const [focusField, setFocusField] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  // The end node is not a step: where it was dragged lives here, not in the document.
  const [endPos, setEndPos] = useState<{ x: number; y: number } | null>(null);
  const valueRef = useRef(value);
  valueRef.current = value;

  const steps = useMemo(() => stepsOf(value), [value]);
  const ownDiagnostics = useMemo(() => (props.diagnostics ? null : validateJourney(value).diagnostics), [value, props.diagnostics]);
  const diagnostics = props.diagnostics ?? ownDiagnostics ?? [];
  const located = useMemo(() => diagnostics.map((d) => ({ d, ...locate(d, steps) })), [diagnostics, steps]);

  /** Apply an edit: push history (coalescing repeated edits of one field), tell the host. */
  const commit = useCallback(
    (result: EditResult, key: string | null = null): boolean => {
      if (!result.ok) {
        setRefusal(result.message);
        props.onRefused?.({ code: result.code, message: result.message });
        return false;
      }
      setRefusal(null);
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
    commit(applyLayout(valueRef.current));
    requestAnimationFrame(() => void flow.fitView({ padding: 0.15 }));
  }, [commit, flow, readOnly]);

  // Positions: the document's, else the auto-layout's (computed only when a step has none).
  const needsLayout = steps.some((s) => typeof (s.position as { x?: unknown } | undefined)?.x !== 'number');
  const auto = useMemo(() => (needsLayout ? layoutPositions(value) : new Map<string, { x: number; y: number }>()), [needsLayout, value]);
  const statsById = useMemo(() => {
    const list = props.stats ? (Array.isArray(props.stats) ? props.stats : (props.stats as { steps: readonly EditorStepStats[] }).steps) : [];
    return new Map(list.map((s) => [s.stepId, s]));
  }, [props.stats]);
  const highlighted = useMemo(() => new Set(props.highlight ?? []), [props.highlight]);

  const derived = useMemo((): (StepNode | EndNode)[] => {
    const out: (StepNode | EndNode)[] = steps.map((s, i) => {
      const id = stepId(s, i);
      const p = s.position as { x?: unknown; y?: unknown } | undefined;
      const position = typeof p?.x === 'number' && typeof p?.y === 'number' ? { x: p.x, y: p.y } : (auto.get(id) ?? { x: 0, y: i * 120 });
      return {
        id,
        type: 'step' as const,
        position,
        data: { step: s, id, handles: handlesOf(steps, i), problems: located.filter((l) => l.stepId === id).map((l) => l.d), stats: statsById.get(id), highlighted: highlighted.has(id) },
        deletable: !readOnly,
      };
    });
    const bottom = out.reduce((m, n) => Math.max(m, n.position.y), 0);
    const ends = steps.length === 0 ? { x: 50, y: 300 } : (auto.get(END_NODE_ID) ?? { x: out[out.length - 1]!.position.x + 50, y: bottom + 160 });
    out.push({ id: END_NODE_ID, type: 'end', position: endPos ?? ends, data: {}, deletable: false, draggable: true, selectable: false });
    return out;
  }, [steps, auto, located, statsById, highlighted, readOnly, endPos]);

  const [nodes, setNodes] = useState<(StepNode | EndNode)[]>(derived);
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
    return edgesOf(value).map((e) => ({
      id: e.id,
      source: e.source,
      sourceHandle: e.sourceHandle,
      target: e.target,
      targetHandle: 'in',
      label: e.label || undefined,
      className: `${e.implicit ? 'je-implicit' : ''}${pathPairs.has(`${e.source}>${e.target}`) ? ' je-edge-highlight' : ''}`,
      markerEnd: { type: MarkerType.ArrowClosed },
      reconnectable: !readOnly,
      deletable: false,
    }));
  }, [value, props.highlight, readOnly]);

  const onConnect = useCallback(
    (c: Connection) => {
      if (readOnly || !c.sourceHandle) return;
      commit(connect(valueRef.current, c.source, c.sourceHandle, c.target));
    },
    [commit, readOnly],
  );
  const onReconnect = useCallback(
    (_old: Edge, c: Connection) => {
      if (readOnly || !c.sourceHandle) return;
      commit(connect(valueRef.current, c.source, c.sourceHandle, c.target));
    },
    [commit, readOnly],
  );
  const isValidConnection = useCallback((c: Connection | Edge) => c.source !== END_NODE_ID && c.target !== c.source, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault();
      if (readOnly) return;
      const type = e.dataTransfer.getData('application/x-journey-step') || e.dataTransfer.getData('text/plain');
      if (!type) return;
      const position = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      const result = addStep(valueRef.current, type, { x: position.x - 110, y: position.y - 20 });
      if (commit(result) && result.ok && result.id) {
        setSelected([result.id]);
        setFocusField(null);
      }
    },
    [commit, flow, readOnly],
  );

  const deleteSelected = useCallback(
    (ids: readonly string[]) => {
      const real = ids.filter((id) => id !== END_NODE_ID);
      if (readOnly || real.length === 0) return;
      commit(deleteSteps(valueRef.current, real));
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
        clipboard.current = stepsOf(valueRef.current).filter((s, i) => selected.includes(stepId(s, i))).map((s) => structuredClone(s));
      } else if (mod && k === 'v' && !readOnly && clipboard.current.length) {
        e.preventDefault();
        const r = pasteSteps(valueRef.current, clipboard.current);
        if (commit(r) && r.ok && r.ids) setSelected(r.ids);
      } else if ((k === 'delete' || k === 'backspace') && selected.length && !readOnly) {
        e.preventDefault();
        deleteSelected(selected);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [undo, redo, commit, selected, readOnly, deleteSelected]);

  const current = selected.length === 1 ? steps.find((s, i) => stepId(s, i) === selected[0]) : undefined;
  const currentId = current ? String(current.id) : null;

  const choose = (l: (typeof located)[number]) => {
    if (l.stepId === undefined) return;
    setSelected([l.stepId]);
    setFocusField(fieldKey(l.rel) || 'id');
    const n = flow.getNode(l.stepId);
    if (n) void flow.fitView({ nodes: [n], padding: 1.2, maxZoom: 1.2, duration: 0 });
  };

  return (
    <div className={`je-editor${readOnly ? ' je-readonly' : ''}`} style={{ height: props.height ?? '100%' }} data-testid="journey-editor" data-read-only={readOnly ? 'true' : 'false'}>
      <div className="je-toolbar" role="toolbar">
        <button type="button" data-testid="undo" disabled={readOnly || past.current.length === 0} onClick={undo} title="Undo (Ctrl+Z)">Undo</button>
        <button type="button" data-testid="redo" disabled={readOnly || future.current.length === 0} onClick={redo} title="Redo (Ctrl+Shift+Z)">Redo</button>
        <button type="button" data-testid="layout" disabled={readOnly} onClick={layout}>Auto-layout</button>
        <button type="button" data-testid="fit-view" onClick={() => void flow.fitView({ padding: 0.15 })}>Fit view</button>
        {props.toolbar}
        {refusal && <span className="je-refusal" data-testid="edit-refused">{refusal}</span>}
      </div>
      {readOnly && <div className="je-lock" data-testid="read-only">{props.readOnlyMessage ?? 'Read-only'}</div>}
      <div className="je-body">
        {!readOnly && (
          <aside className="je-palette" data-testid="palette">
            {PALETTE_KINDS.map((kind) => (
              <div
                key={kind}
                className={`je-palette-item je-kind-${kind}`}
                data-step-kind={kind}
                draggable
                onDragStart={(e) => {
                  e.dataTransfer.setData('application/x-journey-step', kind);
                  e.dataTransfer.effectAllowed = 'move';
                }}
              >
                {kind}
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
              else commit(moveStep(valueRef.current, node.id, node.position));
            }}
            onConnect={onConnect}
            onReconnect={onReconnect}
            isValidConnection={isValidConnection}
            nodesDraggable={!readOnly}
            nodesConnectable={!readOnly}
            edgesReconnectable={!readOnly}
            deleteKeyCode={null}
            fitView
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
              diagnostics={located.filter((l) => l.stepId === currentId)}
              onField={(path, v) => {
                if (path[0] === 'id') {
                  if (commit(setField(valueRef.current, currentId, path, v))) setSelected([String(v)]);
                } else commit(setField(valueRef.current, currentId, path, v), `${currentId}:${fieldKey(path)}`);
              }}
            />
          ) : (
            <div className="je-panel je-panel-empty">Select a step to configure it{readOnly ? '' : ', or drag one from the palette'}.</div>
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
