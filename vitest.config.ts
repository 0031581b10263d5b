import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A budget, not a speed test: CPU-bound property tests take ~5 s alone and ~12 s with the CPU
    // oversubscribed four times (CI's 2 cores run other jobs), a slow one needs its own budget.
    testTimeout: 120_000,
    globalSetup: ['test/pg-notice.ts'],
    hookTimeout: 60_000,
    // expect.poll gives up after 1 s by default: a browser's re-render can take longer than that on a
    // loaded machine. A condition that never comes true still fails, after 30 s.
    expect: { poll: { timeout: 30_000 } },
  },
});
