/**
 * A frequency-cap slot is the send's key's. A worker whose claim's lease ran out during a send (or
 * during the gate) may no longer hold the enrollment: another worker may have claimed it and be
 * sending under the same key. So it never gives that slot back — releasing it would uncount the
 * other worker's send and let the cap be exceeded. With its lease intact it gives the slot of a
 * failed send back, as before (send-policy.test.ts: "a failed send gives its slot back").
 */
import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/adapters/memory/index.js';
import { virtualClock } from '../../src/adapters/clock/index.js';
import { createEngine, type JourneyEngine } from '../../src/runtime/engine.js';
import type { Channels, SendRequest, Storage } from '../../src/runtime/ports.js';
import type { SendPolicy } from '../../src/model/send-policy.js';
import { DAY, journey, T0 } from './helpers.js';

const LEASE_MS = 60_000;
const CAP: SendPolicy = { caps: [{ max: 1, per: { duration: 1, unit: 'days' } }] };
const oneSend = (name: string) => journey([{ id: 'hello', type: 'send', config: { channelId: 'ch_email' } }], { status: 'active', name });
const profiles = { get: async (id: string) => ({ id, attributes: {}, segments: [] }), apply: async () => undefined };

/** A promise and the functions that settle it. */
function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** Wait until `ready()` holds (a few macrotask turns at most). */
async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !ready(); i++) await new Promise((r) => setImmediate(r));
  expect(ready()).toBe(true);
}

function engineOn(storage: Storage, clock: ReturnType<typeof virtualClock>, channels: Channels, workerId: string, sendPolicy: SendPolicy = CAP): JourneyEngine {
  return createEngine({ storage, clock, channels, profiles, sendPolicy, leaseMs: LEASE_MS, workerId, retry: { maxAttempts: 3, initialDelayMs: 60_000 } });
}

describe('a send slot outlives a claim whose lease ran out', () => {
  it('worker A\'s send fails after B took the enrollment over and is sending under the same key: A leaves the slot, the cap holds', async () => {
    const storage = memoryStorage();
    const clock = virtualClock(T0);
    const aSend = deferred<void>();
    const bSend = deferred<void>();
    const calls: Array<{ worker: string; request: SendRequest }> = [];
    const channelsOf = (worker: string, pending: { promise: Promise<void> } | null): Channels => ({
      send: async (request) => {
        calls.push({ worker, request });
        if (pending !== null && calls.filter((c) => c.worker === worker).length === 1) await pending.promise;
      },
    });
    const a = engineOn(storage, clock, channelsOf('A', aSend), 'A');
    const b = engineOn(storage, clock, channelsOf('B', bSend), 'B');
    const first = await a.createJourney(oneSend('first'));
    const second = await a.createJourney(oneSend('second'));
    await a.enroll(first.id, { customerId: 'c1' });

    const aRun = a.runDue(); // A reserves the slot and sends: its send hangs
    await until(() => calls.length === 1);
    clock.advance(LEASE_MS + 1); // A's lease runs out
    const bRun = b.runDue(); // B claims the same enrollment, reserves the same key again, sends: hangs
    await until(() => calls.length === 2);
    expect(calls[1]!.request.idempotencyKey).toBe(calls[0]!.request.idempotencyKey);
    aSend.reject(new Error('provider timeout')); // A's send fails while B's is in flight
    await aRun;
    bSend.resolve();
    await bRun;

    // B's send went out and is committed; its slot still counts: the other journey's send waits.
    await a.enroll(second.id, { customerId: 'c1' });
    await b.runDue();
    expect(calls).toHaveLength(2);
    const [waiting] = (await b.listEnrollments({ journeyId: second.id })).items;
    expect(waiting?.status).toBe('active');
    expect(waiting!.wakeAt!).toBeGreaterThan(T0 + DAY);
    await a.close();
    await b.close();
  });

  it('a slot the rate limit held back after the lease ran out stays taken; with the lease intact it is given back', async () => {
    for (const leaseLost of [true, false]) {
      const inner = memoryStorage();
      const clock = virtualClock(T0);
      let refuse = true;
      // The first token request takes long (the lease runs out, or not) and is refused.
      const storage = new Proxy(inner, {
        get(target, prop, receiver) {
          if (prop === 'takeSendToken') {
            return async (request: Parameters<NonNullable<Storage['takeSendToken']>>[0]) => {
              const at = await target.takeSendToken!(request);
              if (!refuse) return at;
              refuse = false;
              clock.advance(leaseLost ? LEASE_MS + 1 : 1);
              return clock.now() + 60_000; // try again in a minute (after the lease, when it ran out)
            };
          }
          const value: unknown = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
      const policy: SendPolicy = { ...CAP, rateLimits: [{ channelId: 'ch_email', perSecond: 10 }] };
      const engine = engineOn(storage, clock, { send: async () => undefined }, 'A', policy);
      const { id } = await engine.createJourney(oneSend('first'));
      await engine.enroll(id, { customerId: 'c1' });
      await engine.runDue(); // deferred by the rate limit
      const [deferredOne] = (await engine.listEnrollments({ journeyId: id })).items;
      expect(deferredOne?.wakeAt).toBe(clock.now() + 60_000);
      expect((await engine.stats(id)).steps[0]!.noted['deferred:rate-limit']).toBe(1);
      // Another key of the same customer asks for the day's one place.
      const other = await inner.reserveSendSlot!({
        tenantId: 'default', customerId: 'c1', enrollmentId: 'enr_other', channelId: 'ch_email', key: 'enr_other:hello:1',
        now: clock.now(), holdUntil: clock.now() + LEASE_MS, caps: [{ channelId: null, since: clock.now() - DAY, max: 1 }],
      });
      expect({ leaseLost, granted: other.granted }).toEqual({ leaseLost, granted: !leaseLost });
      await engine.close();
    }
  });
});
