import { EXIT } from '../command.js';
import type { Command } from '../command.js';
import { EXAMPLE_JOURNEYS, exampleJourney } from '../examples.js';
import { parseCommandLine, suggestion } from '../parse-command-line.js';

const USAGE = `Usage: journeys example [name]

Without a name, list the example journeys shipped with journey-engine. With a name, print that
journey document (JSON) on stdout, to save and edit:

  journeys example loan-nurture > loan-nurture.json
  journeys validate loan-nurture.json

Options:
  -h, --help  show this help
`;

/** `journeys example [name]`: list or print a shipped example journey. */
export const exampleCommand: Command = {
  name: 'example',
  summary: 'list the shipped example journeys, or print one to start from',
  usage: USAGE,
  async run(argv, io) {
    const parsed = parseCommandLine(exampleCommand, argv, {}, io);
    if (typeof parsed === 'number') return parsed;
    const [name, ...extra] = parsed.positionals;
    if (extra.length > 0) {
      io.stderr(`journeys example: name at most one example.\n\n${USAGE}`);
      return EXIT.usage;
    }
    if (name === undefined) {
      const width = Math.max(...EXAMPLE_JOURNEYS.map((e) => e.name.length));
      io.stdout(`${EXAMPLE_JOURNEYS.map((e) => `  ${e.name.padEnd(width)}  ${e.summary}`).join('\n')}\n`);
      return EXIT.ok;
    }
    const document = exampleJourney(name);
    if (document === undefined) {
      const names = EXAMPLE_JOURNEYS.map((e) => e.name);
      io.stderr(`journeys example: no example "${name}"${suggestion(name, names, (n) => `"${n}"`, `; the examples are ${names.join(', ')}`)}\n`);
      return EXIT.usage;
    }
    io.stdout(`${JSON.stringify(document, null, 2)}\n`);
    return EXIT.ok;
  },
};
