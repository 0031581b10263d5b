import { defineConfig } from 'tsup';

// jsep's operator tables are process-global: bundle our own copy so that configuring it never
// touches the host's jsep (and theirs never touches ours). mitt is 200 bytes; bundle it too.
const noExternal = ['jsep', 'mitt'];

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      testing: 'src/testing.ts',
      sqlite: 'src/adapters/sqlite/index.ts',
      postgres: 'src/adapters/postgres/index.ts',
      http: 'src/adapters/http/index.ts',
      conformance: 'src/conformance/index.ts',
      editor: 'src/editor/index.ts',
      'editor/react': 'src/editor/react/index.ts',
    },
    format: ['esm', 'cjs'],
    // One copy of the library per format: the entries share chunks in CommonJS too (as in ESM), so
    // `require('journey-engine')` and `require('journey-engine/http')` hold the same classes and
    // module state. Error identity does not depend on it (JourneyError carries a brand).
    splitting: true,
    dts: true,
    sourcemap: true,
    target: 'node20',
    noExternal,
    external: ['better-sqlite3', 'pg', '@opentelemetry/api', 'fast-check', 'react', 'react-dom', 'react/jsx-runtime', '@xyflow/react'],
    // import.meta.url in the CommonJS build (createEditorHandler finds the page next to itself).
    shims: true,
  },
  {
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: true,
    target: 'node20',
    noExternal,
    external: ['better-sqlite3', 'pg', '@opentelemetry/api'],
  },
]);
