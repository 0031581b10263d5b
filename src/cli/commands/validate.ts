import { formatPath, systemClock } from '../../index.js';
import { validateJourney } from '../../validate/index.js';
import type { Diagnostic } from '../../validate/index.js';
import { EXIT } from '../command.js';
import { parseCommandLine } from '../parse-command-line.js';
import type { CliIo, Command } from '../command.js';

/** A diagnostic as the CLI reports it: a validator code, or `unreadable-file` / `invalid-json`. */
export interface FileDiagnostic extends Omit<Diagnostic, 'code'> {
  code: Diagnostic['code'] | 'unreadable-file' | 'invalid-json';
}

/** One entry of `journeys validate --json`. */
export interface FileReport {
  file: string;
  valid: boolean;
  diagnostics: FileDiagnostic[];
}

const USAGE = `Usage: journeys validate <file...> [--json]

Check journey documents (JSON) for schema errors, broken transitions, unreachable steps,
loops without a wait, bad expressions and result names, and total waits beyond maxDuration.

Options:
  --json      print [{ file, valid, diagnostics }] as JSON instead of text
  -h, --help  show this help

Exit status: 0 when no file has errors (warnings allowed), 1 when any file has errors or
cannot be read or parsed, 2 for a usage error.
`;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function check(file: string, io: CliIo): Promise<FileReport> {
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (error) {
    return {
      file,
      valid: false,
      diagnostics: [{ code: 'unreadable-file', severity: 'error', message: `cannot read the file (${messageOf(error)}); check the path and its permissions.`, path: [] }],
    };
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    return {
      file,
      valid: false,
      diagnostics: [{ code: 'invalid-json', severity: 'error', message: `the file is not valid JSON (${messageOf(error)}); fix the syntax and try again.`, path: [] }],
    };
  }
  const result = validateJourney(input, { now: (io.now ?? systemClock().now)() });
  return { file, valid: result.valid, diagnostics: result.diagnostics };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `file: stepId: error code: message`, or `file: path: …` when there is no step id. */
export function formatDiagnostic(file: string, d: FileDiagnostic): string {
  const where = d.stepId ?? formatPath(d.path);
  return `${file}: ${where === '' ? '' : `${where}: `}${d.severity} ${d.code}: ${d.message}`;
}

/** `journeys validate <file...> [--json]`. */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'check journey documents and print diagnostics like a compiler',
  usage: USAGE,
  async run(argv, io) {
    const parsed = parseCommandLine(validateCommand, argv, { json: { type: 'boolean' } }, io);
    if (typeof parsed === 'number') return parsed;
    const { values, positionals: files } = parsed;
    if (files.length === 0) {
      io.stderr(`journeys validate: name at least one journey file.\n\n${USAGE}`);
      return EXIT.usage;
    }
    const reports: FileReport[] = [];
    for (const file of files) reports.push(await check(file, io));
    const failed = reports.filter((r) => !r.valid).length;
    if (values.json) {
      io.stdout(`${JSON.stringify(reports, null, 2)}\n`);
    } else {
      let errors = 0;
      let warnings = 0;
      const lines: string[] = [];
      for (const report of reports) {
        for (const d of report.diagnostics) {
          if (d.severity === 'error') errors++;
          else warnings++;
          lines.push(formatDiagnostic(report.file, d));
        }
      }
      lines.push(
        `${plural(reports.length, 'file')} checked: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}${failed > 0 ? ` (${failed} invalid)` : ''}.`,
      );
      io.stdout(`${lines.join('\n')}\n`);
    }
    return failed > 0 ? EXIT.failed : EXIT.ok;
  },
};
