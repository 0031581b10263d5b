/** The configuration panel: one form per step kind, with the diagnostics of each field as you type. */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { WAIT_UNITS } from '../../model/duration.js';
import type { Diagnostic } from '../../validate/index.js';
import type { DraftStep } from '../index.js';
import { fieldKey, getIn, type FieldPath } from './doc.js';

/** What the panel needs from the editor. */
export interface ConfigPanelProps {
  readonly step: DraftStep;
  /** Diagnostics of this step, paths relative to the step. */
  readonly diagnostics: readonly { readonly d: Diagnostic; readonly rel: FieldPath }[];
  readonly readOnly: boolean;
  /** Set a field (`undefined` removes it). */
  readonly onField: (path: FieldPath, value: unknown) => void;
  /** The field to focus (a problem was chosen), as {@link fieldKey}. */
  readonly focusField: string | null;
}

const OPERATION_TYPES = ['set_attribute', 'unset_attribute', 'add_segment', 'remove_segment', 'set_flag'] as const;

function FieldProblems({ at, diagnostics }: { at: FieldPath; diagnostics: ConfigPanelProps['diagnostics'] }) {
  const key = fieldKey(at);
  const mine = diagnostics.filter((x) => fieldKey(x.rel) === key || fieldKey(x.rel).startsWith(`${key}.`));
  if (mine.length === 0) return null;
  return (
    <ul className="je-field-problems">
      {mine.map((x, k) => (
        <li key={k} className={`je-sev-${x.d.severity}`} data-field-diagnostic={x.d.code}>
          {x.d.message}
        </li>
      ))}
    </ul>
  );
}

/** The step's configuration form. */
export function ConfigPanel(props: ConfigPanelProps) {
  const { step, readOnly, onField, diagnostics, focusField } = props;
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!focusField || !root.current) return;
    const fields = [...root.current.querySelectorAll<HTMLElement>('[data-field]')];
    const hit = fields.find((f) => f.dataset.field === focusField) ?? fields.filter((f) => focusField.startsWith(`${f.dataset.field}.`) || f.dataset.field!.startsWith(`${focusField}.`))[0];
    hit?.focus();
  }, [focusField, step.id]);

  const text = (label: string, path: FieldPath, opts: { optional?: boolean; multiline?: boolean } = {}): ReactNode => {
    const value = getIn(step, path);
    const common = {
      'data-field': fieldKey(path),
      disabled: readOnly,
      value: typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value),
      onChange: (e: { target: { value: string } }) => onField(path, opts.optional && e.target.value === '' ? undefined : e.target.value),
    };
    return (
      <label className="je-field" key={fieldKey(path)}>
        <span>{label}</span>
        {opts.multiline ? <textarea rows={2} spellCheck={false} {...common} /> : <input type="text" spellCheck={false} {...common} />}
        <FieldProblems at={path} diagnostics={diagnostics} />
      </label>
    );
  };
  const num = (label: string, path: FieldPath): ReactNode => {
    const value = getIn(step, path);
    return (
      <label className="je-field" key={fieldKey(path)}>
        <span>{label}</span>
        <input
          type="number"
          data-field={fieldKey(path)}
          disabled={readOnly}
          value={typeof value === 'number' ? value : ''}
          onChange={(e) => onField(path, e.target.value === '' ? undefined : Number(e.target.value))}
        />
        <FieldProblems at={path} diagnostics={diagnostics} />
      </label>
    );
  };
  const select = (label: string, path: FieldPath, options: readonly string[]): ReactNode => {
    const value = getIn(step, path);
    return (
      <label className="je-field" key={fieldKey(path)}>
        <span>{label}</span>
        <select data-field={fieldKey(path)} disabled={readOnly} value={typeof value === 'string' ? value : ''} onChange={(e) => onField(path, e.target.value)}>
          {options.map((o) => (
            <option key={o} value={o}>{o}</option>
          ))}
        </select>
        <FieldProblems at={path} diagnostics={diagnostics} />
      </label>
    );
  };
  const list = (name: string, path: FieldPath, fresh: unknown, render: (j: number) => ReactNode): ReactNode => {
    const items = getIn(step, path);
    const arr = Array.isArray(items) ? items : [];
    return (
      <fieldset className="je-list" key={fieldKey(path)}>
        <legend>{name}s</legend>
        {arr.map((_, j) => (
          <div className="je-list-item" key={j} data-list-item={`${fieldKey(path)}.${j}`}>
            {render(j)}
            {!readOnly && (
              <button type="button" className="je-remove" data-action={`remove-${fieldKey(path)}.${j}`} onClick={() => onField([...path, j], undefined)}>
                remove {name}
              </button>
            )}
          </div>
        ))}
        {!readOnly && (
          <button type="button" data-action={`add-${fieldKey(path)}`} onClick={() => onField([...path, arr.length], structuredClone(fresh))}>
            add {name}
          </button>
        )}
        <FieldProblems at={path} diagnostics={diagnostics.filter((x) => x.rel.length === path.length)} />
      </fieldset>
    );
  };

  let body: ReactNode = null;
  switch (step.type) {
    case 'wait':
      body = [num('Duration', ['config', 'duration']), select('Unit', ['config', 'unit'], WAIT_UNITS)];
      break;
    case 'decide':
      body = [text('Decision flow', ['config', 'decisionFlowId']), num('Max offers', ['config', 'maxOffers']), text('Store result as', ['config', 'storeResultAs'], { optional: true })];
      break;
    case 'send':
      body = [text('Channel', ['config', 'channelId']), text('Creative', ['config', 'creativeId']), text('Result source', ['config', 'resultSource'], { optional: true })];
      break;
    case 'branch':
      body = list('condition', ['config', 'conditions'], { expression: "outcome == 'click'", targetStepId: null }, (j) => [
        text('Label', ['config', 'conditions', j, 'label'], { optional: true }),
        text('Expression', ['config', 'conditions', j, 'expression'], { multiline: true }),
      ]);
      break;
    case 'update':
      body = list('operation', ['config', 'operations'], { type: 'set_attribute', key: '', value: '' }, (j) => {
        const op = getIn(step, ['config', 'operations', j]) as Record<string, unknown> | undefined;
        const t = String(op?.type ?? '');
        const p = (k: string): FieldPath => ['config', 'operations', j, k];
        const setType = (v: string) => onField(['config', 'operations', j], v.endsWith('_segment') ? { type: v, segment: '' } : v === 'set_flag' ? { type: v, flag: '', value: true } : v === 'unset_attribute' ? { type: v, key: '' } : { type: v, key: '', value: '' });
        const value = op?.value;
        return [
          <label className="je-field" key="type">
            <span>Operation</span>
            <select data-field={fieldKey(p('type'))} disabled={readOnly} value={t} onChange={(e) => setType(e.target.value)}>
              {OPERATION_TYPES.map((o) => <option key={o} value={o}>{o}</option>)}
            </select>
          </label>,
          t.endsWith('_segment') ? text('Segment', p('segment')) : t === 'set_flag' ? text('Flag', p('flag')) : text('Attribute', p('key')),
          t === 'set_attribute' && (
            <label className="je-field" key="value">
              <span>Value (JSON or text)</span>
              <input
                type="text"
                data-field={fieldKey(p('value'))}
                disabled={readOnly}
                value={typeof value === 'string' ? value : JSON.stringify(value ?? '')}
                onChange={(e) => {
                  let v: unknown = e.target.value;
                  try { v = JSON.parse(e.target.value); } catch { /* text */ }
                  onField(p('value'), v);
                }}
              />
            </label>
          ),
        ];
      });
      break;
    case 'waitFor':
      body = [
        list('path', ['config', 'paths'], { outcome: 'click', targetStepId: null }, (j) => [
          text('Label', ['config', 'paths', j, 'label'], { optional: true }),
          text('Outcome', ['config', 'paths', j, 'outcome'], { optional: true }),
          text('Event', ['config', 'paths', j, 'event'], { optional: true }),
          text('Where (event paths)', ['config', 'paths', j, 'where'], { optional: true, multiline: true }),
        ]),
        num('Timeout', ['config', 'timeout', 'duration']),
        select('Timeout unit', ['config', 'timeout', 'unit'], WAIT_UNITS),
      ];
      break;
    case 'split':
      body = [
        text('Salt', ['config', 'salt'], { optional: true }),
        list('variant', ['config', 'variants'], { label: 'C', weight: 0, targetStepId: null }, (j) => [text('Label', ['config', 'variants', j, 'label']), num('Weight', ['config', 'variants', j, 'weight'])]),
      ];
      break;
  }
  return (
    <div className="je-panel" ref={root} data-testid="config-panel" data-panel-step={String(step.id)}>
      <h3>{String(step.type)}</h3>
      <IdField id={String(step.id ?? '')} readOnly={readOnly} onRename={(to) => onField(['id'], to)} />
      <FieldProblems at={['id']} diagnostics={diagnostics} />
      {text('Label', ['label'], { optional: true })}
      {body}
      <ConfigJson config={step.config} readOnly={readOnly} onConfig={(config) => onField(['config'], config)} />
      <FieldProblems at={[]} diagnostics={diagnostics.filter((x) => x.rel.length === 0)} />
    </div>
  );
}

/**
 * The whole `config` as JSON, for every form the fields above do not show (a wait's `until`,
 * `untilAttribute`, `offset` or `window`; a waitFor path's targets; any field a newer kind adds).
 * Applied as you type whenever the text is a JSON object; otherwise it says so and changes nothing.
 */
function ConfigJson({ config, readOnly, onConfig }: { config: unknown; readOnly: boolean; onConfig: (config: unknown) => void }) {
  const shown = JSON.stringify(config ?? {}, null, 2);
  const [draft, setDraft] = useState(shown);
  const [problem, setProblem] = useState<string | null>(null);
  const applied = useRef(shown);
  useEffect(() => {
    // A change made elsewhere (a field above, undo): show it, unless it is what this text applied.
    if (shown !== applied.current) {
      applied.current = shown;
      setDraft(shown);
      setProblem(null);
    }
  }, [shown]);
  return (
    <details className="je-config-json" data-testid="config-json">
      <summary>Configuration as JSON</summary>
      <textarea
        data-field="config"
        spellCheck={false}
        disabled={readOnly}
        rows={8}
        value={draft}
        onChange={(e) => {
          const text = e.target.value;
          setDraft(text);
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            setProblem('not valid JSON yet: nothing applied');
            return;
          }
          if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
            setProblem('the configuration is a JSON object: nothing applied');
            return;
          }
          setProblem(null);
          applied.current = JSON.stringify(parsed, null, 2);
          onConfig(parsed);
        }}
      />
      {problem !== null && <p className="je-field-problems je-sev-error" data-testid="config-json-problem">{problem}</p>}
    </details>
  );
}

/** The step id: renamed (with every reference) when the field is left or Enter is pressed. */
function IdField({ id, readOnly, onRename }: { id: string; readOnly: boolean; onRename: (to: string) => void }) {
  const [draft, setDraft] = useState(id);
  useEffect(() => setDraft(id), [id]);
  const commit = () => {
    if (draft !== id && draft !== '') onRename(draft);
    else setDraft(id);
  };
  return (
    <label className="je-field">
      <span>Step id</span>
      <input
        type="text"
        data-field="id"
        spellCheck={false}
        disabled={readOnly}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
      />
    </label>
  );
}
