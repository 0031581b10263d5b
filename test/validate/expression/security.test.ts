import jsep from 'jsep';
import { afterEach, describe, expect, it } from 'vitest';
import { compileExpression, ExpressionError } from '../../../src/validate/expression/index.js';
import type { ExpressionErrorCode } from '../../../src/validate/expression/index.js';

/** Compile must reject `source` with an ExpressionError (optionally of the given code). */
function rejected(source: string, code?: ExpressionErrorCode, options?: Parameters<typeof compileExpression>[1]): void {
  let thrown: unknown;
  try {
    compileExpression(source, options);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, source).toBeInstanceOf(ExpressionError);
  if (code !== undefined) expect((thrown as ExpressionError).code, source).toBe(code);
}

describe('known expression-evaluator exploits', () => {
  it('expr-eval CVE-2025-12735: functions reachable through the scope cannot be called', () => {
    rejected("customer.exec('id')", 'forbidden-node');
    rejected("results.run('rm -rf /')", 'forbidden-node');
    rejected("exec('id')", 'unknown-function');
    rejected("require('child_process')", 'unknown-function');
    rejected("lower(outcome)('x')", 'forbidden-node');
    // A function the host put in the scope is read as undefined, never returned.
    const compiled = compileExpression('customer.exec');
    expect(compiled.evaluate({ customer: { exec: () => 'pwned' } })).toBe(undefined);
  });

  it('expr-eval CVE-2025-13204: prototype access through member access is rejected', () => {
    rejected('customer.__proto__', 'forbidden-property');
    rejected('customer.__proto__.polluted = 1', 'forbidden-operator');
    rejected("customer['__proto__']['polluted']", 'forbidden-property');
    rejected('customer.constructor.prototype', 'forbidden-property');
    rejected("customer['constructor']['prototype']", 'forbidden-property');
  });

  it('jsonpath-plus CVE-2024-21534: constructor chains through array keys', () => {
    rejected("''[['constructor']][['constructor']]('return process')()", 'forbidden-node');
    rejected(
      "(p = \"console.log(this.process.mainModule.require('child_process').execSync('id').toString())\"; a = ''[['constructor']][['constructor']](p); a())",
    );
  });

  it('jsonpath-plus CVE-2025-1302: this / constructor / prototype chains', () => {
    rejected('this.constructor.constructor("return process")()');
    rejected('this', 'forbidden-node');
    // The outermost problem is reported first: a call on a member expression.
    rejected("outcome.constructor.constructor('return process')()", 'forbidden-node');
    rejected("customer.x.constructor.constructor('return this')()", 'forbidden-node');
    rejected('outcome.constructor.constructor', 'forbidden-property');
  });

  it("static-eval's array-key bypass a[['constructor']]", () => {
    rejected("customer[['constructor']]", 'forbidden-node');
    rejected("customer[['__proto__']]", 'forbidden-node');
    rejected("customer[['constructor']][['constructor']]('return process')()", 'forbidden-node');
    rejected("customer['con' + 'structor']", 'forbidden-node');
  });

  it("subscript's constructor.constructor('return process')()", () => {
    rejected("constructor.constructor('return process')()", 'forbidden-node');
    rejected("constructor.constructor('return process')()", 'forbidden-node', { roots: ['constructor'] });
    rejected('constructor.constructor', 'forbidden-property', { roots: ['constructor'] });
  });

  it('__proto__, toString.constructor, outcome.constructor and friends', () => {
    rejected('__proto__', 'unknown-identifier');
    rejected('__proto__', 'forbidden-property', { roots: ['__proto__'] });
    rejected('customer.__proto__.__proto__', 'forbidden-property');
    rejected('toString.constructor', 'forbidden-property');
    rejected('toString', 'unknown-identifier');
    rejected('outcome.constructor', 'forbidden-property');
    rejected('outcome.prototype', 'forbidden-property');
    rejected('outcomes.__defineSetter__', 'forbidden-property');
    rejected('segments.callee', 'forbidden-property');
  });

  it('no calls on results, members or array literals', () => {
    rejected("results.offers.find('x')", 'forbidden-node');
    rejected('[].map(lower)', 'forbidden-node');
    rejected("segments.includes('vip')", 'forbidden-node');
    rejected('outcomes.length.toFixed(2)', 'forbidden-node');
    rejected('len(segments)()', 'forbidden-node');
    // Reading a method name off a literal is harmless: own properties only.
    expect(compileExpression('[].map').evaluate({})).toBe(undefined);
    expect(compileExpression("'abc'.toUpperCase").evaluate({})).toBe(undefined);
    expect(compileExpression('segments.push').evaluate({ segments: [] })).toBe(undefined);
  });

  it('huge and deep inputs are refused before they can hurt', () => {
    rejected(`outcome == '${'x'.repeat(10_000)}'`, 'too-long');
    rejected('x'.repeat(10_000), 'too-long');
    // Even with a raised length limit, nesting is capped before jsep recurses.
    const big = { maxLength: 1_000_000 };
    rejected(`${'('.repeat(200_000)}1${')'.repeat(200_000)}`, 'too-deep', big);
    rejected(`${'!'.repeat(500_000)}outcome`, 'too-deep', big);
    rejected(`${'- '.repeat(200_000)}1`, 'too-deep', big);
    rejected(`${'['.repeat(200_000)}`, 'too-deep', big);
    rejected(Array.from({ length: 20_000 }, () => 'outcome').join(' && '), 'too-deep', big);
    rejected(`[${Array.from({ length: 20_000 }, () => '1').join(',')}]`, 'too-many-nodes', big);
    // Raising every limit still ends in an ExpressionError, never a RangeError.
    const reckless = { maxLength: 10_000_000, maxDepth: 10_000_000, maxNodes: 10_000_000 };
    rejected(Array.from({ length: 300_000 }, () => '1').join('+'), undefined, reckless);
  });

  it('never reads through Object.prototype, even when it is poisoned', () => {
    const keys = ['customer', 'age', 'segments', 'x', 'outcome'];
    const compiled = [
      'customer.age > 1',
      "'vip' in segments",
      'customer.x.y ?? outcome',
      'segments[3]',
      'len(segments) + customer.age',
    ].map((source) => compileExpression(source));
    for (const key of keys) {
      Object.defineProperty(Object.prototype, key, { configurable: true, get: () => { throw new Error(`read ${key}`); } });
      Object.defineProperty(Array.prototype, key, { configurable: true, get: () => { throw new Error(`read ${key}`); } });
    }
    Object.defineProperty(Array.prototype, '3', { configurable: true, get: () => { throw new Error('read 3'); } });
    try {
      for (const expr of compiled) {
        expect(() => expr.evaluate({ customer: {}, segments: ['vip'] })).not.toThrow();
        expect(() => expr.evaluate(Object.create(null) as Record<string, unknown>)).not.toThrow();
      }
    } finally {
      for (const key of [...keys, '3']) {
        delete (Object.prototype as Record<string, unknown>)[key];
        delete (Array.prototype as unknown as Record<string, unknown>)[key];
      }
    }
  });
});

interface JsepStatics {
  binary_ops: Record<string, number>;
  unary_ops: Record<string, unknown>;
  max_binop_len: number;
  max_unop_len: number;
  right_associative: Set<string>;
  additional_identifier_chars: Set<string>;
  literals: Record<string, unknown>;
  this_str: string;
  hooks: Record<string, unknown>;
}
const Jsep = (jsep as unknown as { Jsep: JsepStatics }).Jsep;
const TABLES = [
  'binary_ops',
  'unary_ops',
  'max_binop_len',
  'max_unop_len',
  'right_associative',
  'additional_identifier_chars',
  'literals',
  'this_str',
  'hooks',
] as const;

function snapshot(): { refs: unknown[]; copies: unknown[] } {
  const owners = [Jsep as unknown as Record<string, unknown>, jsep as unknown as Record<string, unknown>];
  const refs = owners.flatMap((owner) => TABLES.map((key) => owner[key]));
  const copies = refs.map((value) =>
    value instanceof Set
      ? [...value]
      : typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, Array.isArray(entry) ? [...entry] : entry]))
        : value,
  );
  return { refs, copies };
}

describe("jsep's process-global tables", () => {
  afterEach(() => {
    jsep.removeBinaryOp('~>');
    jsep.addBinaryOp('??', 1);
  });

  it('are the same objects with the same contents before and after compiling', () => {
    const before = snapshot();
    const hookSizes = Object.fromEntries(
      Object.entries(Jsep.hooks).map(([name, list]) => [name, Array.isArray(list) ? list.length : -1]),
    );
    for (const source of ["'vip' in segments", 'customer.a | 1', '~outcome', 'a b', '(', "customer['__proto__']", 'x = 1']) {
      try {
        compileExpression(source);
      } catch {
        // rejection is fine; the tables must still be restored
      }
    }
    const after = snapshot();
    after.refs.forEach((ref, i) => expect(ref).toBe(before.refs[i]));
    expect(after.copies).toEqual(before.copies);
    expect(
      Object.fromEntries(Object.entries(Jsep.hooks).map(([name, list]) => [name, Array.isArray(list) ? list.length : -1])),
    ).toEqual(hookSizes);
    // The host's jsep still does not know `in`, and still knows `|`.
    expect(jsep("'a' in b").type).toBe('Compound');
    expect(jsep('a | b').type).toBe('BinaryExpression');
  });

  it("neither sees nor disturbs a host's own jsep configuration", () => {
    jsep.addBinaryOp('~>', 5);
    jsep.removeBinaryOp('??');
    const before = snapshot();
    expect(compileExpression("customer.x ?? 'd'").evaluate({ customer: {} })).toBe('d');
    expect(() => compileExpression('customer ~> outcome')).toThrow(ExpressionError);
    const after = snapshot();
    after.refs.forEach((ref, i) => expect(ref).toBe(before.refs[i]));
    expect(after.copies).toEqual(before.copies);
    expect(jsep('a ~> b').type).toBe('BinaryExpression');
  });
});
