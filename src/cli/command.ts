/** The side effects a command may have, injected so commands run in tests without spawning. */
export interface CliIo {
  /** Write to standard output (the text includes its own newlines). */
  stdout(text: string): void;
  /** Write to standard error. */
  stderr(text: string): void;
  /** Read a UTF-8 text file. */
  readFile(path: string): Promise<string>;
  /** Whether standard error is a terminal (progress bars are drawn only then). Default false. */
  readonly stderrIsTTY?: boolean;
  /** Wall clock for timings, epoch ms (default: `systemClock()`). */
  readonly now?: () => number;
  /** Aborted on SIGINT/SIGTERM: long-running commands (`serve`) stop gracefully and resolve. */
  readonly signal?: AbortSignal;
}

/** One `journeys <name>` subcommand. */
export interface Command {
  /** The word after `journeys`. */
  readonly name: string;
  /** One line for `journeys --help`. */
  readonly summary: string;
  /** The full usage text for `journeys <name> --help`. */
  readonly usage: string;
  /** Run with the arguments after the command name; resolves to the exit status. */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

/** Exit statuses shared by every command. */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2 });
