/**
 * Shared by the durability tests: spawn crash-worker.ts processes, set a journey up and enroll
 * customers through the engine, and read the results back from storage.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../../src/runtime/engine.js';
import type { Storage } from '../../src/runtime/ports.js';
import type { WorkerConfig } from './crash-worker.js';

export const PG_URL = process.env['JOURNEY_TEST_PG_URL'];
export const PG_SKIP_REASON = 'JOURNEY_TEST_PG_URL is not set: the multi-process Postgres durability tests need a real server (CI sets it)';

const WORKER = fileURLToPath(new URL('./crash-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let bundled: Promise<string> | undefined;

/**
 * The worker as one ESM file (esbuild, the bundler under tsx): it starts in ~0.3 s instead of
 * ~0.7 s through `node --import tsx`, which matters when it is restarted dozens of times. Written
 * under node_modules/.cache so that `pg` and `better-sqlite3` resolve from the project.
 */
export function workerBundle(): Promise<string> {
  bundled ??= (async () => {
    const { build } = await import('esbuild');
    const outfile = join(ROOT, 'node_modules', '.cache', 'journey-engine-durability', `worker-${process.pid}-${randomBytes(3).toString('hex')}.mjs`);
    await build({ entryPoints: [WORKER], bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['better-sqlite3', 'pg'], outfile, logLevel: 'warning' });
    process.once('exit', () => rmSync(outfile, { force: true }));
    return outfile;
  })();
  return bundled;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const randomInt = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));
export const freshSchema = (label: string) => `je_test_${label}_${randomBytes(4).toString('hex')}`;

export interface Worker {
  readonly child: ChildProcess;
  /** Resolves once the worker printed `ready` (true), or false if it exited first. */
  readonly ready: Promise<boolean>;
  /** The exit code (null when killed by a signal) and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves when a stdout line matches. */
  waitFor(pattern: RegExp): Promise<string>;
  running(): boolean;
}

/** Start a worker from {@link workerBundle}'s file. */
export function spawnWorker(bundle: string, config: WorkerConfig): Worker {
  const child = spawn(process.execPath, [bundle, JSON.stringify(config)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  let done = false;
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      stdout.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.pattern.test(line)) waiters.splice(i, 1)[0]!.resolve(line);
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  const waitFor = (pattern: RegExp) => new Promise<string>((resolve) => waiters.push({ pattern, resolve }));
  const ready = Promise.race([waitFor(/^ready$/).then(() => true), exited.then(() => false)]);
  return { child, ready, exited, stdout, stderr, waitFor, running: () => !done };
}

/** SIGKILL a worker (if it still runs) and wait for it to be gone. True when it was running. */
export async function kill(worker: Worker): Promise<boolean> {
  if (!worker.running()) return false;
  worker.child.kill('SIGKILL');
  await worker.exited;
  return true;
}

/** What {@link killLoop} did. */
export interface KillLoopResult {
  readonly kills: number;
  readonly restarts: number;
  readonly finishedEarly: number;
  readonly killPhaseMs: number;
  readonly finishMs: number;
  /** The `start` indices of the workers that were SIGKILLed (0 is the first worker started). */
  readonly killed: readonly number[];
}

/**
 * Keep one worker slot busy: start a worker (`start(0)`, `start(1)`, …), SIGKILL it a random
 * 50–400 ms after it is ready, start another, until `kills` kills (and, with `until`, until it
 * answers true); then let the last one run to the end (exit 0).
 */
export async function killLoop(
  start: (index: number) => Worker,
  options: {
    readonly kills: number;
    readonly minDelayMs?: number;
    readonly maxDelayMs?: number;
    readonly finishTimeoutMs: number;
    /**
     * A worker that exits 0 before its kill found nothing active left: stop there (no more
     * kills; the caller's kill count shows it) instead of starting workers with nothing to do.
     */
    readonly stopWhenDone?: boolean;
    /** Asked before each kill once `kills` are done: keep killing while it answers false. */
    readonly until?: () => boolean;
    /** Called after each kill. */
    readonly onKill?: () => void;
  },
): Promise<KillLoopResult> {
  const started = Date.now();
  let kills = 0;
  let restarts = 0;
  let finishedEarly = 0;
  const killed: number[] = [];
  let worker = start(0);
  const more = () => kills < options.kills || (options.until !== undefined && !options.until());
  while (more()) {
    if (await worker.ready) await sleep(randomInt(options.minDelayMs ?? 50, options.maxDelayMs ?? 400));
    if (await kill(worker)) {
      kills += 1;
      killed.push(restarts);
      options.onKill?.();
    } else {
      const { code } = await worker.exited;
      if (code !== 0) throw new Error(`worker exited with ${code}: ${worker.stderr.join('')}`);
      finishedEarly += 1;
      if (options.stopWhenDone) return { kills, restarts, finishedEarly, killPhaseMs: Date.now() - started, finishMs: 0, killed };
    }
    restarts += 1;
    worker = start(restarts);
  }
  const killPhaseMs = Date.now() - started;
  const timeout = sleep(options.finishTimeoutMs).then(() => 'timeout' as const);
  const end = await Promise.race([worker.exited, timeout]);
  if (end === 'timeout') {
    await kill(worker);
    throw new Error(`the last worker did not finish within ${options.finishTimeoutMs} ms`);
  }
  if (end.code !== 0) throw new Error(`the last worker exited with ${end.code}: ${worker.stderr.join('')}`);
  return { kills, restarts, finishedEarly, killPhaseMs, finishMs: Date.now() - started - killPhaseMs, killed };
}

/** The clock every process of a run shares: `t0 + (Date.now() - epoch) * factor`. */
export function sharedClock(factor: number) {
  const epoch = Date.now();
  const t0 = Date.UTC(2026, 2, 10, 9, 0, 0);
  return { epoch, t0, factor, now: () => t0 + (Date.now() - epoch) * factor };
}

/** Create and activate a journey and enroll `customers` customers (`c0`, `c1`, …) through the engine. */
export async function enrollCustomers(
  storage: Storage,
  clock: { now(): number },
  steps: unknown[],
  customers: number,
  parallel = 1,
): Promise<{ journeyId: string; enrollmentIds: string[] }> {
  const engine = createEngine({ storage, clock });
  const { id: journeyId } = await engine.createJourney({ name: 'Durability', maxDuration: 30, steps });
  await engine.setStatus(journeyId, 'active');
  const chunks: string[][] = [];
  for (let i = 0; i < customers; i += 500) chunks.push(Array.from({ length: Math.min(500, customers - i) }, (_, k) => `c${i + k}`));
  const enrollmentIds: string[] = [];
  const next = async (): Promise<void> => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
      const result = await engine.enroll(journeyId, { customerIds: chunk });
      if (result.skipped.length > 0) throw new Error(`skipped: ${JSON.stringify(result.skipped[0])}`);
      enrollmentIds.push(...result.enrolled.map((e) => e.enrollmentId));
    }
  };
  await Promise.all(Array.from({ length: parallel }, next));
  return { journeyId, enrollmentIds };
}

/** Lines of an append-only log (empty when the file does not exist). */
export function readLines(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
}

/** How often each line occurs. */
export function tally(lines: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

/** What storage says after a run: statuses, the effect log of every enrollment, the step counters. */
export async function readBack(storage: Storage, journeyId: string, enrollmentIds: readonly string[]) {
  const engine = createEngine({ storage, clock: { now: () => 0 } });
  const byStatus: Record<string, number> = {};
  for (const status of ['active', 'completed', 'exited', 'failed'] as const) {
    byStatus[status] = (await engine.listEnrollments({ journeyId, status, limit: 1 })).total;
  }
  const effectKeys: string[] = [];
  const versions = new Map<number, number>();
  for (const id of enrollmentIds) {
    for (const effect of await storage.listEffects('default', id)) effectKeys.push(effect.idempotencyKey);
    const e = await storage.getEnrollment('default', id);
    if (e) versions.set(e.version, (versions.get(e.version) ?? 0) + 1);
  }
  const stats = await engine.stats(journeyId);
  return { byStatus, effectKeys, versions: Object.fromEntries(versions), stats };
}
