import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closestKey } from '../validate/closest-key.js';
import { EXIT, type CliIo } from './command.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
const HELP = { help: { type: 'boolean', short: 'h' } } as const;
type Config<O extends OptionsConfig> = { args: string[]; options: O & typeof HELP; allowPositionals: boolean; strict: true };
/** What `parseArgs` answers for these options. */
export type ParsedCommandLine<O extends OptionsConfig> = ReturnType<typeof parseArgs<Config<O>>>;

/** `; did you mean <x>?` when `word` is a likely typo of one of `known`, else `fallback`. */
export function suggestion(word: string, known: readonly string[], quote: (name: string) => string, fallback: string): string {
  const close = closestKey(word, known);
  return close === undefined ? fallback : `; did you mean ${quote(close)}?`;
}

/**
 * What is wrong with a command line, in our words, or undefined when it is fine. Reads the
 * tokens of a lenient parse, so Node's own parseArgs messages never reach the user.
 */
function problemOf(argv: readonly string[], options: OptionsConfig, positionals: boolean): string | undefined {
  const { tokens } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (!positionals) return `unexpected argument "${token.value}"; this command takes only options`;
      continue;
    }
    if (token.kind !== 'option') continue;
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (option === undefined) {
      const long = token.rawName.startsWith('--');
      const hint = long ? suggestion(token.name, Object.keys(options), (name) => `--${name}`, '; see the options below') : '; see the options below';
      return `unknown option ${token.rawName}${hint}`;
    }
    const name = `--${token.name}`;
    if (option.type === 'boolean') {
      if (token.value !== undefined) return `option ${name} takes no value (got "${token.value}")`;
      continue;
    }
    if (token.value === undefined) return `option ${name} needs a value (${name} <value>)`;
    if (!token.inlineValue && token.value.startsWith('-')) {
      return `option ${name} needs a value, got the option ${token.value} (write ${name}=${token.value} to pass it as the value)`;
    }
  }
  return undefined;
}

/**
 * Parse a command's arguments the way every `journeys` command does: strict options plus
 * `--help`/`-h`, positionals allowed unless told otherwise. Answers the parsed line, or the exit
 * status when the command is already done (usage printed for `--help`; for a bad command line,
 * one line saying what is wrong — "unknown option --custmers; did you mean --customers?" — and
 * the usage, exit status 2).
 */
export function parseCommandLine<const O extends OptionsConfig>(
  command: { readonly name: string; readonly usage: string },
  argv: readonly string[],
  options: O,
  io: Pick<CliIo, 'stdout' | 'stderr'>,
  { positionals = true }: { readonly positionals?: boolean } = {},
): ParsedCommandLine<O> | number {
  const all = { ...options, ...HELP };
  const fail = (problem: string) => {
    io.stderr(`journeys ${command.name}: ${problem}\n\n${command.usage}`);
    return EXIT.usage;
  };
  const problem = problemOf(argv, all, positionals);
  if (problem !== undefined) return fail(problem);
  let parsed: ParsedCommandLine<O>;
  try {
    parsed = parseArgs<Config<O>>({ args: [...argv], options: all, allowPositionals: positionals, strict: true });
  } catch {
    return fail('the command line does not parse; see the usage below');
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout(command.usage);
    return EXIT.ok;
  }
  return parsed;
}
