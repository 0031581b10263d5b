/**
 * The complete example of docs/testing-journeys.md, run as a test. The region between the
 * markers must match the doc's example (imports aside: the doc imports the published package,
 * this file the sources); the last test checks that they have not drifted apart.
 */
import { readFileSync } from 'node:fs';
import { describe as suite, expect as expectDoc, it as itDoc } from 'vitest';
// #region example
import { describe, expect, it } from 'vitest';
import { createEngine, simulate } from '../../src/index.js';
import { memoryProfiles, memoryStorage, recordingChannels, scriptedDecisions, virtualClock } from '../../src/testing.js';
import loanNurture from '../../examples/journeys/loan-nurture.json' with { type: 'json' };

const DAY = 86_400_000;

/** An engine on in-memory doubles, and a loop that jumps the clock from wake-up to wake-up. */
function setup() {
  const clock = virtualClock('2026-03-10T09:00:00Z');
  const channels = recordingChannels();
  const decisions = scriptedDecisions({ df_personal_loans: [{ id: 'loan_a', apr: 7.9 }] });
  const profiles = memoryProfiles([
    { id: 'ana', segments: ['loan_interested'] },
    { id: 'ben', segments: ['loan_interested'] },
  ]);
  const engine = createEngine({ storage: memoryStorage(), clock, channels, decisions, profiles });
  const runUntilIdle = async () => {
    await engine.runDue();
    for (let next = await engine.nextWakeAt(); next !== null; next = await engine.nextWakeAt()) {
      clock.set(next);
      await engine.runDue();
    }
  };
  return { clock, channels, decisions, profiles, engine, runUntilIdle };
}

describe('loan nurture', () => {
  it('sends the first email with the decided offer, then waits 3 days', async () => {
    const { engine, channels, decisions } = setup();
    const { id } = await engine.createJourney({ ...loanNurture, status: 'active' });
    await engine.enroll(id, { customerId: 'ana' });
    await engine.runDue();

    expect(decisions.calls.map((c) => c.decisionFlowId)).toEqual(['df_personal_loans']);
    expect(channels.to('ana').map((s) => [s.channelId, s.creativeId, s.offer?.id])).toEqual([
      ['ch_email', 'treat_loan_email_v1', 'loan_a'],
    ]);
    const [enrollment] = (await engine.listEnrollments({ customerId: 'ana' })).items;
    expect(enrollment).toMatchObject({ stepId: 'step_wait_3d', phase: 'waiting' });
    expect(enrollment!.wakeAt! - enrollment!.enteredAt).toBe(3 * DAY);
  });

  it('thanks a converter and sends a push reminder to someone who ignored the email', async () => {
    const { engine, channels, profiles, clock, runUntilIdle } = setup();
    const { id } = await engine.createJourney({ ...loanNurture, status: 'active' });
    await engine.enroll(id, { customerIds: ['ana', 'ben'] });
    await engine.runDue();
    clock.advance('1d');
    await engine.recordOutcome({ customerId: 'ana', type: 'conversion', idempotencyKey: 'crm-42' });
    await runUntilIdle();

    expect(profiles.peek('ana')).toMatchObject({ attributes: { journey_stage: 'converted' }, segments: ['loan_customers'] });
    expect(channels.to('ben').map((s) => s.channelId)).toEqual(['ch_email', 'ch_push']);
    expect(profiles.peek('ben')?.attributes).toEqual({ journey_stage: 'nurture_ended' });
    const stats = await engine.stats(id);
    expect(stats).toMatchObject({ completed: 2, active: 0 });
  });

  it('retries a failing channel with the same idempotency key', async () => {
    let failures = 1;
    const channels = recordingChannels({ fail: () => (failures-- > 0 ? new Error('smtp down') : undefined) });
    const clock = virtualClock('2026-03-10T09:00:00Z');
    const engine = createEngine({
      storage: memoryStorage(),
      clock,
      channels,
      decisions: scriptedDecisions(),
      profiles: memoryProfiles([{ id: 'ana', segments: ['loan_interested'] }]),
      retry: { initialDelayMs: 60_000 },
    });
    const { id } = await engine.createJourney({ ...loanNurture, status: 'active' });
    await engine.enroll(id, { customerId: 'ana' });
    await engine.runDue();
    expect(await engine.nextWakeAt()).toBe(clock.now() + 60_000);
    clock.advance('1m');
    await engine.runDue();
    expect(channels.failures.map((f) => f.request.idempotencyKey)).toEqual(channels.sent.map((s) => s.idempotencyKey));
  });

  it('simulate() gives a one-customer timeline without any wiring', async () => {
    const result = await simulate(loanNurture, {
      customer: { id: 'ben', segments: ['loan_interested'] },
      outcomes: [{ afterStepId: 'step_send_email', type: 'click' }],
    });
    expect(result.status).toBe('completed');
    expect(result.timeline.filter((t) => t.type === 'sent').map((t) => t.stepId)).toEqual(['step_send_email', 'step_followup']);
  });
});
// #endregion example

suite('docs/testing-journeys.md', () => {
  itDoc('shows exactly the example this file runs', () => {
    const source = readFileSync(new URL(import.meta.url), 'utf8');
    const region = source.slice(source.indexOf('// #region example\n') + '// #region example\n'.length, source.indexOf('// #endregion example'));
    const published = region
      .replace("from '../../src/index.js'", "from 'journey-engine'")
      .replace("from '../../src/testing.js'", "from 'journey-engine/testing'")
      .replace("'../../examples/journeys/loan-nurture.json'", "'./loan-nurture.json'");
    const doc = readFileSync(new URL('../../docs/testing-journeys.md', import.meta.url), 'utf8');
    const block = /<!-- example:start -->\n```ts\n([\s\S]*?)```\n<!-- example:end -->/.exec(doc)?.[1];
    expectDoc(block).toBe(published);
  });
});
