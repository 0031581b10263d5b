import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoOutcome, runDemo } from '../../src/cli/commands/demo.js';

const dir = mkdtempSync(join(tmpdir(), 'je-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function collect() {
  const out: string[] = [];
  return { io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t) }, text: () => out.join('') };
}

describe('journeys demo (the README main job) on SQLite', () => {
  it('runs the loan nurture journey for every customer and prints the funnel', async () => {
    const { io, text } = collect();
    const status = await runDemo({ db: join(dir, 'small.db'), customers: 200, fresh: true }, io);
    expect(status).toBe(0);
    const converted = Array.from({ length: 200 }, (_, i) => demoOutcome(i)).filter((o) => o === 'conversion').length;
    expect(text()).toContain('Completed: 200  exited: none  failed: 0  still active: 0');
    expect(text()).toMatch(new RegExp(`step_thank_you\\s+update\\s+${converted}\\s+${converted}`));
  });

  it('survives being killed part-way and finishes when run again', async () => {
    const db = join(dir, 'killed.db');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'demo', '--db', db, '--customers', '3000', '--fresh'], {
      cwd: new URL('../..', import.meta.url).pathname,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo never started: ${output}`)), 30_000);
      child.stdout.on('data', () => {
        if (output.includes('Running')) {
          clearTimeout(timer);
          setTimeout(resolve, 700);
        }
      });
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(output).not.toContain('Completed:');

    const { io, text } = collect();
    const status = await runDemo({ db, customers: 3000, fresh: false }, io);
    expect(text()).toContain('Resuming');
    expect(text()).toContain('Completed: 3000  exited: none  failed: 0  still active: 0');
    expect(status).toBe(0);
  }, 120_000);
});
