/**
 * The send policy at run time (docs/send-policies.md): before a send's port call the worker asks
 * {@link gateSend} whether it may go now. Quiet hours are a pure rule over the customer's zone;
 * frequency caps are counted in storage (`reserveSendSlot`, exact across journeys and workers);
 * rate limits take a token from storage (`takeSendToken`) or from this process's own bucket.
 * A send held back becomes a `deferred` input (the enrollment waits at the step, same visit and
 * key) or, for a cap with `onCapped: 'skip'`, an `effect-skipped` input: the interpreter applies
 * it as it applies any effect result.
 */
import { quietHoursEnd, resolveTimeZone, type QuietHours, type ResolvedTimeZone } from '../model/calendar/index.js';
import { capLabel, capWindow, MAX_SEND_PRIORITY, sendSlotRetentionMs, type JourneySendPolicy, type SendCap, type SendPolicy } from '../model/send-policy.js';
import { takeToken, type TokenState } from './token-bucket.js';
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
  readonly buckets: Map<string, TokenState>;
}

/** What the gate decided: hold the send back (an input for the interpreter), or let it go (with a slot taken or not). */
export type GateDecision =
  | { readonly hold: Input; readonly checkedStorage: boolean }
  | { readonly hold: null; readonly slotTaken: boolean; readonly checkedStorage: boolean };

const GO: GateDecision = { hold: null, slotTaken: false, checkedStorage: false };

/** The zones a rule of the journey's or the engine's policy reads by default: its own, then the quiet hours' of its policy, then the engine's. */
type ZoneRule = { readonly timeZone?: string; readonly fallbackTimeZone?: string } | undefined;

function zoneFor(rules: readonly ZoneRule[], customer: CustomerProfile): ResolvedTimeZone {
  const timeZone = rules.find((r) => r?.timeZone !== undefined)?.timeZone ?? 'customer.timezone';
  return resolveTimeZone(timeZone, customer.attributes, rules.find((r) => r?.fallbackTimeZone !== undefined)?.fallbackTimeZone);
}

function zoneDetail(zone: ResolvedTimeZone): Record<string, unknown> {
  return zone.fellBack ? { timeZone: zone.zone, fallback: zone.reason } : { timeZone: zone.zone };
}

/** Which policy a rule comes from: the engine's, or the journey document's. */
type RuleOrigin = 'engine' | 'journey';

/**
 * The quiet-hours rules alone, pure: when the send may go under the engine's quiet hours and the
 * journey's (a send goes when neither is quiet), with the zone of the rule that held it first.
 * Null when neither is quiet at `now`.
 */
export function quietHoursHold(
  policy: SendPolicy,
  customer: CustomerProfile,
  now: number,
  journey: JourneySendPolicy | null = null,
): { readonly until: number; readonly zone: ResolvedTimeZone; readonly origin: RuleOrigin } | null {
  const rules: { readonly quiet: QuietHours; readonly zone: ResolvedTimeZone; readonly origin: RuleOrigin }[] = [];
  if (policy.quietHours !== undefined) rules.push({ quiet: policy.quietHours, zone: zoneFor([policy.quietHours], customer), origin: 'engine' });
  if (journey?.quietHours !== undefined) rules.push({ quiet: journey.quietHours, zone: zoneFor([journey.quietHours, policy.quietHours], customer), origin: 'journey' });
  let first: (typeof rules)[number] | null = null;
  let until = now;
  // The end of one rule's quiet period may fall in the other's: move on until neither holds (a few rounds at most).
  for (let round = 0, moved = true; moved && round < 8; round++) {
    moved = false;
    for (const rule of rules) {
      const end = quietHoursEnd(until, rule.quiet, rule.zone.zone);
      if (end !== null && end > until) {
        first ??= rule;
        until = end;
        moved = true;
      }
    }
  }
  return first === null ? null : { until, zone: first.zone, origin: first.origin };
}

/** The caps that count a send on `channelId`: the engine's, then the journey's, each with the zone of its window. */
function capsFor(policy: SendPolicy, journey: JourneySendPolicy | null, channelId: string, customer: CustomerProfile): { readonly cap: SendCap; readonly zone: string; readonly origin: RuleOrigin }[] {
  const applies = (cap: SendCap) => cap.channelId === undefined || cap.channelId === channelId;
  return [
    ...(policy.caps ?? []).filter(applies).map((cap) => ({ cap, zone: zoneFor([cap, policy.quietHours], customer).zone, origin: 'engine' as const })),
    ...(journey?.caps ?? []).filter(applies).map((cap) => ({ cap, zone: zoneFor([cap, journey?.quietHours, policy.quietHours], customer).zone, origin: 'journey' as const })),
  ];
}

/** Whether a send meets any policy at all (false: {@link gateSend} would answer "go" at once, so the worker does not call it). */
export function sendIsGated(runtime: SendPolicyRuntime | undefined, journeyPolicy: JourneySendPolicy | null, command: Extract<EffectCommand, { type: 'send' }>): boolean {
  return !(command.bypassPolicy === true || (runtime === undefined && journeyPolicy === null));
}

/**
 * Whether the send `command` of `enrollment` may go at `now` under the engine's policy and the
 * journey's own (`journeyPolicy`, the document's `sendPolicy`): the engine's rules always hold,
 * the journey's add to them. A send with `bypassPolicy` always goes. When it goes with a slot
 * taken and then fails, the caller gives the slot back (`releaseSendSlot`). A slot taken here and
 * then held back by the rate limit is given back at once — while `holdsClaim()` says the caller's
 * claim is still its own: once its lease ran out, another worker may be sending under the same
 * key, and the slot (the key's) must keep counting.
 */
export async function gateSend(
  runtime: SendPolicyRuntime | undefined,
  journeyPolicy: JourneySendPolicy | null,
  storage: Storage,
  leaseMs: number,
  enrollment: Enrollment,
  command: Extract<EffectCommand, { type: 'send' }>,
  customer: CustomerProfile,
  now: number,
  holdsClaim: () => boolean = () => true,
): Promise<GateDecision> {
  if (!sendIsGated(runtime, journeyPolicy, command)) return GO;
  const policy = runtime?.policy ?? {};
  const pending = { stepId: command.stepId, visit: command.visit };
  const quiet = quietHoursHold(policy, customer, now, journeyPolicy);
  if (quiet !== null) {
    const detail = { ...zoneDetail(quiet.zone), ...(quiet.origin === 'journey' ? { policy: 'journey' } : {}) };
    return { hold: { type: 'deferred', ...pending, until: quiet.until, reason: 'quiet-hours', detail }, checkedStorage: false };
  }

  const caps = capsFor(policy, journeyPolicy, command.channelId, customer);
  let slotTaken = false;
  if (caps.length > 0 && storage.reserveSendSlot !== undefined) {
    const windows = caps.map(({ cap, zone }) => capWindow(cap, now, zone));
    // Slots before this count for no cap of any journey: the storage deletes them as sends go.
    const pruneBefore = Math.floor(now - sendSlotRetentionMs(policy));
    const request: SendSlotCap[] = caps.map(({ cap }, i) => ({ channelId: cap.channelId ?? null, since: windows[i]!.since, max: cap.max }));
    const slot = await storage.reserveSendSlot({
      tenantId: enrollment.tenantId,
      customerId: enrollment.customerId,
      enrollmentId: enrollment.id,
      channelId: command.channelId,
      key: command.idempotencyKey,
      now,
      holdUntil: now + leaseMs,
      caps: request,
      ...(Number.isSafeInteger(pruneBefore) ? { pruneBefore } : {}),
    });
    if (!slot.granted) {
      const { cap, origin } = caps[slot.cap]!;
      const window = windows[slot.cap]!;
      const detail = { cap: capLabel(cap), channelId: command.channelId, counted: slot.counted, max: cap.max, ...(origin === 'journey' ? { policy: 'journey' } : {}) };
      if ((journeyPolicy?.onCapped ?? policy.onCapped) === 'skip') return { hold: { type: 'effect-skipped', ...pending, reason: 'cap', detail }, checkedStorage: true };
      const frees = Math.max(now + 1, window.until ?? slot.freedBy + window.perMs);
      const priority = command.priority ?? journeyPolicy?.priority ?? 0;
      const until = frees + (MAX_SEND_PRIORITY - priority) * PRIORITY_SPACING_MS;
      return { hold: { type: 'deferred', ...pending, until, reason: 'cap', detail }, checkedStorage: true };
    }
    slotTaken = true;
  }

  const limit = runtime === undefined ? undefined : policy.rateLimits?.find((r) => r.channelId === command.channelId);
  if (runtime !== undefined && limit !== undefined) {
    const token = { tenantId: enrollment.tenantId, channelId: command.channelId, perSecond: limit.perSecond, now };
    const at = storage.takeSendToken !== undefined ? await storage.takeSendToken(token) : localToken(runtime, token);
    if (at > now) {
      if (slotTaken && holdsClaim()) await storage.releaseSendSlot?.(enrollment.tenantId, command.idempotencyKey);
      return { hold: { type: 'deferred', ...pending, until: Math.ceil(at), reason: 'rate-limit', detail: { channelId: command.channelId, perSecond: limit.perSecond } }, checkedStorage: true };
    }
  }
  return { hold: null, slotTaken, checkedStorage: slotTaken || limit !== undefined };
}

function localToken(runtime: SendPolicyRuntime, request: { readonly tenantId: string; readonly channelId: string; readonly perSecond: number; readonly now: number }): number {
  const key = `${request.tenantId}\u0000${request.channelId}`;
  const next = takeToken(runtime.buckets.get(key), request.perSecond, request.now);
  runtime.buckets.set(key, next.state);
  return next.at;
}
