/**
 * The storage conformance suite: every `Storage` implementation must pass it unchanged.
 * It specifies the rules of `src/runtime/ports.ts` as examples. It imports no test runner: the
 * host passes its own `describe`/`it`/`expect`/`beforeEach`/`afterEach` (see `ConformanceTestApi`).
 */
import { JourneyError } from '../model/errors.js';
import type { Commit, CommitResult, Storage } from '../runtime/ports.js';
import { guardStorage } from '../runtime/storage-guard.js';
import type { Enrollment } from '../runtime/types.js';
import type { ConformanceTestApi } from './api.js';
import { DAY, OTHER, T, effect, ended, enrollment, journey, next } from './fixtures.js';

/**
 * Creates a fresh, empty storage (init is called by the suite) and how to dispose of it.
 * `damage(enrollmentId)`, when given, makes that stored enrollment unreadable the way a damaged
 * row is (bad JSON, a field failing the row checks), with the storage's raw client or test hook,
 * and `fix(enrollmentId)` puts back what it damaged (an operator's fix by hand). Declare them in
 * `ConformanceOptions` too: the quarantine cases are registered only then (no runner-specific skip).
 */
export type StorageFactory = () => Promise<{
  storage: Storage;
  cleanup(): Promise<void>;
  damage?(enrollmentId: string): Promise<void>;
  fix?(enrollmentId: string): Promise<void>;
}>;

/** What the factory can do beyond making a storage; it decides which cases are registered. */
export interface ConformanceOptions {
  /** The factory returns `damage`: register the quarantine cases. */
  damage?: boolean;
  /** The factory returns `fix` too: register the case of a row fixed in place. */
  fix?: boolean;
  /** The storage implements the optional `commitMany`: register its cases (every `commit` case through it, and mixed batches). */
  commitMany?: boolean;
}

/**
 * Registers the storage conformance suite with the host's test runner (vitest, jest, node:test):
 * one `describe` block named `storage conformance: <name>`, a fresh storage per case.
 *
 * @example
 * ```ts
 * import { describe, it, expect, beforeEach, afterEach } from 'vitest';
 * import { describeStorageConformance } from 'journey-engine/conformance';
 * describeStorageConformance('my storage', async () => ({ storage: myStorage(), cleanup: async () => {} }),
 *   { describe, it, expect, beforeEach, afterEach });
 * ```
 */
export function describeStorageConformance(name: string, factory: StorageFactory, test: ConformanceTestApi, options: ConformanceOptions = {}): void {
  const { describe, it, beforeEach, afterEach } = test;
  const expect = test.expect;
  /** A quarantine case: registered only when the factory can damage a row (and fix it, with `fix`). */
  const itDamaged = (title: string, fn: () => Promise<void>, needsFix = false): void => {
    if (options.damage && (!needsFix || options.fix)) it(title, fn);
  };
  /** A block of quarantine cases (runners refuse an empty block). */
  const describeDamaged = (title: string, fn: () => void): void => {
    if (options.damage) describe(title, fn);
  };
  describe(`storage conformance: ${name}`, () => {
    let s: Storage;
    let cleanup: () => Promise<void>;
    let damage: ((enrollmentId: string) => Promise<void>) | undefined;
    let fix: ((enrollmentId: string) => Promise<void>) | undefined;

    beforeEach(async () => {
      const made = await factory();
      s = made.storage;
      cleanup = made.cleanup;
      damage = made.damage?.bind(made);
      fix = made.fix?.bind(made);
      if (Boolean(damage) !== Boolean(options.damage) || Boolean(fix) !== Boolean(options.fix)) {
        await cleanup();
        throw new Error(
          `storage conformance: ${name}: the factory returns ${damage ? '' : 'no '}damage and ${fix ? '' : 'no '}fix, ` +
            `but the options say damage: ${Boolean(options.damage)}, fix: ${Boolean(options.fix)}; make them agree`,
        );
      }
      if (Boolean(options.commitMany) !== (typeof s.commitMany === 'function')) {
        await cleanup();
        throw new Error(`storage conformance: ${name}: the storage ${s.commitMany ? 'has' : 'has no'} commitMany, but the options say commitMany: ${Boolean(options.commitMany)}; make them agree`);
      }
      await s.init();
    });
    afterEach(async () => {
      await cleanup();
    });

    describe('init', () => {
      it('is idempotent', async () => {
        await s.init();
        await s.init();
        expect(await s.createJourney(journey())).toBe(true);
        await s.init();
        expect(await s.getJourney(T, 'j1')).toEqual(journey());
      });
    });

    describe('journeys', () => {
      it('creates a journey once and reads it back exactly', async () => {
        expect(await s.createJourney(journey())).toBe(true);
        expect(await s.createJourney(journey({ name: 'again' }))).toBe(false);
        expect(await s.getJourney(T, 'j1')).toEqual(journey());
        expect(await s.getJourney(T, 'nope')).toBeNull();
      });

      it('stores the definition as the record version', async () => {
        await s.createJourney(journey({ version: 3 }));
        const j = journey();
        expect(await s.getJourneyVersion(T, 'j1', 3)).toEqual({ maxDuration: j.maxDuration, steps: j.steps, entryConditions: j.entryConditions });
        expect(await s.getJourneyVersion(T, 'j1', 1)).toBeNull();
        expect(await s.getJourneyVersion(T, 'nope', 3)).toBeNull();
      });

      it('lists newest first (createdAt desc, then id asc), filters by status, paginates with a total', async () => {
        await s.createJourney(journey({ id: 'b', createdAt: 10 }));
        await s.createJourney(journey({ id: 'a', createdAt: 10, status: 'draft' }));
        await s.createJourney(journey({ id: 'c', createdAt: 30, status: 'paused' }));
        await s.createJourney(journey({ id: 'd', createdAt: 20 }));
        const all = await s.listJourneys(T, { limit: 10, offset: 0 });
        expect(all.items.map((j) => j.id)).toEqual(['c', 'd', 'a', 'b']);
        expect(all.total).toBe(4);
        const page = await s.listJourneys(T, { limit: 2, offset: 1 });
        expect(page.items.map((j) => j.id)).toEqual(['d', 'a']);
        expect(page.total).toBe(4);
        const active = await s.listJourneys(T, { status: 'active', limit: 10, offset: 0 });
        expect(active.items.map((j) => j.id)).toEqual(['d', 'b']);
        expect(active.total).toBe(2);
        expect(await s.listJourneys(T, { limit: 10, offset: 10 })).toEqual({ items: [], total: 4 });
      });

      it('updates only at the expected revision', async () => {
        await s.createJourney(journey());
        expect(await s.updateJourney(journey({ name: 'Renamed', revision: 2, updatedAt: 2_000 }), 1)).toBe(true);
        expect(await s.getJourney(T, 'j1')).toEqual(journey({ name: 'Renamed', revision: 2, updatedAt: 2_000 }));
        // stale writer: it read revision 1
        expect(await s.updateJourney(journey({ name: 'Stale', revision: 2 }), 1)).toBe(false);
        expect((await s.getJourney(T, 'j1'))?.name).toBe('Renamed');
        expect(await s.updateJourney(journey({ id: 'missing', revision: 2 }), 1)).toBe(false);
      });

      it('refuses an update whose revision is not expectedRevision + 1', async () => {
        await s.createJourney(journey());
        await expect(s.updateJourney(journey({ revision: 5 }), 1)).rejects.toMatchObject({ code: 'invalid-revision' });
        expect((await s.getJourney(T, 'j1'))?.revision).toBe(1);
      });

      it('stores a new version on a structural change and never rewrites an old version', async () => {
        const v1 = journey({ status: 'paused' });
        await s.createJourney(v1);
        const v2Steps = [{ id: 'send1', type: 'send' as const, config: { channelId: 'sms' } }];
        expect(await s.updateJourney(journey({ status: 'paused', steps: v2Steps, version: 2, revision: 2 }), 1)).toBe(true);
        // an update that keeps version 2 but carries other steps does not rewrite version 2
        expect(await s.updateJourney(journey({ status: 'paused', steps: [], version: 2, revision: 3 }), 2)).toBe(true);
        expect((await s.getJourneyVersion(T, 'j1', 1))?.steps).toEqual(v1.steps);
        expect((await s.getJourneyVersion(T, 'j1', 2))?.steps).toEqual(v2Steps);
        expect((await s.getJourney(T, 'j1'))?.steps).toEqual([]);
      });

      it('deletes a journey and its versions only at the expected revision', async () => {
        await s.createJourney(journey({ status: 'draft' }));
        expect(await s.deleteJourney(T, 'j1', 7)).toBe(false);
        expect(await s.getJourney(T, 'j1')).not.toBeNull();
        expect(await s.deleteJourney(T, 'j1', 1)).toBe(true);
        expect(await s.getJourney(T, 'j1')).toBeNull();
        expect(await s.getJourneyVersion(T, 'j1', 1)).toBeNull();
        expect(await s.deleteJourney(T, 'j1', 1)).toBe(false);
        expect(await s.createJourney(journey({ status: 'draft' }))).toBe(true);
      });

      it('keeps the enrollments of a deleted journey: customerHistory still reports the last end, getEnrollment still answers', async () => {
        await s.createJourney(journey());
        const a = enrollment({ id: 'a', customerId: 'c1' });
        const b = enrollment({ id: 'b', customerId: 'c2' });
        await s.createEnrollment(a);
        await s.createEnrollment(b);
        await s.commit({ enrollment: ended(a, 2_000), expectedVersion: 1, now: 2_000 });
        expect(await s.exitAll(T, 'j1', 'archived', 3_000)).toEqual(['b']);
        expect(await s.updateJourney(journey({ status: 'archived', revision: 2, updatedAt: 3_000 }), 1)).toBe(true);
        expect(await s.deleteJourney(T, 'j1', 2)).toBe(true);

        expect(await s.getJourney(T, 'j1')).toBeNull();
        expect(await s.customerHistory(T, 'c1')).toEqual({ active: false, lastEndedAt: 2_000 });
        expect(await s.customerHistory(T, 'c2')).toEqual({ active: false, lastEndedAt: 3_000 });
        expect(await s.getEnrollment(T, 'a')).toMatchObject({ id: 'a', journeyId: 'j1', status: 'completed', endedAt: 2_000 });
        expect(await s.getEnrollment(T, 'b')).toMatchObject({ id: 'b', journeyId: 'j1', status: 'exited', exitReason: 'archived', endedAt: 3_000 });
        expect((await s.listEnrollments({ tenantId: T, journeyId: 'j1', limit: 10, offset: 0 })).items.map((e) => e.id)).toEqual(['a', 'b']);
        expect(await s.claimDue({ now: 100_000, limit: 10, leaseMs: 1, workerId: 'w1' })).toEqual([]);
      });

      it('keeps tenants apart', async () => {
        await s.createJourney(journey());
        expect(await s.getJourney(OTHER, 'j1')).toBeNull();
        expect(await s.getJourneyVersion(OTHER, 'j1', 1)).toBeNull();
        expect(await s.listJourneys(OTHER, { limit: 10, offset: 0 })).toEqual({ items: [], total: 0 });
        expect(await s.updateJourney(journey({ tenantId: OTHER, revision: 2 }), 1)).toBe(false);
        expect(await s.deleteJourney(OTHER, 'j1', 1)).toBe(false);
        // the same id in another tenant is another journey
        expect(await s.createJourney(journey({ tenantId: OTHER, name: 'Theirs' }))).toBe(true);
        expect((await s.getJourney(T, 'j1'))?.name).toBe('Welcome');
        expect((await s.getJourney(OTHER, 'j1'))?.name).toBe('Theirs');
      });

      it('moves the catalog revision on every journey write of a tenant, and only then', async () => {
        expect(typeof s.catalogRevision).toBe('function');
        const revision = (tenant = T) => s.catalogRevision!(tenant);
        const seen = [await revision()];
        const moved = async () => {
          const now = await revision();
          expect(seen).not.toContain(now);
          seen.push(now);
        };
        const still = async () => expect(await revision()).toBe(seen.at(-1));
        await still(); // reading does not move it
        await s.createJourney(journey({ status: 'draft' }));
        await moved();
        const other = await revision(OTHER);
        await s.updateJourney(journey({ status: 'active', revision: 2 }), 1);
        await moved();
        await s.updateJourney(journey({ status: 'paused', revision: 2 }), 1); // refused: stale
        await still();
        await s.updateJourney(journey({ status: 'archived', revision: 3 }), 2);
        await moved();
        await s.deleteJourney(T, 'j1', 1); // refused: stale
        await still();
        await s.deleteJourney(T, 'j1', 3);
        await moved();
        // the same id again, as it was first written: still a new revision
        await s.createJourney(journey({ status: 'draft' }));
        await moved();
        // other tenants and enrollment writes leave it alone
        expect(await revision(OTHER)).toBe(other);
        await s.createEnrollment(enrollment({ journeyId: 'j1' }));
        await still();
        await s.createJourney(journey({ tenantId: OTHER }));
        await still();
        expect(await revision(OTHER)).not.toBe(other);
      });
    });

    describe('createEnrollments (optional: the bulk createEnrollment)', () => {
      it('writes every entry on its own terms and answers one result per entry, in order', async () => {
        if (s.createEnrollments === undefined) return expect(s.createEnrollments).toBeUndefined();
        await s.createJourney(journey());
        await s.createEnrollment(enrollment({ id: 'e0', customerId: 'c-active' }));
        const entered = { journeyId: 'j1', stepId: 'wait1', metric: 'entered' };
        const results = await s.createEnrollments([
          { enrollment: enrollment({ id: 'e1', customerId: 'c1' }), counters: [entered] },
          { enrollment: enrollment({ id: 'e2', customerId: 'c-active' }), counters: [entered] }, // already active in j1
          { enrollment: enrollment({ id: 'e1', customerId: 'c9' }), counters: [entered] }, // id taken
          { enrollment: ended(enrollment({ id: 'e3', customerId: 'c-active' }), 500) }, // ended: no guard
          { enrollment: enrollment({ id: 'e4', customerId: 'c4', context: { n: 1 } }) },
        ]);
        expect(results).toEqual(['created', 'duplicate', 'duplicate', 'created', 'created']);
        expect(await s.getEnrollment(T, 'e1')).toEqual(enrollment({ id: 'e1', customerId: 'c1' }));
        expect(await s.getEnrollment(T, 'e2')).toBeNull();
        expect(await s.getEnrollment(T, 'e4')).toEqual(enrollment({ id: 'e4', customerId: 'c4', context: { n: 1 } }));
        expect((await s.stats(T, 'j1'))['wait1']).toMatchObject({ entered: 1 });
        expect(await s.createEnrollments([])).toEqual([]);
      });
    });

    describe('entryHistories (optional: the entry rules\' facts in bulk)', () => {
      it('answers per customer, in order, what customerHistory and listEnrollments answer one by one', async () => {
        if (s.entryHistories === undefined) return expect(s.entryHistories).toBeUndefined();
        await s.createJourney(journey());
        await s.createJourney(journey({ id: 'j2' }));
        const a1 = enrollment({ id: 'a1', customerId: 'ca' });
        await s.createEnrollment(a1);
        await s.commit({ enrollment: ended(a1, 3_000, 'exited'), expectedVersion: 1, now: 3_000 });
        await s.createEnrollment(enrollment({ id: 'a2', customerId: 'ca', enteredAt: 4_000 }));
        const b1 = enrollment({ id: 'b1', customerId: 'cb', journeyId: 'j2' });
        await s.createEnrollment(b1);
        await s.commit({ enrollment: ended(b1, 7_000), expectedVersion: 1, now: 7_000 });
        await s.createEnrollment(enrollment({ id: 'x1', customerId: 'ca', tenantId: OTHER }));
        const ids = ['cb', 'nobody', 'ca'];
        const answers = await s.entryHistories(T, 'j1', ids);
        expect(answers).toEqual([
          { customerId: 'cb', active: false, lastEndedAt: 7_000, journey: { enrollments: 0, active: null, lastEndedAt: null } },
          { customerId: 'nobody', active: false, lastEndedAt: null, journey: { enrollments: 0, active: null, lastEndedAt: null } },
          { customerId: 'ca', active: true, lastEndedAt: 3_000, journey: { enrollments: 2, active: { id: 'a2', enteredAt: 4_000 }, lastEndedAt: 3_000 } },
        ]);
        for (const [i, customerId] of ids.entries()) {
          expect(await s.customerHistory(T, customerId)).toEqual({ active: answers[i]!.active, lastEndedAt: answers[i]!.lastEndedAt });
          const listed = await s.listEnrollments({ tenantId: T, journeyId: 'j1', customerId, limit: 100, offset: 0 });
          expect(listed.total).toBe(answers[i]!.journey.enrollments);
        }
        expect(await s.entryHistories(T, 'j2', ['cb'])).toEqual([
          { customerId: 'cb', active: false, lastEndedAt: 7_000, journey: { enrollments: 1, active: null, lastEndedAt: 7_000 } },
        ]);
      });
    });

    describe('createEnrollment', () => {
      it('creates and reads back exactly', async () => {
        const e = enrollment({
          context: { source: 'signup', n: 1.5, nested: { ok: true, list: [1, 'x', null] } },
          visits: { wait1: 2 },
          results: { decide1: [{ id: 'offer-1', score: 0.5 }] },
          flags: { vip: true },
          outcomes: [{ type: 'click', at: 1_500, key: 'k1', sendKey: 'e1:send1:1' }],
          latestOutcome: { type: 'click', at: 1_500, key: 'k1', sendKey: 'e1:send1:1' },
          lastSendAt: 1_400,
          sends: [{ key: 'e1:send1:1', stepId: 'send1', at: 1_400, messageId: 'm-1' }],
          lastError: { message: 'boom', code: 'x', stepId: 'send1', at: 1_450, attempts: 2 },
          attempts: 2,
        });
        expect(await s.createEnrollment(e)).toBe('created');
        expect(await s.getEnrollment(T, 'e1')).toEqual(e);
        expect(await s.getEnrollment(OTHER, 'e1')).toBeNull();
        expect(await s.getEnrollment(T, 'nope')).toBeNull();
      });

      it('keeps the split variants an enrollment was assigned, keys named like prototype properties included', async () => {
        const variants = JSON.parse('{"split1":"A","constructor":"Holdout","__proto__":"B","toString":"C"}') as Record<string, string>;
        const e = enrollment({ variants });
        expect(await s.createEnrollment(e)).toBe('created');
        const read = await s.getEnrollment(T, 'e1');
        expect(read).toEqual(e);
        expect(Object.entries(read!.variants!)).toEqual(Object.entries(variants));
        expect(Object.hasOwn(read!.variants!, '__proto__') && read!.variants!['__proto__']).toBe('B');
        // an enrollment without variants reads back without the field
        expect(await s.createEnrollment(enrollment({ id: 'e2', customerId: 'c2' }))).toBe('created');
        expect(await s.getEnrollment(T, 'e2')).not.toHaveProperty('variants');
      });

      it('refuses a second active enrollment of a customer in a journey', async () => {
        expect(await s.createEnrollment(enrollment())).toBe('created');
        expect(await s.createEnrollment(enrollment({ id: 'e2' }), [{ journeyId: 'j1', stepId: 'wait1', metric: 'entered' }])).toBe('duplicate');
        expect(await s.getEnrollment(T, 'e2')).toBeNull();
        expect(await s.stats(T, 'j1')).toEqual({ wait1: { entered: 0, completed: 0, skipped: {}, current: 1, exited: {}, failed: 0, noted: {} } });
        // another customer, another journey, another tenant: fine
        expect(await s.createEnrollment(enrollment({ id: 'e3', customerId: 'c2' }))).toBe('created');
        expect(await s.createEnrollment(enrollment({ id: 'e4', journeyId: 'j2' }))).toBe('created');
        expect(await s.createEnrollment(enrollment({ id: 'e5', tenantId: OTHER }))).toBe('created');
      });

      it('answers duplicate for an id that exists', async () => {
        expect(await s.createEnrollment(enrollment())).toBe('created');
        expect(await s.createEnrollment(enrollment({ customerId: 'c9' }))).toBe('duplicate');
        expect((await s.getEnrollment(T, 'e1'))?.customerId).toBe('c1');
      });

      it('allows the customer in again once the enrollment ended', async () => {
        const e = enrollment();
        await s.createEnrollment(e);
        expect(await s.commit({ enrollment: ended(e, 3_000), expectedVersion: 1, now: 3_000 })).toBe('ok');
        expect(await s.createEnrollment(enrollment({ id: 'e2', enteredAt: 4_000 }))).toBe('created');
        expect(await s.createEnrollment(enrollment({ id: 'e3', enteredAt: 4_000 }))).toBe('duplicate');
      });

      it('applies counters in the same write', async () => {
        await s.createEnrollment(enrollment(), [
          { journeyId: 'j1', stepId: 'wait1', metric: 'entered' },
          { journeyId: 'j1', stepId: 'wait1', metric: 'entered' },
        ]);
        expect(await s.stats(T, 'j1')).toEqual({ wait1: { entered: 2, completed: 0, skipped: {}, current: 1, exited: {}, failed: 0, noted: {} } });
      });
    });

    describe('listEnrollments', () => {
      beforeEach(async () => {
        await s.createEnrollment(enrollment({ id: 'e3', customerId: 'c3', enteredAt: 10 }));
        await s.createEnrollment(enrollment({ id: 'e1', customerId: 'c1', enteredAt: 20 }));
        await s.createEnrollment(enrollment({ id: 'e2', customerId: 'c2', enteredAt: 10, stepId: 'send1' }));
        await s.createEnrollment(enrollment({ id: 'e4', customerId: 'c1', journeyId: 'j2', enteredAt: 5 }));
        await s.createEnrollment(enrollment({ id: 'x1', tenantId: OTHER, enteredAt: 1 }));
        const e1 = (await s.getEnrollment(T, 'e1'))!;
        await s.commit({ enrollment: ended(e1, 50), expectedVersion: 1, now: 50 });
      });

      it('orders by enteredAt then id, within the tenant, with a total', async () => {
        const r = await s.listEnrollments({ tenantId: T, limit: 10, offset: 0 });
        expect(r.items.map((e) => e.id)).toEqual(['e4', 'e2', 'e3', 'e1']);
        expect(r.total).toBe(4);
      });

      it('paginates', async () => {
        const r = await s.listEnrollments({ tenantId: T, limit: 2, offset: 1 });
        expect(r.items.map((e) => e.id)).toEqual(['e2', 'e3']);
        expect(r.total).toBe(4);
        expect(await s.listEnrollments({ tenantId: T, limit: 2, offset: 9 })).toEqual({ items: [], total: 4 });
      });

      it('filters by journey, customer, status and step', async () => {
        const ids = async (q: Partial<Parameters<Storage['listEnrollments']>[0]>) =>
          (await s.listEnrollments({ tenantId: T, limit: 10, offset: 0, ...q })).items.map((e) => e.id);
        expect(await ids({ journeyId: 'j1' })).toEqual(['e2', 'e3', 'e1']);
        expect(await ids({ customerId: 'c1' })).toEqual(['e4', 'e1']);
        expect(await ids({ status: 'completed' })).toEqual(['e1']);
        expect(await ids({ status: 'active', journeyId: 'j1' })).toEqual(['e2', 'e3']);
        expect(await ids({ stepId: 'send1' })).toEqual(['e2']);
        expect(await ids({ journeyId: 'j1', customerId: 'c3', status: 'active', stepId: 'wait1' })).toEqual(['e3']);
        expect(await ids({ journeyId: 'nope' })).toEqual([]);
        expect((await s.listEnrollments({ tenantId: OTHER, limit: 10, offset: 0 })).items.map((e) => e.id)).toEqual(['x1']);
      });
    });

    describe('customerHistory', () => {
      it('reports no history for a new customer', async () => {
        expect(await s.customerHistory(T, 'c1')).toEqual({ active: false, lastEndedAt: null });
      });

      it('reports an active enrollment in any journey and the latest end', async () => {
        const a = enrollment({ id: 'a', journeyId: 'j1' });
        const b = enrollment({ id: 'b', journeyId: 'j2' });
        const c = enrollment({ id: 'c', journeyId: 'j3' });
        await s.createEnrollment(a);
        await s.createEnrollment(b);
        await s.createEnrollment(c);
        expect(await s.customerHistory(T, 'c1')).toEqual({ active: true, lastEndedAt: null });
        await s.commit({ enrollment: ended(b, 9_000, 'exited'), expectedVersion: 1, now: 9_000 });
        await s.commit({ enrollment: ended(a, 7_000), expectedVersion: 1, now: 9_500 });
        expect(await s.customerHistory(T, 'c1')).toEqual({ active: true, lastEndedAt: 9_000 });
        await s.commit({ enrollment: ended(c, 8_000, 'failed'), expectedVersion: 1, now: 9_600 });
        expect(await s.customerHistory(T, 'c1')).toEqual({ active: false, lastEndedAt: 9_000 });
        expect(await s.customerHistory(OTHER, 'c1')).toEqual({ active: false, lastEndedAt: null });
        expect(await s.customerHistory(T, 'c2')).toEqual({ active: false, lastEndedAt: null });
      });
    });

    describe('claimDue', () => {
      const claim = (now: number, limit = 10, leaseMs = 1_000, workerId = 'w1') => s.claimDue({ now, limit, leaseMs, workerId });

      it('claims due enrollments in (wakeAt, id) order up to the limit, with a lease and a token', async () => {
        await s.createJourney(journey());
        await s.createJourney(journey({ id: 'j2' }));
        await s.createEnrollment(enrollment({ id: 'b', customerId: 'c2', wakeAt: 100 }));
        await s.createEnrollment(enrollment({ id: 'a', customerId: 'c1', wakeAt: 100 }));
        await s.createEnrollment(enrollment({ id: 'c', customerId: 'c3', wakeAt: 50, journeyId: 'j2' }));
        await s.createEnrollment(enrollment({ id: 'd', customerId: 'c4', wakeAt: 300 }));
        const claims = await claim(200, 2, 500);
        expect(claims.map((c) => c.enrollment.id)).toEqual(['c', 'a']);
        for (const c of claims) {
          expect(c.token).toBeGreaterThan(0);
          expect(c.leaseUntil).toBe(700);
          expect(c.enrollment).toEqual(await s.getEnrollment(T, c.enrollment.id));
        }
        expect((await claim(200)).map((c) => c.enrollment.id)).toEqual(['b']);
        expect(await claim(200)).toEqual([]);
        expect((await claim(300)).map((c) => c.enrollment.id)).toEqual(['d']);
      });

      it('includes wakeAt == now and excludes the future', async () => {
        await s.createJourney(journey());
        await s.createEnrollment(enrollment({ wakeAt: 100 }));
        expect(await claim(99)).toEqual([]);
        expect(await claim(100)).toHaveLength(1);
      });

      it('claims across tenants', async () => {
        await s.createJourney(journey());
        await s.createJourney(journey({ tenantId: OTHER }));
        await s.createEnrollment(enrollment({ id: 'a', wakeAt: 10 }));
        await s.createEnrollment(enrollment({ id: 'b', tenantId: OTHER, wakeAt: 5 }));
        expect((await claim(20)).map((c) => [c.enrollment.tenantId, c.enrollment.id])).toEqual([
          [OTHER, 'b'],
          [T, 'a'],
        ]);
      });

      it('skips enrollments whose journey is not active (paused, draft, archived, missing)', async () => {
        await s.createJourney(journey({ id: 'paused', status: 'paused' }));
        await s.createJourney(journey({ id: 'draft', status: 'draft' }));
        await s.createJourney(journey({ id: 'archived', status: 'archived' }));
        for (const j of ['paused', 'draft', 'archived', 'missing']) {
          await s.createEnrollment(enrollment({ id: `e-${j}`, journeyId: j, wakeAt: 10 }));
        }
        expect(await claim(100)).toEqual([]);
        // Only the paused one can still be claimed, once past its deadline (to exit with max-duration).
        expect(await s.nextWakeAt()).toBe(1_000 + 30 * DAY + 1);
        // resume: the overdue enrollment is claimable at once
        const paused = (await s.getJourney(T, 'paused'))!;
        await s.updateJourney({ ...paused, status: 'active', revision: 2 }, 1);
        expect(await s.nextWakeAt()).toBe(10);
        expect((await claim(100)).map((c) => c.enrollment.id)).toEqual(['e-paused']);
      });

      it('claims enrollments of a paused journey only once the clock is past their deadline (maxDuration holds while paused)', async () => {
        await s.createJourney(journey({ id: 'paused', status: 'paused' }));
        await s.createJourney(journey({ id: 'draft', status: 'draft' }));
        await s.createJourney(journey({ id: 'active' }));
        await s.createEnrollment(enrollment({ id: 'late', customerId: 'c1', journeyId: 'paused', wakeAt: 10, deadline: 500 }));
        await s.createEnrollment(enrollment({ id: 'early', customerId: 'c2', journeyId: 'paused', wakeAt: 20, deadline: 400 }));
        await s.createEnrollment(enrollment({ id: 'not-yet', customerId: 'c3', journeyId: 'paused', wakeAt: 5, deadline: 900 }));
        await s.createEnrollment(enrollment({ id: 'future', customerId: 'c4', journeyId: 'paused', wakeAt: 700, deadline: 600 }));
        await s.createEnrollment(enrollment({ id: 'draft', customerId: 'c5', journeyId: 'draft', wakeAt: 10, deadline: 100 }));
        await s.createEnrollment(enrollment({ id: 'running', customerId: 'c6', journeyId: 'active', wakeAt: 15 }));
        // The next instant anything can be claimed: the active one's wakeAt, then just past a deadline.
        expect(await s.nextWakeAt()).toBe(15);
        expect((await claim(400)).map((c) => c.enrollment.id)).toEqual(['running']); // deadline 400 is not past at 400
        expect(await s.nextWakeAt()).toBe(401);
        expect((await claim(401)).map((c) => c.enrollment.id)).toEqual(['early']);
        expect(await s.nextWakeAt()).toBe(501);
        expect((await claim(650)).map((c) => c.enrollment.id)).toEqual(['late']); // 'future' is not due (wakeAt 700)
        expect(await s.nextWakeAt()).toBe(700);
        expect((await claim(700)).map((c) => c.enrollment.id)).toEqual(['future']);
        // draft journeys have no enrollments that run; a paused one past nothing waits for resume
        expect(await s.nextWakeAt()).toBe(901);
      });

      it('skips ended enrollments and enrollments without a wakeAt', async () => {
        await s.createJourney(journey());
        const a = enrollment({ id: 'a', customerId: 'c1', wakeAt: 10 });
        await s.createEnrollment(a);
        await s.createEnrollment(enrollment({ id: 'b', customerId: 'c2', wakeAt: null }));
        await s.commit({ enrollment: ended(a, 20), expectedVersion: 1, now: 20 });
        expect(await claim(100)).toEqual([]);
      });

      it('skips leased enrollments and claims them again after the lease expires, with a higher token', async () => {
        await s.createJourney(journey());
        await s.createEnrollment(enrollment({ wakeAt: 10 }));
        const [first] = await claim(100, 10, 1_000, 'w1');
        expect(first?.leaseUntil).toBe(1_100);
        expect(await claim(500, 10, 1_000, 'w2')).toEqual([]);
        expect(await claim(1_099, 10, 1_000, 'w2')).toEqual([]);
        const [second] = await claim(1_100, 10, 1_000, 'w2');
        expect(second?.enrollment.id).toBe('e1');
        expect(second!.token).toBeGreaterThan(first!.token);
        expect(second!.leaseUntil).toBe(2_100);
      });

      it('makes the previous claimant stale (fenced) once re-claimed', async () => {
        await s.createJourney(journey());
        const e = enrollment({ wakeAt: 10 });
        await s.createEnrollment(e);
        const [first] = await claim(100, 10, 100);
        const [second] = await claim(300, 10, 100);
        expect(await s.commit({ enrollment: next(e, { wakeAt: 5_000 }), expectedVersion: 1, token: first!.token, release: true, now: 310 })).toBe(
          'fenced',
        );
        expect(await s.commit({ enrollment: next(e, { wakeAt: 6_000 }), expectedVersion: 1, token: second!.token, release: true, now: 320 })).toBe('ok');
        expect((await s.getEnrollment(T, 'e1'))?.wakeAt).toBe(6_000);
      });

      it('lets the claimant commit after its lease expired when nobody claimed since', async () => {
        await s.createJourney(journey());
        const e = enrollment({ wakeAt: 10 });
        await s.createEnrollment(e);
        const [c] = await claim(100, 10, 100);
        expect(await s.commit({ enrollment: next(e, { wakeAt: 9_000 }), expectedVersion: 1, token: c!.token, release: true, now: 5_000 })).toBe('ok');
      });

      it('never hands out the same enrollment to concurrent claims', async () => {
        await s.createJourney(journey());
        for (let i = 0; i < 10; i++) await s.createEnrollment(enrollment({ id: `e${i}`, customerId: `c${i}`, wakeAt: i }));
        const batches = await Promise.all([1, 2, 3, 4].map((w) => claim(100, 3, 1_000, `w${w}`)));
        const ids = batches.flat().map((c) => c.enrollment.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`).sort());
      });

      it('returns nothing for limit 0', async () => {
        await s.createJourney(journey());
        await s.createEnrollment(enrollment({ wakeAt: 10 }));
        expect(await claim(100, 0)).toEqual([]);
      });
    });

    describe('claimEnrollment', () => {
      it('claims one active enrollment now, due or not, with a new token; refuses it while the lease holds', async () => {
        expect(typeof s.claimEnrollment).toBe('function');
        await s.createJourney(journey());
        await s.createEnrollment(enrollment({ wakeAt: 50_000 }));
        const c = await s.claimEnrollment!(T, 'e1', { now: 100, leaseMs: 1_000, workerId: 'w1' });
        expect(c).toMatchObject({ enrollment: { id: 'e1', version: 1 }, leaseUntil: 1_100 });
        expect(await s.claimEnrollment!(T, 'e1', { now: 500, leaseMs: 1_000, workerId: 'w2' })).toBeNull();
        // not handed out by claimDue either while claimed, even once due
        expect(await s.claimDue({ now: 1_000, limit: 10, leaseMs: 1_000, workerId: 'w2' })).toEqual([]);
        // the claim fences like any other: a commit with it moves the enrollment
        expect(await s.commit({ enrollment: next(enrollment({ wakeAt: 50_000 })), expectedVersion: 1, token: c!.token, release: true, now: 600 })).toBe('ok');
        const again = await s.claimEnrollment!(T, 'e1', { now: 700, leaseMs: 1_000, workerId: 'w2' });
        expect(again!.token).toBeGreaterThan(c!.token);
        expect(await s.commit({ enrollment: next(enrollment({ wakeAt: 50_000 }), { version: 3 }), expectedVersion: 2, token: c!.token, now: 800 })).toBe('fenced');
      });

      it('claims again once the lease has ended, and answers null for other tenants, ended and unknown enrollments', async () => {
        await s.createJourney(journey());
        await s.createEnrollment(enrollment());
        await s.createEnrollment(enrollment({ id: 'e2', customerId: 'c2' }));
        await s.commit({ enrollment: ended(enrollment({ id: 'e2', customerId: 'c2' }), 50), expectedVersion: 1, now: 50 });
        expect(await s.claimEnrollment!(T, 'e1', { now: 100, leaseMs: 1_000, workerId: 'w1' })).not.toBeNull();
        expect(await s.claimEnrollment!(T, 'e1', { now: 1_100, leaseMs: 1_000, workerId: 'w2' })).not.toBeNull();
        expect(await s.claimEnrollment!(OTHER, 'e1', { now: 9_000, leaseMs: 1_000, workerId: 'w1' })).toBeNull();
        expect(await s.claimEnrollment!(T, 'e2', { now: 9_000, leaseMs: 1_000, workerId: 'w1' })).toBeNull();
        expect(await s.claimEnrollment!(T, 'nope', { now: 9_000, leaseMs: 1_000, workerId: 'w1' })).toBeNull();
      });

      itDamaged('leaves an unreadable enrollment alone (claimDue quarantines it)', async () => {
        await s.createJourney(journey());
        await s.createEnrollment(enrollment({ wakeAt: 10 }));
        await damage!('e1');
        expect(await s.claimEnrollment!(T, 'e1', { now: 100, leaseMs: 1_000, workerId: 'w1' })).toBeNull();
        const reported: unknown[] = [];
        expect(await s.claimDue({ now: 100, limit: 10, leaseMs: 1_000, workerId: 'w1', onQuarantine: (q) => reported.push(q) })).toEqual([]);
        expect(reported).toHaveLength(1);
      });
    });

    describe('the inbox on a stored enrollment', () => {
      it('round-trips inbox items, resumeAt, stepEnteredAt and goals exactly, prototype-named keys included', async () => {
        await s.createJourney(journey());
        const e = enrollment();
        await s.createEnrollment(e);
        const withInbox = next(e, {
          wakeAt: 1_500,
          resumeAt: 2_000,
          stepEnteredAt: 1_200,
          goals: { constructor: 1_400, converted: 1_450 },
          inbox: [
            { kind: 'outcome', key: 'o1', receivedAt: 1_500, outcome: { type: 'click', at: 1_490, key: 'o1', sendKey: 'e1:send:1' } },
            { kind: 'event', key: 'ev1', receivedAt: 1_500, event: { type: 'purchase', properties: { amount: 120, constructor: 'x' }, at: 1_499 } },
            { kind: 'exit', key: 'x1', receivedAt: 1_500, reason: 'manual' },
          ],
        });
        expect(await s.commit({ enrollment: withInbox, expectedVersion: 1, now: 1_500 })).toBe('ok');
        const read = await s.getEnrollment(T, 'e1');
        expect(read).toEqual(withInbox);
        expect(Object.keys(read!.goals!)).toEqual(['constructor', 'converted']);
        // due at the first item's arrival
        expect(await s.nextWakeAt()).toBe(1_500);
        // an emptied inbox is absent again
        const drained = next(withInbox, { wakeAt: 2_000, inbox: undefined, resumeAt: undefined });
        delete (drained as { inbox?: unknown }).inbox;
        delete (drained as { resumeAt?: unknown }).resumeAt;
        expect(await s.commit({ enrollment: drained, expectedVersion: 2, now: 1_600 })).toBe('ok');
        expect(await s.getEnrollment(T, 'e1')).toEqual(drained);
      });
    });

    describe('release', () => {
      it('gives the claim back so the enrollment is claimable at once', async () => {
        await s.createJourney(journey());
        await s.createEnrollment(enrollment({ wakeAt: 10 }));
        const [c] = await s.claimDue({ now: 100, limit: 1, leaseMs: 10_000, workerId: 'w1' });
        await s.release('e1', c!.token);
        const [again] = await s.claimDue({ now: 101, limit: 1, leaseMs: 10_000, workerId: 'w2' });
        expect(again?.enrollment).toEqual(c!.enrollment);
        expect(again!.token).toBeGreaterThan(c!.token);
      });

      it('ignores a stale token and an unknown id', async () => {
        await s.createJourney(journey());
        await s.createEnrollment(enrollment({ wakeAt: 10 }));
        const [c] = await s.claimDue({ now: 100, limit: 1, leaseMs: 10_000, workerId: 'w1' });
        await s.release('e1', c!.token - 1);
        await s.release('nope', c!.token);
        expect(await s.claimDue({ now: 101, limit: 1, leaseMs: 10_000, workerId: 'w2' })).toEqual([]);
      });

      it('changes nothing but the claim', async () => {
        await s.createJourney(journey());
        const e = enrollment({ wakeAt: 10 });
        await s.createEnrollment(e);
        const [c] = await s.claimDue({ now: 100, limit: 1, leaseMs: 10_000, workerId: 'w1' });
        await s.release('e1', c!.token);
        expect(await s.getEnrollment(T, 'e1')).toEqual(e);
      });
    });

    /** Every case of `commit` runs twice: through `commit`, and through `commitMany` with a batch of one. */
    for (const via of options.commitMany ? (['commit', 'commitMany'] as const) : (['commit'] as const)) {
      const commit = (request: Commit): Promise<CommitResult> => (via === 'commit' ? s.commit(request) : s.commitMany!([request]).then((results) => results[0]!));
      describe(via === 'commit' ? 'commit' : 'commitMany, each commit alone (the semantics of commit)', () => {
        const counter = (stepId: string, metric: string) => ({ journeyId: 'j1', stepId, metric });

        it('writes the enrollment, its effect records and counters', async () => {
          await s.createJourney(journey());
          const e = enrollment({ wakeAt: 10 });
          await s.createEnrollment(e);
          const [c] = await s.claimDue({ now: 100, limit: 1, leaseMs: 1_000, workerId: 'w1' });
          const moved = next(e, { stepId: 'send1', phase: 'ready', visits: { wait1: 1, send1: 1 }, wakeAt: 100, updatedAt: 100 });
          const fx = effect(e, 'send1', 1, { detail: { messageId: 'm-1', offerIds: ['o1'] } });
          const result = await commit({
            enrollment: moved,
            expectedVersion: 1,
            token: c!.token,
            release: true,
            now: 100,
            effects: [fx],
            counters: [counter('wait1', 'completed'), counter('send1', 'entered'), counter('wait1', 'noted:variant:A'), counter('wait1', 'noted:variant:A')],
          });
          expect(result).toBe('ok');
          expect(await s.getEnrollment(T, 'e1')).toEqual(moved);
          expect(await s.listEffects(T, 'e1')).toEqual([fx]);
          expect(await s.stats(T, 'j1')).toEqual({
            send1: { entered: 1, completed: 0, skipped: {}, current: 1, exited: {}, failed: 0, noted: {} },
            wait1: { entered: 0, completed: 1, skipped: {}, current: 0, exited: {}, failed: 0, noted: { 'variant:A': 2 } },
          });
          // release: true ended the claim, so it is claimable again at once
          expect((await s.claimDue({ now: 101, limit: 1, leaseMs: 1_000, workerId: 'w1' })).map((x) => x.enrollment.version)).toEqual([2]);
        });

        it('without a token leaves the claim alone', async () => {
          await s.createJourney(journey());
          const e = enrollment({ wakeAt: 10 });
          await s.createEnrollment(e);
          const [c] = await s.claimDue({ now: 100, limit: 1, leaseMs: 1_000, workerId: 'w1' });
          expect(await commit({ enrollment: next(e, { wakeAt: 50 }), expectedVersion: 1, now: 200 })).toBe('ok');
          expect(await s.claimDue({ now: 500, limit: 1, leaseMs: 1_000, workerId: 'w2' })).toEqual([]);
          // the claimant's token still holds (its version is stale, though)
          expect(await commit({ enrollment: next(e, { wakeAt: 60 }), expectedVersion: 1, token: c!.token, release: true, now: 300 })).toBe('conflict');
          expect(await commit({ enrollment: next(next(e), { wakeAt: 60 }), expectedVersion: 2, token: c!.token, release: true, now: 300 })).toBe('ok');
        });

        it('with release: false extends the lease to now + leaseMs', async () => {
          await s.createJourney(journey());
          const e = enrollment({ wakeAt: 10 });
          await s.createEnrollment(e);
          const [c] = await s.claimDue({ now: 100, limit: 1, leaseMs: 1_000, workerId: 'w1' });
          const moved = next(e, { phase: 'effect', wakeAt: 100 });
          expect(await commit({ enrollment: moved, expectedVersion: 1, token: c!.token, release: false, leaseMs: 5_000, now: 900 })).toBe('ok');
          expect(await s.claimDue({ now: 5_899, limit: 1, leaseMs: 1_000, workerId: 'w2' })).toEqual([]);
          expect(await s.nextWakeAt()).toBe(5_900);
          const [again] = await s.claimDue({ now: 5_900, limit: 1, leaseMs: 1_000, workerId: 'w2' });
          expect(again?.enrollment).toEqual(moved);
          // and the same token keeps working until then
          expect(await commit({ enrollment: next(moved), expectedVersion: 2, token: c!.token, release: true, now: 5_950 })).toBe('fenced');
        });

        it('answers conflict on a stale version and writes nothing', async () => {
          const e = enrollment();
          await s.createEnrollment(e);
          expect(await commit({ enrollment: next(e), expectedVersion: 1, now: 10 })).toBe('ok');
          const stale = await commit({
            enrollment: next(e, { stepId: 'send1' }),
            expectedVersion: 1,
            now: 20,
            effects: [effect(e, 'send1', 1)],
            counters: [counter('send1', 'entered')],
            outcomeKey: 'o-1',
          });
          expect(stale).toBe('conflict');
          expect(await s.getEnrollment(T, 'e1')).toEqual(next(e));
          expect(await s.listEffects(T, 'e1')).toEqual([]);
          expect(await s.stats(T, 'j1')).toEqual({ wait1: { entered: 0, completed: 0, skipped: {}, current: 1, exited: {}, failed: 0, noted: {} } });
          // the outcome key was not taken
          expect(await commit({ enrollment: next(next(e)), expectedVersion: 2, now: 30, outcomeKey: 'o-1' })).toBe('ok');
        });

        it('answers fenced on a stale token and writes nothing', async () => {
          await s.createJourney(journey());
          const e = enrollment({ wakeAt: 10 });
          await s.createEnrollment(e);
          const [c] = await s.claimDue({ now: 100, limit: 1, leaseMs: 1_000, workerId: 'w1' });
          const result = await commit({
            enrollment: next(e, { wakeAt: 9_999 }),
            expectedVersion: 1,
            token: c!.token + 1,
            release: true,
            now: 100,
            effects: [effect(e, 'send1', 1)],
            counters: [counter('send1', 'entered')],
          });
          expect(result).toBe('fenced');
          expect(await s.getEnrollment(T, 'e1')).toEqual(e);
          expect(await s.listEffects(T, 'e1')).toEqual([]);
          expect((await s.stats(T, 'j1'))['send1']).toBeUndefined();
          // the claim is still held
          expect(await s.claimDue({ now: 200, limit: 1, leaseMs: 1_000, workerId: 'w2' })).toEqual([]);
        });

        it('prefers fenced to conflict when both are stale', async () => {
          await s.createJourney(journey());
          const e = enrollment({ wakeAt: 10 });
          await s.createEnrollment(e);
          const [c] = await s.claimDue({ now: 100, limit: 1, leaseMs: 1, workerId: 'w1' });
          await s.claimDue({ now: 200, limit: 1, leaseMs: 1, workerId: 'w2' });
          await commit({ enrollment: next(e), expectedVersion: 1, now: 210 });
          expect(await commit({ enrollment: next(e), expectedVersion: 1, token: c!.token, release: true, now: 220 })).toBe('fenced');
        });

        it('answers duplicate for an outcome key seen before and writes nothing', async () => {
          const e = enrollment();
          await s.createEnrollment(e);
          const withOutcome = next(e, { outcomes: [{ type: 'click', at: 5, key: 'k1' }], latestOutcome: { type: 'click', at: 5, key: 'k1' } });
          expect(await commit({ enrollment: withOutcome, expectedVersion: 1, now: 10, outcomeKey: 'k1' })).toBe('ok');
          const again = await commit({
            enrollment: next(withOutcome, { flags: { x: true } }),
            expectedVersion: 2,
            now: 20,
            outcomeKey: 'k1',
            effects: [effect(e, 'send1', 1)],
            counters: [counter('wait1', 'completed')],
          });
          expect(again).toBe('duplicate');
          expect(await s.getEnrollment(T, 'e1')).toEqual(withOutcome);
          expect(await s.listEffects(T, 'e1')).toEqual([]);
          expect((await s.stats(T, 'j1'))['wait1']?.completed).toBe(0);
          // outcome keys are per customer: another customer may use the same key
          const other = enrollment({ id: 'e2', customerId: 'c2' });
          await s.createEnrollment(other);
          expect(await commit({ enrollment: next(other), expectedVersion: 1, now: 30, outcomeKey: 'k1' })).toBe('ok');
        });

        it('deduplicates outcome keys per customer, whichever enrollment of theirs the outcome lands on', async () => {
          const a = enrollment({ id: 'e1', journeyId: 'j1' });
          const b = enrollment({ id: 'e2', journeyId: 'j2' });
          await s.createEnrollment(a);
          await s.createEnrollment(b);
          expect(await commit({ enrollment: next(a), expectedVersion: 1, now: 10, outcomeKey: 'k1' })).toBe('ok');
          expect(await commit({ enrollment: next(b), expectedVersion: 1, now: 20, outcomeKey: 'k1' })).toBe('duplicate');
          expect(await s.getEnrollment(T, 'e2')).toEqual(b);
          // the same customer id in another tenant is another customer
          const elsewhere = enrollment({ id: 'e3', tenantId: OTHER });
          await s.createEnrollment(elsewhere);
          expect(await commit({ enrollment: next(elsewhere), expectedVersion: 1, now: 30, outcomeKey: 'k1' })).toBe('ok');
          // an ended enrollment's keys still count
          const done = ended(next(a), 40);
          expect(await commit({ enrollment: done, expectedVersion: 2, now: 40 })).toBe('ok');
          const c = enrollment({ id: 'e4', journeyId: 'j1' });
          await s.createEnrollment(c);
          expect(await commit({ enrollment: next(c), expectedVersion: 1, now: 50, outcomeKey: 'k1' })).toBe('duplicate');
        });

        it('takes a customer’s outcome key exactly once when concurrent commits on different enrollments race', async () => {
          const ids = ['e1', 'e2', 'e3', 'e4'];
          for (const [i, id] of ids.entries()) await s.createEnrollment(enrollment({ id, journeyId: `j${i}` }));
          const answers = await Promise.all(ids.map((id, i) => commit({ enrollment: next(enrollment({ id, journeyId: `j${i}` })), expectedVersion: 1, now: 10, outcomeKey: 'race' })));
          expect(answers.filter((a) => a === 'ok')).toHaveLength(1);
          expect(answers.filter((a) => a === 'duplicate')).toHaveLength(ids.length - 1);
          const versions = await Promise.all(ids.map(async (id) => (await s.getEnrollment(T, id))!.version));
          expect(versions.sort()).toEqual([1, 1, 1, 2]);
        });

        it('answers missing for an unknown enrollment or another tenant’s', async () => {
          expect(await commit({ enrollment: next(enrollment()), expectedVersion: 1, now: 10, effects: [effect(enrollment(), 'send1', 1)] })).toBe(
            'missing',
          );
          expect(await s.listEffects(T, 'e1')).toEqual([]);
          await s.createEnrollment(enrollment());
          expect(await commit({ enrollment: next(enrollment({ tenantId: OTHER })), expectedVersion: 1, now: 10 })).toBe('missing');
          expect(await s.getEnrollment(T, 'e1')).toEqual(enrollment());
        });

        it('throws invalid-commit when the new version is not expectedVersion + 1', async () => {
          await s.createEnrollment(enrollment());
          // A shape check of the core's wrapper (guardStorage), for commit and commitMany alike: an adapter need not repeat it.
          const guarded = guardStorage(s);
          const request: Commit = { enrollment: enrollment({ version: 5 }), expectedVersion: 1, now: 10 };
          const error = await (via === 'commit' ? guarded.commit(request) : guarded.commitMany!([request])).catch((x: unknown) => x);
          expect(error).toBeInstanceOf(JourneyError);
          expect(error).toMatchObject({ code: 'invalid-commit' });
        });

        it('throws invalid-commit when an ended enrollment would become active again', async () => {
          const e = enrollment();
          await s.createEnrollment(e);
          const done = ended(e, 50);
          await commit({ enrollment: done, expectedVersion: 1, now: 50 });
          await expect(commit({ enrollment: next(done, { status: 'active', endedAt: null, wakeAt: 60 }), expectedVersion: 2, now: 60 })).rejects.toMatchObject({
            code: 'invalid-commit',
          });
          expect(await s.getEnrollment(T, 'e1')).toEqual(done);
        });

        it('may record outcomes on an ended enrollment', async () => {
          const e = enrollment();
          await s.createEnrollment(e);
          const done = ended(e, 50);
          await commit({ enrollment: done, expectedVersion: 1, now: 50 });
          const late = next(done, { outcomes: [{ type: 'conversion', at: 70, key: 'late' }] });
          expect(await commit({ enrollment: late, expectedVersion: 2, now: 70, outcomeKey: 'late' })).toBe('ok');
          expect(await s.getEnrollment(T, 'e1')).toEqual(late);
        });

        it('keeps the first record of a repeated effect idempotency key', async () => {
          const e = enrollment();
          await s.createEnrollment(e);
          const first = effect(e, 'send1', 1, { detail: { messageId: 'a' } });
          await commit({ enrollment: next(e), expectedVersion: 1, now: 10, effects: [first] });
          expect(await commit({ enrollment: next(next(e)), expectedVersion: 2, now: 20, effects: [effect(e, 'send1', 1, { detail: { messageId: 'b' } })] })).toBe('ok');
          expect(await s.listEffects(T, 'e1')).toEqual([first]);
        });

        it('ends the active slot when the enrollment ends', async () => {
          const e = enrollment();
          await s.createEnrollment(e);
          await commit({ enrollment: ended(e, 50, 'failed'), expectedVersion: 1, now: 50, counters: [counter('wait1', 'failed')] });
          expect(await s.createEnrollment(enrollment({ id: 'e2' }))).toBe('created');
          expect((await s.stats(T, 'j1'))['wait1']).toEqual({ entered: 0, completed: 0, skipped: {}, current: 1, exited: {}, failed: 1, noted: {} });
        });
      });

      describe('exitAll', () => {
        it('exits every active enrollment of the journey with counters, and nothing else', async () => {
          await s.createJourney(journey());
          await s.createEnrollment(enrollment({ id: 'b', customerId: 'c2', stepId: 'send1', wakeAt: 10 }));
          await s.createEnrollment(enrollment({ id: 'a', customerId: 'c1', wakeAt: 10 }));
          await s.createEnrollment(enrollment({ id: 'c', customerId: 'c3' }));
          await s.createEnrollment(enrollment({ id: 'other-journey', journeyId: 'j2' }));
          await s.createEnrollment(enrollment({ id: 'other-tenant', tenantId: OTHER }));
          const done = enrollment({ id: 'd', customerId: 'c4' });
          await s.createEnrollment(done);
          await commit({ enrollment: ended(done, 20), expectedVersion: 1, now: 20 });
          // one of them is claimed right now
          const [claimA] = await s.claimDue({ now: 10, limit: 1, leaseMs: 10_000, workerId: 'w1' });
          expect(claimA?.enrollment.id).toBe('a');

          const ids = await s.exitAll(T, 'j1', 'archived', 500);
          expect(ids).toEqual(['a', 'b', 'c']);
          expect(await s.getEnrollment(T, 'a')).toEqual({
            ...enrollment({ id: 'a', customerId: 'c1', wakeAt: 10 }),
            status: 'exited',
            phase: 'done',
            exitReason: 'archived',
            endedAt: 500,
            wakeAt: null,
            version: 2,
            updatedAt: 500,
          });
          expect((await s.getEnrollment(T, 'd'))?.status).toBe('completed');
          expect((await s.getEnrollment(T, 'other-journey'))?.status).toBe('active');
          expect((await s.getEnrollment(OTHER, 'other-tenant'))?.status).toBe('active');
          expect(await s.stats(T, 'j1')).toEqual({
            send1: { entered: 0, completed: 0, skipped: {}, current: 0, exited: { archived: 1 }, failed: 0, noted: {} },
            wait1: { entered: 0, completed: 0, skipped: {}, current: 0, exited: { archived: 2 }, failed: 0, noted: {} },
          });
          // the claimant's commit is refused; nothing is due
          expect(await commit({ enrollment: next(claimA!.enrollment), expectedVersion: 1, token: claimA!.token, release: true, now: 600 })).toBe('conflict');
          expect(await s.claimDue({ now: 100_000, limit: 10, leaseMs: 1, workerId: 'w1' })).toEqual([]);
          expect(await s.exitAll(T, 'j1', 'archived', 700)).toEqual([]);
          expect(await s.createEnrollment(enrollment({ id: 'e9', customerId: 'c1' }))).toBe('created');
        });
      });
    }

    describe('commit with requireActiveJourney', () => {
      it('writes only while the journey is active, in the same transaction; otherwise answers journey-inactive and writes nothing', async () => {
        await s.createJourney(journey());
        await s.createJourney(journey({ id: 'p', status: 'paused' }));
        const a = enrollment({ id: 'a', customerId: 'c1' });
        const b = enrollment({ id: 'b', customerId: 'c2', journeyId: 'p' });
        const orphan = enrollment({ id: 'o', customerId: 'c3', journeyId: 'gone' });
        for (const e of [a, b, orphan]) await s.createEnrollment(e);
        const moved = (e: typeof a) => ({
          enrollment: next(e, { stepId: 'send1' }),
          expectedVersion: 1,
          now: 10,
          effects: [effect(e, 'decide1', 1)],
          counters: [{ journeyId: e.journeyId, stepId: 'decide1', metric: 'completed' }],
          requireActiveJourney: true,
        });
        expect(await s.commit(moved(a))).toBe('ok');
        expect(await s.commit(moved(b))).toBe('journey-inactive');
        expect(await s.commit(moved(orphan))).toBe('journey-inactive');
        expect(await s.getEnrollment(T, 'b')).toEqual(b);
        expect(await s.listEffects(T, 'b')).toEqual([]);
        expect((await s.stats(T, 'p'))['decide1']).toBeUndefined();
        // A stale commit answers as stale first.
        expect(await s.commit({ ...moved(b), expectedVersion: 7, enrollment: next(b, { version: 8 }) })).toBe('conflict');
        // Without the flag the paused journey's enrollment is written as before.
        expect(await s.commit({ ...moved(b), requireActiveJourney: false })).toBe('ok');
        expect((await s.listEffects(T, 'b')).map((x) => x.idempotencyKey)).toEqual(['b:decide1:1']);
      });
    });

    if (options.commitMany) {
      describe('commitMany', () => {
        const counter = (stepId: string, metric: string, journeyId = 'j1') => ({ journeyId, stepId, metric });
        const stats0 = { entered: 0, completed: 0, skipped: {}, current: 0, exited: {}, failed: 0, noted: {} };

        it('answers one result per commit, in order, in a mixed batch: one refusal never fails the others', async () => {
          await s.createJourney(journey());
          await s.createJourney(journey({ id: 'p', status: 'paused' }));
          const ok = enrollment({ id: 'ok', customerId: 'c1', wakeAt: 10 });
          const stale = enrollment({ id: 'stale', customerId: 'c2' });
          const fencedE = enrollment({ id: 'fenced', customerId: 'c3', wakeAt: 10 });
          const dup = enrollment({ id: 'dup', customerId: 'c4' });
          const paused = enrollment({ id: 'paused', customerId: 'c5', journeyId: 'p' });
          const outcome = enrollment({ id: 'outcome', customerId: 'c6' });
          for (const e of [ok, stale, fencedE, dup, paused, outcome]) await s.createEnrollment(e);
          const claims = await s.claimDue({ now: 100, limit: 10, leaseMs: 1_000, workerId: 'w1' });
          const tokenOf = (id: string) => claims.find((c) => c.enrollment.id === id)!.token;
          expect(await s.commit({ enrollment: next(dup), expectedVersion: 1, now: 50, outcomeKey: 'k1' })).toBe('ok');
          const moved = (e: Enrollment, over: Partial<Commit> = {}): Commit => ({
            enrollment: next(e, { stepId: 'send1', wakeAt: 200 }),
            expectedVersion: e.version,
            now: 100,
            effects: [effect(e, 'send1', 1)],
            counters: [counter('send1', 'entered', e.journeyId)],
            ...over,
          });
          const dupNext = next(dup);
          const results = await s.commitMany!([
            moved(ok, { token: tokenOf('ok'), release: true }),
            moved(stale, { expectedVersion: 7, enrollment: next(stale, { version: 8 }) }),
            moved(fencedE, { token: tokenOf('fenced') + 1, release: true }),
            moved(dupNext, { outcomeKey: 'k1' }),
            moved(enrollment({ id: 'nobody', customerId: 'c9' })),
            moved(paused, { requireActiveJourney: true }),
            moved(outcome, { outcomeKey: 'k2', requireActiveJourney: true }),
          ]);
          expect(results).toEqual(['ok', 'conflict', 'fenced', 'duplicate', 'missing', 'journey-inactive', 'ok']);
          expect(await s.getEnrollment(T, 'ok')).toEqual(next(ok, { stepId: 'send1', wakeAt: 200 }));
          expect(await s.getEnrollment(T, 'outcome')).toEqual(next(outcome, { stepId: 'send1', wakeAt: 200 }));
          for (const [id, e] of [['stale', stale], ['fenced', fencedE], ['dup', dupNext], ['paused', paused]] as const) {
            expect(await s.getEnrollment(T, id)).toEqual(e);
            expect(await s.listEffects(T, id)).toEqual([]);
          }
          expect(await s.getEnrollment(T, 'nobody')).toBeNull();
          expect((await s.listEffects(T, 'ok')).map((x) => x.idempotencyKey)).toEqual(['ok:send1:1']);
          expect((await s.stats(T, 'j1'))['send1']).toEqual({ ...stats0, entered: 2, current: 2 });
          expect((await s.stats(T, 'p'))['send1']).toBeUndefined();
          // The released claim is free again; the fenced one is still held by its claimant.
          expect((await s.claimDue({ now: 300, limit: 10, leaseMs: 1_000, workerId: 'w2' })).map((c) => c.enrollment.id).sort()).toEqual(['ok', 'outcome']);
          // The outcome key of the written commit was taken, the refused one's was not.
          expect(await s.commit({ enrollment: next(next(outcome, { stepId: 'send1', wakeAt: 200 })), expectedVersion: 2, now: 400, outcomeKey: 'k2' })).toBe('duplicate');
        });

        it('writes every commit of a batch: each enrollment, its records in order, the counters summed', async () => {
          const es = ['a', 'b', 'c'].map((id, i) => enrollment({ id, customerId: `c${i}` }));
          for (const e of es) await s.createEnrollment(e);
          const results = await s.commitMany!(
            es.map((e) => ({
              enrollment: next(e, { stepId: 'send1' }),
              expectedVersion: 1,
              now: 10,
              effects: [effect(e, 'decide1', 1), effect(e, 'send1', 1)],
              counters: [counter('wait1', 'completed'), counter('send1', 'entered'), counter('send1', 'entered')],
            })),
          );
          expect(results).toEqual(['ok', 'ok', 'ok']);
          for (const e of es) {
            expect(await s.getEnrollment(T, e.id)).toEqual(next(e, { stepId: 'send1' }));
            expect((await s.listEffects(T, e.id)).map((x) => x.idempotencyKey)).toEqual([`${e.id}:decide1:1`, `${e.id}:send1:1`]);
          }
          expect(await s.stats(T, 'j1')).toEqual({
            send1: { ...stats0, entered: 6, current: 3 },
            wait1: { ...stats0, completed: 3 },
          });
        });

        it('applies commits of the same enrollment one after another, in array order', async () => {
          const e = enrollment();
          await s.createEnrollment(e);
          const two = next(e, { stepId: 'send1' });
          const three = next(two, { stepId: 'update1' });
          expect(
            await s.commitMany!([
              { enrollment: two, expectedVersion: 1, now: 10, effects: [effect(e, 'send1', 1)] },
              { enrollment: three, expectedVersion: 2, now: 20, effects: [effect(e, 'update1', 1)] },
              { enrollment: next(e, { stepId: 'late' }), expectedVersion: 1, now: 30 },
            ]),
          ).toEqual(['ok', 'ok', 'conflict']);
          expect(await s.getEnrollment(T, 'e1')).toEqual(three);
          expect((await s.listEffects(T, 'e1')).map((x) => x.idempotencyKey)).toEqual(['e1:send1:1', 'e1:update1:1']);
        });

        it('takes an outcome key once when two commits of the batch carry it for the same customer', async () => {
          const a = enrollment({ id: 'a', journeyId: 'j1' });
          const b = enrollment({ id: 'b', journeyId: 'j2' });
          await s.createEnrollment(a);
          await s.createEnrollment(b);
          const results = await s.commitMany!([
            { enrollment: next(a), expectedVersion: 1, now: 10, outcomeKey: 'k' },
            { enrollment: next(b), expectedVersion: 1, now: 10, outcomeKey: 'k' },
          ]);
          expect(results).toEqual(['ok', 'duplicate']);
          expect(await s.getEnrollment(T, 'b')).toEqual(b);
        });

        it('rejects the whole batch when one commit breaks a rule (invalid-commit), writing nothing', async () => {
          const a = enrollment({ id: 'a', customerId: 'c1' });
          const b = enrollment({ id: 'b', customerId: 'c2' });
          await s.createEnrollment(a);
          await s.createEnrollment(b);
          const done = ended(b, 50);
          expect(await s.commit({ enrollment: done, expectedVersion: 1, now: 50 })).toBe('ok');
          const batch = (second: Commit): Promise<readonly CommitResult[]> =>
            s.commitMany!([{ enrollment: next(a), expectedVersion: 1, now: 60, effects: [effect(a, 'send1', 1)], counters: [counter('send1', 'entered')] }, second]);
          await expect(batch({ enrollment: next(done, { status: 'active', endedAt: null, wakeAt: 60 }), expectedVersion: 2, now: 60 })).rejects.toMatchObject({ code: 'invalid-commit' });
          // A version that is not expectedVersion + 1 is a shape check of the core's wrapper (guardStorage).
          const guardedBatch = (second: Commit): Promise<readonly CommitResult[]> =>
            guardStorage(s).commitMany!([{ enrollment: next(a), expectedVersion: 1, now: 60, effects: [effect(a, 'send1', 1)], counters: [counter('send1', 'entered')] }, second]);
          await expect(guardedBatch({ enrollment: next(done, { version: 9 }), expectedVersion: 2, now: 60 })).rejects.toMatchObject({ code: 'invalid-commit' });
          expect(await s.getEnrollment(T, 'a')).toEqual(a);
          expect(await s.listEffects(T, 'a')).toEqual([]);
          expect((await s.stats(T, 'j1'))['send1']).toBeUndefined();
        });

        it('answers an empty batch with no results', async () => {
          expect(await s.commitMany!([])).toEqual([]);
        });
      });
    }

    describe('journeyStatus', () => {
      it("answers a journey's current status, or null when there is none", async () => {
        await s.createJourney(journey());
        expect(await s.journeyStatus(T, 'j1')).toBe('active');
        expect(await s.journeyStatus(OTHER, 'j1')).toBeNull();
        expect(await s.journeyStatus(T, 'nope')).toBeNull();
        await s.updateJourney(journey({ status: 'paused', revision: 2 }), 1);
        expect(await s.journeyStatus(T, 'j1')).toBe('paused');
      });
    });

    describe('nextWakeAt', () => {
      it('is the earliest wakeAt among active enrollments of active journeys', async () => {
        expect(await s.nextWakeAt()).toBeNull();
        await s.createJourney(journey());
        await s.createJourney(journey({ id: 'paused', status: 'paused' }));
        await s.createEnrollment(enrollment({ id: 'p', journeyId: 'paused', wakeAt: 5 }));
        expect(await s.nextWakeAt()).toBe(1_000 + 30 * DAY + 1); // paused: just past its deadline
        const a = enrollment({ id: 'a', customerId: 'c1', wakeAt: 300 });
        await s.createEnrollment(a);
        await s.createEnrollment(enrollment({ id: 'b', customerId: 'c2', wakeAt: 200 }));
        expect(await s.nextWakeAt()).toBe(200);
        await s.createEnrollment(enrollment({ id: 'x', customerId: 'c3', wakeAt: 100, tenantId: OTHER }));
        expect(await s.nextWakeAt()).toBe(200); // OTHER has no active journey j1
        await s.createJourney(journey({ tenantId: OTHER }));
        expect(await s.nextWakeAt()).toBe(100);
        await s.exitAll(OTHER, 'j1', 'archived', 150);
        expect(await s.nextWakeAt()).toBe(200);
        await s.commit({ enrollment: next(a, { wakeAt: 50 }), expectedVersion: 1, now: 10 });
        expect(await s.nextWakeAt()).toBe(50);
      });

      it('counts a claimed enrollment at the end of its lease, when it can be claimed again', async () => {
        await s.createJourney(journey());
        const e = enrollment({ wakeAt: 40 });
        await s.createEnrollment(e);
        const [c] = await s.claimDue({ now: 50, limit: 1, leaseMs: 1_000, workerId: 'w' });
        expect(await s.nextWakeAt()).toBe(1_050);
        await s.release(e.id, c!.token);
        expect(await s.nextWakeAt()).toBe(40);
      });
    });

    describe('stats', () => {
      it('sums counters per step with current active counts; exited by reason', async () => {
        await s.createEnrollment(enrollment({ id: 'a', customerId: 'c1' }), [{ journeyId: 'j1', stepId: 'wait1', metric: 'entered' }]);
        const b = enrollment({ id: 'b', customerId: 'c2' });
        await s.createEnrollment(b, [{ journeyId: 'j1', stepId: 'wait1', metric: 'entered' }]);
        const c = enrollment({ id: 'c', customerId: 'c3' });
        await s.createEnrollment(c, [{ journeyId: 'j1', stepId: 'wait1', metric: 'entered' }]);
        await s.commit({
          enrollment: ended(b, 10, 'exited'),
          expectedVersion: 1,
          now: 10,
          counters: [{ journeyId: 'j1', stepId: 'wait1', metric: 'exited:manual' }],
        });
        await s.commit({
          enrollment: next(c, { stepId: 'send1' }),
          expectedVersion: 1,
          now: 10,
          counters: [
            { journeyId: 'j1', stepId: 'wait1', metric: 'completed' },
            { journeyId: 'j1', stepId: 'send1', metric: 'entered' },
          ],
        });
        await s.createEnrollment(enrollment({ id: 'z', tenantId: OTHER }), [{ journeyId: 'j1', stepId: 'wait1', metric: 'entered' }]);
        expect(await s.stats(T, 'j1')).toEqual({
          send1: { entered: 1, completed: 0, skipped: {}, current: 1, exited: {}, failed: 0, noted: {} },
          wait1: { entered: 3, completed: 1, skipped: {}, current: 1, exited: { manual: 1 }, failed: 0, noted: {} },
        });
        expect(await s.stats(T, 'j2')).toEqual({});
        expect(await s.stats(OTHER, 'j1')).toEqual({ wait1: { entered: 1, completed: 0, skipped: {}, current: 1, exited: {}, failed: 0, noted: {} } });
      });
    });

    describe('listEffects', () => {
      it('lists one enrollment’s effects in commit order, within the tenant', async () => {
        const e = enrollment();
        await s.createEnrollment(e);
        const a = effect(e, 'send1', 2, { type: 'decide', detail: { offerIds: ['o1', 'o2'] } });
        const b = effect(e, 'send1', 1, { type: 'update' });
        const c = effect(e, 'send1', 3);
        await s.commit({ enrollment: next(e), expectedVersion: 1, now: 10, effects: [a, b] });
        await s.commit({ enrollment: next(next(e)), expectedVersion: 2, now: 20, effects: [c] });
        expect(await s.listEffects(T, 'e1')).toEqual([a, b, c]);
        expect(await s.listEffects(OTHER, 'e1')).toEqual([]);
        expect(await s.listEffects(T, 'nope')).toEqual([]);
      });
    });

    describe('appendEffects', () => {
      const counter = (stepId: string, metric: string) => ({ journeyId: 'j1', stepId, metric });

      it('appends effect records and their counters without touching the enrollment, once per key', async () => {
        await s.createJourney(journey());
        const e = enrollment();
        await s.createEnrollment(e);
        const done = ended(e, 50, 'exited');
        await s.commit({ enrollment: done, expectedVersion: 1, now: 50 });
        const fx = effect(e, 'send1', 1, { detail: { channelId: 'email', messageId: 'm-1' } });
        const counters = [counter('send1', 'entered'), counter('send1', 'completed')];
        expect(await s.appendEffects({ tenantId: T, effects: [fx], counters })).toEqual([fx]);
        expect(await s.listEffects(T, 'e1')).toEqual([fx]);
        expect(await s.getEnrollment(T, 'e1')).toEqual(done);
        expect((await s.stats(T, 'j1'))['send1']).toEqual({ entered: 1, completed: 1, skipped: {}, current: 0, exited: {}, failed: 0, noted: {} });
        // a retry of the same append records and counts nothing
        expect(await s.appendEffects({ tenantId: T, effects: [fx], counters })).toEqual([]);
        expect(await s.listEffects(T, 'e1')).toEqual([fx]);
        expect((await s.stats(T, 'j1'))['send1']).toMatchObject({ entered: 1, completed: 1 });
      });

      it('skips a record whose key a commit already logged, and then applies no counters', async () => {
        await s.createJourney(journey());
        const e = enrollment();
        await s.createEnrollment(e);
        const fx = effect(e, 'send1', 1);
        await s.commit({ enrollment: next(e), expectedVersion: 1, now: 10, effects: [fx] });
        const other = effect(e, 'send1', 1, { detail: { messageId: 'later' } });
        expect(await s.appendEffects({ tenantId: T, effects: [other], counters: [counter('send1', 'completed')] })).toEqual([]);
        expect(await s.listEffects(T, 'e1')).toEqual([fx]);
        expect((await s.stats(T, 'j1'))['send1']).toBeUndefined();
        const fresh = effect(e, 'send1', 2);
        expect(await s.appendEffects({ tenantId: T, effects: [other, fresh], counters: [counter('send1', 'completed')] })).toEqual([fresh]);
        expect(await s.listEffects(T, 'e1')).toEqual([fx, fresh]);
        expect((await s.stats(T, 'j1'))['send1']).toMatchObject({ completed: 1 });
      });

      it('keeps an effect key unique across enrollments, whatever form the key has', async () => {
        await s.createJourney(journey());
        const a = enrollment({ id: 'a', customerId: 'c1' });
        const b = enrollment({ id: 'a:b', customerId: 'c2' });
        const c = enrollment({ id: 'c', customerId: 'c3' });
        for (const e of [a, b, c]) await s.createEnrollment(e);
        // `a:b:send1:1` has the form `id:…` for both `a` and `a:b`.
        const onB = effect(b, 'send1', 1);
        expect(await s.appendEffects({ tenantId: T, effects: [onB] })).toEqual([onB]);
        expect(await s.appendEffects({ tenantId: T, effects: [{ ...onB, enrollmentId: 'a' }] })).toEqual([]);
        // Another enrollment's key, and a key of the host's own form, each logged once.
        const cKey = effect(c, 'send1', 1);
        await s.commit({ enrollment: next(c), expectedVersion: 1, now: 10, effects: [cKey] });
        expect(await s.appendEffects({ tenantId: T, effects: [{ ...cKey, enrollmentId: 'a' }] })).toEqual([]);
        const hostKey = { ...effect(a, 'send1', 2), idempotencyKey: 'host-key-1' };
        expect(await s.appendEffects({ tenantId: T, effects: [hostKey] })).toEqual([hostKey]);
        expect(await s.appendEffects({ tenantId: T, effects: [{ ...hostKey, enrollmentId: 'c' }] })).toEqual([]);
        expect(await s.listEffects(T, 'a')).toEqual([hostKey]);
        expect(await s.listEffects(T, 'a:b')).toEqual([onB]);
        expect(await s.listEffects(T, 'c')).toEqual([cKey]);
      });

      it('refuses records of another tenant (invalid-commit) and writes nothing', async () => {
        const e = enrollment({ tenantId: OTHER });
        // A shape check of the core's wrapper (guardStorage): an adapter need not repeat it.
        await expect(guardStorage(s).appendEffects({ tenantId: T, effects: [effect(e, 'send1', 1)] })).rejects.toMatchObject({ code: 'invalid-commit' });
        expect(await s.listEffects(OTHER, 'e1')).toEqual([]);
      });
    });

    describe('send slots (frequency caps)', () => {
      const cap = (max: number, since = 0, channelId: string | null = null) => ({ channelId, since, max });
      const slot = (key: string, now: number, caps: ReturnType<typeof cap>[], over: { customerId?: string; channelId?: string; tenantId?: string; holdUntil?: number; pruneBefore?: number } = {}) => ({
        tenantId: over.tenantId ?? T,
        customerId: over.customerId ?? 'c1',
        // `e1:…` keys belong to enrollment e1; others to an enrollment that is not stored
        enrollmentId: key.split(':')[0]!,
        channelId: over.channelId ?? 'email',
        key,
        now,
        holdUntil: over.holdUntil ?? now + 1000,
        caps,
        ...(over.pruneBefore === undefined ? {} : { pruneBefore: over.pruneBefore }),
      });

      it('grants up to max slots per customer, then names the full cap and when its oldest counted slot was taken', async () => {
        expect(await s.reserveSendSlot!(slot('k1', 100, [cap(2)]))).toEqual({ granted: true });
        expect(await s.reserveSendSlot!(slot('k2', 200, [cap(2)]))).toEqual({ granted: true });
        expect(await s.reserveSendSlot!(slot('k3', 300, [cap(2)]))).toEqual({ granted: false, cap: 0, counted: 2, freedBy: 100 });
        // another customer, another tenant: their own counts
        expect(await s.reserveSendSlot!(slot('k4', 300, [cap(2)], { customerId: 'c2' }))).toEqual({ granted: true });
        expect(await s.reserveSendSlot!(slot('k5', 300, [cap(2)], { tenantId: OTHER }))).toEqual({ granted: true });
        // only slots at or after `since` count; a channel cap counts its channel only
        expect(await s.reserveSendSlot!(slot('k3', 300, [cap(2, 150)]))).toEqual({ granted: true });
        expect(await s.reserveSendSlot!(slot('k6', 300, [cap(1, 0, 'sms')], { channelId: 'sms' }))).toEqual({ granted: true });
        expect(await s.reserveSendSlot!(slot('k7', 300, [cap(5), cap(1, 0, 'sms')], { channelId: 'sms' }))).toEqual({ granted: false, cap: 1, counted: 1, freedBy: 300 });
      });

      it('grants a key that holds a live slot again (a replay counts once)', async () => {
        expect(await s.reserveSendSlot!(slot('k1', 100, [cap(1)]))).toEqual({ granted: true });
        expect(await s.reserveSendSlot!(slot('k1', 500, [cap(1)]))).toEqual({ granted: true });
        // it sends now: it counts from 500
        expect(await s.reserveSendSlot!(slot('k2', 600, [cap(1)]))).toEqual({ granted: false, cap: 0, counted: 1, freedBy: 500 });
      });

      it('a hold that ended unconfirmed counts while its enrollment is active (its send may have gone out before a crash); the replay takes it again', async () => {
        await s.createJourney(journey());
        const e = enrollment();
        await s.createEnrollment(e);
        expect(await s.reserveSendSlot!(slot('e1:send1:1', 100, [cap(1)], { holdUntil: 200 }))).toEqual({ granted: true });
        expect(await s.reserveSendSlot!(slot('other', 150, [cap(1)]))).toMatchObject({ granted: false });
        expect(await s.reserveSendSlot!(slot('other', 300, [cap(1)]))).toMatchObject({ granted: false, freedBy: 100 }); // hold over, e1 still active
        // the replay takes the slot again (same key, now), and its send is confirmed by the commit
        expect(await s.reserveSendSlot!(slot('e1:send1:1', 300, [cap(1)]))).toEqual({ granted: true });
        await s.commit({ enrollment: ended(e, 310, 'completed'), expectedVersion: 1, now: 310, effects: [effect(e, 'send1', 1)] });
        // long after every hold, the enrollment ended: the confirmed send still counts
        expect(await s.reserveSendSlot!(slot('late', 5000, [cap(1)]))).toEqual({ granted: false, cap: 0, counted: 1, freedBy: 300 });
      });

      it('an unconfirmed slot whose hold ended and whose enrollment ended counts no more', async () => {
        await s.createJourney(journey());
        const e = enrollment();
        await s.createEnrollment(e);
        expect(await s.reserveSendSlot!(slot('e1:send1:1', 100, [cap(1)], { holdUntil: 200 }))).toEqual({ granted: true });
        await s.commit({ enrollment: ended(e, 150, 'exited'), expectedVersion: 1, now: 150 });
        expect(await s.reserveSendSlot!(slot('other', 150, [cap(1)]))).toMatchObject({ granted: false }); // still held
        expect(await s.reserveSendSlot!(slot('other', 200, [cap(1)]))).toEqual({ granted: true });
      });

      it('releases an unconfirmed slot, never a confirmed one', async () => {
        await s.createJourney(journey());
        const e = enrollment();
        await s.createEnrollment(e);
        expect(await s.reserveSendSlot!(slot('k1', 100, [cap(1)]))).toEqual({ granted: true });
        await s.releaseSendSlot!(T, 'k1');
        expect(await s.reserveSendSlot!(slot('e1:send1:1', 110, [cap(1)]))).toEqual({ granted: true });
        await s.commit({ enrollment: next(e), expectedVersion: 1, now: 120, effects: [effect(e, 'send1', 1)] });
        await s.releaseSendSlot!(T, 'e1:send1:1');
        expect(await s.reserveSendSlot!(slot('k2', 100_000, [cap(1)]))).toMatchObject({ granted: false, freedBy: 110 });
      });

      it('deletes the customer\'s slots taken before pruneBefore (confirmed ones too, at most 100 a call); what is after counts exactly as before', async () => {
        await s.createJourney(journey());
        const e = enrollment();
        await s.createEnrollment(e);
        for (let visit = 1; visit <= 3; visit++) expect(await s.reserveSendSlot!(slot(`e1:send1:${visit}`, visit * 100, [cap(10)]))).toEqual({ granted: true });
        await s.commit({ enrollment: next(e), expectedVersion: 1, now: 350, effects: [1, 2, 3].map((visit) => effect(e, 'send1', visit)) });
        // another customer's old slot is not this call's work
        expect(await s.reserveSendSlot!(slot('c2-old', 100, [cap(10)], { customerId: 'c2', holdUntil: 1_000_000 }))).toEqual({ granted: true });
        // pruning before 250: the confirmed slots at 100 and 200 go, the one at 300 stays and counts
        expect(await s.reserveSendSlot!(slot('k', 1000, [cap(2, 250)], { pruneBefore: 250 }))).toEqual({ granted: true });
        // counted from 0, only what is left counts: 300 and k (1000); before pruning this counted 4
        expect(await s.reserveSendSlot!(slot('x', 1100, [cap(2)]))).toEqual({ granted: false, cap: 0, counted: 2, freedBy: 300 });
        expect(await s.reserveSendSlot!(slot('x', 1100, [cap(3)]))).toEqual({ granted: true });
        expect(await s.reserveSendSlot!(slot('y', 1200, [cap(2)], { customerId: 'c2' }))).toEqual({ granted: true });
        expect(await s.reserveSendSlot!(slot('z', 1200, [cap(2)], { customerId: 'c2' }))).toEqual({ granted: false, cap: 0, counted: 2, freedBy: 100 });
      });

      it('prunes in batches of at most 100 per call until the old slots are gone', async () => {
        for (let i = 0; i < 150; i++) expect(await s.reserveSendSlot!(slot(`old${i}`, 100 + i, [cap(1000)], { holdUntil: 1_000_000 }))).toEqual({ granted: true });
        expect(await s.reserveSendSlot!(slot('a', 2000, [cap(1000, 1000)], { pruneBefore: 1000 }))).toEqual({ granted: true });
        // 50 old slots are left (held: they still count from 0), then the next call deletes them
        expect(await s.reserveSendSlot!(slot('probe', 2100, [cap(51)]))).toEqual({ granted: false, cap: 0, counted: 51, freedBy: expect.any(Number) as number });
        expect(await s.reserveSendSlot!(slot('b', 2200, [cap(1000, 1000)], { pruneBefore: 1000 }))).toEqual({ granted: true });
        expect(await s.reserveSendSlot!(slot('probe', 2300, [cap(2)]))).toEqual({ granted: false, cap: 0, counted: 2, freedBy: 2000 });
      });

      it('two concurrent requests of one customer cannot both take the last place', async () => {
        const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => s.reserveSendSlot!(slot(`k${i}`, 100, [cap(1)]))));
        expect(answers.filter((a) => a.granted)).toHaveLength(1);
      });
    });

    describe('send tokens (rate limits)', () => {
      const token = (now: number, perSecond = 10, channelId = 'sms') => s.takeSendToken!({ tenantId: T, channelId, perSecond, now });

      it('lets a send go at most every 1000/perSecond ms per channel, and says when the next may', async () => {
        expect(await token(1000)).toBe(1000);
        expect(await token(1050)).toBe(1100);
        expect(await token(1100)).toBe(1100);
        expect(await token(1150)).toBe(1200);
        expect(await token(1150, 10, 'email')).toBe(1150); // its own bucket
        expect(await token(5000)).toBe(5000); // no credit piles up
        expect(await token(5000)).toBe(5100);
      });

      it('concurrent takers at one instant: exactly one goes', async () => {
        const answers = await Promise.all(Array.from({ length: 6 }, () => token(1000)));
        expect(answers.filter((a) => a === 1000)).toHaveLength(1);
      });

      it('sends refused together are told to come back one interval apart, and each goes when it does', async () => {
        expect(await token(1000)).toBe(1000);
        // Refused at 1000, 1010 and 1020: the queue hands out 1100, 1200, 1300 (not 1100 three times).
        expect([await token(1000), await token(1010), await token(1020)]).toEqual([1100, 1200, 1300]);
        expect(await token(1100)).toBe(1100);
        expect(await token(1200)).toBe(1200);
        // One refused now queues behind those already told to come back.
        expect(await token(1250)).toBe(1400);
        expect(await token(1300)).toBe(1300);
        expect(await token(1400)).toBe(1400);
        // Once the queue has drained, a refusal comes back at the next token again.
        expect(await token(9000)).toBe(9000);
        expect(await token(9000)).toBe(9100);
      });

      it('concurrent refused takers are told distinct instants, one interval apart', async () => {
        expect(await token(1000)).toBe(1000);
        const answers = await Promise.all(Array.from({ length: 5 }, () => token(1000)));
        expect([...answers].sort((a, b) => a - b)).toEqual([1100, 1200, 1300, 1400, 1500]);
      });
    });

    describe('stats of skipped steps', () => {
      it('counts skipped:<reason> apart from completed', async () => {
        await s.createJourney(journey());
        const e = enrollment();
        await s.createEnrollment(e, [{ journeyId: 'j1', stepId: 'send1', metric: 'entered' }]);
        await s.commit({
          enrollment: next(e),
          expectedVersion: 1,
          now: 10,
          counters: [
            { journeyId: 'j1', stepId: 'send1', metric: 'skipped:no-offer' },
            { journeyId: 'j1', stepId: 'send1', metric: 'skipped:no-offer' },
            { journeyId: 'j1', stepId: 'send1', metric: 'skipped:other' },
          ],
        });
        expect((await s.stats(T, 'j1'))['send1']).toEqual({ entered: 1, completed: 0, skipped: { 'no-offer': 2, other: 1 }, current: 0, exited: {}, failed: 0, noted: {} });
      });
    });

    describeDamaged('quarantine of unreadable enrollments', () => {
      /** e1 (unreadable, due first), e2 and e3 of tenant T, z1 of another tenant: all due. */
      async function fourDue(): Promise<void> {
        await s.createJourney(journey());
        await s.createJourney(journey({ tenantId: OTHER }));
        await s.createEnrollment(enrollment({ id: 'e1', customerId: 'c1', wakeAt: 10 }));
        await s.createEnrollment(enrollment({ id: 'e2', customerId: 'c2', wakeAt: 20 }));
        await s.createEnrollment(enrollment({ id: 'e3', customerId: 'c3', wakeAt: 30 }));
        await s.createEnrollment(enrollment({ id: 'z1', tenantId: OTHER, customerId: 'c1', wakeAt: 15 }));
        await damage!('e1');
      }

      itDamaged('quarantines an unreadable due row, reports it once, and claims the rest up to the limit', async () => {
        await fourDue();
        await expect(s.getEnrollment(T, 'e1')).rejects.toMatchObject({ code: 'corrupt-row', details: { id: 'e1' } });
        const reported: unknown[] = [];
        const claims = await s.claimDue({ now: 100, limit: 2, leaseMs: 1_000, workerId: 'w', onQuarantine: (q) => reported.push(q) });
        expect(claims.map((c) => c.enrollment.id)).toEqual(['z1', 'e2']);
        expect(reported).toEqual([
          { enrollmentId: 'e1', tenantId: T, journeyId: 'j1', customerId: 'c1', reason: expect.stringContaining('e1'), field: expect.any(String), at: 100 },
        ]);
        // never claimed again, not a pending wake-up, not in listings; the others go on
        const again = await s.claimDue({ now: 5_000, limit: 10, leaseMs: 1_000, workerId: 'w', onQuarantine: (q) => reported.push(q) });
        expect(again.map((c) => c.enrollment.id).sort()).toEqual(['e2', 'e3', 'z1']);
        expect(reported).toHaveLength(1);
        for (const c of again) await s.release(c.enrollment.id, c.token);
        expect(await s.nextWakeAt()).toBe(15); // z1's: e1 (due at 10) is no pending wake-up
        const listed = await s.listEnrollments({ tenantId: T, limit: 10, offset: 0 });
        expect(listed.items.map((e) => e.id)).toEqual(['e2', 'e3']);
        expect(listed.total).toBe(2);
      });

      itDamaged('a damaged row of a paused journey (read for its deadline) stops neither claims nor nextWakeAt for the others', async () => {
        await s.createJourney(journey());
        await s.createJourney(journey({ id: 'p', status: 'paused' }));
        await s.createEnrollment(enrollment({ id: 'p1', customerId: 'c1', journeyId: 'p', wakeAt: 10, deadline: 20 }));
        await s.createEnrollment(enrollment({ id: 'a1', customerId: 'c2', wakeAt: 50 }));
        await damage!('p1');
        const next = await s.nextWakeAt();
        expect(next === null || Number.isFinite(next)).toBe(true);
        const claims = await s.claimDue({ now: 100, limit: 10, leaseMs: 1_000, workerId: 'w' });
        expect(claims.map((c) => c.enrollment.id)).toEqual(['a1']);
      });

      itDamaged('fills a batch past unreadable rows', async () => {
        await fourDue();
        await damage!('e2');
        const reported: string[] = [];
        const claims = await s.claimDue({ now: 100, limit: 1, leaseMs: 1_000, workerId: 'w', onQuarantine: (q) => reported.push(q.enrollmentId) });
        expect(claims.map((c) => c.enrollment.id)).toEqual(['z1']);
        const more = await s.claimDue({ now: 100, limit: 1, leaseMs: 1_000, workerId: 'w', onQuarantine: (q) => reported.push(q.enrollmentId) });
        expect(more.map((c) => c.enrollment.id)).toEqual(['e3']);
        expect(reported.sort()).toEqual(['e1', 'e2']);
      });

      itDamaged('lists quarantined enrollments per tenant, with a total', async () => {
        await fourDue();
        await damage!('z1');
        await s.claimDue({ now: 100, limit: 10, leaseMs: 1_000, workerId: 'w' });
        const mine = await s.listQuarantined(T, { limit: 10, offset: 0 });
        expect(mine.total).toBe(1);
        expect(mine.items).toEqual([expect.objectContaining({ enrollmentId: 'e1', tenantId: T, journeyId: 'j1', customerId: 'c1', at: 100 })]);
        expect((await s.listQuarantined(OTHER, { limit: 10, offset: 0 })).items.map((q) => q.enrollmentId)).toEqual(['z1']);
        expect(await s.listQuarantined(T, { limit: 10, offset: 1 })).toEqual({ items: [], total: 1 });
        expect(await s.listQuarantined('nobody', { limit: 10, offset: 0 })).toEqual({ items: [], total: 0 });
      });

      itDamaged('repairs a quarantined enrollment: the row is replaced and due again', async () => {
        await fourDue();
        await s.claimDue({ now: 100, limit: 10, leaseMs: 1_000, workerId: 'w' });
        const fixed = enrollment({ id: 'e1', customerId: 'c1', wakeAt: 200, version: 5, updatedAt: 150 });
        expect(await s.repairEnrollment(fixed)).toBe('repaired');
        expect(await s.getEnrollment(T, 'e1')).toEqual(fixed);
        expect(await s.listQuarantined(T, { limit: 10, offset: 0 })).toEqual({ items: [], total: 0 });
        expect((await s.listEnrollments({ tenantId: T, limit: 10, offset: 0 })).items.map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
        const [claim] = await s.claimDue({ now: 300, limit: 1, leaseMs: 1_000, workerId: 'w' });
        expect(claim?.enrollment).toEqual(fixed);
        expect(await s.commit({ enrollment: next(fixed), expectedVersion: 5, token: claim!.token, release: true, now: 300 })).toBe('ok');
        expect(await s.repairEnrollment(fixed)).toBe('missing'); // no longer quarantined
      });

      itDamaged('releases an enrollment fixed in place back to due work at the wakeAt it had; refuses one still unreadable', async () => {
        await fourDue();
        await s.claimDue({ now: 100, limit: 10, leaseMs: 1_000, workerId: 'w' });
        await expect(s.releaseQuarantined(T, 'e1')).rejects.toMatchObject({ code: 'corrupt-row', details: { id: 'e1' } });
        expect((await s.listQuarantined(T, { limit: 10, offset: 0 })).total).toBe(1);
        await fix!('e1');
        expect(await s.releaseQuarantined(OTHER, 'e1')).toBe('missing');
        expect(await s.releaseQuarantined(T, 'e1')).toBe('released');
        expect(await s.releaseQuarantined(T, 'e1')).toBe('missing');
        expect(await s.listQuarantined(T, { limit: 10, offset: 0 })).toEqual({ items: [], total: 0 });
        expect(await s.getEnrollment(T, 'e1')).toEqual(enrollment({ id: 'e1', customerId: 'c1', wakeAt: 10 }));
        expect(await s.nextWakeAt()).toBe(10);
        expect((await s.claimDue({ now: 100, limit: 1, leaseMs: 1_000, workerId: 'w' })).map((c) => c.enrollment.id)).toEqual(['e1']);
      }, true);

      itDamaged('refuses a repair that fails the row checks or changes the customer, writing nothing; missing elsewhere', async () => {
        await fourDue();
        await s.claimDue({ now: 100, limit: 10, leaseMs: 1_000, workerId: 'w' });
        const bad = { ...enrollment({ id: 'e1', customerId: 'c1' }), visits: { wait1: 'one' } } as unknown as Enrollment;
        await expect(s.repairEnrollment(bad)).rejects.toMatchObject({ code: 'invalid-request', path: ['enrollment', 'visits', 'wait1'] });
        await expect(s.repairEnrollment(enrollment({ id: 'e1', customerId: 'someone-else' }))).rejects.toMatchObject({
          code: 'invalid-request',
          path: ['enrollment', 'customerId'],
        });
        expect((await s.listQuarantined(T, { limit: 10, offset: 0 })).total).toBe(1);
        await expect(s.getEnrollment(T, 'e1')).rejects.toMatchObject({ code: 'corrupt-row' });
        expect(await s.repairEnrollment(enrollment({ id: 'e2', customerId: 'c2' }))).toBe('missing');
        expect(await s.repairEnrollment(enrollment({ id: 'e1', customerId: 'c1', tenantId: OTHER }))).toBe('missing');
      });
    });

    describe('time', () => {
      it('keeps large epoch instants exactly', async () => {
        await s.createJourney(journey());
        const far = Date.UTC(2300, 0, 1) + 123;
        const e = enrollment({ enteredAt: far - DAY, wakeAt: far, deadline: far + 30 * DAY, updatedAt: far - DAY });
        await s.createEnrollment(e);
        expect(await s.getEnrollment(T, 'e1')).toEqual(e);
        expect(await s.nextWakeAt()).toBe(far);
        expect((await s.claimDue({ now: far, limit: 1, leaseMs: 1, workerId: 'w' }))[0]?.leaseUntil).toBe(far + 1);
      });
    });
  });
}
