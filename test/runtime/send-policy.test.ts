/**
 * Send policies through the engine (docs/send-policies.md): quiet hours in the customer's zone
 * (across DST changes), frequency caps counted across journeys on every storage, `onCapped`,
 * `local-day`, priority, `bypassPolicy`, rate limits; and what a deferral looks like in events,
 * stats, `simulate` and `journeys test`.
 */
import { describe, expect, it } from 'vitest';
import type { ProfileSeed } from '../../src/adapters/testing/memory-profiles.js';
import { testCommand } from '../../src/cli/commands/test.js';
import type { SendPolicy } from '../../src/model/send-policy.js';
import type { EngineEvents } from '../../src/runtime/events.js';
import { simulate } from '../../src/simulate/simulate.js';
import { fakeIo } from '../cli/cli-io.js';
import { harness, runUntilIdle, type Harness } from './engine-helpers.js';
import { DAY, HOUR, journey, T0 } from './helpers.js';
import { STORAGE_KINDS } from './storages.js';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const QUIET: SendPolicy = { quietHours: { from: '21:00', to: '08:00', timeZone: 'customer.timezone', fallbackTimeZone: 'UTC' } };
const oneSend = (extra: Record<string, unknown> = {}) => journey([{ id: 'hello', type: 'send', config: { channelId: 'ch_email', ...extra } }], { status: 'active' });

/** Each send's instant (from the effect log's `sent` events) by customer. */
function recordSends(h: Harness): Array<{ customer: string; key: string; at: number; journeyId: string }> {
  const sends: Array<{ customer: string; key: string; at: number; journeyId: string }> = [];
  h.engine.events.on('sent', ({ enrollment, idempotencyKey }) => sends.push({ customer: enrollment.customerId, key: idempotencyKey, at: h.clock.now(), journeyId: enrollment.journeyId }));
  return sends;
}

describe('quiet hours', () => {
  it('defers a send to the end of the quiet period in the customer zone, with the same key; noted, emitted, counted', async () => {
    // T0 is 2026-03-10 09:00Z: 14:30 in Kolkata (not quiet), 22:00 in Auckland (quiet until 08:00 NZDT = 19:00Z).
    const customers: ProfileSeed[] = [{ id: 'kolkata', attributes: { timezone: 'Asia/Kolkata' } }, { id: 'auckland', attributes: { timezone: 'Pacific/Auckland' } }];
    const h = harness({ customers, engine: { sendPolicy: QUIET } });
    const sends = recordSends(h);
    const deferred: EngineEvents['deferred'][] = [];
    h.engine.events.on('deferred', (e) => deferred.push(e));
    const { id } = await h.engine.createJourney(oneSend());
    await h.engine.enroll(id, { customerIds: ['kolkata', 'auckland'] });
    await runUntilIdle(h);
    expect(sends.map((s) => [s.customer, s.at])).toEqual([['kolkata', T0], ['auckland', Date.UTC(2026, 2, 10, 19)]]);
    expect(deferred).toHaveLength(1);
    expect(deferred[0]).toMatchObject({ stepId: 'hello', reason: 'quiet-hours', until: Date.UTC(2026, 2, 10, 19), detail: { timeZone: 'Pacific/Auckland' } });
    const auckland = sends.find((s) => s.customer === 'auckland')!;
    expect(auckland.key).toBe(`${deferred[0]!.enrollment.id}:hello:1`);
    expect(h.channels.sent.filter((s) => s.customer.id === 'auckland')).toHaveLength(1);
    const stats = await h.engine.stats(id);
    expect(stats.steps.find((s) => s.stepId === 'hello')!.noted).toEqual({ 'deferred:quiet-hours': 1 });
    await h.engine.close();
  });

  it('ends at 08:00 local across the DST changes of New York and London (spring forward and fall back)', async () => {
    const cases = [
      // New York springs forward on 2026-03-08: 23:00 EST on the 7th → 08:00 EDT (12:00Z).
      { zone: 'America/New_York', at: Date.UTC(2026, 2, 8, 4), end: Date.UTC(2026, 2, 8, 12) },
      // New York falls back on 2026-11-01: 22:00 EDT on Oct 31 → 08:00 EST (13:00Z).
      { zone: 'America/New_York', at: Date.UTC(2026, 10, 1, 2), end: Date.UTC(2026, 10, 1, 13) },
      // London springs forward on 2026-03-29: 23:00 GMT on the 28th → 08:00 BST (07:00Z).
      { zone: 'Europe/London', at: Date.UTC(2026, 2, 28, 23), end: Date.UTC(2026, 2, 29, 7) },
      // London falls back on 2026-10-25: 00:30 BST → 08:00 GMT (08:00Z).
      { zone: 'Europe/London', at: Date.UTC(2026, 9, 24, 23, 30), end: Date.UTC(2026, 9, 25, 8) },
    ];
    for (const c of cases) {
      const h = harness({ start: c.at, customers: [{ id: 'c', attributes: { timezone: c.zone } }], engine: { sendPolicy: QUIET } });
      const sends = recordSends(h);
      const { id } = await h.engine.createJourney(oneSend());
      await h.engine.enroll(id, { customerId: 'c' });
      await runUntilIdle(h);
      expect(sends.map((s) => new Date(s.at).toISOString()), `${c.zone} ${new Date(c.at).toISOString()}`).toEqual([new Date(c.end).toISOString()]);
      await h.engine.close();
    }
  });

  it('a missing zone uses the fallback; bypassPolicy sends at once', async () => {
    const h = harness({ customers: [{ id: 'nozone', attributes: {} }], engine: { sendPolicy: { quietHours: { from: '08:00', to: '10:00', timeZone: 'customer.timezone' } } } });
    const sends = recordSends(h);
    const quiet = await h.engine.createJourney(oneSend());
    const urgent = await h.engine.createJourney(journey([{ id: 'otp', type: 'send', config: { channelId: 'ch_sms', bypassPolicy: true } }], { status: 'active' }));
    await h.engine.enroll(quiet.id, { customerId: 'nozone' });
    await h.engine.enroll(urgent.id, { customerId: 'nozone' });
    await runUntilIdle(h);
    // 09:00Z is quiet in UTC (08:00–10:00): the journey's send waits to 10:00Z, the OTP goes now.
    expect(sends.map((s) => [s.journeyId, s.at])).toEqual([[urgent.id, T0], [quiet.id, T0 + HOUR]]);
    await h.engine.close();
  });
});

describe('frequency caps across journeys', () => {
  const threeJourneys = async (h: Harness, priorities: number[] = [0, 0, 0]) => {
    const ids: string[] = [];
    for (const [i, priority] of priorities.entries()) {
      const { id } = await h.engine.createJourney(journey([{ id: `s${i}`, type: 'send', config: { channelId: 'ch_email', priority } }, { id: `after${i}`, type: 'update', config: { operations: [{ type: 'set_flag', flag: 'done' }] } }], { status: 'active', name: `J${i}` }));
      ids.push(id);
    }
    return ids;
  };

  for (const kind of STORAGE_KINDS) {
    it(`${kind.name}: a cap of one a day lets one of three journeys send; the others are deferred until the cap frees`, async () => {
      const h = harness({ storage: await kind.make(), customers: [{ id: 'c1' }], engine: { sendPolicy: { caps: [{ max: 1, per: { duration: 1, unit: 'days' } }] } } });
      const sends = recordSends(h);
      const ids = await threeJourneys(h);
      for (const id of ids) await h.engine.enroll(id, { customerId: 'c1' });
      await runUntilIdle(h);
      expect(sends).toHaveLength(3);
      const times = sends.map((s) => s.at).sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(DAY);
      const noted = (await Promise.all(ids.map((id) => h.engine.stats(id)))).map((s) => s.steps[0]!.noted['deferred:cap'] ?? 0);
      expect(noted.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);
      // Every send kept its key: one per enrollment, never repeated.
      expect(new Set(h.channels.sent.map((s) => s.idempotencyKey)).size).toBe(3);
      await h.engine.close();
    });

    it(`${kind.name}: onCapped skip drops the capped sends and the journeys go on (skipped:cap)`, async () => {
      const h = harness({ storage: await kind.make(), customers: [{ id: 'c1' }], engine: { sendPolicy: { caps: [{ channelId: 'ch_email', max: 1, per: { duration: 7, unit: 'days' } }], onCapped: 'skip' } } });
      const ids = await threeJourneys(h);
      for (const id of ids) await h.engine.enroll(id, { customerId: 'c1' });
      await runUntilIdle(h);
      expect(h.channels.sent).toHaveLength(1);
      const stats = await Promise.all(ids.map((id) => h.engine.stats(id)));
      expect(stats.map((s) => s.completed)).toEqual([1, 1, 1]);
      expect(stats.map((s) => s.steps[0]!.skipped['cap'] ?? 0).sort()).toEqual([0, 1, 1]);
      await h.engine.close();
    });
  }

  it('counts per channel: a cap on ch_email leaves ch_sms alone', async () => {
    const h = harness({ customers: [{ id: 'c1' }], engine: { sendPolicy: { caps: [{ channelId: 'ch_email', max: 1, per: { duration: 1, unit: 'days' } }] } } });
    const sends = recordSends(h);
    const a = await h.engine.createJourney(oneSend());
    const b = await h.engine.createJourney(journey([{ id: 'sms', type: 'send', config: { channelId: 'ch_sms' } }], { status: 'active' }));
    await h.engine.enroll(a.id, { customerId: 'c1' });
    await h.engine.enroll(b.id, { customerId: 'c1' });
    await h.engine.runDue();
    expect(sends.map((s) => s.at)).toEqual([T0, T0]);
    await h.engine.close();
  });

  it('when the cap frees, the higher-priority journey sends first', async () => {
    const h = harness({ customers: [{ id: 'c1' }], engine: { sendPolicy: { caps: [{ max: 1, per: { duration: 1, unit: 'days' } }] } } });
    const sends = recordSends(h);
    const first = await h.engine.createJourney(oneSend());
    const low = await h.engine.createJourney(journey([{ id: 'low', type: 'send', config: { channelId: 'ch_email', priority: 1 } }], { status: 'active' }));
    const high = await h.engine.createJourney(journey([{ id: 'high', type: 'send', config: { channelId: 'ch_email', priority: 9 } }], { status: 'active' }));
    await h.engine.enroll(first.id, { customerId: 'c1' });
    await h.engine.runDue();
    await h.engine.enroll(low.id, { customerId: 'c1' });
    await h.engine.enroll(high.id, { customerId: 'c1' });
    await runUntilIdle(h);
    expect(sends.map((s) => s.journeyId)).toEqual([first.id, high.id, low.id]);
    await h.engine.close();
  });

  it('a local-day cap frees at the customer\'s next local midnight', async () => {
    // T0 09:00Z is 14:30 in Kolkata; the next local midnight is 18:30Z.
    const h = harness({ customers: [{ id: 'c1', attributes: { timezone: 'Asia/Kolkata' } }], engine: { sendPolicy: { caps: [{ max: 1, per: { duration: 1, unit: 'days' }, calendar: 'local-day' }] } } });
    const sends = recordSends(h);
    const a = await h.engine.createJourney(oneSend());
    const b = await h.engine.createJourney(oneSend());
    await h.engine.enroll(a.id, { customerId: 'c1' });
    await h.engine.enroll(b.id, { customerId: 'c1' });
    await runUntilIdle(h);
    const midnight = Date.UTC(2026, 2, 10, 18, 30);
    expect(sends.map((s) => s.at)).toEqual([T0, midnight + 10 * 1000]);
    await h.engine.close();
  });

  it('a failed send gives its slot back: the retry and the other journeys still count right', async () => {
    let failures = 1;
    const h = harness({
      customers: [{ id: 'c1' }],
      channels: { fail: () => (failures-- > 0 ? new Error('provider down') : undefined) },
      engine: { sendPolicy: { caps: [{ max: 1, per: { duration: 1, unit: 'days' } }] }, retry: { maxAttempts: 3, initialDelayMs: 60_000 } },
    });
    const sends = recordSends(h);
    const a = await h.engine.createJourney(oneSend());
    const b = await h.engine.createJourney(oneSend());
    await h.engine.enroll(a.id, { customerId: 'c1' });
    await h.engine.enroll(b.id, { customerId: 'c1' });
    await runUntilIdle(h);
    // a failed (slot released), so b took the day's slot at once; a's retry was deferred a day.
    expect(sends.map((s) => [s.journeyId, s.at])).toEqual([[b.id, T0], [a.id, T0 + DAY + 10_000]]);
    await h.engine.close();
  });
});

describe('rate limits', () => {
  it('keeps a channel under perSecond: sends at least 1000/perSecond ms apart, each with its own key once', async () => {
    const customers = Array.from({ length: 6 }, (_, i) => ({ id: `c${i}` }));
    const h = harness({ customers, engine: { sendPolicy: { rateLimits: [{ channelId: 'ch_sms', perSecond: 2 }] } } });
    const sends = recordSends(h);
    const { id } = await h.engine.createJourney(journey([{ id: 'sms', type: 'send', config: { channelId: 'ch_sms' } }], { status: 'active' }));
    await h.engine.enroll(id, { customerIds: customers.map((c) => c.id) });
    await runUntilIdle(h);
    expect(sends.map((s) => s.at - T0)).toEqual([0, 500, 1000, 1500, 2000, 2500]);
    expect(new Set(h.channels.sent.map((s) => s.idempotencyKey)).size).toBe(6);
    const stats = await h.engine.stats(id);
    expect(stats.steps[0]!.noted['deferred:rate-limit']).toBeGreaterThanOrEqual(5);
  });
});

describe('the policy option', () => {
  it('refuses a malformed policy with the path of the problem', () => {
    expect(() => harness({ engine: { sendPolicy: { caps: [{ max: 0, per: { duration: 1, unit: 'days' } }] } as never } })).toThrow(expect.objectContaining({ code: 'invalid-option', path: ['sendPolicy', 'caps', 0, 'max'] }));
    expect(() => harness({ engine: { sendPolicy: { quietHours: { from: '25:00', to: '08:00' } } } })).toThrow(expect.objectContaining({ code: 'invalid-option' }));
    expect(() => harness({ engine: { sendPolicy: { caps: [{ max: 1, per: { duration: 2, unit: 'days' }, calendar: 'local-day' }] } } })).toThrow(expect.objectContaining({ code: 'invalid-option', path: ['sendPolicy', 'caps', 0, 'per'] }));
  });
});

describe('what a marketer sees before going live', () => {
  const policy: SendPolicy = { quietHours: { from: '21:00', to: '08:00', timeZone: 'customer.timezone' }, caps: [{ channelId: 'ch_email', max: 1, per: { duration: 1, unit: 'days' } }] };
  const twoEmails = journey([
    { id: 'first', type: 'send', config: { channelId: 'ch_email' } },
    { id: 'second', type: 'send', config: { channelId: 'ch_email' } },
  ]);

  it('simulate shows each deferral as a timeline line', async () => {
    const result = await simulate(twoEmails, { start: '2026-03-10T22:00:00Z', customer: { attributes: { timezone: 'Europe/London' } }, sendPolicy: policy });
    const lines = result.timeline.filter((t) => t.type === 'deferred' || t.type === 'sent').map((t) => [t.at, t.stepId, t.type, t.detail?.['reason'] ?? '', t.detail?.['until'] ?? '']);
    expect(lines).toEqual([
      ['2026-03-10T22:00:00.000Z', 'first', 'deferred', 'quiet-hours', '2026-03-11T08:00:00.000Z'],
      ['2026-03-11T08:00:00.000Z', 'first', 'sent', '', ''],
      ['2026-03-11T08:00:00.000Z', 'second', 'deferred', 'cap', '2026-03-12T08:00:10.000Z'],
      ['2026-03-12T08:00:10.000Z', 'second', 'sent', '', ''],
    ]);
    expect(result.status).toBe('completed');
  });

  it('journeys test --policy prints "deferred: quiet-hours until …" and "skipped cap ch_email 1/1d"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'je-policy-'));
    writeFileSync(join(dir, 'j.json'), JSON.stringify(twoEmails));
    writeFileSync(join(dir, 'p.json'), JSON.stringify({ ...policy, onCapped: 'skip' }));
    const io = fakeIo();
    const code = await testCommand.run([join(dir, 'j.json'), '--start', '2026-03-10T22:00:00Z', '--policy', join(dir, 'p.json')], io);
    expect(code).toBe(0);
    const out = io.out;
    expect(out).toMatch(/first\s+deferred\s+quiet-hours until 2026-03-11 08:00:00Z/);
    expect(out).toMatch(/second\s+skipped\s+cap ch_email 1\/1d/);
    expect(out).toContain('result: completed');
  });
});
