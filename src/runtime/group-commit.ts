/**
 * Group commit: the claims of one `runDue` batch advance together. Each claim runs in its own
 * lane until it needs a commit (or, when the host gives batched methods, a send, a decision or a
 * customer read); once every lane of the batch is waiting, the waiting commits go to storage in
 * one `commitMany` and the waiting port calls in one call per port, and the lanes go on. A batch
 * never waits for more work: a lane alone is flushed as soon as it waits.
 */
import { JourneyError } from '../model/errors.js';
import type { EngineContext } from './context.js';
import { idsOf } from './observe.js';
import type { BatchAnswer, Commit, CommitResult, DecideRequest, SendRequest } from './ports.js';
import type { CustomerProfile, Offer, SendReceipt } from './types.js';

/** The port calls one claim makes, direct or through its batch. */
export interface ClaimIo {
  commit(request: Commit): Promise<CommitResult>;
  decide(request: DecideRequest): Promise<readonly Offer[]>;
  send(request: SendRequest): Promise<SendReceipt | void>;
  getProfile(customerId: string, context: { readonly tenantId: string }): Promise<CustomerProfile | null>;
}

/** One commit, with its span and log lines (see the worker's `observedCommit`). */
export type SingleCommit = (ctx: EngineContext, request: Commit) => Promise<CommitResult>;

function noAdapter(port: string): JourneyError {
  return new JourneyError('no-adapter', `no ${port} adapter was given to createEngine`);
}

/** The port calls of a claim processed on its own: each goes straight to its port. */
export function directIo(ctx: EngineContext, single: SingleCommit): ClaimIo {
  return {
    commit: (request) => single(ctx, request),
    decide: (request) => (ctx.decisions ? ctx.decisions.decide(request) : Promise.reject(noAdapter('DecisionFlows'))),
    send: (request) => (ctx.channels ? ctx.channels.send(request) : Promise.reject(noAdapter('Channels'))),
    getProfile: (customerId, context) => (ctx.profiles ? ctx.profiles.get(customerId, context) : Promise.resolve(null)),
  };
}

interface Waiter<I, O> {
  readonly item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

type ProfileRead = { readonly customerId: string; readonly tenantId: string };

/**
 * The lanes of one batch and what they wait for. `enter` before a lane starts, `leave` when it
 * ends; in between, a lane that waits on a batched call is not busy. When no lane is busy, every
 * queue is flushed.
 */
export class ClaimBatch implements ClaimIo {
  private busy = 0;
  private commits: Waiter<Commit, CommitResult>[] = [];
  private sends: Waiter<SendRequest, SendReceipt | void>[] = [];
  private decides: Waiter<DecideRequest, readonly Offer[]>[] = [];
  private reads: Waiter<ProfileRead, CustomerProfile | null>[] = [];
  private readonly direct: ClaimIo;

  constructor(
    private readonly ctx: EngineContext,
    private readonly single: SingleCommit,
  ) {
    this.direct = directIo(ctx, single);
  }

  /** `lanes` more lanes are running. */
  enter(lanes = 1): void {
    this.busy += lanes;
  }

  /** A lane ended: if it was the last busy one, what the others wait for goes out. */
  leave(): void {
    this.busy -= 1;
    this.flush();
  }

  commit(request: Commit): Promise<CommitResult> {
    if (typeof this.ctx.storage.commitMany !== 'function') return this.direct.commit(request);
    return this.wait(this.commits, request);
  }

  decide(request: DecideRequest): Promise<readonly Offer[]> {
    if (typeof this.ctx.decisions?.decideMany !== 'function') return this.direct.decide(request);
    return this.wait(this.decides, request);
  }

  send(request: SendRequest): Promise<SendReceipt | void> {
    if (typeof this.ctx.channels?.sendMany !== 'function') return this.direct.send(request);
    return this.wait(this.sends, request);
  }

  getProfile(customerId: string, context: { readonly tenantId: string }): Promise<CustomerProfile | null> {
    if (typeof this.ctx.profiles?.getMany !== 'function') return this.direct.getProfile(customerId, context);
    return this.wait(this.reads, { customerId, tenantId: context.tenantId });
  }

  private wait<I, O>(queue: Waiter<I, O>[], item: I): Promise<O> {
    const promise = new Promise<O>((resolve, reject) => queue.push({ item, resolve, reject }));
    this.busy -= 1;
    this.flush();
    return promise;
  }

  private flush(): void {
    if (this.busy > 0) return;
    const { commits, sends, decides, reads } = this;
    if (commits.length > 0) {
      this.commits = [];
      this.settle(commits, (items) => this.commitAll(items));
    }
    if (sends.length > 0) {
      this.sends = [];
      this.settle(sends, async (items) => answers(await this.ctx.channels!.sendMany!(items), items.length, 'Channels.sendMany'));
    }
    if (decides.length > 0) {
      this.decides = [];
      this.settle(decides, async (items) => answers(await this.ctx.decisions!.decideMany!(items), items.length, 'DecisionFlows.decideMany'));
    }
    if (reads.length > 0) {
      this.reads = [];
      this.settle(reads, (items) => this.readAll(items));
    }
  }

  /**
   * Run one batched call for `waiters` and hand each its own answer (a value or an error). The
   * lanes count as busy again before any of them goes on.
   */
  private settle<I, O>(waiters: readonly Waiter<I, O>[], call: (items: I[]) => Promise<readonly BatchAnswer<O>[]>): void {
    const items = waiters.map((w) => w.item);
    let pending: Promise<readonly BatchAnswer<O>[]>;
    try {
      pending = call(items);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (results) => {
        this.busy += waiters.length;
        waiters.forEach((w, i) => {
          const result = results[i]!;
          if (result.ok) w.resolve(result.value);
          else w.reject(result.error);
        });
      },
      (error: unknown) => {
        this.busy += waiters.length;
        for (const w of waiters) w.reject(error);
      },
    );
  }

  /**
   * One commit goes alone (`commit`: the adapters' one-statement path); more go in one
   * `commitMany`. When that throws (its transaction failed: nothing was written), each commit is
   * tried again alone, so a commit that cannot be written fails its own claim only.
   */
  private async commitAll(commits: readonly Commit[]): Promise<readonly BatchAnswer<CommitResult>[]> {
    if (commits.length > 1) {
      try {
        const results = await observedCommitMany(this.ctx, commits);
        return results.map((value) => ({ ok: true, value }));
      } catch (error) {
        this.ctx.observer.log('warn', 'commit', { batch: commits.length, error: error instanceof Error ? error.message : String(error) }, 'commitMany failed: committing one by one');
      }
    }
    return Promise.all(
      commits.map((commit) =>
        this.single(this.ctx, commit).then(
          (value): BatchAnswer<CommitResult> => ({ ok: true, value }),
          (error: unknown): BatchAnswer<CommitResult> => ({ ok: false, error }),
        ),
      ),
    );
  }

  /** Customer reads, one `getMany` per tenant of the batch. */
  private async readAll(reads: readonly ProfileRead[]): Promise<readonly BatchAnswer<CustomerProfile | null>[]> {
    const out = new Array<BatchAnswer<CustomerProfile | null>>(reads.length);
    const byTenant = new Map<string, number[]>();
    reads.forEach((read, i) => {
      const list = byTenant.get(read.tenantId);
      if (list) list.push(i);
      else byTenant.set(read.tenantId, [i]);
    });
    await Promise.all(
      [...byTenant].map(async ([tenantId, indexes]) => {
        let answer: readonly BatchAnswer<CustomerProfile | null>[];
        try {
          const raw = await this.ctx.profiles!.getMany!(indexes.map((i) => reads[i]!.customerId), { tenantId });
          answer = answers(raw, indexes.length, 'Profiles.getMany');
        } catch (error) {
          answer = indexes.map(() => ({ ok: false, error }));
        }
        indexes.forEach((index, k) => (out[index] = answer[k]!));
      }),
    );
    return out;
  }
}

/**
 * A host's batched answer, checked: one `{ ok: true, value }` or `{ ok: false, error }` per
 * request. A wrong length fails every request, a malformed element fails its own, with
 * `bad-adapter-answer`.
 */
export function answers<O>(answer: unknown, length: number, method: string): readonly BatchAnswer<O>[] {
  if (!Array.isArray(answer) || answer.length !== length) {
    const got = Array.isArray(answer) ? `${answer.length} answers` : typeof answer;
    const error = new JourneyError('bad-adapter-answer', `${method} must answer an array of ${length} results (one per request, in order), got ${got}`);
    return Array.from({ length }, () => ({ ok: false, error }));
  }
  return answer.map((element: unknown, i): BatchAnswer<O> => {
    if (element !== null && typeof element === 'object') {
      const { ok } = element as { ok?: unknown };
      if (ok === true && 'value' in element) return { ok: true, value: (element as { value: O }).value };
      if (ok === false) return { ok: false, error: (element as { error?: unknown }).error ?? new Error(`${method} failed request ${i}`) };
    }
    return { ok: false, error: new JourneyError('bad-adapter-answer', `${method} answer ${i} must be { ok: true, value } or { ok: false, error }`) };
  });
}

/** `commitMany` with a span per commit (the same `journey.commit` spans and lines as single commits) and its result checked. */
function observedCommitMany(ctx: EngineContext, commits: readonly Commit[]): Promise<readonly CommitResult[]> {
  // The storage is guarded (createEngine wraps every adapter): its answer is one known result per commit.
  if (!ctx.observer.enabled()) return ctx.storage.commitMany!(commits);
  return commitManyWithSpans(ctx, commits);
}

async function commitManyWithSpans(ctx: EngineContext, commits: readonly Commit[]): Promise<readonly CommitResult[]> {
  const storage = ctx.storage;
  const fields = commits.map((request) => ({
    ...idsOf(request.enrollment),
    events: request.counters?.length ?? 0,
    effects: request.effects?.length ?? 0,
    release: request.release === true,
    batch: commits.length,
  }));
  const spans = fields.map((f) => ctx.observer.span('journey.commit', f));
  try {
    const results = await storage.commitMany!(commits);
    results.forEach((result, i) => {
      spans[i]!.set({ result });
      ctx.observer.log('debug', 'commit', { ...fields[i], result }, `commit: ${result}`);
    });
    return results;
  } catch (error) {
    for (const span of spans) span.fail(error instanceof Error ? error.message : String(error));
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}
