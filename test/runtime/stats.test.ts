import { describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/adapters/http/index.js';
import { checkedHandler } from '../http/openapi-check.js';
import { memoryStorage } from '../../src/adapters/memory/index.js';
import { sqliteStorage } from '../../src/adapters/sqlite/index.js';
import { validateJourney } from '../../src/validate/validate-journey.js';
import { harness, runUntilIdle } from './engine-helpers.js';
import { journey } from './helpers.js';

/** Customers with `customer.vip` get an offer decided; the others reach the send with none. */
const offerForVips = journey([
  { id: 'who', type: 'branch', config: { conditions: [{ expression: 'customer.vip == true', targetStepId: 'pick' }], defaultTargetStepId: 'mail' } },
  { id: 'pick', type: 'decide', config: { decisionFlowId: 'df', storeResultAs: 'offer' } },
  { id: 'mail', type: 'send', config: { channelId: 'email', resultSource: 'offer' } },
], { status: 'active' });

describe('stats: a skipped step is not a completed one', () => {
  it('counts a send skipped for want of an offer as skipped (by reason), not completed', async () => {
    expect(validateJourney(offerForVips).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    for (const storage of [memoryStorage(), sqliteStorage({ filename: ':memory:' })]) {
      const h = harness({ storage, customers: [{ id: 'vip', attributes: { vip: true } }, { id: 'a' }, { id: 'b' }] });
      const skipped: string[] = [];
      h.engine.events.on('step', ({ enrollment, event }) => {
        if (event.type === 'skipped') skipped.push(`${enrollment.customerId}:${event.stepId}:${event.reason}`);
      });
      const { id } = await h.engine.createJourney(offerForVips);
      await h.engine.enroll(id, { customerIds: ['vip', 'a', 'b'] });
      await runUntilIdle(h);

      expect(h.channels.sent.map((s) => s.customer.id)).toEqual(['vip']);
      expect(skipped.sort()).toEqual(['a:mail:no-offer', 'b:mail:no-offer']);
      const stats = await h.engine.stats(id);
      const mail = stats.steps.find((s) => s.stepId === 'mail')!;
      expect(mail).toMatchObject({ entered: 3, completed: 1, skipped: { 'no-offer': 2 } });
      expect(stats.steps.find((s) => s.stepId === 'pick')).toMatchObject({ entered: 1, completed: 1, skipped: {} });
      // every visit is accounted for once: completed, skipped, still there, exited or failed
      const ended = mail.completed + Object.values(mail.skipped).reduce((a, b) => a + b, 0);
      expect(ended).toBe(mail.entered);
      expect(stats.completed).toBe(3);

      const http = await checkedHandler(createHttpHandler(h.engine))(new Request(`http://test.local/api/v1/journeys/${id}/stats`));
      const body = (await http.json()) as { steps: { stepId: string }[] };
      expect(body.steps.find((s) => s.stepId === 'mail')).toEqual({
        stepId: 'mail', type: 'send', entered: 3, completed: 1, skipped: { 'no-offer': 2 }, current: 0, exited: {}, failed: 0, noted: {},
      });
      await h.engine.close();
    }
  });
});
