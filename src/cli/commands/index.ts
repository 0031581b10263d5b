import type { Command } from '../command.js';
import { demoCommand } from './demo.js';
import { validateCommand } from './validate.js';

/**
 * Every `journeys` subcommand, in the order `journeys --help` lists them. Add a command by
 * writing `commands/<name>.ts` exporting a {@link Command} and listing it here.
 */
export const COMMANDS: readonly Command[] = Object.freeze([validateCommand, demoCommand]);
