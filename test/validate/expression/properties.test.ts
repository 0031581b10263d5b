import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileExpression, EXPRESSION_ROOTS, ExpressionError } from '../../../src/validate/expression/index.js';

// ---------------------------------------------------------------------------------------------
// A tiny AST of our own, printed to source, so the reference below never depends on our parser.
// ---------------------------------------------------------------------------------------------
type Node =
  | { k: 'lit'; v: string | number | boolean | null }
  | { k: 'root'; name: string }
  | { k: 'member'; obj: Node; key: string }
  | { k: 'index'; obj: Node; i: number }
  | { k: 'unary'; op: string; arg: Node }
  | { k: 'binary'; op: string; l: Node; r: Node }
  | { k: 'cond'; t: Node; c: Node; a: Node }
  | { k: 'array'; items: Node[] }
  | { k: 'call'; fn: string; args: Node[] };

const ROOTS = ['customer', 'segments', 'outcome', 'results'] as const;
const KEYS = ['a', 'b', 'age', 'name', 'tags', 'length'] as const;
const STRINGS = ['', 'a', 'ab', 'vip', 'Ada', 'b a'] as const;
const BINARY = ['==', '!=', '===', '!==', '<', '<=', '>', '>=', 'in', '+', '-', '*', '/', '%', '&&', '||', '??'];
const UNARY = ['!', '-', '+'];
const CALLS: Record<string, number[]> = {
  lower: [1], upper: [1], trim: [1], len: [1], abs: [1], round: [1], floor: [1], ceil: [1],
  contains: [2], startsWith: [2], endsWith: [2], includesAny: [2], includesAll: [2],
  min: [1, 2, 3], max: [1, 2, 3],
};

const nodeArb = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(
      fc.constantFrom(...STRINGS).map((v): Node => ({ k: 'lit', v })),
      fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(0.5, 2.25)).map((v): Node => ({ k: 'lit', v })),
      fc.constantFrom(true, false, null).map((v): Node => ({ k: 'lit', v })),
    ),
    fc.constantFrom(...ROOTS).map((name): Node => ({ k: 'root', name })),
    fc.record({ obj: tie('node'), key: fc.constantFrom(...KEYS) }).map((r): Node => ({ k: 'member', ...r })),
    fc.record({ obj: tie('node'), i: fc.integer({ min: 0, max: 3 }) }).map((r): Node => ({ k: 'index', ...r })),
    fc.record({ op: fc.constantFrom(...UNARY), arg: tie('node') }).map((r): Node => ({ k: 'unary', ...r })),
    fc.record({ op: fc.constantFrom(...BINARY), l: tie('node'), r: tie('node') }).map((r): Node => ({ k: 'binary', ...r })),
    fc.record({ t: tie('node'), c: tie('node'), a: tie('node') }).map((r): Node => ({ k: 'cond', ...r })),
    fc.array(tie('node'), { maxLength: 3 }).map((items): Node => ({ k: 'array', items })),
    fc
      .constantFrom(...Object.keys(CALLS))
      .chain((fn) => fc.constantFrom(...(CALLS[fn] as number[])).chain((n) => fc.array(tie('node'), { minLength: n, maxLength: n }).map((args): Node => ({ k: 'call', fn, args })))),
  ),
})).node;

function print(n: Node): string {
  switch (n.k) {
    case 'lit':
      return typeof n.v === 'string' ? `'${n.v}'` : String(n.v);
    case 'root':
      return n.name;
    case 'member':
      return `(${print(n.obj)}).${n.key}`;
    case 'index':
      return `(${print(n.obj)})[${n.i}]`;
    case 'unary':
      return `${n.op}(${print(n.arg)})`;
    case 'binary':
      return `(${print(n.l)}) ${n.op} (${print(n.r)})`;
    case 'cond':
      return `(${print(n.t)}) ? (${print(n.c)}) : (${print(n.a)})`;
    case 'array':
      return `[${n.items.map(print).join(', ')}]`;
    case 'call':
      return `${n.fn}(${n.args.map(print).join(', ')})`;
  }
}

// ---------------------------------------------------------------------------------------------
// The reference: a plain recursive walk that spells out the documented semantics.
// ---------------------------------------------------------------------------------------------
function own(o: unknown, key: string): unknown {
  if (typeof o === 'string') return key === 'length' ? o.length : undefined;
  if (typeof o !== 'object' || o === null || !Object.hasOwn(o, key)) return undefined;
  const v = (o as Record<string, unknown>)[key];
  return typeof v === 'function' ? undefined : v;
}
const bothNumbers = (l: unknown, r: unknown): boolean => typeof l === 'number' && typeof r === 'number';
const bothStrings = (l: unknown, r: unknown): boolean => typeof l === 'string' && typeof r === 'string';
function member(needle: unknown, haystack: unknown): boolean {
  if (Array.isArray(haystack)) return haystack.some((x) => x === needle);
  if (typeof haystack === 'string' && typeof needle === 'string') return haystack.includes(needle);
  return false;
}

function ref(n: Node, scope: Record<string, unknown>): unknown {
  switch (n.k) {
    case 'lit':
      return n.v;
    case 'root':
      return own(scope, n.name);
    case 'member':
      return own(ref(n.obj, scope), n.key);
    case 'index': {
      const o = ref(n.obj, scope);
      if (typeof o === 'string') return n.i < o.length ? o[n.i] : undefined;
      return own(o, String(n.i));
    }
    case 'unary': {
      const v = ref(n.arg, scope);
      if (n.op === '!') return !v;
      if (typeof v !== 'number') return undefined;
      return n.op === '-' ? -v : v;
    }
    case 'binary': {
      const l = ref(n.l, scope);
      const r = ref(n.r, scope);
      switch (n.op) {
        case '&&': return l && r;
        case '||': return l || r;
        case '??': return l ?? r;
        case '==': case '===': return l === r;
        case '!=': case '!==': return l !== r;
        case '<': return bothNumbers(l, r) || bothStrings(l, r) ? (l as number) < (r as number) : false;
        case '<=': return bothNumbers(l, r) || bothStrings(l, r) ? (l as number) <= (r as number) : false;
        case '>': return bothNumbers(l, r) || bothStrings(l, r) ? (l as number) > (r as number) : false;
        case '>=': return bothNumbers(l, r) || bothStrings(l, r) ? (l as number) >= (r as number) : false;
        case 'in': return member(l, r);
        case '+': return bothNumbers(l, r) ? (l as number) + (r as number) : bothStrings(l, r) ? (l as string) + (r as string) : undefined;
        case '-': return bothNumbers(l, r) ? (l as number) - (r as number) : undefined;
        case '*': return bothNumbers(l, r) ? (l as number) * (r as number) : undefined;
        case '/': return bothNumbers(l, r) && r !== 0 ? (l as number) / (r as number) : undefined;
        case '%': return bothNumbers(l, r) && r !== 0 ? (l as number) % (r as number) : undefined;
      }
      throw new Error(`reference: ${n.op}`);
    }
    case 'cond':
      return ref(n.t, scope) ? ref(n.c, scope) : ref(n.a, scope);
    case 'array':
      return n.items.map((item) => ref(item, scope));
    case 'call': {
      const a = n.args.map((arg) => ref(arg, scope));
      const [x, y] = a;
      switch (n.fn) {
        case 'lower': return typeof x === 'string' ? x.toLowerCase() : undefined;
        case 'upper': return typeof x === 'string' ? x.toUpperCase() : undefined;
        case 'trim': return typeof x === 'string' ? x.trim() : undefined;
        case 'len': return typeof x === 'string' || Array.isArray(x) ? x.length : undefined;
        case 'abs': return typeof x === 'number' ? Math.abs(x) : undefined;
        case 'round': return typeof x === 'number' ? Math.round(x) : undefined;
        case 'floor': return typeof x === 'number' ? Math.floor(x) : undefined;
        case 'ceil': return typeof x === 'number' ? Math.ceil(x) : undefined;
        case 'contains': return member(y, x);
        case 'startsWith': return bothStrings(x, y) ? (x as string).startsWith(y as string) : false;
        case 'endsWith': return bothStrings(x, y) ? (x as string).endsWith(y as string) : false;
        case 'includesAny': return Array.isArray(x) && Array.isArray(y) ? y.some((v) => member(v, x)) : false;
        case 'includesAll': return Array.isArray(x) && Array.isArray(y) ? y.every((v) => member(v, x)) : false;
        case 'min':
        case 'max':
          return a.every((v) => typeof v === 'number' && !Number.isNaN(v))
            ? (n.fn === 'min' ? Math.min : Math.max)(...(a as number[]))
            : undefined;
      }
      throw new Error(`reference: ${n.fn}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Scopes
// ---------------------------------------------------------------------------------------------
const valueArb = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: -3, max: 40 }),
    fc.constantFrom(0.5, -0, Number.NaN, Number.POSITIVE_INFINITY),
    fc.constantFrom(...STRINGS),
    fc.boolean(),
    fc.constantFrom(null, undefined),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...KEYS, '0', '1'), tie('value'), { maxKeys: 4 }),
    fc.constant(() => 'a function'),
  ),
})).value;

const scopeArb = fc.record(
  { customer: valueArb, segments: fc.oneof(fc.array(fc.constantFrom(...STRINGS), { maxLength: 4 }), valueArb), outcome: valueArb, results: valueArb },
  { requiredKeys: [] },
) as fc.Arbitrary<Record<string, unknown>>;

// A prototype that throws on any access at all.
const poison: object = new Proxy(Object.create(null) as object, {
  get: (_t, key) => { throw new Error(`prototype read: ${String(key)}`); },
  has: (_t, key) => { throw new Error(`prototype has: ${String(key)}`); },
  getOwnPropertyDescriptor: (_t, key) => { throw new Error(`prototype describe: ${String(key)}`); },
});

/** Copies a value so every object and array in it sits on the poisoned prototype. */
function poisoned(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? value.map(poisoned) : {};
  if (!Array.isArray(value)) for (const [key, entry] of Object.entries(value)) (copy as Record<string, unknown>)[key] = poisoned(entry);
  Object.setPrototypeOf(copy, poison);
  return copy;
}

const PROTOTYPE_KEYS = [...EXPRESSION_ROOTS, ...KEYS, '0', '1', '2', '3'];
function withPoisonedBuiltins<T>(body: () => T): T {
  const targets = [Object.prototype, Array.prototype] as unknown as Array<Record<string, unknown>>;
  const installed: Array<[Record<string, unknown>, string]> = [];
  try {
    for (const target of targets) {
      for (const key of PROTOTYPE_KEYS) {
        if (Object.hasOwn(target, key)) continue; // e.g. Array.prototype.length
        Object.defineProperty(target, key, { configurable: true, get: () => { throw new Error(`builtin prototype read: ${key}`); } });
        installed.push([target, key]);
      }
    }
    return body();
  } finally {
    for (const [target, key] of installed) delete target[key];
  }
}

const RUNS = { numRuns: 600 };

describe('expression properties', () => {
  it('compiled evaluation agrees with a reference AST walk', () => {
    fc.assert(
      fc.property(nodeArb, scopeArb, (node, scope) => {
        const compiled = compileExpression(print(node));
        expect(compiled.evaluate(scope)).toEqual(ref(node, scope));
      }),
      RUNS,
    );
  });

  it('evaluation never returns a function and never reads a prototype', () => {
    fc.assert(
      fc.property(nodeArb, scopeArb, (node, scope) => {
        const compiled = compileExpression(print(node));
        const hostile = poisoned(scope) as Record<string, unknown>;
        const result = withPoisonedBuiltins(() => compiled.evaluate(hostile));
        expect(typeof result).not.toBe('function');
        // (Compared by hand: vitest's matchers would themselves trip over the poisoned prototype.)
        const prototypes: unknown[] = [Object.prototype, Array.prototype, Function.prototype, String.prototype, poison];
        expect(prototypes.some((prototype) => prototype === result)).toBe(false);
        // The plain scope gives the same answer (poisoning changed nothing we read).
        expect(withPoisonedBuiltins(() => compiled.evaluate(scope))).toEqual(ref(node, scope));
      }),
      RUNS,
    );
  });

  // The shapes compile-fused.ts specialises — `path OP literal`, `literal OP path`,
  // `path OP path`, for paths of 0 to 3 keys and every literal kind (including `undefined` and
  // constant arrays) — generated densely, so each specialised closure meets the reference.
  const pathArb = fc
    .tuple(
      fc.constantFrom(...ROOTS),
      fc.array(fc.oneof(fc.constantFrom(...KEYS).map((key) => ({ key })), fc.integer({ min: 0, max: 2 }).map((i) => ({ i }))), { maxLength: 3 }),
    )
    .map(([name, steps]) =>
      steps.reduce<Node>((obj, s) => ('key' in s ? { k: 'member', obj, key: s.key } : { k: 'index', obj, i: s.i }), { k: 'root', name }),
    );
  const scalarArb = fc.oneof(
    { arbitrary: fc.constantFrom(...STRINGS), weight: 2 },
    { arbitrary: fc.constantFrom(0, 1, 2, 18, 0.5, 40), weight: 2 },
    { arbitrary: fc.constantFrom(undefined, null), weight: 2 },
    { arbitrary: fc.boolean(), weight: 1 },
  ).map((v): Node => ({ k: 'lit', v: v as string }));
  const literalArb = fc.oneof(
    { arbitrary: scalarArb, weight: 3 },
    { arbitrary: fc.array(scalarArb, { maxLength: 3 }).map((items): Node => ({ k: 'array', items })), weight: 1 },
  );
  const fusedArb = fc
    .tuple(
      fc.constantFrom(...BINARY),
      fc.oneof(
        fc.tuple(pathArb, literalArb),
        fc.tuple(literalArb, pathArb),
        fc.tuple(pathArb, pathArb),
      ),
      fc.constantFrom('', '!'),
    )
    .map(([op, [l, r], not]): Node => {
      const binary: Node = { k: 'binary', op, l, r };
      return not === '' ? binary : { k: 'unary', op: '!', arg: binary };
    });
  // Paths print bare (`customer.a[0]`), as people write them, so they compile as fused paths.
  const printBare = (n: Node): string => {
    switch (n.k) {
      case 'root': return n.name;
      case 'member': return `${printBare(n.obj)}.${n.key}`;
      case 'index': return `${printBare(n.obj)}[${n.i}]`;
      case 'lit': return n.v === undefined ? 'undefined' : print(n);
      case 'array': return `[${n.items.map(printBare).join(', ')}]`;
      case 'binary': return `${printBare(n.l)} ${n.op} ${printBare(n.r)}`;
      case 'unary': return `${n.op}(${printBare(n.arg)})`;
      default: return print(n);
    }
  };

  // Dense scopes: most keys present, functions and undefined common, so the function filter
  // and the string/array branches of every fused closure are exercised.
  const leafArb = fc.oneof(
    { arbitrary: fc.constantFrom(...STRINGS), weight: 2 },
    { arbitrary: fc.constantFrom(0, 1, 2, 18, 0.5, 40, Number.NaN), weight: 2 },
    { arbitrary: fc.constantFrom(true, false, null, undefined), weight: 1 },
    { arbitrary: fc.constant(() => 'a function'), weight: 3 },
    { arbitrary: fc.array(fc.constantFrom(...STRINGS, undefined, null, 1), { maxLength: 3 }), weight: 2 },
  );
  const dictOf = (value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
    fc.dictionary(fc.constantFrom(...KEYS, '0', '1'), value, { minKeys: 4, maxKeys: 8 });
  const innerArb = fc.oneof(leafArb, dictOf(leafArb), fc.array(leafArb, { maxLength: 3 }));
  const denseArb = fc.oneof(leafArb, dictOf(innerArb), fc.array(innerArb, { maxLength: 3 }));
  const denseScopeArb = fc.record(
    { customer: denseArb, segments: denseArb, outcome: denseArb, results: denseArb },
    { requiredKeys: [] },
  ) as fc.Arbitrary<Record<string, unknown>>;

  it('fused shapes (path OP literal, literal OP path, path OP path) agree with the reference', () => {
    fc.assert(
      fc.property(fusedArb, fc.oneof(scopeArb, denseScopeArb), (node, scope) => {
        const compiled = compileExpression(printBare(node));
        expect(compiled.evaluate(scope)).toEqual(ref(node, scope));
        const hostile = poisoned(scope) as Record<string, unknown>;
        const result = withPoisonedBuiltins(() => compiled.evaluate(hostile));
        expect(typeof result).not.toBe('function');
      }),
      { numRuns: 2500 },
    );
  }, 60_000);

  const tokens = fc.constantFrom(
    'customer', 'outcome', 'segments', 'x', '.', '?.', '(', ')', '[', ']', "'", '"', '\\', ',', ';', ':', '?',
    ' ', '1', '0x1', '1e3', '.5', '+', '-', '*', '/', '%', '!', '~', '&', '&&', '|', '||', '??', '=', '==',
    '===', '<', '>=', 'in', 'this', 'new', 'typeof', 'constructor', '__proto__', 'prototype', 'lower', 'min',
    '{', '}', '`', '${', '=>', 'function', '#', '@', '\n', '\u2028', 'é', '\u{1F600}',
  );

  it('compileExpression throws only ExpressionError, on any string', () => {
    const check = (source: string): void => {
      let compiled;
      try {
        compiled = compileExpression(source);
      } catch (error) {
        expect(error).toBeInstanceOf(ExpressionError);
        expect(Number.isInteger((error as ExpressionError).index)).toBe(true);
        expect((error as ExpressionError).index).toBeGreaterThanOrEqual(0);
        expect((error as ExpressionError).index).toBeLessThanOrEqual(Math.max(source.length, 2000));
        return;
      }
      expect([...compiled.identifiers].sort()).toEqual([...new Set(compiled.identifiers)]);
      const result = compiled.evaluate({ customer: { a: 1 }, segments: ['x'], outcome: 'x' });
      expect(typeof result).not.toBe('function');
    };
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), check), { numRuns: 1000 });
    fc.assert(fc.property(fc.array(tokens, { maxLength: 25 }).map((parts) => parts.join('')), check), { numRuns: 3000 });
  });
});
