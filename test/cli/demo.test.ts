import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { demoCommand, demoOutcome, runDemo } from '../../src/cli/commands/demo.js';

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

  it('says how much journey time it simulated: the longest path, 7 days, within the journey\'s 21-day maxDuration', async () => {
    const { io, text } = collect();
    expect(await runDemo({ db: join(dir, 'days.db'), customers: 20, fresh: true }, io)).toBe(0);
    expect(text()).toContain('Funnel (virtual time 2026-03-10 → 2026-03-17, 7 days; maxDuration 21 days):');
    expect(demoCommand.usage).not.toMatch(/three weeks/);
  });

  it('runs in memory, saying so, when better-sqlite3 is not installed', async () => {
    const { io, text } = collect();
    const missing = async () => {
      throw Object.assign(new Error("Cannot find package 'better-sqlite3'"), { code: 'ERR_MODULE_NOT_FOUND' });
    };
    const status = await runDemo({ db: join(dir, 'never.db'), customers: 30, fresh: false, loadSqlite: missing }, io);
    expect(status).toBe(0);
    expect(text()).toContain('better-sqlite3 is not installed: running in memory');
    expect(text()).toContain('for 30 customers in memory');
    expect(text()).toContain('Completed: 30  exited: none  failed: 0  still active: 0');
    expect(existsSync(join(dir, 'never.db'))).toBe(false);
  });

  it('answers a database it cannot open in one line (exit 1)', async () => {
    const { io, text } = collect();
    expect(await runDemo({ db: join(dir, 'no', 'such', 'dir', 'x.db'), customers: 5, fresh: false }, io)).toBe(1);
    expect(text()).toMatch(/^journeys demo: cannot open the SQLite file .*x\.db \(.*\)\n$/);
  });

  it('survives being killed part-way and finishes when run again', async () => {
    const db = join(dir, 'killed.db');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'demo', '--db', db, '--customers', '3000', '--fresh'], {
      cwd: new URL('../..', import.meta.url).pathname,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    for (const deadline = Date.now() + 60_000; !output.includes('Running'); await sleep(20)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`demo never started: ${output}`);
    }
    // Killed part-way for sure (not after a fixed 700 ms, which a fast machine finishes 3,000
    // customers in): look at its file under the write lock (BEGIN IMMEDIATE) until every customer is
    // enrolled, virtual time has moved on and some are still active, and kill it while holding the
    // lock, so it cannot have written anything more, let alone finished, by the time SIGKILL lands.
    const look = new Database(db, { timeout: 60_000 });
    try {
      for (const deadline = Date.now() + 60_000; ; await sleep(10)) {
        look.exec('BEGIN IMMEDIATE');
        const progress = new Map(look.prepare('SELECT key, value FROM demo_progress').all().map((r) => [(r as { key: string }).key, (r as { value: string }).value]));
        const active = (look.prepare("SELECT count(*) AS n FROM je_enrollments WHERE status = 'active'").get() as { n: number }).n;
        if (progress.get('enrolled') === '3000' && progress.has('clock') && active > 0) break;
        look.exec('ROLLBACK');
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`never caught the demo part-way (active ${active}): ${output}`);
      }
      child.kill('SIGKILL');
      await exited;
    } finally {
      if (look.inTransaction) look.exec('ROLLBACK');
      look.close();
    }
    expect(output).not.toContain('Completed:');

    const { io, text } = collect();
    const status = await runDemo({ db, customers: 3000, fresh: false }, io);
    expect(text()).toContain('Resuming');
    expect(text()).toContain('Completed: 3000  exited: none  failed: 0  still active: 0');
    expect(status).toBe(0);
  }, 240_000); // ~5 s alone, ~25 s with the CPU oversubscribed four times
});
