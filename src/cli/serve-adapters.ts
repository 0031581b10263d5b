/**
 * The adapters `journeys serve` plugs into the engine: channels that print or POST to a webhook,
 * and decision flows from a rules file.
 */
import { JourneyError, type Channels, type DecisionFlows, type Offer, type SendRequest } from '../index.js';
import { scriptedDecisions } from '../testing.js';

function describeSend(r: SendRequest): Record<string, unknown> {
  return {
    channelId: r.channelId,
    creativeId: r.creativeId,
    customerId: r.customer.id,
    offer: r.offer,
    journeyId: r.journeyId,
    enrollmentId: r.enrollmentId,
    stepId: r.stepId,
    idempotencyKey: r.idempotencyKey,
  };
}

/** Channels that print one line per send. */
export function printingChannels(write: (line: string) => void): Channels {
  return {
    async send(r) {
      write(`send ${r.channelId} to ${r.customer.id}: creative ${r.creativeId ?? '-'}, offer ${r.offer?.id ?? '-'} [${r.idempotencyKey}]\n`);
      return { messageId: r.idempotencyKey };
    },
  };
}

/**
 * Channels that POST each send as JSON to `url`, with the idempotency key as the
 * `Idempotency-Key` header. A non-2xx answer or a network error fails the send (the engine
 * retries it with the same key).
 */
export function webhookChannels(url: string, fetchImpl: typeof fetch = fetch): Channels {
  return {
    async send(r) {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': r.idempotencyKey },
        body: JSON.stringify(describeSend(r)),
      });
      await response.body?.cancel().catch(() => undefined);
      if (!response.ok) throw new Error(`webhook answered ${response.status}`);
      return { messageId: r.idempotencyKey };
    },
  };
}

/**
 * Decision flows from rules `{ "<decisionFlowId>": [offers…] }`: a flow answers its first
 * `maxOffers` offers; a flow without rules answers one offer `<decisionFlowId>:offer`.
 */
export function rulesDecisions(rules: unknown, source = 'rules'): DecisionFlows {
  if (rules === null || typeof rules !== 'object' || Array.isArray(rules)) {
    throw new JourneyError('invalid-rules', `${source}: rules are an object { "<decisionFlowId>": [{ "id": "offer_a", ... }] }`);
  }
  // Prototype-free, so a flow named `__proto__` is a flow like any other.
  const script: Record<string, Offer[]> = Object.create(null) as Record<string, Offer[]>;
  for (const [flow, offers] of Object.entries(rules)) {
    if (!Array.isArray(offers) || offers.some((o) => o === null || typeof o !== 'object' || typeof (o as Offer).id !== 'string')) {
      throw new JourneyError('invalid-rules', `${source}: "${flow}" must be an array of offers with string ids`, { path: [flow] });
    }
    script[flow] = offers as Offer[];
  }
  return scriptedDecisions(script);
}
