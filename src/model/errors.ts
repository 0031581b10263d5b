/** A path into an input: object keys and array indices. */
export type Path = ReadonlyArray<string | number>;

/**
 * The one error type the library throws for a caller's mistake or a refused operation.
 * `code` is stable (switch on it); `path` points at the offending input when there is one.
 */
export class JourneyError extends Error {
  override readonly name = 'JourneyError';
  readonly code: string;
  readonly path: Path;
  readonly details: unknown;

  constructor(code: string, message: string, options: { path?: Path; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path ?? [];
    this.details = options.details;
  }
}

/** Render a path as `steps[3].config.duration`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}
