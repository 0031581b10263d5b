/**
 * Give the event loop a turn (timers, I/O, other requests) during a long run of work that only
 * awaits promises which are already resolved (memory storage, in-process ports): microtasks
 * alone never let it run, so one long simulation would stall a whole server. Uses `setImmediate`
 * where the runtime has one, else `setTimeout(0)`.
 */
export function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => {
    if (typeof immediate === 'function') immediate(resolve);
    else setTimeout(resolve, 0);
  });
}

/** Units of work (effects of one claim, iterations of a simulation) between two yields. */
export const YIELD_EVERY = 64;
