/**
 * One wrapper around any storage adapter (Kysely's `RuntimeDriver` idea): the rules every adapter
 * would otherwise repeat live here once. The engine wraps the host's storage with it; the bundled
 * factories (`memoryStorage`, `sqliteStorage`, `postgresStorage`) answer wrapped adapters too.
 */
import { JourneyError } from '../model/errors.js';
import type { Claim, Commit, EffectAppend, NewEnrollmentEntry, QuarantinedEnrollment, Storage } from './ports.js';
import {
  checkAppendShape,
  checkCommitShape,
  checkClaimFields,
  checkCommitResult,
  checkAligned,
  checkCreateResult,
  checkEntryHistory,
  checkEnrollment,
  checkJourney,
  checkJourneyStatus,
  checkList,
  checkPage,
} from './storage-checks.js';

const INNER: unique symbol = Symbol.for('journey-engine.guarded-storage') as never;

type Guarded = Storage & { readonly [INNER]: Storage };

/** The methods besides `init` and `close`; the compiler checks that every one is listed. */
type Method = Exclude<keyof Storage, 'init' | 'close'>;
const METHODS = [
  'createJourney', 'getJourney', 'listJourneys', 'updateJourney', 'journeyStatus', 'deleteJourney', 'catalogRevision', 'getJourneyVersion',
  'createEnrollment', 'createEnrollments', 'getEnrollment', 'listEnrollments', 'customerHistory', 'entryHistories',
  'claimDue', 'claimEnrollment', 'listQuarantined', 'repairEnrollment', 'releaseQuarantined', 'release', 'commit', 'commitMany', 'appendEffects', 'exitAll', 'nextWakeAt',
  'stats', 'listEffects',
  'reserveSendSlot', 'releaseSendSlot', 'takeSendToken',
] as const satisfies readonly Method[];
type Unlisted = Exclude<Method, (typeof METHODS)[number]>;
const everyMethodListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyMethodListed;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a method of any signature
type AnyMethod = (...args: any[]) => Promise<any>;

/**
 * Wrap a storage adapter so that it keeps the port's contract whatever the adapter does itself:
 *
 * - **init once.** `init()` runs the adapter's `init` once, however many callers ask at the same
 *   time (they share it); a failed init is retried by the next caller. Every other method waits
 *   for it (a host may skip `init`).
 * - **closed is closed.** After `close()` every method rejects with `storage-closed`; `close` waits
 *   for an init in progress, runs the adapter's `close` once, and may be called again.
 * - **shapes in.** A malformed commit (`version` not `expectedVersion + 1`, a lease of no length)
 *   or an `appendEffects` with another tenant's records is refused with `invalid-commit` before
 *   the adapter sees it.
 * - **shapes out.** What the adapter answers is checked: a wrong kind of answer (a commit result
 *   that is not one of the results, a page without items) is `bad-adapter-answer`; an enrollment
 *   or journey that fails the checks is `corrupt-row`. A claim whose enrollment fails them is
 *   left out of `claimDue`'s answer (so one bad row never stops the others), reported through
 *   `onQuarantine`, and stays leased, so it is offered again only when its lease ends; an
 *   adapter that quarantines such rows itself (the bundled ones do) never hands one out.
 * - Synchronous throws of an adapter method become rejections.
 *
 * Wrapping twice answers the same wrapper. Optional methods stay optional: the wrapper has one
 * only when the adapter has it.
 *
 * @example
 * ```ts
 * import { guardStorage } from 'journey-engine';
 * const storage = guardStorage(myAdapter); // what createEngine does with any storage it is given
 * ```
 */
export function guardStorage(adapter: Storage): Storage {
  return guard(adapter, false);
}

/**
 * {@link guardStorage} for the bundled adapters, whose row codecs check every row they decode
 * (`corrupt-row` naming the field, quarantined by their own `claimDue`) and whose answers are built
 * by this library: the same guard — init once, closed is closed, shapes in — without checking
 * their answers a second time on the hot path. Internal: not exported from the package.
 */
export function guardBundledStorage(adapter: Storage): Storage {
  return guard(adapter, true);
}

function guard(adapter: Storage, answersChecked: boolean): Storage {
  if (isGuarded(adapter)) return adapter;
  let initPromise: Promise<void> | undefined;
  let initDone = false;
  let closed = false;
  let closePromise: Promise<void> | undefined;

  const closedError = () => new JourneyError('storage-closed', 'this storage was closed; create a new one');
  const init = (): Promise<void> => {
    if (closed) return Promise.reject(closedError());
    initPromise ??= Promise.resolve()
      .then(() => adapter.init())
      .then(() => {
        initDone = true;
      })
      .catch((error: unknown) => {
        initPromise = undefined; // a failed init may be retried
        throw error;
      });
    return initPromise;
  };
  const call = (name: Method, args: unknown[]): Promise<unknown> => {
    if (closed) return Promise.reject(closedError());
    const method = adapter[name] as AnyMethod;
    if (!initDone) return init().then(() => method.apply(adapter, args));
    try {
      return Promise.resolve(method.apply(adapter, args));
    } catch (error) {
      return Promise.reject(error);
    }
  };

  const guarded: Record<string | symbol, unknown> = {
    [INNER]: adapter,
    init,
    async close(): Promise<void> {
      closed = true;
      await initPromise?.catch(() => undefined);
      closePromise ??= Promise.resolve().then(() => adapter.close());
      await closePromise;
    },
  };
  for (const name of METHODS) {
    if (typeof adapter[name] === 'function') guarded[name] = (...args: unknown[]) => call(name, args);
  }
  Object.assign(guarded, {
    commit: (commit: Commit) => {
      try {
        checkCommitShape(commit);
      } catch (error) {
        return Promise.reject(error);
      }
      const result = call('commit', [commit]);
      return answersChecked ? result : result.then((r) => checkCommitResult(r));
    },
    ...(typeof adapter.commitMany === 'function'
      ? {
          commitMany: (commits: readonly Commit[]) => {
            try {
              if (!Array.isArray(commits)) throw new JourneyError('invalid-commit', 'commitMany takes an array of commits', { path: [] });
              for (const commit of commits) checkCommitShape(commit);
            } catch (error) {
              return Promise.reject(error);
            }
            const results = call('commitMany', [commits]);
            return answersChecked ? results : results.then((r) => checkAligned('commitMany', r, commits.length, (x) => checkCommitResult(x, 'commitMany')));
          },
        }
      : {}),
    appendEffects: (append: EffectAppend) => {
      try {
        checkAppendShape(append);
      } catch (error) {
        return Promise.reject(error);
      }
      return call('appendEffects', [append]).then((r) => checkList('appendEffects', r, (x) => x));
    },
    createEnrollment: (...args: unknown[]) => call('createEnrollment', args).then((r) => checkCreateResult(r)),
    getEnrollment: (...args: unknown[]) => call('getEnrollment', args).then((r) => (r === null ? null : checkEnrollment(r))),
    listEnrollments: (...args: unknown[]) => call('listEnrollments', args).then((r) => checkPage('listEnrollments', r, checkEnrollment)),
    getJourney: (...args: unknown[]) => call('getJourney', args).then((r) => (r === null ? null : checkJourney(r))),
    listJourneys: (...args: unknown[]) => call('listJourneys', args).then((r) => checkPage('listJourneys', r, checkJourney)),
    journeyStatus: (...args: unknown[]) => call('journeyStatus', args).then(checkJourneyStatus),
    claimDue: (query: Parameters<Storage['claimDue']>[0]) => call('claimDue', [query]).then((r) => usableClaims(r, query)),
  });

  if (typeof adapter.createEnrollments === 'function') {
    guarded['createEnrollments'] = (entries: readonly NewEnrollmentEntry[]) =>
      call('createEnrollments', [entries]).then((r) => checkAligned('createEnrollments', r, entries.length, (x) => checkCreateResult(x, 'createEnrollments')));
  }
  if (typeof adapter.entryHistories === 'function') {
    guarded['entryHistories'] = (tenantId: string, journeyId: string, customerIds: readonly string[]) =>
      call('entryHistories', [tenantId, journeyId, customerIds]).then((r) =>
        checkAligned('entryHistories', r, customerIds.length, (x, i) => checkEntryHistory(x, customerIds[i]!)),
      );
  }
  if (typeof adapter.claimEnrollment === 'function') {
    guarded['claimEnrollment'] = (...args: unknown[]) =>
      call('claimEnrollment', args).then((r) => {
        if (r === null) return null;
        const claim = checkClaimFields('claimEnrollment', r);
        return readable(claim) === null ? claim : null; // left for claimDue to report
      });
  }
  if (answersChecked) {
    // The bundled adapters decode (and quarantine) rows themselves and build their answers in this
    // library: what only checks an answer is left out (the shape checks of what goes in stay).
    for (const name of ANSWER_CHECKED) if (typeof adapter[name] === 'function') guarded[name] = (...args: unknown[]) => call(name, args);
  }
  WRAPPERS.add(guarded);
  return guarded as unknown as Guarded;
}

/** The methods whose wrapper only checks the adapter's answer. */
const ANSWER_CHECKED = [
  'claimDue', 'claimEnrollment', 'getEnrollment', 'listEnrollments', 'getJourney', 'listJourneys', 'journeyStatus',
  'createEnrollment', 'createEnrollments', 'entryHistories',
] as const satisfies readonly Method[];

/** The wrappers this module made (a copy or proxy of one — `{ ...guarded, commit }` — is not one, and is wrapped again). */
const WRAPPERS = new WeakSet<object>();

/** Whether `storage` is a {@link guardStorage} wrapper itself. */
function isGuarded(storage: Storage): storage is Guarded {
  return WRAPPERS.has(storage);
}

/** The adapter inside a {@link guardStorage} wrapper (the storage itself when it is not one): for adapter tests. */
export function unguardedStorage(storage: Storage): Storage {
  const inner = (storage as Partial<Guarded>)[INNER];
  return inner ?? storage;
}

/** The `corrupt-row` a claim's enrollment fails with, or null when it is readable. */
function readable(claim: Claim): JourneyError | null {
  try {
    checkEnrollment(claim.enrollment);
    return null;
  } catch (error) {
    if (JourneyError.is(error)) return error;
    throw error;
  }
}

function usableClaims(answer: unknown, query: Parameters<Storage['claimDue']>[0]): readonly Claim[] {
  const claims = checkList('claimDue', answer, (x) => checkClaimFields('claimDue', x));
  let usable: Claim[] | undefined;
  claims.forEach((claim, i) => {
    const problem = readable(claim);
    if (problem === null) {
      usable?.push(claim);
      return;
    }
    usable ??= claims.slice(0, i);
    query.onQuarantine?.(unreadableClaim(claim, problem, query.now));
  });
  return usable ?? claims;
}

function unreadableClaim(claim: Claim, problem: JourneyError, now: number): QuarantinedEnrollment {
  const e = (claim.enrollment ?? {}) as unknown as Record<string, unknown>;
  const field = (problem.details as { field?: unknown } | undefined)?.field;
  return {
    enrollmentId: String(e['id']),
    tenantId: String(e['tenantId']),
    journeyId: String(e['journeyId']),
    customerId: String(e['customerId']),
    reason: problem.message,
    field: typeof field === 'string' ? field : null,
    at: now,
  };
}
