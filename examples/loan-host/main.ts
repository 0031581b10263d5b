/**
 * A small host for the loan nurture journey, all in memory: three customers on a virtual clock
 * until they finish (7 days; the journey's maxDuration is 21), a console "channel", a tiny
 * decision flow.
 *
 * Run: `npx tsx examples/loan-host/main.ts`
 *
 * What a real host would swap in: `systemClock()` for the virtual clock, a database storage for
 * `memoryStorage()`, its email/push providers for the console channel, its decisioning service
 * for `decideLoanOffer`, its customer store for `memoryProfiles`, and `engine.start()` instead of
 * stepping the clock by hand.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createEngine, memoryStorage, virtualClock, type Channels, type DecisionFlows, type JourneyStats, type StepEvent } from '../../src/index.js';
import { memoryProfiles } from '../../src/testing.js';

/** The three sample customers and how each responds to the first email. */
const CUSTOMERS = [
  { id: 'ana', response: 'conversion', attributes: { name: 'Ana', creditScore: 780 } },
  { id: 'ben', response: 'click', attributes: { name: 'Ben', creditScore: 690 } },
  { id: 'cleo', response: null, attributes: { name: 'Cleo', creditScore: 620 } },
] as const;

/** One line of a customer's timeline. */
export interface TimelineLine {
  /** ISO-8601 instant. */
  readonly at: string;
  readonly stepId: string | null;
  /** What happened, in words: `entered (send)`, `sent via ch_email`, `branched → step_followup`, … */
  readonly what: string;
}

/** What {@link main} returns (and prints). */
export interface LoanHostReport {
  /** Timelines by customer id, in the order things happened. */
  readonly timelines: Readonly<Record<string, readonly TimelineLine[]>>;
  readonly stats: JourneyStats;
}

/** A decision flow: the best loan for the customer's credit score. */
const decideLoanOffer: DecisionFlows = {
  async decide({ customer, maxOffers }) {
    const score = Number(customer.attributes['creditScore'] ?? 0);
    const offer = score >= 700 ? { id: 'loan_prime', apr: 6.9 } : { id: 'loan_standard', apr: 11.9 };
    return [offer].slice(0, maxOffers);
  },
};

/** A channel that "delivers" by printing. A real one would call an email or push provider, deduplicating on idempotencyKey. */
function consoleChannel(log: (line: string) => void, now: () => number): Channels {
  return {
    async send({ channelId, creativeId, offer, customer, idempotencyKey }) {
      log(`  ${iso(now())}  [${channelId}] to ${customer.id}: ${creativeId ?? '(no creative)'} offering ${offer?.id ?? 'nothing'}`);
      return { messageId: `msg:${idempotencyKey}` };
    },
  };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Turn an engine step event into words. */
function describe(event: StepEvent): string {
  switch (event.type) {
    case 'entered':
      return `entered (${event.stepType})`;
    case 'completed': {
      const detail = event.detail ?? {};
      if (event.stepType === 'decide') return `decided: ${String((detail['offerIds'] as string[] | undefined)?.join(', '))}`;
      if (event.stepType === 'send') return `sent via ${String(detail['channelId'])}`;
      if (event.stepType === 'branch') return `branched (${String(detail['matched'])}) → ${String(detail['target'])}`;
      if (event.stepType === 'wait') return 'waited';
      return 'updated the profile';
    }
    case 'skipped':
      return `skipped (${event.reason})`;
    case 'noted':
      return `noted ${event.note}`;
    case 'journey-completed':
      return 'completed the journey';
    case 'exited':
      return `exited (${event.reason})`;
    case 'failed':
      return `failed: ${event.error.message}`;
  }
}

/**
 * Wire the engine, run the three customers through the journey, print their timelines and the
 * journey's stats. Pass `log` to capture the output instead of printing it.
 */
export async function main(options: { log?: (line: string) => void } = {}): Promise<LoanHostReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const clock = virtualClock('2026-03-10T09:00:00Z');
  const start = clock.now();
  const profiles = memoryProfiles(CUSTOMERS.map((c) => ({ id: c.id, attributes: c.attributes, segments: ['loan_interested'] })));
  const engine = createEngine({
    storage: memoryStorage(),
    clock,
    decisions: decideLoanOffer,
    channels: consoleChannel(log, () => clock.now()),
    profiles,
  });

  // Timelines come from the engine's events: every step event, plus the outcomes we report.
  const timelines: Record<string, TimelineLine[]> = Object.fromEntries(CUSTOMERS.map((c) => [c.id, []]));
  engine.events.on('step', ({ enrollment, event }) => {
    timelines[enrollment.customerId]?.push({ at: iso(event.at), stepId: 'stepId' in event ? event.stepId : null, what: describe(event) });
  });
  engine.events.on('outcome', ({ enrollment, outcome }) => {
    timelines[enrollment.customerId]?.push({ at: iso(outcome.at), stepId: enrollment.stepId, what: `responded: ${outcome.type}` });
  });

  // Create the journey and go live.
  const document = JSON.parse(readFileSync(new URL('../journeys/loan-nurture.json', import.meta.url), 'utf8')) as unknown;
  const journey = await engine.createJourney(document);
  await engine.setStatus(journey.id, 'active');
  log(`Journey "${journey.name}" (${journey.id}) is active; ${journey.stepCount} steps, maxDuration ${journey.maxDuration} days.`);

  // Day 0: enroll everyone; the engine decides an offer and sends the first email.
  const enrolled = await engine.enroll(journey.id, { customerIds: CUSTOMERS.map((c) => c.id) });
  log(`Enrolled ${enrolled.enrolled.map((e) => e.customerId).join(', ')}.`);
  log('\nDeliveries:');
  await engine.runDue();

  // Day 1: the customers respond to the first email (Cleo ignores it).
  clock.advance('1d');
  for (const customer of CUSTOMERS) {
    if (customer.response === null) continue;
    await engine.recordOutcome({ customerId: customer.id, journeyId: journey.id, type: customer.response, idempotencyKey: `${customer.id}:first-email` });
  }

  // The rest of the journey: jump from wake-up to wake-up, running what is due, until none is left.
  for (let next = await engine.nextWakeAt(); next !== null; next = await engine.nextWakeAt()) {
    clock.set(next);
    await engine.runDue();
  }
  clock.set(start + 21 * 86_400_000);
  await engine.runDue();

  log(`\nTimelines (clock now ${iso(clock.now())}):`);
  for (const customer of CUSTOMERS) {
    log(`\n${customer.attributes.name} (${customer.id}), responds: ${customer.response ?? 'never'}`);
    for (const line of timelines[customer.id] ?? []) log(`  ${line.at}  ${(line.stepId ?? '').padEnd(20)}  ${line.what}`);
  }

  const stats = await engine.stats(journey.id);
  log(`\nStats: completed ${stats.completed}, active ${stats.active}, failed ${stats.failed}`);
  for (const step of stats.steps) log(`  ${step.stepId.padEnd(20)} ${step.type.padEnd(7)} entered ${step.entered}  completed ${step.completed}`);
  await engine.close();
  return { timelines, stats };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
