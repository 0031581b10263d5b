import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as editor from '../../src/editor/index.js';

const doc = readFileSync(new URL('../../docs/editor.md', import.meta.url), 'utf8');
const section = doc.slice(doc.indexOf('## Graph model'));

describe('docs/editor.md, "Graph model"', () => {
  it('documents every refusal code in its table, and no other', () => {
    const table = section.slice(section.indexOf('| code | when |'));
    const rows = [...table.slice(0, table.indexOf('\n\n')).matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
    expect(rows).toEqual([...editor.EDIT_REFUSAL_CODES]);
  });

  it('names every exported function', () => {
    const functions = Object.entries(editor).filter(([, v]) => typeof v === 'function').map(([k]) => k);
    expect(functions.filter((name) => !section.includes(`\`${name}(`))).toEqual([]);
  });
});
