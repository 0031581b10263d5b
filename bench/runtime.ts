/**
 * The runtime under load: N customers (default 100,000) through the loan nurture journey
 * (examples/journeys/loan-nurture.json) in memory on a virtual clock, through the real engine —
 * `createEngine` + `memoryStorage` + decisions/channels/profiles ports — against the same journey
 * as an XState v5 machine with one actor per customer on XState's `SimulatedClock`.
 *
 * Both sides do the same work:
 * - the same async effect functions (`decide`, `send`, `update`), which count calls and return
 *   a fixed offer; the profile is read through the same `Profiles` port;
 * - the same outcomes: customer i converts if i % 10 == 0, clicks if i % 4 == 1, reported once
 *   every customer has had the first email (ours through `engine.recordOutcome`, XState's as an
 *   `OUTCOME` event);
 * - the clock jumps from wake-up to wake-up until nothing is left to do.
 *
 * A **step** is one entry into a journey step: for us an `entered` event on `engine.events`
 * ('step'), for XState the entry action of the state that stands for that step. A converter
 * enters 5 steps (decide, send, wait, branch, update), everyone else 8.
 *
 * Measured: steps per second over the whole run (enrolment to idle, wall time), and heap bytes
 * per waiting enrollment: heapUsed once every customer waits at the first wait step minus
 * heapUsed before enrolling (both after a full GC), divided by the number waiting.
 *
 * Targets: ≥ 5× XState's steps per second; ≤ 2 KB per waiting enrollment; 1,000,000 customers
 * in under 20 s (wall, enrolment to idle).
 *
 * Run: `npx tsx bench/runtime.ts [--customers N] [--xstate-customers M] [--rounds R]` (or `node --expose-gc
 * --import tsx bench/runtime.ts`); bench/run.ts calls `run()`. XState runs at most 200,000
 * customers unless `--xstate-customers` says otherwise (one actor per customer, ~6 KB each: a
 * million do not fit the default heap); with fewer customers than ours, the ratios compare
 * steps per second measured in the same run, and each side is checked against the effect calls
 * and steps its own number of customers needs. The million run:
 * `node --expose-gc --import tsx bench/runtime.ts --customers 1000000`.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { assign, createActor, fromPromise, setup, SimulatedClock, type AnyActorRef } from 'xstate';
import { memoryStorage } from '../src/adapters/memory/index.js';
import { virtualClock } from '../src/adapters/clock/index.js';
import { createEngine } from '../src/runtime/engine.js';
import type { Channels, DecisionFlows, Profiles } from '../src/runtime/ports.js';
import type { CustomerProfile, Offer } from '../src/runtime/types.js';
import type { UpdateOperation } from '../src/model/types.js';

const T0 = Date.UTC(2026, 2, 10, 9, 0, 0);
const DAY = 86_400_000;
const ENROLL_BATCH = 1000;
const OFFER: Offer = Object.freeze({ id: 'loan_a', apr: 7.9 });

/** Customer i's response to the first email. */
function outcomeOf(i: number): 'conversion' | 'click' | null {
  if (i % 10 === 0) return 'conversion';
  if (i % 4 === 1) return 'click';
  return null;
}

const customerId = (i: number) => `c${i}`;

// ───────────────────────────── shared work ─────────────────────────────

/** Calls made to the effect functions (both sides must end with the same numbers). */
interface EffectCounts {
  decide: number;
  send: number;
  update: number;
}

/** The host's side: customers and the effect functions both runtimes call. */
function hostFor(customers: number) {
  const store = new Map<string, CustomerProfile>();
  for (let i = 0; i < customers; i++) {
    store.set(customerId(i), { id: customerId(i), attributes: {}, segments: ['loan_interested'] });
  }
  const counts: EffectCounts = { decide: 0, send: 0, update: 0 };
  const profiles: Profiles = {
    async get(id) {
      return store.get(id) ?? null;
    },
    async apply() {
      counts.update += 1;
    },
  };
  const effects = {
    async decide(_customer: CustomerProfile, maxOffers: number): Promise<readonly Offer[]> {
      counts.decide += 1;
      return maxOffers >= 1 ? [OFFER] : [];
    },
    async send(_channelId: string, _offer: Offer | null, _customer: CustomerProfile): Promise<void> {
      counts.send += 1;
    },
    update(customer: string, operations: readonly UpdateOperation[], key: string): Promise<CustomerProfile | void> {
      return profiles.apply(customer, operations, { tenantId: 'default', journeyId: 'loan', enrollmentId: key, stepId: key, idempotencyKey: key });
    },
  };
  return { profiles, effects, counts };
}

// ───────────────────────────── measuring ─────────────────────────────

type Gc = () => void;

/** `global.gc` when run with --expose-gc, else the same function reached through V8 flags. */
function findGc(): Gc | undefined {
  const exposed = (globalThis as { gc?: Gc }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as Gc) : undefined;
  } catch {
    return undefined;
  }
}

const gc = findGc();

function heapUsed(): number {
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

interface SideResult {
  readonly name: string;
  readonly steps: number;
  readonly ms: number;
  /** Process CPU time (user + system, all threads) over the same span: steadier than wall time on a busy machine. */
  readonly cpuMs: number;
  readonly waiting: number;
  readonly heapPerWaiting: number;
  readonly counts: EffectCounts;
  readonly finished: number;
}

// ───────────────────────────── journey-engine ─────────────────────────────

async function runOurs(customers: number, journeyDocument: unknown): Promise<SideResult> {
  const host = hostFor(customers);
  const clock = virtualClock(T0);
  const decisions: DecisionFlows = { decide: (r) => host.effects.decide(r.customer, r.maxOffers) };
  const channels: Channels = { send: (r) => host.effects.send(r.channelId, r.offer, r.customer) };
  const profiles: Profiles = { get: host.profiles.get, apply: (id, ops, ctx) => host.effects.update(id, ops, ctx.idempotencyKey) };
  const engine = createEngine({ storage: memoryStorage(), clock, decisions, channels, profiles, workerId: 'bench' });
  const { id: journeyId } = await engine.createJourney(journeyDocument);
  await engine.setStatus(journeyId, 'active');

  let steps = 0;
  let finished = 0;
  engine.events.on('step', ({ event }) => {
    if (event.type === 'entered') steps += 1;
    else if (event.type === 'journey-completed' || event.type === 'exited' || event.type === 'failed') finished += 1;
  });
  const ids = Array.from({ length: customers }, (_, i) => customerId(i));

  const heapBefore = heapUsed();
  const started = performance.now();
  const cpuStarted = cpuNow();
  let pausedMs = 0;
  let pausedCpu = 0;

  for (let i = 0; i < customers; i += ENROLL_BATCH) {
    await engine.enroll(journeyId, { customerIds: ids.slice(i, i + ENROLL_BATCH) });
  }
  await engine.runDue(); // decide + send, then everyone waits 3 days

  const pause = performance.now();
  const pauseCpu = cpuNow();
  const stats = await engine.stats(journeyId);
  const waiting = stats.steps.find((s) => s.stepId === 'step_wait_3d')?.current ?? 0;
  const heapPerWaiting = (heapUsed() - heapBefore) / waiting;
  pausedMs += performance.now() - pause;
  pausedCpu += cpuNow() - pauseCpu;

  for (let i = 0; i < customers; i++) {
    const type = outcomeOf(i);
    if (type !== null) await engine.recordOutcome({ customerId: ids[i]!, journeyId, type, idempotencyKey: `o${i}` });
  }
  for (let next = await engine.nextWakeAt(); next !== null; next = await engine.nextWakeAt()) {
    if (next > clock.now()) clock.set(next);
    await engine.runDue();
  }
  const ms = performance.now() - started - pausedMs;
  const cpuMs = cpuNow() - cpuStarted - pausedCpu;
  await engine.close();
  return { name: 'journey-engine', steps, ms, cpuMs, waiting, heapPerWaiting, counts: host.counts, finished };
}

// ───────────────────────────── XState v5 ─────────────────────────────

/** SimulatedClock that also knows its earliest pending timeout, to jump from wake-up to wake-up. */
class SteppingClock extends SimulatedClock {
  private readonly dueAt = new Map<number, number>();

  override setTimeout(fn: (...args: unknown[]) => void, timeout: number): number {
    const at = this.now() + timeout;
    const id: number = super.setTimeout(() => {
      this.dueAt.delete(id);
      fn();
    }, timeout);
    this.dueAt.set(id, at);
    return id;
  }

  override clearTimeout(id: number): void {
    this.dueAt.delete(id);
    super.clearTimeout(id);
  }

  nextDue(): number | null {
    let min: number | null = null;
    for (const at of this.dueAt.values()) if (min === null || at < min) min = at;
    return min;
  }
}

function loanMachine(host: ReturnType<typeof hostFor>, counter: { steps: number; waiting: number }) {
  const step = () => {
    counter.steps += 1;
  };
  interface Ctx {
    readonly customerId: string;
    readonly offer: Offer | null;
    readonly outcome: string | null;
  }
  const profileOf = async (id: string): Promise<CustomerProfile> => (await host.profiles.get(id, { tenantId: 'default' })) ?? { id, attributes: {}, segments: [] };
  const converted = ({ context }: { context: Ctx }) => context.outcome === 'conversion';
  const clicked = ({ context }: { context: Ctx }) => context.outcome === 'click';

  return setup({
    types: {
      context: {} as Ctx,
      input: {} as { customerId: string },
      events: {} as { type: 'OUTCOME'; outcome: string },
    },
    actors: {
      decide: fromPromise(async ({ input }: { input: { customerId: string } }) => host.effects.decide(await profileOf(input.customerId), 1)),
      send: fromPromise(async ({ input }: { input: { customerId: string; channelId: string; offer: Offer | null } }) =>
        host.effects.send(input.channelId, input.offer, await profileOf(input.customerId)),
      ),
      update: fromPromise(async ({ input }: { input: { customerId: string; operations: readonly UpdateOperation[] } }) => {
        await profileOf(input.customerId);
        return host.effects.update(input.customerId, input.operations, input.customerId);
      }),
    },
  }).createMachine({
    id: 'loan-nurture',
    context: ({ input }) => ({ customerId: input.customerId, offer: null, outcome: null }),
    initial: 'step_initial_offer',
    on: { OUTCOME: { actions: assign({ outcome: ({ event }) => event.outcome }) } },
    states: {
      step_initial_offer: {
        entry: step,
        invoke: {
          src: 'decide',
          input: ({ context }) => ({ customerId: context.customerId }),
          onDone: { target: 'step_send_email', actions: assign({ offer: ({ event }) => event.output[0] ?? null }) },
        },
      },
      step_send_email: {
        entry: step,
        invoke: {
          src: 'send',
          input: ({ context }) => ({ customerId: context.customerId, channelId: 'ch_email', offer: context.offer }),
          // `outcome` is the latest outcome since the most recent send.
          onDone: { target: 'step_wait_3d', actions: assign({ outcome: null }) },
        },
      },
      step_wait_3d: {
        entry: [step, () => void (counter.waiting += 1)],
        exit: () => void (counter.waiting -= 1),
        after: { [3 * DAY]: 'step_check_response' },
      },
      step_check_response: {
        entry: step,
        always: [
          { guard: converted, target: 'step_thank_you' },
          { guard: clicked, target: 'step_followup' },
          { target: 'step_reminder' },
        ],
      },
      step_followup: {
        entry: step,
        invoke: {
          src: 'send',
          input: ({ context }) => ({ customerId: context.customerId, channelId: 'ch_email', offer: context.offer }),
          onDone: { target: 'step_wait_followup', actions: assign({ outcome: null }) },
        },
      },
      step_reminder: {
        entry: step,
        invoke: {
          src: 'send',
          input: ({ context }) => ({ customerId: context.customerId, channelId: 'ch_push', offer: context.offer }),
          onDone: { target: 'step_wait_followup', actions: assign({ outcome: null }) },
        },
      },
      step_wait_followup: { entry: step, after: { [4 * DAY]: 'step_final_check' } },
      step_final_check: {
        entry: step,
        always: [{ guard: converted, target: 'step_thank_you' }, { target: 'step_not_converted' }],
      },
      step_not_converted: {
        entry: step,
        invoke: {
          src: 'update',
          input: ({ context }) => ({ customerId: context.customerId, operations: [{ type: 'set_attribute', key: 'journey_stage', value: 'nurture_ended' }] }),
          onDone: 'done',
        },
      },
      step_thank_you: {
        entry: step,
        invoke: {
          src: 'update',
          input: ({ context }) => ({
            customerId: context.customerId,
            operations: [
              { type: 'set_attribute', key: 'journey_stage', value: 'converted' },
              { type: 'add_segment', segment: 'loan_customers' },
              { type: 'remove_segment', segment: 'loan_interested' },
            ],
          }),
          onDone: 'done',
        },
      },
      done: { type: 'final' },
    },
  });
}

async function runXState(customers: number): Promise<SideResult> {
  const host = hostFor(customers);
  const counter = { steps: 0, waiting: 0 };
  const machine = loanMachine(host, counter);
  const clock = new SteppingClock();
  clock.set(T0);
  let finished = 0;
  const ids = Array.from({ length: customers }, (_, i) => customerId(i));
  const settle = async () => {
    // Effects resolve in microtasks; let every chain run until it blocks on a timer or ends.
    let before = -1;
    while (before !== counter.steps) {
      before = counter.steps;
      await tick();
    }
  };

  const heapBefore = heapUsed();
  const started = performance.now();
  const cpuStarted = cpuNow();
  let pausedMs = 0;
  let pausedCpu = 0;

  const actors: AnyActorRef[] = new Array(customers);
  for (let i = 0; i < customers; i++) {
    const actor = createActor(machine, { input: { customerId: ids[i]! }, clock });
    actor.subscribe({ complete: () => void (finished += 1) });
    actor.start();
    actors[i] = actor;
    if (i % ENROLL_BATCH === ENROLL_BATCH - 1) await tick(); // enrol in batches, like the engine side
  }
  await settle();

  const pause = performance.now();
  const pauseCpu = cpuNow();
  const waiting = counter.waiting;
  const heapPerWaiting = (heapUsed() - heapBefore) / waiting;
  pausedMs += performance.now() - pause;
  pausedCpu += cpuNow() - pauseCpu;

  for (let i = 0; i < customers; i++) {
    const type = outcomeOf(i);
    if (type !== null) actors[i]!.send({ type: 'OUTCOME', outcome: type });
  }
  for (let next = clock.nextDue(); next !== null; next = clock.nextDue()) {
    clock.set(Math.max(next, clock.now()));
    await settle();
  }
  const ms = performance.now() - started - pausedMs;
  const cpuMs = cpuNow() - cpuStarted - pausedCpu;
  return { name: 'XState v5 (SimulatedClock)', steps: counter.steps, ms, cpuMs, waiting, heapPerWaiting, counts: host.counts, finished };
}

// ───────────────────────────── report ─────────────────────────────

function loadLoanNurture(): unknown {
  return JSON.parse(readFileSync(new URL('../examples/journeys/loan-nurture.json', import.meta.url), 'utf8')) as unknown;
}

function expectedSteps(customers: number): number {
  let steps = 0;
  for (let i = 0; i < customers; i++) steps += outcomeOf(i) === 'conversion' ? 5 : 8;
  return steps;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The effect calls N customers must cause on either side (the check that both did the same work). */
function expectedCounts(customers: number): EffectCounts {
  let conversions = 0;
  for (let i = 0; i < customers; i++) if (outcomeOf(i) === 'conversion') conversions += 1;
  return { decide: customers, send: customers + (customers - conversions), update: customers };
}

/** Largest N the XState side runs at by default: one actor per customer needs ~6 KB, so 1M actors would not fit the default heap. */
export const XSTATE_DEFAULT_MAX = 200_000;
/** The in-memory target for 1,000,000 customers (issue 13): under this many seconds, wall time. */
const MILLION_TARGET_S = 20;

/** Options of {@link run}. */
export interface RuntimeBenchOptions {
  /** Customers through our engine (default 100,000). */
  readonly customers?: number;
  /** Customers through XState (default: `customers`, at most {@link XSTATE_DEFAULT_MAX}); ratios are of per-step rates measured in the same run. */
  readonly xstateCustomers?: number;
  /** One side alone, for profiling: no ratios. */
  readonly only?: 'ours' | 'xstate';
  /** Interleaved rounds of both sides (default 3); the ratio reported is the median round's. */
  readonly rounds?: number;
}

function checkSide(side: SideResult, customers: number): void {
  const expected = expectedSteps(customers);
  if (side.steps !== expected) throw new Error(`${side.name} entered ${side.steps} steps; expected ${expected}`);
  if (side.finished !== customers) throw new Error(`${side.name} finished ${side.finished} of ${customers} customers`);
  const counts = expectedCounts(customers);
  if (JSON.stringify(side.counts) !== JSON.stringify(counts)) {
    throw new Error(`${side.name} did other work than ${customers} customers need: ${JSON.stringify(side.counts)} vs ${JSON.stringify(counts)}`);
  }
}

/** Run the benchmark and print a table with ratios. */
export async function run(options: RuntimeBenchOptions = {}): Promise<void> {
  const customers = options.customers ?? 100_000;
  if (!Number.isInteger(customers) || customers < 1) throw new Error('customers must be a positive integer');
  const xstateCustomers = options.xstateCustomers ?? Math.min(customers, XSTATE_DEFAULT_MAX);
  if (!Number.isInteger(xstateCustomers) || xstateCustomers < 1) throw new Error('xstateCustomers must be a positive integer');
  if (options.only !== undefined) {
    // One side alone, for profiling (`--only ours|xstate`): no ratios.
    const side = options.only === 'ours' ? await runOurs(customers, loadLoanNurture()) : await runXState(customers);
    checkSide(side, customers);
    console.log(
      `${side.name}: ${fmt(side.steps)} steps in ${fmt(side.ms)} ms = ${fmt(side.steps / (side.ms / 1000))} steps/s ` +
        `(CPU ${fmt(side.cpuMs)} ms = ${fmt(side.steps / (side.cpuMs / 1000))} steps per CPU-s); ${fmt(side.heapPerWaiting)} B heap per waiting`,
    );
    return;
  }
  const rounds = options.rounds ?? 3;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('rounds must be a positive integer');
  // Rounds interleave the two sides, alternating which goes first, so a slow minute of the machine
  // falls on both; the ratio reported is the median of the rounds' ratios.
  const pairs: { ours: SideResult; xstate: SideResult }[] = [];
  for (let r = 0; r < rounds; r++) {
    let ours: SideResult;
    let xstate: SideResult;
    if (r % 2 === 0) {
      ours = await runOurs(customers, loadLoanNurture());
      heapUsed();
      xstate = await runXState(xstateCustomers);
    } else {
      xstate = await runXState(xstateCustomers);
      heapUsed();
      ours = await runOurs(customers, loadLoanNurture());
    }
    heapUsed();
    checkSide(ours, customers);
    checkSide(xstate, xstateCustomers);
    pairs.push({ ours, xstate });
  }
  const ratioOf = (p: { ours: SideResult; xstate: SideResult }) => p.ours.steps / p.ours.ms / (p.xstate.steps / p.xstate.ms);
  const cpuRatioOf = (p: { ours: SideResult; xstate: SideResult }) => p.ours.steps / p.ours.cpuMs / (p.xstate.steps / p.xstate.cpuMs);
  const middle = [...pairs].sort((a, b) => ratioOf(a) - ratioOf(b))[(pairs.length - 1) >> 1]!;
  const { ours, xstate } = middle;

  console.log(
    `loan nurture: ours ${fmt(customers)} customers (${fmt(ours.steps)} steps), XState ${fmt(xstateCustomers)} customers (${fmt(xstate.steps)} steps); ` +
      `step = entering a journey step; both sides made exactly the effect calls their customers need (ours ${JSON.stringify(ours.counts)}); ` +
      `node ${process.version}; GC ${gc ? 'forced before heap readings' : 'NOT available: heap figures are noisy'}` +
      (rounds > 1 ? `; ${rounds} interleaved rounds, the table shows the round with the median ratio` : ''),
  );
  if (rounds > 1) {
    console.table(
      pairs.map((p, r) => ({
        round: r + 1,
        first: r % 2 === 0 ? 'ours' : 'XState',
        'ours steps/s': fmt(p.ours.steps / (p.ours.ms / 1000)),
        'XState steps/s': fmt(p.xstate.steps / (p.xstate.ms / 1000)),
        'ours ÷ XState': ratioOf(p).toFixed(2),
        'per CPU-s': cpuRatioOf(p).toFixed(2),
      })),
    );
  }
  console.table(
    [ours, xstate].map((s) => ({
      runtime: s.name,
      customers: fmt(s.finished),
      'steps/s': fmt(s.steps / (s.ms / 1000)),
      'wall ms': fmt(s.ms),
      'steps per CPU-s': fmt(s.steps / (s.cpuMs / 1000)),
      'CPU ms': fmt(s.cpuMs),
      waiting: fmt(s.waiting),
      'heap B / waiting': fmt(s.heapPerWaiting),
    })),
  );
  const speed = ratioOf(middle);
  const cpuSpeed = cpuRatioOf(middle);
  const per = customers === xstateCustomers ? '' : ` (per-step rates: XState ran ${fmt(xstateCustomers)} customers)`;
  console.log(`steps/s, ours ÷ XState${rounds > 1 ? ' (median round)' : ''}: ${speed.toFixed(2)}x  (target >= 5x: ${speed >= 5 ? 'met' : 'MISSED'})${per}`);
  console.log(`steps per CPU-second, ours ÷ XState: ${cpuSpeed.toFixed(2)}x`);
  console.log(
    `heap per waiting enrollment:   ours ${fmt(ours.heapPerWaiting)} B, XState ${fmt(xstate.heapPerWaiting)} B, ` +
      `ours ÷ XState ${(ours.heapPerWaiting / xstate.heapPerWaiting).toFixed(2)}  (target <= 2,048 B: ${ours.heapPerWaiting <= 2048 ? 'met' : 'MISSED'})`,
  );
  if (customers >= 1_000_000) {
    const seconds = ours.ms / 1000;
    console.log(`${fmt(customers)} customers in memory: ${seconds.toFixed(1)} s wall (target < ${MILLION_TARGET_S} s for 1,000,000: ${seconds < MILLION_TARGET_S * (customers / 1_000_000) ? 'met' : 'MISSED'})`);
  }
}

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return argv[i]!.includes('=') ? argv[i]!.slice(name.length + 1) : argv[i + 1];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const rawCustomers = flag(argv, '--customers');
  const customers = rawCustomers === undefined ? undefined : Number(rawCustomers);
  if (customers !== undefined && (!Number.isInteger(customers) || customers < 1)) throw new Error(`--customers needs a positive integer, got ${rawCustomers}`);
  const rawXState = flag(argv, '--xstate-customers');
  const xstateCustomers = rawXState === undefined ? undefined : Number(rawXState);
  if (xstateCustomers !== undefined && (!Number.isInteger(xstateCustomers) || xstateCustomers < 1)) throw new Error(`--xstate-customers needs a positive integer, got ${rawXState}`);
  const rawRounds = flag(argv, '--rounds');
  const rounds = rawRounds === undefined ? undefined : Number(rawRounds);
  if (rounds !== undefined && (!Number.isInteger(rounds) || rounds < 1)) throw new Error(`--rounds needs a positive integer, got ${rawRounds}`);
  const only = flag(argv, '--only');
  if (only !== undefined && only !== 'ours' && only !== 'xstate') throw new Error('--only takes ours or xstate');
  await run({ ...(customers === undefined ? {} : { customers }), ...(xstateCustomers === undefined ? {} : { xstateCustomers }), ...(only === undefined ? {} : { only }), ...(rounds === undefined ? {} : { rounds }) });
}
