import type { Evaluator } from './functions.js';
import { isIn } from './operators.js';

/**
 * Specialized closures for the strict binary operators. Each operator (and each "right side is
 * a constant" variant) gets its own function literal, so V8 keeps separate type feedback for
 * them; the semantics are exactly those of BINARY_OPERATORS in operators.ts.
 */
export function compileStrictBinary(
  operator: string,
  left: Evaluator,
  right: Evaluator,
  constantRight: { readonly value: unknown } | undefined,
): Evaluator | undefined {
  const c = constantRight?.value;
  if (constantRight !== undefined && typeof c === 'number') {
    switch (operator) {
      case '<':
        return (s) => { const l = left(s); return typeof l === 'number' && l < c; };
      case '<=':
        return (s) => { const l = left(s); return typeof l === 'number' && l <= c; };
      case '>':
        return (s) => { const l = left(s); return typeof l === 'number' && l > c; };
      case '>=':
        return (s) => { const l = left(s); return typeof l === 'number' && l >= c; };
      case '+':
        return (s) => { const l = left(s); return typeof l === 'number' ? l + c : undefined; };
      case '-':
        return (s) => { const l = left(s); return typeof l === 'number' ? l - c : undefined; };
      case '*':
        return (s) => { const l = left(s); return typeof l === 'number' ? l * c : undefined; };
      case '/':
        if (c === 0) return () => undefined;
        return (s) => { const l = left(s); return typeof l === 'number' ? l / c : undefined; };
      case '%':
        if (c === 0) return () => undefined;
        return (s) => { const l = left(s); return typeof l === 'number' ? l % c : undefined; };
    }
  }
  if (constantRight !== undefined && typeof c === 'string') {
    switch (operator) {
      case '<':
        return (s) => { const l = left(s); return typeof l === 'string' && l < c; };
      case '<=':
        return (s) => { const l = left(s); return typeof l === 'string' && l <= c; };
      case '>':
        return (s) => { const l = left(s); return typeof l === 'string' && l > c; };
      case '>=':
        return (s) => { const l = left(s); return typeof l === 'string' && l >= c; };
      case '+':
        return (s) => { const l = left(s); return typeof l === 'string' ? l + c : undefined; };
      case 'in':
        return (s) => { const l = left(s); return typeof l === 'string' && c.includes(l); };
    }
  }
  if (constantRight !== undefined && Array.isArray(c) && operator === 'in') {
    const items = c as readonly unknown[];
    return (s) => {
      const l = left(s);
      for (let i = 0; i < items.length; i++) if (items[i] === l) return true;
      return false;
    };
  }
  switch (operator) {
    case '<':
      return (s) => {
        const l = left(s);
        const r = right(s);
        return (typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string') ? l < r : false;
      };
    case '<=':
      return (s) => {
        const l = left(s);
        const r = right(s);
        return (typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string') ? l <= r : false;
      };
    case '>':
      return (s) => {
        const l = left(s);
        const r = right(s);
        return (typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string') ? l > r : false;
      };
    case '>=':
      return (s) => {
        const l = left(s);
        const r = right(s);
        return (typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string') ? l >= r : false;
      };
    case '*':
      return (s) => {
        const l = left(s);
        const r = right(s);
        return typeof l === 'number' && typeof r === 'number' ? l * r : undefined;
      };
    case 'in':
      return (s) => {
        const l = left(s);
        const r = right(s);
        if (Array.isArray(r)) {
          for (let i = 0; i < r.length; i++) if (r[i] === l) return true;
          return false;
        }
        return isIn(l, r);
      };
  }
  return undefined;
}
