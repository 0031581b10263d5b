import { describe, expect, it } from 'vitest';
import { diagramCommand } from '../../src/cli/commands/diagram.js';
import { simulateCommand } from '../../src/cli/commands/simulate.js';
import { testCommand } from '../../src/cli/commands/test.js';
import { validateCommand } from '../../src/cli/commands/validate.js';
import { SPLIT_JOURNEY } from '../runtime/split-journey.js';
import { fakeIo } from './cli-io.js';

const AB = JSON.stringify(SPLIT_JOURNEY);

describe('the CLI with a split', () => {
  it('journeys validate: clean', async () => {
    const io = fakeIo({ 'ab.json': AB });
    expect(await validateCommand.run(['ab.json'], io)).toBe(0);
    expect(io.out).toContain('0 errors, 0 warnings');
  });

  it('journeys test: a timeline line says which variant', async () => {
    const io = fakeIo({ 'ab.json': AB });
    expect(await testCommand.run(['ab.json', '--customer', '{"id":"c1"}', '--start', '2026-03-10T09:00:00Z'], io)).toBe(0);
    const variant = /step_split +split +variant=(A|B|Holdout)$/m.exec(io.out)?.[1];
    expect(variant).toBeDefined();
    expect(io.out).toMatch(new RegExp(`step_split +noted +variant:${variant} variant=${variant}$`, 'm'));
    expect(io.out.trimEnd().split('\n').at(-1)).toBe('result: completed');
  });

  it('journeys simulate: the funnel follows the weights and says what the split noted', async () => {
    const io = fakeIo({ 'ab.json': AB });
    expect(await simulateCommand.run(['ab.json', '--customers', '2000', '--json'], io)).toBe(0);
    const report = JSON.parse(io.out);
    const split = report.steps.find((s: { stepId: string }) => s.stepId === 'step_split');
    expect(split.entered).toBe(2000);
    const noted = split.noted as Record<string, number>;
    expect(Object.keys(noted).sort()).toEqual(['variant:A', 'variant:B', 'variant:Holdout']);
    expect(noted['variant:A']! + noted['variant:B']! + noted['variant:Holdout']!).toBe(2000);
    expect(report.steps.find((s: { stepId: string }) => s.stepId === 'step_email_a').entered).toBe(noted['variant:A']);
    expect(noted['variant:Holdout']).toBeGreaterThan(100);
    expect(noted['variant:Holdout']).toBeLessThan(300);
    const text = fakeIo({ 'ab.json': AB });
    expect(await simulateCommand.run(['ab.json', '--customers', '2000'], text)).toBe(0);
    expect(text.out).toMatch(/^noted at step_split: variant:\S+ \d+ \(\d+\.\d%\), /m);
  });

  it('journeys diagram: one edge per variant labelled with its share, a holdout to the end', async () => {
    const io = fakeIo({ 'ab.json': AB });
    expect(await diagramCommand.run(['ab.json'], io)).toBe(0);
    expect(io.out).toContain('s0[/"step_split: split A 45#37;, B 45#37;, Holdout 10#37;"\\]');
    expect(io.out).toContain('s0 -->|"A #183; 45#37;"| s1');
    expect(io.out).toContain('s0 -->|"B #183; 45#37;"| s2');
    expect(io.out).toContain('s0 -->|"Holdout #183; 10#37;"| finish');
  });
});
