import { describe, expect, it } from 'vitest';
import { DAY, HOUR, journey } from './helpers.js';
import { harness, rejects, type Harness } from './engine-helpers.js';
import { STORAGE_KINDS } from './storages.js';

const wait = [{ id: 'w', type: 'wait', config: { duration: 10, unit: 'days' } }];

async function activeJourney(h: Harness, entryConditions: Record<string, unknown>): Promise<string> {
  const { id } = await h.engine.createJourney(journey(wait, { status: 'active', entryConditions }));
  return id;
}

/** Enroll c1 and end the enrollment now (an exit); answers when it ended. */
async function enterAndExit(h: Harness, id: string, customerId = 'c1'): Promise<number> {
  const { enrolled, skipped } = await h.engine.enroll(id, { customerId });
  expect(skipped).toEqual([]);
  await h.engine.exitEnrollment(enrolled[0]!.enrollmentId);
  return h.clock.now();
}

const reasons = (result: { skipped: ReadonlyArray<{ reason: string }> }) => result.skipped.map((s) => s.reason);

describe.each(STORAGE_KINDS)('entry rules when enrolling ($name)', (kind) => {
  const open = async (customers = [{ id: 'c1', segments: ['vip'] }]) => harness({ storage: await kind.make(), customers });

  it('reEntry "after-exit" (the default) lets a customer in again once their enrollment ended', async () => {
    const h = await open();
    for (const entry of [{}, { reEntry: 'after-exit' }]) {
      const id = await activeJourney(h, entry);
      await h.engine.enroll(id, { customerId: 'c1' });
      expect(reasons(await h.engine.enroll(id, { customerId: 'c1' }))).toEqual(['already-enrolled']);
      const [active] = (await h.engine.listEnrollments({ journeyId: id, status: 'active' })).items;
      await h.engine.exitEnrollment(active!.id);
      expect((await h.engine.enroll(id, { customerId: 'c1' })).enrolled).toHaveLength(1);
    }
  });

  it('reEntry "never" lets a customer in once, and never again, however long ago it ended', async () => {
    const h = await open();
    const id = await activeJourney(h, { reEntry: 'never' });
    await enterAndExit(h, id);
    h.clock.advance(3000 * DAY);
    const again = await h.engine.enroll(id, { customerIds: ['c1', 'c2'] });
    expect(again.enrolled.map((e) => e.customerId)).toEqual(['c2']);
    expect(again.skipped).toEqual([{ customerId: 'c1', reason: 're-entry-never', message: expect.stringMatching(/was in this journey before \(1 enrollment\) and reEntry is "never"/) }]);
    // Being in the journey now is reported as such, not as re-entry.
    expect(reasons(await h.engine.enroll(id, { customerId: 'c2' }))).toEqual(['already-enrolled']);
  });

  it('reEntryAfterDays: exactly N days after the last enrollment in this journey ended is enough; a moment before is too soon', async () => {
    const h = await open();
    const id = await activeJourney(h, { reEntryAfterDays: 7 });
    const ended = await enterAndExit(h, id);
    h.clock.set(ended + 7 * DAY - 1);
    const early = await h.engine.enroll(id, { customerId: 'c1' });
    expect(reasons(early)).toEqual(['re-entry-too-soon']);
    expect(early.skipped[0]!.message).toMatch(/ended 6\.9 days ago; reEntryAfterDays requires 7 \(they may enter again from /);
    expect(early.skipped[0]!.message).toContain(new Date(ended + 7 * DAY).toISOString());
    h.clock.set(ended + 7 * DAY);
    expect((await h.engine.enroll(id, { customerId: 'c1' })).enrolled).toHaveLength(1);
  });

  it('reEntryAfterDays counts only this journey: another journey ending does not hold the customer back', async () => {
    const h = await open();
    const id = await activeJourney(h, { reEntryAfterDays: 30 });
    const other = await activeJourney(h, {});
    await enterAndExit(h, other);
    expect((await h.engine.enroll(id, { customerId: 'c1' })).enrolled).toHaveLength(1);
  });

  it('reEntryAfterDays measures from the latest ended enrollment, and 0 means no wait', async () => {
    const h = await open();
    const id = await activeJourney(h, { reEntryAfterDays: 2 });
    await enterAndExit(h, id);
    h.clock.advance(2 * DAY);
    const second = await enterAndExit(h, id);
    h.clock.set(second + 2 * DAY - HOUR);
    expect(reasons(await h.engine.enroll(id, { customerId: 'c1' }))).toEqual(['re-entry-too-soon']);
    const zero = await activeJourney(h, { reEntryAfterDays: 0 });
    await enterAndExit(h, zero);
    expect((await h.engine.enroll(zero, { customerId: 'c1' })).enrolled).toHaveLength(1);
  });

  it('event entry follows the same rules: ingestEvent skips with re-entry-never and re-entry-too-soon', async () => {
    const h = await open();
    const never = await activeJourney(h, { events: [{ type: 'signup' }], reEntry: 'never' });
    const later = await activeJourney(h, { events: [{ type: 'signup' }], reEntryAfterDays: 1 });
    const first = await h.engine.ingestEvent({ customerId: 'c1', type: 'signup' });
    expect(first.enrolled.map((e) => e.journeyId).sort()).toEqual([never, later].sort());
    for (const e of first.enrolled) await h.engine.exitEnrollment(e.enrollmentId);
    const second = await h.engine.ingestEvent({ customerId: 'c1', type: 'signup' });
    expect(second.enrolled).toEqual([]);
    expect(second.skipped.map((s) => [s.journeyId, s.reason]).sort()).toEqual(
      [[never, 're-entry-never'], [later, 're-entry-too-soon']].sort(),
    );
    h.clock.advance(DAY);
    expect((await h.engine.ingestEvent({ customerId: 'c1', type: 'signup' })).enrolled.map((e) => e.journeyId)).toEqual([later]);
  });

  it('keeps the earlier rules and their order: manual, segments, already enrolled, minDaysSinceLastJourney', async () => {
    const h = await open([{ id: 'c1', segments: ['vip'] }, { id: 'c2', segments: [] }]);
    const manualOff = await activeJourney(h, { manual: false, reEntry: 'never' });
    expect(reasons(await h.engine.enroll(manualOff, { customerId: 'c1' }))).toEqual(['manual-disabled']);
    const vip = await activeJourney(h, { segments: ['vip'], minDaysSinceLastJourney: 5, reEntryAfterDays: 1 });
    expect(reasons(await h.engine.enroll(vip, { customerIds: ['c2', 'c1'] }))).toEqual(['not-in-segment']);
    expect(reasons(await h.engine.enroll(vip, { customerId: 'c1' }))).toEqual(['already-enrolled']);
    const [active] = (await h.engine.listEnrollments({ journeyId: vip, status: 'active' })).items;
    await h.engine.exitEnrollment(active!.id);
    h.clock.advance(2 * DAY);
    // Both minDaysSinceLastJourney (5) and reEntryAfterDays (1) are checked: the first failing one is reported.
    const soon = await h.engine.enroll(vip, { customerId: 'c1' });
    expect(reasons(soon)).toEqual(['too-soon']);
    expect(soon.skipped[0]!.message).toBe("the customer's last journey ended 2.0 days ago; this journey requires 5");
    const draft = await h.engine.createJourney(journey(wait));
    await rejects(h.engine.enroll(draft.id, { customerId: 'c1' }), 'journey-not-active');
  });
});

describe('entry rules: the latest ended enrollment among many', () => {
  it('finds it past the first page of a long history (memory and sqlite)', async () => {
    for (const kind of STORAGE_KINDS.slice(0, 2)) {
      const h = harness({ storage: await kind.make() });
      const id = await activeJourney(h, { reEntryAfterDays: 1 });
      for (let i = 0; i < 130; i++) {
        h.clock.advance(DAY);
        await enterAndExit(h, id);
      }
      // The 130th (the last on the last page) ended just now; the first page only holds older ones.
      expect((await h.engine.listEnrollments({ journeyId: id })).total).toBe(130);
      h.clock.advance(HOUR);
      expect(reasons(await h.engine.enroll(id, { customerId: 'c1' }))).toEqual(['re-entry-too-soon']);
      h.clock.advance(DAY - HOUR);
      expect((await h.engine.enroll(id, { customerId: 'c1' })).enrolled).toHaveLength(1);
    }
  });
});
