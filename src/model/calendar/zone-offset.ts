import { clampInstant, intlOffsetMs } from './intl-offset.js';
import { firstOffsetChange } from './offset-change.js';

/**
 * A zone's offsets over one stretch of time (a "span" of about 25 days): the offset at its
 * start and each change inside it. Built from `Intl` once, then every look-up in the span is an
 * array scan, not a `format` call.
 */
interface SpanOffsets {
  /** `changes[i]` is the instant from which `offsets[i + 1]` holds; `offsets[0]` holds before. */
  readonly changes: readonly number[];
  readonly offsets: readonly number[];
}

/** 2^31 ms ≈ 24.9 days. */
const SPAN = 2 ** 31;
/** Offsets are sampled every 6 hours: a zone never changes and changes back within that. */
const SAMPLE = 6 * 3_600_000;
/** Spans kept; a span costs a few dozen bytes. */
export const SPAN_CACHE_LIMIT = 8192;

const spans = new Map<string, SpanOffsets | null>();

function build(zone: string, span: number): SpanOffsets | null {
  const end = (span + 1) * SPAN;
  let at = span * SPAN;
  let offset = intlOffsetMs(at, zone);
  if (Number.isNaN(offset)) return null;
  const changes: number[] = [];
  const offsets: number[] = [offset];
  while (at < end) {
    const next = Math.min(at + SAMPLE, end);
    const nextOffset = intlOffsetMs(next, zone);
    if (nextOffset !== offset) {
      changes.push(firstOffsetChange(at, next, zone, offset, intlOffsetMs));
      offsets.push(nextOffset);
      offset = nextOffset;
    }
    at = next;
  }
  return { changes, offsets };
}

/**
 * The offset of `zone` from UTC at `instant`, in milliseconds (local wall clock minus UTC):
 * `-18_000_000` for New York in January, `19_800_000` for Kolkata, `45_900_000` for Chatham in
 * July. `NaN` when `zone` is not a valid zone name. Instants outside the years 1000–9999 use
 * the offset at the nearer end of that range.
 *
 * The first look-up in a zone's 25-day span reads `Intl` about 100 times (~0.2 ms); later ones
 * in that span are a map look-up and a short scan. At most `SPAN_CACHE_LIMIT` spans are kept.
 *
 * @example zoneOffsetMs(Date.UTC(2026, 0, 15), 'America/New_York') // -18000000
 */
export function zoneOffsetMs(instant: number, zone: string): number {
  if (Number.isNaN(instant)) return Number.NaN;
  const clamped = clampInstant(instant);
  const span = Math.floor(clamped / SPAN);
  const key = `${span}|${zone}`;
  let offsets = spans.get(key);
  if (offsets === undefined) {
    offsets = build(zone, span);
    if (spans.size >= SPAN_CACHE_LIMIT) spans.delete(spans.keys().next().value as string);
    spans.set(key, offsets);
  }
  if (offsets === null) return Number.NaN;
  const { changes } = offsets;
  let i = 0;
  while (i < changes.length && clamped >= changes[i]!) i++;
  return offsets.offsets[i]!;
}

/** How many spans the cache holds now (for tests of its bound). */
export function spanCacheSize(): number {
  return spans.size;
}
