import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT, type CliIo } from './command.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
const HELP = { help: { type: 'boolean', short: 'h' } } as const;
type Config<O extends OptionsConfig> = { args: string[]; options: O & typeof HELP; allowPositionals: boolean; strict: true };
/** What `parseArgs` answers for these options. */
export type ParsedCommandLine<O extends OptionsConfig> = ReturnType<typeof parseArgs<Config<O>>>;

/**
 * Parse a command's arguments the way every `journeys` command does: strict options plus
 * `--help`/`-h`, positionals allowed unless told otherwise. Answers the parsed line, or the exit status when the
 * command is already done (usage printed for `--help`; an error and the usage for bad options).
 */
export function parseCommandLine<const O extends OptionsConfig>(
  command: { readonly name: string; readonly usage: string },
  argv: readonly string[],
  options: O,
  io: Pick<CliIo, 'stdout' | 'stderr'>,
  { positionals = true }: { readonly positionals?: boolean } = {},
): ParsedCommandLine<O> | number {
  let parsed: ParsedCommandLine<O>;
  try {
    parsed = parseArgs<Config<O>>({ args: [...argv], options: { ...options, ...HELP }, allowPositionals: positionals, strict: true });
  } catch (error) {
    io.stderr(`journeys ${command.name}: ${error instanceof Error ? error.message : String(error)}\n\n${command.usage}`);
    return EXIT.usage;
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout(command.usage);
    return EXIT.ok;
  }
  return parsed;
}
