import { describe, expect, it } from 'vitest';
import { diagramCommand } from '../../src/cli/commands/diagram.js';
import { simulateCommand } from '../../src/cli/commands/simulate.js';
import { parseOutcome, testCommand } from '../../src/cli/commands/test.js';
import { mermaidText } from '../../src/cli/journey-diagram.js';
import { runCli } from '../../src/cli/run-cli.js';
import { scriptedResponse, syntheticCustomers } from '../../src/cli/synthetic-customers.js';
import { fakeIo, GOOD, SEED } from './cli-io.js';

describe('journeys --help', () => {
  it('lists every command', async () => {
    const io = fakeIo();
    expect(await runCli(['--help'], io)).toBe(0);
    for (const name of ['validate', 'test', 'simulate', 'diagram', 'serve']) expect(io.out).toContain(`  ${name}`);
  });
});

describe('journeys test', () => {
  it('prints the timeline one line per entry: time, step, what happened, detail', async () => {
    const io = fakeIo();
    const status = await testCommand.run([GOOD, '--customer', '{"id":"c1","segments":["loan_interested"]}', '--outcome', 'step_send_email:click', '--start', '2026-03-10T09:00:00Z'], io);
    expect(status).toBe(0);
    const lines = io.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^2026-03-10 09:00:00Z {2}step_initial_offer +entered +decide$/);
    expect(io.out).toContain('outcome    customer responded: click');
    expect(io.out).toMatch(/step_check_response +branched +"Clicked but no conversion" → step_followup/);
    expect(io.out).toMatch(/2026-03-17 09:00:00Z {2}step_final_check +branched +default → step_not_converted/);
    expect(lines.at(-1)).toBe('result: completed');
  });

  it('reads the customer from a file, takes +duration outcomes, and prints JSON', async () => {
    const io = fakeIo({ 'c.json': '{"id":"c7"}' });
    expect(await testCommand.run([GOOD, '--customer', 'c.json', '--outcome', '+1h:conversion', '--json'], io)).toBe(0);
    const result = JSON.parse(io.out);
    expect(result.status).toBe('completed');
    expect(result.timeline.some((t: { stepId: string }) => t.stepId === 'step_thank_you')).toBe(true);
  });

  it('refuses a journey with errors (exit 1, diagnostics on stderr) and bad options (exit 1/2)', async () => {
    const io = fakeIo();
    expect(await testCommand.run([SEED], io)).toBe(1);
    expect(io.err).toContain('invalid-journey');
    expect(io.err).toMatch(/loan-nurture\.seed\.json: step_check_response: error unknown-target/);
    expect(await testCommand.run([GOOD, '--start', 'soon'], fakeIo())).toBe(1);
    expect(await testCommand.run([GOOD, '--customer', '{bad'], fakeIo())).toBe(1);
    expect(await testCommand.run([GOOD, '--outcome', 'nocolon'], fakeIo())).toBe(1);
    expect(await testCommand.run(['missing.json'], fakeIo())).toBe(1);
    expect(await testCommand.run([], fakeIo())).toBe(2);
    expect(await testCommand.run([GOOD, '--nope'], fakeIo())).toBe(2);
    expect(parseOutcome('a:b:click')).toEqual({ afterStepId: 'a:b', type: 'click' });
  });

  it('refuses an --outcome naming a step the journey does not have (exit 1, did you mean)', async () => {
    const io = fakeIo();
    expect(await testCommand.run([GOOD, '--outcome', 'step_send_emial:click'], io)).toBe(1);
    expect(io.out).toBe('');
    expect(io.err).toContain('unknown-step');
    expect(io.err).toContain('--outcome "step_send_emial:click"');
    expect(io.err).toContain('did you mean "step_send_email"?');
  });
});

describe('journeys simulate', () => {
  it('runs N synthetic customers and prints the funnel, exit reasons and wall time', async () => {
    const io = fakeIo();
    expect(await simulateCommand.run([GOOD, '--customers', '500', '--seed', '3'], io)).toBe(0);
    expect(io.out).toMatch(/^Personal Loan Nurture: 500 customers, \d+ enrolled \(not enrolled: not-in-segment \d+\)/);
    expect(io.out).toMatch(/step +type +entered +completed +skipped +of enrolled/);
    expect(io.out).toMatch(/step_initial_offer +decide +\d+ +\d+ +0 +100\.0%/);
    expect(io.out).toMatch(/completed: \d+/);
    expect(io.out).toMatch(/simulated 7 days in 0 ms wall time/);
    expect(io.err).toBe('');
  });

  it('is deterministic for a seed, and the funnel adds up', async () => {
    const a = fakeIo();
    const b = fakeIo();
    await simulateCommand.run([GOOD, '--customers', '300', '--seed', '9', '--json'], a);
    await simulateCommand.run([GOOD, '--customers', '300', '--seed', '9', '--json'], b);
    expect(a.out).toBe(b.out);
    const r = JSON.parse(a.out);
    const step = (id: string) => r.steps.find((s: { stepId: string }) => s.stepId === id);
    expect(step('step_followup').entered + step('step_reminder').entered + step('step_thank_you').entered - step('step_final_check').entered * 0).toBeGreaterThan(0);
    expect(step('step_check_response').completed).toBe(r.enrolled);
    expect(step('step_not_converted').entered + step('step_thank_you').entered).toBe(r.completed);
    expect(r.outcomes.conversion).toBe(step('step_thank_you').entered);
  });

  it('counts sends skipped for want of an offer apart from the completed ones', async () => {
    const doc = {
      name: 'Skips',
      maxDuration: 30,
      steps: [
        { id: 'who', type: 'branch', config: { conditions: [{ expression: 'customer.vip == true', targetStepId: 'pick' }], defaultTargetStepId: 'mail' } },
        { id: 'pick', type: 'decide', config: { decisionFlowId: 'df', storeResultAs: 'offer' } },
        { id: 'mail', type: 'send', config: { channelId: 'email', resultSource: 'offer' } },
      ],
    };
    const customers = ['{"id":"vip","attributes":{"vip":true}}', '{"id":"a"}', '{"id":"b"}'].join('\n');
    const io = fakeIo({ 'j.json': JSON.stringify(doc), 'c.ndjson': customers });
    expect(await simulateCommand.run(['j.json', '--customers', 'c.ndjson', '--json'], io)).toBe(0);
    const mail = JSON.parse(io.out).steps.find((s: { stepId: string }) => s.stepId === 'mail');
    expect(mail).toEqual({ stepId: 'mail', type: 'send', entered: 3, completed: 1, skipped: { 'no-offer': 2 } });
    const text = fakeIo({ 'j.json': JSON.stringify(doc), 'c.ndjson': customers });
    await simulateCommand.run(['j.json', '--customers', 'c.ndjson'], text);
    expect(text.out).toMatch(/mail +send +3 +1 +2 +100\.0%/);
  });

  it('draws a progress bar on stderr only when it is a terminal', async () => {
    const io = fakeIo({}, { stderrIsTTY: true });
    await simulateCommand.run([GOOD, '--customers', '50'], io);
    expect(io.err).toMatch(/\r\[#+\] 100% {2}\d+\/\d+\n$/);
  });

  it('takes customers from an NDJSON file', async () => {
    const io = fakeIo({ 'c.ndjson': '{"id":"a","segments":["loan_interested"]}\n\n{"id":"b"}\n' });
    await simulateCommand.run([GOOD, '--customers', 'c.ndjson', '--json'], io);
    expect(JSON.parse(io.out)).toMatchObject({ customers: 2, enrolled: 1, notEnrolled: { 'not-in-segment': 1 } });
    expect(await simulateCommand.run([GOOD, '--customers', 'c.ndjson'], fakeIo({ 'c.ndjson': '{"id":' }))).toBe(1);
    expect(await simulateCommand.run([GOOD], fakeIo())).toBe(2);
  });

  it('makes deterministic customers and responses near the scripted rates', () => {
    const journey = { entryConditions: { segments: ['s'] } } as never;
    expect(syntheticCustomers(5, 1, journey)).toEqual(syntheticCustomers(5, 1, journey));
    const responses = Array.from({ length: 10_000 }, (_, i) => scriptedResponse(1, `c${i}`, 1));
    const share = (t: string) => responses.filter((r) => r === t).length / responses.length;
    expect(share('conversion')).toBeGreaterThan(0.08);
    expect(share('conversion')).toBeLessThan(0.12);
    expect(share('click')).toBeGreaterThan(0.22);
    expect(share('click')).toBeLessThan(0.28);
  });
});

describe('journeys diagram', () => {
  it('prints a Mermaid flowchart with shapes per type, labelled branch edges and the end', async () => {
    const io = fakeIo();
    expect(await diagramCommand.run([GOOD], io)).toBe(0);
    const out = io.out;
    expect(out.startsWith('flowchart TD\n')).toBe(true);
    expect(out).toContain('s0{{"step_initial_offer: decide df_personal_loans"}}');
    expect(out).toContain('s1[/"step_send_email: send via ch_email"/]');
    expect(out).toContain('s2(["step_wait_3d: wait 3 days"])');
    expect(out).toContain('s3{"step_check_response?"}');
    expect(out).toContain('s8[["step_not_converted: update, 1 operation"]]');
    expect(out).toContain('s3 -->|"Converted"| s9');
    expect(out).toContain('s3 -->|"default"| s5');
    expect(out).toContain('s8 --> finish');
    expect(out).toContain('s9 --> finish');
  });

  it('draws missing targets of a journey with errors as dashed nodes', async () => {
    const io = fakeIo();
    expect(await diagramCommand.run([SEED], io)).toBe(0);
    expect(io.out).toContain('missing0["missing step step_end"]');
    expect(io.out).toContain('style missing0 stroke-dasharray: 5 5');
  });

  it('escapes labels so they cannot break out of the node', async () => {
    expect(mermaidText('a"]-->x[<b>|#;')).toBe('a#34;#93;--#62;x#91;#60;b#62;#124;#35;#59;');
    const doc = { name: 'n"]', maxDuration: 3, steps: [{ id: 'b', type: 'branch', label: 'x"] --> evil', config: { conditions: [{ label: 'a|b', expression: "outcome == 'x'", targetStepId: 'b2' }] } }, { id: 'b2', type: 'wait', config: { duration: 1, unit: 'days' } }] };
    const io = fakeIo({ 'd.json': JSON.stringify(doc) });
    expect(await diagramCommand.run(['d.json'], io)).toBe(0);
    for (const line of io.out.trimEnd().split('\n').slice(1)) expect(line).not.toMatch(/"[^"]*"[^"|\]})/]*"/);
    expect(io.out).toContain('-->|"a#124;b"|');
  });
});
