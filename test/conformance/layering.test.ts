import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../src/conformance/', import.meta.url).pathname;

/** Every static value import or re-export of the conformance files (comments and `import type` removed). */
function valueImports(): Array<{ file: string; spec: string }> {
  const out: Array<{ file: string; spec: string }> = [];
  for (const file of readdirSync(dir)) {
    const code = readFileSync(join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    for (const m of code.matchAll(/^(?:import|export)(?!\s+type\b)[^'"]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)) out.push({ file, spec: (m[1] ?? m[2])! });
  }
  return out;
}

describe('journey-engine/conformance and the host runner', () => {
  it('imports no test runner, and fast-check only when the model-based case runs', () => {
    const specs = valueImports().map((i) => i.spec);
    expect(specs.filter((s) => /^(vitest|jest|@jest\/|node:test|fast-check)/.test(s))).toEqual([]);
    // no adapter either: the suite is handed the storage under test
    expect(specs.filter((s) => s.includes('adapters/'))).toEqual([]);
  });
});
