/**
 * A worker process for the durability tests (crash.test.ts, concurrency.test.ts): runs the engine
 * on SQLite or Postgres until no enrollment is active, then exits 0. The parent kills it (SIGKILL),
 * pauses it (SIGSTOP/SIGCONT) and restarts it at will.
 *
 *   node --import tsx test/durability/crash-worker.ts '<json WorkerConfig>'
 *
 * - The channel appends each send's idempotency key to `sendLog` (appendFileSync) BEFORE it
 *   answers, so a kill between the append and the engine's commit shows up as a second line with
 *   the same key (a redelivery). Decide and update ports are trivial.
 * - Time: a clock derived from real time, `t0 + (Date.now() - epoch) * factor`, shared by every
 *   process of a run, so a 1-minute wait passes in 60 / factor real seconds. With `clockFile`, the
 *   parent sets the clock instead: the file holds `<clock ms> <real ms>` (the clock read the first
 *   at the second), and the clock runs at real speed from there until the parent writes another.
 * - With `commitLog`, every commit result is appended as `<worker> <enrollment> <token> <result>`
 *   (one line per commit, also for each commit of a `commitMany` group).
 * - With `tagSends`, each `sendLog` line is `<key> <workerId>` (one append, so a kill never splits it).
 * - With `tokenLog`, each rate-limit token the storage grants is appended as its instant (the `now`
 *   the engine asked with): the instants the limit is kept at, before any latency to the channel.
 * - `sendTimesLog` lines end with the instant this process's send gate last let that key go (the
 *   `now` of its granted frequency-cap slot; quiet hours were checked at the same instant), `-` if
 *   it took none.
 * - `groupCommit` turns the engine's group commit on (`batchSize`, `inFlight`).
 * - Prints `ready` once the storage is initialised, `sending <key>` when `announceSends` is set.
 * - With `pauseInSend`, the first send stops the whole process (SIGSTOP to itself) once the sends
 *   started in the same turn have all started, printing `paused` just before; no send's delay
 *   begins before that, so none can finish (or commit) first. The parent resumes it with SIGCONT.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { postgresStorage } from '../../src/adapters/postgres/index.js';
import { sqliteStorage } from '../../src/adapters/sqlite/index.js';
import { createEngine } from '../../src/runtime/engine.js';
import type { Channels, Commit, DecisionFlows, Profiles, SendSlotRequest, SendSlotResult, SendTokenRequest, Storage } from '../../src/runtime/ports.js';
import type { SendPolicy } from '../../src/model/send-policy.js';

export interface WorkerConfig {
  readonly storage: { readonly kind: 'sqlite'; readonly filename: string } | { readonly kind: 'pg'; readonly url: string; readonly schema: string };
  readonly workerId: string;
  readonly sendLog: string;
  readonly commitLog?: string;
  /** Real-time origin shared by the processes of a run, and the clock instant it maps to. */
  readonly epoch: number;
  readonly t0: number;
  /** Clock ms per real ms. */
  readonly factor: number;
  /** The parent's clock (see the header): when set, `epoch`, `t0` and `factor` are not used. */
  readonly clockFile?: string;
  /** Lease in clock ms. */
  readonly leaseMs: number;
  /** Claims per batch (`runDue({ limit })`). */
  readonly batch: number;
  /** Real ms each send takes (0: none). */
  readonly sendDelayMs: number;
  readonly announceSends?: boolean;
  /** Real ms to sleep when nothing is due. */
  readonly idleMs?: number;
  /** The engine's send policy (send-policy.test.ts). */
  readonly sendPolicy?: SendPolicy;
  /** With it, each send also appends `<customer> <key> <clock now> <gate instant>` here, before it answers. */
  readonly sendTimesLog?: string;
  /** With it, the instant of each granted rate-limit token is appended here. */
  readonly tokenLog?: string;
  /** Exit once nothing is due now (deferred work may wait later), instead of once nothing is active. */
  readonly exitWhenIdle?: boolean;
  /** Stop the process (SIGSTOP) in its first send, after printing `paused` (concurrency.test.ts). */
  readonly pauseInSend?: boolean;
  /** Write `<key> <workerId>` lines to `sendLog` instead of `<key>` (crash.test.ts: which process sent it). */
  readonly tagSends?: boolean;
  /** Group commit: the engine's `batchSize` and `inFlight` options. */
  readonly groupCommit?: { readonly batchSize: number; readonly inFlight: number };
}

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;

/** The parent's clock: read on every call (the parent replaces the file in one rename). */
function fileClock(path: string): number {
  const [at, real] = readFileSync(path, 'utf8').split(' ').map(Number);
  if (!Number.isFinite(at) || !Number.isFinite(real)) throw new Error(`bad clock file ${path}`);
  return at! + (Date.now() - real!);
}
const { clockFile } = config;
const clock = { now: clockFile ? () => fileClock(clockFile) : () => config.t0 + (Date.now() - config.epoch) * config.factor };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let pool: pg.Pool | undefined;
let base: Storage;
if (config.storage.kind === 'sqlite') {
  base = sqliteStorage({ filename: config.storage.filename });
} else {
  pool = new pg.Pool({ connectionString: config.storage.url, max: 2 });
  pool.on('error', () => {});
  base = postgresStorage({ pool, schema: config.storage.schema });
}

const { commitLog, tokenLog } = config;
const commitLine = (commit: Commit, result: unknown) => `${config.workerId} ${commit.enrollment.id} ${commit.token ?? '-'} ${String(result)}\n`;
/** Per send key, the `now` of the last frequency-cap slot this process was granted for it. */
const gateAt = new Map<string, number>();
/**
 * `base` with its commits logged (`commit` and `commitMany`: one line per commit, in one append per
 * call), its granted rate-limit tokens logged, and its granted send slots remembered.
 */
const storage: Storage = commitLog || tokenLog || config.sendTimesLog
  ? new Proxy(base, {
      get(target, key) {
        const value = Reflect.get(target, key, target) as unknown;
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        if (key === 'reserveSendSlot') {
          return async (request: SendSlotRequest) => {
            const result = (await method.call(target, request)) as SendSlotResult;
            if (result.granted) gateAt.set(request.key, request.now);
            return result;
          };
        }
        if (key === 'takeSendToken' && tokenLog) {
          return async (request: SendTokenRequest) => {
            const at = (await method.call(target, request)) as number;
            if (at <= request.now) appendFileSync(tokenLog, `${request.now}\n`);
            return at;
          };
        }
        if (!commitLog) return method.bind(target);
        if (key === 'commit') {
          return async (commit: Commit) => {
            const result = await method.call(target, commit);
            appendFileSync(commitLog, commitLine(commit, result));
            return result;
          };
        }
        if (key === 'commitMany') {
          return async (commits: readonly Commit[]) => {
            const results = (await method.call(target, commits)) as readonly unknown[];
            appendFileSync(commitLog, commits.map((commit, i) => commitLine(commit, results[i])).join(''));
            return results;
          };
        }
        return method.bind(target);
      },
    })
  : base;

/** With `pauseInSend`: settles once the process has been stopped and resumed. */
let paused: Promise<void> | undefined;
const channels: Channels = {
  async send(request) {
    if (config.announceSends) process.stdout.write(`sending ${request.idempotencyKey}\n`);
    if (config.pauseInSend) {
      // The next turn, not this one: the other sends the engine starts together with this one start first.
      paused ??= new Promise<void>((resolve) =>
        setImmediate(() => {
          process.stdout.write('paused\n'); // a pipe: written synchronously, before the stop
          process.kill(process.pid, 'SIGSTOP');
          resolve(); // runs once SIGCONT came
        }),
      );
      await paused;
    }
    if (config.sendDelayMs > 0) await sleep(config.sendDelayMs);
    if (config.sendTimesLog) appendFileSync(config.sendTimesLog, `${request.customer.id} ${request.idempotencyKey} ${clock.now()} ${gateAt.get(request.idempotencyKey) ?? '-'}\n`);
    appendFileSync(config.sendLog, config.tagSends ? `${request.idempotencyKey} ${config.workerId}\n` : `${request.idempotencyKey}\n`);
    return { messageId: `m:${request.idempotencyKey}` };
  },
};
const decisions: DecisionFlows = { decide: async () => [{ id: 'offer_a' }] };
const profiles: Profiles = {
  get: async (customerId) => ({ id: customerId, attributes: {}, segments: [] }),
  apply: async (customerId) => ({ id: customerId, attributes: { nurtured: true }, segments: [] }),
};

const engine = createEngine({
  storage,
  clock,
  channels,
  decisions,
  profiles,
  leaseMs: config.leaseMs,
  workerId: config.workerId,
  onError: (error) => process.stderr.write(`engine error: ${String(error)}\n`),
  ...(config.sendPolicy ? { sendPolicy: config.sendPolicy } : {}),
  ...(config.groupCommit ? { batchSize: config.groupCommit.batchSize, inFlight: config.groupCommit.inFlight } : {}),
});

await storage.init();
process.stdout.write('ready\n');
for (;;) {
  try {
    const { processed, lost } = await engine.runDue({ limit: config.batch });
    if (processed + lost > 0) continue;
    const next = await storage.nextWakeAt();
    if (next === null || (config.exitWhenIdle && next > clock.now())) break;
  } catch (error) {
    // A storage hiccup (a busy SQLite file, a dropped connection): what was interrupted wrote
    // nothing, and its claims expire. Keep going, as a host's loop would.
    process.stderr.write(`runDue failed: ${String(error)}\n`);
  }
  await sleep(config.idleMs ?? 20);
}
await engine.close();
await pool?.end();
process.stdout.write('done\n');
process.exit(0);
