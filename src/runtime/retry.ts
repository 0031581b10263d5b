/** How the engine retries a failing adapter call (decide, send, update). */
export interface RetryPolicy {
  /** Attempts in all, the first included. After the last failure the enrollment is `failed`. Default 5. */
  readonly maxAttempts: number;
  /** Delay before the second attempt, ms. Default 1,000. */
  readonly initialDelayMs: number;
  /** Each further delay is the previous one times this. Default 4. */
  readonly factor: number;
  /** Delays never exceed this, ms. Default 1 hour. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  initialDelayMs: 1000,
  factor: 4,
  maxDelayMs: 3_600_000,
});

/**
 * When to try again after the `attempts`-th failure (1-based), or null when attempts are
 * exhausted. Deterministic: no jitter (the lease already spreads workers out).
 */
export function nextRetryAt(policy: RetryPolicy, attempts: number, now: number): number | null {
  if (attempts >= policy.maxAttempts) return null;
  const delay = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (attempts - 1));
  return now + delay;
}
