let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/**
 * Levenshtein distance between `a` and `b`, giving up (returning `limit + 1`) as soon as it must
 * exceed `limit`. Reuses two row buffers, so it allocates nothing for short strings.
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  if (rowA.length <= b.length) {
    rowA = new Int32Array(b.length + 1);
    rowB = new Int32Array(b.length + 1);
  }
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return Math.min(prev[b.length]!, limit + 1);
}

/**
 * Suggests a known key for a likely typo: an exact match ignoring case, or the closest key
 * within at most 2 edits and fewer than half the key's characters. Build it once per list.
 */
export class KeyMatcher {
  private readonly lower: string[];
  /** Comparisons left; once spent, {@link suggest} returns undefined (keeps big inputs linear). */
  private budget: number;

  constructor(
    private readonly known: readonly string[],
    budget = Number.POSITIVE_INFINITY,
  ) {
    this.lower = known.map((k) => k.toLowerCase());
    this.budget = budget;
  }

  /** The closest known key, or undefined when none is close or the budget is spent. */
  suggest(key: string): string | undefined {
    if (key.length > 200 || this.budget < this.known.length) return undefined;
    this.budget -= this.known.length;
    const lower = key.toLowerCase();
    let best: string | undefined;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.lower.length; i++) {
      const candidate = this.lower[i]!;
      if (Math.abs(candidate.length - lower.length) > 2) continue;
      if (candidate === lower) return this.known[i];
      const limit = Math.min(2, Math.floor((Math.max(lower.length, candidate.length) - 1) / 2));
      if (limit < 1 || Math.abs(candidate.length - lower.length) > limit) continue;
      const d = editDistance(lower, candidate, Math.min(limit, bestDistance - 1));
      if (d <= limit && d < bestDistance) {
        best = this.known[i];
        bestDistance = d;
        if (d === 1) break;
      }
    }
    return best;
  }
}

/** {@link KeyMatcher.suggest} for a one-off list. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  return new KeyMatcher(known).suggest(key);
}

/**
 * The message for a field the caller sent that is not one of `known`:
 * "`customerID` is not a field; did you mean `customerId`?", or the list of fields when none is
 * close. Shared by the engine's input checks and the HTTP adapter.
 */
export function unknownFieldMessage(field: string, known: readonly string[]): { message: string; suggestion: string | undefined } {
  const shown = field.length > 64 ? `${field.slice(0, 64)}…` : field;
  const suggestion = closestKey(field, known);
  const hint = suggestion !== undefined ? `did you mean \`${suggestion}\`?` : known.length > 0 ? `the fields are ${known.map((k) => `\`${k}\``).join(', ')}` : 'nothing is expected here';
  return { message: `\`${shown}\` is not a field; ${hint}`, suggestion };
}
