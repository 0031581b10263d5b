/**
 * A journey's own send policy (the document's top-level `sendPolicy`, docs/send-policies.md):
 * its schema diagnostics, that its rules apply to the journey's sends besides the engine's (which
 * a journey can never loosen), and that it survives storage and versions on every storage.
 */
import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/adapters/memory/index.js';
import type { SendSlotRequest, Storage } from '../../src/runtime/ports.js';
import { simulate } from '../../src/simulate/simulate.js';
import { validateJourney } from '../../src/validate/validate-journey.js';
import type { EngineEvents } from '../../src/runtime/events.js';
import { harness, runUntilIdle, type Harness } from './engine-helpers.js';
import { DAY, HOUR, journey, T0 } from './helpers.js';
import { STORAGE_KINDS } from './storages.js';

const twoSends = (extra: Record<string, unknown> = {}) =>
  journey(
    [
      { id: 'first', type: 'send', config: { channelId: 'ch_email' } },
      { id: 'second', type: 'send', config: { channelId: 'ch_email' } },
    ],
    { status: 'active', ...extra },
  );

function sendTimes(h: Harness): Array<{ journeyId: string; stepId: string; at: number }> {
  const sends: Array<{ journeyId: string; stepId: string; at: number }> = [];
  h.engine.events.on('sent', ({ enrollment, stepId }) => sends.push({ journeyId: enrollment.journeyId, stepId, at: h.clock.now() }));
  return sends;
}

describe('the journey-level sendPolicy in the document', () => {
  const codesOf = (sendPolicy: unknown) =>
    validateJourney(journey([{ id: 's', type: 'send', config: { channelId: 'ch_email' } }], { sendPolicy })).diagnostics.map((d) => [d.code, d.path]);

  it('is checked with paths: zones are invalid-time-zone, rate limits are the engine\'s only, the usual field checks', () => {
    expect(codesOf({ quietHours: { from: '21:00', to: '08:00', timeZone: 'Mars/Base' } })).toEqual([['invalid-time-zone', ['sendPolicy', 'quietHours', 'timeZone']]]);
    expect(codesOf({ caps: [{ max: 1, per: { duration: 1, unit: 'days' }, calendar: 'local-day', fallbackTimeZone: 'customer.tz' }] })).toEqual([
      ['invalid-time-zone', ['sendPolicy', 'caps', 0, 'fallbackTimeZone']],
    ]);
    expect(codesOf({ rateLimits: [{ channelId: 'ch_sms', perSecond: 1 }] })).toEqual([['unknown-field', ['sendPolicy', 'rateLimits']]]);
    expect(codesOf({ caps: [{ max: 1, per: { duration: 2, unit: 'days' }, calendar: 'local-day' }] })).toEqual([['invalid-field', ['sendPolicy', 'caps', 0, 'per']]]);
    expect(codesOf({ priority: 11 })).toEqual([['invalid-field', ['sendPolicy', 'priority']]]);
    expect(codesOf({ caps: [{ max: 1, per: { duration: 32, unit: 'days' } }] })).toEqual([['invalid-field', ['sendPolicy', 'caps', 0, 'per']]]);
    expect(codesOf({ quietHours: { from: '21:00', to: '08:00', timeZone: 'customer.timezone' }, caps: [{ channelId: 'ch_email', max: 2, per: { duration: 3, unit: 'days' } }], onCapped: 'skip', priority: 4 })).toEqual([]);
  });

  it("quiet hours add to the engine's: a send goes when neither is quiet", async () => {
    // 22:00 UTC: the engine's quiet hours end at 08:00, the journey's (07:00–10:00) at 10:00.
    const start = Date.UTC(2026, 2, 10, 22);
    const h = harness({ start, customers: [{ id: 'c', attributes: { timezone: 'UTC' } }], engine: { sendPolicy: { quietHours: { from: '21:00', to: '08:00' } } } });
    const sends = sendTimes(h);
    const deferred: EngineEvents['deferred'][] = [];
    h.engine.events.on('deferred', (e) => deferred.push(e));
    const quiet = await h.engine.createJourney(journey([{ id: 's', type: 'send', config: { channelId: 'ch_email' } }], { status: 'active', sendPolicy: { quietHours: { from: '07:00', to: '10:00', timeZone: 'UTC' } } }));
    const plain = await h.engine.createJourney(journey([{ id: 's', type: 'send', config: { channelId: 'ch_email' } }], { status: 'active' }));
    await h.engine.enroll(quiet.id, { customerId: 'c' });
    await h.engine.enroll(plain.id, { customerId: 'c' });
    await runUntilIdle(h);
    expect(sends.map((s) => [s.journeyId, s.at])).toEqual([[plain.id, Date.UTC(2026, 2, 11, 8)], [quiet.id, Date.UTC(2026, 2, 11, 10)]]);
    expect(deferred.find((d) => d.enrollment.journeyId === quiet.id)).toMatchObject({ reason: 'quiet-hours', until: Date.UTC(2026, 2, 11, 10), detail: { timeZone: 'UTC' } });
    await h.engine.close();
  });

  it('its quiet hours apply without an engine policy, and its zone defaults to customer.timezone', async () => {
    const h = harness({ customers: [{ id: 'ny', attributes: { timezone: 'America/New_York' } }] });
    const sends = sendTimes(h);
    // T0 = 09:00Z = 05:00 EDT: quiet 00:00–07:00 in New York ends at 11:00Z.
    const { id } = await h.engine.createJourney(journey([{ id: 's', type: 'send', config: { channelId: 'ch_email' } }], { status: 'active', sendPolicy: { quietHours: { from: '00:00', to: '07:00' } } }));
    await h.engine.enroll(id, { customerId: 'ny' });
    await runUntilIdle(h);
    expect(sends.map((s) => s.at)).toEqual([T0 + 2 * HOUR]);
    await h.engine.close();
  });

  it("its priority is the default of its send steps (a step's own priority wins)", async () => {
    const h = harness({ customers: [{ id: 'c' }], engine: { sendPolicy: { caps: [{ max: 1, per: { duration: 1, unit: 'days' } }] } } });
    const deferred: EngineEvents['deferred'][] = [];
    h.engine.events.on('deferred', (e) => deferred.push(e));
    const first = await h.engine.createJourney(journey([{ id: 's', type: 'send', config: { channelId: 'ch_email' } }], { status: 'active' }));
    const urgent = await h.engine.createJourney(journey([{ id: 's', type: 'send', config: { channelId: 'ch_email' } }], { status: 'active', sendPolicy: { priority: 7 } }));
    const own = await h.engine.createJourney(journey([{ id: 's', type: 'send', config: { channelId: 'ch_email', priority: 2 } }], { status: 'active', sendPolicy: { priority: 7 } }));
    await h.engine.enroll(first.id, { customerId: 'c' });
    await runUntilIdle(h, T0);
    await h.engine.enroll(urgent.id, { customerId: 'c' });
    await h.engine.enroll(own.id, { customerId: 'c' });
    await runUntilIdle(h, T0);
    const until = (journeyId: string) => deferred.find((d) => d.enrollment.journeyId === journeyId)!.until;
    expect(until(urgent.id)).toBe(T0 + DAY + 3 * 1000);
    expect(until(own.id)).toBe(T0 + DAY + 8 * 1000);
    await h.engine.close();
  });

  it('a journey with caps is refused on a host storage that cannot count sends (invalid-journey at sendPolicy.caps)', async () => {
    const memory = memoryStorage();
    const hostStorage = new Proxy(memory, {
      get: (target, key) => {
        if (key === 'reserveSendSlot') return undefined;
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) as Storage;
    const h = harness({ storage: hostStorage, customers: [{ id: 'c' }] });
    await expect(h.engine.createJourney(twoSends({ sendPolicy: { caps: [{ max: 1, per: { duration: 1, unit: 'days' } }] } }))).rejects.toMatchObject({ code: 'invalid-journey', path: ['sendPolicy', 'caps'] });
    // Quiet hours and priority need no counting.
    await expect(h.engine.createJourney(twoSends({ sendPolicy: { priority: 2, quietHours: { from: '21:00', to: '08:00' } } }))).resolves.toMatchObject({ status: 'active' });
    await h.engine.close();
  });

  it('simulate applies the journey\'s policy from the document, besides its own sendPolicy option', async () => {
    const doc = twoSends({ sendPolicy: { caps: [{ channelId: 'ch_email', max: 1, per: { duration: 1, unit: 'days' } }], priority: 10 } });
    const result = await simulate(doc, { start: '2026-03-10T22:00:00Z', customer: { attributes: { timezone: 'Europe/London' } }, sendPolicy: { quietHours: { from: '21:00', to: '08:00' } } });
    const lines = result.timeline.filter((t) => t.type === 'deferred' || t.type === 'sent').map((t) => [t.at, t.stepId, t.type, t.detail?.['reason'] ?? '', t.detail?.['until'] ?? '']);
    expect(lines).toEqual([
      ['2026-03-10T22:00:00.000Z', 'first', 'deferred', 'quiet-hours', '2026-03-11T08:00:00.000Z'],
      ['2026-03-11T08:00:00.000Z', 'first', 'sent', '', ''],
      ['2026-03-11T08:00:00.000Z', 'second', 'deferred', 'cap', '2026-03-12T08:00:00.000Z'],
      ['2026-03-12T08:00:00.000Z', 'second', 'sent', '', ''],
    ]);
  });

  it('priority orders the sends a cap deferred, without reserving a place: a fresh send that finds the cap free takes it, the waiting one is deferred again', async () => {
    const h = harness({ customers: [{ id: 'c', attributes: { timezone: 'UTC' } }], engine: { sendPolicy: { caps: [{ max: 1, per: { duration: 1, unit: 'days' } }] } } });
    const sends = sendTimes(h);
    const deferred: EngineEvents['deferred'][] = [];
    h.engine.events.on('deferred', (e) => deferred.push(e));
    const one = (priority: number) => journey([{ id: 's', type: 'send', config: { channelId: 'ch_email', priority } }], { status: 'active' });
    const first = await h.engine.createJourney(one(0));
    const high = await h.engine.createJourney(one(5));
    const fresh = await h.engine.createJourney(one(0));
    await h.engine.enroll(first.id, { customerId: 'c' });
    await h.engine.enroll(high.id, { customerId: 'c' });
    await runUntilIdle(h, T0);
    // The cap frees at T0 + 1 day; the priority-5 send wakes 5 s later. A send enrolled 1 s after the cap freed is not deferred: it takes the place.
    await runUntilIdle(h, T0 + DAY + 1000);
    h.clock.set(T0 + DAY + 1000);
    await h.engine.enroll(fresh.id, { customerId: 'c' });
    await runUntilIdle(h);
    expect(sends.map((s) => [s.journeyId, s.at])).toEqual([[first.id, T0], [fresh.id, T0 + DAY + 1000], [high.id, T0 + 2 * DAY + 1000 + 5000]]);
    expect(deferred.filter((d) => d.enrollment.journeyId === high.id).map((d) => d.until)).toEqual([T0 + DAY + 5000, T0 + 2 * DAY + 1000 + 5000]);
    await h.engine.close();
  });

  it('priority does not move a quiet-hours deferral', async () => {
    const h = harness({ start: Date.UTC(2026, 2, 10, 22), customers: [{ id: 'c', attributes: { timezone: 'UTC' } }], engine: { sendPolicy: { quietHours: { from: '21:00', to: '08:00' } } } });
    const deferred: EngineEvents['deferred'][] = [];
    h.engine.events.on('deferred', (e) => deferred.push(e));
    for (const priority of [0, 10]) {
      const { id } = await h.engine.createJourney(journey([{ id: 's', type: 'send', config: { channelId: 'ch_email', priority } }], { status: 'active' }));
      await h.engine.enroll(id, { customerId: 'c' });
    }
    await runUntilIdle(h, Date.UTC(2026, 2, 10, 23));
    expect(deferred.map((d) => d.until)).toEqual([Date.UTC(2026, 2, 11, 8), Date.UTC(2026, 2, 11, 8)]);
    await h.engine.close();
  });

  it('every reservation asks storage to prune the slots older than the longest window any cap may count, plus two days', async () => {
    const memory = memoryStorage();
    const requests: SendSlotRequest[] = [];
    const spy = new Proxy(memory, {
      get: (target, key) => {
        const value: unknown = Reflect.get(target, key);
        if (key === 'reserveSendSlot') return (request: SendSlotRequest) => (requests.push(request), memory.reserveSendSlot!(request));
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) as Storage;
    const h = harness({ storage: spy, customers: [{ id: 'c' }], engine: { sendPolicy: { caps: [{ max: 5, per: { duration: 60, unit: 'days' } }] } } });
    const short = await h.engine.createJourney(twoSends({ sendPolicy: { caps: [{ max: 5, per: { duration: 1, unit: 'hours' } }] } }));
    await h.engine.enroll(short.id, { customerId: 'c' });
    await runUntilIdle(h);
    expect(requests).toHaveLength(2);
    // The engine's 60 days is the longest (a journey's caps count at most 31 days), plus the 2-day margin.
    for (const r of requests) {
      expect(r.pruneBefore).toBe(r.now - 62 * DAY);
      for (const cap of r.caps) expect(cap.since).toBeGreaterThan(r.pruneBefore!);
    }
    await h.engine.close();
  });

  for (const kind of STORAGE_KINDS) {
    it(`${kind.name}: its caps apply to its own sends only, the engine's hold across journeys and cannot be loosened`, async () => {
      const h = harness({ storage: await kind.make(), customers: [{ id: 'c' }], engine: { sendPolicy: { caps: [{ channelId: 'ch_email', max: 3, per: { duration: 1, unit: 'days' } }] } } });
      const sends = sendTimes(h);
      // The journey allows one email a day from its own sends' point of view (counted across journeys), and tries to
      // loosen the engine's cap with a cap of 10: the engine's 3/day still holds.
      const strict = await h.engine.createJourney(twoSends({ sendPolicy: { caps: [{ channelId: 'ch_email', max: 1, per: { duration: 1, unit: 'days' } }, { max: 10, per: { duration: 1, unit: 'days' } }] } }));
      const plain = await h.engine.createJourney(journey([
        { id: 'a', type: 'send', config: { channelId: 'ch_email' } },
        { id: 'b', type: 'send', config: { channelId: 'ch_email' } },
        { id: 'c', type: 'send', config: { channelId: 'ch_email' } },
        { id: 'd', type: 'send', config: { channelId: 'ch_email' } },
      ], { status: 'active' }));
      await h.engine.enroll(strict.id, { customerId: 'c' });
      await runUntilIdle(h, T0);
      await h.engine.enroll(plain.id, { customerId: 'c' });
      await runUntilIdle(h, T0);
      // At T0: the strict journey's first send, then the plain journey's a and b (engine cap 3 reached).
      expect(sends.map((s) => [s.journeyId, s.stepId])).toEqual([[strict.id, 'first'], [plain.id, 'a'], [plain.id, 'b']]);
      const stats = await h.engine.stats(strict.id);
      expect(stats.steps.find((s) => s.stepId === 'second')!.noted).toEqual({ 'deferred:cap': 1 });
      await runUntilIdle(h);
      // Never more than 3 emails in any day, and the strict journey's second send waited for a day with fewer than one email before it.
      const times = sends.map((s) => s.at).sort((a, b) => a - b);
      for (let i = 3; i < times.length; i++) expect(times[i]! - times[i - 3]!).toBeGreaterThanOrEqual(DAY);
      const second = sends.find((s) => s.journeyId === strict.id && s.stepId === 'second')!;
      expect(sends.filter((s) => s.at > second.at - DAY && s.at < second.at)).toEqual([]);
      expect(sends).toHaveLength(6);
      await h.engine.close();
    });

    it(`${kind.name}: it survives storage and versions (a new version's policy applies to new enrollments, an old enrollment keeps its own)`, async () => {
      const storage = await kind.make();
      const h = harness({ storage, customers: [{ id: 'old' }, { id: 'new' }] });
      const v1Policy = { caps: [{ channelId: 'ch_email', max: 1, per: { duration: 1, unit: 'days' } }], onCapped: 'skip' as const };
      const { id } = await h.engine.createJourney(twoSends({ sendPolicy: v1Policy }));
      expect((await h.engine.getJourney(id))!.sendPolicy).toEqual(v1Policy);
      expect((await storage.getJourney('default', id))!.sendPolicy).toEqual(v1Policy);
      expect((await storage.getJourneyVersion('default', id, 1))!.sendPolicy).toEqual(v1Policy);
      await h.engine.enroll(id, { customerId: 'old' });

      await h.engine.setStatus(id, 'paused');
      const updated = await h.engine.updateJourney(id, { sendPolicy: { priority: 3 } });
      expect(updated.version).toBe(2);
      expect((await storage.getJourneyVersion('default', id, 2))!.sendPolicy).toEqual({ priority: 3 });
      expect((await storage.getJourneyVersion('default', id, 1))!.sendPolicy).toEqual(v1Policy);
      await h.engine.setStatus(id, 'active');
      await h.engine.enroll(id, { customerId: 'new' });
      await runUntilIdle(h);
      const sent = h.channels.sent.map((s) => s.customer.id).sort();
      // Version 1 skips the old customer's second email (cap 1/day, skip); version 2 has no cap.
      expect(sent).toEqual(['new', 'new', 'old']);
      await h.engine.close();
    });
  }
});
