import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exampleCommand } from '../../src/cli/commands/example.js';
import { runCli } from '../../src/cli/run-cli.js';
import { fakeIo, GOOD, root, SEED } from './cli-io.js';

const file = (path: string) => JSON.parse(readFileSync(`${root}/${path}`, 'utf8')) as unknown;

describe('journeys example', () => {
  it('lists the shipped example journeys', async () => {
    const io = fakeIo();
    expect(await exampleCommand.run([], io)).toBe(0);
    expect(io.out).toMatch(/^ {2}loan-nurture {2,}.*Personal Loan Nurture/m);
    expect(io.out).toMatch(/^ {2}loan-nurture\.seed {2,}/m);
  });

  it('prints a shipped example exactly as its file in examples/journeys', async () => {
    const io = fakeIo();
    expect(await exampleCommand.run(['loan-nurture'], io)).toBe(0);
    expect(JSON.parse(io.out)).toEqual(file(GOOD));
    const seed = fakeIo();
    expect(await exampleCommand.run(['loan-nurture.seed'], seed)).toBe(0);
    expect(JSON.parse(seed.out)).toEqual(file(SEED));
  });

  it('prints what validate then accepts', async () => {
    const printed = fakeIo();
    await runCli(['example', 'loan-nurture'], printed);
    const io = fakeIo({ 'mine.json': printed.out });
    expect(await runCli(['validate', 'mine.json'], io)).toBe(0);
  });

  it('refuses an unknown name with a suggestion (exit 2)', async () => {
    const io = fakeIo();
    expect(await exampleCommand.run(['loan-nurtur'], io)).toBe(2);
    expect(io.err.split('\n')[0]).toBe('journeys example: no example "loan-nurtur"; did you mean "loan-nurture"?');
  });
});
