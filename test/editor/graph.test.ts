import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnosticsByStep, fromGraph, statsByStep, toGraph } from '../../src/editor/index.js';
import { validateJourney } from '../../src/validate/index.js';
import { deepFreeze } from './arbitraries.js';

const seed = deepFreeze(JSON.parse(readFileSync(new URL('../../examples/journeys/loan-nurture.seed.json', import.meta.url), 'utf8')) as { steps: Record<string, unknown>[] });
const loan = JSON.parse(readFileSync(new URL('../../examples/journeys/loan-nurture.json', import.meta.url), 'utf8')) as { steps: Record<string, unknown>[] };

describe('toGraph', () => {
  it("shows the seed's example with its two broken edges, to step_end and step_followup", () => {
    const { nodes, edges } = toGraph(seed);
    expect(nodes.map((n) => [n.id, n.kind])).toEqual([
      ['step_initial_offer', 'decide'],
      ['step_send_email', 'send'],
      ['step_wait_3d', 'wait'],
      ['step_check_response', 'branch'],
    ]);
    expect(nodes[0]!.entry).toBe(true);
    const broken = edges.filter((e) => e.missing);
    expect(broken.map((e) => [e.source, e.sourceHandle, e.target, e.kind, e.label])).toEqual([
      ['step_check_response', 'config.conditions.0.targetStepId', 'step_end', 'condition', 'Converted'],
      ['step_check_response', 'config.defaultTargetStepId', 'step_followup', 'default', 'default'],
    ]);
    // the first three go on in array order: implicit edges
    expect(edges.filter((e) => e.implicit).map((e) => `${e.source}->${e.target}`)).toEqual([
      'step_initial_offer->step_send_email',
      'step_send_email->step_wait_3d',
      'step_wait_3d->step_check_response',
    ]);
  });

  it('gives one handle per outgoing transition of every kind', () => {
    const doc = {
      steps: [
        { id: 'b', type: 'branch', config: { conditions: [{ expression: 'true', targetStepId: 'w' }, { label: 'VIP', expression: "'vip' in segments", targetStepId: 's' }], defaultTargetStepId: 'w' } },
        { id: 'w', type: 'waitFor', config: { paths: [{ event: 'paid', targetStepId: 's' }, { outcome: 'click', targetStepId: null }], timeout: { duration: 3, unit: 'days' }, timeoutTargetStepId: 'b' } },
        { id: 's', type: 'split', next: 'b', config: { variants: [{ label: 'A', weight: 1, targetStepId: 'x' }, { label: 'B', weight: 3, targetStepId: null }] } },
        { id: 'x', type: 'send', next: null, config: { channelId: 'ch' } },
        { id: 'nob', type: 'branch', config: { conditions: [] } },
      ],
    };
    const { nodes, edges } = toGraph(doc);
    expect(nodes.map((n) => n.handles.map((h) => `${h.id}:${h.kind}:${h.label}:${String(h.target)}`))).toEqual([
      ['config.conditions.0.targetStepId:condition:true:w', 'config.conditions.1.targetStepId:condition:VIP:s', 'config.defaultTargetStepId:default:default:w'],
      ['config.paths.0.targetStepId:condition:event paid:s', 'config.paths.1.targetStepId:condition:outcome click:null', 'config.timeoutTargetStepId:default:timeout 3 days:b'],
      // a split's `next` is not used: its variants are its transitions
      ['config.variants.0.targetStepId:variant:A · 25%:x', 'config.variants.1.targetStepId:variant:B · 75%:null'],
      ['next:next:next:null'],
      ['next:order:otherwise:null'],
    ]);
    // a transition that ends the journey has no edge
    expect(edges.map((e) => e.id)).toEqual([
      'b#config.conditions.0.targetStepId',
      'b#config.conditions.1.targetStepId',
      'b#config.defaultTargetStepId',
      'w#config.paths.0.targetStepId',
      'w#config.timeoutTargetStepId',
      's#config.variants.0.targetStepId',
    ]);
    expect(edges.every((e) => !e.missing && !e.implicit)).toBe(true);
  });

  it('degrades on malformed drafts instead of throwing', () => {
    expect(toGraph(null)).toEqual({ nodes: [], edges: [] });
    expect(toGraph({ steps: 'no' })).toEqual({ nodes: [], edges: [] });
    const doc = {
      steps: [
        { id: 'a', type: 'teleport', config: 7 },
        { id: 'b', type: 'branch', config: { conditions: [null, 5] } },
        { type: 'send' },
        { id: 'a', type: 'wait', config: { duration: -1 } },
        null,
        { id: 'has#hash', type: 'send', config: { channelId: 'c' }, next: 42 },
        { id: 'd', type: 'branch', config: { conditions: [{ expression: 'x', targetStepId: 'a' }] }, position: { x: 'left', y: 3 } },
      ],
    };
    const { nodes, edges } = toGraph(doc);
    expect(nodes.map((n) => [n.id, n.kind, n.valid])).toEqual([
      ['a', 'unknown', false],
      ['b', 'branch', false],
      ['#2', 'send', false],
      ['#3', 'wait', false],
      ['#4', 'unknown', false],
      ['#5', 'send', false],
      ['d', 'branch', false],
    ]);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(nodes.length);
    // an unknown kind keeps its normal transition; an unreadable branch config keeps its normal transition
    expect(edges.find((e) => e.source === 'a')).toMatchObject({ target: 'b', implicit: true });
    expect(edges.find((e) => e.source === 'b')).toMatchObject({ target: '#2', implicit: true });
    // a condition to the id "a" goes to the FIRST step with that id; the bad position is replaced by a computed one
    expect(edges.find((e) => e.source === 'd')).toMatchObject({ target: 'a', missing: false });
    expect(nodes[6]!.positioned).toBe(false);
    expect(Number.isFinite(nodes[6]!.position.x)).toBe(true);
    // `next: 42` is no target: it ends there
    expect(nodes[5]!.handles).toEqual([{ id: 'next', kind: 'next', label: 'next', path: ['next'], target: null }]);
  });

  it('works with step ids that name Object.prototype members', () => {
    const doc = { steps: [{ id: '__proto__', type: 'send', next: 'constructor', config: { channelId: 'c' } }, { id: 'toString', type: 'send', config: { channelId: 'c' } }, { id: 'constructor', type: 'wait', config: { duration: 1, unit: 'days' }, next: '__proto__' }] };
    const { nodes, edges } = toGraph(doc);
    expect(nodes.map((n) => n.id)).toEqual(['__proto__', 'toString', 'constructor']);
    expect(edges.map((e) => `${e.source}->${e.target}:${String(e.missing)}`)).toEqual(['__proto__->constructor:false', 'toString->constructor:false', 'constructor->__proto__:false']);
  });

  it('uses step positions, and reports which were computed', () => {
    const doc = { steps: [{ id: 'a', type: 'send', config: { channelId: 'c' }, position: { x: 10, y: 20 } }, { id: 'b', type: 'send', config: { channelId: 'c' } }] };
    const { nodes } = toGraph(doc);
    expect(nodes[0]).toMatchObject({ position: { x: 10, y: 20 }, positioned: true });
    expect(nodes[1]!.positioned).toBe(false);
    expect(nodes[1]!.position).not.toEqual({ x: 10, y: 20 });
  });
});

describe('fromGraph', () => {
  it('rebuilds transitions from the edges', () => {
    const graph = toGraph(loan);
    const edges = graph.edges.map((e) => (e.source === 'step_send_email' ? { ...e, target: 'step_check_response', implicit: false } : e)).filter((e) => e.source !== 'step_check_response' || e.sourceHandle !== 'config.defaultTargetStepId');
    const doc = fromGraph({ nodes: graph.nodes, edges }, loan);
    const send = doc.steps.find((s) => s['id'] === 'step_send_email')!;
    expect(send['next']).toBe('step_check_response');
    const branch = doc.steps.find((s) => s['id'] === 'step_check_response')!;
    expect((branch['config'] as Record<string, unknown>)['defaultTargetStepId']).toBeUndefined();
    expect(validateJourney(doc).diagnostics.filter((d) => d.code === 'unknown-target')).toEqual([]);
  });
});

describe('diagnosticsByStep', () => {
  it("puts the seed's two unknown-target diagnostics on the branch node, at their fields and handles", () => {
    const placed = diagnosticsByStep(validateJourney(seed), seed);
    const onBranch = placed.steps.get('step_check_response')!;
    expect(onBranch.filter((d) => d.diagnostic.code === 'unknown-target').map((d) => [d.fieldKey, d.handle])).toEqual([
      ['config.conditions.0.targetStepId', 'config.conditions.0.targetStepId'],
      ['config.defaultTargetStepId', 'config.defaultTargetStepId'],
    ]);
    expect([...placed.steps.keys()]).toEqual(['step_check_response']);
    // the handles named are the node's own, so a UI can find the broken edge
    const handles = toGraph(seed).nodes[3]!.handles.map((h) => h.id);
    for (const d of onBranch) expect(handles).toContain(d.handle);
  });

  it('keeps journey-level problems apart and places field problems on their node', () => {
    const doc = { name: '', maxDuration: 3, steps: [{ id: 'a', type: 'branch', config: { conditions: [{ expression: 'outcome ==', targetStepId: 'b' }] } }, { id: 'b', type: 'send', config: {} }] };
    const placed = diagnosticsByStep(validateJourney(doc), doc);
    expect(placed.journey.map((d) => d.path.join('.'))).toContain('name');
    expect(placed.steps.get('a')!.map((d) => [d.diagnostic.code, d.fieldKey])).toEqual([['invalid-expression', 'config.conditions.0.expression']]);
    expect(placed.steps.get('b')!.map((d) => d.fieldKey)).toEqual(['config.channelId']);
    expect(placed.steps.get('a')![0]!.handle).toBeUndefined();
  });

  it('does not throw on a document that is no journey', () => {
    const result = validateJourney(42);
    expect(diagnosticsByStep(result, 42).journey).toEqual(result.diagnostics);
  });
});

describe('statsByStep', () => {
  it("maps the engine's per-step figures to node counts, totalling exits and skips", () => {
    const stats = {
      steps: [
        { stepId: 'a', type: 'send', entered: 10, completed: 7, skipped: { 'no-offer': 2 }, current: 1, exited: { archived: 1, 'max-duration': 2 }, failed: 0, noted: {} },
        { stepId: '__proto__', type: 'wait', entered: 3, completed: 0, skipped: {}, current: 3, exited: {}, failed: 0, noted: {} },
        { stepId: 'bad', entered: 'many', current: -4 },
        'junk',
      ],
    };
    const counts = statsByStep(stats as never);
    expect(counts.get('a')).toEqual({ entered: 10, completed: 7, current: 1, failed: 0, exited: 3, skipped: 2 });
    expect(counts.get('__proto__')?.current).toBe(3);
    expect(counts.get('bad')).toEqual({ entered: 0, completed: 0, current: 0, failed: 0, exited: 0, skipped: 0 });
    expect(counts.size).toBe(3);
    expect(statsByStep(null).size).toBe(0);
  });
});

describe('toGraph on hostile input', () => {
  it('gives an empty graph for a document whose steps throw when read', () => {
    const hostile = { steps: [{ get id(): string { throw new Error('boom'); } }] };
    expect(toGraph(hostile)).toEqual({ nodes: [], edges: [] });
  });
});
