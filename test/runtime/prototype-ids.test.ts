/**
 * Ids that are also names on Object.prototype (`constructor`, `__proto__`, `toString`, …) are
 * ordinary ids: every record keyed by an id (visits, results, flags, counters, stats, effect keys)
 * reads its own properties only, on every storage.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/adapters/memory/index.js';
import { sqliteStorage } from '../../src/adapters/sqlite/index.js';
import { keySchema } from '../../src/model/schema.js';
import type { Storage } from '../../src/runtime/ports.js';
import { validateJourney } from '../../src/validate/validate-journey.js';
import { harness, runUntilIdle } from './engine-helpers.js';
import { journey } from './helpers.js';

/** `__proto__`, `constructor`, `toString`, `hasOwnProperty`, `valueOf`, `__defineGetter__`, … */
const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype);
/** The ones a `storeResultAs` key or a flag may be (the schema reserves `__proto__` and `constructor` there). */
const KEY_NAMES = PROTO_NAMES.filter((name) => keySchema.safeParse(name).success);

const idsArbitrary = fc.record({
  steps: fc.shuffledSubarray(PROTO_NAMES, { minLength: 6, maxLength: 6 }),
  flow: fc.constantFrom(...PROTO_NAMES),
  channel: fc.constantFrom(...PROTO_NAMES),
  resultKey: fc.constantFrom(...KEY_NAMES),
  flag: fc.constantFrom(...KEY_NAMES),
});

type Ids = typeof idsArbitrary extends fc.Arbitrary<infer T> ? T : never;

/**
 * decide → send → branch (second pass: to the end) → update (flag, segment) → wait 1 day, back to
 * the decide → … → update at the end. So the first three steps are visited twice.
 */
function loopingJourney({ steps: [decide, send, branch, mark, wait, end], flow, channel, resultKey, flag }: Ids) {
  return journey([
    { id: decide, type: 'decide', config: { decisionFlowId: flow, storeResultAs: resultKey } },
    { id: send, type: 'send', config: { channelId: channel, resultSource: resultKey } },
    { id: branch, type: 'branch', config: { conditions: [{ expression: "'looped' in segments", targetStepId: end }] } },
    { id: mark, type: 'update', config: { operations: [{ type: 'set_flag', flag }, { type: 'add_segment', segment: 'looped' }] } },
    { id: wait, type: 'wait', config: { duration: 1, unit: 'days' }, next: decide },
    { id: end, type: 'update', config: { operations: [{ type: 'add_segment', segment: 'done' }] } },
  ], { status: 'active' });
}

async function runThrough(storage: Storage, ids: Ids): Promise<void> {
  const h = harness({ storage, decisions: {}, customers: [{ id: 'c1' }] });
  const [decide, send, branch, mark, wait, end] = ids.steps as [string, string, string, string, string, string];
  const doc = loopingJourney(ids);
  expect(validateJourney(doc).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const { id } = await h.engine.createJourney(doc);
  const { enrolled } = await h.engine.enroll(id, { customerId: 'c1' });
  const enrollmentId = enrolled[0]!.enrollmentId;
  await runUntilIdle(h);

  const e = (await h.engine.getEnrollment(enrollmentId))!;
  expect(e.status).toBe('completed');
  expect(Object.entries(e.visits).sort()).toEqual(
    // `end` lies on no cycle: entered once, not counted
    [[decide, 2], [send, 2], [branch, 2], [mark, 1], [wait, 1]].sort(),
  );
  expect(Object.entries(e.flags)).toEqual([[ids.flag, true]]);
  expect(Object.keys(e.results)).toEqual([ids.resultKey]);
  expect(h.channels.sent.map((s) => [s.idempotencyKey, s.channelId, s.offer?.id])).toEqual([
    [`${enrollmentId}:${send}:1`, ids.channel, `${ids.flow}:offer`],
    [`${enrollmentId}:${send}:2`, ids.channel, `${ids.flow}:offer`],
  ]);
  expect(h.decisions.calls.map((c) => [c.idempotencyKey, c.decisionFlowId])).toEqual([
    [`${enrollmentId}:${decide}:1`, ids.flow],
    [`${enrollmentId}:${decide}:2`, ids.flow],
  ]);
  const effects = await storage.listEffects('default', enrollmentId);
  expect(effects.map((x) => `${x.type} ${x.idempotencyKey}`)).toEqual([
    `decide ${enrollmentId}:${decide}:1`,
    `send ${enrollmentId}:${send}:1`,
    `update ${enrollmentId}:${mark}:1`,
    `decide ${enrollmentId}:${decide}:2`,
    `send ${enrollmentId}:${send}:2`,
    `update ${enrollmentId}:${end}:1`,
  ]);

  const stats = await h.engine.stats(id);
  expect(stats.completed).toBe(1);
  expect(stats.steps.map((s) => [s.stepId, s.entered, s.completed, s.current])).toEqual([
    [decide, 2, 2, 0],
    [send, 2, 2, 0],
    [branch, 2, 2, 0],
    [mark, 1, 1, 0],
    [wait, 1, 1, 0],
    [end, 1, 1, 0],
  ]);
  for (const s of stats.steps) expect(s.exited).toEqual({});
  await h.engine.close();
}

describe('ids named like Object.prototype properties', () => {
  it('run end to end on memory with correct visit numbers, keys, results, flags and stats', async () => {
    await fc.assert(fc.asyncProperty(idsArbitrary, (ids) => runThrough(memoryStorage(), ids)), { numRuns: 40 });
  });

  it('run end to end on SQLite, where every row reads back', async () => {
    await fc.assert(
      fc.asyncProperty(idsArbitrary, async (ids) => {
        const database = new Database(':memory:');
        try {
          await runThrough(sqliteStorage({ database }), ids);
        } finally {
          database.close();
        }
      }),
      { numRuns: 20 },
    );
  });

  it('constructor, __proto__ and toString as step ids, by example', async () => {
    const ids: Ids = {
      steps: ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'],
      flow: 'constructor',
      channel: '__proto__',
      resultKey: 'toString',
      flag: 'valueOf',
    };
    await runThrough(memoryStorage(), ids);
    const database = new Database(':memory:');
    await runThrough(sqliteStorage({ database }), ids);
    database.close();
  });
});

describe('stats keyed by ids named like Object.prototype properties', () => {
  it('count a step that never ran as zeros and exit reasons such as constructor and __proto__ as reasons', async () => {
    for (const storage of [memoryStorage(), sqliteStorage({ filename: ':memory:' })]) {
      const h = harness({ storage, customers: [{ id: 'c1' }, { id: 'c2' }, { id: 'c3' }] });
      const { id } = await h.engine.createJourney(journey([
        { id: '__proto__', type: 'wait', config: { duration: 1, unit: 'days' } },
        { id: 'constructor', type: 'send', config: { channelId: 'ch' } },
      ], { status: 'active' }));
      const { enrolled } = await h.engine.enroll(id, { customerIds: ['c1', 'c2', 'c3'] });
      await h.engine.runDue();
      await h.engine.exitEnrollment(enrolled[0]!.enrollmentId, 'constructor');
      await h.engine.exitEnrollment(enrolled[1]!.enrollmentId, '__proto__');
      const stats = await h.engine.stats(id);
      expect(stats.steps).toEqual([
        { stepId: '__proto__', type: 'wait', entered: 3, completed: 0, skipped: {}, current: 1, exited: { constructor: 1, ['__proto__']: 1 }, failed: 0, noted: {} },
        { stepId: 'constructor', type: 'send', entered: 0, completed: 0, skipped: {}, current: 0, exited: {} as Record<string, number>, failed: 0, noted: {} },
      ]);
      expect(Object.entries(stats.exited).sort()).toEqual([['__proto__', 1], ['constructor', 1]]);
      expect(stats.active).toBe(1);
      await h.engine.close();
    }
  });
});

describe('simulate with ids named like Object.prototype properties', () => {
  it('runs the sample customer through with the right visits', async () => {
    const { simulate } = await import('../../src/simulate/simulate.js');
    const ids: Ids = {
      steps: ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'],
      flow: 'constructor',
      channel: '__proto__',
      resultKey: 'toString',
      flag: 'valueOf',
    };
    const result = await simulate(loopingJourney(ids));
    expect(result.status).toBe('completed');
    const visits = (stepId: string) => result.timeline.filter((t) => t.type === 'entered' && t.stepId === stepId).map((t) => t.detail?.['visit']);
    expect(visits('constructor')).toEqual([1, 2]);
    expect(visits('__proto__')).toEqual([1, 2]);
    expect(result.timeline.filter((t) => t.type === 'sent').map((t) => t.stepId)).toEqual(['__proto__', '__proto__']);
  });
});
