/**
 * The host's description of its customers' attributes — a zod schema or a JSON Schema — turned
 * into the {@link ValueType} of the `customer` root. Any part the converter does not understand
 * becomes `any` (no check there), so a schema can only ever silence checks, never invent errors.
 */
import { z } from 'zod';
import { ANY, BOOLEAN, NULL, OPEN_OBJECT, STRING, arrayOf, unionOf } from './value-type.js';
import type { ValueType } from './value-type.js';

/**
 * What a host may pass as `customerSchema`: a zod (v4) schema of the attributes object, or a
 * JSON Schema (draft 2020-12 or 7) describing it.
 */
export type CustomerSchema = z.ZodType | Readonly<Record<string, unknown>>;

/** Deepest schema nesting (and `$ref` chain) followed; deeper parts are `any`. */
const MAX_DEPTH = 32;
/** Most schema nodes converted; past that everything is `any` (a hostile or huge schema stays cheap). */
const MAX_NODES = 20_000;

const CACHE = new WeakMap<object, ValueType>();

/**
 * The type of the `customer` root that `schema` describes. Never throws: anything unreadable is
 * `any`. Cached per schema object.
 */
export function customerTypeOf(schema: CustomerSchema | undefined): ValueType {
  if (schema === null || typeof schema !== 'object') return OPEN_OBJECT;
  const hit = CACHE.get(schema);
  if (hit !== undefined) return hit;
  let type: ValueType;
  try {
    type = convert(isZod(schema) ? zodToJsonSchema(schema) : schema);
  } catch {
    type = ANY;
  }
  CACHE.set(schema, type);
  return type;
}

function isZod(schema: object): schema is z.ZodType {
  return Object.hasOwn(schema, '_zod') || '_zod' in schema;
}

function zodToJsonSchema(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any', cycles: 'ref', reused: 'inline' });
}

/** Whether `schema` is something {@link customerTypeOf} can read: a zod schema or a JSON Schema object. */
export function isCustomerSchema(schema: unknown): schema is CustomerSchema {
  return schema !== null && typeof schema === 'object' && !Array.isArray(schema);
}

interface State {
  readonly root: unknown;
  nodes: number;
}

function convert(root: unknown): ValueType {
  return node(root, { root, nodes: 0 }, 0);
}

type Schema = Readonly<Record<string, unknown>>;

function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function field(schema: Schema, key: string): unknown {
  return Object.hasOwn(schema, key) ? schema[key] : undefined;
}

function node(schema: unknown, state: State, depth: number): ValueType {
  if (++state.nodes > MAX_NODES || depth > MAX_DEPTH || !isSchema(schema)) return ANY;
  const ref = field(schema, '$ref');
  if (typeof ref === 'string') return node(resolveRef(ref, state.root), state, depth + 1);
  const constant = field(schema, 'const');
  if (constant !== undefined) return literalType([constant]);
  const enumValues = field(schema, 'enum');
  if (Array.isArray(enumValues)) return literalType(enumValues);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = field(schema, key);
    if (Array.isArray(options) && options.length > 0) return unionOf(options.map((o) => node(o, state, depth + 1)));
  }
  const allOf = field(schema, 'allOf');
  if (Array.isArray(allOf) && allOf.length === 1) return node(allOf[0], state, depth + 1);
  const typeField = field(schema, 'type');
  const types = typeof typeField === 'string' ? [typeField] : Array.isArray(typeField) ? typeField : undefined;
  if (types === undefined) return ANY;
  const members = types.map((t) => ofType(t, schema, state, depth));
  if (field(schema, 'nullable') === true) members.push(NULL);
  return unionOf(members);
}

function ofType(type: unknown, schema: Schema, state: State, depth: number): ValueType {
  switch (type) {
    case 'string':
      return STRING;
    case 'integer':
    case 'number':
      return numberType(schema);
    case 'boolean':
      return BOOLEAN;
    case 'null':
      return NULL;
    case 'array': {
      const items = field(schema, 'items');
      if (isSchema(items)) return arrayOf(node(items, state, depth + 1));
      const prefix = field(schema, 'prefixItems');
      if (Array.isArray(prefix) && prefix.length > 0) return arrayOf(unionOf(prefix.map((p) => node(p, state, depth + 1))));
      return arrayOf(ANY);
    }
    case 'object':
      return objectType(schema, state, depth);
    default:
      return ANY;
  }
}

function numberType(schema: Schema): ValueType {
  const bound = (key: string): number | undefined => {
    const v = field(schema, key);
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  const min = bound('minimum');
  const max = bound('maximum');
  // Draft 4 spelled exclusive bounds as booleans next to minimum / maximum.
  const exMin = field(schema, 'exclusiveMinimum') === true ? min : bound('exclusiveMinimum');
  const exMax = field(schema, 'exclusiveMaximum') === true ? max : bound('exclusiveMaximum');
  return {
    kind: 'number',
    ...(min !== undefined && field(schema, 'exclusiveMinimum') !== true ? { min } : {}),
    ...(max !== undefined && field(schema, 'exclusiveMaximum') !== true ? { max } : {}),
    ...(exMin !== undefined ? { exclusiveMin: exMin } : {}),
    ...(exMax !== undefined ? { exclusiveMax: exMax } : {}),
  };
}

function objectType(schema: Schema, state: State, depth: number): ValueType {
  const properties = new Map<string, ValueType>();
  const listed = field(schema, 'properties');
  if (isSchema(listed)) {
    for (const key of Object.keys(listed)) properties.set(key, node(listed[key], state, depth + 1));
  }
  const requiredField = field(schema, 'required');
  const required = new Set(Array.isArray(requiredField) ? requiredField.filter((k): k is string => typeof k === 'string') : []);
  const additional = field(schema, 'additionalProperties');
  const patterns = field(schema, 'patternProperties');
  let rest: ValueType | undefined;
  if (isSchema(additional)) rest = node(additional, state, depth + 1);
  else if (additional === true || isSchema(patterns) || properties.size === 0) rest = additional === false ? undefined : ANY;
  else rest = undefined;
  return { kind: 'object', properties, required, rest };
}

function literalType(values: readonly unknown[]): ValueType {
  const strings = values.filter((v): v is string => typeof v === 'string');
  const numbers = values.filter((v): v is number => typeof v === 'number');
  const members: ValueType[] = [];
  if (strings.length > 0) members.push({ kind: 'string', values: strings });
  if (numbers.length > 0) members.push({ kind: 'number', values: numbers });
  if (values.some((v) => typeof v === 'boolean')) members.push(BOOLEAN);
  if (values.includes(null)) members.push(NULL);
  if (values.some((v) => v !== null && typeof v === 'object')) members.push(ANY);
  return unionOf(members);
}

/** A local `$ref` (`#/$defs/Address`, `#/definitions/x`, `#`); anything else is unknown. */
function resolveRef(ref: string, root: unknown): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let current: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isSchema(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}
