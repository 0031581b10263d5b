import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS, stepSchema } from '../../src/model/schema.js';
import { MAX_STRING_VALUE_LENGTH } from '../../src/model/schema-base.js';
import { FAST_PATH_ENABLED, fastParseStep } from '../../src/validate/fast-steps.js';
import { generateJourney } from '../../bench/validation.js';

/** Mostly valid values, sometimes boundary or wrong ones. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, odd: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 8, arbitrary: valid }, { weight: 3, arbitrary: odd }, { weight: 1, arbitrary: fc.jsonValue() });
const idArb = mostly(
  fc.constantFrom('a', 'step_1', 'ok.id-2', 'x'.repeat(128), 'constructor'),
  fc.constantFrom('a:b', '', 'has space', 'x'.repeat(129)),
);
const keyArb = mostly(fc.constantFrom('k', '_a1', '$x', 'y'.repeat(128)), fc.constantFrom('1abc', '', '__proto__', 'prototype', 'a-b', 'y'.repeat(129)));
const textArb = mostly(fc.constantFrom('', 'x', 'z'.repeat(255), "outcome == 'click'"), fc.oneof(fc.constantFrom('z'.repeat(256), 'e'.repeat(2001)), fc.string()));
const numArb = mostly(
  fc.constantFrom(0.5, 1, 2.5, 100, 365, 8760, 525600),
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(0, -1, 101, 366, 8761, 525601, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY) },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.integer() },
  ),
);
const scalarArb = fc.oneof(textArb, numArb, fc.boolean(), fc.constant(null));
/** Usually present, sometimes absent. */
const field = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 5 });

const objectOf = (shape: Record<string, fc.Arbitrary<unknown>>) =>
  fc.tuple(fc.record(shape), fc.oneof({ weight: 10, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('extra', 'duraton') })).map(([r, extra]) => {
    const out = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));
    return extra === undefined ? out : { ...out, [extra]: 1 };
  });

const conditionArb = objectOf({ label: field(textArb), expression: textArb, targetStepId: idArb });
const operationArb = fc.oneof(
  objectOf({ type: fc.constant('set_attribute'), key: keyArb, value: fc.oneof(scalarArb, fc.array(scalarArb, { maxLength: 2 })) }),
  objectOf({ type: fc.constantFrom('unset_attribute', 'set_attribute'), key: keyArb }),
  objectOf({ type: fc.constantFrom('add_segment', 'remove_segment', 'other'), segment: idArb }),
  objectOf({ type: fc.constant('set_flag'), flag: keyArb, value: field(fc.oneof(fc.boolean(), scalarArb)) }),
);
const configs: Record<string, fc.Arbitrary<unknown>> = {
  wait: fc.oneof(
    { weight: 3, arbitrary: objectOf({ duration: numArb, unit: mostly(fc.constantFrom('minutes', 'hours', 'days'), fc.constant('weeks')) }) },
    // The calendar forms (left to zod): the fast path must never accept one.
    {
      weight: 1,
      arbitrary: objectOf({
        duration: field(numArb),
        unit: field(fc.constantFrom('minutes', 'days')),
        until: field(fc.constantFrom('2026-12-24T09:00:00Z', '2026-12-24T09:00')),
        untilAttribute: field(keyArb),
        window: field(fc.constantFrom({ days: ['mon'], from: '09:00', to: '17:00' }, { days: [], from: '09:00', to: '17:00', timeZone: 'Mars/Olympus' })),
      }),
    },
  ),
  decide: objectOf({ decisionFlowId: idArb, maxOffers: field(numArb), storeResultAs: field(keyArb) }),
  branch: objectOf({ conditions: fc.array(conditionArb, { maxLength: 3 }), defaultTargetStepId: field(idArb) }),
  send: objectOf({ channelId: idArb, creativeId: field(idArb), resultSource: field(idArb) }),
  update: objectOf({ operations: fc.array(operationArb, { maxLength: 3 }) }),
};
const stepArb = fc.constantFrom('wait', 'decide', 'branch', 'send', 'update').chain((type) =>
  objectOf({
    id: idArb,
    type: mostly(fc.constant(type), fc.constantFrom('other', 'wait')),
    next: field(fc.oneof(idArb, fc.constant(null))),
    label: field(textArb),
    position: field(objectOf({ x: numArb, y: numArb })),
    config: mostly(configs[type]!, fc.oneof(...Object.values(configs))),
  }),
);

describe('the fast step parser', () => {
  it('is enabled: its shapes match src/model', () => {
    expect(FAST_PATH_ENABLED).toBe(true);
  });

  it('accepts a step only when zod accepts it, with an equal result', () => {
    let accepted = 0;
    fc.assert(
      fc.property(stepArb, (raw) => {
        const fast = fastParseStep(raw);
        if (fast === undefined) return;
        accepted++;
        const zod = stepSchema.safeParse(raw);
        expect(zod.success).toBe(true);
        expect(fast).toStrictEqual(zod.data);
        expect(Object.keys(fast)).toEqual(Object.keys(zod.data!));
      }),
      { numRuns: 10_000 },
    );
    expect(accepted).toBeGreaterThan(200);
  });

  it('accepts every step of a realistic journey, matching zod', () => {
    for (const raw of generateJourney(200)['steps'] as unknown[]) {
      const fast = fastParseStep(raw);
      expect(fast).toBeDefined();
      expect(fast).toStrictEqual(stepSchema.parse(raw));
    }
  });

  it('leaves unusual objects to zod', () => {
    class Step {
      id = 'a';
      type = 'send';
      config = { channelId: 'c' };
    }
    expect(fastParseStep(new Step())).toBeUndefined();
    expect(fastParseStep({ id: 'a', type: 'send', config: { channelId: 'c' }, label: undefined })).toBeUndefined();
  });
});

describe('the fast step parser and the zod schema agree at every limit (a drift between them fails here)', () => {
  const id = (n: number) => 'i'.repeat(n);
  const key = (n: number) => 'k'.repeat(n);
  const wait = (config: Record<string, unknown>) => ({ id: 'w', type: 'wait', config });
  const decide = (config: Record<string, unknown>) => ({ id: 'd', type: 'decide', config: { decisionFlowId: 'f', ...config } });
  const branch = (config: Record<string, unknown>) => ({ id: 'b', type: 'branch', config: { conditions: [], ...config } });
  const update = (operations: unknown[]) => ({ id: 'u', type: 'update', config: { operations } });
  const condition = (extra: Record<string, unknown>) => ({ expression: 'true', targetStepId: 't', ...extra });
  const cases: [string, unknown][] = [
    ['an id at the length limit', { id: id(LIMITS.idLength), type: 'send', config: { channelId: 'c' } }],
    ['an id past the length limit', { id: id(LIMITS.idLength + 1), type: 'send', config: { channelId: 'c' } }],
    ['an id with every allowed character', { id: 'Az09_.-', type: 'send', config: { channelId: 'c' } }],
    ['an id with a colon', { id: 'a:b', type: 'send', config: { channelId: 'c' } }],
    ['a label at the length limit', { id: 's', label: id(LIMITS.labelLength), type: 'send', config: { channelId: 'c' } }],
    ['a label past the length limit', { id: 's', label: id(LIMITS.labelLength + 1), type: 'send', config: { channelId: 'c' } }],
    ['a wait of exactly the longest wait', wait({ duration: 365, unit: 'days' })],
    ['a wait just past the longest wait', wait({ duration: 365 * 24 * 60 + 1, unit: 'minutes' })],
    ['a wait of zero', wait({ duration: 0, unit: 'days' })],
    ['a decide without maxOffers (the default)', decide({})],
    ['a decide at the offers limit', decide({ maxOffers: LIMITS.maxOffers })],
    ['a decide past the offers limit', decide({ maxOffers: LIMITS.maxOffers + 1 })],
    ['a decide storing under a key at the length limit', decide({ storeResultAs: key(LIMITS.idLength) })],
    ['a decide storing under a key past the length limit', decide({ storeResultAs: key(LIMITS.idLength + 1) })],
    ['a decide storing under a key with every allowed character', decide({ storeResultAs: '$_aZ09' })],
    ['a decide storing under a key starting with a digit', decide({ storeResultAs: '1a' })],
    ['a decide storing under a reserved key', decide({ storeResultAs: 'constructor' })],
    ['a branch at the conditions limit', branch({ conditions: Array.from({ length: LIMITS.conditionsPerBranch }, () => condition({})) })],
    ['a branch past the conditions limit', branch({ conditions: Array.from({ length: LIMITS.conditionsPerBranch + 1 }, () => condition({})) })],
    ['a condition at the expression limit', branch({ conditions: [condition({ expression: 't'.repeat(LIMITS.expressionLength) })] })],
    ['a condition past the expression limit', branch({ conditions: [condition({ expression: 't'.repeat(LIMITS.expressionLength + 1) })] })],
    ['a set_flag without a value (the default)', update([{ type: 'set_flag', flag: 'f' }])],
    ['an update at the operations limit', update(Array.from({ length: LIMITS.operationsPerUpdate }, () => ({ type: 'unset_attribute', key: 'a' })))],
    ['an update past the operations limit', update(Array.from({ length: LIMITS.operationsPerUpdate + 1 }, () => ({ type: 'unset_attribute', key: 'a' })))],
    ['an attribute string at the length limit', update([{ type: 'set_attribute', key: 'a', value: 'v'.repeat(MAX_STRING_VALUE_LENGTH) }])],
    ['an attribute string past the length limit', update([{ type: 'set_attribute', key: 'a', value: 'v'.repeat(MAX_STRING_VALUE_LENGTH + 1) }])],
  ];
  it.each(cases)('%s', (_name, raw) => {
    const zod = stepSchema.safeParse(raw);
    const fast = fastParseStep(raw);
    // Where zod accepts, the fast path must accept too (so it is not merely deferring) with the
    // same result; where zod refuses, the fast path must refuse.
    if (zod.success) expect(fast).toEqual(zod.data);
    else expect(fast).toBeUndefined();
  });
});
