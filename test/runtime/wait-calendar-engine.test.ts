/**
 * Calendar waits through the whole engine on a virtual clock — memory, SQLite and PostgreSQL
 * storage — and through HTTP, `simulate`, `journeys test` and the diagram.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/adapters/http/index.js';
import { checkedHandler } from '../http/openapi-check.js';
import { memoryStorage } from '../../src/adapters/memory/index.js';
import type { ProfileSeed } from '../../src/adapters/testing/memory-profiles.js';
import { sqliteStorage } from '../../src/adapters/sqlite/index.js';
import { testCommand } from '../../src/cli/commands/test.js';
import { journeyDiagram, mermaidText } from '../../src/cli/journey-diagram.js';
import { journeyDocumentSchema } from '../../src/model/schema.js';
import type { Storage } from '../../src/runtime/ports.js';
import { simulate } from '../../src/simulate/simulate.js';
import { fakeIo } from '../cli/cli-io.js';
import { instant } from '../model/calendar/oracle.js';
import { PG_KIND, pgHarness, type PgHarness } from '../storage/pg-harness.js';
import { harness, runUntilIdle } from './engine-helpers.js';
import { journey, T0 } from './helpers.js';

/** Welcome: wait a day, then into the customer's weekday 09:00–17:00; then the renewal reminder three days before the date. */
const welcome = journey(
  [
    { id: 'settle', type: 'wait', config: { duration: 1, unit: 'days', window: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00', timeZone: 'customer.timezone', fallbackTimeZone: 'America/New_York' } } },
    { id: 'hello', type: 'send', config: { channelId: 'email' } },
    { id: 'before_renewal', type: 'wait', config: { untilAttribute: 'renewal_date', offset: { duration: -3, unit: 'days' } } },
    { id: 'remind', type: 'send', config: { channelId: 'email' } },
    { id: 'christmas', type: 'wait', config: { until: '2026-12-24T09:00:00Z' } },
    { id: 'greet', type: 'send', config: { channelId: 'email' } },
  ],
  { maxDuration: 365, status: 'active' },
);

const CUSTOMERS: ProfileSeed[] = [
  { id: 'kolkata', attributes: { timezone: 'Asia/Kolkata', renewal_date: '2026-06-01' } },
  { id: 'bad-zone', attributes: { timezone: 'Mars/Olympus' } },
];

// T0 is Tuesday 2026-03-10 09:00Z.
const EXPECTED: Record<string, { hello: number; remind: number; greet: number }> = {
  // Wednesday 09:00Z is 14:30 IST: inside; reminder at 2026-05-29 00:00Z.
  kolkata: { hello: T0 + 86_400_000, remind: instant('2026-05-29T00:00Z'), greet: instant('2026-12-24T09:00Z') },
  // Falls back to New York: Wednesday 05:00 EDT waits for 09:00 EDT (13:00Z); no renewal date: at once.
  'bad-zone': { hello: instant('2026-03-11T13:00Z'), remind: instant('2026-03-11T13:00Z'), greet: instant('2026-12-24T09:00Z') },
};

async function runWelcome(storage: Storage): Promise<void> {
  const h = harness({ storage, customers: CUSTOMERS });
  const sends: { customer: string; step: string; at: number }[] = [];
  h.engine.events.on('step', ({ enrollment, event }) => {
    if (event.type === 'completed' && event.stepType === 'send') sends.push({ customer: enrollment.customerId, step: event.stepId, at: event.at });
  });
  const { id } = await h.engine.createJourney(welcome);
  await h.engine.enroll(id, { customerIds: CUSTOMERS.map((c) => c.id) });
  await runUntilIdle(h);
  expect(h.channels.sent).toHaveLength(6);
  for (const customer of CUSTOMERS) {
    const mine = sends.filter((s) => s.customer === customer.id);
    expect(mine.map((s) => s.step)).toEqual(['hello', 'remind', 'greet']);
    expect(Object.fromEntries(mine.map((s) => [s.step, s.at]))).toEqual(EXPECTED[customer.id]);
  }
  const stats = await h.engine.stats(id);
  const noted = Object.fromEntries(stats.steps.map((s) => [s.stepId, s.noted]));
  expect(noted['settle']).toEqual({ 'time-zone-fallback:invalid-time-zone': 1 });
  expect(noted['before_renewal']).toEqual({ 'wait-target:missing-attribute': 1 });
  expect(stats.completed).toBe(2);
  await h.engine.close();
}

describe('calendar waits through the engine, on every storage', () => {
  let pg: PgHarness;
  beforeAll(async () => {
    pg = await pgHarness();
  });
  afterAll(async () => {
    await pg.end();
  });

  it('memory: each wait wakes at its instant, fallbacks and missing attributes counted', async () => {
    await runWelcome(memoryStorage());
  });

  it('sqlite: each wait wakes at its instant', async () => {
    await runWelcome(sqliteStorage({ filename: ':memory:' }));
  });

  it(`postgres (${PG_KIND}): each wait wakes at its instant`, async () => {
    const made = await pg.make();
    try {
      await runWelcome(made.storage);
    } finally {
      await made.cleanup().catch(() => {});
    }
  });
});

describe('calendar waits and outside inputs', () => {
  it('an outcome recorded during a windowed wait leaves the wake-up computed on entering', async () => {
    const h = harness({ storage: memoryStorage(), customers: [{ id: 'c', attributes: { timezone: 'Asia/Kolkata' } }] });
    const doc = journey(
      [
        { id: 'office', type: 'wait', config: { duration: 30, unit: 'hours', window: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00', timeZone: 'customer.timezone' } } },
        { id: 'hello', type: 'send', config: { channelId: 'email' } },
      ],
      { maxDuration: 30, status: 'active' },
    );
    const { id } = await h.engine.createJourney(doc);
    await h.engine.enroll(id, { customerIds: ['c'] });
    await h.engine.runDue();
    // T0 (Tuesday 14:30 IST) + 30 hours = Wednesday 20:30 IST: closed → Thursday 09:00 IST = 03:30Z.
    const wake = instant('2026-03-12T03:30Z');
    expect(await h.engine.nextWakeAt()).toBe(wake);
    h.clock.set(T0 + 3_600_000);
    await h.engine.recordOutcome({ customerId: 'c', journeyId: id, type: 'click', idempotencyKey: 'o1', at: h.clock.now() });
    await h.engine.runDue();
    expect(await h.engine.nextWakeAt()).toBe(wake);
    await runUntilIdle(h);
    expect(h.channels.sent).toHaveLength(1);
    expect(h.clock.now()).toBe(wake);
  });
});

describe('calendar waits through the engine API and HTTP', () => {
  it('warns until-in-the-past against the engine clock when a journey is created', async () => {
    const h = harness();
    // T0 is 2026-03-10T09:00Z.
    const past = await h.engine.createJourney(journey([{ id: 'w', type: 'wait', config: { until: '2026-01-01T00:00:00Z' } }], { maxDuration: 365 }));
    expect(past.diagnostics.map((d) => d.code)).toEqual(['until-in-the-past']);
    const soon = await h.engine.createJourney(journey([{ id: 'w', type: 'wait', config: { until: '2026-03-11T00:00:00Z' } }], { maxDuration: 365 }));
    expect(soon.diagnostics).toEqual([]);
    h.clock.set(Date.UTC(2026, 2, 12));
    expect((await h.engine.validate(soon.id)).diagnostics.map((d) => d.code)).toEqual(['until-in-the-past']);
  });

  it('POST /journeys with a bad window answers 400 with the diagnostic at its path, saving nothing', async () => {
    const h = harness();
    const handler = checkedHandler(createHttpHandler(h.engine));
    const doc = journey([{ id: 'w', type: 'wait', config: { duration: 1, unit: 'days', window: { days: ['mon'], from: '09:00', to: '17:00', timeZone: 'Mars/Olympus' } } }]);
    const r = await handler(new Request('http://test.local/api/v1/journeys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(doc) }));
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { code: string; details: { path: unknown[]; diagnostics: { code: string; path: unknown[] }[] } } };
    expect(body.error.code).toBe('invalid-journey');
    expect(body.error.details.path).toEqual(['steps', 0, 'config', 'window', 'timeZone']);
    expect(body.error.details.diagnostics.map((d) => d.code)).toEqual(['invalid-time-zone']);
    const empty = journey([{ id: 'w', type: 'wait', config: { duration: 1, unit: 'days', window: { days: [], from: '09:00', to: '17:00' } } }]);
    const e = await handler(new Request('http://test.local/api/v1/journeys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(empty) }));
    expect(e.status).toBe(400);
    expect(((await e.json()) as { error: { details: { path: unknown[] } } }).error.details.path).toEqual(['steps', 0, 'config', 'window', 'days']);
    expect((await h.engine.listJourneys()).total).toBe(0);
  });
});

describe('calendar waits in simulate, journeys test and the diagram', () => {
  const doc = journey([
    { id: 'w', type: 'wait', config: { until: '2025-12-24T09:00:00Z' } },
    { id: 'office', type: 'wait', config: { duration: 1, unit: 'hours', window: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00', timeZone: 'customer.timezone' } } },
    { id: 's', type: 'send', config: { channelId: 'email' } },
  ]);

  it('simulate: the timeline says why a wait continued at once, and when a windowed wait wakes', async () => {
    // 2026-01-01T00:00Z is Wednesday 19:00 EST; an hour later the office is closed → Thursday 09:00 EST = 14:00Z.
    const result = await simulate(doc, { customer: { id: 'c', attributes: { timezone: 'America/New_York' } } });
    expect(result.status).toBe('completed');
    expect(result.timeline.slice(0, 5)).toEqual([
      { at: '2026-01-01T00:00:00.000Z', stepId: 'w', type: 'entered', detail: { stepType: 'wait', visit: 1 } },
      { at: '2026-01-01T00:00:00.000Z', stepId: 'w', type: 'noted', detail: { note: 'wait-target:past', target: '2025-12-24T09:00:00.000Z' } },
      { at: '2026-01-01T00:00:00.000Z', stepId: 'w', type: 'waited' },
      { at: '2026-01-01T00:00:00.000Z', stepId: 'office', type: 'waiting', detail: { until: '2026-01-01T14:00:00.000Z' } },
      { at: '2026-01-01T14:00:00.000Z', stepId: 'office', type: 'waited' },
    ]);
  });

  it('journeys test prints the note and the fallback zone lines', async () => {
    const io = fakeIo({ 'j.json': JSON.stringify(doc) });
    expect(await testCommand.run(['j.json', '--customer', '{"id":"c","attributes":{"timezone":"Nowhere/Land"}}'], io)).toBe(0);
    expect(io.out).toMatch(/w +noted +wait-target:past target=2025-12-24T09:00:00.000Z/);
    expect(io.out).toMatch(/office +noted +time-zone-fallback:invalid-time-zone zone=Nowhere\/Land used=UTC/);
    expect(io.out).toMatch(/office +waiting/);
  });

  it('the diagram shows each wait\'s summary', () => {
    const text = journeyDiagram(journeyDocumentSchema.parse(doc));
    expect(text).toContain(mermaidText('w: wait until 2025-12-24 09:00 UTC'));
    expect(text).toContain(mermaidText('office: wait 1 hours · Mon–Fri 09:00–17:00 customer.timezone'));
  });
});
