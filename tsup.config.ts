import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      testing: 'src/testing.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    // jsep's operator tables are process-global: bundle our own copy so that
    // configuring it never touches the host's jsep (and theirs never touches ours).
    noExternal: ['jsep', 'mitt'],
  },
]);
