/**
 * Completions for an editor: the names an expression may read at a position of its source, with
 * their kinds and types, from the same root and customer types the checker uses.
 */
import { EXPRESSION_FUNCTIONS, EXPRESSION_ROOTS } from './constants.js';
import type { ExpressionFunctionName } from './constants.js';
import { customerTypeOf } from './customer-schema.js';
import type { CustomerSchema } from './customer-schema.js';
import { FORBIDDEN_PROPERTIES } from './forbidden-properties.js';
import { functionSignature, rootTypes } from './types.js';
import { ANY, NUMBER, describeType, membersOf, typeName, unionOf } from './value-type.js';
import type { ValueType } from './value-type.js';

/** Options for {@link expressionCompletions}. */
export interface CompletionOptions {
  /** The customer attributes (a zod schema or a JSON Schema), as given to `validateJourney`. */
  readonly customerSchema?: CustomerSchema;
  /** Roots the position may name besides the journey-wide ones: `['event']` in a `waitFor` path's or a goal's `where`. */
  readonly extraRoots?: readonly string[];
  /** The journey-wide roots; defaults to `EXPRESSION_ROOTS`. */
  readonly roots?: readonly string[];
}

/** One name an expression may read at the position. */
export interface ExpressionCompletion {
  /** The text to insert. */
  readonly name: string;
  /** `root` (`customer`), `function` (`lower`), `attribute` (a customer attribute) or `property` (of another value). */
  readonly kind: 'root' | 'function' | 'attribute' | 'property';
  /** Short type for a list: `number`, `string[]`, `string | null`, `(string) => string`. */
  readonly type: string;
  /** A sentence for a tooltip: `a number`, `one of "free", "pro"`. */
  readonly detail: string;
}

/** What {@link expressionCompletions} answers: the range the chosen name replaces and the candidates. */
export interface ExpressionCompletions {
  /** Start (inclusive) of the partial name at the position, a character index. */
  readonly from: number;
  /** End (exclusive) of that name. */
  readonly to: number;
  readonly items: readonly ExpressionCompletion[];
}

/** Most candidates returned. */
const MAX_ITEMS = 200;
/** Most member steps followed back from the position. */
const MAX_CHAIN = 64;

const isWordChar = (c: string): boolean => /[A-Za-z0-9_$]/.test(c);
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/**
 * The names an expression may read at `offset` in `source`: after `customer.` the attributes the
 * customer schema lists (with their types), after `customer.address.` the nested ones, at the
 * start of a name the roots and functions — filtered by the partial name already typed. Nothing
 * inside a string literal, after an unknown root or after something that is not a plain path.
 * Never throws; linear in the source length.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { expressionCompletions } from 'journey-engine';
 *
 * const customerSchema = z.object({ age: z.number(), plan: z.enum(['free', 'pro']) });
 * expressionCompletions('customer.pl', 11, { customerSchema });
 * // { from: 9, to: 11, items: [{ name: 'plan', kind: 'attribute', type: 'string', detail: 'one of "free", "pro"' }] }
 * ```
 */
export function expressionCompletions(source: string, offset: number, options: CompletionOptions = {}): ExpressionCompletions {
  const none = (at: number): ExpressionCompletions => ({ from: at, to: at, items: [] });
  if (typeof source !== 'string') return none(0);
  const at = typeof offset === 'number' && Number.isFinite(offset) ? Math.max(0, Math.min(source.length, Math.trunc(offset))) : source.length;
  if (insideString(source, at)) return none(at);
  let from = at;
  while (from > 0 && isWordChar(source.charAt(from - 1))) from--;
  let to = at;
  while (to < source.length && isWordChar(source.charAt(to))) to++;
  const prefix = source.slice(from, at);
  if (/^[0-9]/.test(prefix)) return none(at);
  const allowed = [...(options.roots ?? EXPRESSION_ROOTS), ...(options.extraRoots ?? [])];
  const types = rootTypes(customerTypeOf(options?.customerSchema));
  const items: ExpressionCompletion[] = [];
  const chain = memberChain(source, from);
  if (chain === 'none') return none(at);
  if (chain === null) {
    for (const root of allowed) {
      if (FORBIDDEN_PROPERTIES.has(root)) continue;
      const type = types.get(root) ?? ANY;
      items.push({ name: root, kind: 'root', type: typeName(type), detail: describeType(type) });
    }
    for (const name of EXPRESSION_FUNCTIONS) items.push(functionItem(name));
  } else {
    const [root, ...keys] = chain;
    if (!allowed.includes(root as string)) return none(at);
    let type = types.get(root as string) ?? ANY;
    for (const key of keys) type = property(type, key);
    const kind = root === 'customer' && keys.length === 0 ? 'attribute' : 'property';
    for (const [name, t] of propertiesOf(type)) items.push({ name, kind, type: typeName(t), detail: describeType(t) });
  }
  const lower = prefix.toLowerCase();
  const matching = items.filter((item) => item.name.toLowerCase().startsWith(lower)).slice(0, MAX_ITEMS);
  return { from, to, items: matching };
}

function functionItem(name: ExpressionFunctionName): ExpressionCompletion {
  const signature = functionSignature(name);
  const params = signature.params.map((kinds) => (kinds === null ? 'any' : kinds.join(' | '))).join(', ');
  const variadic = name === 'min' || name === 'max' ? '...' : '';
  return { name, kind: 'function', type: `(${variadic}${params}) => ${typeName(signature.returns)}`, detail: `returns ${describeType(signature.returns)}` };
}

/** Whether `at` is inside a string literal (scanning from the start, as the parser would). */
function insideString(source: string, at: number): boolean {
  let quote = '';
  for (let i = 0; i < at; i++) {
    const c = source.charAt(i);
    if (quote !== '') {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
  }
  return quote !== '';
}

/**
 * The path before a member position: `customer.address.` → `['customer', 'address']`; `null`
 * when the position starts a name (no `.` before it); `'none'` when what is before the `.` is not
 * a plain path (a call, a literal, a computed key that is not a literal).
 */
function memberChain(source: string, from: number): (string | number)[] | null | 'none' {
  let i = skipSpaceBack(source, from);
  if (i === 0 || source.charAt(i - 1) !== '.') return null;
  i--; // the '.'
  const keys: (string | number)[] = [];
  for (let steps = 0; steps < MAX_CHAIN; steps++) {
    const key = readKeyBack(source, skipSpaceBack(source, i));
    if (key === null) return 'none';
    keys.push(key.key);
    i = skipSpaceBack(source, key.start);
    // `a[0].`: the object is what precedes the bracket.
    if (key.bracketed) continue;
    if (i > 0 && source.charAt(i - 1) === '.') {
      i--;
      continue;
    }
    return keys.reverse();
  }
  return 'none';
}

function skipSpaceBack(source: string, i: number): number {
  let j = i;
  while (j > 0 && isSpace(source.charAt(j - 1))) j--;
  return j;
}

/** The key that ends at `end`: a name, or a bracketed literal (`["x"]`, `[0]`). */
function readKeyBack(source: string, end: number): { key: string | number; start: number; bracketed: boolean } | null {
  if (end === 0) return null;
  const last = source.charAt(end - 1);
  if (isWordChar(last)) {
    let start = end;
    while (start > 0 && isWordChar(source.charAt(start - 1))) start--;
    const word = source.slice(start, end);
    if (/^[0-9]/.test(word)) return null;
    return { key: word, start, bracketed: false };
  }
  if (last !== ']') return null;
  const open = source.lastIndexOf('[', end - 1);
  if (open < 0) return null;
  const inner = source.slice(open + 1, end - 1).trim();
  const quoted = /^(['"])([^'"\\]*)\1$/.exec(inner);
  if (quoted) return { key: quoted[2]!, start: open, bracketed: true };
  if (/^[0-9]+$/.test(inner)) return { key: Number(inner), start: open, bracketed: true };
  return null;
}

/** The type of `type[key]` for completion (no diagnostics). */
function property(type: ValueType, key: string | number): ValueType {
  const found: ValueType[] = [];
  for (const member of membersOf(type)) {
    if (member.kind === 'any') return ANY;
    if (member.kind === 'object' && typeof key === 'string') {
      const p = member.properties.get(key) ?? member.rest;
      if (p !== undefined) found.push(p);
    } else if (member.kind === 'array') {
      if (typeof key === 'number') found.push(member.element);
      else if (key === 'length') found.push(NUMBER);
    } else if (member.kind === 'string' && key === 'length') found.push(NUMBER);
  }
  return found.length === 0 ? { kind: 'undefined' } : unionOf(found);
}

/** The names one may read off a value of `type`, in schema order. */
function propertiesOf(type: ValueType): [string, ValueType][] {
  const out = new Map<string, ValueType>();
  for (const member of membersOf(type)) {
    if (member.kind === 'object') {
      for (const [name, t] of member.properties) if (!FORBIDDEN_PROPERTIES.has(name) && !out.has(name)) out.set(name, t);
    } else if ((member.kind === 'array' || member.kind === 'string') && !out.has('length')) out.set('length', NUMBER);
  }
  return [...out];
}
