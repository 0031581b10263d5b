import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addStep,
  connect,
  deleteStep,
  diagnosticsByStep,
  fromGraph,
  insertOnEdge,
  layout,
  palette,
  renameStep,
  setField,
  toGraph,
  type EditResult,
  type JourneyDraft,
} from '../../src/editor/index.js';
import { validateJourney } from '../../src/validate/index.js';
import { deepFreeze, validJourneyArbitrary, withoutPositions } from './arbitraries.js';

type Doc = JourneyDraft & { steps: Record<string, unknown>[] };

function ok<D>(result: EditResult<D>): D {
  if (!result.ok) throw new Error(`refused: ${result.code} ${result.message}`);
  return result.doc;
}

/** Where each step's transitions lead: [node, handle, target step id or null] (what the journey means, however it is written). */
function transitions(doc: unknown): string[] {
  const { nodes } = toGraph(doc);
  return nodes.flatMap((n) => n.handles.map((h) => `${n.id}.${h.id}->${String(h.target)}`));
}

const kinds = palette().map((e) => e.kind);
const RUNS = { numRuns: 150 };

describe('the document ⇄ graph round trip', () => {
  it('gives back any valid document, positions aside', () => {
    fc.assert(
      fc.property(validJourneyArbitrary, (doc) => {
        expect(validateJourney(doc).valid).toBe(true);
        deepFreeze(doc);
        const back = fromGraph(toGraph(doc), doc);
        expect(withoutPositions(back)).toEqual(withoutPositions(doc));
        // steps that had a position keep it; the others get the graph's
        back.steps.forEach((s, i) => {
          const own = (doc.steps[i] as { position?: unknown }).position;
          if (own !== undefined) expect(s['position']).toEqual(own);
          else expect(s['position']).toEqual(toGraph(doc).nodes[i]!.position);
        });
      }),
      RUNS,
    );
  });

  it('never throws on drafts with arbitrary steps, and gives unique node ids', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.anything(), fc.record({ id: fc.oneof(fc.string(), fc.constantFrom('a', 'b', '__proto__')), type: fc.constantFrom(...kinds, 'x'), next: fc.anything(), config: fc.anything() }))), (steps) => {
        const { nodes, edges } = toGraph({ steps });
        expect(nodes).toHaveLength(steps.length);
        expect(new Set(nodes.map((n) => n.id)).size).toBe(nodes.length);
        for (const e of edges) expect(e.missing || nodes.some((n) => n.id === e.target)).toBe(true);
        diagnosticsByStep(validateJourney({ steps }), { steps });
      }),
      RUNS,
    );
  });

  it('places every step diagnostic on its node', () => {
    fc.assert(
      fc.property(validJourneyArbitrary, fc.nat(), (doc, n) => {
        const i = n % doc.steps.length;
        const broken = ok(setField(doc, toGraph(doc).nodes[i]!.id, ['config', 'bogus'], 1));
        const placed = diagnosticsByStep(validateJourney(broken), broken);
        expect(placed.steps.get(toGraph(doc).nodes[i]!.id)!.map((d) => [d.diagnostic.code, d.fieldKey])).toContainEqual(['unknown-field', 'config.bogus']);
      }),
      RUNS,
    );
  });
});

describe('edits', () => {
  it('never mutate their input', () => {
    fc.assert(
      fc.property(validJourneyArbitrary, fc.nat(), fc.constantFrom(...kinds), (doc, n, kind) => {
        const frozen = deepFreeze(structuredClone(doc));
        const { nodes } = toGraph(frozen);
        const node = nodes[n % nodes.length]!;
        const handle = node.handles[n % node.handles.length]!;
        const other = nodes[(n >> 3) % nodes.length]!.id;
        addStep(frozen, kind);
        insertOnEdge(frozen, { source: node.id, handle: handle.id }, kind);
        connect(frozen, { source: node.id, handle: handle.id, target: other });
        deleteStep(frozen, node.id, { reconnect: true });
        deleteStep(frozen, node.id);
        renameStep(frozen, node.id, 'renamed');
        setField(frozen, node.id, ['config', 'x', 'y'], { z: 1 });
        layout(frozen, { all: true });
        expect(frozen).toEqual(doc);
      }),
      RUNS,
    );
  });

  it('addStep, connect, then delete gives back a journey that means the same', () => {
    fc.assert(
      fc.property(validJourneyArbitrary, fc.constantFrom(...kinds), fc.nat(), (doc, kind, n) => {
        const target = toGraph(doc).nodes[n % doc.steps.length]!.id;
        const added = ok(addStep(doc, kind, { id: 'added' }));
        const wired = connect(added, { source: 'added', handle: toGraph(added).nodes.at(-1)!.handles[0]!.id, target });
        const back = ok(deleteStep(wired.ok ? wired.doc : added, 'added'));
        expect(transitions(back)).toEqual(transitions(doc));
        expect(validateJourney(back).diagnostics.map((d) => d.code)).toEqual(validateJourney(doc).diagnostics.map((d) => d.code));
      }),
      RUNS,
    );
  });

  it('inserting a step of any kind on any transition keeps a valid journey valid', () => {
    fc.assert(
      fc.property(validJourneyArbitrary, fc.constantFrom(...kinds), fc.nat(), (doc, kind, n) => {
        const { nodes } = toGraph(doc);
        const node = nodes[n % nodes.length]!;
        const handle = node.handles[(n >> 4) % node.handles.length]!;
        const after = ok(insertOnEdge(doc, { source: node.id, handle: handle.id }, kind));
        expect(validateJourney(after).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        // the other steps' transitions are unchanged
        const untouched = transitions(doc).filter((t) => !t.startsWith(`${node.id}.`));
        expect(transitions(after).filter((t) => untouched.includes(t))).toEqual(untouched);
      }),
      RUNS,
    );
  });

  // (With the end of the journey as the one successor, a branch condition leading there keeps its broken target: it cannot end the journey.)
  it('deleting an instant step with one successor step and reconnecting keeps a valid journey valid', () => {
    fc.assert(
      fc.property(validJourneyArbitrary, fc.nat(), (doc, n) => {
        const candidates = toGraph(doc).nodes.filter((v) => v.index > 0 && ['send', 'update', 'branch', 'split'].includes(v.kind) && new Set(v.handles.map((h) => h.target)).size === 1 && v.handles[0]!.target !== null);
        fc.pre(candidates.length > 0);
        const node = candidates[n % candidates.length]!;
        const after = ok(deleteStep(doc, node.id, { reconnect: true }));
        expect(after.steps).toHaveLength(doc.steps.length - 1);
        expect(validateJourney(after).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      }),
      RUNS,
    );
  });

  it('connect refuses exactly the connections the validator would call an instant loop', () => {
    fc.assert(
      fc.property(validJourneyArbitrary, fc.nat(), fc.nat(), (doc, a, b) => {
        const { nodes } = toGraph(doc);
        const source = nodes[a % nodes.length]!;
        const handle = source.handles[(a >> 4) % source.handles.length]!;
        const target = nodes[b % nodes.length]!.id;
        const made = connect(doc, { source: source.id, handle: handle.id, target });
        // the same connection written directly, without the editor's check
        const forced = ok(setField(doc, source.id, handle.id === 'next' ? ['next'] : handle.path, target));
        const loops = validateJourney(forced).diagnostics.some((d) => d.code === 'instant-loop');
        expect(made.ok ? 'accepted' : made.code).toBe(loops ? 'instant-loop' : 'accepted');
        if (made.ok) expect(made.doc).toEqual(forced);
      }),
      RUNS,
    );
  });

  it('renaming a step and back gives the same document', () => {
    fc.assert(
      fc.property(validJourneyArbitrary, fc.nat(), (doc, n) => {
        const id = toGraph(doc).nodes[n % doc.steps.length]!.id;
        const renamed = ok(renameStep(doc, id, 'zz_renamed'));
        expect(transitions(renamed).some((t) => t.includes('zz_renamed'))).toBe(true);
        expect(ok(renameStep(renamed, 'zz_renamed', id))).toEqual(doc);
      }),
      RUNS,
    );
  });
});

describe('layout', () => {
  it('is deterministic and gives every step its own position', () => {
    fc.assert(
      fc.property(validJourneyArbitrary, (doc) => {
        const a = layout(doc, { all: true });
        const b = layout(structuredClone(doc) as Doc, { all: true });
        expect(a).toEqual(b);
        const spots = a.steps.map((s) => JSON.stringify(s['position']));
        expect(new Set(spots).size).toBe(spots.length);
        // the entry step is at the top
        const ys = a.steps.map((s) => (s['position'] as { y: number }).y);
        expect(ys[0]).toBe(Math.min(...ys));
      }),
      RUNS,
    );
  });

  it('by default places only steps without a position, off the positioned ones', () => {
    fc.assert(
      fc.property(validJourneyArbitrary, (doc) => {
        const placed = layout(doc);
        placed.steps.forEach((s, i) => {
          const own = (doc.steps[i] as { position?: unknown }).position;
          if (own !== undefined) expect(s['position']).toBe(own);
        });
        const computed = placed.steps.filter((_, i) => (doc.steps[i] as { position?: unknown }).position === undefined).map((s) => JSON.stringify(s['position']));
        const all = placed.steps.map((s) => JSON.stringify(s['position']));
        for (const spot of computed) expect(all.filter((p) => p === spot)).toHaveLength(1);
      }),
      RUNS,
    );
  });
});
