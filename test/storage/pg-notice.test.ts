import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestProject } from 'vitest/node';
import setup, { PGLITE_NOTICE } from '../pg-notice.js';

const postgresTests = fileURLToPath(new URL('./postgres.test.ts', import.meta.url));
const memoryTests = fileURLToPath(new URL('./memory.test.ts', import.meta.url));

function projectThatRan(...files: string[]): TestProject {
  return { vitest: { state: { getTestModules: () => files.map((moduleId) => ({ moduleId })) } } } as unknown as TestProject;
}

function printedAtTheEnd(project: TestProject, url: string | undefined): string[] {
  vi.stubEnv('JOURNEY_TEST_PG_URL', url);
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  setup(project)();
  return log.mock.calls.map((args) => String(args[0]).trim());
}

describe('the PGlite notice at the end of a test run', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('says once that PostgreSQL tests ran on PGlite when JOURNEY_TEST_PG_URL is not set', () => {
    expect(printedAtTheEnd(projectThatRan(memoryTests, postgresTests), undefined)).toEqual([PGLITE_NOTICE]);
    expect(PGLITE_NOTICE).toMatch(/^PostgreSQL tests ran on PGlite.*set JOURNEY_TEST_PG_URL/);
  });

  it('says nothing with a server, or when no PostgreSQL test ran', () => {
    expect(printedAtTheEnd(projectThatRan(postgresTests), 'postgres://postgres@127.0.0.1:5432/test')).toEqual([]);
    expect(printedAtTheEnd(projectThatRan(memoryTests), undefined)).toEqual([]);
  });
});
