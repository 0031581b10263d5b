/**
 * Type inference for expressions: a pure walk over the parsed (already compiled, so allowlisted)
 * syntax tree that works out what each part may be and reports what can never work: comparing a
 * number with a string (`type-mismatch`), reading an attribute the customer schema does not
 * list (`unknown-attribute`, with a suggestion) and comparisons no value can make true
 * (`never-true`). Nothing here evaluates anything.
 */
import type { Expression } from 'jsep';
import { KeyMatcher } from '../closest-key.js';
import type { ExpressionFunctionName } from './constants.js';
import { FORBIDDEN_PROPERTIES } from './forbidden-properties.js';
import type { SourcePositions } from './parse-source.js';
import {
  ANY,
  BOOLEAN,
  NULL,
  NUMBER,
  OPEN_OBJECT,
  STRING,
  UNDEFINED,
  arrayOf,
  definedPart,
  describeType,
  kindsOf,
  mayBe,
  membersOf,
  objectOf,
  overlap,
  unionOf,
} from './value-type.js';
import type { ValueKind, ValueType } from './value-type.js';

/** The type of each root an expression may name; a root not listed may be anything. */
export type RootTypes = ReadonlyMap<string, ValueType>;

/** The codes type inference reports. */
export type TypeFindingCode = 'type-mismatch' | 'unknown-attribute' | 'never-true';

/** One problem found in an expression, at a character of its source. */
export interface TypeFinding {
  readonly code: TypeFindingCode;
  readonly message: string;
  /** Character index into the source. */
  readonly index: number;
  /** For `unknown-attribute`: the listed attribute the name is probably a typo of. */
  readonly suggestion?: string;
}

/** The fixed shape of the roots other than `customer` (see the interpreter's scope). */
const ENROLLMENT_TYPE = objectOf({
  id: STRING,
  customerId: STRING,
  enteredAt: ANY,
  stepId: unionOf([STRING, NULL]),
  visits: OPEN_OBJECT,
  flags: OPEN_OBJECT,
  variants: OPEN_OBJECT,
  context: OPEN_OBJECT,
  lastSendAt: ANY,
});

/**
 * The root types for a `customer` of type `customer`: `outcome` a string or null, `outcomes`
 * and `segments` arrays of strings, `journey` `{ id, name, version }`, `enrollment` its fields,
 * `event` `{ type, properties, at }`, `results` anything.
 */
export function rootTypes(customer: ValueType): RootTypes {
  return new Map<string, ValueType>([
    ['outcome', unionOf([STRING, NULL])],
    ['outcomes', arrayOf(STRING)],
    ['customer', customer],
    ['segments', arrayOf(STRING)],
    ['results', OPEN_OBJECT],
    ['journey', objectOf({ id: STRING, name: STRING, version: NUMBER })],
    ['enrollment', ENROLLMENT_TYPE],
    ['event', objectOf({ type: STRING, properties: OPEN_OBJECT, at: ANY })],
  ]);
}

/** What inference knows of one node: its type, how a message names it, its constant value if it is a literal. */
interface Typed {
  readonly type: ValueType;
  readonly label: string;
  readonly literal?: { readonly value: unknown };
}

interface Walk {
  readonly roots: RootTypes;
  readonly positions: SourcePositions;
  readonly findings: TypeFinding[];
}

/**
 * Infers the type of a compiled expression's syntax tree and lists what can never work. Pure;
 * linear in the size of the tree.
 */
export function inferExpression(ast: Expression, positions: SourcePositions, roots: RootTypes): { type: ValueType; findings: TypeFinding[] } {
  const walk: Walk = { roots, positions, findings: [] };
  const result = infer(ast, walk);
  return { type: result.type, findings: walk.findings };
}

function report(walk: Walk, code: TypeFindingCode, message: string, node: Expression, suggestion?: string): void {
  const index = walk.positions.start(node);
  walk.findings.push(suggestion === undefined ? { code, message, index } : { code, message, index, suggestion });
}

function infer(node: Expression, walk: Walk): Typed {
  switch (node.type) {
    case 'Literal': {
      const value = node['value'];
      return { type: literalType(value), label: JSON.stringify(value) ?? 'undefined', literal: { value } };
    }
    case 'Identifier': {
      const name = node['name'] as string;
      return { type: walk.roots.get(name) ?? ANY, label: name };
    }
    case 'MemberExpression':
      return inferMember(node, walk);
    case 'UnaryExpression':
      return inferUnary(node, walk);
    case 'BinaryExpression':
      return inferBinary(node, walk);
    case 'ConditionalExpression': {
      infer(node['test'] as Expression, walk);
      const a = infer(node['consequent'] as Expression, walk);
      const b = infer(node['alternate'] as Expression, walk);
      return { type: unionOf([a.type, b.type]), label: 'the conditional' };
    }
    case 'ArrayExpression': {
      const elements = (node['elements'] as Expression[]).map((e) => infer(e, walk));
      const literal = elements.every((e) => e.literal !== undefined) ? { value: elements.map((e) => e.literal!.value) } : undefined;
      const type = arrayOf(elements.length === 0 ? ANY : unionOf(elements.map((e) => e.type)));
      return literal === undefined ? { type, label: 'the array' } : { type, label: 'the array', literal };
    }
    case 'CallExpression':
      return inferCall(node, walk);
    default:
      return { type: ANY, label: 'the expression' };
  }
}

function literalType(value: unknown): ValueType {
  if (typeof value === 'string') return { kind: 'string', values: [value] };
  if (typeof value === 'number') return { kind: 'number', values: [value] };
  if (typeof value === 'boolean') return BOOLEAN;
  if (value === null) return NULL;
  return UNDEFINED;
}

function memberKey(node: Expression): string | number {
  const property = node['property'] as Expression;
  return node['computed'] === true ? (property['value'] as string | number) : (property['name'] as string);
}

function inferMember(node: Expression, walk: Walk): Typed {
  const object = infer(node['object'] as Expression, walk);
  const key = memberKey(node);
  const label = typeof key === 'number' ? `${object.label}[${key}]` : `${object.label}.${key}`;
  return { type: readKey(object, key, label, node, walk), label };
}

/** The type of `object[key]`, reporting a read that can never give a value. */
function readKey(object: Typed, key: string | number, label: string, node: Expression, walk: Walk): ValueType {
  const found: ValueType[] = [];
  let unknownIn: (ValueType & { kind: 'object' }) | undefined;
  let sawDefined = false;
  let nullish = false;
  for (const member of membersOf(object.type)) {
    switch (member.kind) {
      case 'any':
        return ANY;
      case 'null':
      case 'undefined':
        nullish = true;
        break;
      case 'object': {
        sawDefined = true;
        const property = typeof key === 'string' ? member.properties.get(key) : undefined;
        if (property !== undefined) found.push(member.required.has(key as string) ? property : unionOf([property, UNDEFINED]));
        else if (member.rest !== undefined) found.push(unionOf([member.rest, UNDEFINED]));
        else unknownIn = member;
        break;
      }
      case 'array':
        sawDefined = true;
        if (key === 'length') found.push(NUMBER);
        else if (typeof key === 'number') found.push(unionOf([member.element, UNDEFINED]));
        break;
      case 'string':
        sawDefined = true;
        if (key === 'length') found.push(NUMBER);
        else if (typeof key === 'number') found.push(unionOf([STRING, UNDEFINED]));
        break;
      default:
        sawDefined = true;
    }
  }
  if (found.length > 0) return unionOf(nullish ? [...found, UNDEFINED] : found);
  if (unknownIn !== undefined) {
    const known = [...unknownIn.properties.keys()].filter((k) => !FORBIDDEN_PROPERTIES.has(k));
    const suggestion = new KeyMatcher(known).suggest(String(key));
    const hint = suggestion !== undefined ? ` Did you mean \`${object.label}.${suggestion}\`?` : known.length > 0 ? ` It lists: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}.` : '';
    report(walk, 'unknown-attribute', `\`${label}\` is not in the schema of \`${object.label}\`, so it always reads as undefined.${hint}`, node['property'] as Expression, suggestion);
    return ANY;
  }
  if (!sawDefined) return UNDEFINED;
  report(walk, 'type-mismatch', `\`${object.label}\` is ${describeType(definedPart(object.type))}; it has no ${typeof key === 'number' ? `element ${key}` : `property \`${key}\``}, so \`${label}\` is always undefined.`, node['property'] as Expression);
  return ANY;
}

function inferUnary(node: Expression, walk: Walk): Typed {
  const operator = node['operator'] as string;
  const argument = infer(node['argument'] as Expression, walk);
  if (operator === '!') return { type: BOOLEAN, label: `!${argument.label}` };
  expect(walk, argument, node, ['number'], `\`${operator}\` needs a number`);
  return { type: NUMBER, label: `${operator}${argument.label}` };
}

/** Reports `type-mismatch` when `operand` is known and can be none of `kinds`. */
function expect(walk: Walk, operand: Typed, node: Expression, kinds: ValueKind[], what: string): boolean {
  const defined = definedPart(operand.type);
  if (mayBe(defined, ...kinds)) return true;
  report(walk, 'type-mismatch', `${what}, but \`${operand.label}\` is ${describeType(defined)}.`, node);
  return false;
}

const ORDERING = new Set(['<', '<=', '>', '>=']);
const ARITHMETIC = new Set(['-', '*', '/', '%']);

function inferBinary(node: Expression, walk: Walk): Typed {
  const operator = node['operator'] as string;
  const left = infer(node['left'] as Expression, walk);
  const right = infer(node['right'] as Expression, walk);
  const label = `${left.label} ${operator} ${right.label}`;
  if (operator === '&&' || operator === '||') return { type: unionOf([left.type, right.type]), label };
  if (operator === '??') return { type: unionOf([definedPart(left.type), right.type]), label };
  if (ORDERING.has(operator)) {
    checkOrdering(node, operator, left, right, walk);
    return { type: BOOLEAN, label };
  }
  if (operator === '==' || operator === '===' || operator === '!=' || operator === '!==') {
    if (operator === '==' || operator === '===') checkEquality(node, left, right, walk);
    else checkComparable(node, operator, left, right, walk);
    return { type: BOOLEAN, label };
  }
  if (operator === 'in') {
    checkIn(node, left, right, walk);
    return { type: BOOLEAN, label };
  }
  if (operator === '+') {
    const l = definedPart(left.type);
    const r = definedPart(right.type);
    if (!expect(walk, left, node, ['number', 'string'], '`+` adds numbers or joins strings') || !expect(walk, right, node, ['number', 'string'], '`+` adds numbers or joins strings')) return { type: ANY, label };
    if (!(mayBe(l, 'number') && mayBe(r, 'number')) && !(mayBe(l, 'string') && mayBe(r, 'string'))) {
      report(walk, 'type-mismatch', `\`+\` adds two numbers or joins two strings, but \`${left.label}\` is ${describeType(l)} and \`${right.label}\` is ${describeType(r)}: the result is always undefined.`, node);
      return { type: ANY, label };
    }
    const kinds = kindsOf(l);
    return { type: kinds?.size === 1 && kinds.has('number') ? NUMBER : kinds?.size === 1 && kinds.has('string') ? STRING : ANY, label };
  }
  if (ARITHMETIC.has(operator)) {
    expect(walk, left, node, ['number'], `\`${operator}\` needs numbers`);
    expect(walk, right, node, ['number'], `\`${operator}\` needs numbers`);
    return { type: NUMBER, label };
  }
  return { type: ANY, label };
}

/** `!=` / `!==` between values that can never be equal: always true, so probably a mistake of type. */
function checkComparable(node: Expression, operator: string, left: Typed, right: Typed, walk: Walk): void {
  const l = definedPart(left.type);
  const r = definedPart(right.type);
  if (left.literal !== undefined && right.literal !== undefined) return;
  if (isNullish(left) || isNullish(right)) return;
  if (!overlap(l, r)) report(walk, 'type-mismatch', `\`${left.label}\` is ${describeType(l)} and \`${right.label}\` is ${describeType(r)}: \`${operator}\` never compares them (always true).`, node);
}

function isNullish(operand: Typed): boolean {
  return operand.literal !== undefined && (operand.literal.value === null || operand.literal.value === undefined);
}

function checkEquality(node: Expression, left: Typed, right: Typed, walk: Walk): void {
  if (left.literal !== undefined && right.literal !== undefined) return;
  if (isNullish(left) || isNullish(right)) {
    const other = isNullish(left) ? right : left;
    const nullish = membersOf(other.type).some((m) => m.kind === 'any' || m.kind === 'null' || m.kind === 'undefined');
    if (!nullish) report(walk, 'never-true', `\`${other.label}\` is ${describeType(other.type)} and never null or undefined, so \`${left.label} == ${right.label}\` is never true.`, node);
    return;
  }
  const l = definedPart(left.type);
  const r = definedPart(right.type);
  if (!overlap(l, r)) {
    report(walk, 'type-mismatch', `\`${left.label}\` is ${describeType(l)} and \`${right.label}\` is ${describeType(r)}: \`==\` compares without conversion, so this is never true.`, node);
    return;
  }
  const literal = left.literal ?? right.literal;
  const other = left.literal !== undefined ? right : left;
  if (literal !== undefined && !canEqual(definedPart(other.type), literal.value)) {
    report(walk, 'never-true', `\`${other.label}\` is ${describeType(definedPart(other.type))}, never ${JSON.stringify(literal.value)}, so this comparison is never true.`, node);
  }
}

/** Whether some value of `type` may equal the constant `value` (enums, bounds). */
function canEqual(type: ValueType, value: unknown): boolean {
  for (const member of membersOf(type)) {
    if (member.kind === 'any') return true;
    if (member.kind === 'string' && typeof value === 'string' && (member.values === undefined || member.values.includes(value))) return true;
    if (member.kind === 'number' && typeof value === 'number' && (member.values === undefined || member.values.includes(value)) && withinBounds(member, value)) return true;
    if (member.kind === 'boolean' && typeof value === 'boolean') return true;
    // An array or object literal is a fresh value: `==` compares identity, and no data is identical to it.
    if (member.kind === 'null' && value === null) return true;
    if (member.kind === 'undefined' && value === undefined) return true;
  }
  return false;
}

function withinBounds(type: ValueType & { kind: 'number' }, n: number): boolean {
  return (
    (type.min === undefined || n >= type.min) &&
    (type.max === undefined || n <= type.max) &&
    (type.exclusiveMin === undefined || n > type.exclusiveMin) &&
    (type.exclusiveMax === undefined || n < type.exclusiveMax)
  );
}

function checkOrdering(node: Expression, operator: string, left: Typed, right: Typed, walk: Walk): void {
  const l = definedPart(left.type);
  const r = definedPart(right.type);
  const what = `\`${operator}\` compares two numbers or two strings`;
  if (!expect(walk, left, node, ['number', 'string'], what) || !expect(walk, right, node, ['number', 'string'], what)) return;
  if (!(mayBe(l, 'number') && mayBe(r, 'number')) && !(mayBe(l, 'string') && mayBe(r, 'string'))) {
    report(walk, 'type-mismatch', `${what}, but \`${left.label}\` is ${describeType(l)} and \`${right.label}\` is ${describeType(r)}: this is never true.`, node);
    return;
  }
  // A number against a constant: can its bounds or enum ever satisfy it?
  const constant = right.literal ?? left.literal;
  if (constant === undefined || typeof constant.value !== 'number' || (left.literal !== undefined && right.literal !== undefined)) return;
  const c = constant.value;
  const flipped = right.literal === undefined;
  const other = flipped ? right : left;
  const op = flipped ? FLIP[operator]! : operator;
  const numbers = membersOf(definedPart(other.type));
  if (numbers.some((m) => m.kind !== 'number')) return;
  const possible = numbers.some((m) => m.kind === 'number' && orderingPossible(m, op, c));
  if (!possible) report(walk, 'never-true', `\`${other.label}\` is ${describeRange(numbers)}, so \`${left.label} ${operator} ${right.label}\` is never true.`, node);
}

const FLIP: Readonly<Record<string, string>> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** Whether some number of `type` may satisfy `n op c`. */
function orderingPossible(type: ValueType & { kind: 'number' }, op: string, c: number): boolean {
  const test = (n: number): boolean => (op === '<' ? n < c : op === '<=' ? n <= c : op === '>' ? n > c : n >= c);
  if (type.values !== undefined) return type.values.some((n) => withinBounds(type, n) && test(n));
  const low = type.min ?? type.exclusiveMin;
  const high = type.max ?? type.exclusiveMax;
  const lowOpen = type.min === undefined && type.exclusiveMin !== undefined;
  const highOpen = type.max === undefined && type.exclusiveMax !== undefined;
  if (op === '>' || op === '>=') {
    if (high === undefined) return true;
    return op === '>' ? high > c : highOpen ? high > c : high >= c;
  }
  if (low === undefined) return true;
  return op === '<' ? low < c : lowOpen ? low < c : low <= c;
}

function describeRange(numbers: readonly ValueType[]): string {
  return numbers
    .map((m) => {
      if (m.kind !== 'number') return describeType(m);
      if (m.values !== undefined) return describeType(m);
      const parts: string[] = [];
      if (m.min !== undefined) parts.push(`at least ${m.min}`);
      if (m.exclusiveMin !== undefined) parts.push(`above ${m.exclusiveMin}`);
      if (m.max !== undefined) parts.push(`at most ${m.max}`);
      if (m.exclusiveMax !== undefined) parts.push(`below ${m.exclusiveMax}`);
      return parts.length === 0 ? 'a number' : `a number ${parts.join(' and ')}`;
    })
    .join(' or ');
}

function checkIn(node: Expression, left: Typed, right: Typed, walk: Walk): void {
  const haystack = definedPart(right.type);
  if (!expect(walk, right, node, ['array', 'string'], '`in` looks in an array or a string')) return;
  const kinds = kindsOf(haystack);
  if (kinds === undefined) return;
  const needle = definedPart(left.type);
  if (!kinds.has('array')) {
    expect(walk, left, node, ['string'], `\`in\` looks for a string in the string \`${right.label}\``);
    return;
  }
  if (kinds.size !== 1) return;
  const element = unionOf(membersOf(haystack).map((m) => (m.kind === 'array' ? m.element : ANY)));
  if (!overlap(needle, definedPart(element))) {
    report(walk, 'type-mismatch', `\`${right.label}\` holds ${describeType(element)} values, but \`${left.label}\` is ${describeType(needle)}: this is never true.`, node);
    return;
  }
  if (left.literal !== undefined && !canEqual(element, left.literal.value)) {
    report(walk, 'never-true', `\`${right.label}\` holds ${describeType(element)}, never ${JSON.stringify(left.literal.value)}, so this is never true.`, node);
  }
}

/** What each allowlisted function accepts (per argument; the last one repeats) and returns. */
const SIGNATURES: Readonly<Record<ExpressionFunctionName, { readonly params: readonly (readonly ValueKind[] | null)[]; readonly returns: ValueType }>> = {
  lower: { params: [['string']], returns: STRING },
  upper: { params: [['string']], returns: STRING },
  trim: { params: [['string']], returns: STRING },
  len: { params: [['string', 'array']], returns: NUMBER },
  contains: { params: [['array', 'string'], null], returns: BOOLEAN },
  startsWith: { params: [['string'], ['string']], returns: BOOLEAN },
  endsWith: { params: [['string'], ['string']], returns: BOOLEAN },
  includesAny: { params: [['array'], ['array']], returns: BOOLEAN },
  includesAll: { params: [['array'], ['array']], returns: BOOLEAN },
  min: { params: [['number']], returns: NUMBER },
  max: { params: [['number']], returns: NUMBER },
  abs: { params: [['number']], returns: NUMBER },
  round: { params: [['number']], returns: NUMBER },
  floor: { params: [['number']], returns: NUMBER },
  ceil: { params: [['number']], returns: NUMBER },
};

/** The signature of function `name` (for completions): parameter kinds and result. */
export function functionSignature(name: ExpressionFunctionName): { readonly params: readonly (readonly ValueKind[] | null)[]; readonly returns: ValueType } {
  return SIGNATURES[name];
}

function inferCall(node: Expression, walk: Walk): Typed {
  const name = (node['callee'] as Expression)['name'] as ExpressionFunctionName;
  const args = (node['arguments'] as Expression[]).map((a) => ({ node: a, typed: infer(a, walk) }));
  const signature = Object.hasOwn(SIGNATURES, name) ? SIGNATURES[name] : undefined;
  if (signature === undefined) return { type: ANY, label: `${String(name)}()` };
  args.forEach((arg, i) => {
    const kinds = signature.params[Math.min(i, signature.params.length - 1)];
    if (kinds !== null && kinds !== undefined) expect(walk, arg.typed, arg.node, [...kinds], `${name}() takes ${kinds.map((k) => (k === 'array' ? 'an array' : `a ${k}`)).join(' or ')} as argument ${i + 1}`);
  });
  return { type: signature.returns, label: `${name}(…)` };
}
