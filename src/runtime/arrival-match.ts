/** Whether something that reached an enrollment (an event, an outcome) meets a `waitFor` path or a goal. */
import { EVENT_ROOT } from '../model/steps/wait-for.js';
import type { Arrival } from './steps/kind.js';

/** What a path or a goal waits for: one outcome type, or one event type with an optional condition. */
export interface ArrivalSpec {
  readonly outcome: string | null;
  readonly event: string | null;
  /** The condition on an event, with the scope roots it reads besides `event`. */
  readonly where: { readonly evaluate: (scope: Readonly<Record<string, unknown>>) => unknown; readonly roots: ReadonlySet<string> } | null;
}

/** When it happened: the event's or the outcome's `at`. */
export function arrivalAt(arrival: Arrival): number {
  return arrival.kind === 'event' ? arrival.event.at : arrival.outcome.at;
}

/**
 * Whether `arrival` meets `spec`. `scope` builds the expression roots a `where` reads; `event` is
 * added. A `where` that cannot be evaluated (a value that is not data) does not match.
 */
export function meets(spec: ArrivalSpec, arrival: Arrival, scope: (roots: ReadonlySet<string>) => Record<string, unknown>): boolean {
  if (arrival.kind === 'outcome') return spec.outcome === arrival.outcome.type;
  if (spec.event !== arrival.event.type) return false;
  if (spec.where === null) return true;
  const values = scope(spec.where.roots);
  values[EVENT_ROOT] = arrival.event;
  try {
    return Boolean(spec.where.evaluate(values));
  } catch {
    return false;
  }
}
