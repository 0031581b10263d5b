import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addStep, connect, layout, palette, setField, setJourneyField, toGraph, type EditResult, type JourneyDraft } from '../../src/editor/index.js';
import { validateJourney } from '../../src/validate/index.js';

const loan = JSON.parse(readFileSync(new URL('../../examples/journeys/loan-nurture.json', import.meta.url), 'utf8')) as JourneyDraft & { steps: Record<string, unknown>[] };

function ok<D>(result: EditResult<D>): D {
  if (!result.ok) throw new Error(`refused: ${result.code} ${result.message}`);
  return result.doc;
}

/** Where each step's transitions lead, in evaluation order (what the journey means, however it is written). */
const meaning = (doc: unknown) => toGraph(doc).nodes.map((n) => [n.id, n.handles.map((h) => h.target)]);

describe('building the loan-nurture journey from an empty canvas', () => {
  it('with palette drops, config fields and connections only, gives the example journey', () => {
    let doc: JourneyDraft = { name: 'x', maxDuration: 1, steps: [] };
    doc = ok(setJourneyField(doc, ['name'], loan['name']));
    doc = ok(setJourneyField(doc, ['maxDuration'], loan['maxDuration']));
    doc = ok(setJourneyField(doc, ['entryConditions'], loan['entryConditions']));
    const kinds = new Set(palette().map((e) => e.kind));
    // drop each step from the palette and fill in its configuration panel
    for (const [i, step] of loan.steps.entries()) {
      expect(kinds.has(step['type'] as never)).toBe(true);
      doc = ok(addStep(doc, step['type'] as string, { id: step['id'] as string, position: { x: 0, y: i * 100 } }));
      const config = step['config'] as Record<string, unknown>;
      const fields = step['type'] === 'branch' ? { conditions: [] } : config;
      doc = ok(setField(doc, step['id'] as string, ['config'], fields));
      if (step['type'] === 'branch') {
        for (const [j, c] of (config['conditions'] as Record<string, unknown>[]).entries()) {
          doc = ok(setField(doc, step['id'] as string, ['config', 'conditions', j], { label: c['label'], expression: c['expression'] }));
        }
      }
    }
    // nothing is connected yet: the conditions have no targets, and the validator says so
    expect(validateJourney(doc).diagnostics.filter((d) => d.path.at(-1) === 'targetStepId').map((d) => d.code)).toEqual(['invalid-field', 'invalid-field', 'invalid-field']);
    expect(toGraph(doc).edges).toEqual([]);
    // draw every edge of the example
    for (const node of toGraph(loan).nodes) {
      for (const handle of node.handles) {
        if (handle.target === null) continue;
        const drawn = toGraph(doc).nodes.find((n) => n.id === node.id)!;
        // a branch's default is drawn from its "otherwise" handle
        const from = drawn.handles.find((h) => h.id === handle.id) ?? drawn.handles.at(-1)!;
        doc = ok(connect(doc, { source: node.id, handle: from.id, target: handle.target }));
      }
    }
    expect(meaning(doc)).toEqual(meaning(loan));
    const result = validateJourney(doc);
    expect(result.diagnostics).toEqual(validateJourney(loan).diagnostics);
    expect(result.valid).toBe(true);
    // and auto-layout gives it a tidy, distinct position per step
    const tidy = layout(doc, { all: true });
    expect(new Set(tidy.steps.map((s) => JSON.stringify(s['position']))).size).toBe(loan.steps.length);
  });
});
