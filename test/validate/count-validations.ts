/**
 * Counts `validateJourney` calls while keeping the real validator. In a test file:
 *
 *   vi.mock('../../src/validate/validate-journey.js', async (original) =>
 *     (await import('../validate/count-validations.js')).countingValidator(await original()));
 *
 * then read and reset `validations.count`.
 */
import type * as ValidateJourney from '../../src/validate/validate-journey.js';

export const validations = { count: 0 };

export function countingValidator(real: typeof ValidateJourney): typeof ValidateJourney {
  return {
    ...real,
    validateJourney: (...args: Parameters<typeof real.validateJourney>) => {
      validations.count += 1;
      return real.validateJourney(...args);
    },
  };
}
