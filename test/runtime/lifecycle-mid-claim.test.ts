import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateJourney } from '../../src/validate/validate-journey.js';
import { DAY, HOUR, journey, T0 } from './helpers.js';
import { harness, runUntilIdle, type Harness } from './engine-helpers.js';
import { journeyArbitrary } from './journey-arbitrary.js';

const fourSends = journey(
  ['a', 'b', 'c', 'd'].map((id) => ({ id, type: 'send', config: { channelId: `ch_${id}` } })),
  { status: 'active' },
);

/** Wrap the harness channel so that `during` runs inside the first send (while it is in flight). */
function duringFirstSend(h: Harness, during: () => Promise<unknown>): void {
  const send = h.channels.send.bind(h.channels);
  let first = true;
  h.channels.send = async (request) => {
    if (first) {
      first = false;
      await during();
    }
    return send(request);
  };
}

describe('pause stops a customer in place, also mid-claim', () => {
  it('a pause that lands inside a send lets that send finish and no further effect go out', async () => {
    const h = harness();
    const { id } = await h.engine.createJourney(fourSends);
    const { enrolled } = await h.engine.enroll(id, { customerId: 'c1' });
    const enrollmentId = enrolled[0]!.enrollmentId;
    duringFirstSend(h, () => h.engine.setStatus(id, 'paused'));

    await h.engine.runDue();
    expect(h.channels.sent.map((s) => s.channelId)).toEqual(['ch_a']);
    const parked = (await h.engine.getEnrollment(enrollmentId))!;
    expect(parked).toMatchObject({ status: 'active', stepId: 'b', phase: 'effect' });
    // The send that did go out is recorded; the next is not.
    expect((await h.storage.listEffects('default', enrollmentId)).map((e) => e.idempotencyKey)).toEqual([`${enrollmentId}:a:1`]);

    h.clock.advance('1h');
    await runUntilIdle(h, T0 + 2 * HOUR);
    expect(h.channels.sent.map((s) => s.channelId)).toEqual(['ch_a']);

    await h.engine.setStatus(id, 'active');
    await runUntilIdle(h);
    // Resumes where it stopped: the same visit of b, the same idempotency key.
    expect(h.channels.sent.map((s) => s.idempotencyKey)).toEqual(['a', 'b', 'c', 'd'].map((s) => `${enrollmentId}:${s}:1`));
    expect((await h.engine.getEnrollment(enrollmentId))!.status).toBe('completed');
  });

  it('a pause that lands while the first effect of a claim is being prepared stops it before that effect', async () => {
    const h = harness();
    const { id } = await h.engine.createJourney(fourSends);
    const { enrolled } = await h.engine.enroll(id, { customerId: 'c1' });
    // The worker reads the customer after claiming and before the first effect.
    const get = h.profiles.get.bind(h.profiles);
    let paused = false;
    h.profiles.get = async (customerId, context) => {
      if (!paused) {
        paused = true;
        await h.engine.setStatus(id, 'paused');
      }
      return get(customerId, context);
    };
    await h.engine.runDue();
    expect(h.channels.sent).toEqual([]);
    await h.engine.setStatus(id, 'active');
    await runUntilIdle(h);
    expect(h.channels.sent.map((s) => s.idempotencyKey)).toEqual(['a', 'b', 'c', 'd'].map((s) => `${enrolled[0]!.enrollmentId}:${s}:1`));
  });

  it('an archive that lands inside a send stops the effects after it', async () => {
    const h = harness();
    const { id } = await h.engine.createJourney(fourSends);
    const { enrolled } = await h.engine.enroll(id, { customerId: 'c1' });
    duringFirstSend(h, () => h.engine.setStatus(id, 'archived'));
    await h.engine.runDue();
    expect(h.channels.sent.map((s) => s.channelId)).toEqual(['ch_a']);
    expect(await h.engine.getEnrollment(enrolled[0]!.enrollmentId)).toMatchObject({ status: 'exited', exitReason: 'archived' });
    h.clock.advance('1d');
    await runUntilIdle(h);
    expect(h.channels.sent.map((s) => s.channelId)).toEqual(['ch_a']);
  });
});

describe('maxDuration is a hard ceiling, also while paused', () => {
  const waitThenSend = journey(
    [
      { id: 'w', type: 'wait', config: { duration: 2, unit: 'days' } },
      { id: 's', type: 'send', config: { channelId: 'ch' } },
    ],
    { maxDuration: 5, status: 'active' },
  );

  it('a customer whose deadline passes while the journey is paused exits at the deadline, not at resume', async () => {
    const h = harness();
    const { id } = await h.engine.createJourney(waitThenSend);
    const { enrolled } = await h.engine.enroll(id, { customerId: 'c1' });
    await h.engine.runDue(); // now waiting 2 days
    await h.engine.setStatus(id, 'paused');
    const exited: string[] = [];
    h.engine.events.on('exited', (e) => exited.push(e.reason));

    // Nothing is due while paused except the deadline.
    expect(await h.engine.nextWakeAt()).toBe(T0 + 5 * DAY + 1);
    h.clock.set(T0 + 3 * DAY);
    expect((await h.engine.runDue()).processed).toBe(0);
    h.clock.set(T0 + 9 * DAY); // noticed four days late
    expect((await h.engine.runDue()).processed).toBe(1);

    const e = (await h.engine.getEnrollment(enrolled[0]!.enrollmentId))!;
    expect(e).toMatchObject({ status: 'exited', exitReason: 'max-duration', endedAt: T0 + 5 * DAY });
    expect(exited).toEqual(['max-duration']);
    expect(h.channels.sent).toEqual([]); // no step ran
    expect((await h.engine.stats(id)).exited).toEqual({ 'max-duration': 1 });
    expect(await h.engine.nextWakeAt()).toBeNull();

    await h.engine.setStatus(id, 'active');
    await runUntilIdle(h);
    expect(h.channels.sent).toEqual([]);
  });

  it('a late worker still records the deadline as endedAt (active journey)', async () => {
    const h = harness();
    const { id } = await h.engine.createJourney(
      journey(
        [
          // A fast path exists (so the journey validates), but this customer takes the 30-day wait.
          { id: 'b', type: 'branch', config: { conditions: [{ expression: 'customer.fast == true', targetStepId: 's' }] } },
          { id: 'w', type: 'wait', config: { duration: 30, unit: 'days' } },
          { id: 's', type: 'send', config: { channelId: 'ch' } },
        ],
        { maxDuration: 5, status: 'active' },
      ),
    );
    const { enrolled } = await h.engine.enroll(id, { customerId: 'c1' });
    await h.engine.runDue();
    h.clock.set(T0 + 8 * DAY);
    await h.engine.runDue();
    expect(await h.engine.getEnrollment(enrolled[0]!.enrollmentId)).toMatchObject({
      status: 'exited',
      exitReason: 'max-duration',
      endedAt: T0 + 5 * DAY,
    });
  });
});

describe('the deadline boundary', () => {
  it('a step due exactly at the deadline runs: wait 3 days in a 3-day journey finishes', async () => {
    const h = harness();
    const { id } = await h.engine.createJourney(
      journey([{ id: 'w', type: 'wait', config: { duration: 3, unit: 'days' } }, { id: 's', type: 'send', config: { channelId: 'ch' } }], {
        maxDuration: 3,
        status: 'active',
      }),
    );
    const { enrolled } = await h.engine.enroll(id, { customerId: 'c1' });
    await runUntilIdle(h);
    expect(h.channels.sent.map((s) => s.channelId)).toEqual(['ch']);
    expect(await h.engine.getEnrollment(enrolled[0]!.enrollmentId)).toMatchObject({ status: 'completed', endedAt: T0 + 3 * DAY });
  });

  it('a wait that would end after the deadline exits at the deadline; the step after it does not run', async () => {
    const h = harness();
    const { id } = await h.engine.createJourney(
      journey(
        [
          { id: 'b', type: 'branch', config: { conditions: [{ expression: 'customer.fast == true', targetStepId: 's' }] } },
          { id: 'w', type: 'wait', config: { duration: 3, unit: 'days' } },
          { id: 'w2', type: 'wait', config: { duration: 1, unit: 'minutes' } },
          { id: 's', type: 'send', config: { channelId: 'ch' } },
        ],
        { maxDuration: 3, status: 'active' },
      ),
    );
    const { enrolled } = await h.engine.enroll(id, { customerId: 'c1' });
    await runUntilIdle(h);
    expect(h.channels.sent).toEqual([]);
    expect(await h.engine.getEnrollment(enrolled[0]!.enrollmentId)).toMatchObject({ status: 'exited', exitReason: 'max-duration', endedAt: T0 + 3 * DAY });
  });
});

describe('pause mid-claim, over random journeys', () => {
  const valid = journeyArbitrary.filter((doc) => validateJourney(doc).valid);

  it('no effect starts while the journey is paused, wherever the pause lands; after resume every visit runs once', async () => {
    await fc.assert(
      fc.asyncProperty(valid, fc.integer({ min: 1, max: 6 }), async (doc, pauseAt) => {
        const h = harness({ customers: [{ id: 'c1' }, { id: 'c2', segments: ['vip'] }] });
        const { id } = await h.engine.createJourney(doc);
        let calls = 0;
        let paused = false;
        let startedWhilePaused = 0;
        /** Count every effect call; the `pauseAt`-th one pauses the journey while it is in flight. */
        const around = async <T>(call: () => Promise<T>): Promise<T> => {
          if (paused) startedWhilePaused += 1;
          if (++calls === pauseAt) {
            await h.engine.setStatus(id, 'paused');
            paused = true;
          }
          return call();
        };
        const { send } = h.channels;
        const { decide } = h.decisions;
        const { apply } = h.profiles;
        h.channels.send = (r) => around(() => send.call(h.channels, r));
        h.decisions.decide = (r) => around(() => decide.call(h.decisions, r));
        h.profiles.apply = (c, o, x) => around(() => apply.call(h.profiles, c, o, x));

        await h.engine.enroll(id, { customerIds: ['c1', 'c2'] });
        await h.engine.runDue();
        for (let i = 0; i < 3; i++) {
          h.clock.advance('1h');
          await h.engine.runDue();
        }
        expect(startedWhilePaused).toBe(0);
        if (paused) {
          paused = false;
          await h.engine.setStatus(id, 'active');
        }
        await runUntilIdle(h);
        const { items } = await h.engine.listEnrollments({ journeyId: id });
        for (const e of items) {
          expect(['completed', 'exited']).toContain(e.status);
          const keys = (await h.storage.listEffects('default', e.id)).map((x) => x.idempotencyKey);
          expect(new Set(keys).size).toBe(keys.length);
        }
        const sent = h.channels.sent.map((s) => s.idempotencyKey);
        expect(new Set(sent).size).toBe(sent.length);
      }),
      { numRuns: 60 },
    );
  });
});
