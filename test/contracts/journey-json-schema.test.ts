import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { journeyJsonSchema } from '../../src/model/json-schema.js';
import { validateJourney } from '../../src/validate/index.js';
import { journeyArbitrary } from '../runtime/journey-arbitrary.js';

const ajv = new Ajv2020({ allErrors: false, strict: true, strictTypes: false, strictRequired: false });
const check = ajv.compile(journeyJsonSchema());

/** The schema-level verdict of `validateJourney`: its schema parse succeeded (`journey` is set). */
const zodAccepts = (doc: unknown): boolean => validateJourney(doc).journey !== undefined;

/** Every field of the language, in one valid document (the arbitraries cover the five seed kinds). */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const RICH: Json = {
  $schema: './node_modules/journey-engine/schema/journey.schema.json',
  name: 'Rich',
  description: 'every field',
  maxDuration: 30,
  status: 'draft',
  entryConditions: {
    segments: ['s'],
    events: [{ type: 'signup', properties: { plan: 'pro', seats: 2, trial: true, ref: null } }],
    manual: true,
    minDaysSinceLastJourney: 1,
    reEntry: 'after-exit',
    reEntryAfterDays: 2,
  },
  goals: [
    { id: 'bought', outcome: 'conversion', exit: true },
    { id: 'big', label: 'big', event: 'purchase', where: 'event.properties.amount > 10' },
  ],
  steps: [
    { id: 'split', type: 'split', config: { salt: 'x', variants: [{ label: 'A', weight: 1, targetStepId: 'w1' }, { label: 'B', weight: 1, targetStepId: null }] } },
    { id: 'w1', type: 'wait', config: { duration: 2, unit: 'hours', window: { days: ['mon', 'tue'], from: '09:00', to: '17:00', timeZone: 'Europe/Paris', fallbackTimeZone: 'UTC' } } },
    { id: 'w2', type: 'wait', config: { untilAttribute: 'renewal', offset: { duration: -3, unit: 'days' } } },
    { id: 'w3', type: 'wait', config: { until: '2026-12-24T09:00:00Z' } },
    {
      id: 'wf',
      type: 'waitFor',
      config: {
        paths: [{ event: 'purchase', where: 'event.properties.amount > 1', targetStepId: 'u' }, { label: 'clicked', outcome: 'click', targetStepId: null }],
        timeout: { duration: 3, unit: 'days' },
        timeoutTargetStepId: 'u',
      },
    },
    {
      id: 'u',
      type: 'update',
      label: 'u',
      position: { x: 1, y: 2 },
      next: null,
      config: {
        operations: [
          { type: 'set_attribute', key: 'k', value: { a: [1, 'x', null, true] } },
          { type: 'unset_attribute', key: 'k2' },
          { type: 'add_segment', segment: 's' },
          { type: 'remove_segment', segment: 's' },
          { type: 'set_flag', flag: 'f', value: false },
        ],
      },
    },
    { id: 'd', type: 'decide', config: { decisionFlowId: 'df', maxOffers: 3, storeResultAs: 'offers' } },
    { id: 'send', type: 'send', config: { channelId: 'email', creativeId: 'c', resultSource: 'offers' } },
    { id: 'b', type: 'branch', config: { conditions: [{ label: 'l', expression: "outcome == 'click'", targetStepId: 'u' }], defaultTargetStepId: 'd' } },
  ],
};


/** Every place in a document: the path to each object or array, and to each value in them. */
function pathsOf(value: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...at, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out);
  return out;
}

const POOL: Json[] = [null, true, 0, -1, 1.5, 400, 1e9, '', 'x', 'days', 'wait', 'mon', '__proto__', 'A b', 'a'.repeat(300), [], {}, ['mon'], { x: 1 }];
/**
 * Fields whose zod refinement JSON Schema cannot say (a time zone that exists, a real instant):
 * a random string there is refused by validateJourney and accepted by the JSON Schema, by design.
 */
const UNSAYABLE = new Set(['until', 'timeZone', 'fallbackTimeZone']);

type Mutation = { kind: 'set'; value: Json } | { kind: 'delete' } | { kind: 'add'; key: string; value: Json };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...POOL).map((value): Mutation => ({ kind: 'set', value })),
  fc.constant<Mutation>({ kind: 'delete' }),
  fc.record({ key: fc.constantFrom('extra', 'Name', 'config', 'id'), value: fc.constantFrom(...POOL) }).map((m): Mutation => ({ kind: 'add', ...m })),
);

/** Apply mutations at chosen places (indices into the paths, taken modulo); `undefined` when one is on an unsayable field. */
function mutate(doc: Json, picks: readonly [number, Mutation][]): Json | undefined {
  let out = structuredClone(doc);
  for (const [pick, mutation] of picks) {
    // A copy of the pool's value: later mutations must not change the pool (or make it cyclic).
    const m: Mutation = mutation.kind === 'delete' ? mutation : { ...mutation, value: structuredClone(mutation.value) };
    const paths = pathsOf(out);
    const path = paths[pick % paths.length]!;
    const last = path[path.length - 1];
    if (typeof last === 'string' && UNSAYABLE.has(last) && m.kind === 'set') return undefined;
    if (path.length === 0) {
      if (m.kind === 'set') out = m.value;
      else if (m.kind === 'add' && out !== null && typeof out === 'object' && !Array.isArray(out)) out[m.key] = m.value;
      continue;
    }
    const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], out);
    if (m.kind === 'set') parent[last!] = m.value;
    else if (m.kind === 'delete') Array.isArray(parent) ? parent.splice(last as number, 1) : delete parent[last!];
    else {
      const target = parent[last!];
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) target[m.key] = m.value;
      else if (Array.isArray(target)) target.push(m.value);
    }
  }
  return out;
}

const baseArb = fc.oneof(journeyArbitrary as fc.Arbitrary<Json>, fc.constant(RICH));

describe('the journey JSON Schema (journey-engine/journey.schema.json)', () => {
  it('is a valid draft 2020-12 schema that ajv compiles (strict, but for required keys declared in the enclosing object)', () => {
    expect(journeyJsonSchema()['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(typeof check).toBe('function');
  });

  it('accepts every shipped example, and so does validateJourney', () => {
    const dir = new URL('../../examples/journeys/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const doc = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
      expect({ file, ok: check(doc), errors: check.errors }).toMatchObject({ ok: true });
      expect(zodAccepts(doc)).toBe(true);
    }
  });

  it('accepts a document carrying "$schema", and so does validateJourney (valid, no diagnostic about it)', () => {
    expect(check(RICH)).toBe(true);
    const result = validateJourney(RICH);
    expect(result.journey).toBeDefined();
    expect(result.diagnostics.filter((d) => d.path[0] === '$schema')).toEqual([]);
    expect(validateJourney({ ...(RICH as Record<string, Json>), $schema: 42 }).journey).toBeUndefined();
    expect(check({ ...(RICH as Record<string, Json>), $schema: 42 })).toBe(false);
  });

  it('says the refinements it can: one wait form, unit with duration, 365 days, event xor outcome, reserved names', () => {
    const wait = (config: Json) => ({ name: 'n', maxDuration: 365, steps: [{ id: 'w', type: 'wait', config }] });
    const cases: Json[] = [
      wait({}),
      wait({ duration: 1 }),
      wait({ unit: 'days', until: '2026-12-24T09:00:00Z' }),
      wait({ duration: 366, unit: 'days' }),
      wait({ duration: 525_601, unit: 'minutes' }),
      wait({ duration: 1, unit: 'days', until: '2026-12-24T09:00:00Z' }),
      wait({ until: '2026-12-24T09:00:00Z', offset: { duration: 1, unit: 'days' } }),
      wait({ untilAttribute: 'a', offset: { duration: -366, unit: 'days' } }),
      wait({ untilAttribute: 'constructor' }),
      wait({ duration: 1, unit: 'days', window: { days: [], from: '09:00', to: '17:00' } }),
      wait({ duration: 1, unit: 'days', window: { days: ['mon'], from: '24:00', to: '17:00' } }),
      { ...(RICH as Record<string, Json>), goals: [{ id: 'g', event: 'e', outcome: 'o' }] },
      { ...(RICH as Record<string, Json>), goals: [{ id: 'g', outcome: 'o', where: 'true' }] },
      { ...(RICH as Record<string, Json>), goals: [{ id: 'g' }] },
    ];
    for (const doc of cases) expect({ doc, zod: zodAccepts(doc), ajv: check(doc) }).toEqual({ doc, zod: false, ajv: false });
    expect(check(wait({ duration: 365, unit: 'days' }))).toBe(true);
    expect(check(wait({ duration: 1, unit: 'days', window: { days: ['mon'], from: '00:00', to: '24:00' } }))).toBe(true);
  });

  it('agrees with validateJourney on whether a random (mutated) document passes the schema', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(baseArb, fc.array(fc.tuple(fc.nat(), mutationArb), { minLength: 0, maxLength: 3 }), (base, picks) => {
        const doc = mutate(base, picks);
        fc.pre(doc !== undefined);
        const zod = zodAccepts(doc);
        const json = check(doc);
        if (zod !== json) throw new Error(`validateJourney ${zod ? 'accepts' : 'refuses'}, the JSON Schema ${json ? 'accepts' : 'refuses'}: ${JSON.stringify(doc)}\n${JSON.stringify(check.errors)}`);
        if (zod) accepted++;
        else refused++;
      }),
      { numRuns: 1500 },
    );
    // Both verdicts occur often enough for the agreement to mean something.
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});
