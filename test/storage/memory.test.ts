import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/adapters/memory/index.js';
import { damageForTesting } from '../../src/adapters/memory/memory-storage.js';
import { DueQueue, MAX_RUNS } from '../../src/adapters/memory/due-queue.js';
import { EntryHeap } from '../../src/adapters/memory/entry-heap.js';
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

describe.each([
  ['EntryHeap', () => new EntryHeap(), 6, true],
  ['DueQueue', () => new DueQueue(), 6, true],
  ['DueQueue (more keys than runs)', () => new DueQueue(), MAX_RUNS + 40, true],
  ['EntryHeap (by key alone)', () => new EntryHeap(false), 6, false],
  ['DueQueue (by key alone: the lease index)', () => new DueQueue(false), MAX_RUNS + 40, false],
] as const)('%s', (_name, make, maxKey, byId) => {
  it('pops live entries in (key, id) order under random pushes, re-pushes and pops (reference: a sorted list)', async () => {
    const fc = (await import('fast-check')).default;
    type Rec = { gen: number; heap: { live: number } | null; name: string; id(): string };
    // Keys mostly rising with the pushes (as wake-ups are re-added), sometimes anywhere.
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), rec: fc.nat(40), key: fc.integer({ min: 0, max: maxKey }) }),
      fc.record({ kind: fc.constant('pushInOrder' as const), rec: fc.nat(40) }),
      fc.record({ kind: fc.constant('pop' as const) }),
    );
    const names = fc.array(fc.oneof(fc.string({ maxLength: 16 }), fc.constantFrom('enr_abc0123', 'enr_abc0124', 'enr_abc', 'enr_abd', 'enr_\u00ffx', 'a', 'b')), { minLength: 41, maxLength: 41 });
    fc.assert(
      fc.property(names, fc.array(op, { maxLength: 300 }), (ids, ops) => {
        const heap = make();
        const recs: Rec[] = ids.map((name, i) => ({ gen: 0, heap: null, name: `${name}#${i}`, id() { return this.name; } }));
        const model = new Map<Rec, number>(); // live entry of each record: its key
        let lastPopped = 0;
        for (const o of ops) {
          if (o.kind === 'push' || o.kind === 'pushInOrder') {
            const rec = recs[o.rec]!;
            if (rec.heap !== null) { rec.heap.live -= 1; rec.heap = null; rec.gen += 1; } // detach, as place() does
            const key = o.kind === 'push' ? o.key : lastPopped + 3;
            heap.push(key, rec);
            model.set(rec, key);
          } else {
            const sorted = [...model].sort(([a, ka], [b, kb]) => ka - kb || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
            expect(heap.peekKey()).toBe(sorted[0]?.[1]);
            const peeked = heap.peekRecord() as Rec | undefined;
            const got = heap.pop() as Rec | undefined;
            expect(got).toBe(peeked);
            if (got !== undefined) {
              // the least key; among equal keys the least id, unless ids do not matter
              expect(model.get(got)).toBe(sorted[0]![1]);
              lastPopped = model.get(got)!;
            }
            if (byId) expect(got?.name).toBe(sorted[0]?.[0].name);
            else expect(got === undefined).toBe(sorted.length === 0);
            if (got !== undefined) model.delete(got);
          }
          expect(heap.live).toBe(model.size);
        }
        const visited = new Map<Rec, number>();
        heap.forEachLive((key, rec) => visited.set(rec as Rec, key));
        expect(visited).toEqual(model);
        // drain: the rest in order
        const rest = [...model].sort(([a, ka], [b, kb]) => ka - kb || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(([r]) => r.name);
        const drained: string[] = [];
        const keys: number[] = [];
        for (let r = heap.pop() as Rec | undefined; r !== undefined; r = heap.pop() as Rec | undefined) {
          keys.push(model.get(r)!);
          drained.push(r.name);
        }
        if (byId) expect(drained).toEqual(rest);
        else expect({ keys, names: [...drained].sort() }).toEqual({ keys: [...keys].sort((a, b) => a - b), names: [...rest].sort() });
      }),
      { numRuns: 500 },
    );
  });
});

describe('DueQueue', () => {
  type Rec = { gen: number; heap: { live: number } | null; name: string; id(): string };
  const rec = (name: string): Rec => ({ gen: 0, heap: null, name, id() { return this.name; } });
  const repush = (q: DueQueue, r: Rec, key: number) => {
    if (r.heap !== null) { r.heap.live -= 1; r.heap = null; r.gen += 1; }
    q.push(key, r);
  };
  const drain = (q: DueQueue) => {
    const out: string[] = [];
    for (let r = q.pop() as Rec | undefined; r !== undefined; r = q.pop() as Rec | undefined) out.push(r.name);
    return out;
  };

  it('compacts once stale entries outnumber the live ones, keeping the live in order', () => {
    const q = new DueQueue();
    const recs = Array.from({ length: 50 }, (_, i) => rec(`r${String(i).padStart(2, '0')}`));
    // Each record re-added 6 times under rising keys: 300 entries held at most, 50 live.
    for (let round = 0; round < 6; round++) for (const r of recs) repush(q, r, 10 + round * 7 + (recs.indexOf(r) % 3));
    expect(q.live).toBe(50);
    expect(q.size).toBeLessThanOrEqual(2 * 50 + 64);
    // The last round's keys: 45 + (i mod 3); equal keys in name order.
    const expected = recs.map((r, i) => ({ name: r.name, key: 45 + (i % 3) })).sort((a, b) => a.key - b.key || (a.name < b.name ? -1 : 1)).map((r) => r.name);
    expect(drain(q)).toEqual(expected);
    expect(q.size).toBe(0);
  });

  it('a run read while it is appended to gives its entries in order, its read prefix dropped', () => {
    const q = new DueQueue();
    const name = (i: number) => `enr_${String(i).padStart(6, '0')}`;
    for (let i = 0; i < 3000; i++) q.push(1, rec(name(i)));
    const first = Array.from({ length: 2000 }, () => (q.pop() as Rec).name);
    for (let i = 3000; i < 4000; i++) q.push(1, rec(name(i)));
    expect([...first, ...drain(q)]).toEqual(Array.from({ length: 4000 }, (_, i) => name(i)));
  });
});

describe('the due heap tie-break rank', () => {
  it('orders ids as < does wherever ranks differ (random ids: ascii, unicode, prefixes of each other)', async () => {
    const fc = (await import('fast-check')).default;
    const { idRank, idRank2 } = await import('../../src/adapters/memory/entry-heap.js');
    /** The heap's order on ids: ranks first, then second ranks, then the strings; -1, 0 or 1 for what the ranks decide, null when they tie. */
    const byRanks = (x: string, y: string) => {
      const [a, b] = [idRank(x), idRank(y)];
      if (a !== b) return a < b ? -1 : 1;
      const [c, d] = [idRank2(x), idRank2(y)];
      return c !== d ? (c < d ? -1 : 1) : null;
    };
    const prefixes = fc.constantFrom('', 'e', 'enr_', 'enr_a', 'enr_abc', 'enr_abcd', 'enr_abcde', 'enr_0123456789', 'enr_\u00ff12', 'abcdefg');
    const id = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.string({ unit: 'binary', maxLength: 20 }),
      prefixes,
      fc.tuple(prefixes, fc.string({ maxLength: 12 })).map(([p, t]) => p + t),
      fc.tuple(prefixes, fc.string({ unit: 'binary', maxLength: 12 })).map(([p, t]) => p + t),
    );
    fc.assert(
      fc.property(id, id, fc.string({ maxLength: 4 }), (a, b, tail) => {
        for (const [x, y] of [[a, b], [a, a + tail], [a + tail, b]] as const) {
          if (x < y) expect(idRank(x)).toBeLessThanOrEqual(idRank(y));
          if (idRank(x) < idRank(y)) expect(x < y).toBe(true);
          const decided = byRanks(x, y);
          if (decided !== null) expect(decided).toBe(x < y ? -1 : 1);
          if (x === y) expect(decided).toBeNull();
        }
      }),
      { numRuns: 4000 },
    );
    // ids of one form differ past their first seven units: the second rank decides
    expect(byRanks('enr_abc0123', 'enr_abc0124')).toBe(-1);
    expect(byRanks('enr_abcffff', 'enr_abc0000')).toBe(1);
  });
});
