import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/adapters/memory/index.js';
import { sqliteStorage } from '../../src/adapters/sqlite/index.js';
import type { Storage } from '../../src/runtime/ports.js';
import { harness, type Harness } from './engine-helpers.js';
import { journey } from './helpers.js';

const sendThenWait = journey([
  { id: 'mail', type: 'send', config: { channelId: 'email' } },
  { id: 'pause', type: 'wait', config: { duration: 1, unit: 'days' } },
  { id: 'again', type: 'send', config: { channelId: 'sms' } },
], { status: 'active' });

/** A channel that archives the journey while it delivers (the archive lands mid-send). */
async function archivedDuringSend(storage: Storage): Promise<{ h: Harness; id: string; enrollmentId: string; sent: string[] }> {
  const h = harness({ storage, customers: [{ id: 'c1' }] });
  const { id } = await h.engine.createJourney(sendThenWait);
  const original = h.channels.send.bind(h.channels);
  h.channels.send = async (request) => {
    const receipt = await original(request);
    await h.engine.setStatus(id, 'archived');
    return receipt;
  };
  const sent: string[] = [];
  h.engine.events.on('sent', (e) => sent.push(`${e.idempotencyKey}:${e.channelId}:${e.receipt.messageId}:${e.enrollment.status}`));
  const { enrolled } = await h.engine.enroll(id, { customerId: 'c1' });
  await h.engine.runDue();
  return { h, id, enrollmentId: enrolled[0]!.enrollmentId, sent };
}

describe('effect log: every effect that happened is recorded', () => {
  for (const [name, make] of [
    ['memory', () => memoryStorage()],
    ['sqlite', () => sqliteStorage({ filename: ':memory:' })],
  ] as const) {
    it(`records a send the channel accepted while the journey was archived under it, with its counters and sent event (${name})`, async () => {
      const { h, id, enrollmentId, sent } = await archivedDuringSend(make());
      expect(h.channels.sent.map((s) => s.idempotencyKey)).toEqual([`${enrollmentId}:mail:1`]);

      const e = (await h.engine.getEnrollment(enrollmentId))!;
      expect(e).toMatchObject({ status: 'exited', exitReason: 'archived', stepId: 'mail' });
      const effects = await h.storage.listEffects('default', enrollmentId);
      expect(effects).toEqual([
        expect.objectContaining({ idempotencyKey: `${enrollmentId}:mail:1`, type: 'send', stepId: 'mail', visit: 1, detail: { channelId: 'email', messageId: 'msg_1' } }),
      ]);
      expect(sent).toEqual([`${enrollmentId}:mail:1:email:msg_1:exited`]);

      const stats = await h.engine.stats(id);
      expect(stats.steps.find((s) => s.stepId === 'mail')).toMatchObject({ entered: 1, completed: 1, exited: { archived: 1 } });
      // the step after the send was never reached: the enrollment was archived at the send
      expect(stats.steps.find((s) => s.stepId === 'pause')).toMatchObject({ entered: 0, completed: 0 });
      expect(stats.exited).toEqual({ archived: 1 });
      await h.engine.close();
    });
  }

  it('records the effect once when the same effect is appended again (a retry)', async () => {
    const { h, id, enrollmentId } = await archivedDuringSend(memoryStorage());
    const [record] = await h.storage.listEffects('default', enrollmentId);
    const again = await h.storage.appendEffects({
      tenantId: 'default',
      effects: [record!],
      counters: [{ journeyId: id, stepId: 'mail', metric: 'completed' }],
    });
    expect(again).toEqual([]);
    expect(await h.storage.listEffects('default', enrollmentId)).toHaveLength(1);
    expect((await h.engine.stats(id)).steps.find((s) => s.stepId === 'mail')).toMatchObject({ completed: 1 });
  });
});
