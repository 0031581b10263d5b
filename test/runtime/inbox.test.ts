/**
 * One way into the interpreter: outcomes and exits from outside are delivered to the enrollment's
 * inbox (durably, deduplicated, due at once) and applied by the worker under its claim.
 */
import { describe, expect, it } from 'vitest';
import { sqliteStorage } from '../../src/adapters/sqlite/index.js';
import { advance, createEnrollment, deliver } from '../../src/runtime/interpreter.js';
import type { Storage } from '../../src/runtime/ports.js';
import type { Enrollment, InboxItem } from '../../src/runtime/types.js';
import { MAX_INBOX_ITEMS } from '../../src/runtime/types.js';
import { harness, rejects } from './engine-helpers.js';
import { compile, DAY, HOUR, journey, MINUTE, T0 } from './helpers.js';
import { STORAGE_KINDS } from './storages.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const waitThenSend = journey(
  [
    { id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } },
    { id: 'b', type: 'branch', config: { conditions: [{ expression: "outcome == 'click'", targetStepId: 'thanks' }], defaultTargetStepId: 'nudge' } },
    { id: 'thanks', type: 'send', config: { channelId: 'email' }, next: null },
    { id: 'nudge', type: 'send', config: { channelId: 'sms' }, next: null },
  ],
  { status: 'active' },
);

const outcomeItem = (key: string, at: number, type = 'click'): InboxItem => ({ kind: 'outcome', key: `outcome:${key}`, receivedAt: at, outcome: { type, key, at } });

function waiting(): { j: ReturnType<typeof compile>; e: Enrollment } {
  const j = compile(waitThenSend);
  const e = advance(j, createEnrollment(j, { id: 'e1', customerId: 'c1' }, T0), { type: 'wake' }, T0).enrollment;
  expect(e).toMatchObject({ phase: 'waiting', stepId: 'w', wakeAt: T0 + DAY });
  return { j, e };
}

describe('deliver (pure)', () => {
  it('adds the item to the inbox and makes the enrollment due now, keeping the step’s own wake-up in resumeAt', () => {
    const { e } = waiting();
    const one = deliver(e, outcomeItem('o1', T0 + HOUR), T0 + HOUR) as Enrollment;
    expect(one).toMatchObject({ wakeAt: T0 + HOUR, resumeAt: T0 + DAY, version: e.version + 1, inbox: [outcomeItem('o1', T0 + HOUR)] });
    const two = deliver(one, outcomeItem('o2', T0 + 2 * HOUR), T0 + 2 * HOUR) as Enrollment;
    expect(two).toMatchObject({ wakeAt: T0 + HOUR, resumeAt: T0 + DAY });
    expect(two.inbox!.map((i) => i.key)).toEqual(['outcome:o1', 'outcome:o2']);
    expect(e.inbox).toBeUndefined(); // the input is never touched
  });

  it('refuses a repeated key, an outcome already recorded, an ended enrollment and a full inbox', () => {
    const { j, e } = waiting();
    const one = deliver(e, outcomeItem('o1', T0), T0) as Enrollment;
    expect(deliver(one, outcomeItem('o1', T0 + 1), T0 + 1)).toBe('duplicate');
    const applied = advance(j, one, { type: 'wake' }, T0 + 1).enrollment;
    expect(applied.outcomes.map((o) => o.key)).toEqual(['o1']);
    expect(deliver(applied, outcomeItem('o1', T0 + 2), T0 + 2)).toBe('duplicate');
    const exited = advance(j, e, { type: 'exit', reason: 'manual' }, T0).enrollment;
    expect(deliver(exited, outcomeItem('o9', T0), T0)).toBe('ended');
    let full: Enrollment = e;
    for (let i = 0; i < MAX_INBOX_ITEMS; i++) full = deliver(full, outcomeItem(`k${i}`, T0), T0) as Enrollment;
    expect(full.inbox).toHaveLength(MAX_INBOX_ITEMS);
    expect(deliver(full, outcomeItem('one-more', T0), T0)).toBe('full');
  });
});

describe('applying the inbox (advance with a wake)', () => {
  it('applies the items in order, empties the inbox and waits again until the step’s own wake-up', () => {
    const { j, e } = waiting();
    let d = deliver(e, outcomeItem('o1', T0 + HOUR, 'impression'), T0 + HOUR) as Enrollment;
    d = deliver(d, outcomeItem('o2', T0 + HOUR + 1, 'click'), T0 + HOUR + 1) as Enrollment;
    const r = advance(j, d, { type: 'wake' }, T0 + HOUR + 2);
    expect(r.commands).toEqual([]);
    expect(r.enrollment).toMatchObject({ phase: 'waiting', stepId: 'w', wakeAt: T0 + DAY, latestOutcome: { key: 'o2', type: 'click' } });
    expect(r.enrollment.outcomes.map((o) => o.key)).toEqual(['o1', 'o2']);
    expect(r.enrollment.inbox).toBeUndefined();
    expect(r.enrollment.resumeAt).toBeUndefined();
    // at the wait's end the branch reads the outcome the inbox brought
    const later = advance(j, r.enrollment, { type: 'wake' }, T0 + DAY);
    expect(later.commands).toEqual([expect.objectContaining({ type: 'send', stepId: 'thanks' })]);
  });

  it('an exit item ends the enrollment, and the items after it change nothing', () => {
    const { j, e } = waiting();
    let d = deliver(e, { kind: 'exit', key: 'exit:1', receivedAt: T0 + MINUTE, reason: 'unsubscribed' }, T0 + MINUTE) as Enrollment;
    d = deliver(d, outcomeItem('late', T0 + 2 * MINUTE), T0 + 2 * MINUTE) as Enrollment;
    const r = advance(j, d, { type: 'wake' }, T0 + 3 * MINUTE);
    expect(r.enrollment).toMatchObject({ status: 'exited', exitReason: 'unsubscribed', endedAt: T0 + 3 * MINUTE, wakeAt: null });
    expect(r.enrollment.outcomes).toEqual([]);
    expect(r.events).toEqual([{ type: 'exited', stepId: 'w', reason: 'unsubscribed', at: T0 + 3 * MINUTE }]);
  });

  it('a due step still runs after the inbox is applied, with what the inbox brought', () => {
    const { j, e } = waiting();
    const d = deliver(e, outcomeItem('o1', T0 + DAY), T0 + DAY) as Enrollment;
    const r = advance(j, d, { type: 'wake' }, T0 + DAY);
    expect(r.commands).toEqual([expect.objectContaining({ type: 'send', stepId: 'thanks' })]);
  });
});

/** `storage` without `claimEnrollment`: a host adapter that cannot claim one enrollment. */
function withoutClaimOne(storage: Storage): Storage {
  return new Proxy(storage, { get: (target, key) => (key === 'claimEnrollment' ? undefined : Reflect.get(target, key, target)) });
}

describe.each(STORAGE_KINDS)('the inbox through the engine ($name)', (kind) => {
  async function started(storage?: Storage) {
    const h = harness({ storage: storage ?? (await kind.make()), customers: [{ id: 'c1' }] });
    const { id } = await h.engine.createJourney(waitThenSend);
    const { enrolled } = await h.engine.enroll(id, { customerId: 'c1' });
    await h.engine.runDue();
    return { h, id, enrollmentId: enrolled[0]!.enrollmentId };
  }

  it('an outcome is applied at once when no worker holds the enrollment', async () => {
    const { h, enrollmentId } = await started();
    const r = await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'o1' });
    expect(r).toEqual({ recorded: [enrollmentId], duplicates: [] });
    const e = (await h.engine.getEnrollment(enrollmentId))!;
    expect(e).toMatchObject({ latestOutcome: { key: 'o1' }, phase: 'waiting', wakeAt: h.clock.now() + DAY - 0 });
    expect(e.inbox).toBeUndefined();
    expect(await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'o1' })).toEqual({ recorded: [], duplicates: [enrollmentId] });
    await h.engine.close();
  });

  it('while another worker holds the claim, the outcome waits in the inbox, durably, and that worker applies it', async () => {
    const { h, enrollmentId } = await started();
    const held = await h.storage.claimEnrollment!('default', enrollmentId, { now: h.clock.now(), leaseMs: 30_000, workerId: 'other' });
    expect(held).not.toBeNull();
    const r = await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'o1' });
    expect(r.recorded).toEqual([enrollmentId]);
    const stored = (await h.storage.getEnrollment('default', enrollmentId))!;
    expect(stored.inbox).toEqual([expect.objectContaining({ kind: 'outcome', outcome: expect.objectContaining({ key: 'o1', type: 'click' }) })]);
    expect(stored.wakeAt).toBe(h.clock.now());
    // a repeat is a duplicate while it waits, too
    expect(await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'o1' })).toEqual({ recorded: [], duplicates: [enrollmentId] });
    // the other worker's lease ends; the next claim applies the inbox; the wait keeps its own end
    h.clock.advance(31_000);
    await h.engine.runDue();
    const applied = (await h.engine.getEnrollment(enrollmentId))!;
    expect(applied).toMatchObject({ latestOutcome: { key: 'o1' }, phase: 'waiting', stepId: 'w' });
    expect(applied.inbox).toBeUndefined();
    h.clock.advance(DAY);
    await h.engine.runDue();
    expect(h.channels.sent.map((s) => s.channelId)).toEqual(['email']);
    await h.engine.close();
  });

  it('an outcome that arrives while the worker is inside a send is applied by that worker: its commit conflicts, it reloads, the send is not repeated', async () => {
    const h = harness({ storage: await kind.make(), customers: [{ id: 'c1' }] });
    const { id } = await h.engine.createJourney(journey([
      { id: 'mail', type: 'send', config: { channelId: 'email' } },
      { id: 'w', type: 'wait', config: { duration: 1, unit: 'hours' } },
      { id: 'b', type: 'branch', config: { conditions: [{ expression: "outcome == 'click'", targetStepId: 'thanks' }], defaultTargetStepId: 'end' } },
      { id: 'thanks', type: 'send', config: { channelId: 'sms' }, next: null },
      { id: 'end', type: 'wait', config: { duration: 1, unit: 'minutes' }, next: null },
    ], { status: 'active' }));
    const original = h.channels.send.bind(h.channels);
    let answers: unknown[] = [];
    h.channels.send = async (request) => {
      const receipt = await original(request);
      // the customer clicks before the channel even answered; the worker holds the claim
      if (request.stepId === 'mail') answers.push(await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'o1', sendKey: request.idempotencyKey }));
      return receipt;
    };
    const { enrolled } = await h.engine.enroll(id, { customerId: 'c1' });
    await h.engine.runDue();
    expect(answers).toEqual([{ recorded: [enrolled[0]!.enrollmentId], duplicates: [] }]);
    const e = (await h.engine.getEnrollment(enrolled[0]!.enrollmentId))!;
    expect(e).toMatchObject({ stepId: 'w', phase: 'waiting', latestOutcome: { key: 'o1', type: 'click' } });
    expect(e.inbox).toBeUndefined();
    h.clock.advance(HOUR);
    await h.engine.runDue();
    expect(h.channels.sent.map((s) => s.stepId)).toEqual(['mail', 'thanks']);
    answers = [];
    await h.engine.close();
  });

  it('a storage that cannot claim one enrollment gets the delivery applied by the next runDue', async () => {
    const { h, enrollmentId } = await started(withoutClaimOne(await kind.make()));
    await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'o1' });
    expect((await h.storage.getEnrollment('default', enrollmentId))!.inbox).toHaveLength(1);
    expect(await h.engine.nextWakeAt()).toBe(h.clock.now());
    await h.engine.runDue();
    expect((await h.engine.getEnrollment(enrollmentId))!).toMatchObject({ latestOutcome: { key: 'o1' } });
    await h.engine.close();
  });

  it('a manual exit goes through the inbox: at once when free, and by the holder when claimed', async () => {
    const { h, id, enrollmentId } = await started();
    const exited: string[] = [];
    h.engine.events.on('exited', (e) => exited.push(`${e.enrollmentId}:${e.reason}`));
    expect(await h.engine.exitEnrollment(enrollmentId, 'unsubscribed')).toMatchObject({ status: 'exited', exitReason: 'unsubscribed' });
    expect(exited).toEqual([`${enrollmentId}:unsubscribed`]);
    // a second customer, held by another worker
    h.profiles.set({ id: 'c2' });
    const { enrolled } = await h.engine.enroll(id, { customerId: 'c2' });
    await h.engine.runDue();
    const second = enrolled[0]!.enrollmentId;
    await h.storage.claimEnrollment!('default', second, { now: h.clock.now(), leaseMs: 30_000, workerId: 'other' });
    expect(await h.engine.exitEnrollment(second)).toMatchObject({ status: 'active', inbox: [expect.objectContaining({ kind: 'exit', reason: 'manual' })] });
    h.clock.advance(31_000);
    await h.engine.runDue();
    expect(await h.engine.getEnrollment(second)).toMatchObject({ status: 'exited', exitReason: 'manual' });
    expect((await h.engine.stats(id)).exited).toEqual({ unsubscribed: 1, manual: 1 });
    await h.engine.close();
  });
});

describe('a delivery survives a crash', () => {
  it('an outcome delivered but not applied is applied by a new process on the same database file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'je-inbox-'));
    try {
      const filename = join(dir, 'j.db');
      const first = harness({ storage: withoutClaimOne(sqliteStorage({ filename })), customers: [{ id: 'c1' }] });
      const { id } = await first.engine.createJourney(waitThenSend);
      const { enrolled } = await first.engine.enroll(id, { customerId: 'c1' });
      await first.engine.runDue();
      await first.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'o1' });
      await first.engine.close(); // the process ends before any worker applied it

      const second = harness({ storage: sqliteStorage({ filename }), customers: [{ id: 'c1' }] });
      second.clock.set(first.clock.now());
      await second.engine.runDue();
      expect(await second.engine.getEnrollment(enrolled[0]!.enrollmentId)).toMatchObject({ latestOutcome: { key: 'o1', type: 'click' } });
      await second.engine.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a full inbox refuses the next delivery with inbox-full and changes nothing', async () => {
    const h = harness({ storage: withoutClaimOne(await STORAGE_KINDS[0]!.make()), customers: [{ id: 'c1' }] });
    const { id } = await h.engine.createJourney(waitThenSend);
    const { enrolled } = await h.engine.enroll(id, { customerId: 'c1' });
    await h.engine.runDue();
    for (let i = 0; i < MAX_INBOX_ITEMS; i++) await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: `k${i}` });
    const before = await h.engine.getEnrollment(enrolled[0]!.enrollmentId);
    const error = await rejects(h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'over' }), 'inbox-full');
    expect(error.details).toMatchObject({ limit: MAX_INBOX_ITEMS });
    expect(await h.engine.getEnrollment(enrolled[0]!.enrollmentId)).toEqual(before);
    await h.engine.close();
  });
});
