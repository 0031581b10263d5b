/**
 * docs/recipes.md: every recipe journey is a file in examples/journeys that the doc shows verbatim,
 * validates clean, and does what the recipe says — run here through the engine on a virtual clock.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateJourney } from '../../src/validate/validate-journey.js';
import { harness, runUntilIdle } from '../runtime/engine-helpers.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const doc = readFileSync(new URL('../../docs/recipes.md', import.meta.url), 'utf8');
const example = (name: string) => JSON.parse(readFileSync(new URL(`../../examples/journeys/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const RECIPES = ['abandoned-cart.json', 'welcome-weekdays.json', 'ab-test-holdout.json', 'win-back.json'];
const active = (name: string) => ({ ...example(name), status: 'active' });

describe('docs/recipes.md', () => {
  it('shows each recipe journey exactly as the file in examples/journeys holds it', () => {
    const shown = new Map<string, unknown>();
    for (const m of doc.matchAll(/<!-- file: examples\/journeys\/([\w.-]+) -->\s*```json\n([\s\S]*?)```/g)) shown.set(m[1]!, JSON.parse(m[2]!));
    expect([...shown.keys()].sort()).toEqual([...RECIPES].sort());
    for (const name of RECIPES) expect(shown.get(name), name).toEqual(example(name));
  });

  it.each(RECIPES)('%s validates with no error and no warning', (name) => {
    expect(validateJourney(example(name)).diagnostics).toEqual([]);
  });
});

describe('recipe: abandoned cart', () => {
  it('no message for a customer who buys within 4 hours; a reminder, then a discount, for one who does not', async () => {
    const h = harness({
      customers: [{ id: 'quick' }, { id: 'later' }, { id: 'never' }],
      decisions: { df_cart_discount: [{ id: 'ten_percent' }] },
    });
    const { id } = await h.engine.createJourney(active('abandoned-cart.json'));
    for (const customerId of ['quick', 'later', 'never']) await h.engine.ingestEvent({ customerId, type: 'cart_abandoned' });
    await h.engine.runDue();
    h.clock.advance(2 * HOUR);
    await h.engine.ingestEvent({ customerId: 'quick', type: 'purchase', properties: { total: 80 } });
    await runUntilIdle(h, h.clock.now() + 10 * HOUR);
    await h.engine.ingestEvent({ customerId: 'later', type: 'purchase', properties: { total: 120 } });
    await runUntilIdle(h);
    const sent = h.channels.sent.map((s) => `${s.customer.id}:${s.creativeId}${s.offer ? `:${s.offer.id}` : ''}`);
    expect(sent).toEqual(['later:cart_reminder', 'never:cart_reminder', 'never:cart_discount:ten_percent']);
    const stats = await h.engine.stats(id);
    expect(stats.completed).toBe(3);
    expect(stats.goals[0]).toMatchObject({ id: 'purchased', conversions: 2, lastTouch: [{ stepId: 'step_reminder', conversions: 1 }] });
  });
});

describe('recipe: welcome series at 09:00 local time on weekdays', () => {
  /** Weekday and wall-clock time of `ms` in `zone`. */
  const local = (ms: number, zone: string) => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(ms);
    const part = (type: string) => parts.find((p) => p.type === type)!.value;
    return `${part('weekday')} ${part('hour')}:${part('minute')}`;
  };

  it('sends every message at 09:00 on a weekday in the customer’s zone, across the European DST change, with a fallback for a bad zone', async () => {
    const customers = [
      { id: 'la', attributes: { timezone: 'America/Los_Angeles' } },
      { id: 'london', attributes: { timezone: 'Europe/London' } },
      { id: 'kolkata', attributes: { timezone: 'Asia/Kolkata' } },
      { id: 'nowhere', attributes: { timezone: 'Mars/Olympus' } },
    ];
    const h = harness({ customers });
    const times: number[] = [];
    const send = h.channels.send.bind(h.channels);
    h.channels.send = async (request) => {
      times.push(h.clock.now());
      return send(request);
    };
    // Friday 2026-03-27 18:00Z; UK clocks go forward on Sunday 2026-03-29.
    h.clock.set(Date.UTC(2026, 2, 27, 18, 0));
    const { id } = await h.engine.createJourney(active('welcome-weekdays.json'));
    for (const c of customers) await h.engine.ingestEvent({ customerId: c.id, type: 'signed_up' });
    await runUntilIdle(h);
    const zone = { la: 'America/Los_Angeles', london: 'Europe/London', kolkata: 'Asia/Kolkata', nowhere: 'America/New_York' } as Record<string, string>;
    const seen = h.channels.sent.map((s, i) => `${s.customer.id} ${s.creativeId} ${local(times[i]!, zone[s.customer.id]!)}`);
    expect(seen.sort()).toEqual([
      'kolkata tip_1 Tue 09:00',
      'kolkata tip_2 Thu 09:00',
      'kolkata welcome Mon 09:00',
      'la tip_1 Tue 09:00',
      'la tip_2 Thu 09:00',
      'la welcome Mon 09:00',
      'london tip_1 Tue 09:00',
      'london tip_2 Thu 09:00',
      'london welcome Mon 09:00',
      'nowhere tip_1 Tue 09:00',
      'nowhere tip_2 Thu 09:00',
      'nowhere welcome Mon 09:00',
    ]);
    // the bad zone was noted, once per windowed wait
    const first = (await h.engine.stats(id)).steps.find((s) => s.stepId === 'step_at_nine')!;
    expect(first.noted).toEqual({ 'time-zone-fallback:invalid-time-zone': 1 });
    // Monday 09:00 in London is 08:00Z: British Summer Time began on the Sunday in between
    const london = h.channels.sent.findIndex((s) => s.customer.id === 'london' && s.creativeId === 'welcome');
    expect(new Date(times[london]!).toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });
});

describe('recipe: A/B test with a holdout, read from stats', () => {
  it('the stats name the winner: rate, 95% interval and p-value per variant against A', async () => {
    const customers = Array.from({ length: 400 }, (_, i) => ({ id: `cust_${i}` }));
    const h = harness({ customers });
    const { id } = await h.engine.createJourney(active('ab-test-holdout.json'));
    for (let i = 0; i < customers.length; i += 200) await h.engine.enroll(id, { customerIds: customers.slice(i, i + 200).map((c) => c.id) });
    await h.engine.runDue();
    // email B converts one in two, email A one in five, the holdout nobody
    const counters = { loan_plain: 0, loan_rate_first: 0 } as Record<string, number>;
    for (const send of h.channels.sent) {
      const n = counters[send.creativeId!]!++;
      if ((send.creativeId === 'loan_rate_first' && n % 2 === 0) || (send.creativeId === 'loan_plain' && n % 5 === 0)) {
        await h.engine.recordOutcome({ customerId: send.customer.id, type: 'conversion', idempotencyKey: `conv:${send.customer.id}`, sendKey: send.idempotencyKey });
      }
    }
    // #region read-stats
    const stats = await h.engine.stats(id);
    const [a, b, holdout] = stats.goals[0]!.byVariant[0]!.variants;
    // #endregion read-stats
    expect(a!.label).toBe('A');
    expect(b!.rate!).toBeGreaterThan(a!.rate!);
    expect(b!.pValue!).toBeLessThan(0.001);
    expect(b!.interval!.low).toBeGreaterThan(a!.interval!.high);
    expect(holdout).toMatchObject({ label: 'Holdout', converted: 0, rate: 0 });
    expect(a!.assigned + b!.assigned + holdout!.assigned).toBe(400);
    expect(holdout!.assigned).toBeGreaterThan(20);
    expect(holdout!.assigned).toBeLessThan(65);
    expect(doc).toContain('const [a, b, holdout] = stats.goals[0].byVariant[0].variants;');
  });
});

describe('recipe: win-back with reEntryAfterDays', () => {
  it('an offer, a last chance by SMS, and no second win-back for 30 days after the first ended', async () => {
    const h = harness({ customers: [{ id: 'c1', segments: ['lapsed'] }], decisions: { df_win_back: [{ id: 'free_month' }] } });
    const { id } = await h.engine.createJourney(active('win-back.json'));
    expect((await h.engine.enroll(id, { customerId: 'c1' })).enrolled).toHaveLength(1);
    await runUntilIdle(h);
    expect(h.channels.sent.map((s) => `${s.channelId}:${s.creativeId}:${s.offer?.id}`)).toEqual(['ch_email:we_miss_you:free_month', 'ch_sms:last_chance:free_month']);
    const ended = h.clock.now();
    h.clock.advance(10 * DAY);
    const refused = await h.engine.enroll(id, { customerId: 'c1' });
    expect(refused.skipped).toEqual([expect.objectContaining({ customerId: 'c1', reason: 're-entry-too-soon' })]);
    const why = await h.engine.explainEntry(id, 'c1');
    expect(why.canEnter).toBe(false);
    expect(why.rules.filter((r) => r.status === 'failed')).toEqual([expect.objectContaining({ rule: 're-entry-after-days' })]);
    h.clock.set(ended + 30 * DAY);
    expect((await h.engine.explainEntry(id, 'c1')).canEnter).toBe(true);
    expect((await h.engine.enroll(id, { customerId: 'c1' })).enrolled).toHaveLength(1);
  });

  it('a purchase while waiting wins the customer back: the goal ends the journey', async () => {
    const h = harness({ customers: [{ id: 'c1', segments: ['lapsed'] }], decisions: { df_win_back: [{ id: 'free_month' }] } });
    const { id } = await h.engine.createJourney(active('win-back.json'));
    const { enrolled } = await h.engine.enroll(id, { customerId: 'c1' });
    await h.engine.runDue();
    h.clock.advance(DAY);
    await h.engine.ingestEvent({ customerId: 'c1', type: 'purchase' });
    expect(await h.engine.getEnrollment(enrolled[0]!.enrollmentId)).toMatchObject({ status: 'exited', exitReason: 'goal:won_back' });
    expect(h.channels.sent).toHaveLength(1);
  });
});
