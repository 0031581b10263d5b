/**
 * Just enough zod-4 introspection to answer "which keys does the object at this path accept?",
 * used to suggest the closest known key for an unknown one. Works on any schema built from
 * objects, arrays, records, (discriminated) unions and wrappers, so it follows src/model as it
 * changes.
 */
import type { z } from 'zod';

interface Def {
  readonly type: string;
  readonly [key: string]: unknown;
}

function defOf(schema: unknown): Def | undefined {
  const zod = (schema as { _zod?: { def?: Def } } | undefined)?._zod;
  return zod?.def;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional']);

function unwrap(schema: unknown): unknown {
  for (let i = 0; i < 32; i++) {
    const def = defOf(schema);
    if (!def) return schema;
    if (WRAPPERS.has(def.type)) schema = def['innerType'];
    else if (def.type === 'lazy') schema = (def['getter'] as () => unknown)();
    else if (def.type === 'pipe') schema = def['in'];
    else return schema;
  }
  return schema;
}

/** Own-property read that never runs inherited getters. */
export function ownValue(value: unknown, key: string | number): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  return Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<string | number, unknown>)[key] : undefined;
}

/** The value at `path` inside `input` (own properties only), or undefined. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const part of path) {
    if (typeof part === 'symbol') return undefined;
    v = ownValue(v, part);
    if (v === undefined) return undefined;
  }
  return v;
}

function literalValues(schema: unknown): readonly unknown[] {
  const def = defOf(unwrap(schema));
  if (def?.type === 'literal') return def['values'] as readonly unknown[];
  if (def?.type === 'enum') return Object.values(def['entries'] as Record<string, unknown>);
  return [];
}

/** For a union, the option whose discriminator (`type`) matches the input, else undefined. */
function pickOption(def: Def, input: unknown): unknown {
  const options = def['options'] as readonly unknown[];
  const discriminator = typeof def['discriminator'] === 'string' ? def['discriminator'] : 'type';
  const tag = ownValue(input, discriminator);
  for (const option of options) {
    const optionDef = defOf(unwrap(option));
    if (optionDef?.type !== 'object') continue;
    const shape = optionDef['shape'] as Record<string, unknown>;
    if (shape[discriminator] !== undefined && literalValues(shape[discriminator]).includes(tag)) return option;
  }
  return undefined;
}

/**
 * The keys the object schema at `path` (relative to `schema`, walked alongside `input`)
 * accepts, or an empty array when the path does not lead to an object schema.
 */
export function knownKeysAt(schema: z.ZodType, input: unknown, path: readonly PropertyKey[]): string[] {
  let current: unknown = schema;
  let value = input;
  const steps = [...path, undefined];
  for (const part of steps) {
    current = unwrap(current);
    let def = defOf(current);
    if (def?.type === 'union') {
      current = unwrap(pickOption(def, value));
      def = defOf(current);
    }
    if (!def) return [];
    if (part === undefined) return def.type === 'object' ? Object.keys(def['shape'] as object) : [];
    if (typeof part === 'symbol') return [];
    switch (def.type) {
      case 'object':
        current = (def['shape'] as Record<string, unknown>)[part];
        break;
      case 'array':
        current = def['element'];
        break;
      case 'record':
        current = def['valueType'];
        break;
      default:
        return [];
    }
    value = ownValue(value, part);
  }
  return [];
}
