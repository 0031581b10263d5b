import { compileWindow, type CompiledWindow } from './calendar-window.js';
import { nextInstantOutsideWindow } from './next-in-window.js';
import { WEEKDAYS } from './wall-clock.js';

/** Quiet hours as a send policy writes them: every day unless `days` names the nights they start. */
export interface QuietHours {
  readonly from: string;
  readonly to: string;
  readonly days?: readonly string[];
}

const compiled = new WeakMap<QuietHours, CompiledWindow | null>();

function windowOf(quiet: QuietHours): CompiledWindow | null {
  let hit = compiled.get(quiet);
  if (hit === undefined) {
    hit = compileWindow({ days: quiet.days ?? WEEKDAYS, from: quiet.from, to: quiet.to });
    compiled.set(quiet, hit);
  }
  return hit;
}

/**
 * When a send held by quiet hours may go: `instant` itself when the customer's local time in
 * `zone` is not quiet, else the end of the quiet period — the rules of windows (crossing
 * midnight, DST nights) read the other way round. `from == to` means no quiet hours. `null` when
 * the hours are malformed, cover all time (`'00:00'`→`'24:00'` every day) or the zone is invalid.
 *
 * @example
 * // 23:00 in Kolkata, quiet 21:00–08:00 → 08:00 IST the next morning (02:30Z)
 * quietHoursEnd(Date.UTC(2026, 0, 1, 17, 30), { from: '21:00', to: '08:00' }, 'Asia/Kolkata') === Date.UTC(2026, 0, 2, 2, 30) // true
 */
export function quietHoursEnd(instant: number, quiet: QuietHours, zone: string): number | null {
  const window = windowOf(quiet);
  return window === null ? null : nextInstantOutsideWindow(instant, window, zone);
}
