import { describe, expect, it } from 'vitest';
import { addStep, createHistory, defaultConfig, palette, pushHistory, redo, undo } from '../../src/editor/index.js';
import { STEP_KINDS } from '../../src/model/steps/index.js';
import { STEP_TYPES } from '../../src/model/types.js';
import { validateJourney } from '../../src/validate/index.js';

describe('palette', () => {
  it('lists every step kind, each with a default config its schema takes', () => {
    const entries = palette();
    expect(entries.map((e) => e.kind).sort()).toEqual([...STEP_TYPES].sort());
    for (const entry of entries) {
      expect(entry.label.length).toBeGreaterThan(0);
      expect(entry.description.length).toBeGreaterThan(0);
      expect(STEP_KINDS[entry.kind].schema.safeParse({ id: 'x', type: entry.kind, config: entry.defaultConfig }).success, entry.kind).toBe(true);
    }
  });

  it('gives fresh copies, and nothing for unknown kinds', () => {
    const a = palette()[0]!.defaultConfig;
    (a as Record<string, unknown>)['changed'] = true;
    expect(palette()[0]!.defaultConfig).not.toHaveProperty('changed');
    expect(defaultConfig('toString')).toBeUndefined();
    expect(defaultConfig('__proto__')).toBeUndefined();
  });

  it('a palette drop of any kind onto an empty journey validates without errors', () => {
    for (const { kind } of palette()) {
      const r = addStep({ name: 'New', maxDuration: 30, steps: [] }, kind);
      expect(r.ok).toBe(true);
      if (r.ok) expect(validateJourney(r.doc).diagnostics.filter((d) => d.severity === 'error'), kind).toEqual([]);
    }
  });
});

describe('history', () => {
  it('undoes and redoes documents; a new edit clears redo', () => {
    let h = createHistory('a');
    h = pushHistory(h, 'b');
    h = pushHistory(h, 'c');
    h = undo(h);
    expect(h.present).toBe('b');
    h = undo(h);
    expect(h.present).toBe('a');
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h.present).toBe('b');
    h = pushHistory(h, 'd');
    expect(h.future).toEqual([]);
    expect(redo(h)).toBe(h);
    expect(pushHistory(h, h.present)).toBe(h);
    expect(h.past).toEqual(['a', 'b']);
  });

  it('keeps at most `limit` documents to undo', () => {
    let h = createHistory(0);
    for (let i = 1; i <= 10; i++) h = pushHistory(h, i, 3);
    expect(h.past).toEqual([7, 8, 9]);
  });
});
