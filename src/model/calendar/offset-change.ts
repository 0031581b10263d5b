/**
 * The first instant in `(after, until]` at which `zone`'s offset (as `offsetOf` reads it) is no longer `offset`, given that
 * it is `offset` at `after` and something else at `until`. Offsets change on whole seconds, so
 * this is a binary search over seconds: about 20 zone look-ups for a week-long range, paid only
 * when a range does contain a change (twice a year for most zones).
 */
export function firstOffsetChange(
  after: number,
  until: number,
  zone: string,
  offset: number,
  offsetOf: (instant: number, zone: string) => number,
): number {
  let lo = Math.floor(after / 1000);
  let hi = Math.floor(until / 1000);
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (offsetOf(mid * 1000, zone) === offset) lo = mid;
    else hi = mid;
  }
  return hi * 1000;
}
