import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addStep,
  canConnect,
  connect,
  copySteps,
  deleteStep,
  disconnect,
  insertOnEdge,
  moveStep,
  pasteSteps,
  reconnect,
  renameStep,
  setField,
  setJourneyField,
  toGraph,
  type EditResult,
  type JourneyDraft,
} from '../../src/editor/index.js';
import { validateJourney } from '../../src/validate/index.js';
import { deepFreeze } from './arbitraries.js';

type Doc = JourneyDraft & { steps: Record<string, unknown>[] };

const loan = deepFreeze(JSON.parse(readFileSync(new URL('../../examples/journeys/loan-nurture.json', import.meta.url), 'utf8')) as Doc);

function ok<D>(result: EditResult<D>): D {
  if (!result.ok) throw new Error(`refused: ${result.code} ${result.message}`);
  return result.doc;
}

function refusal(result: EditResult<unknown> | { readonly ok: true }): string {
  return result.ok ? 'accepted' : result.code;
}

const step = (doc: JourneyDraft, id: string) => doc.steps.find((s) => s['id'] === id) as Record<string, unknown> & { config: Record<string, unknown> };
const edgesOf = (doc: unknown) => toGraph(doc).edges.map((e) => `${e.source}.${e.sourceHandle}->${e.target}${e.missing ? '!' : ''}`);

/** A small valid journey: send → wait → branch(→ send2 | default end). */
const base = deepFreeze({
  name: 'Base',
  maxDuration: 10,
  steps: [
    { id: 'send', type: 'send', config: { channelId: 'email' } },
    { id: 'wait', type: 'wait', config: { duration: 1, unit: 'days' } },
    { id: 'check', type: 'branch', config: { conditions: [{ expression: "outcome == 'click'", targetStepId: 'send2' }] }, next: null },
    { id: 'send2', type: 'send', config: { channelId: 'sms' } },
  ],
}) as Doc;

describe('addStep', () => {
  it('adds an unconnected step with a fresh id and a default config that validates', () => {
    const doc = ok(addStep(base, 'send', { position: { x: 5, y: 6 } }));
    expect(doc.steps).toHaveLength(5);
    expect(doc.steps[4]).toEqual({ id: 'send_2', type: 'send', config: { channelId: 'email' }, position: { x: 5, y: 6 } });
    // the old last step still ends the journey: no implicit edge into the new step
    expect(doc.steps[3]!['next']).toBeNull();
    expect(edgesOf(doc).filter((e) => e.endsWith('->send_2'))).toEqual([]);
    expect(base.steps).toHaveLength(4);
  });

  it('starts an empty journey with an entry step', () => {
    const doc = ok(addStep({ name: 'x', maxDuration: 1, steps: [] }, 'wait'));
    expect(doc.steps).toEqual([{ id: 'wait', type: 'wait', config: { duration: 1, unit: 'days' } }]);
    expect(validateJourney(doc).valid).toBe(true);
  });

  it('refuses unknown kinds, bad and taken ids, bad positions', () => {
    expect(refusal(addStep(base, 'teleport'))).toBe('unknown-kind');
    expect(refusal(addStep(base, 'toString'))).toBe('unknown-kind');
    expect(refusal(addStep(base, 'send', { id: 'a:b' }))).toBe('invalid-step-id');
    expect(refusal(addStep(base, 'send', { id: 'wait' }))).toBe('duplicate-step-id');
    expect(refusal(addStep(base, 'send', { position: { x: Number.NaN, y: 0 } }))).toBe('invalid-position');
    expect(refusal(addStep({ steps: 3 } as never, 'send'))).toBe('not-a-journey');
  });

  it('accepts ids that name Object.prototype members', () => {
    const doc = ok(addStep(ok(addStep(base, 'send', { id: '__proto__' })), 'send', { id: 'constructor' }));
    expect(doc.steps.map((s) => s['id'])).toEqual(['send', 'wait', 'check', 'send2', '__proto__', 'constructor']);
    expect(Object.getPrototypeOf(doc.steps[4])).toBe(Object.prototype);
  });
});

describe('connect, canConnect', () => {
  it('points a handle at a step', () => {
    const doc = ok(connect(base, { source: 'check', handle: 'next', target: 'send' }));
    expect(step(doc, 'check')['next']).toBe('send');
    const cond = ok(connect(base, { source: 'check', handle: 'config.conditions.0.targetStepId', target: 'wait' }));
    expect((step(cond, 'check').config['conditions'] as { targetStepId: string }[])[0]!.targetStepId).toBe('wait');
    expect(edgesOf(cond)).toContain('check.config.conditions.0.targetStepId->wait');
  });

  it('refuses before connecting: unknown step, handle or target, and loops without a wait', () => {
    expect(refusal(connect(base, { source: 'nope', handle: 'next', target: 'send' }))).toBe('unknown-step');
    expect(refusal(connect(base, { source: 'check', handle: 'config.defaultTargetStepId', target: 'send' }))).toBe('unknown-handle');
    expect(refusal(connect(base, { source: 'check', handle: 'next', target: 'step_end' }))).toBe('unknown-target');
    // a send leading to itself, or send2 → send → wait is fine (passes a wait) but send2 → send2 is not
    expect(refusal(connect(base, { source: 'send', handle: 'next', target: 'send' }))).toBe('instant-loop');
    expect(refusal(connect(base, { source: 'send2', handle: 'next', target: 'check' }))).toBe('instant-loop');
    expect(refusal(canConnect(base, { source: 'send2', handle: 'next', target: 'check' }))).toBe('instant-loop');
    expect(canConnect(base, { source: 'send2', handle: 'next', target: 'wait' })).toEqual({ ok: true });
    // a wait may lead to itself: it holds
    expect(connect(base, { source: 'wait', handle: 'next', target: 'wait' }).ok).toBe(true);
  });

  it('lets a waitFor loop back: it blocks', () => {
    const doc = ok(addStep(base, 'waitFor', { id: 'listen' }));
    const looped = ok(connect(ok(connect(doc, { source: 'send2', handle: 'next', target: 'listen' })), { source: 'listen', handle: 'config.paths.0.targetStepId', target: 'send2' }));
    expect(edgesOf(looped)).toContain('listen.config.paths.0.targetStepId->send2');
  });
});

describe('disconnect', () => {
  it('ends the journey where the kind allows, removes a default, refuses a condition', () => {
    expect(step(ok(disconnect(base, { source: 'send', handle: 'next' })), 'send')['next']).toBeNull();
    const withDefault = ok(connect(ok(setField(base, 'check', ['config', 'defaultTargetStepId'], 'send2')), { source: 'check', handle: 'config.defaultTargetStepId', target: 'wait' }));
    const cut = ok(disconnect(withDefault, { source: 'check', handle: 'config.defaultTargetStepId' }));
    expect(Object.hasOwn(step(cut, 'check').config, 'defaultTargetStepId')).toBe(false);
    expect(refusal(disconnect(base, { source: 'check', handle: 'config.conditions.0.targetStepId' }))).toBe('target-required');
    expect(refusal(disconnect(base, { source: 'check', handle: 'config.conditions.9.targetStepId' }))).toBe('unknown-handle');
    const split = ok(addStep(base, 'split', { id: 'sp' }));
    const wired = ok(connect(split, { source: 'sp', handle: 'config.variants.0.targetStepId', target: 'send' }));
    expect((step(ok(disconnect(wired, { source: 'sp', handle: 'config.variants.0.targetStepId' })), 'sp').config['variants'] as { targetStepId: unknown }[])[0]!.targetStepId).toBeNull();
  });
});

describe('reconnect', () => {
  it('moves an edge to another handle or target', () => {
    const moved = ok(reconnect(base, { source: 'send', handle: 'next' }, { source: 'send2', handle: 'next', target: 'wait' }));
    expect(step(moved, 'send')['next']).toBeNull();
    expect(step(moved, 'send2')['next']).toBe('wait');
    const retargeted = ok(reconnect(base, { source: 'check', handle: 'config.conditions.0.targetStepId' }, { source: 'check', handle: 'config.conditions.0.targetStepId', target: 'wait' }));
    expect(edgesOf(retargeted)).toContain('check.config.conditions.0.targetStepId->wait');
    expect(refusal(reconnect(base, { source: 'send', handle: 'next' }, { source: 'send2', handle: 'next', target: 'send2' }))).toBe('instant-loop');
  });
});

describe('insertOnEdge', () => {
  it('puts a step on an implicit edge and keeps the rest of the journey', () => {
    const doc = ok(insertOnEdge(base, { source: 'send', handle: 'next' }, 'update'));
    expect(step(doc, 'send')['next']).toBe('update');
    expect(step(doc, 'update')).toMatchObject({ type: 'update', next: 'wait' });
    expect(validateJourney(doc).valid).toBe(true);
    // send → update → wait → check …: every other edge unchanged
    const before = edgesOf(base).filter((e) => !e.startsWith('send.'));
    for (const e of before) expect(edgesOf(doc)).toContain(e);
  });

  it('on a branch condition: a split leads every variant on', () => {
    const doc = ok(insertOnEdge(base, { source: 'check', handle: 'config.conditions.0.targetStepId' }, 'split'));
    expect((step(doc, 'check').config['conditions'] as { targetStepId: string }[])[0]!.targetStepId).toBe('split');
    expect(edgesOf(doc).filter((e) => e.startsWith('split.'))).toEqual(['split.config.variants.0.targetStepId->send2', 'split.config.variants.1.targetStepId->send2']);
    expect(refusal(insertOnEdge(base, { source: 'check', handle: 'next' }, 'nope'))).toBe('unknown-kind');
    expect(refusal(insertOnEdge(base, { source: 'check', handle: 'x' }, 'send'))).toBe('unknown-handle');
  });
});

describe('deleteStep', () => {
  it('reconnects around a step with one successor', () => {
    const doc = ok(deleteStep(base, 'wait', { reconnect: true }));
    expect(doc.steps.map((s) => s['id'])).toEqual(['send', 'check', 'send2']);
    expect(edgesOf(doc)).toContain('send.next->check');
    expect(step(doc, 'send')['next']).toBeUndefined(); // array order already says it
  });

  it('reconnects explicit references too, to the successor', () => {
    const doc = ok(deleteStep(loan, 'step_wait_3d', { reconnect: true }));
    expect(validateJourney(doc).diagnostics.filter((d) => d.code === 'unknown-target')).toEqual([]);
    const original = toGraph(loan).edges.filter((e) => e.target === 'step_wait_3d').map((e) => `${e.source}.${e.sourceHandle}`);
    for (const ref of original) expect(edgesOf(doc)).toContain(`${ref}->step_check_response`);
  });

  it('without reconnect: predecessors end the journey, a condition keeps its broken target', () => {
    const doc = ok(deleteStep(base, 'wait'));
    expect(step(doc, 'send')['next']).toBeNull();
    const gone = ok(deleteStep(base, 'send2'));
    expect(edgesOf(gone)).toContain('check.config.conditions.0.targetStepId->send2!');
    expect(validateJourney(gone).diagnostics.map((d) => d.code)).toContain('unknown-target');
  });

  it('does not reconnect a branch (several successors) and refuses an unknown step', () => {
    const doc = ok(deleteStep(base, 'check', { reconnect: true }));
    expect(step(doc, 'wait')['next']).toBeNull();
    expect(refusal(deleteStep(base, 'nope'))).toBe('unknown-step');
  });
});

describe('renameStep', () => {
  it('updates every reference, resultSource included', () => {
    const doc = ok(renameStep(loan, 'step_initial_offer', 'offer'));
    expect(step(doc, 'offer')).toBeDefined();
    expect(JSON.stringify(doc)).not.toContain('"step_initial_offer"');
    expect(validateJourney(doc).diagnostics).toEqual(validateJourney(loan).diagnostics.map((d) => ({ ...d, message: expect.any(String) as string, ...(d.stepId === 'step_initial_offer' ? { stepId: 'offer' } : {}) })));
    const target = ok(renameStep(base, 'send2', 'second'));
    expect((step(target, 'check').config['conditions'] as { targetStepId: string }[])[0]!.targetStepId).toBe('second');
  });

  it('refuses bad and taken ids', () => {
    expect(refusal(renameStep(base, 'send', 'wait'))).toBe('duplicate-step-id');
    expect(refusal(renameStep(base, 'send', 'has space'))).toBe('invalid-step-id');
    expect(refusal(renameStep(base, 'x', 'y'))).toBe('unknown-step');
    expect(renameStep(base, 'send', 'send')).toEqual({ ok: true, doc: base });
  });
});

describe('moveStep, setField, setJourneyField', () => {
  it('moves a step', () => {
    expect(step(ok(moveStep(base, 'wait', { x: 1, y: 2 })), 'wait')['position']).toEqual({ x: 1, y: 2 });
    expect(refusal(moveStep(base, 'wait', { x: Infinity, y: 2 }))).toBe('invalid-position');
    expect(refusal(moveStep(base, 'nope', { x: 1, y: 2 }))).toBe('unknown-step');
  });

  it('sets, creates and removes fields; a broken expression is stored and diagnosed', () => {
    const broken = ok(setField(base, 'check', ['config', 'conditions', 0, 'expression'], "outcome == 'click"));
    expect(validateJourney(broken).diagnostics.map((d) => d.code)).toContain('invalid-expression');
    const fixed = ok(setField(broken, 'check', ['config', 'conditions', 0, 'expression'], "outcome == 'click'"));
    expect(validateJourney(fixed).valid).toBe(true);
    expect(step(ok(setField(base, 'send', ['config', 'priority'], 3)), 'send').config['priority']).toBe(3);
    expect(Object.hasOwn(step(ok(setField(base, 'send', ['config', 'channelId'], undefined)), 'send').config, 'channelId')).toBe(false);
    const appended = ok(setField(base, 'check', ['config', 'conditions', 1], { expression: 'true', targetStepId: 'send' }));
    expect(step(appended, 'check').config['conditions']).toHaveLength(2);
  });

  it('refuses ids, types and paths it cannot write', () => {
    expect(refusal(setField(base, 'send', ['id'], 'x'))).toBe('read-only-field');
    expect(refusal(setField(base, 'send', ['type'], 'wait'))).toBe('read-only-field');
    expect(refusal(setField(base, 'send', [], 1))).toBe('invalid-path');
    expect(refusal(setField(base, 'send', ['config', '__proto__', 'polluted'], 1))).toBe('invalid-path');
    expect(refusal(setField(base, 'send', ['config', 'channelId', 'deeper'], 1))).toBe('invalid-path');
    expect(refusal(setField(base, 'check', ['config', 'conditions', 5], {}))).toBe('invalid-path');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('sets journey fields but not steps', () => {
    expect(ok(setJourneyField(base, ['name'], 'Renamed'))['name']).toBe('Renamed');
    expect(ok(setJourneyField(base, ['entryConditions', 'segments'], ['vip']))['entryConditions']).toEqual({ segments: ['vip'] });
    expect(refusal(setJourneyField(base, ['steps'], []))).toBe('read-only-field');
    expect(refusal(setJourneyField(base, ['constructor', 'x'], 1))).toBe('invalid-path');
  });
});

describe('copySteps, pasteSteps', () => {
  it('pastes copies with fresh ids and their references remapped', () => {
    const clip = ok(copySteps(base, ['check', 'send2']));
    const doc = ok(pasteSteps(base, clip, { offset: { x: 10, y: 0 } }));
    expect(doc.steps.map((s) => s['id'])).toEqual(['send', 'wait', 'check', 'send2', 'check_2', 'send2_2']);
    expect((step(doc, 'check_2').config['conditions'] as { targetStepId: string }[])[0]!.targetStepId).toBe('send2_2');
    // the last copied step's end is explicit, so it still ends wherever it is pasted
    expect(step(doc, 'send2_2')['next']).toBeNull();
    expect(edgesOf(doc).filter((e) => e.startsWith('check.') || e.startsWith('send2.'))).toEqual(edgesOf(base).filter((e) => e.startsWith('check.') || e.startsWith('send2.')));
  });

  it('keeps references outside the clipboard and resultSource inside it', () => {
    const clip = ok(copySteps(loan, ['step_initial_offer', 'step_send_email']));
    const doc = ok(pasteSteps(loan, JSON.parse(JSON.stringify(clip))));
    const send = step(doc, 'step_send_email_2');
    // the copy reads its own copy's result, under a fresh key
    expect(step(doc, 'step_initial_offer_2').config['storeResultAs']).toBe('loan_recommendation_2');
    expect(send.config['resultSource']).toBe('loan_recommendation_2');
    expect(send['next']).toBe('step_wait_3d');
    expect(validateJourney(doc).diagnostics.map((d) => d.code)).not.toContain('duplicate-result-name');
    // a resultSource naming the copied step's id follows its new id
    const byId = ok(setField(loan, 'step_send_email', ['config', 'resultSource'], 'step_initial_offer'));
    const pasted = ok(pasteSteps(byId, ok(copySteps(byId, ['step_initial_offer', 'step_send_email']))));
    expect(step(pasted, 'step_send_email_2').config['resultSource']).toBe('step_initial_offer_2');
  });

  it('refuses an empty clipboard and unknown steps', () => {
    expect(refusal(pasteSteps(base, { steps: [] }))).toBe('empty-clipboard');
    expect(refusal(pasteSteps(base, 'text'))).toBe('empty-clipboard');
    expect(refusal(copySteps(base, ['nope']))).toBe('unknown-step');
  });
});
