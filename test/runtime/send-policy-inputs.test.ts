/**
 * The interpreter's side of send policies: a `deferred` input keeps the enrollment at the send
 * (same visit, same key on the wake-up), an `effect-skipped` input moves it on; both are pure and
 * ignored when stale.
 */
import { describe, expect, it } from 'vitest';
import { advance, createEnrollment } from '../../src/runtime/interpreter.js';
import type { Command, Enrollment } from '../../src/runtime/types.js';
import { compile, HOUR, journey, T0 } from './helpers.js';

const j = compile(journey([
  { id: 'hello', type: 'send', config: { channelId: 'ch_email', priority: 3 } },
  { id: 'otp', type: 'send', config: { channelId: 'ch_sms', bypassPolicy: true } },
]));

function atSend(): { enrollment: Enrollment; command: Extract<Command, { type: 'send' }> } {
  const start = createEnrollment(j, { id: 'e1', customerId: 'c1' }, T0);
  const step = advance(j, start, { type: 'wake' }, T0);
  return { enrollment: step.enrollment, command: step.commands.find((c) => c.type === 'send') as Extract<Command, { type: 'send' }> };
}

describe('send policy inputs', () => {
  it('the send command carries the step\'s priority and bypassPolicy', () => {
    const { command } = atSend();
    expect(command).toMatchObject({ stepId: 'hello', priority: 3, idempotencyKey: 'e1:hello:1' });
    expect(command.bypassPolicy).toBeUndefined();
  });

  it('deferred: waits at the step until `until`, noted deferred:<reason>; the wake-up issues the same key', () => {
    const { enrollment } = atSend();
    const until = T0 + 11 * HOUR;
    const held = advance(j, enrollment, { type: 'deferred', stepId: 'hello', visit: 1, until, reason: 'quiet-hours', detail: { timeZone: 'UTC' } }, T0);
    expect(held.enrollment).toMatchObject({ phase: 'effect', stepId: 'hello', wakeAt: until, attempts: 0 });
    expect(held.commands).toEqual([{ type: 'schedule', wakeAt: until }]);
    expect(held.events).toEqual([{ type: 'noted', stepId: 'hello', at: T0, note: 'deferred:quiet-hours', detail: { until, timeZone: 'UTC' } }]);
    expect(advance(j, held.enrollment, { type: 'wake' }, until - 1).commands).toEqual([]);
    const woken = advance(j, held.enrollment, { type: 'wake' }, until);
    expect(woken.commands).toEqual([expect.objectContaining({ type: 'send', stepId: 'hello', idempotencyKey: 'e1:hello:1' })]);
  });

  it('deferred past the deadline wakes at the first instant after it (and then exits max-duration)', () => {
    const { enrollment } = atSend();
    const held = advance(j, enrollment, { type: 'deferred', stepId: 'hello', visit: 1, until: enrollment.deadline + 5 * HOUR, reason: 'cap' }, T0);
    expect(held.enrollment.wakeAt).toBe(enrollment.deadline + 1);
    expect(advance(j, held.enrollment, { type: 'wake' }, enrollment.deadline + 1).enrollment).toMatchObject({ status: 'exited', exitReason: 'max-duration' });
  });

  it('effect-skipped: the step is skipped with its reason and the journey goes on', () => {
    const { enrollment } = atSend();
    const next = advance(j, enrollment, { type: 'effect-skipped', stepId: 'hello', visit: 1, reason: 'cap', detail: { cap: 'ch_email 1/1d' } }, T0);
    expect(next.events[0]).toEqual({ type: 'skipped', stepId: 'hello', stepType: 'send', visit: 1, at: T0, reason: 'cap', detail: { cap: 'ch_email 1/1d' } });
    expect(next.commands).toEqual([expect.objectContaining({ type: 'send', stepId: 'otp', bypassPolicy: true })]);
  });

  it('a stale deferral or skip (another step or visit) changes nothing', () => {
    const { enrollment } = atSend();
    expect(advance(j, enrollment, { type: 'deferred', stepId: 'otp', visit: 1, until: T0 + HOUR, reason: 'cap' }, T0).enrollment).toBe(enrollment);
    expect(advance(j, enrollment, { type: 'effect-skipped', stepId: 'hello', visit: 2, reason: 'cap' }, T0).enrollment).toBe(enrollment);
  });
});
