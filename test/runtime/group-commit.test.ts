/**
 * Group commit (issue 13): a batch of claims advances together, their commits go to storage in
 * one `commitMany` per round, and the host's batched effect methods (sendMany, decideMany,
 * getMany) are called once per round. On memory, SQLite and PostgreSQL.
 */
import { describe, expect, it, vi } from 'vitest';
import type { BatchAnswer, Commit, CommitResult, DecideRequest, SendRequest, Storage } from '../../src/runtime/ports.js';
import type { CustomerProfile, Offer, SendReceipt } from '../../src/runtime/types.js';
import { harness, rejects, type Harness } from './engine-helpers.js';
import { journey } from './helpers.js';
import { STORAGE_KINDS } from './storages.js';

const N = 6;
const customers = Array.from({ length: N }, (_, i) => ({ id: `c${i + 1}` }));
/** decide → send → wait a day → update: two effects, a commit after each, then the wait blocks. */
const flow = journey(
  [
    { id: 'pick', type: 'decide', config: { decisionFlowId: 'df_personal_loans' } },
    { id: 'mail', type: 'send', config: { channelId: 'email' } },
    { id: 'later', type: 'wait', config: { duration: 1, unit: 'days' } },
    { id: 'mark', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'done' }] }, next: null },
  ],
  { status: 'active' },
);

interface Counted {
  storage: Storage;
  /** Each commitMany call's commits (enrollment ids), in call order. */
  readonly batches: string[][];
  /** Enrollment ids committed through `commit`. */
  readonly singles: string[];
}

/**
 * `inner` with some methods replaced: the rest are `inner`'s, bound to it (the adapters keep
 * their state on themselves). Assigning a method replaces it on the wrapper only.
 */
function wrap(inner: Storage, overrides: Partial<Record<keyof Storage, unknown>>): Storage {
  return new Proxy(inner, {
    get(target, prop) {
      if (Object.prototype.hasOwnProperty.call(overrides, prop)) return overrides[prop as keyof Storage];
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    set(_target, prop, value) {
      overrides[prop as keyof Storage] = value;
      return true;
    },
  });
}

/** A storage whose commit and commitMany calls are counted (the rest passes through). */
function counted(inner: Storage, options: { commitMany?: boolean } = {}): Counted {
  const batches: string[][] = [];
  const singles: string[] = [];
  const storage = wrap(inner, {
    commit: (c: Commit) => {
      singles.push(c.enrollment.id);
      return inner.commit(c);
    },
    commitMany:
      options.commitMany === false
        ? undefined
        : (cs: readonly Commit[]) => {
            batches.push(cs.map((c) => c.enrollment.id));
            return inner.commitMany!(cs);
          },
  });
  return { storage, batches, singles };
}

async function start(h: Harness, count = N): Promise<{ id: string; ids: string[] }> {
  const { id } = await h.engine.createJourney(flow);
  const { enrolled } = await h.engine.enroll(id, { customerIds: customers.slice(0, count).map((c) => c.id) });
  return { id, ids: enrolled.map((e) => e.enrollmentId) };
}

for (const kind of STORAGE_KINDS) {
  describe(`group commit on ${kind.name}`, () => {
    it('commits a batch once per round: one commitMany after the decisions, one after the sends', async () => {
      const c = counted(await kind.make());
      const h = harness({ customers, storage: c.storage });
      const { ids } = await start(h);
      expect(await h.engine.runDue()).toEqual({ processed: N, lost: 0 });
      expect(c.batches.map((b) => [...b].sort())).toEqual([[...ids].sort(), [...ids].sort()]);
      expect(c.singles).toEqual([]);
      for (const id of ids) {
        expect((await h.storage.listEffects('default', id)).map((x) => x.idempotencyKey)).toEqual([`${id}:pick:1`, `${id}:mail:1`]);
      }
      expect((await h.engine.listEnrollments({})).items.every((e) => e.stepId === 'later' && e.phase === 'waiting')).toBe(true);
      await h.engine.close();
    });

    it('a conflict in one commit of the batch does not fail the others; the conflicted claim replays without repeating its effect', async () => {
      const c = counted(await kind.make());
      const h = harness({ customers, storage: c.storage });
      const { ids } = await start(h);
      const victim = ids[2]!;
      const commitMany = c.storage.commitMany!;
      let first = true;
      c.storage.commitMany = async (cs) => {
        if (first) {
          first = false;
          // Someone else writes the victim first (as an outcome delivery would): its commit is now stale.
          const stored = (await h.storage.getEnrollment('default', victim))!;
          expect(await h.storage.commit({ enrollment: { ...stored, flags: { touched: true }, version: stored.version + 1 }, expectedVersion: stored.version, now: h.clock.now() })).toBe('ok');
        }
        const results = await commitMany(cs);
        return results;
      };
      expect(await h.engine.runDue()).toEqual({ processed: N, lost: 0 });
      // The victim's decision was reused from memory: one decide and one send per enrollment.
      expect(h.channels.sent.map((s) => s.enrollmentId).sort()).toEqual([...ids].sort());
      for (const id of ids) {
        const e = (await h.engine.getEnrollment(id))!;
        expect(e).toMatchObject({ stepId: 'later', phase: 'waiting' });
        expect((await h.storage.listEffects('default', id)).map((x) => x.idempotencyKey)).toEqual([`${id}:pick:1`, `${id}:mail:1`]);
      }
      expect((await h.engine.getEnrollment(victim))!.flags).toEqual({ touched: true });
      await h.engine.close();
    });

    it('commits a lone due enrollment as soon as its effect returns (through commit, no timer involved)', async () => {
      const c = counted(await kind.make());
      const h = harness({ customers, storage: c.storage });
      const { ids } = await start(h, 1);
      expect(await h.engine.runDue()).toEqual({ processed: 1, lost: 0 });
      expect(c.batches).toEqual([]);
      expect(c.singles).toEqual([ids[0], ids[0]]);
      await h.engine.close();
    });

    it('keeps at most inFlight effects in flight, each enrollment\'s effects strictly one after another, each committed before the next', async () => {
      const c = counted(await kind.make());
      const h = harness({ customers, storage: c.storage, engine: { inFlight: 4 } });
      const { ids } = await start(h);
      let inFlight = 0;
      let most = 0;
      const perEnrollment = new Map<string, number>();
      const order: string[] = [];
      const track = async <T>(enrollmentId: string, what: string, run: () => Promise<T>): Promise<T> => {
        expect(perEnrollment.get(enrollmentId) ?? 0).toBe(0);
        perEnrollment.set(enrollmentId, 1);
        most = Math.max(most, ++inFlight);
        order.push(`${enrollmentId}:${what}`);
        await new Promise((r) => setTimeout(r, 20));
        try {
          return await run();
        } finally {
          inFlight -= 1;
          perEnrollment.set(enrollmentId, 0);
        }
      };
      const decide = h.decisions.decide.bind(h.decisions);
      const send = h.channels.send.bind(h.channels);
      h.decisions.decide = (r) => track(r.enrollmentId, 'pick', () => decide(r));
      h.channels.send = async (r) => {
        // The decision that came before this send is already committed.
        expect((await h.storage.listEffects('default', r.enrollmentId)).map((x) => x.idempotencyKey)).toEqual([`${r.enrollmentId}:pick:1`]);
        return track(r.enrollmentId, 'mail', () => send(r));
      };
      expect(await h.engine.runDue()).toEqual({ processed: N, lost: 0 });
      expect(most).toBeLessThanOrEqual(4);
      expect(most).toBeGreaterThan(1);
      for (const id of ids) expect(order.filter((o) => o.startsWith(`${id}:`))).toEqual([`${id}:pick`, `${id}:mail`]);
      expect(Math.max(...c.batches.map((b) => b.length))).toBeLessThanOrEqual(4);
      await h.engine.close();
    });
  });
}

describe('group commit: a customer\'s claims in one batch', () => {
  const sendOnly = (name: string) =>
    journey([{ id: 'mail', type: 'send', config: { channelId: 'email' }, next: null }], { status: 'active', name });

  /**
   * Sends that take 10 ms each, with `onStart` called as each begins and `onEnd` as it returns;
   * `most()` is the most sends in flight at once.
   */
  function slowSends(h: Harness, onStart: (r: SendRequest) => void = () => undefined, onEnd: (r: SendRequest) => void = () => undefined): { most(): number } {
    let overlap = 0;
    let most = 0;
    const send = h.channels.send.bind(h.channels);
    h.channels.send = async (r) => {
      onStart(r);
      most = Math.max(most, ++overlap);
      await new Promise((resolve) => setTimeout(resolve, 10));
      overlap -= 1;
      onEnd(r);
      return send(r);
    };
    return { most: () => most };
  }

  it('run one after another in one lane, in wake-up order, while other customers\' claims run beside them', async () => {
    const h = harness({ customers, engine: { inFlight: 8 } });
    const first = await h.engine.createJourney(sendOnly('first'));
    const second = await h.engine.createJourney(sendOnly('second'));
    // c1 and c2 are in both journeys, c3 and c4 in the first only: six claims, one batch.
    await h.engine.enroll(first.id, { customerIds: ['c1', 'c2', 'c3', 'c4'] });
    h.clock.advance(1);
    await h.engine.enroll(second.id, { customerIds: ['c1', 'c2'] });
    const busy = new Set<string>();
    const order: string[] = [];
    const sends = slowSends(
      h,
      (r) => {
        expect(busy.has(r.customer.id)).toBe(false);
        busy.add(r.customer.id);
        order.push(`${r.customer.id}:${r.journeyId === first.id ? 'first' : 'second'}`);
      },
      (r) => busy.delete(r.customer.id),
    );
    expect(await h.engine.runDue()).toEqual({ processed: 6, lost: 0 });
    for (const c of ['c1', 'c2']) expect(order.filter((o) => o.startsWith(`${c}:`))).toEqual([`${c}:first`, `${c}:second`]);
    expect(sends.most()).toBe(4); // c1..c4's first sends together; each customer never twice at once
    await h.engine.close();
  });

  it('of one customer id in two tenants are two customers: they run side by side', async () => {
    const h = harness({ customers, engine: { inFlight: 8 } });
    for (const tenantId of ['t1', 't2']) {
      const view = h.engine.forTenant(tenantId);
      const { id } = await view.createJourney(sendOnly('mail'));
      await view.enroll(id, { customerId: 'c1' });
    }
    const tenants: string[] = [];
    const sends = slowSends(h, (r) => tenants.push(r.tenantId));
    expect(await h.engine.runDue()).toEqual({ processed: 2, lost: 0 });
    expect(tenants.sort()).toEqual(['t1', 't2']);
    expect(sends.most()).toBe(2);
    await h.engine.close();
  });
});

describe('group commit: the fallback and the options', () => {
  it('without commitMany (a third-party storage) calls commit for each claim, concurrently, with the same results', async () => {
    const c = counted((await STORAGE_KINDS[0]!.make()), { commitMany: false });
    const h = harness({ customers, storage: c.storage });
    const { ids } = await start(h);
    expect(await h.engine.runDue()).toEqual({ processed: N, lost: 0 });
    expect(c.batches).toEqual([]);
    expect([...c.singles].sort()).toEqual([...ids, ...ids].sort());
    for (const id of ids) expect((await h.storage.listEffects('default', id)).map((x) => x.idempotencyKey)).toEqual([`${id}:pick:1`, `${id}:mail:1`]);
  });

  it('validates inFlight and batchSize (invalid-option naming the option); concurrency is the former name of inFlight', async () => {
    for (const [option, value] of [['inFlight', 0], ['inFlight', 1001], ['batchSize', 1.5], ['concurrency', -1]] as const) {
      let thrown: unknown;
      try {
        harness({ engine: { [option]: value } });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ code: 'invalid-option', path: [option] });
    }
    expect(() => harness({ engine: { inFlight: 3, concurrency: 4 } })).toThrow(expect.objectContaining({ code: 'invalid-option', path: ['concurrency'] }));
    const h = harness({ customers });
    await start(h);
    const error = await rejects(h.engine.runDue({ batchSize: 0 }), 'invalid-option');
    expect(error.path).toEqual(['batchSize']);
    // The alias still bounds the batch.
    let inFlight = 0;
    let most = 0;
    const send = h.channels.send.bind(h.channels);
    h.channels.send = async (r) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight -= 1;
      return send(r);
    };
    await h.engine.runDue({ concurrency: 2 });
    expect(most).toBe(2);
  });

  it('uses no timer to decide when a round is complete', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval'] });
    try {
      const h = harness({ customers });
      await start(h);
      // With timers frozen, a round that waited for a timer would never end.
      expect(await h.engine.runDue()).toEqual({ processed: N, lost: 0 });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('batched effects: sendMany, decideMany, getMany', () => {
  /** Recording doubles of the batched methods; `answer` may spoil an answer. */
  function batched(h: Harness, spoil: { send?: (answers: BatchAnswer<SendReceipt | void>[]) => unknown } = {}) {
    const calls = { sendMany: [] as string[][], decideMany: [] as string[][], getMany: [] as string[][], single: 0 };
    const send = h.channels.send.bind(h.channels);
    const decide = h.decisions.decide.bind(h.decisions);
    const get = h.profiles.get.bind(h.profiles);
    h.channels.send = async (r) => {
      calls.single += 1;
      return send(r);
    };
    h.decisions.decide = async (r) => {
      calls.single += 1;
      return decide(r);
    };
    h.profiles.get = async (id, context) => {
      calls.single += 1;
      return get(id, context);
    };
    h.channels.sendMany = async (requests: readonly SendRequest[]) => {
      calls.sendMany.push(requests.map((r) => r.enrollmentId));
      const answers: BatchAnswer<SendReceipt | void>[] = [];
      for (const r of requests) answers.push({ ok: true, value: await send(r) });
      return (spoil.send ? spoil.send(answers) : answers) as BatchAnswer<SendReceipt | void>[];
    };
    h.decisions.decideMany = async (requests: readonly DecideRequest[]) => {
      calls.decideMany.push(requests.map((r) => r.enrollmentId));
      return Promise.all(requests.map(async (r): Promise<BatchAnswer<readonly Offer[]>> => ({ ok: true, value: await decide(r) })));
    };
    h.profiles.getMany = async (ids: readonly string[], context) => {
      calls.getMany.push([...ids]);
      return Promise.all(ids.map(async (id): Promise<BatchAnswer<CustomerProfile | null>> => ({ ok: true, value: await get(id, context) })));
    };
    return calls;
  }

  it('calls each batched method once per round, with every claim of the round, and never the single methods', async () => {
    const h = harness({ customers });
    const calls = batched(h);
    const { ids } = await start(h);
    expect(await h.engine.runDue()).toEqual({ processed: N, lost: 0 });
    expect(calls.getMany.map((b) => b.sort())).toEqual([customers.map((c) => c.id).sort()]);
    expect(calls.decideMany.map((b) => b.sort())).toEqual([[...ids].sort()]);
    expect(calls.sendMany.map((b) => b.sort())).toEqual([[...ids].sort()]);
    expect(calls.single).toBe(0);
    // The keys are the same as with the single methods.
    expect(h.channels.sent.map((s) => s.idempotencyKey).sort()).toEqual(ids.map((id) => `${id}:mail:1`).sort());
    for (const id of ids) expect((await h.storage.listEffects('default', id)).map((x) => x.idempotencyKey)).toEqual([`${id}:pick:1`, `${id}:mail:1`]);
  });

  it('fails only the effect whose answer is an error or malformed; a wrong length fails every effect of the call (bad-adapter-answer)', async () => {
    const h = harness({ customers, engine: { retry: { maxAttempts: 1 } } });
    batched(h, {
      send: (answers) => {
        answers[0] = { ok: false, error: new Error('mailbox full') };
        (answers as unknown[])[1] = { fine: true };
        return answers;
      },
    });
    await start(h, 3);
    await h.engine.runDue();
    const items = (await h.engine.listEnrollments({})).items;
    const byCustomer = new Map(items.map((e) => [e.customerId, e]));
    const failed = items.filter((e) => e.status === 'failed');
    expect(failed.map((e) => e.lastError?.message ?? '').sort()).toEqual(['Channels.sendMany answer 1 must be { ok: true, value } or { ok: false, error }', 'mailbox full'].sort());
    expect(failed.find((e) => e.lastError?.message !== 'mailbox full')!.lastError!.code).toBe('bad-adapter-answer');
    expect([...byCustomer.values()].filter((e) => e.status === 'active').map((e) => e.stepId)).toEqual(['later']);

    const short = harness({ customers, engine: { retry: { maxAttempts: 1 } } });
    batched(short, { send: (answers) => answers.slice(1) });
    await start(short, 3);
    await short.engine.runDue();
    const all = (await short.engine.listEnrollments({})).items;
    expect(all.map((e) => [e.status, e.lastError?.code])).toEqual([
      ['failed', 'bad-adapter-answer'],
      ['failed', 'bad-adapter-answer'],
      ['failed', 'bad-adapter-answer'],
    ]);
  });

  it('a sendMany that throws fails the effects of its call, as a throwing send would', async () => {
    const h = harness({ customers, engine: { retry: { maxAttempts: 1 } } });
    batched(h);
    h.channels.sendMany = async () => {
      throw new Error('provider down');
    };
    await start(h, 2);
    await h.engine.runDue();
    expect((await h.engine.listEnrollments({})).items.map((e) => [e.status, e.lastError?.message])).toEqual([
      ['failed', 'provider down'],
      ['failed', 'provider down'],
    ]);
  });
});

/** The storage double's results are checked by the worker. */
describe('group commit: a storage answering nonsense', () => {
  it('treats a commitMany answering the wrong number of results as failed: the batch is committed one by one', async () => {
    const inner = await STORAGE_KINDS[0]!.make();
    const storage = wrap(inner, { commitMany: async (cs: readonly Commit[]): Promise<readonly CommitResult[]> => (await inner.commitMany!(cs)).slice(1) });
    const h = harness({ customers, storage });
    await start(h, 3);
    // The batch's commits are then tried one by one, so the claims still go on.
    expect(await h.engine.runDue()).toEqual({ processed: 3, lost: 0 });
  });
});
