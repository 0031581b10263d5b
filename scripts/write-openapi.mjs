// After the build: write dist/openapi.json (the package's `journey-engine/openapi.json`) with the
// built `openApiDocument()` itself, at the default base path /api/v1.
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../dist/http.js';

writeFileSync(new URL('../dist/openapi.json', import.meta.url), `${JSON.stringify(openApiDocument(), null, 2)}\n`);
console.log('wrote dist/openapi.json');
