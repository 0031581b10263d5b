/**
 * The framework recipes in docs/http-api.md are the files test/http/frameworks.test.ts runs
 * (examples/http-frameworks/*), imports aside: the doc imports the published package.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const doc = readFileSync(new URL('../../docs/http-api.md', import.meta.url), 'utf8');

describe('docs/http-api.md framework recipes', () => {
  for (const name of ['express', 'fastify', 'hono', 'koa']) {
    it(`shows exactly examples/http-frameworks/${name}.ts`, () => {
      const source = readFileSync(new URL(`../../examples/http-frameworks/${name}.ts`, import.meta.url), 'utf8');
      const published = source.replace("from '../../src/adapters/http/index.js'", "from 'journey-engine/http'");
      const block = new RegExp(`<!-- recipe:${name}:start -->\\n\`\`\`ts\\n([\\s\\S]*?)\`\`\`\\n<!-- recipe:${name}:end -->`).exec(doc)?.[1];
      expect(block).toBe(published);
    });
  }
});
