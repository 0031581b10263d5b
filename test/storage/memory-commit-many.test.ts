/**
 * Memory storage's `commitMany` (one synchronous pass): a result per commit, each decided as it
 * is applied (a conflict or a fence fails only its own commit, a second commit of the same
 * enrollment sees the first), a broken shape throws before anything is written, and what it
 * writes is what single commits write (enrollment, effect log, counters).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/adapters/memory/index.js';
import type { Storage } from '../../src/runtime/ports.js';
import { effect, enrollment, journey, next, T } from '../../src/conformance/fixtures.js';

describe('memory storage: commitMany', () => {
  let s: Storage;
  beforeEach(async () => {
    s = memoryStorage();
    await s.init();
    await s.createJourney(journey());
    for (const id of ['e1', 'e2', 'e3']) await s.createEnrollment(enrollment({ id, customerId: `c_${id}` }));
  });

  it('answers per commit: a conflict fails its own commit only, and a second commit of one enrollment sees the first', async () => {
    const [e1, e2, e3] = await Promise.all(['e1', 'e2', 'e3'].map(async (id) => (await s.getEnrollment(T, id))!));
    const results = await s.commitMany!([
      { enrollment: next(e1!, { wakeAt: 9_000 }), expectedVersion: 1, now: 3_000, effects: [effect(e1!, 'send1', 1)], counters: [{ journeyId: 'j1', stepId: 'send1', metric: 'entered' }] },
      { enrollment: next(e2!, { version: 5 }), expectedVersion: 4, now: 3_000 }, // stale: conflict
      { enrollment: next(e3!), expectedVersion: 1, now: 3_000 },
      { enrollment: next(e1!, { wakeAt: 8_000 }), expectedVersion: 1, now: 3_000 }, // e1 is at version 2 now
    ]);
    expect(results).toEqual(['ok', 'conflict', 'ok', 'conflict']);
    expect((await s.getEnrollment(T, 'e1'))).toMatchObject({ version: 2, wakeAt: 9_000 });
    expect((await s.getEnrollment(T, 'e2'))?.version).toBe(1);
    expect((await s.getEnrollment(T, 'e3'))?.version).toBe(2);
    expect((await s.listEffects(T, 'e1')).map((r) => r.idempotencyKey)).toEqual(['e1:send1:1']);
    expect((await s.stats(T, 'j1'))['send1']?.entered).toBe(1);
  });

  it('a fenced commit fails alone; the others are written', async () => {
    const claims = await s.claimDue({ now: 5_000, limit: 2, leaseMs: 60_000, workerId: 'w' });
    expect(claims).toHaveLength(2);
    const [a, b] = claims;
    const results = await s.commitMany!([
      { enrollment: next(a!.enrollment), expectedVersion: 1, token: a!.token + 1, release: true, now: 5_000 },
      { enrollment: next(b!.enrollment), expectedVersion: 1, token: b!.token, release: true, now: 5_000 },
    ]);
    expect(results).toEqual(['fenced', 'ok']);
  });

  it('a commit of the wrong shape throws before any commit of the batch is written', async () => {
    const e1 = (await s.getEnrollment(T, 'e1'))!;
    const e2 = (await s.getEnrollment(T, 'e2'))!;
    await expect(
      s.commitMany!([
        { enrollment: next(e1), expectedVersion: 1, now: 3_000 },
        { enrollment: next(e2, { version: 7 }), expectedVersion: 1, now: 3_000 }, // version must be expectedVersion + 1
      ]),
    ).rejects.toMatchObject({ code: 'invalid-commit' });
    expect((await s.getEnrollment(T, 'e1'))?.version).toBe(1);
  });
});
