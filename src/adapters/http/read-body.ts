/**
 * Reading a JSON request body: media type, size limit enforced while the stream is read,
 * strict UTF-8, JSON syntax, and a shape check (depth, no `__proto__` keys) before any of it
 * reaches the engine.
 */
import { HttpError } from './http-errors.js';

/** Deepest nesting a body may have. Journeys need about 8 levels; attribute values a few more. */
export const MAX_JSON_DEPTH = 64;

/** Whether `Content-Type` is `application/json` (a UTF-8 `charset` parameter allowed). */
export function isJsonMediaType(header: string | null): boolean {
  if (header === null) return false;
  const [type, ...params] = header.split(';');
  if (type?.trim().toLowerCase() !== 'application/json') return false;
  for (const param of params) {
    const [name, value = ''] = param.split('=');
    const key = name?.trim().toLowerCase();
    if (key === '') continue;
    if (key !== 'charset') return false;
    if (!['utf-8', 'utf8'].includes(value.trim().replace(/^"|"$/g, '').toLowerCase())) return false;
  }
  return true;
}

/** Read at most `maxBytes` of the body; refuse with 413 as soon as it is exceeded. */
async function readLimited(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
    throw new HttpError('payload-too-large', `the body is larger than the limit of ${maxBytes} bytes`, { details: { limit: maxBytes } });
  }
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new HttpError('payload-too-large', `the body is larger than the limit of ${maxBytes} bytes`, { details: { limit: maxBytes } });
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** Refuse values nested deeper than {@link MAX_JSON_DEPTH} and objects with a `__proto__` key. Iterative. */
function checkShape(value: unknown): void {
  const stack: Array<{ value: unknown; depth: number; path: Array<string | number> }> = [{ value, depth: 0, path: [] }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.value === null || typeof item.value !== 'object') continue;
    if (item.depth >= MAX_JSON_DEPTH) {
      throw new HttpError('invalid-request', `the body is nested deeper than ${MAX_JSON_DEPTH} levels`, { path: item.path.slice(0, 8) });
    }
    if (Array.isArray(item.value)) {
      item.value.forEach((v, i) => stack.push({ value: v, depth: item.depth + 1, path: [...item.path, i] }));
      continue;
    }
    for (const key of Object.keys(item.value)) {
      if (key === '__proto__') throw new HttpError('forbidden-key', 'a body may not contain the key "__proto__"', { path: [...item.path, key] });
      stack.push({ value: (item.value as Record<string, unknown>)[key], depth: item.depth + 1, path: [...item.path, key] });
    }
  }
}

/**
 * The parsed JSON body, or `undefined` when it is empty and `optional`. Throws {@link HttpError}:
 * 415 for another media type, 413 over `maxBytes`, 400 for bad UTF-8, bad JSON or a bad shape.
 */
export async function readJson(request: Request, options: { maxBytes: number; optional?: boolean }): Promise<unknown> {
  const contentType = request.headers.get('content-type');
  if (contentType !== null && !isJsonMediaType(contentType)) {
    throw new HttpError('unsupported-media-type', 'send the body as application/json (charset utf-8 if any)', {
      details: { contentType: contentType.slice(0, 100) },
    });
  }
  const bytes = await readLimited(request, options.maxBytes);
  if (bytes.byteLength === 0) {
    if (options.optional) return undefined;
    throw new HttpError('invalid-json', 'this request needs a JSON body');
  }
  if (contentType === null) {
    throw new HttpError('unsupported-media-type', 'send the body with Content-Type: application/json');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError('invalid-json', 'the body is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError('invalid-json', `the body is not valid JSON (${error instanceof Error ? error.message.slice(0, 200) : 'syntax error'})`);
  }
  checkShape(value);
  return value;
}
