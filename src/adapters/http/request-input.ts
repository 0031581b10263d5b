/**
 * Checking what a request carries besides its body: query parameters, and bodies against small
 * zod schemas, turned into `invalid-request` errors with the offending path.
 */
import type { z } from 'zod';
import { HttpError } from './http-errors.js';

/** Most items a list answer holds. */
export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

/**
 * The query parameters, each at most once, all of them among `allowed`; unknown or repeated
 * parameters are a 400 (a misspelt filter should not silently return everything).
 */
export function queryOf(url: URL, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    if (!allowed.includes(key)) {
      throw new HttpError('unknown-parameter', `unknown query parameter "${key.slice(0, 64)}"; this endpoint takes ${allowed.join(', ') || 'none'}`, {
        path: ['query', key.slice(0, 64)],
      });
    }
    if (out.has(key)) throw new HttpError('invalid-request', `query parameter "${key}" is given more than once`, { path: ['query', key] });
    out.set(key, value);
  }
  return out;
}

function intParam(query: Map<string, string>, name: string, min: number, max: number, fallback: number): number {
  const raw = query.get(name);
  if (raw === undefined) return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new HttpError('invalid-request', `${name} must be an integer from ${min} to ${max}`, { path: ['query', name] });
  }
  return Number(raw);
}

/** `limit` (1..200, default 50) and `offset` (>= 0, default 0). */
export function pageOf(query: Map<string, string>): { limit: number; offset: number } {
  return { limit: intParam(query, 'limit', 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE), offset: intParam(query, 'offset', 0, 999_999_999, 0) };
}

/** A query parameter that must be one of `values`. */
export function enumParam<T extends string>(query: Map<string, string>, name: string, values: readonly T[]): T | undefined {
  const raw = query.get(name);
  if (raw === undefined) return undefined;
  if (!(values as readonly string[]).includes(raw)) {
    throw new HttpError('invalid-request', `${name} must be one of ${values.join(', ')}`, { path: ['query', name] });
  }
  return raw as T;
}

/** A free-form query parameter of 1..256 characters. */
export function idParam(query: Map<string, string>, name: string): string | undefined {
  const raw = query.get(name);
  if (raw === undefined) return undefined;
  if (raw.length === 0 || raw.length > 256) throw new HttpError('invalid-request', `${name} must be 1 to 256 characters`, { path: ['query', name] });
  return raw;
}

/** Parse a body with a zod schema; the first issue becomes a 400 with its path. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).map((p) => (typeof p === 'number' ? p : String(p)));
  const code = issue?.code === 'unrecognized_keys' ? 'unknown-field' : 'invalid-request';
  const keys = issue?.code === 'unrecognized_keys' ? (issue as { keys?: string[] }).keys ?? [] : [];
  const fullPath = keys[0] === undefined ? path : [...path, keys[0]];
  const where = fullPath.length > 0 ? `${fullPath.join('.')}: ` : '';
  const message = code === 'unknown-field' ? `unknown field "${keys[0]}"` : (issue?.message ?? 'invalid body');
  throw new HttpError(code, `${where}${message}`, { path: fullPath });
}
