import { firstOffsetChange } from './offset-change.js';
import { zoneOffsetMs } from './zone-offset.js';

/** A condition on wall-clock times, with where it may next become true. */
export interface WallClockRule<C> {
  /** Whether the condition holds at wall-clock time `wall`. */
  holds(wall: number, context: C): boolean;
  /** The first wall-clock time after `wall` at which it may hold (it does not hold in between), or `null` if never. */
  next(wall: number, context: C): number | null;
}

/** Enough for a rule that skips a week of closed days plus a few offset changes on the way. */
const MAX_STEPS = 32;

/**
 * The first instant at or after `instant` at which the clocks of `zone` show a time where `rule`
 * holds; `null` when it never does (or `zone` is invalid).
 *
 * Walks the offset's constant stretches: within one, wall-clock time runs with the instant, so
 * the next candidate is `instant + (rule.next(wall) − wall)` — unless the offset changes first,
 * and then the walk goes on from the moment of the change (where the clocks jump: forward past a
 * gap, or back into times already shown). It assumes an offset does not change and change back
 * within one step (a week at most), which holds for every zone in tzdb in practice.
 */
export function firstInstantWhere<C>(instant: number, zone: string, rule: WallClockRule<C>, context: C): number | null {
  let at = instant;
  let offset = zoneOffsetMs(at, zone);
  if (Number.isNaN(offset) || Number.isNaN(at)) return null;
  for (let step = 0; step < MAX_STEPS; step++) {
    const wall = at + offset;
    if (rule.holds(wall, context)) return at;
    const target = rule.next(wall, context);
    if (target === null) return null;
    const candidate = at + (target - wall);
    const candidateOffset = zoneOffsetMs(candidate, zone);
    if (candidateOffset === offset) {
      at = candidate;
    } else {
      at = firstOffsetChange(at, candidate, zone, offset, zoneOffsetMs);
      offset = zoneOffsetMs(at, zone);
    }
  }
  return null;
}
