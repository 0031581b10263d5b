/**
 * Model-based tests: random sequences of storage operations run against an adapter and against
 * a deliberately naive reference model (arrays and linear scans, written independently of the
 * adapters' shared rules). After every operation, the operation's answer, nextWakeAt and the full
 * enrollment listing must be identical; at the end, stats, effect logs and customer histories too.
 *
 * fast-check generates the sequences: it is an optional peer dependency, loaded only when a case
 * runs (or passed in as `options.fc`). No test runner is imported: the host passes its own.
 */
import type * as FastCheck from 'fast-check';
import type { JourneyStatus } from '../model/status.js';
import type { Claim, Commit, EffectRecord, StepCounter, StepStats, Storage } from '../runtime/ports.js';
import type { Enrollment } from '../runtime/types.js';
import { guardStorage } from '../runtime/storage-guard.js';
import type { ConformanceExpect, ConformanceTestApi } from './api.js';
import { T, enrollment, journey } from './fixtures.js';

type FC = typeof FastCheck;

// ───────────────────────────── the reference model ─────────────────────────────

interface ModelSlot {
  e: Enrollment;
  token: number;
  lease: number | null;
}

class Model {
  journeys = new Map<string, { status: JourneyStatus; revision: number }>();
  slots: ModelSlot[] = [];
  effects: EffectRecord[] = [];
  outcomeKeys: string[] = [];
  counters: { journeyId: string; stepId: string; metric: string }[] = [];

  /** An independent copy (to try a batch that must apply all or nothing). */
  copy(): Model {
    const copy = new Model();
    copy.journeys = new Map(this.journeys);
    copy.slots = this.slots.map((s) => ({ ...s }));
    copy.effects = [...this.effects];
    copy.outcomeKeys = [...this.outcomeKeys];
    copy.counters = [...this.counters];
    return copy;
  }

  slot(id: string): ModelSlot | undefined {
    return this.slots.find((s) => s.e.id === id);
  }

  createEnrollment(e: Enrollment, counters: readonly StepCounter[]): 'created' | 'duplicate' {
    if (this.slot(e.id)) return 'duplicate';
    if (e.status === 'active' && this.slots.some((s) => s.e.status === 'active' && s.e.journeyId === e.journeyId && s.e.customerId === e.customerId)) {
      return 'duplicate';
    }
    this.slots.push({ e, token: 0, lease: null });
    this.counters.push(...counters);
    return 'created';
  }

  claimDue(now: number, limit: number, leaseMs: number): { id: string; token: number; leaseUntil: number; enrollment: Enrollment }[] {
    const due = this.slots
      .filter(
        (s) =>
          s.e.status === 'active' &&
          s.e.wakeAt !== null &&
          s.e.wakeAt <= now &&
          this.claimable(s.e, now) &&
          (s.lease === null || s.lease <= now),
      )
      .sort((a, b) => a.e.wakeAt! - b.e.wakeAt! || (a.e.id < b.e.id ? -1 : a.e.id > b.e.id ? 1 : 0))
      .slice(0, limit);
    return due.map((s) => {
      s.token += 1;
      s.lease = now + leaseMs;
      return { id: s.e.id, token: s.token, leaseUntil: s.lease, enrollment: s.e };
    });
  }

  /** The journey is active, or paused while the enrollment is past its deadline. */
  private claimable(e: Enrollment, now: number): boolean {
    const status = this.journeys.get(e.journeyId)?.status;
    return status === 'active' || (status === 'paused' && e.deadline < now);
  }

  release(id: string, token: number): void {
    const s = this.slot(id);
    if (s && s.token === token) s.lease = null;
  }

  commit(c: Commit): string {
    if (c.enrollment.version !== c.expectedVersion + 1) return 'throw:invalid-commit';
    const s = this.slot(c.enrollment.id);
    if (!s) return 'missing';
    if (c.token !== undefined && c.token !== s.token) return 'fenced';
    if (c.expectedVersion !== s.e.version) return 'conflict';
    if (s.e.status !== 'active' && c.enrollment.status === 'active') return 'throw:invalid-commit';
    // outcome keys are unique per customer (tenant, customer, key)
    const outcomeKey = c.outcomeKey === undefined ? undefined : `${s.e.tenantId}/${s.e.customerId}/${c.outcomeKey}`;
    if (outcomeKey !== undefined && this.outcomeKeys.includes(outcomeKey)) return 'duplicate';
    if (outcomeKey !== undefined) this.outcomeKeys.push(outcomeKey);
    s.e = c.enrollment;
    if (c.token !== undefined) {
      if (c.release === false) {
        if (c.leaseMs !== undefined) s.lease = c.now + c.leaseMs;
      } else s.lease = null;
    }
    for (const x of c.effects ?? []) if (!this.effects.some((y) => y.idempotencyKey === x.idempotencyKey)) this.effects.push(x);
    this.counters.push(...(c.counters ?? []));
    return 'ok';
  }

  exitAll(journeyId: string, reason: string, at: number): string[] {
    const exited = this.slots.filter((s) => s.e.journeyId === journeyId && s.e.status === 'active');
    for (const s of exited) {
      this.counters.push({ journeyId, stepId: s.e.stepId ?? '$journey', metric: `exited:${reason}` });
      s.e = { ...s.e, status: 'exited', phase: 'done', exitReason: reason, endedAt: at, wakeAt: null, version: s.e.version + 1, updatedAt: at };
      s.lease = null;
    }
    return exited.map((s) => s.e.id).sort();
  }

  nextWakeAt(): number | null {
    const w = this.slots
      .filter((s) => s.e.status === 'active' && s.e.wakeAt !== null && ['active', 'paused'].includes(this.journeys.get(s.e.journeyId)?.status ?? ''))
      .map((s) => {
        const at = this.journeys.get(s.e.journeyId)?.status === 'paused' ? Math.max(s.e.wakeAt!, Math.floor(s.e.deadline) + 1) : s.e.wakeAt!;
        return s.lease !== null && s.lease > at ? s.lease : at;
      });
    return w.length === 0 ? null : Math.min(...w);
  }

  list(): Enrollment[] {
    return this.slots.map((s) => s.e).sort((a, b) => a.enteredAt - b.enteredAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  stats(journeyId: string): Record<string, StepStats> {
    const out: Record<string, { entered: number; completed: number; skipped: Record<string, number>; current: number; exited: Record<string, number>; failed: number; noted: Record<string, number> }> = {};
    const at = (step: string) => (out[step] ??= { entered: 0, completed: 0, skipped: {}, current: 0, exited: {}, failed: 0, noted: {} });
    for (const c of this.counters) {
      if (c.journeyId !== journeyId) continue;
      if (c.metric === 'entered') at(c.stepId).entered++;
      else if (c.metric === 'completed') at(c.stepId).completed++;
      else if (c.metric === 'failed') at(c.stepId).failed++;
      else if (c.metric.startsWith('exited:')) {
        const r = c.metric.slice(7);
        at(c.stepId).exited[r] = (at(c.stepId).exited[r] ?? 0) + 1;
      } else if (c.metric.startsWith('skipped:')) {
        const r = c.metric.slice(8);
        at(c.stepId).skipped[r] = (at(c.stepId).skipped[r] ?? 0) + 1;
      } else if (c.metric.startsWith('noted:')) {
        const r = c.metric.slice(6);
        at(c.stepId).noted[r] = (at(c.stepId).noted[r] ?? 0) + 1;
      }
    }
    for (const s of this.slots) if (s.e.journeyId === journeyId && s.e.status === 'active' && s.e.stepId !== null) at(s.e.stepId).current++;
    return out;
  }

  history(customerId: string): { active: boolean; lastEndedAt: number | null } {
    const mine = this.slots.filter((s) => s.e.customerId === customerId).map((s) => s.e);
    const ends = mine.filter((e) => e.status !== 'active' && e.endedAt !== null).map((e) => e.endedAt!);
    return { active: mine.some((e) => e.status === 'active'), lastEndedAt: ends.length === 0 ? null : Math.max(...ends) };
  }
}

// ───────────────────────────── operations ─────────────────────────────

const JOURNEYS = ['j1', 'j2', 'j3'] as const;
const STEPS = ['s1', 's2', 's3'] as const;

/** One commit as drawn: which enrollment, and how right or wrong the commit is. */
interface CommitSpec {
      target: number;
      claimed: boolean;
      version: 'right' | 'stale' | 'ahead';
      token: 'none' | 'right' | 'stale';
      lease: 'release' | 'extend' | 'keep';
      wakeAt: number | null;
      end: 'none' | 'completed' | 'exited' | 'failed';
      step: number;
      effect: number | null;
      outcome: number | null;
      badShape: boolean;
}

type Op =
  | { t: 'create'; customer: number; journey: number; wakeAt: number | null; step: number; deadline: number }
  | { t: 'claim'; limit: number; leaseMs: number }
  | ({ t: 'commit' } & CommitSpec)
  /** Several commits in one `commitMany` (on distinct enrollments; the storage must have it). */
  | { t: 'commitMany'; commits: CommitSpec[] }
  | { t: 'release'; target: number; claimed: boolean; token: 'right' | 'stale' }
  | { t: 'exitAll'; journey: number }
  | { t: 'advance'; ms: number }
  | { t: 'status'; journey: number; status: 'active' | 'paused' };

/** The operations, drawn with the host's (or our loaded) fast-check. */
function opArb(fc: FC, withMany: boolean): FastCheck.Arbitrary<Op> {
  /** wakeAt relative to now: few distinct values, so equal instants and exact lease ends happen often. */
  const WAKE = fc.constantFrom(null, -10, -5, 0, 0, 5, 10, 20, 40);
  /** deadline relative to now: often near, so paused journeys hand out enrollments past it. */
  const DEADLINE = fc.constantFrom(0, 5, 15, 30 * 86_400_000);
  const spec: FastCheck.Arbitrary<CommitSpec> = fc.record({
    target: fc.nat(30),
    claimed: fc.boolean(),
    version: fc.constantFrom('right', 'right', 'right', 'stale', 'ahead'),
    token: fc.constantFrom('none', 'right', 'right', 'stale'),
    lease: fc.constantFrom('release', 'extend', 'keep'),
    wakeAt: WAKE,
    end: fc.constantFrom('none', 'none', 'none', 'completed', 'exited', 'failed'),
    step: fc.nat(2),
    effect: fc.option(fc.nat(3)),
    outcome: fc.option(fc.nat(2)),
    badShape: fc.nat(15).map((k) => k === 0),
  });
  const ops: { weight: number; arbitrary: FastCheck.Arbitrary<Op> }[] = [
    {
      weight: 4,
      arbitrary: fc.record({ t: fc.constant('create' as const), customer: fc.nat(3), journey: fc.nat(2), wakeAt: WAKE, step: fc.nat(2), deadline: DEADLINE }),
    },
    { weight: 5, arbitrary: fc.record({ t: fc.constant('claim' as const), limit: fc.nat(4), leaseMs: fc.constantFrom(5, 10, 20) }) },
    { weight: 6, arbitrary: spec.map((c): Op => ({ t: 'commit', ...c })) },
    { weight: 3, arbitrary: fc.record({ t: fc.constant('release' as const), target: fc.nat(30), claimed: fc.boolean(), token: fc.constantFrom('right', 'stale') }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('exitAll' as const), journey: fc.nat(2) }) },
    { weight: 4, arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.constantFrom(1, 5, 10, 20) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('status' as const), journey: fc.nat(2), status: fc.constantFrom('active', 'paused') }) },
  ];
  if (withMany) ops.push({ weight: 3, arbitrary: fc.array(spec, { minLength: 1, maxLength: 4 }).map((commits): Op => ({ t: 'commitMany', commits })) });
  return fc.oneof(...ops);
}

/** The commit a drawn spec makes of an enrollment (`n`: the op's index, recorded in effect details). */
function commitOf(op: CommitSpec, base: Enrollment, token: number, n: number, now: number): Commit {
    const expectedVersion = op.version === 'right' ? base.version : op.version === 'stale' ? base.version - 1 : base.version + 1;
    const step = STEPS[op.step]!;
    const ending = op.end !== 'none';
    const next: Enrollment = {
      ...base,
      version: expectedVersion + (op.badShape ? 2 : 1),
      stepId: op.end === 'completed' ? null : step,
      status: ending ? op.end as Enrollment['status'] : 'active',
      phase: ending ? 'done' : 'waiting',
      wakeAt: ending ? null : op.wakeAt === null ? null : now + op.wakeAt,
      endedAt: ending ? (base.endedAt ?? now) : null,
      exitReason: op.end === 'exited' ? 'manual' : null,
      updatedAt: now,
      attempts: base.attempts + 1,
    };
    const commit: Commit = {
      enrollment: next,
      expectedVersion,
      now,
      ...(op.token === 'none' ? {} : { token: op.token === 'right' ? token : token - 1 }),
      ...(op.lease === 'release' ? { release: true } : op.lease === 'extend' ? { release: false, leaseMs: 10 } : { release: false }),
      ...(op.effect === null
        ? {}
        : {
            effects: [
              { idempotencyKey: `${base.id}:${step}:${op.effect}`, tenantId: T, journeyId: base.journeyId, enrollmentId: base.id, stepId: step, visit: op.effect, type: 'send' as const, at: now, detail: { n } },
            ],
          }),
      counters: [{ journeyId: base.journeyId, stepId: step, metric: ending ? (op.end === 'exited' ? 'exited:manual' : op.end) : 'entered' }],
      ...(op.outcome === null ? {} : { outcomeKey: `k${op.outcome}` }),
    };
  return commit;
}

async function settle<T>(p: Promise<T>): Promise<T | string> {
  try {
    return await p;
  } catch (error) {
    return `throw:${(error as { code?: string }).code ?? String(error)}`;
  }
}

const claimView = (claims: readonly Claim[]) => claims.map((c) => ({ id: c.enrollment.id, token: c.token, leaseUntil: c.leaseUntil, enrollment: c.enrollment }));

/** Run one sequence against a storage and the model, comparing after every step. */
async function check(storage: Storage, ops: readonly Op[], expect: ConformanceExpect): Promise<void> {
  const model = new Model();
  let now = 1_000;
  let created = 0;
  for (const [i, id] of JOURNEYS.entries()) {
    const status: JourneyStatus = i === 2 ? 'paused' : 'active';
    await storage.createJourney(journey({ id, status }));
    model.journeys.set(id, { status, revision: 1 });
  }
  const ids = () => model.slots.map((s) => s.e.id);
  /** Pick a target; with `claimed`, among the enrollments whose lease has not run out (if any). */
  const pick = (target: number, claimed: boolean) => {
    const leased = model.slots.filter((s) => s.lease !== null && s.lease > now);
    const pool = claimed && leased.length > 0 ? leased : model.slots;
    return pool[target % pool.length]!;
  };
  for (const [n, op] of ops.entries()) {
    let expected: unknown;
    let actual: unknown;
    switch (op.t) {
      case 'create': {
        const e = enrollment({
          id: `e${String(created++).padStart(2, '0')}`,
          customerId: `c${op.customer}`,
          journeyId: JOURNEYS[op.journey]!,
          stepId: STEPS[op.step]!,
          enteredAt: now,
          updatedAt: now,
          wakeAt: op.wakeAt === null ? null : now + op.wakeAt,
          deadline: now + op.deadline,
        });
        const counters = [{ journeyId: e.journeyId, stepId: e.stepId!, metric: 'entered' }];
        expected = model.createEnrollment(e, counters);
        actual = await settle(storage.createEnrollment(e, counters));
        break;
      }
      case 'claim':
        expected = model.claimDue(now, op.limit, op.leaseMs);
        actual = claimView(await storage.claimDue({ now, limit: op.limit, leaseMs: op.leaseMs, workerId: 'w' }));
        break;
      case 'commit': {
        if (model.slots.length === 0) continue;
        const slot = pick(op.target, op.claimed);
        const commit = commitOf(op, slot.e, slot.token, n, now);
        expected = model.commit(commit);
        actual = await settle(storage.commit(commit));
        break;
      }
      case 'commitMany': {
        if (model.slots.length === 0) continue;
        // Distinct enrollments (a batch of the worker's); the same enrollment twice is an example in the suite.
        const seen = new Set<string>();
        const commits: Commit[] = [];
        for (const spec of op.commits) {
          const slot = pick(spec.target, spec.claimed);
          if (seen.has(slot.e.id)) continue;
          seen.add(slot.e.id);
          commits.push(commitOf(spec, slot.e, slot.token, n, now));
        }
        // All or nothing when a commit breaks a rule: the model tries the batch on a copy first.
        const trial = model.copy();
        const results = commits.map((c) => trial.commit(c));
        const thrown = results.find((r) => r.startsWith('throw:'));
        if (thrown === undefined) expected = commits.map((c) => model.commit(c));
        else expected = thrown;
        actual = await settle(storage.commitMany!(commits).then((r) => [...r]));
        break;
      }
      case 'release': {
        if (model.slots.length === 0) continue;
        const slot = pick(op.target, op.claimed);
        const token = op.token === 'right' ? slot.token : slot.token - 1;
        model.release(slot.e.id, token);
        expected = undefined;
        actual = await storage.release(slot.e.id, token);
        break;
      }
      case 'exitAll':
        expected = model.exitAll(JOURNEYS[op.journey]!, 'archived', now);
        actual = await storage.exitAll(T, JOURNEYS[op.journey]!, 'archived', now);
        break;
      case 'advance':
        now += op.ms;
        continue;
      case 'status': {
        const id = JOURNEYS[op.journey]!;
        const j = model.journeys.get(id)!;
        const ok = await storage.updateJourney(journey({ id, status: op.status, revision: j.revision + 1 }), j.revision);
        expect(ok).toBe(true);
        model.journeys.set(id, { status: op.status, revision: j.revision + 1 });
        continue;
      }
    }
    const where = `op #${n} ${JSON.stringify(op)}`;
    expect(actual, where).toEqual(expected);
    expect(await storage.nextWakeAt(), `${where}: nextWakeAt`).toBe(model.nextWakeAt());
    const listed = await storage.listEnrollments({ tenantId: T, limit: 1_000, offset: 0 });
    expect(listed.items, `${where}: enrollments`).toEqual(model.list());
  }
  for (const id of JOURNEYS) expect(await storage.stats(T, id), `stats ${id}`).toEqual(model.stats(id));
  for (const id of ids()) {
    expect(await storage.listEffects(T, id), `effects of ${id}`).toEqual(model.effects.filter((x) => x.enrollmentId === id));
  }
  for (let c = 0; c < 4; c++) expect(await storage.customerHistory(T, `c${c}`), `history c${c}`).toEqual(model.history(`c${c}`));
}

/** What `describeStorageModel` is told beyond the factory. */
export interface ModelOptions {
  /** How many random sequences to run (fast-check's `numRuns`); 100 unless given. */
  numRuns?: number;
  /**
   * The fast-check module (`import * as fc from 'fast-check'`), when the host prefers to pass its
   * own; otherwise it is loaded with `import('fast-check')` when the case runs.
   */
  fc?: object;
  /** The storage has the optional `commitMany`: the sequences then include batches of several enrollments' commits. */
  commitMany?: boolean;
}

/**
 * Registers the model-based test with the host's test runner: one case,
 * `<name>: random operation sequences match the reference model`, each sequence on a fresh storage
 * from `factory` (init is called here). Needs fast-check (an optional peer dependency).
 */
export function describeStorageModel(
  name: string,
  factory: () => Promise<{ storage: Storage; cleanup(): Promise<void> }>,
  test: Pick<ConformanceTestApi, 'it' | 'expect'>,
  options: ModelOptions = {},
): void {
  test.it(`${name}: random operation sequences match the reference model`, async () => {
    const fc = (options.fc as FC | undefined) ?? (await loadFastCheck());
    await fc.assert(
      fc.asyncProperty(fc.array(opArb(fc, options.commitMany === true), { minLength: 5, maxLength: 60, size: 'max' }), async (ops) => {
        // Through the core's wrapper, as the engine sees it: its shape checks are part of the model.
        const made = await factory();
        const storage = guardStorage(made.storage);
        const cleanup = () => made.cleanup();
        try {
          await storage.init();
          await check(storage, ops, test.expect);
        } finally {
          await cleanup();
        }
      }),
      { numRuns: options.numRuns ?? 100 },
    );
  });
}

async function loadFastCheck(): Promise<FC> {
  try {
    const m = (await import('fast-check')) as FC & { default?: FC };
    return typeof m.assert === 'function' ? m : m.default!;
  } catch (error) {
    throw new Error('describeStorageModel needs fast-check: install it (npm i -D fast-check) or pass it as options.fc', { cause: error });
  }
}
