import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = new URL('../../src/', import.meta.url).pathname;

/** Every module `src/editor/index.ts` reaches, with the specifiers each imports (comments removed). */
function reachable(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const queue = [resolve(src, 'editor/index.ts')];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (out.has(file)) continue;
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    const specs = [...code.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'/g)].map((m) => m[1]!);
    out.set(file, specs);
    for (const spec of specs) if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
  }
  return out;
}

describe('journey-engine/editor layering', () => {
  it('reaches only src/editor, src/model and src/validate, and no package but zod and jsep (no React)', () => {
    const modules = reachable();
    expect(modules.size).toBeGreaterThan(5);
    for (const [file, specs] of modules) {
      const where = file.slice(src.length);
      expect(/^(editor|model|validate)\//.test(where), where).toBe(true);
      for (const spec of specs) expect(spec.startsWith('.') || spec === 'zod' || spec === 'jsep', `${where}: ${spec}`).toBe(true);
    }
  });
});
