/**
 * Deterministic synthetic customers and scripted responses for `journeys simulate`: the same
 * seed gives the same customers, segments, attributes and outcomes on every run.
 */
import type { JourneyDocument } from '../index.js';
import type { ProfileSeed } from '../testing.js';

/** A small, fast, seedable PRNG (mulberry32): numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit FNV-1a hash of a string: derives per-customer randomness independent of order. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Share of synthetic customers in the journey's entry segments (the rest are refused at entry). */
export const IN_SEGMENT_SHARE = 0.8;
const TIERS = ['bronze', 'silver', 'gold'] as const;
const REGIONS = ['north', 'south', 'east', 'west'] as const;

/**
 * `count` customers `cust_000001…`: 80% in one of the journey's entry segments (when it has
 * any), with attributes `age` (18–80), `tier`, `region` and `income`.
 */
export function syntheticCustomers(count: number, seed: number, journey: JourneyDocument): ProfileSeed[] {
  const random = prng(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const entrySegments = journey.entryConditions.segments ?? [];
  const width = Math.max(6, String(count).length);
  const out: ProfileSeed[] = [];
  for (let i = 1; i <= count; i++) {
    const segments = entrySegments.length > 0 && random() < IN_SEGMENT_SHARE ? [pick(entrySegments)] : [];
    if (random() < 0.3) segments.push('newsletter');
    out.push({
      id: `cust_${String(i).padStart(width, '0')}`,
      segments,
      attributes: { age: 18 + Math.floor(random() * 63), tier: pick(TIERS), region: pick(REGIONS), income: Math.round(20_000 + random() * 130_000) },
    });
  }
  return out;
}

/** Chances that a customer responds to one send. */
export interface ResponseRates {
  readonly conversion: number;
  readonly click: number;
}

/** 10% convert, 25% click, per send. */
export const DEFAULT_RATES: ResponseRates = Object.freeze({ conversion: 0.1, click: 0.25 });

/** The scripted response of a customer to their n-th send (1-based), or null for none. Deterministic. */
export function scriptedResponse(seed: number, customerId: string, sendIndex: number, rates: ResponseRates = DEFAULT_RATES): 'conversion' | 'click' | null {
  const r = prng(hash32(`${seed}:${customerId}:${sendIndex}`))();
  if (r < rates.conversion) return 'conversion';
  if (r < rates.conversion + rates.click) return 'click';
  return null;
}
