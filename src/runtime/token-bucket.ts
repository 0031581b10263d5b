/** The rate-limit rule, shared by the engine's own bucket and the storages that keep one. */

/**
 * The depth-one token bucket of `Storage.takeSendToken` (GCRA): `tat` is the instant the next
 * send may go. Answers the new `tat` and when this send may go (`now`: granted).
 */
export function takeToken(tat: number | undefined, perSecond: number, now: number): { readonly tat: number; readonly at: number } {
  const interval = 1000 / perSecond;
  if (tat !== undefined && tat > now) return { tat, at: tat };
  return { tat: Math.max(tat ?? now, now) + interval, at: now };
}
