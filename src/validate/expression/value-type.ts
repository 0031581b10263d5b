/**
 * The static types the expression checker reasons with: what a value read by an expression may
 * be. A type is data (no classes), built from the host's customer schema (customer-schema.ts)
 * and the fixed shapes of the other roots. Pure.
 */

/** A type of value an expression may see. `any` is "nothing known": no check looks inside it. */
export type ValueType =
  | { readonly kind: 'any' }
  | { readonly kind: 'null' }
  | { readonly kind: 'undefined' }
  | { readonly kind: 'boolean' }
  /** `values`: the only strings allowed (an enum or const), when the schema says so. */
  | { readonly kind: 'string'; readonly values?: readonly string[] }
  /** `values`: an enum; `min` / `max`: inclusive bounds (exclusive bounds are kept apart). */
  | {
      readonly kind: 'number';
      readonly values?: readonly number[];
      readonly min?: number;
      readonly max?: number;
      readonly exclusiveMin?: number;
      readonly exclusiveMax?: number;
    }
  | { readonly kind: 'array'; readonly element: ValueType }
  /**
   * `rest`: the type of a property not in `properties` (`additionalProperties`), or `undefined`
   * when the schema lists its properties and says nothing of others: reading one is an
   * `unknown-attribute`.
   */
  | {
      readonly kind: 'object';
      readonly properties: ReadonlyMap<string, ValueType>;
      readonly required: ReadonlySet<string>;
      readonly rest: ValueType | undefined;
    }
  | { readonly kind: 'union'; readonly members: readonly ValueType[] };

/** The kinds of a value, as `typeof` would tell them apart (plus `array`, `null`). */
export type ValueKind = Exclude<ValueType['kind'], 'any' | 'union'>;

export const ANY: ValueType = Object.freeze({ kind: 'any' });
export const STRING: ValueType = Object.freeze({ kind: 'string' });
export const NUMBER: ValueType = Object.freeze({ kind: 'number' });
export const BOOLEAN: ValueType = Object.freeze({ kind: 'boolean' });
export const NULL: ValueType = Object.freeze({ kind: 'null' });
export const UNDEFINED: ValueType = Object.freeze({ kind: 'undefined' });

/** An array of `element`. */
export function arrayOf(element: ValueType): ValueType {
  return { kind: 'array', element };
}

/** An object whose listed properties are all required; others are unknown (or `rest`). */
export function objectOf(properties: Readonly<Record<string, ValueType>>, rest?: ValueType): ValueType {
  const map = new Map(Object.entries(properties));
  return { kind: 'object', properties: map, required: new Set(map.keys()), rest };
}

/** An object about which nothing is known: any property, any value. */
export const OPEN_OBJECT: ValueType = Object.freeze({ kind: 'object', properties: new Map<string, ValueType>(), required: new Set<string>(), rest: ANY });

/** The members of a type: itself, or a union's members (unions are kept flat). */
export function membersOf(type: ValueType): readonly ValueType[] {
  return type.kind === 'union' ? type.members : [type];
}

/** Most members a union keeps before it gives up and becomes `any`. */
const MAX_UNION = 32;

/** The union of `types`, flattened; `any` absorbs everything. */
export function unionOf(types: readonly ValueType[]): ValueType {
  const members: ValueType[] = [];
  for (const type of types) {
    for (const member of membersOf(type)) {
      if (member.kind === 'any') return ANY;
      if (!members.includes(member)) members.push(member);
    }
  }
  if (members.length > MAX_UNION) return ANY;
  if (members.length === 1) return members[0]!;
  if (members.length === 0) return ANY;
  return { kind: 'union', members };
}

/** `type` without `null` and `undefined` (what a check looks at); `any` when nothing else is left. */
export function definedPart(type: ValueType): ValueType {
  const left = membersOf(type).filter((m) => m.kind !== 'null' && m.kind !== 'undefined');
  return left.length === 0 ? ANY : unionOf(left);
}

/** The kinds a type may have, or `undefined` when it may be anything. */
export function kindsOf(type: ValueType): ReadonlySet<ValueKind> | undefined {
  const kinds = new Set<ValueKind>();
  for (const member of membersOf(type)) {
    if (member.kind === 'any' || member.kind === 'union') return undefined;
    kinds.add(member.kind);
  }
  return kinds;
}

/** Whether a value of `type` may be of one of `kinds` (`true` when `type` may be anything). */
export function mayBe(type: ValueType, ...kinds: ValueKind[]): boolean {
  const own = kindsOf(type);
  return own === undefined || kinds.some((k) => own.has(k));
}

/** Whether two types share a kind (`true` when either may be anything). */
export function overlap(a: ValueType, b: ValueType): boolean {
  const ka = kindsOf(a);
  const kb = kindsOf(b);
  if (ka === undefined || kb === undefined) return true;
  for (const k of ka) if (kb.has(k)) return true;
  return false;
}

const ARTICLE: Readonly<Record<ValueKind, string>> = {
  null: 'null',
  undefined: 'undefined',
  boolean: 'a boolean',
  string: 'a string',
  number: 'a number',
  array: 'an array',
  object: 'an object',
};

/** A short description for messages and completions: `a number`, `one of "free", "pro"`, `an array of strings`. */
export function describeType(type: ValueType, depth = 0): string {
  if (type.kind === 'union') return type.members.map((m) => describeType(m, depth + 1)).join(' or ');
  if (type.kind === 'any') return 'any value';
  if ((type.kind === 'string' || type.kind === 'number') && type.values?.length === 1) return `the ${type.kind} ${JSON.stringify(type.values[0])}`;
  if (type.kind === 'string' && type.values !== undefined) return `one of ${type.values.slice(0, 8).map((v) => JSON.stringify(v)).join(', ')}${type.values.length > 8 ? ', …' : ''}`;
  if (type.kind === 'number' && type.values !== undefined) return `one of ${type.values.slice(0, 8).join(', ')}${type.values.length > 8 ? ', …' : ''}`;
  if (type.kind === 'array' && depth < 3) {
    const element = type.element;
    return element.kind === 'any' ? 'an array' : `an array of ${plural(element, depth + 1)}`;
  }
  return ARTICLE[type.kind];
}

function plural(type: ValueType, depth: number): string {
  if (type.kind === 'string' && type.values === undefined) return 'strings';
  if (type.kind === 'number' && type.values === undefined) return 'numbers';
  if (type.kind === 'boolean') return 'booleans';
  return `(${describeType(type, depth)})`;
}

/** The short name of a type for an editor (`number`, `string`, `string[]`, `object`). */
export function typeName(type: ValueType, depth = 0): string {
  if (type.kind === 'union') return type.members.map((m) => typeName(m, depth + 1)).join(' | ');
  if (type.kind === 'array') return depth > 3 ? 'array' : `${type.element.kind === 'union' ? `(${typeName(type.element, depth + 1)})` : typeName(type.element, depth + 1)}[]`;
  return type.kind;
}

/** Most elements or properties {@link fits} looks at in one value (keeps a huge value cheap). */
const MAX_FIT_ITEMS = 1000;

/**
 * Why a JSON value does not fit `type`, or `null` when it fits (or may: `any`). Checks kinds,
 * enums and bounds, and looks into arrays and known properties of objects.
 */
export function misfit(value: unknown, type: ValueType, depth = 0): string | null {
  if (depth > 32) return null;
  const members = membersOf(type);
  let first: string | null = null;
  for (const member of members) {
    const why = misfitMember(value, member, depth);
    if (why === null) return null;
    first ??= why;
  }
  return members.length === 1 ? first : `it is ${describeValue(value)}, not ${describeType(type)}`;
}

function misfitMember(value: unknown, type: ValueType, depth: number): string | null {
  const kind = kindOfValue(value);
  if (type.kind === 'any') return null;
  if (type.kind !== kind) return `it is ${describeValue(value)}, not ${describeType(type)}`;
  if (type.kind === 'string' && type.values !== undefined && !type.values.includes(value as string)) return `${JSON.stringify(value)} is not ${describeType(type)}`;
  if (type.kind === 'number') {
    const n = value as number;
    if (type.values !== undefined && !type.values.includes(n)) return `${n} is not ${describeType(type)}`;
    const bound = outOfBounds(n, type);
    if (bound !== null) return bound;
  }
  if (type.kind === 'array') {
    const items = value as unknown[];
    for (let i = 0; i < items.length && i < MAX_FIT_ITEMS; i++) {
      const why = misfit(items[i], type.element, depth + 1);
      if (why !== null) return `element ${i}: ${why}`;
    }
  }
  if (type.kind === 'object') {
    const record = value as Record<string, unknown>;
    let seen = 0;
    for (const key of Object.keys(record)) {
      if (++seen > MAX_FIT_ITEMS) break;
      const property = type.properties.get(key) ?? type.rest;
      if (property === undefined) continue;
      const why = misfit(record[key], property, depth + 1);
      if (why !== null) return `property ${JSON.stringify(key)}: ${why}`;
    }
  }
  return null;
}

function outOfBounds(n: number, type: { readonly min?: number; readonly max?: number; readonly exclusiveMin?: number; readonly exclusiveMax?: number }): string | null {
  if (type.min !== undefined && n < type.min) return `${n} is below the minimum ${type.min}`;
  if (type.max !== undefined && n > type.max) return `${n} is above the maximum ${type.max}`;
  if (type.exclusiveMin !== undefined && n <= type.exclusiveMin) return `${n} is not above ${type.exclusiveMin}`;
  if (type.exclusiveMax !== undefined && n >= type.exclusiveMax) return `${n} is not below ${type.exclusiveMax}`;
  return null;
}

/** The kind of a runtime value. */
export function kindOfValue(value: unknown): ValueKind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'undefined':
      return 'undefined';
    default:
      return 'object';
  }
}

function describeValue(value: unknown): string {
  const kind = kindOfValue(value);
  if (kind === 'string' || kind === 'number' || kind === 'boolean') {
    const text = JSON.stringify(value);
    return `${ARTICLE[kind]} (${text.length > 40 ? `${text.slice(0, 40)}…` : text})`;
  }
  return ARTICLE[kind];
}
