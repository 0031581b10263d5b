import { diagnostic } from '../diagnostics.js';
import type { AnalysisContext } from './context.js';

/**
 * `re-entry-after-days-ignored` (warning): with `reEntry: "never"` a customer who was in the
 * journey never enters it again, so `reEntryAfterDays` can never let anyone back in.
 */
export function checkReEntry({ journey, out }: AnalysisContext): void {
  const { reEntry, reEntryAfterDays } = journey.entryConditions;
  if (reEntry !== 'never' || reEntryAfterDays === undefined) return;
  out.push(
    diagnostic(
      're-entry-after-days-ignored',
      `reEntryAfterDays (${reEntryAfterDays}) never applies: reEntry is "never", so a customer who was in this journey never enters it again. Remove reEntryAfterDays, or set reEntry to "after-exit" to let customers back in after ${reEntryAfterDays} days.`,
      ['entryConditions', 'reEntryAfterDays'],
    ),
  );
}
