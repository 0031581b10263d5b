/**
 * Split assignment: which variant of a `split` step a customer lands on — a pure function of
 * (journey id, step id, customer id, salt), so the same customer gets the same variant on every
 * retry, replay and re-entry, in every process, on every platform.
 */
import { utf8Length } from '../model/utf8.js';

/** The four strings that fix a customer's variant. */
export interface SplitKey {
  readonly journeyId: string;
  readonly stepId: string;
  readonly customerId: string;
  /** The split's `salt`: change it to reshuffle everyone for a new experiment. */
  readonly salt: string;
}

const TWO_TO_53 = 2 ** 53;

/** Lane 1's and lane 2's multipliers (cyrb53's, odd 32-bit constants). */
const M1 = 2_654_435_761;
const M2 = 1_597_334_677;

// The two lanes of `splitHash`, reset at its start: scratch state of one synchronous call, so the
// function stays pure (same key, same hash) without allocating per byte.
let h1 = 0;
let h2 = 0;

function byte(b: number): void {
  h1 = Math.imul(h1 ^ b, M1);
  h2 = Math.imul(h2 ^ b, M2);
}

/** Feed `text` as its UTF-8 byte length (4 bytes, big-endian) then its UTF-8 bytes; a lone surrogate is U+FFFD. */
function feed(text: string): void {
  const length = utf8Length(text);
  byte(length >>> 24);
  byte((length >>> 16) & 0xff);
  byte((length >>> 8) & 0xff);
  byte(length & 0xff);
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      byte(c);
      continue;
    }
    if (c < 0x800) {
      byte(0xc0 | (c >> 6));
      byte(0x80 | (c & 0x3f));
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const low = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && (low & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
        byte(0xf0 | (c >> 18));
        byte(0x80 | ((c >> 12) & 0x3f));
        byte(0x80 | ((c >> 6) & 0x3f));
        byte(0x80 | (c & 0x3f));
        continue;
      }
      c = 0xfffd;
    }
    byte(0xe0 | (c >> 12));
    byte(0x80 | ((c >> 6) & 0x3f));
    byte(0x80 | (c & 0x3f));
  }
}

/** MurmurHash3's 32-bit finalizer (full avalanche). */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * A 53-bit hash of a split key: cyrb53's two 32-bit multiply lanes (public domain) finished with
 * MurmurHash3 x86_128's cross-lane `fmix32` avalanche (cyrb53's own finish leaves the top bits
 * nearly blind to the last bytes: changing a salt's last character did not reshuffle), over an unambiguous byte encoding of the four strings — each as its UTF-8
 * length then its UTF-8 bytes, in the order journey, step, customer, salt — so
 * `('ab', 'c')` and `('a', 'bc')` differ. Integer arithmetic only (`Math.imul`, shifts): the
 * same number on every engine. Changing this function reassigns every running experiment.
 */
export function splitHash(key: SplitKey): number {
  h1 = 0xdeadbeef;
  h2 = 0x41c6ce57;
  feed(key.journeyId);
  feed(key.stepId);
  feed(key.customerId);
  feed(key.salt);
  // MurmurHash3 x86_128's finalization over the two lanes: every input bit reaches every output bit.
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  return 4_294_967_296 * (0x1fffff & h2) + (h1 >>> 0);
}

/**
 * The index of the variant a customer lands on, given the variants' weights in order: the key's
 * hash, scaled to `[0, sum of weights)`, falls in one variant's share. A variant of weight 0 is
 * never chosen. Weights need not sum to 100.
 *
 * @throws RangeError when there are no weights, one is negative or not finite, or all are 0 (the
 * validator's `split-without-weight` rejects such a split before it runs).
 * @example
 * assignVariant({ journeyId: 'j_1', stepId: 'step_split', customerId: 'c_42', salt: '2026-q1' }, [45, 45, 10]) // 0, 1 or 2, always the same
 */
export function assignVariant(key: SplitKey, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) {
    if (!Number.isFinite(w) || w < 0) throw new RangeError(`split weights must be finite numbers >= 0, got ${w}`);
    total += w;
  }
  if (!(total > 0)) throw new RangeError('a split needs at least one variant with a weight above 0');
  const point = (splitHash(key) / TWO_TO_53) * total;
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (w === 0) continue;
    cumulative += w;
    last = i;
    if (point < cumulative) return i;
  }
  return last;
}
