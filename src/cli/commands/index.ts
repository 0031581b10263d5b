import type { Command } from '../command.js';
import { demoCommand } from './demo.js';
import { diagramCommand } from './diagram.js';
import { exampleCommand } from './example.js';
import { serveCommand } from './serve.js';
import { simulateCommand } from './simulate.js';
import { testCommand } from './test.js';
import { validateCommand } from './validate.js';

/**
 * Every `journeys` subcommand, in the order `journeys --help` lists them. Add a command by
 * writing `commands/<name>.ts` exporting a {@link Command} and listing it here.
 */
export const COMMANDS: readonly Command[] = Object.freeze([validateCommand, testCommand, simulateCommand, diagramCommand, serveCommand, demoCommand, exampleCommand]);
