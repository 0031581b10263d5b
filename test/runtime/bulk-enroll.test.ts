import { describe, expect, it } from 'vitest';
import type { EnrollResult } from '../../src/runtime/enrollments.js';
import type { Storage } from '../../src/runtime/ports.js';
import { unguardedStorage } from '../../src/runtime/storage-guard.js';
import { harness, type Harness } from './engine-helpers.js';
import { DAY, journey } from './helpers.js';
import { STORAGE_KINDS } from './storages.js';

/** A storage that counts the calls the engine makes to it; `single` hides the bulk methods (the fallback path). */
function counting(storage: Storage, single = false): { storage: Storage; calls: string[] } {
  const raw = unguardedStorage(storage) as unknown as Record<string, unknown>;
  const calls: string[] = [];
  const out: Record<string, unknown> = {};
  let proto: object | null = raw;
  const names = new Set<string>();
  while (proto !== null && proto !== Object.prototype) {
    for (const name of Object.getOwnPropertyNames(proto)) names.add(name);
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  for (const name of names) {
    if (name === 'constructor' || typeof raw[name] !== 'function') continue;
    if (single && (name === 'createEnrollments' || name === 'entryHistories')) continue;
    out[name] = (...args: unknown[]) => {
      calls.push(name);
      return (raw[name] as (...a: unknown[]) => unknown).apply(raw, args);
    };
  }
  return { storage: out as unknown as Storage, calls };
}

const steps = [
  { id: 'w', type: 'wait', config: { duration: 3, unit: 'days' } },
  { id: 's', type: 'send', config: { channelId: 'email', creativeId: 'cr' } },
];

async function activeJourney(h: Harness, entryConditions: Record<string, unknown>): Promise<string> {
  const { id } = await h.engine.createJourney(journey(steps, { entryConditions }));
  await h.engine.setStatus(id, 'active');
  return id;
}

/** The result without enrollment ids (they differ between engines only by name). */
const shape = (r: EnrollResult) => ({ enrolled: r.enrolled.map((e) => e.customerId), skipped: r.skipped, counts: r.counts });

describe.each(STORAGE_KINDS)('enroll in bulk ($name)', (kind) => {
  it('enrolls 1,000 customers with a constant number of storage calls, also when entry rules read history', async () => {
    for (const entryConditions of [{}, { reEntry: 'never', minDaysSinceLastJourney: 1 }]) {
      const counts: number[] = [];
      for (const n of [10, 1000]) {
        const c = counting(await kind.make());
        const h = harness({ storage: c.storage });
        const id = await activeJourney(h, entryConditions);
        const before = c.calls.length;
        const result = await h.engine.enroll(id, { customerIds: Array.from({ length: n }, (_, i) => `c${i}`) });
        expect(result.counts.enrolled).toBe(n);
        const during = c.calls.slice(before);
        expect(during.filter((name) => name === 'createEnrollments')).toHaveLength(1);
        expect(during).not.toContain('createEnrollment');
        expect(during).not.toContain('listEnrollments');
        expect(during).not.toContain('customerHistory');
        counts.push(during.length);
        expect((await h.engine.listEnrollments({ journeyId: id, limit: 1 })).total).toBe(n);
        await h.engine.close();
      }
      expect(counts[1]).toBe(counts[0]);
      expect(counts[1]).toBeLessThanOrEqual(6);
    }
  }, 120_000);

  it('answers exactly what the single methods answer (skips, duplicates, re-entry rules), and explainEntry agrees', async () => {
    const results: Array<Array<ReturnType<typeof shape>>> = [];
    for (const single of [false, true]) {
      const c = counting(await kind.make(), single);
      const h = harness({ storage: c.storage });
      const once = await activeJourney(h, { reEntry: 'never' });
      const rested = await activeJourney(h, { minDaysSinceLastJourney: 2, reEntryAfterDays: 5 });
      const other = await activeJourney(h, {});
      const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `c${from + i}`);
      const out: Array<ReturnType<typeof shape>> = [];
      // History: c0-c9 were in `once` and left; c10-c14 are in `once` now; c15-c19 are in `other` now.
      out.push(shape(await h.engine.enroll(once, { customerIds: ids(0, 15) })));
      for (const e of (await h.engine.listEnrollments({ journeyId: once, limit: 100 })).items.filter((x) => Number(x.customerId.slice(1)) < 10)) {
        await h.engine.exitEnrollment(e.id, 'host');
      }
      out.push(shape(await h.engine.enroll(other, { customerIds: ids(15, 20) })));
      h.clock.advance(1 * DAY);
      const everyone = [...ids(0, 25), 'c3', 'c21'];
      out.push(shape(await h.engine.enroll(once, { customerIds: everyone })));
      out.push(shape(await h.engine.enroll(rested, { customerIds: everyone })));
      // explainEntry ⇔ enroll: an explanation now says what enrolling now answers.
      h.clock.advance(2 * DAY);
      const explained = await Promise.all(ids(0, 25).map((cid) => h.engine.explainEntry(rested, cid)));
      const entered = await h.engine.enroll(rested, { customerIds: ids(0, 25) });
      for (const x of explained) {
        const skip = entered.skipped.find((s) => s.customerId === x.customerId);
        expect(x.canEnter, x.customerId).toBe(skip === undefined);
        expect(x.reason, x.customerId).toBe(skip?.reason);
      }
      out.push(shape(entered));
      results.push(out);
      expect(c.calls.includes('createEnrollments')).toBe(!single);
      await h.engine.close();
    }
    expect(results[0]).toEqual(results[1]);
    const reasons = new Set(results[0]!.flatMap((r) => r.skipped.map((s) => s.reason)));
    for (const reason of ['already-enrolled', 'duplicate-in-request', 're-entry-never', 'too-soon']) expect(reasons).toContain(reason);
  });
});
