import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../src/', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(path: string): string[] {
  const code = readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  return [...code.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'/g)].map((m) => m[1]!);
}

describe('layering (ARCHITECTURE.md)', () => {
  it('src/model imports only zod and itself', () => {
    const model = join(root, 'model');
    for (const file of files(model)) {
      for (const spec of imports(file)) {
        const inside = spec.startsWith('.') && resolve(dirname(file), spec).startsWith(`${model}/`);
        expect(spec === 'zod' || inside, `${file}: ${spec}`).toBe(true);
      }
    }
  });

  it('src/validate imports only model, zod, jsep and itself', () => {
    for (const file of files(join(root, 'validate'))) {
      for (const spec of imports(file)) {
        expect(spec === 'jsep' || spec === 'zod' || spec.startsWith('.') && !spec.includes('/runtime/') && !spec.includes('/adapters/'), `${file}: ${spec}`).toBe(true);
      }
    }
  });

  it('src/runtime never imports an adapter', () => {
    for (const file of files(join(root, 'runtime'))) {
      for (const spec of imports(file)) expect(spec.includes('adapters'), `${file}: ${spec}`).toBe(false);
    }
  });

  it('the interpreter reads no clock, no randomness, no timers and does no I/O', () => {
    for (const name of ['interpreter.ts', 'compile-journey.ts']) {
      const source = readFileSync(join(root, 'runtime', name), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(source).not.toMatch(/Date\.now|new Date|Math\.random|setTimeout|setInterval|performance\.now|process\.|require\(|fetch\(/);
      for (const spec of imports(join(root, 'runtime', name))) {
        expect(spec.startsWith('.') && !spec.includes('node:'), `${name}: ${spec}`).toBe(true);
        expect(['./ports.js', './engine.js', './worker.js'].includes(spec), `${name} imports ${spec}`).toBe(false);
      }
    }
  });

  it('the step kinds the interpreter runs (src/runtime/steps) are as pure as the interpreter', () => {
    const dir = join(root, 'runtime', 'steps');
    const kinds = files(dir);
    expect(kinds.length).toBeGreaterThan(0);
    for (const file of kinds) {
      const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(source, file).not.toMatch(/Date\.now|new Date|Math\.random|setTimeout|setInterval|performance\.now|process\.|require\(|fetch\(/);
      for (const spec of imports(file)) {
        expect(spec.startsWith('.') && !spec.includes('node:') && !spec.includes('adapters'), `${file}: ${spec}`).toBe(true);
        expect(['../ports.js', '../engine.js', '../worker.js'].includes(spec), `${file} imports ${spec}`).toBe(false);
      }
    }
  });

  it('src/model/steps (what a kind is) imports only zod and the model', () => {
    const model = join(root, 'model');
    for (const file of files(join(model, 'steps'))) {
      for (const spec of imports(file)) {
        const inside = spec.startsWith('.') && resolve(dirname(file), spec).startsWith(`${model}/`);
        expect(spec === 'zod' || inside, `${file}: ${spec}`).toBe(true);
      }
    }
  });
});
