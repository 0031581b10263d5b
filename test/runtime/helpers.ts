import { readFileSync } from 'node:fs';
import { journeyDocumentSchema } from '../../src/model/schema.js';
import type { JourneyDocumentInput } from '../../src/model/types.js';
import { compileJourney, type CompiledJourney } from '../../src/runtime/compile-journey.js';

export const T0 = Date.UTC(2026, 2, 10, 9, 0, 0);
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export function loadExample(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../examples/journeys/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

export function compile(doc: JourneyDocumentInput | Record<string, unknown>, version = 1): CompiledJourney {
  const parsed = journeyDocumentSchema.parse(doc);
  return compileJourney({ id: 'jrn_test', tenantId: 'default', name: parsed.name, version }, parsed);
}

export function journey(steps: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'Test', maxDuration: 30, steps, ...extra };
}

/** `n` steps alternating an update (a profile effect) and a one-minute wait. */
export function updateWaitChain(n: number): Record<string, unknown> {
  const steps = Array.from({ length: n }, (_, i) =>
    i % 2 === 0
      ? { id: `u${i}`, type: 'update', config: { operations: [{ type: 'set_attribute', key: 'k', value: i }] } }
      : { id: `w${i}`, type: 'wait', config: { duration: 1, unit: 'minutes' } },
  );
  return journey(steps, { maxDuration: 365 });
}
