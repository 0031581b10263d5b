import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryStorage } from '../../src/adapters/memory/index.js';
import { sqliteStorage } from '../../src/adapters/sqlite/index.js';
import type { Storage } from '../../src/runtime/ports.js';
import { harness } from './engine-helpers.js';
import { validations } from '../validate/count-validations.js';
import { journey } from './helpers.js';

// Count validations while keeping the real validator.
vi.mock('../../src/validate/validate-journey.js', async (original) =>
  (await import('../validate/count-validations.js')).countingValidator(await original()));

const dir = mkdtempSync(join(tmpdir(), 'je-hot-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A storage that counts the calls made to it; `without` hides optional methods. */
function counting(storage: Storage, without: readonly string[] = []): { storage: Storage; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const wrapped = new Proxy(storage, {
    get(target, key) {
      if (typeof key === 'string' && without.includes(key)) return undefined;
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(key), (calls.get(String(key)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { storage: wrapped, calls };
}

const wait = [{ id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } }];
const triggered = (type: string, extra: Record<string, unknown> = {}) =>
  journey(wait, { name: `On ${type}`, status: 'active', entryConditions: { events: [{ type }] }, ...extra });

describe('ingestEvent: active journeys indexed by event trigger', () => {
  it('lists and decodes the active journeys once, not on every event', async () => {
    const { storage, calls } = counting(memoryStorage());
    const h = harness({ storage });
    const ids = [];
    for (const type of ['signup', 'purchase', 'churn']) ids.push((await h.engine.createJourney(triggered(type))).id);
    for (let i = 0; i < 20; i++) {
      const result = await h.engine.ingestEvent({ customerId: `c${i}`, type: i % 2 === 0 ? 'signup' : 'purchase' });
      expect(result.enrolled.map((e) => e.journeyId)).toEqual([ids[i % 2]]);
    }
    // once for the active journeys (triggers, listeners), once for the paused (listeners): not per event
    expect(calls.get('listJourneys')).toBe(2);
    // the compiled version is read once per journey, not once per enrollment
    expect(calls.get('getJourneyVersion')).toBe(2);
    expect(calls.get('catalogRevision')).toBe(20);
  });

  it("takes the engine's own journey writes into account at the next event", async () => {
    const h = harness();
    const { id } = await h.engine.createJourney(triggered('signup'));
    expect((await h.engine.ingestEvent({ customerId: 'c1', type: 'signup' })).enrolled).toHaveLength(1);
    await h.engine.setStatus(id, 'paused');
    expect((await h.engine.ingestEvent({ customerId: 'c2', type: 'signup' })).enrolled).toEqual([]);
    await h.engine.updateJourney(id, { entryConditions: { events: [{ type: 'purchase' }] } });
    await h.engine.setStatus(id, 'active');
    expect((await h.engine.ingestEvent({ customerId: 'c3', type: 'signup' })).enrolled).toEqual([]);
    expect((await h.engine.ingestEvent({ customerId: 'c4', type: 'purchase' })).enrolled).toEqual([{ journeyId: id, enrollmentId: expect.any(String) }]);
    const second = await h.engine.createJourney(triggered('purchase'));
    const both = await h.engine.ingestEvent({ customerId: 'c5', type: 'purchase' });
    expect(both.enrolled.map((e) => e.journeyId).sort()).toEqual([id, second.id].sort());
  });

  const sharedStorages: Array<[string, () => [Storage, Storage]]> = [
    ['memory (one storage, two engines)', () => {
      const s = memoryStorage();
      return [s, s];
    }],
    ['sqlite (one file, two connections)', () => {
      const filename = join(dir, `shared-${Math.random().toString(36).slice(2)}.db`);
      return [sqliteStorage({ filename }), sqliteStorage({ filename })];
    }],
    ['a storage without catalogRevision', () => {
      const s = memoryStorage();
      return [counting(s, ['catalogRevision']).storage, s];
    }],
  ];

  it.each(sharedStorages)("notices another process's journey writes at the next event: %s", async (_, make) => {
    const [mine, theirs] = make();
    const a = harness({ storage: mine });
    const b = harness({ storage: theirs, engine: { newId: (kind) => `${kind}_b_${Math.random().toString(36).slice(2)}` } });
    expect((await a.engine.ingestEvent({ customerId: 'c0', type: 'signup' })).enrolled).toEqual([]); // index built: nothing
    const { id } = await b.engine.createJourney(triggered('signup'));
    expect((await a.engine.ingestEvent({ customerId: 'c1', type: 'signup' })).enrolled).toEqual([{ journeyId: id, enrollmentId: expect.any(String) }]);
    await b.engine.setStatus(id, 'paused');
    expect((await a.engine.ingestEvent({ customerId: 'c2', type: 'signup' })).enrolled).toEqual([]);
    await b.engine.updateJourney(id, { entryConditions: { events: [{ type: 'purchase' }] } });
    await b.engine.setStatus(id, 'active');
    expect((await a.engine.ingestEvent({ customerId: 'c3', type: 'signup' })).enrolled).toEqual([]);
    expect((await a.engine.ingestEvent({ customerId: 'c4', type: 'purchase' })).enrolled).toHaveLength(1);
    await b.engine.setStatus(id, 'archived');
    expect((await a.engine.ingestEvent({ customerId: 'c5', type: 'purchase' })).enrolled).toEqual([]);
    await a.engine.close();
    if (mine !== theirs) await b.engine.close();
  });

  it('keeps the index per tenant', async () => {
    const h = harness();
    const other = h.engine.forTenant('tenant-b');
    const { id } = await h.engine.createJourney(triggered('signup'));
    expect((await other.ingestEvent({ customerId: 'c1', type: 'signup' })).enrolled).toEqual([]);
    const theirs = await other.createJourney(triggered('signup'));
    expect((await other.ingestEvent({ customerId: 'c1', type: 'signup' })).enrolled.map((e) => e.journeyId)).toEqual([theirs.id]);
    expect((await h.engine.ingestEvent({ customerId: 'c1', type: 'signup' })).enrolled.map((e) => e.journeyId)).toEqual([id]);
  });
});

describe('getJourney: diagnostics cached by (journey, revision)', () => {
  beforeEach(() => {
    validations.count = 0;
  });

  it('validates a stored journey once per revision, however often it is read', async () => {
    const h = harness();
    const { id, diagnostics } = await h.engine.createJourney(journey(wait));
    expect(validations.count).toBe(1);
    for (let i = 0; i < 5; i++) expect((await h.engine.getJourney(id))?.diagnostics).toEqual(diagnostics);
    expect(validations.count).toBe(1);
    await h.engine.updateJourney(id, { name: 'Renamed' });
    const count = validations.count;
    expect((await h.engine.getJourney(id))?.name).toBe('Renamed');
    expect(validations.count).toBe(count);
  });

  it("re-validates after another process's write (a new revision)", async () => {
    const storage = memoryStorage();
    const a = harness({ storage });
    const b = harness({ storage });
    const { id } = await a.engine.createJourney(journey(wait));
    await a.engine.getJourney(id);
    await b.engine.updateJourney(id, { steps: [{ id: 'w', type: 'wait', config: { duration: 1, unit: 'days' }, next: 'nowhere' }] });
    const details = await a.engine.getJourney(id);
    expect(details?.diagnostics.map((d) => d.code)).toContain('unknown-target');
  });

  it('answers the right diagnostics for a journey deleted and created again under the same id', async () => {
    const h = harness({ engine: { newId: () => 'jrn_same' } });
    await h.engine.createJourney(journey(wait));
    expect((await h.engine.getJourney('jrn_same'))?.diagnostics).toEqual([]);
    await h.engine.deleteJourney('jrn_same');
    await h.engine.createJourney(journey([{ id: 'w', type: 'wait', config: { duration: 1, unit: 'days' }, next: 'nowhere' }]));
    expect((await h.engine.getJourney('jrn_same'))?.diagnostics.map((d) => d.code)).toContain('unknown-target');
  });
});

describe('runDue on a cold journey cache', () => {
  it('reads a journey version once for a batch of claims that all miss the cache at the same time', async () => {
    const shared = memoryStorage();
    const first = harness({ storage: shared });
    const { id } = await first.engine.createJourney(journey([{ id: 's', type: 'send', config: { channelId: 'email' } }], { status: 'active' }));
    await first.engine.enroll(id, { customerIds: Array.from({ length: 20 }, (_, i) => `c${i}`) });
    // A second engine (a worker just started): its cache is empty when 20 claims arrive together.
    const { storage, calls } = counting(shared);
    const second = harness({ storage });
    expect(await second.engine.runDue()).toEqual({ processed: 20, lost: 0 });
    expect(calls.get('getJourneyVersion')).toBe(1);
    expect(calls.get('getJourney')).toBe(1);
  });
});
