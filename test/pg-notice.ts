/**
 * Vitest global setup: when the run included PostgreSQL-backed tests and JOURNEY_TEST_PG_URL is
 * not set, say once, at the end of the run, that they ran on PGlite (in-process) rather than on a
 * server — so a green run never hides that the server was not exercised.
 */
import { readFileSync } from 'node:fs';
import type { TestProject } from 'vitest/node';

/** The line printed when PostgreSQL tests ran on PGlite. */
export const PGLITE_NOTICE =
  'PostgreSQL tests ran on PGlite (in-process); set JOURNEY_TEST_PG_URL=postgres://user@host:5432/db to run them on a PostgreSQL server.';

function usesPgHarness(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').includes('pg-harness');
  } catch {
    return false;
  }
}

export default function setup(project: TestProject): () => void {
  return () => {
    if (process.env['JOURNEY_TEST_PG_URL']) return;
    // `state` is vitest's experimental state API; without it, say nothing rather than guess.
    const modules = project.vitest.state?.getTestModules?.() ?? [];
    if (modules.some((m) => usesPgHarness(m.moduleId))) console.log(`\n${PGLITE_NOTICE}\n`);
  };
}
