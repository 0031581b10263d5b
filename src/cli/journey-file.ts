/**
 * Reading the CLI's inputs: journey files and JSON options, with coded errors
 * (`unreadable-file`, `invalid-json`, `invalid-journey` with diagnostics).
 */
import { JourneyError, validateJourney, type JourneyDocument } from '../index.js';
import type { CliIo } from './command.js';
import { formatDiagnostic } from './commands/validate.js';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Read a file, or throw `unreadable-file`. */
export async function readText(path: string, io: CliIo): Promise<string> {
  try {
    return await io.readFile(path);
  } catch (error) {
    throw new JourneyError('unreadable-file', `cannot read ${path} (${messageOf(error)}); check the path and its permissions`, { details: { file: path } });
  }
}

/** Parse JSON text, or throw `invalid-json` naming where it came from. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new JourneyError('invalid-json', `${source} is not valid JSON (${messageOf(error)})`, { details: { file: source } });
  }
}

/**
 * A journey file, parsed and validated; throws `invalid-journey` (with diagnostics) when it has
 * errors — or, with `allowErrors`, only when it does not even parse as a journey.
 */
export async function loadJourney(path: string, io: CliIo, options: { allowErrors?: boolean } = {}): Promise<JourneyDocument> {
  const document = parseJson(await readText(path, io), path);
  const result = validateJourney(document);
  if (!result.journey || (!result.valid && !options.allowErrors)) {
    throw new JourneyError('invalid-journey', `${path} has errors; fix them first (journeys validate ${path})`, {
      details: { file: path, diagnostics: result.diagnostics },
    });
  }
  return result.journey;
}

/** An option given as inline JSON (starts with `{` or `[`) or as a file holding JSON. */
export async function jsonOption(value: string, io: CliIo, option: string): Promise<unknown> {
  const trimmed = value.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return parseJson(trimmed, `--${option}`);
  return parseJson(await readText(value, io), value);
}

/** One JSON value a line (blank lines skipped); throws `invalid-json` with the line number. */
export function parseNdjson(text: string, source: string): unknown[] {
  const out: unknown[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    out.push(parseJson(line, `${source} line ${index + 1}`));
  });
  return out;
}

/**
 * Print an error for a command: a JourneyError's code and message plus its diagnostics, or the
 * message of anything else. Answers the exit status (1).
 */
export function reportError(io: CliIo, command: string, error: unknown): number {
  if (JourneyError.is(error)) {
    io.stderr(`journeys ${command}: ${error.code}: ${error.message}\n`);
    const details = error.details as { file?: string; diagnostics?: Parameters<typeof formatDiagnostic>[1][] } | undefined;
    for (const d of details?.diagnostics ?? []) io.stderr(`${formatDiagnostic(details?.file ?? command, d)}\n`);
  } else {
    io.stderr(`journeys ${command}: ${messageOf(error)}\n`);
  }
  return 1;
}
