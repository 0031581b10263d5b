import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/adapters/memory/index.js';
import { describeStorageConformance } from '../../src/conformance/index.js';
import { T, enrollment, journey, next } from '../../src/conformance/fixtures.js';
import type { Storage } from '../../src/runtime/ports.js';
import { guardStorage, unguardedStorage } from '../../src/runtime/storage-guard.js';
import type { Enrollment } from '../../src/runtime/types.js';
import { harness, rejects, runUntilIdle } from './engine-helpers.js';
import { journey as journeyDoc } from './helpers.js';

/**
 * A third-party adapter as a host might write one: no init-once, no closed flag, no shape checks.
 * It keeps its data in the bundled memory adapter (unwrapped) and counts what it is asked; `answer`
 * lets a case make one method answer something wrong.
 */
function minimalAdapter() {
  const data = unguardedStorage(memoryStorage());
  const calls: string[] = [];
  let inits = 0;
  let failInit = 0;
  const answer: Partial<Record<keyof Storage, (real: unknown) => unknown>> = {};
  const adapter = {} as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(data)) as (keyof Storage)[]) {
    const method = (data as unknown as Record<string, unknown>)[name];
    if (name === ('constructor' as never) || typeof method !== 'function' || name.startsWith('readable') || name === 'init') continue;
    adapter[name] = async (...args: unknown[]) => {
      calls.push(name);
      const real = await (method as (...a: unknown[]) => Promise<unknown>).apply(data, args);
      return answer[name] ? answer[name]!(real) : real;
    };
  }
  adapter['init'] = async () => {
    inits += 1;
    await new Promise((resolve) => setTimeout(resolve, 5)); // slow enough for callers to pile up
    if (failInit > 0) {
      failInit -= 1;
      throw new Error('database not reachable');
    }
  };
  return {
    adapter: adapter as unknown as Storage,
    calls,
    answer,
    inits: () => inits,
    failNextInit: () => {
      failInit += 1;
    },
  };
}

describe('guardStorage: the core wrapper around any storage adapter', () => {
  it('runs init once for concurrent callers, and before the first call of a host that never called it', async () => {
    const m = minimalAdapter();
    const s = guardStorage(m.adapter);
    await Promise.all([s.init(), s.init(), s.getJourney(T, 'j1'), s.nextWakeAt()]);
    expect(m.inits()).toBe(1);
    await s.init();
    expect(m.inits()).toBe(1);
    const lazy = minimalAdapter();
    expect(await guardStorage(lazy.adapter).getJourney(T, 'nope')).toBeNull();
    expect(lazy.inits()).toBe(1);
  });

  it('retries a failed init on the next call', async () => {
    const m = minimalAdapter();
    m.failNextInit();
    const s = guardStorage(m.adapter);
    await expect(s.init()).rejects.toThrow('database not reachable');
    await s.init();
    expect(m.inits()).toBe(2);
  });

  it('refuses every call after close with storage-closed, without asking the adapter', async () => {
    const m = minimalAdapter();
    const s = guardStorage(m.adapter);
    await s.createJourney(journey());
    await s.close();
    await s.close();
    const before = m.calls.length;
    await rejects(s.getJourney(T, 'j1'), 'storage-closed');
    await rejects(s.commit({ enrollment: next(enrollment()), expectedVersion: 1, now: 1 }), 'storage-closed');
    await rejects(s.init(), 'storage-closed');
    expect(m.calls.slice(before)).toEqual([]);
    expect(m.calls.filter((c) => c === 'close')).toHaveLength(1);
  });

  it('refuses a malformed commit with invalid-commit before the adapter sees it', async () => {
    const m = minimalAdapter();
    const s = guardStorage(m.adapter);
    await s.createEnrollment(enrollment());
    await rejects(s.commit({ enrollment: enrollment({ version: 7 }), expectedVersion: 1, now: 10 }), 'invalid-commit');
    await rejects(s.commit({ enrollment: next(enrollment()), expectedVersion: 1, now: 10, token: 1, release: false, leaseMs: 0 }), 'invalid-commit');
    expect(m.calls).not.toContain('commit');
  });

  it('answers bad-adapter-answer for a wrong kind of answer', async () => {
    const m = minimalAdapter();
    const s = guardStorage(m.adapter);
    await s.createJourney(journey());
    await s.createEnrollment(enrollment());
    m.answer.commit = () => 'yes';
    const error = await rejects(s.commit({ enrollment: next(enrollment()), expectedVersion: 1, now: 10 }), 'bad-adapter-answer');
    expect(error.message).toContain('storage.commit');
    m.answer.listEnrollments = () => [enrollment()];
    await rejects(s.listEnrollments({ tenantId: T, limit: 10, offset: 0 }), 'bad-adapter-answer');
    m.answer.createEnrollment = () => true;
    await rejects(s.createEnrollment(enrollment({ id: 'e2', customerId: 'c2' })), 'bad-adapter-answer');
    m.answer.journeyStatus = () => 'running';
    await rejects(s.journeyStatus(T, 'j1'), 'bad-adapter-answer');
  });

  it('answers corrupt-row, naming the field, for an enrollment or journey written by an older version', async () => {
    const m = minimalAdapter();
    const s = guardStorage(m.adapter);
    await s.createJourney(journey());
    await s.createEnrollment(enrollment());
    m.answer.getEnrollment = (real) => {
      const { sends: _dropped, ...older } = real as Enrollment;
      return older;
    };
    const error = await rejects(s.getEnrollment(T, 'e1'), 'corrupt-row');
    expect(error.details).toMatchObject({ id: 'e1', field: 'sends' });
    m.answer.getJourney = (real) => ({ ...(real as object), revision: '1' });
    expect((await rejects(s.getJourney(T, 'j1'), 'corrupt-row')).details).toMatchObject({ field: 'revision' });
  });

  it('leaves an unreadable claim out of claimDue, reports it, and hands out the rest', async () => {
    const m = minimalAdapter();
    const s = guardStorage(m.adapter);
    await s.createJourney(journey());
    for (const id of ['e1', 'e2', 'e3']) await s.createEnrollment(enrollment({ id, customerId: `c-${id}` }));
    m.answer.claimDue = (real) =>
      (real as { enrollment: Enrollment }[]).map((c) => (c.enrollment.id === 'e2' ? { ...c, enrollment: { ...c.enrollment, visits: null } } : c));
    const reported: string[] = [];
    const claims = await s.claimDue({ now: 5_000, limit: 10, leaseMs: 1_000, workerId: 'w', onQuarantine: (q) => reported.push(`${q.enrollmentId}:${q.field}`) });
    expect(claims.map((c) => c.enrollment.id)).toEqual(['e1', 'e3']);
    expect(reported).toEqual(['e2:visits']);
  });

  it('is idempotent and keeps optional methods optional', async () => {
    const m = minimalAdapter();
    delete (m.adapter as unknown as Record<string, unknown>)['takeSendToken'];
    const s = guardStorage(m.adapter);
    expect(guardStorage(s)).toBe(s);
    expect(unguardedStorage(s)).toBe(m.adapter);
    expect(s.takeSendToken).toBeUndefined();
    expect(typeof s.reserveSendSlot).toBe('function');
  });

  it('wraps again a copy of a guarded storage with a method of its own, and checks that method\'s answers', async () => {
    const bundled = memoryStorage();
    // The host's copy carries the wrapper's fields, but its `commit` is the host's own.
    const copy = { ...bundled, commit: async () => 'yes' as never } as Storage;
    const s = guardStorage(copy);
    expect(s).not.toBe(copy);
    await bundled.createJourney(journey());
    await bundled.createEnrollment(enrollment());
    await rejects(s.commit({ enrollment: next(enrollment()), expectedVersion: 1, now: 10 }), 'bad-adapter-answer');
    expect(unguardedStorage(bundled)).not.toBe(bundled);
  });

  it('runs a journey end to end through the engine on an adapter without guards', async () => {
    const m = minimalAdapter();
    const h = harness({ storage: m.adapter });
    const created = await h.engine.createJourney(
      journeyDoc([
        { id: 'w', type: 'wait', config: { duration: 1, unit: 'hours' } },
        { id: 'd', type: 'decide', config: { decisionFlowId: 'df_personal_loans', maxOffers: 1 } },
        { id: 's', type: 'send', config: { channelId: 'email', resultSource: 'd' } },
      ]),
    );
    await h.engine.setStatus(created.id, 'active');
    const result = await h.engine.enroll(created.id, { customerIds: ['c1', 'c2'] });
    expect(result.counts.enrolled).toBe(2);
    await runUntilIdle(h);
    expect(h.channels.sent).toHaveLength(2);
    expect(m.inits()).toBe(1);
  });
});

// The conformance suite against the minimal adapter through the wrapper (as the engine uses it).
describeStorageConformance('a minimal third-party adapter, guarded', async () => {
  const m = minimalAdapter();
  return { storage: guardStorage(m.adapter), cleanup: async () => {} };
}, { describe, it, expect, beforeEach, afterEach }, { commitMany: true });
