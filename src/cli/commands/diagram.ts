import { EXIT } from '../command.js';
import { parseCommandLine } from '../parse-command-line.js';
import type { Command } from '../command.js';
import { journeyDiagram } from '../journey-diagram.js';
import { loadJourney, reportError } from '../journey-file.js';

const USAGE = `Usage: journeys diagram <journey.json>

Print the journey as a Mermaid flowchart (paste it into a Markdown \`\`\`mermaid block).
Shapes: decide {{hexagon}}, branch {rhombus}, send [/parallelogram/], update [[subroutine]],
wait ([stadium]). Branch edges carry the condition's label (or expression) and "default".
Targets that name no step are drawn as dashed "missing step" nodes; the journey may have
errors as long as it parses.

Options:
  -h, --help  show this help
`;

/** `journeys diagram`: Mermaid flowchart of a journey. */
export const diagramCommand: Command = {
  name: 'diagram',
  summary: 'print a journey as a Mermaid flowchart',
  usage: USAGE,
  async run(argv, io) {
    const parsed = parseCommandLine({ name: 'diagram', usage: USAGE }, argv, {}, io);
    if (typeof parsed === 'number') return parsed;
    if (parsed.positionals.length !== 1) {
      io.stderr(`journeys diagram: name exactly one journey file.\n\n${USAGE}`);
      return EXIT.usage;
    }
    try {
      io.stdout(journeyDiagram(await loadJourney(parsed.positionals[0]!, io, { allowErrors: true })));
      return EXIT.ok;
    } catch (error) {
      return reportError(io, 'diagram', error);
    }
  },
};
