import { EXIT } from './command.js';
import type { CliIo, Command } from './command.js';
import { COMMANDS } from './commands/index.js';
import { reportError } from './journey-file.js';
import { suggestion } from './parse-command-line.js';

function help(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: journeys <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `journeys <command> --help` for a command\'s options.',
    '',
  ].join('\n');
}

/**
 * Run the `journeys` CLI with `argv` (the arguments after the program name) and resolve to the
 * exit status. Dispatches to the command registry; `--help` lists the commands.
 */
export async function runCli(argv: readonly string[], io: CliIo, commands: readonly Command[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  const unknown = (word: string) => {
    const hint = suggestion(word, [...commands.map((c) => c.name), 'help'], (n) => `"${n}"`, '; see the commands below');
    io.stderr(`journeys: unknown command "${word}"${hint}\n\n${help(commands)}`);
    return EXIT.usage;
  };
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' && rest[0] !== undefined ? commands.find((c) => c.name === rest[0]) : undefined;
    if (name === 'help' && rest[0] !== undefined && topic === undefined) return unknown(rest[0]);
    io.stdout(topic ? topic.usage : help(commands));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) return unknown(name);
  try {
    return await command.run(rest, io);
  } catch (error) {
    // One line, never a stack trace: a command reports its own failures; this is the last net.
    return reportError(io, name, error);
  }
}
