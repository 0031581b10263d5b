import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validateJourney } from '../../../src/validate/index.js';
import type { ValidateOptions } from '../../../src/validate/index.js';
import { journey, update } from '../helpers.js';

const zodCustomer = z.object({
  age: z.number().int().min(0).max(150),
  name: z.string(),
  plan: z.enum(['free', 'pro']),
  tags: z.array(z.string()),
  vip: z.boolean().optional(),
  address: z.object({ city: z.string(), zip: z.string().optional() }).optional(),
});

const jsonCustomer = {
  type: 'object',
  properties: {
    age: { type: 'integer', minimum: 0, maximum: 150 },
    name: { type: 'string' },
    plan: { enum: ['free', 'pro'] },
    tags: { type: 'array', items: { type: 'string' } },
    vip: { type: 'boolean' },
    address: { $ref: '#/$defs/address' },
  },
  required: ['age', 'name', 'plan', 'tags'],
  $defs: { address: { type: 'object', properties: { city: { type: 'string' }, zip: { type: 'string' } }, required: ['city'] } },
} as const;

/** A journey whose one branch has `expression` as its condition. */
function withCondition(expression: string) {
  return journey([
    { id: 'b', type: 'branch', config: { conditions: [{ expression, targetStepId: 'w' }] } },
    { id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } },
  ]);
}

function found(expression: string, options: ValidateOptions) {
  return validateJourney(withCondition(expression), options).diagnostics.map((d) => ({ code: d.code, severity: d.severity, path: d.path.join('.'), message: d.message }));
}

describe.each([
  ['a zod schema', zodCustomer],
  ['a JSON Schema', jsonCustomer],
])('typed expressions against %s', (_name, customerSchema) => {
  const check = (expression: string) => found(expression, { customerSchema });
  const codes = (expression: string) => check(expression).map((d) => d.code);

  it('accepts expressions that fit the schema', () => {
    for (const e of [
      "customer.age >= 18 && customer.plan == 'pro'",
      "'vip' in customer.tags",
      "'Os' in customer.name",
      "lower(customer.name) == 'ada'",
      "customer.address.city == 'Oslo'",
      'customer.address.zip == null',
      'len(customer.tags) > 2',
      'customer.vip',
      "customer.age + 1 > 18 ? 'a' : 'b'",
      "outcome == 'click' && 'seg' in segments",
      'results.offer.score > 0.5',
    ]) {
      expect(check(e), e).toEqual([]);
    }
  });

  it("reports type-mismatch for a number compared with a string (customer.age > 'x'), at the expression's path", () => {
    const [d, ...rest] = check("customer.age > 'x'");
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'type-mismatch', severity: 'error', path: 'steps.0.config.conditions.0.expression' });
    expect(d!.message).toContain('`customer.age` is a number');
    expect(d!.message).toContain('character 0');
  });

  it("reports type-mismatch for `in` on a number ('vip' in customer.age)", () => {
    expect(codes("'vip' in customer.age")).toEqual(['type-mismatch']);
  });

  it('reports type-mismatch for == between kinds that never meet, arithmetic on strings, wrong function arguments, member reads off a number', () => {
    expect(codes("customer.age == '30'")).toEqual(['type-mismatch']);
    expect(codes("customer.age != '30'")).toEqual(['type-mismatch']);
    expect(codes('customer.name * 2 > 1')).toEqual(['type-mismatch']);
    expect(codes('customer.name + 1 == 2')).toEqual(['type-mismatch']);
    expect(codes('-customer.name')).toEqual(['type-mismatch']);
    expect(codes('lower(customer.age)')).toEqual(['type-mismatch']);
    expect(codes('abs(customer.plan) > 1')).toEqual(['type-mismatch']);
    expect(codes('customer.age.value > 1')).toEqual(['type-mismatch']);
    expect(codes("customer.age in customer.tags")).toEqual(['type-mismatch']);
    expect(codes("1 in customer.name")).toEqual(['type-mismatch']);
  });

  it('reports unknown-attribute as a warning with a did-you-mean, and the activation is still valid', () => {
    const result = validateJourney(withCondition('customer.agee >= 18'), { customerSchema });
    expect(result.valid).toBe(true);
    const [d] = result.diagnostics;
    expect(d).toMatchObject({ code: 'unknown-attribute', severity: 'warning', stepId: 'b' });
    expect(d!.message).toContain('Did you mean `customer.age`?');
    expect(d!.message).toContain('character 9');
    expect(codes('customer.address.cty == 1')).toEqual(['unknown-attribute']);
    expect(check('customer.zzzzzzzz')[0]!.message).toContain('It lists: age, name');
  });

  it('reports never-true for an enum value the attribute cannot hold, a bound it cannot reach, null on a required attribute', () => {
    expect(check("customer.plan == 'gold'").map((d) => [d.code, d.severity])).toEqual([['never-true', 'warning']]);
    expect(codes("'gold' == customer.plan")).toEqual(['never-true']);
    expect(codes('customer.age > 150')).toEqual(['never-true']);
    expect(codes('customer.age >= 150')).toEqual([]);
    expect(codes('200 < customer.age')).toEqual(['never-true']);
    expect(codes('customer.age < 0')).toEqual(['never-true']);
    expect(codes('customer.age <= 0')).toEqual([]);
    expect(codes('customer.name == null')).toEqual(['never-true']);
    expect(codes('customer.vip == null')).toEqual([]);
    expect(codes("customer.plan != 'gold'")).toEqual([]);
  });

  it('checks the other roots: segments and outcomes hold strings, journey and event have fixed fields', () => {
    expect(codes('1 in segments')).toEqual(['type-mismatch']);
    expect(codes('journey.version > 1')).toEqual([]);
    expect(codes('journey.nme == 1')).toEqual(['unknown-attribute']);
    expect(codes("outcome > 3")).toEqual(['type-mismatch']);
  });

  it('checks waitFor paths and goal wheres with their event root', () => {
    const doc = journey(
      [
        { id: 'w', type: 'waitFor', config: { paths: [{ event: 'bought', where: "event.properties.amount > 5 && customer.age > 'x'", targetStepId: null }], timeout: { duration: 1, unit: 'days' } } },
      ],
      { goals: [{ id: 'g', event: 'bought', where: 'event.tpye == 1' }] },
    );
    const diagnostics = validateJourney(doc, { customerSchema }).diagnostics.map((d) => `${d.code}@${d.path.join('.')}`);
    expect(diagnostics).toEqual(['type-mismatch@steps.0.config.paths.0.where', 'unknown-attribute@goals.0.where']);
  });

  it('checks update set_attribute values against the attribute type, and unknown attributes with a suggestion', () => {
    const doc = journey([
      update('u', {
        config: {
          operations: [
            { type: 'set_attribute', key: 'age', value: 'old' },
            { type: 'set_attribute', key: 'plan', value: 'gold' },
            { type: 'set_attribute', key: 'plan', value: 'pro' },
            { type: 'set_attribute', key: 'tags', value: ['a', 2] },
            { type: 'set_attribute', key: 'age', value: 151 },
            { type: 'set_attribute', key: 'nme', value: 'x' },
            { type: 'set_attribute', key: 'address', value: { city: 'Oslo' } },
            { type: 'unset_attribute', key: 'vip' },
          ],
        },
      }),
    ]);
    const result = validateJourney(doc, { customerSchema });
    expect(result.diagnostics.map((d) => `${d.code}@${d.path.join('.')}`)).toEqual([
      'type-mismatch@steps.0.config.operations.0.value',
      'type-mismatch@steps.0.config.operations.1.value',
      'type-mismatch@steps.0.config.operations.3.value',
      'type-mismatch@steps.0.config.operations.4.value',
      'unknown-attribute@steps.0.config.operations.5.key',
    ]);
    expect(result.valid).toBe(false);
    expect(result.diagnostics[5 - 1]!.message).toContain('Did you mean `name`?');
  });
});

describe('typed expressions: without a schema and with hostile ones', () => {
  it('reports nothing new without a customerSchema', () => {
    expect(found("customer.age > 'x' && customer.agee == 1", {})).toEqual([]);
  });

  it('does not type-check an expression that does not compile (reported once, as before)', () => {
    expect(found("customer.age > 'x' &&", { customerSchema: zodCustomer }).map((d) => d.code)).toEqual(['invalid-expression']);
  });

  it('reads schema properties named __proto__ and constructor as data, and never suggests them', () => {
    const customerSchema = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"number"},"constructor":{"type":"string"},"age":{"type":"number"}}}') as Record<string, unknown>;
    expect(found("customer.age > 'x'", { customerSchema }).map((d) => d.code)).toEqual(['type-mismatch']);
    const d = found('customer.constructr == 1', { customerSchema });
    expect(d.map((x) => x.code)).toEqual(['unknown-attribute']);
    expect(d[0]!.message).not.toContain('constructor');
    expect(found('customer.hasOwnProperty == 1', { customerSchema }).map((x) => x.code)).toEqual(['unknown-attribute']);
    // The language itself refuses the names.
    expect(found('customer.__proto__ == 1', { customerSchema }).map((x) => x.code)).toEqual(['invalid-expression']);
  });

  it('treats what it cannot read as anything: odd schemas never invent errors nor throw', () => {
    const throwing = { get type(): string { throw new Error('boom'); } };
    const cyclic: Record<string, unknown> = { type: 'object', properties: { self: { $ref: '#' } } };
    for (const customerSchema of [{}, { type: 'object' }, { type: 42 }, { anyOf: [] }, throwing, cyclic, { $ref: 'http://x' }, { type: ['number', 'string'] }]) {
      const result = validateJourney(withCondition("customer.self.self.self.age > 'x' || customer.age == 'y'"), { customerSchema });
      expect(result.diagnostics.filter((d) => d.code === 'invalid-field')).toEqual([]);
    }
    // Open objects (no properties, or additionalProperties) name no unknown attribute.
    expect(found('customer.anything == 1', { customerSchema: { type: 'object' } })).toEqual([]);
    expect(found('customer.anything == 1', { customerSchema: { type: 'object', properties: { a: { type: 'number' } }, additionalProperties: { type: 'number' } } })).toEqual([]);
    expect(found("customer.anything == 'x'", { customerSchema: { type: 'object', properties: { a: { type: 'number' } }, additionalProperties: { type: 'number' } } }).map((d) => d.code)).toEqual(['type-mismatch']);
  });

  it('a union attribute (number or string) accepts both comparisons', () => {
    const customerSchema = { type: 'object', properties: { id: { type: ['number', 'string'] } } };
    expect(found("customer.id == 'a' || customer.id > 3", { customerSchema })).toEqual([]);
    expect(found('customer.id == true', { customerSchema }).map((d) => d.code)).toEqual(['type-mismatch']);
  });

  it('stays fast on a long expression', () => {
    const source = Array.from({ length: 60 }, (_, i) => `customer.age > ${i}`).join(' || ');
    const result = validateJourney(withCondition(source), { customerSchema: zodCustomer });
    expect(result.diagnostics).toEqual([]);
  });
});
