import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every static import or re-export of the adapter's files (comments removed). */
function staticImports(adapter: string): Array<{ file: string; spec: string }> {
  const dir = new URL(`../../src/adapters/${adapter}/`, import.meta.url).pathname;
  const out: Array<{ file: string; spec: string }> = [];
  for (const file of readdirSync(dir)) {
    const code = readFileSync(join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    for (const m of code.matchAll(/^(?:import|export)[^'"]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)) out.push({ file, spec: (m[1] ?? m[2])! });
  }
  return out;
}

describe('storage adapters and their optional peer dependencies', () => {
  it('the SQLite adapter loads better-sqlite3 only when it opens a file, and its types never name it', () => {
    expect(staticImports('sqlite').filter((i) => i.spec === 'better-sqlite3')).toEqual([]);
  });

  it('the Postgres adapter never imports pg, not even its types', () => {
    expect(staticImports('postgres').filter((i) => i.spec === 'pg' || i.spec.startsWith('pg/'))).toEqual([]);
  });
});
