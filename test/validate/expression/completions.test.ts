import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EXPRESSION_FUNCTIONS, EXPRESSION_ROOTS, expressionCompletions } from '../../../src/index.js';

const customerSchema = z.object({
  age: z.number(),
  plan: z.enum(['free', 'pro']),
  planned: z.boolean(),
  tags: z.array(z.string()),
  address: z.object({ city: z.string(), geo: z.object({ lat: z.number() }) }).optional(),
});

const names = (source: string, offset = source.length, options = {}) => expressionCompletions(source, offset, { customerSchema, ...options }).items.map((i) => i.name);

describe('expressionCompletions', () => {
  it("lists the customer's attributes after `customer.`, with kinds and types", () => {
    const result = expressionCompletions('customer.', 9, { customerSchema });
    expect(result).toMatchObject({ from: 9, to: 9 });
    expect(result.items).toEqual([
      { name: 'age', kind: 'attribute', type: 'number', detail: 'a number' },
      { name: 'plan', kind: 'attribute', type: 'string', detail: 'one of "free", "pro"' },
      { name: 'planned', kind: 'attribute', type: 'boolean', detail: 'a boolean' },
      { name: 'tags', kind: 'attribute', type: 'string[]', detail: 'an array of strings' },
      { name: 'address', kind: 'attribute', type: 'object', detail: 'an object' },
    ]);
  });

  it('filters by the partial name (any case) and gives the range it replaces, also mid-word', () => {
    expect(expressionCompletions('customer.PL', 11, { customerSchema })).toMatchObject({ from: 9, to: 11 });
    expect(names('customer.PL')).toEqual(['plan', 'planned']);
    const mid = expressionCompletions("customer.pl == 'pro'", 10, { customerSchema });
    expect(mid).toMatchObject({ from: 9, to: 11 });
    expect(mid.items.map((i) => i.name)).toEqual(['plan', 'planned']);
  });

  it('follows nested objects, bracket keys, spaces and array elements', () => {
    expect(names('customer.address.')).toEqual(['city', 'geo']);
    expect(names('customer.address.geo.l')).toEqual(['lat']);
    expect(names("customer['address'] . g")).toEqual(['geo']);
    expect(names('customer.tags.')).toEqual(['length']);
    expect(names('customer.tags[0].')).toEqual(['length']);
    expect(names("customer.age > 3 && customer.address.c")).toEqual(['city']);
  });

  it('lists roots and functions at the start of a name, with extra roots where the position allows them', () => {
    expect(names('')).toEqual([...EXPRESSION_ROOTS, ...EXPRESSION_FUNCTIONS]);
    expect(names('cu')).toEqual(['customer']);
    expect(names('ev')).toEqual([]);
    expect(names('ev', 2, { extraRoots: ['event'] })).toEqual(['event']);
    expect(names('event.', 6, { extraRoots: ['event'] })).toEqual(['type', 'properties', 'at']);
    const lower = expressionCompletions('low', 3).items[0];
    expect(lower).toEqual({ name: 'lower', kind: 'function', type: '(string) => string', detail: 'returns a string' });
    expect(expressionCompletions('segments.', 9).items).toEqual([{ name: 'length', kind: 'property', type: 'number', detail: 'a number' }]);
  });

  it('without a schema, the customer has no known attributes', () => {
    expect(expressionCompletions('customer.', 9).items).toEqual([]);
  });

  it('answers nothing inside a string, after an unknown root, a call, a number or an unknown attribute', () => {
    expect(names("customer.plan == 'customer.")).toEqual([]);
    expect(names('nobody.')).toEqual([]);
    expect(names('lower(customer).')).toEqual([]);
    expect(names('3.')).toEqual([]);
    expect(names('customer.nothing.')).toEqual([]);
    expect(names('customer[x].')).toEqual([]);
  });

  it('never lists prototype names, even when the schema has them, and reads them as data', () => {
    const hostile = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"object","properties":{"polluted":{"type":"string"}}},"constructor":{"type":"string"},"toString":{"type":"number"},"ok":{"type":"number"}}}') as Record<string, unknown>;
    expect(names('customer.', 9, { customerSchema: hostile })).toEqual(['toString', 'ok']);
    expect(names('customer.constructor.', 21, { customerSchema: hostile })).toEqual(['length']);
    expect(names('customer.__proto__.', 19, { customerSchema: hostile })).toEqual(['polluted']);
    expect(names('customer.hasOwnProperty.', 24, { customerSchema: hostile })).toEqual([]);
    expect(names('constructor')).toEqual([]);
    expect(names('__proto__', 9, { roots: ['__proto__', 'customer'] })).toEqual([]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('survives hostile input: long sources, odd offsets, non-strings', () => {
    const long = `${'customer.age > 1 || '.repeat(50_000)}customer.pl`;
    expect(names(long)).toEqual(['plan', 'planned']);
    const dots = `${'a.'.repeat(100_000)}`;
    expect(names(dots)).toEqual([]);
    const brackets = `customer${'[0]'.repeat(10_000)}.`;
    expect(names(brackets)).toEqual([]);
    const quotes = "'".repeat(100_001);
    expect(names(quotes)).toEqual([]);
    expect(expressionCompletions('customer.', -5, { customerSchema })).toMatchObject({ from: 0, to: 8 });
    expect(expressionCompletions('customer.', 1e9, { customerSchema }).items).toHaveLength(5);
    expect(expressionCompletions('customer.', Number.NaN, { customerSchema }).items).toHaveLength(5);
    expect(expressionCompletions(42 as unknown as string, 0).items).toEqual([]);
  });
});
