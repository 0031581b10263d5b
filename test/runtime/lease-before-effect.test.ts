/**
 * A claim whose lease ran out before its next effect (a stalled process: SIGSTOP, a long GC, a
 * slow profile read) starts no effect: another worker may hold the enrollment by then. The next
 * claim replays the same advance, with the same visit and idempotency key, so the effect runs once.
 */
import { describe, expect, it } from 'vitest';
import type { DecisionFlows, Profiles } from '../../src/runtime/ports.js';
import { harness } from './engine-helpers.js';
import { journey } from './helpers.js';

const LEASE_MS = 60_000;
const flow = journey(
  [
    { id: 'pick', type: 'decide', config: { decisionFlowId: 'df_personal_loans' } },
    { id: 'mail', type: 'send', config: { channelId: 'email', resultSource: 'pick' } },
  ],
  { status: 'active' },
);

describe('the lease is checked before each effect', () => {
  it('a claim that stalls past its lease before its first effect leaves it to the next claim; the effect runs once', async () => {
    let stall = true;
    const decided: string[] = [];
    let clockRef: { advance(ms: number): void } | undefined;
    const profiles: Profiles = {
      async get(customerId) {
        // The first read stalls the process past the lease (the virtual clock moves on meanwhile).
        if (stall) {
          stall = false;
          clockRef!.advance(LEASE_MS + 1);
        }
        return { id: customerId, attributes: {}, segments: [] };
      },
      async apply() {},
    };
    const decisions: DecisionFlows = {
      async decide(request) {
        decided.push(request.idempotencyKey);
        return [{ id: 'loan_a' }];
      },
    };
    const h = harness({ engine: { leaseMs: LEASE_MS, profiles, decisions } });
    clockRef = h.clock;
    const { id } = await h.engine.createJourney(flow);
    await h.engine.enroll(id, { customerId: 'c1' });

    // The stalled claim is lost before its first effect; its lease has run out, so the same runDue
    // claims the enrollment again at once and that claim does the work — once.
    expect(await h.engine.runDue()).toEqual({ processed: 1, lost: 1 });
    expect(decided).toHaveLength(1);
    expect(h.channels.sent.map((s) => s.idempotencyKey)).toEqual([decided[0]!.replace(':pick:', ':mail:')]);
    const [enrollment] = (await h.engine.listEnrollments({ journeyId: id })).items;
    expect(enrollment).toMatchObject({ status: 'completed' });
  });

  it('a claim within its lease runs its effects as before', async () => {
    const h = harness({ engine: { leaseMs: LEASE_MS } });
    const { id } = await h.engine.createJourney(flow);
    await h.engine.enroll(id, { customerIds: ['c1', 'c2'] });
    expect(await h.engine.runDue()).toEqual({ processed: 2, lost: 0 });
    expect(h.channels.sent).toHaveLength(2);
  });
});
