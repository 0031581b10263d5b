import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from '../cli/cli-io.js';

const run = promisify(execFile);
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The body of the README's first ```ts block. */
function firstTsBlock(markdown: string): string {
  const match = /^```ts\n([\s\S]*?)^```$/m.exec(markdown);
  if (!match) throw new Error('the README has no ```ts block');
  return match[1]!;
}

// A scratch folder inside the repository (node_modules and @types resolve from here), with the
// package's own name mapped onto its sources, as a host that installed it would import them.
mkdirSync(join(root, '.tmp'), { recursive: true });
const dir = mkdtempSync(join(root, '.tmp', 'readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'tsconfig.json'),
  JSON.stringify({
    extends: '../../tsconfig.json',
    compilerOptions: {
      noEmit: true,
      paths: {
        'journey-engine': ['../../src/index.ts'],
        'journey-engine/testing': ['../../src/testing.ts'],
        'journey-engine/examples/*': ['../../examples/*'],
      },
    },
    include: ['*.ts'],
  }),
);

async function exitOf(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return run(command, args, { cwd: dir }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr }),
  );
}

describe("the README's first example (## Use it)", () => {
  const example = firstTsBlock(readme);

  it('is the engine example and names where loanNurture comes from', () => {
    expect(readme.indexOf(example)).toBeGreaterThan(readme.indexOf('## Use it'));
    expect(example).toMatch(/import loanNurture from 'journey-engine\/examples\/journeys\/loan-nurture\.json'/);
  });

  it('type-checks as written (tsc --strict, the package name mapped onto src/)', async () => {
    writeFileSync(join(dir, 'first-example.ts'), example);
    const { code, output } = await exitOf(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json']);
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 300_000); // tsc over the sources: ~10 s alone, ~25 s with the CPU oversubscribed four times

  it('runs as written and does what its comments say: c1 clicked, so the branch sent the follow-up', async () => {
    const probe = `\nconst { items } = await engine.listEnrollments();\nconsole.log(JSON.stringify(items.map((e) => [e.customerId, e.status, e.stepId])));\n`;
    writeFileSync(join(dir, 'run-example.ts'), example + probe);
    const { code, output } = await exitOf(join(root, 'node_modules/.bin/tsx'), ['--tsconfig', 'tsconfig.json', 'run-example.ts']);
    expect(code).toBe(0);
    expect(JSON.parse(output.trim().split('\n').at(-1)!)).toEqual([['c1', 'active', 'step_wait_followup']]);
  }, 120_000);
});
