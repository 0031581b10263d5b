import { describe, expect, it } from 'vitest';
import {
  compileExpression,
  EXPRESSION_FUNCTIONS,
  EXPRESSION_ROOTS,
  ExpressionError,
} from '../../../src/validate/expression/index.js';
import type { ExpressionErrorCode } from '../../../src/validate/expression/index.js';

const scope = {
  outcome: 'conversion',
  outcomes: ['impression', 'click', 'conversion'],
  customer: { age: 30, name: 'Ada', city: ' Paris ', score: 60, tags: ['a', 'b'], nested: { deep: 1 }, nothing: null },
  segments: ['vip', 'new'],
  results: { offers: [{ id: 'o1', score: 0.7 }] },
  journey: { id: 'j1' },
  enrollment: { visit: 2 },
};

const run = (source: string, s: Readonly<Record<string, unknown>> = scope): unknown =>
  compileExpression(source).evaluate(s);

function rejects(source: string, code: ExpressionErrorCode, options?: Parameters<typeof compileExpression>[1]): ExpressionError {
  try {
    compileExpression(source, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    expect((error as ExpressionError).code).toBe(code);
    return error as ExpressionError;
  }
  throw new Error(`expected ${JSON.stringify(source)} to be rejected with ${code}`);
}

describe('compileExpression', () => {
  it('exposes its source and the sorted unique roots it names', () => {
    const compiled = compileExpression("segments.length > 0 && customer.age > 1 && 'vip' in segments");
    expect(compiled.source).toBe("segments.length > 0 && customer.age > 1 && 'vip' in segments");
    expect(compiled.identifiers).toEqual(['customer', 'segments']);
  });

  it('exports the default roots and the function allowlist', () => {
    expect(EXPRESSION_ROOTS).toEqual(['outcome', 'outcomes', 'customer', 'segments', 'results', 'journey', 'enrollment']);
    expect(EXPRESSION_FUNCTIONS).toContain('lower');
    expect(EXPRESSION_FUNCTIONS).not.toContain('daysSince');
  });

  it('accepts custom roots', () => {
    expect(compileExpression('x.y == 1', { roots: ['x'] }).evaluate({ x: { y: 1 } })).toBe(true);
    rejects('customer', 'unknown-identifier', { roots: ['x'] });
  });
});

describe('literals and reads', () => {
  it('evaluates literals', () => {
    expect(run('1.5')).toBe(1.5);
    expect(run("'a'")).toBe('a');
    expect(run('"b"')).toBe('b');
    expect(run('true')).toBe(true);
    expect(run('false')).toBe(false);
    expect(run('null')).toBe(null);
    expect(run('undefined')).toBe(undefined);
    expect(run('[1, "x", true]')).toEqual([1, 'x', true]);
  });

  it('reads roots, members, literal computed keys and indexes', () => {
    expect(run('outcome')).toBe('conversion');
    expect(run('customer.age')).toBe(30);
    expect(run('customer["age"]')).toBe(30);
    expect(run('customer.nested.deep')).toBe(1);
    expect(run('outcomes[1]')).toBe('click');
    expect(run('results.offers[0].id')).toBe('o1');
    expect(run('outcomes.length')).toBe(3);
    expect(run('customer.name.length')).toBe(3);
    expect(run('customer.name[0]')).toBe('A');
    expect(run('customer?.age')).toBe(30);
    // A string in the middle of a path still answers indexes and length (found by the fused-shapes property).
    expect(run('outcome[0][0]')).toBe('c');
    expect(run('outcome[0].length')).toBe(1);
    expect(run("outcome[0][0] == 'c'")).toBe(true);
  });

  it('reads absent things as undefined, never throwing', () => {
    expect(run('customer.missing')).toBe(undefined);
    expect(run('customer.missing.deeper.still')).toBe(undefined);
    expect(run('customer.nothing.x')).toBe(undefined);
    expect(run('customer.age.x')).toBe(undefined);
    expect(run('outcomes[10]')).toBe(undefined);
    expect(run('journey.id', {})).toBe(undefined);
    expect(run('customer.missing > 3')).toBe(false);
    expect(compileExpression('customer.x').evaluate(null as never)).toBe(undefined);
  });

  it('reads only own properties', () => {
    const proto = { inherited: 1 };
    const customer = Object.create(proto) as Record<string, unknown>;
    customer['own'] = 2;
    expect(run('customer.inherited', { customer })).toBe(undefined);
    expect(run('customer.own', { customer })).toBe(2);
    expect(run('customer.toString', { customer: {} })).toBe(undefined);
    expect(run('customer.hasOwnProperty', { customer: {} })).toBe(undefined);
    expect(run('segments.map', { segments: [] })).toBe(undefined);
    expect(run('customer', Object.create({ customer: 1 }) as Record<string, unknown>)).toBe(undefined);
  });

  it('never returns a function, even one the host put in the scope', () => {
    expect(run('customer.fn', { customer: { fn: () => 1 } })).toBe(undefined);
    expect(run('customer', { customer: () => 1 })).toBe(undefined);
    expect(run('segments[0]', { segments: [() => 1] })).toBe(undefined);
  });
});

describe('operators', () => {
  it('== and != are strict, like === and !==', () => {
    expect(run("outcome == 'conversion'")).toBe(true);
    expect(run("outcome === 'conversion'")).toBe(true);
    expect(run("outcome != 'conversion'")).toBe(false);
    expect(run("outcome !== 'click'")).toBe(true);
    expect(run("customer.age == '30'")).toBe(false);
    expect(run('customer.age != "30"')).toBe(true);
    expect(run('null == undefined')).toBe(false);
    expect(run('customer.missing == undefined')).toBe(true);
    expect(run('customer.nothing == null')).toBe(true);
    expect(run('customer.age == customer.score / 2')).toBe(true);
    expect(run('[1] == [1]')).toBe(false);
  });

  it('compares only two numbers or two strings', () => {
    expect(run('customer.age < 31')).toBe(true);
    expect(run('customer.age <= 30')).toBe(true);
    expect(run('customer.age > 30')).toBe(false);
    expect(run('customer.age >= 30')).toBe(true);
    expect(run("'apple' < 'banana'")).toBe(true);
    expect(run("customer.age > '3'")).toBe(false);
    expect(run("customer.age < '300'")).toBe(false);
    expect(run('null >= 0')).toBe(false);
    expect(run('customer.missing < 1')).toBe(false);
    expect(run('[2] > 1')).toBe(false);
  });

  it('short-circuits && || ?? and ternaries, returning operand values', () => {
    expect(run('customer.age > 18 && customer.name')).toBe('Ada');
    expect(run('customer.missing && customer.name')).toBe(undefined);
    expect(run('0 || customer.name')).toBe('Ada');
    expect(run("customer.name || 'x'")).toBe('Ada');
    expect(run("customer.missing ?? 'fallback'")).toBe('fallback');
    expect(run("customer.nothing ?? 'fallback'")).toBe('fallback');
    expect(run("0 ?? 'fallback'")).toBe(0);
    expect(run("customer.age > 18 ? 'adult' : 'minor'")).toBe('adult');
    expect(run("customer.age > 40 ? 'old' : customer.age > 20 ? 'mid' : 'young'")).toBe('mid');
    // The right side is not evaluated when the left decides: a getter proves it.
    let reads = 0;
    const spy = { get hit() { reads++; return 1; } };
    run('false && customer.hit', { customer: spy });
    run('true || customer.hit', { customer: spy });
    run('1 ?? customer.hit', { customer: spy });
    run('true ? 1 : customer.hit', { customer: spy });
    expect(reads).toBe(0);
    run('true && customer.hit', { customer: spy });
    expect(reads).toBe(1);
  });

  it('! negates truthiness; unary - and + only apply to numbers', () => {
    expect(run('!customer.missing')).toBe(true);
    expect(run('!segments')).toBe(false);
    expect(run('!!customer.name')).toBe(true);
    expect(run('-customer.age')).toBe(-30);
    expect(run('+customer.age')).toBe(30);
    expect(run("-'3'")).toBe(undefined);
    expect(run("+'3'")).toBe(undefined);
  });

  it('does arithmetic on numbers only; + also joins two strings', () => {
    expect(run('customer.age + 1')).toBe(31);
    expect(run("customer.name + '!'")).toBe('Ada!');
    expect(run("customer.age + '1'")).toBe(undefined);
    expect(run('customer.missing + 1')).toBe(undefined);
    expect(run('customer.age - 10')).toBe(20);
    expect(run('customer.score * 2')).toBe(120);
    expect(run('customer.age / 4')).toBe(7.5);
    expect(run('customer.age % 7')).toBe(2);
    expect(run('2 + 3 * 4')).toBe(14);
    expect(run('(2 + 3) * 4')).toBe(20);
    expect(run("'3' * 2")).toBe(undefined);
  });

  it('makes division and remainder by zero undefined', () => {
    expect(run('customer.age / 0')).toBe(undefined);
    expect(run('customer.age % 0')).toBe(undefined);
    expect(run('customer.age / 0 > 1')).toBe(false);
  });

  it('in: array membership, substring, else false', () => {
    expect(run("'vip' in segments")).toBe(true);
    expect(run("'gold' in segments")).toBe(false);
    expect(run("'ar' in 'Paris'")).toBe(true);
    expect(run("'x' in 'Paris'")).toBe(false);
    expect(run("'age' in customer")).toBe(false);
    expect(run("1 in 'a1'")).toBe(false);
    expect(run("outcome in ['conversion', 'click']")).toBe(true);
    expect(run("'vip' in customer.missing")).toBe(false);
    expect(run("'index' in segments", { segments: ['index'] })).toBe(true);
  });
});

describe('functions', () => {
  it.each([
    ['lower(customer.name)', 'ada'],
    ['upper(customer.name)', 'ADA'],
    ['trim(customer.city)', 'Paris'],
    ['lower(customer.age)', undefined],
    ['len(segments)', 2],
    ['len(customer.name)', 3],
    ['len(customer.age)', undefined],
    ["contains(segments, 'vip')", true],
    ["contains(customer.name, 'd')", true],
    ["contains(customer, 'age')", false],
    ["startsWith(customer.name, 'A')", true],
    ["endsWith(customer.name, 'a')", true],
    ["startsWith(customer.age, '3')", false],
    ["includesAny(segments, ['gold', 'vip'])", true],
    ["includesAny(segments, ['gold'])", false],
    ["includesAll(segments, ['new', 'vip'])", true],
    ["includesAll(segments, ['new', 'gold'])", false],
    ["includesAll(customer, ['x'])", false],
    ['min(3, customer.age, 10)', 3],
    ['max(3, customer.age, 10)', 30],
    ["max(1, '2')", undefined],
    ['abs(-2.5)', 2.5],
    ['round(2.5)', 3],
    ['floor(2.7)', 2],
    ['ceil(2.1)', 3],
    ["abs('x')", undefined],
  ])('%s → %j', (source, expected) => {
    expect(run(source)).toEqual(expected);
  });

  it('checks arity at compile time', () => {
    rejects('lower()', 'syntax');
    rejects('lower(outcome, outcome)', 'syntax');
    rejects('min()', 'syntax');
  });
});

describe('errors', () => {
  it('too-long: checked before parsing, default 2000', () => {
    const error = rejects(`outcome == '${'x'.repeat(2000)}'`, 'too-long');
    expect(error.index).toBe(2000);
    rejects('outcome == 1', 'too-long', { maxLength: 5 });
    expect(() => compileExpression(`'${'x'.repeat(1990)}'`)).not.toThrow();
  });

  it('syntax, with the index jsep reports', () => {
    expect(rejects('customer.age >', 'syntax').index).toBe(14);
    rejects('(customer', 'syntax');
    rejects('', 'syntax');
    rejects('   ', 'syntax');
    rejects("'unterminated", 'syntax');
    rejects('{ a: 1 }', 'syntax');
  });

  it('compound: two expressions side by side', () => {
    expect(rejects('customer segments', 'compound').index).toBe(9);
    rejects('outcome; outcome', 'compound');
    rejects('outcome, outcome', 'compound');
  });

  it('forbidden-node', () => {
    expect(rejects('this', 'forbidden-node').index).toBe(0);
    rejects('(outcome, customer)', 'forbidden-node');
    expect(rejects('customer[outcome]', 'forbidden-node').index).toBe(9);
    rejects('customer[true]', 'forbidden-node');
    rejects('customer[-1]', 'forbidden-node');
    rejects('customer[1.5]', 'forbidden-node');
    rejects('[1, , 2]', 'forbidden-node');
    rejects("customer.name.toLowerCase()", 'forbidden-node');
    // A parenthesized callee is still just the allowlisted name.
    expect(run('(lower)(outcome)')).toBe('conversion');
  });

  it('forbidden-operator, pointing at the operator', () => {
    expect(rejects('customer.a | 1', 'forbidden-operator').index).toBe(11);
    expect(rejects('(customer.a) & 1', 'forbidden-operator').index).toBe(13);
    rejects('customer.a ^ 1', 'forbidden-operator');
    rejects('customer.a << 1', 'forbidden-operator');
    rejects('customer.a >> 1', 'forbidden-operator');
    rejects('customer.a >>> 1', 'forbidden-operator');
    rejects('customer.a ** 2', 'forbidden-operator');
    expect(rejects('~customer.a', 'forbidden-operator').index).toBe(0);
    rejects('customer.a = 1', 'forbidden-operator');
    rejects('customer.a += 1', 'forbidden-operator');
    rejects('customer instanceof customer', 'forbidden-operator');
    rejects('typeof customer', 'forbidden-operator');
    rejects('void customer', 'forbidden-operator');
    rejects('delete customer.a', 'forbidden-operator');
    rejects("new lower('x')", 'forbidden-operator');
  });

  it('forbidden-property, pointing at the property', () => {
    expect(rejects('customer.constructor', 'forbidden-property').index).toBe(9);
    rejects('customer.__proto__', 'forbidden-property');
    rejects('customer.prototype', 'forbidden-property');
    expect(rejects("customer['__proto__']", 'forbidden-property').index).toBe(9);
    rejects('customer.__defineGetter__', 'forbidden-property');
    rejects('customer.__lookupGetter__', 'forbidden-property');
    rejects('constructor', 'forbidden-property', { roots: ['constructor'] });
  });

  it('unknown-function', () => {
    const error = rejects("outcome == 'x' && daysSince(customer.joined) > 3", 'unknown-function');
    expect(error.index).toBe(18);
    rejects('now()', 'unknown-function');
    rejects('random()', 'unknown-function');
    rejects('eval("1")', 'unknown-function');
    rejects('hasOwnProperty("x")', 'unknown-function');
    rejects('toString()', 'unknown-function');
  });

  it('unknown-identifier, pointing at the name', () => {
    const error = rejects('customer.age > 1 && profile.age > 1', 'unknown-identifier');
    expect(error.index).toBe(20);
    rejects('lower', 'unknown-identifier');
    rejects('process', 'unknown-identifier');
    rejects('globalThis', 'unknown-identifier');
    rejects('Object', 'unknown-identifier');
  });

  it('too-deep, from nesting and from long unary chains', () => {
    rejects(`${'('.repeat(65)}1${')'.repeat(65)}`, 'too-deep');
    rejects(`${'!'.repeat(65)}outcome`, 'too-deep');
    rejects(`${'[' .repeat(65)}${']'.repeat(65)}`, 'too-deep');
    rejects(Array.from({ length: 70 }, () => 'outcome').join(' || '), 'too-deep');
    rejects('!!!outcome', 'too-deep', { maxDepth: 3 });
    expect(() => compileExpression(`${'('.repeat(60)}1${')'.repeat(60)}`)).not.toThrow();
    expect(() => compileExpression(`${'!'.repeat(60)}outcome`)).not.toThrow();
    // Brackets inside strings do not count.
    expect(() => compileExpression(`'${'('.repeat(100)}'`)).not.toThrow();
  });

  it('too-many-nodes', () => {
    const wide = `[${Array.from({ length: 300 }, () => '1').join(',')}, ${Array.from({ length: 300 }, () => '1').join(',')}]`;
    rejects(wide, 'too-many-nodes');
    rejects('[1, 2, 3]', 'too-many-nodes', { maxNodes: 3 });
    expect(() => compileExpression('[1, 2, 3]', { maxNodes: 4 })).not.toThrow();
  });

  it('carries a stable name, code and index', () => {
    const error = rejects('customer.constructor', 'forbidden-property');
    expect(error.name).toBe('ExpressionError');
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/constructor/);
  });
});
