/**
 * The frequency-cap rule every storage adapter applies in its own transaction (see
 * `Storage.reserveSendSlot`): given a customer's stored slots, grant the request's key a slot
 * or name the cap that is full. Pure; the adapters load the slots and write the answer.
 */
import type { SendSlotRequest, SendSlotResult } from '../../runtime/ports.js';

/** The most old slots one `reserveSendSlot` call deletes (`SendSlotRequest.pruneBefore`): bounded work per send. */
export const SEND_SLOT_PRUNE_BATCH = 100;

/** One stored slot of a customer. */
export interface StoredSendSlot {
  readonly key: string;
  readonly channelId: string;
  readonly at: number;
  /** Confirmed (its key is in the effect log) or still held (`holdUntil > now`). */
  readonly held: boolean;
  /** Held, or its enrollment is still active (a hold that ended unconfirmed: the send may have gone out). */
  readonly live: boolean;
}

/** A stored slot's liveness from what its row and the effect log and enrollment say. */
export function storedSlot(row: { readonly key: string; readonly channelId: string; readonly at: number; readonly holdUntil: number; readonly confirmed: boolean; readonly pending: boolean }, now: number): StoredSendSlot {
  const held = row.confirmed || row.holdUntil > now;
  return { key: row.key, channelId: row.channelId, at: row.at, held, live: held || row.pending };
}

/** The earliest `since` of the request's caps: older slots never count. */
export function oldestCounted(request: SendSlotRequest): number {
  let since = request.now;
  for (const cap of request.caps) since = Math.min(since, cap.since);
  return since;
}

/**
 * Whether `request.key` may take a slot: granted when its slot is confirmed or held (a replay
 * within the lease), or when every cap counts fewer than `max` live slots of other keys in its
 * window (then the adapter writes the slot with `at = now`); else the first full cap, with the
 * instant its `max`-th most recent counted slot was taken.
 */
export function decideSendSlot(request: SendSlotRequest, slots: readonly StoredSendSlot[]): SendSlotResult & { readonly held?: boolean } {
  if (slots.some((s) => s.key === request.key && s.held)) return { granted: true, held: true };
  for (let i = 0; i < request.caps.length; i++) {
    const cap = request.caps[i]!;
    const counted = slots
      .filter((s) => s.live && s.key !== request.key && s.at >= cap.since && (cap.channelId === null || s.channelId === cap.channelId))
      .map((s) => s.at)
      .sort((a, b) => b - a);
    if (counted.length >= cap.max) return { granted: false, cap: i, counted: counted.length, freedBy: counted[cap.max - 1]! };
  }
  return { granted: true };
}
