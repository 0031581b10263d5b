/**
 * Write the shipped contracts: schema/journey.schema.json (journey documents) and
 * schema/openapi.json (the REST API at the default base path). `npm run generate:schemas`;
 * test/contracts/shipped-schemas.test.ts fails when they differ from what the sources generate.
 */
import { writeFileSync } from 'node:fs';
import { shippedSchemaFiles } from '../src/contracts.js';

for (const [path, text] of Object.entries(shippedSchemaFiles())) {
  writeFileSync(new URL(`../${path}`, import.meta.url), text);
  console.log(`wrote ${path}`);
}
