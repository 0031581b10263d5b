import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/validate/expression/index.js';
import { PLAIN_DATA_MAX_ENTRIES, plainData } from '../../../src/validate/expression/plain-data.js';
import { harness } from '../../runtime/engine-helpers.js';
import { journey } from '../../runtime/helpers.js';
import type { CustomerProfile } from '../../../src/runtime/types.js';
import { plainProfile } from '../../../src/runtime/host-data.js';

/** An array behind a Proxy that counts element reads (its `get` trap on index keys). */
function counted(items: readonly unknown[]): { array: unknown[]; reads: () => number } {
  let reads = 0;
  const array = new Proxy(items.slice(), {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { array, reads: () => reads };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => `v${from + i}`);

describe('includesAny / includesAll: linear in the sizes of both arrays', () => {
  // includesAny of disjoint arrays and includesAll of the same elements in reverse order both
  // compare every needle with (on average half of) the haystack when scanned element by element.
  it.each([
    ['includesAny', 'two disjoint', 2_000],
    ['includesAll', 'the same reversed', 2_000],
    ['includesAny', 'two disjoint', 60_000],
    ['includesAll', 'the same reversed', 60_000],
  ] as const)('%s over %s %i-element arrays reads each element a bounded number of times', (fn, how, n) => {
    const haystack = counted(range(0, n));
    const needles = counted(how === 'two disjoint' ? range(n, n) : range(0, n).reverse());
    const expr = compileExpression(`${fn}(customer.a, customer.b)`);
    expect(expr.evaluate({ customer: { a: haystack.array, b: needles.array } })).toBe(fn === 'includesAll');
    expect(haystack.reads() + needles.reads()).toBeLessThanOrEqual(2 * (n + n));
  });

  it('answers exactly what the element-by-element strict-equality scan answers', () => {
    const value = fc.oneof(fc.constantFrom(0, -0, Number.NaN, 1, '1', '', null, true, false), fc.integer({ min: 0, max: 40 }), fc.string({ maxLength: 2 }));
    const any = compileExpression('includesAny(customer.a, customer.b)');
    const all = compileExpression('includesAll(customer.a, customer.b)');
    fc.assert(
      fc.property(fc.array(value, { maxLength: 120 }), fc.array(value, { maxLength: 120 }), (a, b) => {
        const scope = { customer: { a, b } };
        expect(any.evaluate(scope)).toBe(b.some((x) => a.some((y) => y === x)));
        expect(all.evaluate(scope)).toBe(b.every((x) => a.some((y) => y === x)));
      }),
    );
  });
});

describe('plainData: host values copied as data only', () => {
  it('keeps own enumerable data properties and array elements, deeply', () => {
    const value = { a: 1, b: 'x', c: [1, { d: null }], e: { f: true } };
    expect(plainData(value)).toEqual(value);
    expect(plainData(value)).not.toBe(value);
  });

  it('never runs a getter: accessors, also throwing ones, are not data', () => {
    let ran = 0;
    const host = {
      plain: 1,
      get lazy() {
        ran++;
        return 2;
      },
      get broken(): number {
        ran++;
        throw new Error('boom');
      },
    };
    expect(plainData(host)).toEqual({ plain: 1 });
    expect(ran).toBe(0);
  });

  it('never runs a getter on an array element; the element reads as undefined', () => {
    let ran = 0;
    const segments = ['a', 'b'];
    Object.defineProperty(segments, 1, { get: () => (ran++, 'vip'), enumerable: true });
    expect(plainData(segments)).toEqual(['a', undefined]);
    expect(ran).toBe(0);
  });

  it("never invokes a Proxy's get, has, set or other traps", () => {
    const invoked: string[] = [];
    const trap = (name: string) => () => {
      invoked.push(name);
      throw new Error(`${name} trap ran`);
    };
    const proxy = new Proxy(
      { age: 30, tags: ['vip'] },
      { get: trap('get'), has: trap('has'), set: trap('set'), getPrototypeOf: trap('getPrototypeOf'), defineProperty: trap('defineProperty'), deleteProperty: trap('deleteProperty') },
    );
    expect(plainData({ customer: proxy })).toEqual({ customer: { age: 30, tags: ['vip'] } });
    expect(invoked).toEqual([]);
  });

  it('drops a value whose Proxy traps throw, without throwing', () => {
    const hostile = new Proxy({ a: 1 }, { ownKeys: () => { throw new Error('no keys'); } });
    const revocable = Proxy.revocable({ a: 1 }, {});
    revocable.revoke();
    expect(plainData({ hostile, revoked: revocable.proxy, fine: 2 })).toEqual({ fine: 2 });
  });

  it('drops functions, symbols and bigints, copies shared and cyclic references once', () => {
    const shared = { n: 1 };
    const cyclic: Record<string, unknown> = { shared, again: shared, f: () => 1, s: Symbol('s'), b: 10n };
    cyclic['self'] = cyclic;
    const copy = plainData(cyclic) as Record<string, unknown>;
    expect(Object.keys(copy)).toEqual(['shared', 'again', 'self']);
    expect(copy['shared']).toBe(copy['again']);
    expect(copy['self']).toBe(copy);
  });

  it('copies shared references once also in a value of many objects (past the short list of seen objects)', () => {
    const parts = Array.from({ length: 40 }, (_, i) => ({ i }));
    const root: Record<string, unknown> = { first: parts, second: [...parts].reverse() };
    root['loop'] = root;
    const copy = plainData(root) as { first: { i: number }[]; second: { i: number }[]; loop: unknown };
    expect(copy.first).toHaveLength(40);
    for (let i = 0; i < 40; i++) {
      expect(copy.first[i]).toEqual({ i });
      expect(copy.first[i]).not.toBe(parts[i]);
      expect(copy.second[39 - i]).toBe(copy.first[i]);
    }
    expect(copy.loop).toBe(copy);
  });

  it('copies at most PLAIN_DATA_MAX_ENTRIES elements and properties of a value built with code', () => {
    const sparse: unknown[] = ['a'];
    sparse.length = 1_000_000_000; // JSON cannot make this; a host's code can
    const copy = plainData({ sparse, after: 1 }) as { sparse: unknown[]; after?: number };
    expect(copy.sparse.length).toBeLessThanOrEqual(PLAIN_DATA_MAX_ENTRIES);
    expect(copy.sparse[0]).toBe('a');
    expect(copy.after).toBeUndefined(); // the budget ran out before it
  });

  it('keeps an own "__proto__" key as data and never sets a prototype', () => {
    const copy = plainData(JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('plainProfile: a Profiles answer as data', () => {
  it('reads id, attributes and segments alone: the rest of a host row is never read', () => {
    const read: string[] = [];
    const row = new Proxy(
      { id: 'c9', attributes: { age: 30 }, segments: ['vip'], email: 'a@b.c', history: [{ big: true }] },
      {
        getOwnPropertyDescriptor(target, key) {
          read.push(String(key));
          return Reflect.getOwnPropertyDescriptor(target, key);
        },
        ownKeys(target) {
          read.push('(ownKeys)');
          return Reflect.ownKeys(target);
        },
      },
    );
    expect(plainProfile(row, 'c1')).toStrictEqual({ id: 'c9', attributes: { age: 30 }, segments: ['vip'] });
    expect(read.sort()).toEqual(['attributes', 'id', 'segments']);
  });

  it('a field behind a getter, not enumerable, inherited or malformed reads as its default; the getter never runs', () => {
    let ran = 0;
    const profile = Object.create({ segments: ['inherited'] }, {
      id: { get: () => (ran++, 'c9'), enumerable: true },
      attributes: { value: { age: 30 }, enumerable: false },
    });
    expect(plainProfile(profile, 'c1')).toStrictEqual({ id: 'c1', attributes: {}, segments: [] });
    expect(plainProfile({ id: 7, attributes: [1], segments: 'vip' }, 'c1')).toStrictEqual({ id: 'c1', attributes: {}, segments: [] });
    expect(ran).toBe(0);
  });

  it('never throws: a revoked Proxy, a throwing trap, an array or a primitive answer is an empty profile', () => {
    const { proxy, revoke } = Proxy.revocable({ id: 'c9' }, {});
    revoke();
    const throwing = new Proxy({ id: 'c9' }, { getOwnPropertyDescriptor: () => { throw new Error('trap'); } });
    for (const answer of [proxy, throwing, ['c9'], 'c9', 42, null, undefined]) {
      expect(plainProfile(answer, 'c1')).toStrictEqual({ id: 'c1', attributes: {}, segments: [] });
    }
  });

  it('the copy is the caller\'s own: changing the host object afterwards changes nothing', () => {
    const host = { id: 'c9', attributes: { age: 30 }, segments: ['vip'] };
    const copy = plainProfile(host, 'c1');
    host.attributes.age = 1;
    host.segments.push('x');
    expect(copy).toStrictEqual({ id: 'c9', attributes: { age: 30 }, segments: ['vip'] });
  });
});

describe('a branch condition that cannot be evaluated is false', () => {
  it('a throwing getter in an enrollment context the host built: enroll refuses it (invalid-context, the getter never runs) and enrolls no one', async () => {
    const { engine } = harness();
    const { id } = await engine.createJourney(journey(
      [
        {
          id: 'check',
          type: 'branch',
          config: {
            conditions: [
              { label: 'tier', expression: "enrollment.context.tier == 'gold'", targetStepId: 'gold' },
              { label: 'always', expression: 'true', targetStepId: 'rest' },
            ],
          },
        },
        { id: 'gold', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'gold', value: true }] }, next: null },
        { id: 'rest', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'rest', value: true }] }, next: null },
      ],
      { status: 'active' },
    ));
    const steps: unknown[] = [];
    engine.events.on('step', ({ event }) => steps.push(event));
    let ran = 0;
    const context = { get tier(): string { ran += 1; throw new Error('boom'); } };
    await expect(engine.enroll(id, { customerId: 'c1' }, { context: context as never })).rejects.toMatchObject({ code: 'invalid-context', path: ['context', 'tier'] });
    expect(ran).toBe(0);
    await expect(engine.runDue()).resolves.toMatchObject({ processed: 0 });
    expect((await engine.listEnrollments({ journeyId: id })).total).toBe(0);
    expect(steps).toEqual([]);
  });
});

describe('engine: host adapters answering with getters and Proxies', () => {
  const branchOnCustomer = journey(
    [
      {
        id: 'check',
        type: 'branch',
        config: {
          conditions: [
            { label: 'adult', expression: 'customer.age >= 18', targetStepId: 'adult' },
            { label: 'vip', expression: "'vip' in segments", targetStepId: 'vip' },
          ],
          defaultTargetStepId: 'other',
        },
      },
      { id: 'adult', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'adult', value: true }] }, next: null },
      { id: 'vip', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'vip', value: true }] }, next: null },
      { id: 'other', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'other', value: true }] }, next: null },
    ],
    { status: 'active' },
  );

  async function run(profile: CustomerProfile): Promise<{ flags: Record<string, boolean> | undefined; status: string | undefined }> {
    const profiles = { get: async () => profile, apply: async () => undefined };
    const { engine } = harness({ engine: { profiles } });
    const { id } = await engine.createJourney(branchOnCustomer);
    await engine.enroll(id, { customerId: 'c1' });
    await engine.runDue();
    const [e] = (await engine.listEnrollments({ journeyId: id })).items;
    return { flags: e?.flags, status: e?.status };
  }

  it('a throwing getter in a profile does not fail the customer, and never runs', async () => {
    let ran = 0;
    const attributes = { get age(): number { ran++; throw new Error('boom'); } };
    expect(await run({ id: 'c1', attributes, segments: [] })).toEqual({ flags: { other: true }, status: 'completed' });
    expect(ran).toBe(0);
  });

  it("a profile behind a Proxy is read without invoking its get trap; data properties count", async () => {
    let trapped = 0;
    const attributes = new Proxy({ age: 30 }, { get: () => (trapped++, 0) });
    expect(await run({ id: 'c1', attributes, segments: [] })).toEqual({ flags: { adult: true }, status: 'completed' });
    expect(trapped).toBe(0);
  });

  it('offers from a decision flow are read as data: a getter on an offer never runs', async () => {
    let ran = 0;
    const offer = { id: 'o1', get apr(): number { ran++; throw new Error('boom'); } };
    const decisions = { decide: async () => [offer] };
    const { engine, channels } = harness({ engine: { decisions } });
    const { id } = await engine.createJourney(journey(
      [
        { id: 'pick', type: 'decide', config: { decisionFlowId: 'df' } },
        { id: 'mail', type: 'send', config: { channelId: 'email', resultSource: 'pick' } },
        { id: 'cheap', type: 'branch', config: { conditions: [{ expression: 'results.pick[0].apr < 5', targetStepId: 'end' }] } },
        { id: 'end', type: 'wait', config: { duration: 1, unit: 'minutes' } },
      ],
      { status: 'active' },
    ));
    await engine.enroll(id, { customerId: 'c1' });
    await engine.runDue();
    expect(channels.sent.map((s) => s.offer)).toEqual([{ id: 'o1' }]);
    expect(ran).toBe(0);
  });

  it('event properties are read as data: a getter is refused (invalid-context) and never runs', async () => {
    let ran = 0;
    const { engine } = harness();
    const { id } = await engine.createJourney(journey(
      [{ id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } }],
      { status: 'active', entryConditions: { events: [{ type: 'viewed', properties: { product: 'loan' } }] } },
    ));
    const properties = { get product() { ran++; return 'loan'; } };
    await expect(engine.ingestEvent({ customerId: 'c1', type: 'viewed', properties: properties as never })).rejects.toMatchObject({ code: 'invalid-context', path: ['properties', 'product'] });
    expect((await engine.ingestEvent({ customerId: 'c1', type: 'viewed', properties: { product: 'loan' } })).enrolled.map((e) => e.journeyId)).toEqual([id]);
    expect(ran).toBe(0);
  });

  it('a segment behind a getter is not a segment', async () => {
    let ran = 0;
    const segments: string[] = [];
    Object.defineProperty(segments, 0, { get: () => (ran++, 'vip'), enumerable: true });
    expect(await run({ id: 'c1', attributes: {}, segments })).toEqual({ flags: { other: true }, status: 'completed' });
    expect(ran).toBe(0);
  });
});
