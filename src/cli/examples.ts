/**
 * The example journeys shipped with the package (`examples/journeys/*.json`), embedded in the
 * CLI bundle so `journeys demo` and `journeys example` work wherever the package is installed,
 * whatever the working directory.
 */
import loanNurture from '../../examples/journeys/loan-nurture.json' with { type: 'json' };
import loanNurtureSeed from '../../examples/journeys/loan-nurture.seed.json' with { type: 'json' };
import abTestHoldout from '../../examples/journeys/ab-test-holdout.json' with { type: 'json' };
import abandonedCart from '../../examples/journeys/abandoned-cart.json' with { type: 'json' };
import welcomeWeekdays from '../../examples/journeys/welcome-weekdays.json' with { type: 'json' };
import winBack from '../../examples/journeys/win-back.json' with { type: 'json' };

/** One shipped example: its name (the file name without `.json`), what it shows, the document. */
export interface ExampleJourney {
  readonly name: string;
  readonly summary: string;
  readonly document: Readonly<Record<string, unknown>>;
}

/** Every shipped example, by name. */
export const EXAMPLE_JOURNEYS: readonly ExampleJourney[] = Object.freeze([
  { name: 'loan-nurture', summary: "the seed's Personal Loan Nurture journey with every target defined (valid)", document: loanNurture },
  { name: 'loan-nurture.seed', summary: "the seed's example exactly as written (two unknown targets: errors)", document: loanNurtureSeed },
  { name: 'abandoned-cart', summary: 'event entry, waitFor a purchase, a reminder then a discount (docs/recipes.md)', document: abandonedCart },
  { name: 'welcome-weekdays', summary: "a welcome series at 09:00 in the customer's time zone on weekdays (docs/recipes.md)", document: welcomeWeekdays },
  { name: 'ab-test-holdout', summary: 'an A/B test with a 10% holdout and a conversion goal (docs/recipes.md)', document: abTestHoldout },
  { name: 'win-back', summary: 'a win-back offer at most once a month per customer, reEntryAfterDays (docs/recipes.md)', document: winBack },
]);

/** A fresh copy of a shipped example's document (callers may change it). */
export function exampleJourney(name: string): Record<string, unknown> | undefined {
  const found = EXAMPLE_JOURNEYS.find((e) => e.name === name);
  return found === undefined ? undefined : (structuredClone(found.document) as Record<string, unknown>);
}
