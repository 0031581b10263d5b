import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/adapters/memory/index.js';
import { damageForTesting } from '../../src/adapters/memory/memory-storage.js';
import { describeStorageConformance } from '../../src/conformance/index.js';
import { unguardedStorage } from '../../src/runtime/storage-guard.js';
import { T, enrollment, journey } from '../../src/conformance/fixtures.js';

const vitestApi = { describe, it, expect, beforeEach, afterEach };

/** A fresh memory storage: as `memoryStorage()` answers it, or the raw adapter without the core's wrapper (guardStorage). */
const memoryFactory = (raw: boolean) => async () => {
  const storage = raw ? unguardedStorage(memoryStorage()) : memoryStorage();
  return {
    storage,
    cleanup: async () => {},
    damage: async (id: string) => damageForTesting(storage, id, 'data.visits', 'expected a number'),
    fix: async (id: string) => damageForTesting(storage, id, null),
  };
};
describeStorageConformance('memory', memoryFactory(false), vitestApi, { damage: true, fix: true, commitMany: true });
describeStorageConformance('memory (raw adapter)', memoryFactory(true), vitestApi, { damage: true, fix: true, commitMany: true });

describe('memoryStorage', () => {
  it('refuses use after close', async () => {
    const s = memoryStorage();
    await s.close();
    await expect(s.getJourney(T, 'j1')).rejects.toMatchObject({ code: 'storage-closed' });
  });

  it('claims the due few among many without scanning them (heap order under churn)', async () => {
    const s = memoryStorage();
    await s.createJourney(journey());
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      await s.createEnrollment(enrollment({ id: `e${String(i).padStart(6, '0')}`, customerId: `c${i}`, wakeAt: 1_000 + ((i * 7919) % n) }));
    }
    let last = -Infinity;
    let claimed = 0;
    for (let now = 1_000; now < 1_000 + n; now += 997) {
      const claims = await s.claimDue({ now, limit: 500, leaseMs: 1e12, workerId: 'w' });
      for (const c of claims) {
        expect(c.enrollment.wakeAt!).toBeGreaterThanOrEqual(last);
        expect(c.enrollment.wakeAt!).toBeLessThanOrEqual(now);
        last = c.enrollment.wakeAt!;
      }
      claimed += claims.length;
    }
    const rest = await s.claimDue({ now: 1e9, limit: n, leaseMs: 1, workerId: 'w' });
    expect(claimed + rest.length).toBe(n);
  });
});

describe('the due heap tie-break rank', () => {
  it('orders ids as < does wherever ranks differ (random ids: ascii, unicode, prefixes of each other)', async () => {
    const fc = (await import('fast-check')).default;
    const { idRank } = await import('../../src/adapters/memory/entry-heap.js');
    const id = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('', 'e', 'enr_', 'enr_a', 'enr_ab', 'enr_abc', 'enr_abcd', 'enr_abcde'));
    fc.assert(
      fc.property(id, id, fc.string({ maxLength: 4 }), (a, b, tail) => {
        for (const [x, y] of [[a, b], [a, a + tail], [a + tail, b]] as const) {
          if (x < y) expect(idRank(x)).toBeLessThanOrEqual(idRank(y));
          if (idRank(x) < idRank(y)) expect(x < y).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
