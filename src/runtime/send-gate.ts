/**
 * The send policy at run time (docs/send-policies.md): before a send's port call the worker asks
 * {@link gateSend} whether it may go now. Quiet hours are a pure rule over the customer's zone;
 * frequency caps are counted in storage (`reserveSendSlot`, exact across journeys and workers);
 * rate limits take a token from storage (`takeSendToken`) or from this process's own bucket.
 * A send held back becomes a `deferred` input (the enrollment waits at the step, same visit and
 * key) or, for a cap with `onCapped: 'skip'`, an `effect-skipped` input: the interpreter applies
 * it as it applies any effect result.
 */
import { quietHoursEnd, resolveTimeZone, type ResolvedTimeZone } from '../model/calendar/index.js';
import { capLabel, capWindow, MAX_SEND_PRIORITY, type SendCap, type SendPolicy } from '../model/send-policy.js';
import { takeToken } from './token-bucket.js';
import type { SendSlotCap, Storage } from './ports.js';
import type { CustomerProfile, EffectCommand, Enrollment, Input } from './types.js';

/**
 * How much later each priority step below the highest wakes when a cap frees: deferred sends of
 * higher priority are due first, so they take the place first.
 */
export const PRIORITY_SPACING_MS = 1000;

/** A send policy as the engine holds it: the policy and this process's rate buckets. */
export interface SendPolicyRuntime {
  readonly policy: SendPolicy;
  /** tenant + channel → the next instant a send may go, for storages without `takeSendToken`. */
  readonly buckets: Map<string, number>;
}

/** What the gate decided: hold the send back (an input for the interpreter), or let it go (with a slot taken or not). */
export type GateDecision =
  | { readonly hold: Input; readonly checkedStorage: boolean }
  | { readonly hold: null; readonly slotTaken: boolean; readonly checkedStorage: boolean };

const GO: GateDecision = { hold: null, slotTaken: false, checkedStorage: false };

function zoneFor(policy: SendPolicy, rule: { readonly timeZone?: string; readonly fallbackTimeZone?: string } | undefined, customer: CustomerProfile): ResolvedTimeZone {
  const timeZone = rule?.timeZone ?? policy.quietHours?.timeZone ?? 'customer.timezone';
  return resolveTimeZone(timeZone, customer.attributes, rule?.fallbackTimeZone ?? policy.quietHours?.fallbackTimeZone);
}

function zoneDetail(zone: ResolvedTimeZone): Record<string, unknown> {
  return zone.fellBack ? { timeZone: zone.zone, fallback: zone.reason } : { timeZone: zone.zone };
}

/**
 * The quiet-hours rule alone, pure: when the send may go (`now` when it is not quiet), with the
 * zone it was read in. Null without quiet hours.
 */
export function quietHoursHold(policy: SendPolicy, customer: CustomerProfile, now: number): { readonly until: number; readonly zone: ResolvedTimeZone } | null {
  const quiet = policy.quietHours;
  if (quiet === undefined) return null;
  const zone = zoneFor(policy, quiet, customer);
  const end = quietHoursEnd(now, quiet, zone.zone);
  return end === null ? null : { until: end, zone };
}

/** The caps that count a send on `channelId`. */
function capsFor(policy: SendPolicy, channelId: string): SendCap[] {
  return (policy.caps ?? []).filter((cap) => cap.channelId === undefined || cap.channelId === channelId);
}

/**
 * Whether the send `command` of `enrollment` may go at `now` under the engine's policy. A send
 * with `bypassPolicy` always goes. When it goes with a slot taken and then fails, the caller
 * gives the slot back (`releaseSendSlot`).
 */
export async function gateSend(
  runtime: SendPolicyRuntime | undefined,
  storage: Storage,
  leaseMs: number,
  enrollment: Enrollment,
  command: Extract<EffectCommand, { type: 'send' }>,
  customer: CustomerProfile,
  now: number,
): Promise<GateDecision> {
  if (runtime === undefined || command.bypassPolicy === true) return GO;
  const { policy } = runtime;
  const pending = { stepId: command.stepId, visit: command.visit };
  const quiet = quietHoursHold(policy, customer, now);
  if (quiet !== null && quiet.until > now) {
    return { hold: { type: 'deferred', ...pending, until: quiet.until, reason: 'quiet-hours', detail: zoneDetail(quiet.zone) }, checkedStorage: false };
  }

  const caps = capsFor(policy, command.channelId);
  let slotTaken = false;
  if (caps.length > 0 && storage.reserveSendSlot !== undefined) {
    const windows = caps.map((cap) => capWindow(cap, now, zoneFor(policy, cap, customer).zone));
    const request: SendSlotCap[] = caps.map((cap, i) => ({ channelId: cap.channelId ?? null, since: windows[i]!.since, max: cap.max }));
    const slot = await storage.reserveSendSlot({
      tenantId: enrollment.tenantId,
      customerId: enrollment.customerId,
      enrollmentId: enrollment.id,
      channelId: command.channelId,
      key: command.idempotencyKey,
      now,
      holdUntil: now + leaseMs,
      caps: request,
    });
    if (!slot.granted) {
      const cap = caps[slot.cap]!;
      const window = windows[slot.cap]!;
      const detail = { cap: capLabel(cap), channelId: command.channelId, counted: slot.counted, max: cap.max };
      if (policy.onCapped === 'skip') return { hold: { type: 'effect-skipped', ...pending, reason: 'cap', detail }, checkedStorage: true };
      const frees = Math.max(now + 1, window.until ?? slot.freedBy + window.perMs);
      const until = frees + (MAX_SEND_PRIORITY - (command.priority ?? 0)) * PRIORITY_SPACING_MS;
      return { hold: { type: 'deferred', ...pending, until, reason: 'cap', detail }, checkedStorage: true };
    }
    slotTaken = true;
  }

  const limit = policy.rateLimits?.find((r) => r.channelId === command.channelId);
  if (limit !== undefined) {
    const token = { tenantId: enrollment.tenantId, channelId: command.channelId, perSecond: limit.perSecond, now };
    const at = storage.takeSendToken !== undefined ? await storage.takeSendToken(token) : localToken(runtime, token);
    if (at > now) {
      if (slotTaken) await storage.releaseSendSlot?.(enrollment.tenantId, command.idempotencyKey);
      return { hold: { type: 'deferred', ...pending, until: Math.ceil(at), reason: 'rate-limit', detail: { channelId: command.channelId, perSecond: limit.perSecond } }, checkedStorage: true };
    }
  }
  return { hold: null, slotTaken, checkedStorage: slotTaken || limit !== undefined };
}

function localToken(runtime: SendPolicyRuntime, request: { readonly tenantId: string; readonly channelId: string; readonly perSecond: number; readonly now: number }): number {
  const key = `${request.tenantId}\u0000${request.channelId}`;
  const next = takeToken(runtime.buckets.get(key), request.perSecond, request.now);
  runtime.buckets.set(key, next.tat);
  return next.at;
}
