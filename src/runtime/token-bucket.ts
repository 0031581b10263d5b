/** The rate-limit rule, shared by the engine's own bucket and the storages that keep one. */

/**
 * A channel's bucket: `tat` is the instant the next send may go; `queueAt` the instant the next
 * refused send is told to come back (null until one was refused).
 */
export interface TokenState {
  readonly tat: number;
  readonly queueAt: number | null;
}

/**
 * The depth-one token bucket of `Storage.takeSendToken` (GCRA), with its refusals queued: a send
 * at or after `tat` goes (`at` is `now`) and moves `tat` one interval past `now`; a send before it
 * is told to come back at the later of `tat` and `queueAt`, and `queueAt` moves one interval on.
 * So the sends refused together come back one interval apart, in the order they were refused,
 * instead of all at `tat` (where one would go and the rest be refused again). Answers the new
 * state and when this send may go.
 */
export function takeToken(state: TokenState | undefined, perSecond: number, now: number): { readonly state: TokenState; readonly at: number } {
  const interval = 1000 / perSecond;
  if (state !== undefined && state.tat > now) {
    const at = Math.max(state.queueAt ?? state.tat, state.tat);
    return { state: { tat: state.tat, queueAt: at + interval }, at };
  }
  return { state: { tat: Math.max(state?.tat ?? now, now) + interval, queueAt: state?.queueAt ?? null }, at: now };
}
