import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../src/adapters/http/', import.meta.url).pathname;

describe('the http adapter runs in any fetch runtime', () => {
  it('imports no node-only module, not even its types (so its .d.ts compiles without @types/node)', () => {
    for (const name of readdirSync(dir)) {
      const code = readFileSync(join(dir, name), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
      for (const m of code.matchAll(/^(import|export)( type)?[^'"]*?from\s+'([^']+)'/gm)) {
        const spec = m[3]!;
        const nodeOnly = spec.startsWith('node:') || ['http', 'fs', 'net', 'stream', 'buffer'].includes(spec);
        expect(nodeOnly, `${name}: ${m[0]}`).toBe(false);
      }
      expect(code, name).not.toMatch(/Date\.now|\beval\(|new Function|Buffer\./);
    }
  });
});
