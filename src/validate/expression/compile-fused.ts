import type { Evaluator } from './functions.js';
import type { Path } from './compile-path.js';
import { readPath } from './compile-path.js';

/**
 * Fused binary operators whose operands are static paths and literals — the shape of almost
 * every branch condition (`outcome == 'x'`, `customer.age >= 18`, `'vip' in segments`,
 * `customer.a < customer.b`). Each becomes ONE closure that reads its path(s) through a
 * module-level reader (see compile-path.ts) and compares against the captured literal, instead
 * of three closures (operator → path → literal) with two megamorphic calls between them.
 *
 * Semantics are exactly those of BINARY_OPERATORS in operators.ts applied to the values
 * compilePath would produce (a function read from the data counts as `undefined`). Readers
 * return raw values, so the function filter is applied only where it can change the answer:
 * strict (in)equality with `undefined`, and path-vs-path equality and membership. A typeof
 * test against number/string, or `===` with a non-undefined literal, already treats a function
 * like `undefined`.
 *
 * Every variant here is covered by the reference-interpreter agreement property
 * (test/validate/expression/properties.test.ts, "fused shapes").
 */

/** A literal operand: a scalar literal or a frozen array of scalar literals. */
type Literal = { readonly value: unknown };

const noFunction = (value: unknown): unknown => (typeof value === 'function' ? undefined : value);

/** `path OP literal`, `literal OP path` or `path OP path`; undefined when not specialised. */
export function compileFusedBinary(
  operator: string,
  left: Path | Literal,
  right: Path | Literal,
): Evaluator | undefined {
  const leftPath = 'root' in left ? left : undefined;
  const rightPath = 'root' in right ? right : undefined;
  if (leftPath !== undefined && rightPath !== undefined) return pathPath(operator, leftPath, rightPath);
  if (leftPath !== undefined) return pathLiteral(operator, leftPath, (right as Literal).value);
  if (rightPath !== undefined) return literalPath(operator, (left as Literal).value, rightPath);
  return undefined;
}

/** `literal == path` is `path == literal`; `'vip' in segments` tests the path's members. */
function literalPath(operator: string, c: unknown, p: Path): Evaluator | undefined {
  switch (operator) {
    case '==':
    case '===':
    case '!=':
    case '!==':
      return pathLiteral(operator, p, c);
    case 'in': {
      const read = readPath(p);
      if (typeof c === 'string') {
        return (s) => {
          const h = read(s, p);
          if (Array.isArray(h)) {
            for (let i = 0; i < h.length; i++) if (h[i] === c) return true;
            return false;
          }
          return typeof h === 'string' && h.includes(c);
        };
      }
      if (c === undefined || Array.isArray(c)) return undefined; // rare; the generic path is exact
      return (s) => {
        const h = read(s, p);
        if (!Array.isArray(h)) return false;
        for (let i = 0; i < h.length; i++) if (h[i] === c) return true;
        return false;
      };
    }
  }
  return undefined;
}

function pathLiteral(operator: string, p: Path, c: unknown): Evaluator | undefined {
  const read = readPath(p);
  switch (operator) {
    case '==':
    case '===':
      if (c === undefined) return (s) => { const v = read(s, p); return v === undefined || typeof v === 'function'; };
      if (Array.isArray(c)) return () => false; // a fresh array is never identical to a read
      return (s) => read(s, p) === c;
    case '!=':
    case '!==':
      if (c === undefined) return (s) => { const v = read(s, p); return v !== undefined && typeof v !== 'function'; };
      if (Array.isArray(c)) return () => true;
      return (s) => read(s, p) !== c;
    case 'in':
      if (Array.isArray(c)) {
        const items = c as readonly unknown[];
        const hasUndefined = items.includes(undefined);
        return (s) => {
          const v = read(s, p);
          if (typeof v === 'function') return hasUndefined;
          for (let i = 0; i < items.length; i++) if (items[i] === v) return true;
          return false;
        };
      }
      if (typeof c === 'string') return (s) => { const v = read(s, p); return typeof v === 'string' && c.includes(v); };
      return undefined;
  }
  if (typeof c === 'number') {
    switch (operator) {
      case '<':
        return (s) => { const v = read(s, p); return typeof v === 'number' && v < c; };
      case '<=':
        return (s) => { const v = read(s, p); return typeof v === 'number' && v <= c; };
      case '>':
        return (s) => { const v = read(s, p); return typeof v === 'number' && v > c; };
      case '>=':
        return (s) => { const v = read(s, p); return typeof v === 'number' && v >= c; };
      case '+':
        return (s) => { const v = read(s, p); return typeof v === 'number' ? v + c : undefined; };
      case '-':
        return (s) => { const v = read(s, p); return typeof v === 'number' ? v - c : undefined; };
      case '*':
        return (s) => { const v = read(s, p); return typeof v === 'number' ? v * c : undefined; };
      case '/':
        if (c === 0) return () => undefined;
        return (s) => { const v = read(s, p); return typeof v === 'number' ? v / c : undefined; };
      case '%':
        if (c === 0) return () => undefined;
        return (s) => { const v = read(s, p); return typeof v === 'number' ? v % c : undefined; };
    }
  }
  if (typeof c === 'string') {
    switch (operator) {
      case '<':
        return (s) => { const v = read(s, p); return typeof v === 'string' && v < c; };
      case '<=':
        return (s) => { const v = read(s, p); return typeof v === 'string' && v <= c; };
      case '>':
        return (s) => { const v = read(s, p); return typeof v === 'string' && v > c; };
      case '>=':
        return (s) => { const v = read(s, p); return typeof v === 'string' && v >= c; };
      case '+':
        return (s) => { const v = read(s, p); return typeof v === 'string' ? v + c : undefined; };
    }
  }
  return undefined;
}

function pathPath(operator: string, p: Path, q: Path): Evaluator | undefined {
  const readP = readPath(p);
  const readQ = readPath(q);
  switch (operator) {
    case '==':
    case '===':
      return (s) => noFunction(readP(s, p)) === noFunction(readQ(s, q));
    case '!=':
    case '!==':
      return (s) => noFunction(readP(s, p)) !== noFunction(readQ(s, q));
    case '<':
      return (s) => {
        const l = readP(s, p);
        const r = readQ(s, q);
        return (typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string') ? l < r : false;
      };
    case '<=':
      return (s) => {
        const l = readP(s, p);
        const r = readQ(s, q);
        return (typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string') ? l <= r : false;
      };
    case '>':
      return (s) => {
        const l = readP(s, p);
        const r = readQ(s, q);
        return (typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string') ? l > r : false;
      };
    case '>=':
      return (s) => {
        const l = readP(s, p);
        const r = readQ(s, q);
        return (typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string') ? l >= r : false;
      };
    case 'in':
      return (s) => {
        const l = noFunction(readP(s, p));
        const r = readQ(s, q);
        if (Array.isArray(r)) {
          for (let i = 0; i < r.length; i++) if (r[i] === l) return true;
          return false;
        }
        return typeof l === 'string' && typeof r === 'string' && r.includes(l);
      };
  }
  return undefined;
}
