import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/adapters/memory/index.js';
import { damageForTesting } from '../../src/adapters/memory/memory-storage.js';
import { describeStorageConformance } from '../../src/conformance/index.js';
import { T, enrollment, journey } from '../../src/conformance/fixtures.js';

const vitestApi = { describe, it, expect, beforeEach, afterEach };

describeStorageConformance('memory', async () => {
  const storage = memoryStorage();
  return {
    storage,
    cleanup: async () => {},
    damage: async (id: string) => damageForTesting(storage, id, 'data.visits', 'expected a number'),
    fix: async (id: string) => damageForTesting(storage, id, null),
  };
}, vitestApi, { damage: true, fix: true, commitMany: true });

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
