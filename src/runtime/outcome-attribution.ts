/**
 * Which enrollment a customer's outcome answers (docs/runtime.md, "Outcomes"):
 *
 * 1. the send the host names — its idempotency key (`sendKey`, `enrollmentId:stepId:visit`; also
 *    while the send is in flight) or the channel's `messageId` from the send receipt;
 * 2. else the journey the host names (`journeyId`): the customer's active enrollment in it;
 * 3. else the active enrollment whose send came last at or before the outcome's `at` (the only
 *    active enrollment when none has sent anything by then).
 *
 * Anything else is unmatched, with a reason: nothing is recorded silently.
 */
import type { EngineContext } from './context.js';
import { advance } from './interpreter.js';
import type { EffectRecord } from './ports.js';
import type { Enrollment, SentMessage } from './types.js';
import { loadCustomer } from './worker.js';

/**
 * Why an outcome was recorded on no enrollment.
 * - `no-active-enrollment`: the customer is in no journey now (naming neither journey nor message).
 * - `journey-not-entered`: the customer never entered the named journey.
 * - `enrollment-ended`: the enrollment it answers (the named journey's, or the one that sent the
 *   named message) has completed, exited or failed; outcomes change nothing there.
 * - `message-not-found`: no enrollment of this customer (in the named journey, if any) sent a
 *   message with that send key or message id.
 * - `ambiguous`: it names neither journey nor message, and the customer's active enrollments
 *   give no single answer (two sent last at the same instant, or none has sent anything by `at`).
 */
export type OutcomeUnmatchedReason = 'no-active-enrollment' | 'journey-not-entered' | 'enrollment-ended' | 'message-not-found' | 'ambiguous';

/** An outcome that matched no enrollment: why, and what to do. */
export interface OutcomeUnmatched {
  readonly reason: OutcomeUnmatchedReason;
  /** A sentence for a person: what was looked for, and how to name the target instead. */
  readonly message: string;
}

/** What identifies the enrollment an outcome answers. */
export interface OutcomeAddress {
  readonly customerId: string;
  readonly journeyId?: string;
  readonly sendKey?: string;
  readonly messageId?: string;
  /** When the outcome happened. */
  readonly at: number;
}

/** The enrollment an outcome lands on, and the send it names (when the host named one). */
export type Attribution =
  | { readonly enrollment: Enrollment; readonly sendKey?: string }
  | { readonly unmatched: OutcomeUnmatched };

const PAGE = 200;

/** Which enrollment `address` points at, or why none. Reads storage; writes nothing. */
export async function attributeOutcome(ctx: EngineContext, tenantId: string, address: OutcomeAddress): Promise<Attribution> {
  if (address.sendKey !== undefined) return bySendKey(ctx, tenantId, address, address.sendKey);
  const active = (
    await ctx.storage.listEnrollments({
      tenantId,
      customerId: address.customerId,
      status: 'active',
      ...(address.journeyId === undefined ? {} : { journeyId: address.journeyId }),
      limit: 1000,
      offset: 0,
    })
  ).items;
  if (address.messageId !== undefined) return byMessageId(ctx, tenantId, address, address.messageId, active);
  if (address.journeyId !== undefined) {
    if (active[0]) return { enrollment: active[0] };
    return notInJourney(ctx, tenantId, address.customerId, address.journeyId);
  }
  return byLastSend(address, active);
}

/** The enrollment id inside a send key `enrollmentId:stepId:visit` (step ids hold no `:`). */
function enrollmentIdOf(sendKey: string): string | null {
  const visit = sendKey.lastIndexOf(':');
  const step = visit > 0 ? sendKey.lastIndexOf(':', visit - 1) : -1;
  return step > 0 && /^\d+$/.test(sendKey.slice(visit + 1)) ? sendKey.slice(0, step) : null;
}

async function bySendKey(ctx: EngineContext, tenantId: string, address: OutcomeAddress, sendKey: string): Promise<Attribution> {
  const id = enrollmentIdOf(sendKey);
  const enrollment = id === null ? null : await ctx.storage.getEnrollment(tenantId, id);
  const mine =
    enrollment !== null &&
    enrollment.customerId === address.customerId &&
    (address.journeyId === undefined || enrollment.journeyId === address.journeyId) &&
    (enrollment.sends.some((s) => s.key === sendKey) ||
      (await isSendInFlight(ctx, enrollment, sendKey)) ||
      (await sendInLog(ctx, enrollment, (r) => r.idempotencyKey === sendKey)) !== undefined);
  if (!mine) {
    return unmatched('message-not-found', `no enrollment of customer "${address.customerId}"${inJourney(address)} sent a message with send key "${sendKey}"`);
  }
  return enrollment.status === 'active' ? { enrollment, sendKey } : ended(enrollment);
}

async function byMessageId(
  ctx: EngineContext,
  tenantId: string,
  address: OutcomeAddress,
  messageId: string,
  active: readonly Enrollment[],
): Promise<Attribution> {
  const matches = (s: SentMessage) => s.messageId === messageId;
  const fromLog = (r: EffectRecord) => r.detail?.['messageId'] === messageId;
  for (const enrollment of active) {
    const sent = enrollment.sends.find(matches);
    if (sent) return { enrollment, sendKey: sent.key };
  }
  // Older than the sends an enrollment remembers, or sent by an enrollment that has ended: the effect log.
  const all = await enrollmentsOf(ctx, tenantId, address.customerId, address.journeyId);
  for (const enrollment of [...active, ...all.filter((e) => e.status !== 'active')]) {
    const key = enrollment.sends.find(matches)?.key ?? (await sendInLog(ctx, enrollment, fromLog));
    if (key === undefined) continue;
    return enrollment.status === 'active' ? { enrollment, sendKey: key } : ended(enrollment);
  }
  return unmatched('message-not-found', `no enrollment of customer "${address.customerId}"${inJourney(address)} sent a message with messageId "${messageId}"`);
}

function byLastSend(address: OutcomeAddress, active: readonly Enrollment[]): Attribution {
  if (active.length === 0) {
    return unmatched('no-active-enrollment', `customer "${address.customerId}" has no active enrollment; an outcome changes nothing on an enrollment that has ended`);
  }
  let best: Enrollment | undefined;
  let bestAt = Number.NEGATIVE_INFINITY;
  let tie = false;
  for (const enrollment of active) {
    const at = lastSendAtOrBefore(enrollment, address.at);
    if (at === null || at < bestAt) continue;
    tie = at === bestAt;
    if (!tie) best = enrollment;
    bestAt = at;
  }
  if (best && !tie) return { enrollment: best };
  if (!best && active.length === 1) return { enrollment: active[0]! };
  const why = best ? 'two of them sent their last message at the same instant' : 'none of them has sent anything by then';
  return unmatched(
    'ambiguous',
    `customer "${address.customerId}" is in ${active.length} journeys and ${why}; name the journey (journeyId) or the message (sendKey or messageId)`,
  );
}

/** When the enrollment's last send at or before `at` completed, or null. */
function lastSendAtOrBefore(enrollment: Enrollment, at: number): number | null {
  for (let i = enrollment.sends.length - 1; i >= 0; i--) {
    const sent = enrollment.sends[i]!;
    if (sent.at <= at) return sent.at;
  }
  // A row written before sends were remembered knows only its most recent send.
  if (enrollment.sends.length === 0 && enrollment.lastSendAt !== null && enrollment.lastSendAt <= at) return enrollment.lastSendAt;
  return null;
}

async function notInJourney(ctx: EngineContext, tenantId: string, customerId: string, journeyId: string): Promise<Attribution> {
  const { items } = await ctx.storage.listEnrollments({ tenantId, customerId, journeyId, limit: 1, offset: 0 });
  if (items[0]) return ended(items[0]);
  return unmatched('journey-not-entered', `customer "${customerId}" never entered journey "${journeyId}"`);
}

function ended(enrollment: Enrollment): Attribution {
  const how = enrollment.status === 'exited' && enrollment.exitReason ? `exited (${enrollment.exitReason})` : enrollment.status;
  return unmatched('enrollment-ended', `enrollment "${enrollment.id}" of customer "${enrollment.customerId}" in journey "${enrollment.journeyId}" has ${how}; outcomes change nothing there`);
}

function unmatched(reason: OutcomeUnmatchedReason, message: string): Attribution {
  return { unmatched: { reason, message } };
}

function inJourney(address: OutcomeAddress): string {
  return address.journeyId === undefined ? '' : ` in journey "${address.journeyId}"`;
}

/**
 * Whether `sendKey` is the send the enrollment is carrying out now (the channel already has the
 * key, and a webhook — an impression, a bounce — may beat the commit of the send): the send the
 * interpreter issues when it wakes the stored enrollment now.
 */
async function isSendInFlight(ctx: EngineContext, enrollment: Enrollment, sendKey: string): Promise<boolean> {
  if (enrollment.status !== 'active' || enrollment.wakeAt === null || enrollment.wakeAt > ctx.clock.now()) return false;
  const journey = await ctx.journeys.get(enrollment.tenantId, enrollment.journeyId, enrollment.journeyVersion);
  if (!journey) return false;
  const customer = await loadCustomer(ctx, enrollment);
  const { commands } = advance(journey, enrollment, { type: 'wake' }, ctx.clock.now(), { customer });
  return commands.some((c) => c.type === 'send' && c.idempotencyKey === sendKey);
}

async function sendInLog(ctx: EngineContext, enrollment: Enrollment, match: (record: EffectRecord) => boolean): Promise<string | undefined> {
  const record = (await ctx.storage.listEffects(enrollment.tenantId, enrollment.id)).find((r) => r.type === 'send' && match(r));
  return record?.idempotencyKey;
}

/** Every enrollment of a customer (in one journey, if given), any status. */
async function enrollmentsOf(ctx: EngineContext, tenantId: string, customerId: string, journeyId?: string): Promise<Enrollment[]> {
  const out: Enrollment[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await ctx.storage.listEnrollments({ tenantId, customerId, ...(journeyId === undefined ? {} : { journeyId }), limit: PAGE, offset });
    out.push(...page.items);
    if (page.items.length < PAGE) return out;
  }
}

/**
 * The enrollment of this customer that already holds outcome key `key` (among the outcomes each
 * enrollment keeps), or undefined: so a retry answers `duplicates`, even after that enrollment ended.
 */
export async function enrollmentWithOutcome(ctx: EngineContext, tenantId: string, customerId: string, key: string): Promise<string | undefined> {
  for (const enrollment of await enrollmentsOf(ctx, tenantId, customerId)) {
    // Recorded, or delivered and not applied yet (waiting in the inbox).
    if (enrollment.outcomes.some((o) => o.key === key)) return enrollment.id;
    if (enrollment.inbox?.some((i) => i.kind === 'outcome' && i.outcome.key === key)) return enrollment.id;
  }
  return undefined;
}
