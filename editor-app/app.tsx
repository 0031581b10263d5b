/**
 * The page: lists the API's journeys, opens one in the editor, saves drafts, validates, and moves
 * it through the lifecycle (draft → active ⇄ paused → archived). An active journey opens
 * read-only ("pause to edit"); saving a paused journey that removes steps warns how many
 * customers are on them; "test with a sample customer" runs /test and highlights the path;
 * active journeys show live per-step counts.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { JourneyEditor, type EditorStepStats, type JourneyDoc } from '../src/editor/react/index.js';
import { validateJourney } from '../src/validate/index.js';

interface Summary { id: string; name: string; status: string; version?: number }
interface Meta { id: string; status: string; updatedAt?: string; version?: number }
interface Message { kind: 'info' | 'warn' | 'error'; text: string; testid?: string }
interface TimelineEntry { at: string; stepId: string | null; type: string; detail?: unknown }

const SERVER_FIELDS = ['id', 'createdAt', 'updatedAt', 'stepCount', 'version', 'diagnostics', 'status'];
const UPDATABLE = ['name', 'description', 'maxDuration', 'steps', 'entryConditions'];

const EMPTY: JourneyDoc = { name: 'Untitled journey', maxDuration: 21, entryConditions: { manual: true }, steps: [] };

function docOf(journey: Record<string, unknown>): JourneyDoc {
  const doc: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(journey)) if (!SERVER_FIELDS.includes(k)) doc[k] = v;
  return { ...doc, steps: Array.isArray(doc.steps) ? (doc.steps as JourneyDoc['steps']) : [] };
}

function stepIds(doc: JourneyDoc): Set<string> {
  return new Set((Array.isArray(doc.steps) ? doc.steps : []).map((s) => String((s as { id?: unknown }).id)));
}

/** Error text of an API answer. */
async function problemOf(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    return `${body.error?.code ?? res.status}: ${body.error?.message ?? res.statusText}`;
  } catch {
    return `${res.status} ${res.statusText}`;
  }
}

/** The editor page. `apiBase` is the REST API's base URL (`/api/v1`). */
export function EditorApp({ apiBase }: { apiBase: string }) {
  const api = useCallback((path: string, init?: RequestInit) => fetch(`${apiBase}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(init?.headers ?? {}) } }), [apiBase]);
  const [list, setList] = useState<Summary[]>([]);
  const [meta, setMeta] = useState<Meta | null>(null);
  const [doc, setDoc] = useState<JourneyDoc>(EMPTY);
  const saved = useRef<JourneyDoc>(EMPTY);
  const [message, setMessage] = useState<Message | null>(null);
  const [pendingSave, setPendingSave] = useState<{ removed: string[]; inFlight: number } | null>(null);
  const [stats, setStats] = useState<readonly EditorStepStats[] | undefined>(undefined);
  const [showTest, setShowTest] = useState(false);
  const [customer, setCustomer] = useState('{ "id": "sample", "segments": [], "attributes": {} }');
  const [outcomes, setOutcomes] = useState('[]');
  const [timeline, setTimeline] = useState<TimelineEntry[] | null>(null);
  const [testStatus, setTestStatus] = useState<string | null>(null);
  const [editorKey, setEditorKey] = useState(0);

  const refreshList = useCallback(async () => {
    const res = await api('/journeys?limit=200');
    if (res.ok) setList(((await res.json()) as { data: Summary[] }).data);
  }, [api]);
  useEffect(() => void refreshList(), [refreshList]);

  const open = useCallback(
    async (id: string) => {
      const res = await api(`/journeys/${encodeURIComponent(id)}`);
      if (!res.ok) return setMessage({ kind: 'error', text: await problemOf(res) });
      const j = (await res.json()) as Record<string, unknown>;
      const d = docOf(j);
      setMeta({ id: String(j.id), status: String(j.status), updatedAt: j.updatedAt as string, version: j.version as number });
      saved.current = d;
      setDoc(d);
      setTimeline(null);
      setStats(undefined);
      setMessage(null);
      setEditorKey((k) => k + 1);
      const url = new URL(location.href);
      url.searchParams.set('journey', String(j.id));
      history.replaceState(null, '', url);
    },
    [api],
  );
  useEffect(() => {
    const id = new URL(location.href).searchParams.get('journey');
    if (id) void open(id);
  }, [open]);

  const status = meta?.status ?? 'draft';
  const readOnly = status === 'active' || status === 'archived';
  const dirty = JSON.stringify(doc) !== JSON.stringify(saved.current);
  const live = useMemo(() => validateJourney(doc), [doc]);

  // Live per-step counts while the journey runs (or waits paused).
  useEffect(() => {
    if (!meta || (status !== 'active' && status !== 'paused')) return;
    let stop = false;
    const poll = async () => {
      const res = await api(`/journeys/${encodeURIComponent(meta.id)}/stats`);
      if (!stop && res.ok) setStats(((await res.json()) as { steps: EditorStepStats[] }).steps);
    };
    void poll();
    const timer = setInterval(() => void poll(), 2000);
    return () => { stop = true; clearInterval(timer); };
  }, [api, meta, status]);

  const writeSave = useCallback(async (): Promise<boolean> => {
    setPendingSave(null);
    let res: Response;
    if (!meta) {
      res = await api('/journeys', { method: 'POST', body: JSON.stringify({ ...doc, status: 'draft' }) });
    } else {
      const patch: Record<string, unknown> = {};
      for (const k of UPDATABLE) if (k in doc) patch[k] = doc[k];
      if (meta.updatedAt) patch.updatedAt = meta.updatedAt;
      res = await api(`/journeys/${encodeURIComponent(meta.id)}`, { method: 'PUT', body: JSON.stringify(patch) });
    }
    if (!res.ok) {
      setMessage({ kind: 'error', text: `not saved: ${await problemOf(res)}`, testid: 'save-error' });
      return false;
    }
    const j = (await res.json()) as Record<string, unknown>;
    setMeta({ id: String(j.id), status: String(j.status), updatedAt: j.updatedAt as string, version: j.version as number });
    saved.current = doc;
    const errors = ((j.diagnostics as { severity: string }[] | undefined) ?? []).filter((d) => d.severity === 'error').length;
    setMessage({ kind: errors ? 'warn' : 'info', text: `saved${errors ? ` with ${errors} error(s): a draft may be saved with errors, activation needs none` : ''}`, testid: 'saved' });
    const url = new URL(location.href);
    url.searchParams.set('journey', String(j.id));
    history.replaceState(null, '', url);
    void refreshList();
    return true;
  }, [api, doc, meta, refreshList]);

  const save = useCallback(async () => {
    if (meta && status === 'paused') {
      const removed = [...stepIds(saved.current)].filter((id) => !stepIds(doc).has(id));
      if (removed.length) {
        const res = await api(`/journeys/${encodeURIComponent(meta.id)}/stats`);
        const steps = res.ok ? ((await res.json()) as { steps: EditorStepStats[] }).steps : [];
        const inFlight = steps.filter((s) => removed.includes(s.stepId)).reduce((n, s) => n + Number(s.current ?? 0), 0);
        setPendingSave({ removed, inFlight });
        return;
      }
    }
    await writeSave();
  }, [api, doc, meta, status, writeSave]);

  const lifecycle = useCallback(
    async (to: 'active' | 'paused' | 'archived') => {
      if (!meta) return setMessage({ kind: 'error', text: 'save the journey first' });
      if (dirty && !(await writeSave())) return;
      const res = await api(`/journeys/${encodeURIComponent(meta.id)}`, { method: 'PUT', body: JSON.stringify({ status: to }) });
      if (!res.ok) return setMessage({ kind: 'error', text: await problemOf(res), testid: 'lifecycle-error' });
      const j = (await res.json()) as Record<string, unknown>;
      setMeta({ id: String(j.id), status: String(j.status), updatedAt: j.updatedAt as string, version: j.version as number });
      setMessage({ kind: 'info', text: `now ${String(j.status)}`, testid: 'lifecycle-ok' });
      void refreshList();
    },
    [api, dirty, meta, refreshList, writeSave],
  );

  const validate = useCallback(async () => {
    let result = live;
    if (meta && !dirty) {
      const res = await api(`/journeys/${encodeURIComponent(meta.id)}/validate`, { method: 'POST', body: '{}' });
      if (res.ok) result = (await res.json()) as typeof live;
    }
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    setMessage({ kind: errors ? 'warn' : 'info', text: result.valid ? 'valid: no errors' : `${errors} error(s), ${result.diagnostics.length - errors} other problem(s)`, testid: 'validation-result' });
  }, [api, dirty, live, meta]);

  const runTest = useCallback(async () => {
    if (!meta || dirty) {
      if (readOnly) return;
      if (!(await writeSave())) return;
    }
    let body: Record<string, unknown>;
    try {
      body = { customer: JSON.parse(customer) as unknown, outcomes: JSON.parse(outcomes || '[]') as unknown };
    } catch (error) {
      return setMessage({ kind: 'error', text: `the sample is not JSON: ${(error as Error).message}`, testid: 'test-error' });
    }
    const id = meta?.id ?? new URL(location.href).searchParams.get('journey');
    const res = await api(`/journeys/${encodeURIComponent(String(id))}/test`, { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) return setMessage({ kind: 'error', text: await problemOf(res), testid: 'test-error' });
    const r = (await res.json()) as { status: string; exitReason: string | null; timeline: TimelineEntry[] };
    setTimeline(r.timeline);
    setTestStatus(`${r.status}${r.exitReason ? ` (${r.exitReason})` : ''}`);
  }, [api, customer, dirty, meta, outcomes, readOnly, writeSave]);

  const path = useMemo(() => {
    const out: string[] = [];
    for (const e of timeline ?? []) if (e.stepId && out[out.length - 1] !== e.stepId) out.push(e.stepId);
    return out;
  }, [timeline]);

  return (
    <div className="je-app">
      <header>
        <strong>Journeys</strong>
        <select data-testid="journey-list" value={meta?.id ?? ''} onChange={(e) => (e.target.value ? void open(e.target.value) : undefined)}>
          <option value="">— open a journey —</option>
          {list.map((j) => (
            <option key={j.id} value={j.id}>{j.name} ({j.status})</option>
          ))}
        </select>
        <button type="button" data-testid="new-journey" onClick={() => { setMeta(null); saved.current = EMPTY; setDoc(EMPTY); setTimeline(null); setStats(undefined); setMessage(null); setEditorKey((k) => k + 1); history.replaceState(null, '', location.pathname); }}>New</button>
        <input data-testid="journey-name" aria-label="Journey name" value={String(doc.name ?? '')} disabled={status === 'archived'} onChange={(e) => setDoc({ ...doc, name: e.target.value })} />
        <span className="je-status" data-testid="journey-status">{meta ? status : 'unsaved'}</span>
        {dirty && <span data-testid="dirty">● unsaved changes</span>}
      </header>
      {message && <div className={`je-message je-${message.kind}`} data-testid={message.testid ?? 'message'}>{message.text}</div>}
      {pendingSave && (
        <div className="je-message je-warn" data-testid="save-warning">
          This change removes {pendingSave.removed.map((s) => `"${s}"`).join(', ')}: <b data-testid="in-flight">{pendingSave.inFlight}</b> customer(s) are in flight on {pendingSave.removed.length === 1 ? 'it' : 'them'}.
          They stay on the version they entered. <button type="button" data-testid="save-anyway" onClick={() => void writeSave()}>Save anyway</button>{' '}
          <button type="button" onClick={() => setPendingSave(null)}>Cancel</button>
        </div>
      )}
      <main>
        <JourneyEditor
          key={editorKey}
          value={doc}
          onChange={setDoc}
          readOnly={readOnly}
          readOnlyMessage={status === 'active' ? <>This journey is active: pause to edit. <button type="button" data-testid="pause-to-edit" onClick={() => void lifecycle('paused')}>Pause to edit</button></> : 'This journey is archived: it can no longer change.'}
          stats={stats}
          highlight={path}
          toolbar={
            <>
              <span style={{ width: 12 }} />
              <button type="button" data-testid="save" disabled={readOnly || (!dirty && !!meta)} onClick={() => void save()}>Save</button>
              <button type="button" data-testid="validate" onClick={() => void validate()}>Validate</button>
              <button type="button" data-testid="activate" disabled={!meta || status === 'active' || status === 'archived'} onClick={() => void lifecycle('active')}>{status === 'paused' ? 'Resume' : 'Activate'}</button>
              <button type="button" data-testid="pause" disabled={status !== 'active'} onClick={() => void lifecycle('paused')}>Pause</button>
              <button type="button" data-testid="archive" disabled={!meta || status === 'archived'} onClick={() => void lifecycle('archived')}>Archive</button>
              <button type="button" data-testid="test-toggle" onClick={() => setShowTest((v) => !v)}>Test with a sample customer</button>
            </>
          }
        />
        {showTest && (
          <aside className="je-test" data-testid="test-panel">
            <h3>Test with a sample customer</h3>
            <label>Customer (JSON)<textarea data-testid="test-customer" rows={4} value={customer} onChange={(e) => setCustomer(e.target.value)} /></label>
            <label>Outcomes (JSON: {'[{ "afterStepId": "…", "type": "click" }]'})<textarea data-testid="test-outcomes" rows={4} value={outcomes} onChange={(e) => setOutcomes(e.target.value)} /></label>
            <button type="button" data-testid="test-run" onClick={() => void runTest()}>Run</button>
            {timeline && (
              <>
                <p data-testid="test-status">{testStatus}</p>
                <ol className="je-timeline" data-testid="timeline">
                  {timeline.map((e, k) => (
                    <li key={k} data-timeline-type={e.type} data-timeline-step={e.stepId ?? ''}>
                      {e.at.slice(0, 16).replace('T', ' ')} · {e.stepId ?? '—'} · {e.type}
                    </li>
                  ))}
                </ol>
              </>
            )}
          </aside>
        )}
      </main>
    </div>
  );
}
