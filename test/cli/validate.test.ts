import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { validateCommand } from '../../src/cli/commands/validate.js';
import { runCli } from '../../src/cli/run-cli.js';
import { fakeIo, root } from './cli-io.js';

const memoryIo = (files: Record<string, string> = {}) => fakeIo(files);

const SEED = 'examples/journeys/loan-nurture.seed.json';
const GOOD = 'examples/journeys/loan-nurture.json';

describe('journeys validate', () => {
  it('prints compiler-style diagnostics and exits 1 on errors', async () => {
    const io = memoryIo();
    expect(await validateCommand.run([SEED], io)).toBe(1);
    const lines = io.out.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^examples\/journeys\/loan-nurture\.seed\.json: step_check_response: error unknown-target: .*"step_end"/),
      expect.stringMatching(/^examples\/journeys\/loan-nurture\.seed\.json: step_check_response: error unknown-target: .*"step_followup"/),
      '1 file checked: 2 errors, 0 warnings (1 invalid).',
    ]);
  });

  it('exits 0 for a valid journey, with only a summary', async () => {
    const io = memoryIo();
    expect(await validateCommand.run([GOOD], io)).toBe(0);
    expect(io.out).toBe('1 file checked: 0 errors, 0 warnings.\n');
  });

  it('uses the path when a diagnostic has no step id, and exits 0 on warnings only', async () => {
    const doc = { name: 'n', maxDuration: 3, steps: [{ id: 'b', type: 'branch', config: { conditions: [] } }] };
    const bad = { name: 'n', maxDuration: 3, steps: [] };
    const io = memoryIo({ 'warn.json': JSON.stringify(doc), 'bad.json': JSON.stringify(bad), 'extra.json': JSON.stringify({ ...doc, extra: 1 }) });
    expect(await validateCommand.run(['warn.json'], io)).toBe(0);
    expect(io.out).toContain('warn.json: b: warning branch-without-conditions:');
    expect(await validateCommand.run(['bad.json'], io)).toBe(1);
    expect(io.out).toContain('bad.json: steps: error empty-journey:');
    expect(await validateCommand.run(['extra.json'], io)).toBe(1);
    expect(io.out).toContain('extra.json: extra: error unknown-field:');
  });

  it('reports unreadable files and bad JSON with a code', async () => {
    const io = memoryIo({ 'broken.json': '{ "name": ' });
    expect(await validateCommand.run(['missing.json', 'broken.json', GOOD], io)).toBe(1);
    expect(io.out).toMatch(/^missing\.json: error unreadable-file: cannot read the file/m);
    expect(io.out).toMatch(/^broken\.json: error invalid-json: the file is not valid JSON/m);
    expect(io.out).toContain('3 files checked: 2 errors, 0 warnings (2 invalid).');
  });

  it('--json prints [{ file, valid, diagnostics }]', async () => {
    const io = memoryIo({ 'broken.json': 'nope' });
    expect(await validateCommand.run(['--json', SEED, GOOD, 'broken.json'], io)).toBe(1);
    const reports = JSON.parse(io.out) as { file: string; valid: boolean; diagnostics: { code: string }[] }[];
    expect(reports.map((r) => [r.file, r.valid, r.diagnostics.map((d) => d.code)])).toEqual([
      [SEED, false, ['unknown-target', 'unknown-target']],
      [GOOD, true, []],
      ['broken.json', false, ['invalid-json']],
    ]);
  });

  it('is a usage error without files or with an unknown option', async () => {
    const io = memoryIo();
    expect(await validateCommand.run([], io)).toBe(2);
    expect(await validateCommand.run(['--jsn', GOOD], io)).toBe(2);
    expect(io.err).toContain('Usage: journeys validate');
  });
});

describe('journeys', () => {
  it('--help lists the commands', async () => {
    const io = memoryIo();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(io.out).toMatch(/validate\s+check journey documents/);
    expect(await runCli(['validate', '--help'], io)).toBe(0);
    expect(io.out).toContain('Usage: journeys validate <file...> [--json]');
  });

  it('rejects an unknown command', async () => {
    const io = memoryIo();
    expect(await runCli(['frobnicate'], io)).toBe(2);
    expect(io.err).toContain('unknown command "frobnicate"');
  });

  it('runs as a process: npx tsx src/cli/main.ts validate <seed>', async () => {
    const run = promisify(execFile);
    const error = await run('npx', ['tsx', 'src/cli/main.ts', 'validate', SEED], { cwd: root }).then(
      () => undefined,
      (e: { code: number; stdout: string }) => e,
    );
    expect(error?.code).toBe(1);
    expect(error?.stdout).toContain(`${SEED}: step_check_response: error unknown-target:`);
    expect(error?.stdout).toContain('1 file checked: 2 errors, 0 warnings (1 invalid).');
    const ok = await run('npx', ['tsx', 'src/cli/main.ts', 'validate', GOOD], { cwd: root });
    expect(ok.stdout).toBe('1 file checked: 0 errors, 0 warnings.\n');
  });
});
