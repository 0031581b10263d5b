/**
 * Checking what a request carries besides its body: query parameters, and bodies against small
 * zod schemas, turned into `invalid-request` errors with the offending path.
 */
import { z } from 'zod';
import { idProblem } from '../../model/ids.js';
import { unknownFieldMessage } from '../../validate/closest-key.js';
import { knownKeysAt } from '../../validate/schema-walk.js';
import type { JourneyErrorCode } from '../../model/errors.js';
import { HTTP_STATUS_BY_CODE, HttpError } from './http-errors.js';

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

/** How the OpenAPI document describes `limit` and `offset`. */
export const pageQuery = {
  limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  offset: z.number().int().min(0).max(999_999_999).default(0),
};

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

/** A query parameter holding an id (checked like every id: see `idProblem`). */
export function idParam(query: Map<string, string>, name: string): string | undefined {
  const raw = query.get(name);
  if (raw === undefined) return undefined;
  const problem = idProblem(raw);
  if (problem !== undefined) throw new HttpError('invalid-id', `${name}: ${problem}`, { path: ['query', name] });
  return raw;
}

/**
 * Parse a body with a zod schema; the first issue becomes a 400 with its path: `unknown-field`
 * (naming the field and the closest known one), the issue's own `params.code` for custom checks
 * (such as `invalid-id`), else `invalid-request`.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).map((p) => (typeof p === 'number' ? p : String(p)));
  if (issue?.code === 'unrecognized_keys') {
    const field = issue.keys[0] ?? '';
    const { message, suggestion } = unknownFieldMessage(field, knownKeysAt(schema, body, issue.path));
    throw new HttpError('unknown-field', message, { path: [...path, field], details: { field, ...(suggestion ? { suggestion } : {}) } });
  }
  const custom = issue?.code === 'custom' ? (issue.params as { code?: unknown } | undefined)?.code : undefined;
  const code: JourneyErrorCode = typeof custom === 'string' && Object.hasOwn(HTTP_STATUS_BY_CODE, custom) ? (custom as JourneyErrorCode) : 'invalid-request';
  const where = path.length > 0 ? `${path.join('.')}: ` : '';
  throw new HttpError(code, `${where}${issue?.message ?? 'invalid body'}`, { path });
}
