import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import ts from 'typescript';
import type { JourneyError } from '../../src/model/errors.js';

/**
 * A second copy of src/model/errors.ts, compiled to CommonJS and run in a fresh V8 context: what a
 * host gets when `require('journey-engine/http')` and `import 'journey-engine'` each carry their
 * own copy of the class (another bundle), or when an error crosses a realm (vm, worker).
 */
export function foreignJourneyError(): typeof JourneyError {
  const source = readFileSync(new URL('../../src/model/errors.ts', import.meta.url), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const module = { exports: {} as Record<string, unknown> };
  vm.runInNewContext(outputText, { module, exports: module.exports, require: createRequire(import.meta.url) });
  return module.exports['JourneyError'] as typeof JourneyError;
}
