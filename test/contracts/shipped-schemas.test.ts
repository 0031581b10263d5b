import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shippedSchemaFiles } from '../../src/contracts.js';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { files: string[]; exports: Record<string, unknown> };

describe('the shipped contract files', () => {
  for (const [path, text] of Object.entries(shippedSchemaFiles())) {
    it(`${path} is what the sources generate (run \`npm run generate:schemas\` after changing a schema)`, () => {
      expect(readFileSync(new URL(path, root), 'utf8')).toBe(text);
    });
  }

  it('are in the package: the schema folder is packed, and journey.schema.json is a subpath export', () => {
    expect(pkg.files).toContain('schema');
    expect(pkg.exports['./journey.schema.json']).toBe('./schema/journey.schema.json');
  });
});
