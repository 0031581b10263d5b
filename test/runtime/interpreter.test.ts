import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advance, createEnrollment, idempotencyKey } from '../../src/runtime/interpreter.js';
import { MAX_SENDS_KEPT, type Enrollment, type Input } from '../../src/runtime/types.js';
import { compile, DAY, HOUR, journey, loadExample, MINUTE, T0 } from './helpers.js';

const loan = compile(loadExample('loan-nurture.json'));

function start(j = loan, now = T0): Enrollment {
  return createEnrollment(j, { id: 'enr_1', customerId: 'c1' }, now);
}

describe('interpreter: advance()', () => {
  it('runs the first step of a new enrollment and asks for a decision with a stable idempotency key', () => {
    const r = advance(loan, start(), { type: 'wake' }, T0);
    expect(r.commands).toEqual([
      {
        type: 'decide',
        stepId: 'step_initial_offer',
        visit: 1,
        idempotencyKey: 'enr_1:step_initial_offer:1',
        decisionFlowId: 'df_personal_loans',
        maxOffers: 1,
        storeAs: 'loan_recommendation',
      },
    ]);
    expect(r.enrollment.phase).toBe('effect');
    // the step lies on no cycle: entered once (visit 1, as the key says), no count kept
    expect(r.enrollment.visits).toEqual({});
  });

  it('never mutates its inputs and is deterministic', () => {
    const e = start();
    const frozen = JSON.stringify(e);
    const a = advance(loan, e, { type: 'wake' }, T0);
    const b = advance(loan, e, { type: 'wake' }, T0);
    expect(JSON.stringify(e)).toBe(frozen);
    expect(a).toEqual(b);
  });

  it('stores decide results under storeResultAs and sends the first offer through the channel', () => {
    let r = advance(loan, start(), { type: 'wake' }, T0);
    r = advance(loan, r.enrollment, { type: 'decided', stepId: 'step_initial_offer', visit: 1, offers: [{ id: 'loan_a' }, { id: 'loan_b' }] }, T0);
    expect(r.enrollment.results).toEqual({ loan_recommendation: [{ id: 'loan_a' }] }); // maxOffers: 1
    expect(r.commands).toEqual([
      expect.objectContaining({ type: 'send', stepId: 'step_send_email', channelId: 'ch_email', creativeId: 'treat_loan_email_v1', offer: { id: 'loan_a' }, idempotencyKey: 'enr_1:step_send_email:1' }),
    ]);
  });

  it('turns a wait into an absolute wake-up and moves on only when it is due', () => {
    let r = advance(loan, start(), { type: 'wake' }, T0);
    r = advance(loan, r.enrollment, { type: 'decided', stepId: 'step_initial_offer', visit: 1, offers: [{ id: 'loan_a' }] }, T0);
    r = advance(loan, r.enrollment, { type: 'sent', stepId: 'step_send_email', visit: 1, receipt: {} }, T0 + 1000);
    expect(r.commands).toEqual([{ type: 'schedule', wakeAt: T0 + 1000 + 3 * DAY }]);
    expect(r.enrollment).toMatchObject({ stepId: 'step_wait_3d', phase: 'waiting', wakeAt: T0 + 1000 + 3 * DAY });
    const early = advance(loan, r.enrollment, { type: 'wake' }, T0 + 2 * DAY);
    expect(early.enrollment).toBe(r.enrollment);
    expect(early.commands).toEqual([]);
    const due = advance(loan, r.enrollment, { type: 'wake' }, T0 + 1000 + 3 * DAY);
    // no outcome → default target step_reminder (a push send)
    expect(due.commands).toEqual([expect.objectContaining({ type: 'send', stepId: 'step_reminder', channelId: 'ch_push' })]);
  });

  function atBranch(outcomes: string[] = []): Enrollment {
    let r = advance(loan, start(), { type: 'wake' }, T0);
    r = advance(loan, r.enrollment, { type: 'decided', stepId: 'step_initial_offer', visit: 1, offers: [{ id: 'loan_a' }] }, T0);
    r = advance(loan, r.enrollment, { type: 'sent', stepId: 'step_send_email', visit: 1, receipt: {} }, T0);
    let e = r.enrollment;
    outcomes.forEach((type, i) => {
      e = advance(loan, e, { type: 'outcome', outcome: { type, at: T0 + HOUR, key: `k${i}` } }, T0 + HOUR).enrollment;
    });
    return e;
  }

  it('branches on the first true condition, in order', () => {
    const r = advance(loan, atBranch(['click', 'conversion']), { type: 'wake' }, T0 + 3 * DAY);
    expect(r.events).toContainEqual(expect.objectContaining({ type: 'completed', stepId: 'step_check_response', detail: { matched: 'Converted', target: 'step_thank_you' } }));
    expect(r.commands[0]).toMatchObject({ type: 'update', stepId: 'step_thank_you' });
  });

  it('sees the latest outcome since the last send as `outcome`', () => {
    const r = advance(loan, atBranch(['conversion', 'click']), { type: 'wake' }, T0 + 3 * DAY);
    expect(r.commands[0]).toMatchObject({ type: 'send', stepId: 'step_followup' });
  });

  it('falls back to defaultTargetStepId when no condition matches', () => {
    const r = advance(loan, atBranch(['impression']), { type: 'wake' }, T0 + 3 * DAY);
    expect(r.commands[0]).toMatchObject({ type: 'send', stepId: 'step_reminder' });
  });

  it('ignores an outcome whose idempotency key it already holds', () => {
    const e = atBranch(['click']);
    const again = advance(loan, e, { type: 'outcome', outcome: { type: 'conversion', at: T0, key: 'k0' } }, T0 + HOUR);
    expect(again.enrollment).toBe(e);
  });

  it('a send clears the outcome the next branch sees', () => {
    const j = compile(journey([
      { id: 's1', type: 'send', config: { channelId: 'ch' } },
      { id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } },
      { id: 'b', type: 'branch', config: { conditions: [{ expression: 'outcome == null', targetStepId: 'yes' }], defaultTargetStepId: 'no' } },
      { id: 'yes', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'none' }] }, next: null },
      { id: 'no', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'some' }] }, next: null },
    ]));
    let e = start(j);
    e = advance(j, e, { type: 'outcome', outcome: { type: 'click', at: T0, key: 'before' } }, T0).enrollment;
    e = advance(j, e, { type: 'wake' }, T0).enrollment;
    e = advance(j, e, { type: 'sent', stepId: 's1', visit: 1, receipt: {} }, T0).enrollment;
    const done = advance(j, e, { type: 'wake' }, T0 + DAY);
    expect(done.enrollment.flags).toEqual({ none: true });
    expect(done.enrollment.status).toBe('completed');
    expect(done.enrollment.outcomes.map((o) => o.type)).toEqual(['click']);
  });

  describe('outcome respects when things happened', () => {
    // send s1, wait a day, send s2, wait a day, then branch on `outcome`.
    const twoSends = compile(journey([
      { id: 's1', type: 'send', config: { channelId: 'email' } },
      { id: 'w1', type: 'wait', config: { duration: 1, unit: 'days' } },
      { id: 's2', type: 'send', config: { channelId: 'email' } },
      { id: 'w2', type: 'wait', config: { duration: 1, unit: 'days' } },
      { id: 'b', type: 'branch', config: { conditions: [{ expression: "outcome == 'click'", targetStepId: 'clicked' }, { expression: "outcome == 'conversion'", targetStepId: 'converted' }], defaultTargetStepId: 'none' } },
      { id: 'clicked', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'clicked' }] }, next: null },
      { id: 'converted', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'converted' }] }, next: null },
      { id: 'none', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'none' }] }, next: null },
    ]));
    const SECOND_SEND = T0 + DAY;

    /** An enrollment that has sent s1 at T0 and s2 at T0 + 1 day, waiting before the branch. */
    function afterSecondSend(): Enrollment {
      let e = advance(twoSends, start(twoSends), { type: 'wake' }, T0).enrollment;
      e = advance(twoSends, e, { type: 'sent', stepId: 's1', visit: 1, receipt: { messageId: 'm-1' } }, T0).enrollment;
      e = advance(twoSends, e, { type: 'wake' }, SECOND_SEND).enrollment;
      return advance(twoSends, e, { type: 'sent', stepId: 's2', visit: 1, receipt: { messageId: 'm-2' } }, SECOND_SEND).enrollment;
    }
    function outcome(e: Enrollment, type: string, at: number, key: string, now: number, sendKey?: string): Enrollment {
      return advance(twoSends, e, { type: 'outcome', outcome: { type, at, key, ...(sendKey === undefined ? {} : { sendKey }) } }, now).enrollment;
    }
    const branchFlags = (e: Enrollment) => advance(twoSends, e, { type: 'wake' }, SECOND_SEND + DAY).enrollment.flags;

    it('keeps a bounded record of the sends, with their keys, message ids and times', () => {
      expect(afterSecondSend().sends).toEqual([
        { key: 'enr_1:s1:1', stepId: 's1', at: T0, messageId: 'm-1' },
        { key: 'enr_1:s2:1', stepId: 's2', at: SECOND_SEND, messageId: 'm-2' },
      ]);
    });

    it('a click on the first email, reported after the second was sent, does not route the branch after the second', () => {
      const e = outcome(afterSecondSend(), 'click', T0 + HOUR, 'late-click', SECOND_SEND + HOUR);
      expect(e.outcomes.map((o) => o.key)).toEqual(['late-click']);
      expect(e.latestOutcome).toBeNull();
      expect(branchFlags(e)).toEqual({ none: true });
    });

    it('an outcome at the instant of the most recent send answers it', () => {
      const e = outcome(afterSecondSend(), 'click', SECOND_SEND, 'same-instant', SECOND_SEND);
      expect(branchFlags(e)).toEqual({ clicked: true });
    });

    it('latest is latest by `at`: a conversion reported before the click that led to it stays the latest', () => {
      let e = afterSecondSend();
      e = outcome(e, 'conversion', SECOND_SEND + 2 * HOUR, 'conv', SECOND_SEND + 2 * HOUR);
      e = outcome(e, 'click', SECOND_SEND + HOUR, 'click', SECOND_SEND + 3 * HOUR);
      expect(e.latestOutcome).toMatchObject({ key: 'conv' });
      expect(e.outcomes.map((o) => o.key)).toEqual(['conv', 'click']);
      expect(branchFlags(e)).toEqual({ converted: true });
    });

    it('arrival order breaks a tie of `at`', () => {
      let e = afterSecondSend();
      e = outcome(e, 'conversion', SECOND_SEND + HOUR, 'first', SECOND_SEND + HOUR);
      e = outcome(e, 'click', SECOND_SEND + HOUR, 'second', SECOND_SEND + 2 * HOUR);
      expect(e.latestOutcome).toMatchObject({ key: 'second' });
    });

    it('an outcome naming an older send is not the latest send\'s response, whatever its `at`', () => {
      const e = outcome(afterSecondSend(), 'click', SECOND_SEND + HOUR, 'old-mail', SECOND_SEND + HOUR, 'enr_1:s1:1');
      expect(e.latestOutcome).toBeNull();
      const named = outcome(afterSecondSend(), 'click', SECOND_SEND + HOUR, 'new-mail', SECOND_SEND + HOUR, 'enr_1:s2:1');
      expect(named.latestOutcome).toMatchObject({ key: 'new-mail' });
    });

    it('an outcome naming a send that was still in flight becomes the latest once the send completes', () => {
      let e = advance(twoSends, start(twoSends), { type: 'wake' }, T0).enrollment;
      e = outcome(e, 'click', T0, 'early-webhook', T0, 'enr_1:s1:1');
      e = outcome(e, 'conversion', T0, 'unnamed', T0);
      e = advance(twoSends, e, { type: 'sent', stepId: 's1', visit: 1, receipt: {} }, T0 + 1).enrollment;
      expect(e.latestOutcome).toMatchObject({ key: 'early-webhook' });
    });

    it('whatever the arrival order, `outcome` is the latest by `at` of those not before the most recent send (last arrival among ties)', () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 12 }), (offsets) => {
          let e = afterSecondSend();
          offsets.forEach((h, i) => {
            e = outcome(e, `t${i}`, SECOND_SEND + h * HOUR, `k${i}`, SECOND_SEND + 4 * HOUR);
          });
          let expected: string | null = null;
          let best = Number.NEGATIVE_INFINITY;
          offsets.forEach((h, i) => {
            if (h >= 0 && h >= best) [expected, best] = [`k${i}`, h];
          });
          expect(e.latestOutcome?.key ?? null).toBe(expected);
          expect(e.outcomes.map((o) => o.key)).toEqual(offsets.map((_, i) => `k${i}`));
        }),
      );
    });

    it('keeps at most MAX_SENDS_KEPT sends, dropping the oldest', () => {
      const loop = compile(journey([
        { id: 's', type: 'send', config: { channelId: 'email' } },
        { id: 'w', type: 'wait', config: { duration: 1, unit: 'hours' }, next: 's' },
      ]));
      let e = start(loop);
      for (let i = 0; i < MAX_SENDS_KEPT + 5; i++) {
        e = advance(loop, e, { type: 'wake' }, T0 + i * HOUR).enrollment;
        e = advance(loop, e, { type: 'sent', stepId: 's', visit: i + 1, receipt: {} }, T0 + i * HOUR).enrollment;
      }
      expect(e.sends.length).toBe(MAX_SENDS_KEPT);
      expect(e.sends[0]!.key).toBe(`enr_1:s:6`);
      expect(e.sends.at(-1)!.key).toBe(`enr_1:s:${MAX_SENDS_KEPT + 5}`);
    });
  });

  it('follows `next`, array order, and `next: null` ends the journey', () => {
    const j = compile(journey([
      { id: 'a', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'a' }] }, next: 'c' },
      { id: 'b', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'b' }] } },
      { id: 'c', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'c' }] }, next: null },
      { id: 'd', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'd' }] } },
    ]));
    const r = advance(j, start(j), { type: 'wake' }, T0);
    expect(r.enrollment.flags).toEqual({ a: true, c: true });
    expect(r.enrollment).toMatchObject({ status: 'completed', stepId: null, wakeAt: null, endedAt: T0 });
    expect(r.commands).toEqual([{ type: 'complete' }]);
  });

  it('a decide step without storeResultAs stores under its own id, and resultSource may name either', () => {
    const j = compile(journey([
      { id: 'd', type: 'decide', config: { decisionFlowId: 'df' } },
      { id: 's', type: 'send', config: { channelId: 'ch', resultSource: 'd' } },
    ]));
    let r = advance(j, start(j), { type: 'wake' }, T0);
    r = advance(j, r.enrollment, { type: 'decided', stepId: 'd', visit: 1, offers: [{ id: 'o1' }] }, T0);
    expect(r.enrollment.results).toEqual({ d: [{ id: 'o1' }] });
    expect(r.commands[0]).toMatchObject({ type: 'send', offer: { id: 'o1' } });
  });

  it('skips a send whose result source holds no offer: a skipped event (reason no-offer), not completed', () => {
    const j = compile(journey([
      { id: 'd', type: 'decide', config: { decisionFlowId: 'df', storeResultAs: 'rec' } },
      { id: 's', type: 'send', config: { channelId: 'ch', resultSource: 'rec' } },
    ]));
    let r = advance(j, start(j), { type: 'wake' }, T0);
    r = advance(j, r.enrollment, { type: 'decided', stepId: 'd', visit: 1, offers: [] }, T0);
    expect(r.commands).toEqual([{ type: 'complete' }]);
    expect(r.events).toContainEqual(expect.objectContaining({ type: 'skipped', stepId: 's', stepType: 'send', visit: 1, reason: 'no-offer', detail: { resultKey: 'rec' } }));
    expect(r.events).not.toContainEqual(expect.objectContaining({ type: 'completed', stepId: 's' }));
  });

  it('wait units: minutes, hours, days', () => {
    for (const [unit, ms] of [['minutes', MINUTE], ['hours', HOUR], ['days', DAY]] as const) {
      const j = compile(journey([{ id: 'w', type: 'wait', config: { duration: 2, unit } }]));
      expect(advance(j, start(j), { type: 'wake' }, T0).enrollment.wakeAt).toBe(T0 + 2 * ms);
    }
  });

  it('exits with max-duration past the deadline, even while waiting: the wake-up is the first instant after the deadline, endedAt the deadline', () => {
    const j = compile(journey([{ id: 'w', type: 'wait', config: { duration: 10, unit: 'days' } }], { maxDuration: 2 }));
    const waiting = advance(j, start(j), { type: 'wake' }, T0).enrollment;
    expect(waiting.wakeAt).toBe(T0 + 2 * DAY + 1);
    const r = advance(j, waiting, { type: 'wake' }, T0 + 2 * DAY + 1);
    expect(r.enrollment).toMatchObject({ status: 'exited', exitReason: 'max-duration', wakeAt: null, endedAt: T0 + 2 * DAY });
    expect(r.commands).toEqual([{ type: 'exit', reason: 'max-duration' }]);
    expect(r.events).toEqual([{ type: 'exited', stepId: 'w', reason: 'max-duration', at: T0 + 2 * DAY }]);
  });

  it('runs a step due exactly at the deadline', () => {
    const j = compile(journey([{ id: 'w', type: 'wait', config: { duration: 2, unit: 'days' } }, { id: 'b', type: 'branch', config: { conditions: [] } }], { maxDuration: 2 }));
    const waiting = advance(j, start(j), { type: 'wake' }, T0).enrollment;
    expect(waiting.wakeAt).toBe(T0 + 2 * DAY);
    expect(advance(j, waiting, { type: 'wake' }, T0 + 2 * DAY).enrollment).toMatchObject({ status: 'completed', endedAt: T0 + 2 * DAY });
  });

  it('a retry that would fall after the deadline is scheduled just past it, to exit', () => {
    const j = compile(journey([{ id: 's', type: 'send', config: { channelId: 'ch' } }], { maxDuration: 1 }));
    const sending = advance(j, start(j), { type: 'wake' }, T0).enrollment;
    const r = advance(j, sending, { type: 'effect-failed', stepId: 's', visit: 1, error: { message: 'down' }, retryAt: T0 + 3 * DAY }, T0);
    expect(r.enrollment.wakeAt).toBe(T0 + DAY + 1);
    expect(advance(j, r.enrollment, { type: 'wake' }, T0 + DAY + 1).enrollment).toMatchObject({ status: 'exited', exitReason: 'max-duration', endedAt: T0 + DAY });
  });

  it('archive exits at once; pause and resume change nothing', () => {
    const e = advance(loan, start(), { type: 'wake' }, T0).enrollment;
    expect(advance(loan, e, { type: 'pause' }, T0).enrollment).toBe(e);
    expect(advance(loan, e, { type: 'resume' }, T0).enrollment).toBe(e);
    const r = advance(loan, e, { type: 'archive' }, T0 + 5);
    expect(r.enrollment).toMatchObject({ status: 'exited', exitReason: 'archived', endedAt: T0 + 5 });
  });

  it('an ended enrollment ignores every input', () => {
    const ended = advance(loan, start(), { type: 'archive' }, T0).enrollment;
    for (const input of [{ type: 'wake' }, { type: 'archive' }, { type: 'outcome', outcome: { type: 'click', at: T0, key: 'x' } }] as Input[]) {
      expect(advance(loan, ended, input, T0 + DAY).enrollment).toBe(ended);
    }
  });

  it('ignores an effect result for another step or visit (a stale retry)', () => {
    const e = advance(loan, start(), { type: 'wake' }, T0).enrollment;
    expect(advance(loan, e, { type: 'decided', stepId: 'step_initial_offer', visit: 2, offers: [] }, T0).enrollment).toBe(e);
    expect(advance(loan, e, { type: 'sent', stepId: 'step_send_email', visit: 1, receipt: {} }, T0).enrollment).toBe(e);
  });

  it('records a failed effect, schedules the retry, and re-issues the same key when due', () => {
    const e = advance(loan, start(), { type: 'wake' }, T0).enrollment;
    const failed = advance(loan, e, { type: 'effect-failed', stepId: 'step_initial_offer', visit: 1, error: { message: 'down', code: 'ECONN' }, retryAt: T0 + 1000 }, T0);
    expect(failed.enrollment).toMatchObject({ phase: 'effect', attempts: 1, wakeAt: T0 + 1000, lastError: { message: 'down', code: 'ECONN', attempts: 1 } });
    const retry = advance(loan, failed.enrollment, { type: 'wake' }, T0 + 1000);
    expect(retry.commands).toEqual([expect.objectContaining({ type: 'decide', idempotencyKey: idempotencyKey('enr_1', 'step_initial_offer', 1) })]);
    const exhausted = advance(loan, failed.enrollment, { type: 'effect-failed', stepId: 'step_initial_offer', visit: 1, error: { message: 'down' }, retryAt: null }, T0 + 1000);
    expect(exhausted.enrollment).toMatchObject({ status: 'failed', attempts: 2, lastError: { message: 'down' } });
  });

  it('counts visits so a step visited twice gets a new idempotency key', () => {
    const j = compile(journey([
      { id: 's', type: 'send', config: { channelId: 'ch' } },
      { id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } },
      { id: 'b', type: 'branch', config: { conditions: [{ expression: "enrollment.visits.s < 3", targetStepId: 's' }] }, next: null },
    ]));
    let e = start(j);
    const keys: string[] = [];
    let now = T0;
    for (let i = 0; i < 10 && e.status === 'active'; i++) {
      const r = advance(j, e, { type: 'wake' }, now);
      e = r.enrollment;
      for (const c of r.commands) if (c.type === 'send') {
        keys.push(c.idempotencyKey);
        e = advance(j, e, { type: 'sent', stepId: c.stepId, visit: c.visit, receipt: {} }, now).enrollment;
      }
      now = e.wakeAt ?? now;
    }
    expect(keys).toEqual(['enr_1:s:1', 'enr_1:s:2', 'enr_1:s:3']);
    expect(e.status).toBe('completed');
  });

  it('branch expressions read customer attributes and segments; an absent attribute is false, not an error', () => {
    const j = compile(journey([
      { id: 'b', type: 'branch', config: { conditions: [
        { expression: "customer.tier == 'gold' && 'vip' in segments", targetStepId: 'gold' },
        { expression: 'customer.missing.deeper > 3', targetStepId: 'gold' },
      ], defaultTargetStepId: 'other' } },
      { id: 'gold', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'gold' }] }, next: null },
      { id: 'other', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'other' }] }, next: null },
    ]));
    const gold = advance(j, start(j), { type: 'wake' }, T0, { customer: { id: 'c1', attributes: { tier: 'gold' }, segments: ['vip'] } });
    expect(gold.enrollment.flags).toEqual({ gold: true });
    const other = advance(j, start(j), { type: 'wake' }, T0, { customer: { id: 'c1', attributes: { tier: 'gold' }, segments: [] } });
    expect(other.enrollment.flags).toEqual({ other: true });
  });

  it('fails an enrollment that runs too many instant steps rather than spinning', () => {
    const j = compile(journey([
      { id: 'a', type: 'branch', config: { conditions: [], defaultTargetStepId: 'b' } },
      { id: 'b', type: 'branch', config: { conditions: [], defaultTargetStepId: 'a' } },
    ]));
    const r = advance(j, start(j), { type: 'wake' }, T0, { maxInstantSteps: 50 });
    expect(r.enrollment.status).toBe('failed');
    expect(r.enrollment.lastError?.code).toBe('instant-loop');
  });

  it('update steps send profile operations to the port and apply set_flag itself', () => {
    const j = compile(journey([
      { id: 'u', type: 'update', config: { operations: [
        { type: 'set_attribute', key: 'journey_stage', value: 'followup_sent' },
        { type: 'add_segment', segment: 'loan_interested' },
        { type: 'set_flag', flag: 'touched' },
      ] } },
    ]));
    const r = advance(j, start(j), { type: 'wake' }, T0);
    expect(r.commands).toEqual([expect.objectContaining({ type: 'update', operations: [
      { type: 'set_attribute', key: 'journey_stage', value: 'followup_sent' },
      { type: 'add_segment', segment: 'loan_interested' },
    ] })]);
    expect(r.enrollment.flags).toEqual({});
    const done = advance(j, r.enrollment, { type: 'updated', stepId: 'u', visit: 1 }, T0);
    expect(done.enrollment.flags).toEqual({ touched: true });
    expect(done.enrollment.status).toBe('completed');
  });
});
