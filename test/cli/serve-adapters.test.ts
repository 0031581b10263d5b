import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { JourneyError } from '../../src/model/errors.js';
import { rulesDecisions, webhookChannels } from '../../src/cli/serve-adapters.js';
import { harness, runUntilIdle } from '../runtime/engine-helpers.js';
import { loadExample } from '../runtime/helpers.js';

interface Received {
  readonly key: string | undefined;
  readonly body: Record<string, unknown>;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A webhook receiver on loopback; `fail(n)` decides whether the n-th request gets a 500. */
async function receiver(fail: (n: number) => boolean = () => false): Promise<{ url: string; received: Received[]; attempts: () => number }> {
  const received: Received[] = [];
  let n = 0;
  const read = async (req: IncomingMessage) => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    return JSON.parse(text) as Record<string, unknown>;
  };
  server = createServer((req, res) => {
    void read(req).then((body) => {
      n += 1;
      if (fail(n)) {
        res.writeHead(500).end();
        return;
      }
      received.push({ key: req.headers['idempotency-key'] as string | undefined, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server!.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/sends`, received, attempts: () => n };
}

describe('journeys serve adapters over real HTTP', () => {
  it('POSTs each send to the webhook with its idempotency key, offers from the rules file', async () => {
    const hook = await receiver();
    const h = harness({
      customers: [{ id: 'c1', segments: ['loan_interested'] }],
      engine: { channels: webhookChannels(hook.url), decisions: rulesDecisions({ df_personal_loans: [{ id: 'loan_rules_a', apr: 6.9 }, { id: 'loan_rules_b' }] }) },
    });
    const { id } = await h.engine.createJourney({ ...loadExample('loan-nurture.json'), status: 'active' });
    await h.engine.enroll(id, { customerId: 'c1' });
    await runUntilIdle(h);
    expect(hook.received.map((r) => [r.body['stepId'], r.body['channelId'], (r.body['offer'] as { id: string }).id])).toEqual([
      ['step_send_email', 'ch_email', 'loan_rules_a'],
      ['step_reminder', 'ch_push', 'loan_rules_a'],
    ]);
    for (const r of hook.received) expect(r.key).toBe(r.body['idempotencyKey']);
  });

  it('a webhook that answers 500 fails the send; the retry reuses the key and then succeeds', async () => {
    const hook = await receiver((n) => n === 1);
    const h = harness({ engine: { channels: webhookChannels(hook.url) } });
    const { id } = await h.engine.createJourney({ name: 'one send', maxDuration: 1, status: 'active', steps: [{ id: 's', type: 'send', config: { channelId: 'ch' } }] });
    const { enrolled } = await h.engine.enroll(id, { customerId: 'c1' });
    await runUntilIdle(h);
    expect(hook.attempts()).toBe(2);
    expect(hook.received.map((r) => r.key)).toEqual([`${enrolled[0]!.enrollmentId}:s:1`]);
    expect((await h.engine.getEnrollment(enrolled[0]!.enrollmentId))?.status).toBe('completed');
  });

  it('takes flows named like Object.prototype properties (__proto__, constructor) as flows', async () => {
    const decisions = rulesDecisions(JSON.parse('{"__proto__": [{"id": "p"}], "constructor": [{"id": "c"}]}'));
    const ask = (decisionFlowId: string) =>
      decisions.decide({ decisionFlowId, maxOffers: 1, customer: { id: 'c1', attributes: {}, segments: [] }, tenantId: 't', journeyId: 'j', enrollmentId: 'e', stepId: 's', idempotencyKey: 'e:s:1' });
    expect(await ask('__proto__')).toEqual([{ id: 'p' }]);
    expect(await ask('constructor')).toEqual([{ id: 'c' }]);
    expect(await ask('toString')).toEqual([{ id: 'toString:offer' }]);
  });

  it('refuses a rules file that is not { flowId: [offers with string ids] }, naming the flow', () => {
    expect(() => rulesDecisions([])).toThrowError(JourneyError);
    const error = (() => {
      try {
        rulesDecisions({ df_ok: [{ id: 'a' }], df_bad: [{ name: 'no id' }] }, 'rules.json');
      } catch (e) {
        return e as JourneyError;
      }
      return undefined;
    })();
    expect(error).toMatchObject({ code: 'invalid-rules', path: ['df_bad'] });
  });
});
