/** The `split` step through the interpreter and the engine, on every storage. */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/adapters/memory/index.js';
import { sqliteStorage } from '../../src/adapters/sqlite/index.js';
import { advance, createEnrollment } from '../../src/runtime/interpreter.js';
import type { Storage } from '../../src/runtime/ports.js';
import { assignVariant } from '../../src/runtime/split-assignment.js';
import type { Enrollment, StepEvent } from '../../src/runtime/types.js';
import { pgHarness, PG_KIND, type PgHarness } from '../storage/pg-harness.js';
import { chiSquareCritical, chiSquarePValue, chiSquareStatistic } from './chi-square.js';
import { harness, runUntilIdle } from './engine-helpers.js';
import { compile, journey, T0 } from './helpers.js';

const send = (id: string, extra: Record<string, unknown> = {}) => ({ id, type: 'send', config: { channelId: `ch_${id}` }, next: null, ...extra });
const split = (variants: unknown[], extra: Record<string, unknown> = {}) => ({ id: 'step_split', type: 'split', config: { salt: '2026-q1', variants }, ...extra });
const ABH = [
  { label: 'A', weight: 45, targetStepId: 'step_email_a' },
  { label: 'B', weight: 45, targetStepId: 'step_email_b' },
  { label: 'Holdout', weight: 10, targetStepId: null },
];
const experiment = (extra: Record<string, unknown> = {}) => journey([split(ABH), send('step_email_a'), send('step_email_b')], extra);

/** The variant label `assignVariant` gives a customer of the test journey (id `jrn_test`). */
const expected = (customerId: string, journeyId = 'jrn_test'): string =>
  ABH[assignVariant({ journeyId, stepId: 'step_split', customerId, salt: '2026-q1' }, [45, 45, 10])]!.label;

function start(customerId: string, id = `e_${customerId}`) {
  const j = compile(experiment());
  return advance(j, createEnrollment(j, { id, customerId }, T0), { type: 'wake' }, T0);
}

describe('split step: the interpreter', () => {
  it('assigns the variant assignVariant picks, keeps it on the enrollment, notes it and moves to its target', () => {
    // find one customer of each variant
    const byVariant = new Map<string, string>();
    for (let i = 0; byVariant.size < 3; i++) if (!byVariant.has(expected(`c${i}`))) byVariant.set(expected(`c${i}`), `c${i}`);
    for (const [label, customerId] of byVariant) {
      const { enrollment, events, commands } = start(customerId);
      expect(enrollment.variants).toEqual({ step_split: label });
      expect(events.slice(0, 3)).toEqual([
        { type: 'entered', stepId: 'step_split', stepType: 'split', visit: 1, at: T0 },
        { type: 'noted', stepId: 'step_split', at: T0, note: `variant:${label}`, detail: { variant: label } },
        { type: 'completed', stepId: 'step_split', stepType: 'split', visit: 1, at: T0, detail: { variant: label } },
      ]);
      if (label === 'Holdout') {
        // null target: the journey is completed, the variant kept
        expect(enrollment.status).toBe('completed');
        expect(enrollment.stepId).toBeNull();
        expect(events.at(-1)).toEqual({ type: 'journey-completed', at: T0 });
        expect(commands).toEqual([{ type: 'complete' }]);
      } else {
        expect(enrollment.stepId).toBe(`step_email_${label.toLowerCase()}`);
        expect(enrollment.phase).toBe('effect');
        expect(commands[0]).toMatchObject({ type: 'send', channelId: `ch_step_email_${label.toLowerCase()}` });
      }
    }
  });

  it('gives the same customer the same variant on every retry, replay and re-entry (a new enrollment)', () => {
    for (let i = 0; i < 200; i++) {
      const first = start(`c${i}`, 'e1').enrollment.variants;
      expect(start(`c${i}`, 'e1').enrollment.variants).toEqual(first); // replay of the same advance
      expect(start(`c${i}`, 'another-enrollment').enrollment.variants).toEqual(first); // re-entry
      expect(first).toEqual({ step_split: expected(`c${i}`) });
    }
  });

  it('does not touch its input enrollment', () => {
    const j = compile(experiment());
    const e = createEnrollment(j, { id: 'e1', customerId: 'c1' }, T0);
    const frozen = JSON.stringify(e);
    advance(j, e, { type: 'wake' }, T0);
    expect(JSON.stringify(e)).toBe(frozen);
    expect(e.variants).toBeUndefined();
  });

  it('matches the weights across 100,000 customers through the step (chi-square, p > 0.01)', () => {
    const j = compile(experiment());
    const counts: Record<string, number> = { A: 0, B: 0, Holdout: 0 };
    const noted: Record<string, number> = { A: 0, B: 0, Holdout: 0 };
    for (let i = 0; i < 100_000; i++) {
      const { enrollment, events } = advance(j, createEnrollment(j, { id: `e${i}`, customerId: `customer-${i}` }, T0), { type: 'wake' }, T0);
      counts[enrollment.variants!['step_split']!]!++;
      for (const event of events) if (event.type === 'noted') noted[(event.detail as { variant: string }).variant]!++;
    }
    expect(noted).toEqual(counts);
    const observed = [counts['A']!, counts['B']!, counts['Holdout']!];
    const statistic = chiSquareStatistic(observed, [45_000, 45_000, 10_000]);
    expect(statistic).toBeLessThan(chiSquareCritical(0.01, 2));
    expect(chiSquarePValue(statistic, 2)).toBeGreaterThan(0.01);
  });

  it('keeps the variant when the enrollment comes back to the split, and notes only the first assignment', () => {
    const doc = journey([
      split([{ label: 'A', weight: 1, targetStepId: 'w' }, { label: 'B', weight: 1, targetStepId: 'w' }]),
      { id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } },
      { id: 'b', type: 'branch', config: { conditions: [{ expression: "enrollment.flags.again == true", targetStepId: 'end' }] } },
      { id: 'u', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'again' }] }, next: 'step_split' },
      { id: 'end', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'done' }] } },
    ]);
    const j = compile(doc);
    let e: Enrollment = createEnrollment(j, { id: 'e1', customerId: 'c1' }, T0);
    const events: StepEvent[] = [];
    let now = T0;
    for (let n = 0; n < 20 && e.status === 'active'; n++) {
      const r = advance(j, e, { type: 'wake' }, now);
      events.push(...r.events);
      e = r.enrollment;
      // complete the flag updates (effects) at once; wake waits when due
      if (e.phase === 'effect') {
        const r2 = advance(j, e, { type: 'updated', stepId: e.stepId!, visit: e.visits[e.stepId!] ?? 1 }, now);
        events.push(...r2.events);
        e = r2.enrollment;
      }
      if (e.wakeAt !== null) now = Math.max(now, e.wakeAt);
    }
    const entered = events.filter((x) => x.type === 'entered' && x.stepId === 'step_split');
    expect(entered).toHaveLength(2);
    expect(events.filter((x) => x.type === 'noted')).toHaveLength(1);
    const completed = events.filter((x) => x.type === 'completed' && x.stepId === 'step_split');
    const variant = e.variants!['step_split'];
    expect(completed.map((x) => (x as { detail: unknown }).detail)).toEqual([{ variant }, { variant }]);
    expect(e.status).toBe('completed');
  });

  it('re-assigns (and notes) when the variant an enrollment holds is gone or switched off', () => {
    const j = compile(experiment());
    const holding = { ...createEnrollment(j, { id: 'e1', customerId: 'c1' }, T0), variants: { step_split: 'Z', other: 'X' } };
    const r = advance(j, holding, { type: 'wake' }, T0);
    expect(r.enrollment.variants).toEqual({ step_split: expected('c1'), other: 'X' });
    expect(r.events.filter((x) => x.type === 'noted')).toHaveLength(1);
    // a kept variant that is still on is kept, whatever the hash says now
    const other = ABH.find((v) => v.label !== expected('c1') && v.label !== 'Holdout')!.label;
    const kept = advance(j, { ...holding, variants: { step_split: other } }, { type: 'wake' }, T0);
    expect(kept.enrollment.variants).toEqual({ step_split: other });
    expect(kept.events.filter((x) => x.type === 'noted')).toHaveLength(0);
  });

  it('a split step named like a prototype property is an ordinary key', () => {
    const doc = journey([{ ...split([{ label: 'A', weight: 1, targetStepId: null }]), id: '__proto__' }]);
    const j = compile(doc);
    const { enrollment } = advance(j, createEnrollment(j, { id: 'e1', customerId: 'c1' }, T0), { type: 'wake' }, T0);
    expect(Object.hasOwn(enrollment.variants!, '__proto__')).toBe(true);
    expect(Object.entries(enrollment.variants!)).toEqual([['__proto__', 'A']]);
  });

  it('expressions read the variant as enrollment.variants.<split id>', () => {
    const doc = journey([
      split([{ label: 'A', weight: 1, targetStepId: 'b' }]),
      { id: 'b', type: 'branch', config: { conditions: [{ expression: "enrollment.variants.step_split == 'A'", targetStepId: 'yes' }] }, next: null },
      { id: 'yes', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'a' }] } },
    ]);
    const j = compile(doc);
    const { events } = advance(j, createEnrollment(j, { id: 'e1', customerId: 'c1' }, T0), { type: 'wake' }, T0);
    expect(events.find((x) => x.type === 'completed' && x.stepId === 'b')).toMatchObject({ detail: { target: 'yes' } });
  });

  it('compiling refuses a split no customer can be assigned to, or a target that names no step (invalid-journey)', () => {
    expect(() => compile(journey([split([{ label: 'A', weight: 0, targetStepId: null }])]))).toThrow(
      expect.objectContaining({ code: 'invalid-journey', path: ['steps', 0, 'config', 'variants'] }),
    );
    expect(() => compile(journey([split([{ label: 'A', weight: 1, targetStepId: 'nope' }])]))).toThrow(
      expect.objectContaining({ code: 'invalid-journey', path: ['steps', 0, 'config', 'variants', 0, 'targetStepId'] }),
    );
  });
});

/** Through the engine: enroll customers, run to the end, read variants and stats back. */
async function throughEngine(storage: Storage): Promise<void> {
  const customers = Array.from({ length: 40 }, (_, i) => ({ id: `c${i}` }));
  const h = harness({ storage, customers });
  const { id } = await h.engine.createJourney(experiment({ status: 'active' }));
  const ids: string[] = [];
  for (const c of customers) {
    const { enrolled } = await h.engine.enroll(id, { customerId: c.id });
    ids.push(enrolled[0]!.enrollmentId);
  }
  await runUntilIdle(h);
  const counts: Record<string, number> = {};
  for (let i = 0; i < customers.length; i++) {
    const e = (await h.engine.getEnrollment(ids[i]!))!;
    const label = assignVariant({ journeyId: id, stepId: 'step_split', customerId: `c${i}`, salt: '2026-q1' }, [45, 45, 10]);
    expect(e.variants).toEqual({ step_split: ABH[label]!.label });
    expect(e.status).toBe('completed');
    counts[ABH[label]!.label] = (counts[ABH[label]!.label] ?? 0) + 1;
  }
  const stats = await h.engine.stats(id);
  const splitStats = stats.steps.find((s) => s.stepId === 'step_split')!;
  expect(splitStats).toMatchObject({ entered: 40, completed: 40 });
  expect(splitStats.noted).toEqual(Object.fromEntries(Object.entries(counts).map(([k, n]) => [`variant:${k}`, n])));
  expect(stats.steps.find((s) => s.stepId === 'step_email_a')!.entered).toBe(counts['A'] ?? 0);
  expect(h.channels.sent.filter((s) => s.channelId === 'ch_step_email_b')).toHaveLength(counts['B'] ?? 0);
  await h.engine.close();
}

describe('split step: labels named like prototype properties', () => {
  it.each([
    ['memory', () => memoryStorage()],
    ['sqlite', () => sqliteStorage({ database: new Database(':memory:') })],
  ])('are ordinary keys in enrollment.variants and in stats (%s)', async (_, storage) => {
    const customers = Array.from({ length: 12 }, (_, i) => ({ id: `c${i}` }));
    const h = harness({ storage: storage(), customers });
    const labels = ['__proto__', 'constructor', 'toString'];
    const doc = journey([split(labels.map((label) => ({ label, weight: 1, targetStepId: null })))], { status: 'active' });
    const { id } = await h.engine.createJourney(doc);
    const ids: string[] = [];
    for (const c of customers) ids.push((await h.engine.enroll(id, { customerId: c.id })).enrolled[0]!.enrollmentId);
    await runUntilIdle(h);
    const counts: Record<string, number> = Object.create(null);
    for (let i = 0; i < ids.length; i++) {
      const e = (await h.engine.getEnrollment(ids[i]!))!;
      const label = labels[assignVariant({ journeyId: id, stepId: 'step_split', customerId: `c${i}`, salt: '2026-q1' }, [1, 1, 1])]!;
      expect(Object.entries(e.variants!)).toEqual([['step_split', label]]);
      counts[`variant:${label}`] = (counts[`variant:${label}`] ?? 0) + 1;
    }
    const noted = (await h.engine.stats(id)).steps[0]!.noted;
    expect(Object.entries(noted).sort()).toEqual(Object.entries(counts).sort());
    await h.engine.close();
  });
});

describe('split step: through the engine', () => {
  let pg: PgHarness;
  beforeAll(async () => {
    pg = await pgHarness();
  });
  afterAll(async () => {
    await pg.end();
  });

  it('memory storage', async () => {
    await throughEngine(memoryStorage());
  });
  it('sqlite storage', async () => {
    await throughEngine(sqliteStorage({ database: new Database(':memory:') }));
  });
  it(`postgres storage (${PG_KIND})`, async () => {
    const made = await pg.make();
    try {
      await throughEngine(made.storage);
    } finally {
      await made.cleanup();
    }
  });
});
