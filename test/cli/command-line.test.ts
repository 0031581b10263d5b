import { describe, expect, it } from 'vitest';
import { EXIT, type Command } from '../../src/cli/command.js';
import { parseCommandLine } from '../../src/cli/parse-command-line.js';
import { runCli } from '../../src/cli/run-cli.js';
import { fakeIo, GOOD } from './cli-io.js';

const demoLike = { name: 'demo', usage: 'Usage: journeys demo [--customers n] [--fresh]\n' };
const OPTIONS = { customers: { type: 'string' }, fresh: { type: 'boolean' }, db: { type: 'string' } } as const;

function firstLine(text: string): string {
  return text.split('\n')[0]!;
}

describe('parseCommandLine: our own messages for bad options', () => {
  it('names an unknown option and suggests the closest one', () => {
    const io = fakeIo();
    expect(parseCommandLine(demoLike, ['--custmers', '5'], OPTIONS, io, { positionals: false })).toBe(EXIT.usage);
    expect(firstLine(io.err)).toBe('journeys demo: unknown option --custmers; did you mean --customers?');
    expect(io.err).toContain('Usage: journeys demo');
  });

  it('names an unknown option without a suggestion when none is close', () => {
    const io = fakeIo();
    expect(parseCommandLine(demoLike, ['--frobnicate'], OPTIONS, io)).toBe(EXIT.usage);
    expect(firstLine(io.err)).toBe('journeys demo: unknown option --frobnicate; see the options below');
    const short = fakeIo();
    expect(parseCommandLine(demoLike, ['-x'], OPTIONS, short)).toBe(EXIT.usage);
    expect(firstLine(short.err)).toBe('journeys demo: unknown option -x; see the options below');
  });

  it('says an option needs a value, or takes none', () => {
    const missing = fakeIo();
    expect(parseCommandLine(demoLike, ['--customers'], OPTIONS, missing)).toBe(EXIT.usage);
    expect(firstLine(missing.err)).toBe('journeys demo: option --customers needs a value (--customers <value>)');
    const dash = fakeIo();
    expect(parseCommandLine(demoLike, ['--customers', '--fresh'], OPTIONS, dash)).toBe(EXIT.usage);
    expect(firstLine(dash.err)).toBe('journeys demo: option --customers needs a value, got the option --fresh (write --customers=--fresh to pass it as the value)');
    const flag = fakeIo();
    expect(parseCommandLine(demoLike, ['--fresh=yes'], OPTIONS, flag)).toBe(EXIT.usage);
    expect(firstLine(flag.err)).toBe('journeys demo: option --fresh takes no value (got "yes")');
  });

  it('refuses arguments a command does not take', () => {
    const io = fakeIo();
    expect(parseCommandLine(demoLike, ['extra'], OPTIONS, io, { positionals: false })).toBe(EXIT.usage);
    expect(firstLine(io.err)).toBe('journeys demo: unexpected argument "extra"; this command takes only options');
  });

  it('never shows Node\'s parseArgs text', () => {
    for (const argv of [['--custmers'], ['--customers'], ['--customers', '--db'], ['--fresh=1'], ['x'], ['-q']]) {
      const io = fakeIo();
      expect(parseCommandLine(demoLike, argv, OPTIONS, io, { positionals: false })).toBe(EXIT.usage);
      expect(io.err).not.toMatch(/Unknown option '|argument missing|is ambiguous|does not take an argument|Unexpected argument '/);
    }
  });

  it('still parses good command lines, --help and inline values', () => {
    const parsed = parseCommandLine(demoLike, ['--customers=5', '--fresh', '--db', 'x.db'], OPTIONS, fakeIo(), { positionals: false });
    expect(typeof parsed === 'number' ? parsed : parsed.values).toEqual({ customers: '5', fresh: true, db: 'x.db' });
    const help = fakeIo();
    expect(parseCommandLine(demoLike, ['-h'], OPTIONS, help)).toBe(EXIT.ok);
    expect(help.out).toContain('Usage: journeys demo');
    const dashed = parseCommandLine(demoLike, ['--', '--not-an-option'], OPTIONS, fakeIo());
    expect(typeof dashed === 'number' ? dashed : dashed.positionals).toEqual(['--not-an-option']);
  });
});

describe('journeys <command>: unknown commands and failures', () => {
  it('suggests the closest command for a typo', async () => {
    const io = fakeIo();
    expect(await runCli(['valdate', GOOD], io)).toBe(EXIT.usage);
    expect(firstLine(io.err)).toBe('journeys: unknown command "valdate"; did you mean "validate"?');
  });

  it('answers journeys help <typo> the same way', async () => {
    const io = fakeIo();
    expect(await runCli(['help', 'simulte'], io)).toBe(EXIT.usage);
    expect(firstLine(io.err)).toBe('journeys: unknown command "simulte"; did you mean "simulate"?');
    const known = fakeIo();
    expect(await runCli(['help', 'simulate'], known)).toBe(EXIT.ok);
    expect(known.out).toContain('Usage: journeys simulate');
  });

  it('names an unknown command without a suggestion when none is close', async () => {
    const io = fakeIo();
    expect(await runCli(['frobnicate'], io)).toBe(EXIT.usage);
    expect(firstLine(io.err)).toBe('journeys: unknown command "frobnicate"; see the commands below');
  });

  it('answers an unexpected failure in one line, without a stack trace', async () => {
    const boom: Command = {
      name: 'boom',
      summary: 'fails',
      usage: 'Usage: journeys boom\n',
      run: async () => {
        throw new Error('ENOENT: no such file or directory, open \'x.json\'');
      },
    };
    const io = fakeIo();
    expect(await runCli(['boom'], io, [boom])).toBe(EXIT.failed);
    expect(io.err).toBe("journeys boom: ENOENT: no such file or directory, open 'x.json'\n");
  });
});
