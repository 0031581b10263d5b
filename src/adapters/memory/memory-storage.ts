import { firstInstantAfter } from '../../model/duration.js';
import type { JourneyStatus } from '../../model/status.js';
import type { JourneyDefinition, JourneyRecord } from '../../model/types.js';
import type {
  Claim,
  Commit,
  CommitResult,
  EffectAppend,
  EffectRecord,
  EnrollmentQuery,
  EntryHistory,
  NewEnrollmentEntry,
  QuarantinedEnrollment,
  SendSlotRequest,
  SendSlotResult,
  SendTokenRequest,
  StepCounter,
  StepStats,
  Storage,
} from '../../runtime/ports.js';
import type { Enrollment, ExitReason } from '../../runtime/types.js';
import {
  JOURNEY_LEVEL_STEP,
  buildStats,
  checkRepair,
  checkRevision,
  compareIds,
  definitionOf,
  exitedEnrollment,
  leaseChange,
  refusal,
  type StoredIdentity,
} from '../storage-common/storage-rules.js';
import { checkRepairedEnrollment, corruptRow } from '../storage-common/rows.js';
import { DueQueue } from './due-queue.js';
import type { EntryIndex, HeapRecord } from './entry-heap.js';
import { decideSendSlot, oldestCounted, SEND_SLOT_PRUNE_BATCH, storedSlot, type StoredSendSlot } from '../storage-common/send-slots.js';
import { takeToken, type TokenState } from '../../runtime/token-bucket.js';
import { guardBundledStorage, unguardedStorage } from '../../runtime/storage-guard.js';

/** One stored enrollment and its claim. */
class Slot implements HeapRecord {
  gen = 0;
  heap: EntryIndex | null = null;
  /** Fencing token of the latest claim (0 before the first). */
  token = 0;
  /** Lease end of the latest claim, or null when the claim was ended. */
  lease: number | null = null;
  /** Set by {@link damageForTesting}: the slot reads as an undecodable row would in SQL. */
  damage: { readonly field: string; readonly problem: string } | null = null;
  /** Set when a claim found the slot damaged: out of due work until repaired. */
  quarantine: QuarantinedEnrollment | null = null;
  /** The enrollment's effect log, oldest first (null: none yet): kept on the slot, not in a map of its own. */
  effects: EffectRecord[] | null = null;
  /** The keys of {@link effects}, once the log is longer than {@link LOG_SCAN_MAX} (a short log is scanned). */
  keys: Set<string> | null = null;
  /** The key of the slot's entry in the lease index, while it has one (see `place`). */
  leaseKey = 0;
  constructor(public e: Enrollment) {}
  id(): string {
    return this.e.id;
  }
}

type Counts = Map<string, Map<string, number>>; // stepId → metric → count

/** Longest effect log of one enrollment searched by scanning it; a longer one keeps a set of its keys. */
const LOG_SCAN_MAX = 32;

/** `list` and `item` in a new array of exactly that length (`concat([item])` builds two arrays). */
function withOneMore<T>(list: readonly T[], item: T): T[] {
  const n = list.length;
  const out = new Array<T>(n + 1);
  for (let i = 0; i < n; i++) out[i] = list[i]!;
  out[n] = item;
  return out;
}

/** Whether the effect log `list` (null: empty) holds a record with key `key`. */
function logHas(list: readonly EffectRecord[] | null | undefined, key: string): boolean {
  if (list == null) return false;
  for (let i = 0; i < list.length; i++) if (list[i]!.idempotencyKey === key) return true;
  return false;
}

/** Whether `key` has the engine's form for enrollment `enrollmentId`: `enrollmentId:…`. */
function ownKey(key: string, enrollmentId: string): boolean {
  return key.length > enrollmentId.length && key.charCodeAt(enrollmentId.length) === 58 /* : */ && key.startsWith(enrollmentId);
}

/** Whether `slot` comes before the entry (wakeAt, id) in claim order. */
function isBefore(slot: Slot, wakeAt: number, id: string): boolean {
  const key = slot.e.wakeAt!;
  return key < wakeAt || (key === wakeAt && slot.e.id < id);
}

const SEP = '\u0000';
/** A key of two parts (tenant + journey, tenant + customer, …). */
const journeyKey = (tenantId: string, journeyId: string) => tenantId + SEP + journeyId;

let lastJourney = { tenantId: '', journeyId: '', key: SEP };
/**
 * {@link journeyKey} of a journey, on the hot paths (every claim, commit and index move): the last
 * key is handed out again for the same journey instead of building (and hashing) a new string.
 */
function keyOfJourney(tenantId: string, journeyId: string): string {
  const last = lastJourney;
  if (last.journeyId === journeyId && last.tenantId === tenantId) return last.key;
  const key = [tenantId, journeyId].join(SEP); // flat: a Map lookup hashes it without flattening a rope first
  lastJourney = { tenantId, journeyId, key };
  return key;
}

/**
 * Storage that lives in the process's memory: the default for tests, simulations and the
 * in-memory benchmark. Nothing survives the process; use `journey-engine/sqlite` or
 * `journey-engine/postgres` to keep journeys across restarts.
 *
 * Enrollments, journey records and effect records are stored **by reference** and treated as
 * immutable: callers must not mutate an object after passing it in, nor one they got back (the
 * engine never does — the interpreter always returns new objects).
 *
 * Claiming is O(k log n) for k claims among n due enrollments, and O(k) in the common case: a
 * due index per journey in (wakeAt, id) order plus a lease index, both with lazy deletion — runs
 * of entries per wake instant, read from the front, and a heap for entries that arrive out of
 * order (due-queue.ts). Enrollments of paused journeys (claimable only past their deadline) are
 * found by a scan of those journeys' due indexes.
 *
 * @example
 * ```ts
 * import { createEngine, memoryStorage, virtualClock } from 'journey-engine';
 *
 * const engine = createEngine({ storage: memoryStorage(), clock: virtualClock(), channels, decisions, profiles });
 * ```
 */
export function memoryStorage(): Storage {
  return guardBundledStorage(new MemoryStorage());
}

/**
 * Test hook: make a stored enrollment read like a damaged SQL row (`corrupt-row` on every read;
 * quarantined by the next claim that finds it due). Memory storage never damages rows itself;
 * this lets the conformance suite run its quarantine cases on memory too. Not exported by the
 * package.
 */
export function damageForTesting(storage: Storage, enrollmentId: string, field: string | null = 'data', problem = 'damaged by a test'): void {
  const adapter = unguardedStorage(storage);
  if (!(adapter instanceof MemoryStorage)) throw new TypeError('damageForTesting takes a memoryStorage()');
  const slot = adapter['enrollments'].get(enrollmentId);
  if (slot === undefined) throw new TypeError(`no enrollment ${enrollmentId}`);
  slot.damage = field === null ? null : { field, problem }; // null: "fixed by hand"
}

class MemoryStorage implements Storage {
  private readonly journeys = new Map<string, JourneyRecord>();
  private readonly versions = new Map<string, Map<number, JourneyDefinition>>();
  private readonly enrollments = new Map<string, Slot>();
  /** (tenant, journey) → customerId → the active enrollment. */
  private readonly active = new Map<string, Map<string, Slot>>();
  /** tenant → customerId → all the customer's enrollments (one slot alone, the usual case, is held without an array). */
  private readonly customers = new Map<string, Map<string, Slot | Slot[]>>();
  /** (tenant, journey) → due heap keyed by wakeAt of unleased active enrollments. */
  private readonly due = new Map<string, DueQueue>();
  /** Claimed enrollments keyed by lease end; moved back to `due` once the lease has expired. */
  private readonly leases = new DueQueue(false);
  private readonly counters = new Map<string, Counts>();
  /**
   * Effect keys are unique across the whole log (as SQL's UNIQUE column). The engine's keys start
   * with their enrollment's id (`enrollmentId:stepId:visit`), so such a key is looked up in its
   * own enrollment's log only — no set of every key ever written; a key of any other form (a
   * host's `appendEffects`) is kept here as well, and looked up under every enrollment it could
   * start with.
   */
  private readonly foreignKeys = new Set<string>();
  /**
   * Whether an enrollment id with a `:` was ever stored or logged: then a key can have the form
   * `id:…` for two enrollments (`a` and `a:b` for `a:b:s:1`), and every key is looked up under
   * every enrollment it could start with.
   */
  private colonIds = false;
  /** Effect records of enrollments this storage does not hold (an `appendEffects` for an unknown id); the rest live on their slot. */
  private readonly strayEffects = new Map<string, EffectRecord[]>();
  private readonly outcomeKeys = new Set<string>();
  /** Quarantined slots by enrollment id, in quarantine order. */
  private readonly quarantined = new Map<string, Slot>();
  /** tenant → catalog revision (moves on every journey write). */
  private readonly catalog = new Map<string, number>();
  /** tenant + customer → key → the customer's send slots (frequency caps). */
  private readonly sendSlots = new Map<string, Map<string, { readonly enrollmentId: string; readonly channelId: string; at: number; holdUntil: number }>>();
  /** tenant + key → tenant + customer, to release a slot by its key. */
  private readonly slotOwners = new Map<string, string>();
  /** tenant + channel → the next instant a send may go (rate limits). */
  private readonly sendTokens = new Map<string, TokenState>();
  /** Nothing to create; `guardStorage` (which `memoryStorage()` answers) runs it once. */
  async init(): Promise<void> {}

  /** Nothing to release; after it the guard refuses every call (`storage-closed`). */
  async close(): Promise<void> {}

  // ───────────────────────── journeys ─────────────────────────

  async createJourney(record: JourneyRecord): Promise<boolean> {
    const key = journeyKey(record.tenantId, record.id);
    if (this.journeys.has(key)) return false;
    this.journeys.set(key, record);
    this.versions.set(key, new Map([[record.version, definitionOf(record)]]));
    this.bumpCatalog(record.tenantId);
    return true;
  }

  async getJourney(tenantId: string, id: string): Promise<JourneyRecord | null> {
    return this.journeys.get(journeyKey(tenantId, id)) ?? null;
  }

  async listJourneys(
    tenantId: string,
    query: { readonly status?: JourneyStatus; readonly limit: number; readonly offset: number },
  ): Promise<{ readonly items: readonly JourneyRecord[]; readonly total: number }> {
    const all: JourneyRecord[] = [];
    for (const r of this.journeys.values()) {
      if (r.tenantId === tenantId && (query.status === undefined || r.status === query.status)) all.push(r);
    }
    all.sort((a, b) => b.createdAt - a.createdAt || compareIds(a.id, b.id));
    return { items: all.slice(query.offset, query.offset + query.limit), total: all.length };
  }

  async updateJourney(record: JourneyRecord, expectedRevision: number): Promise<boolean> {
    checkRevision(record, expectedRevision);
    const key = journeyKey(record.tenantId, record.id);
    const stored = this.journeys.get(key);
    if (stored === undefined || stored.revision !== expectedRevision) return false;
    this.journeys.set(key, record);
    const versions = this.versions.get(key)!;
    if (!versions.has(record.version)) versions.set(record.version, definitionOf(record));
    this.bumpCatalog(record.tenantId);
    return true;
  }

  async journeyStatus(tenantId: string, journeyId: string): Promise<JourneyStatus | null> {
    return this.journeys.get(keyOfJourney(tenantId, journeyId))?.status ?? null;
  }

  async deleteJourney(tenantId: string, id: string, expectedRevision: number): Promise<boolean> {
    const key = journeyKey(tenantId, id);
    const stored = this.journeys.get(key);
    if (stored === undefined || stored.revision !== expectedRevision) return false;
    this.journeys.delete(key);
    this.versions.delete(key);
    this.counters.delete(key);
    this.bumpCatalog(tenantId);
    return true;
  }

  async catalogRevision(tenantId: string): Promise<number> {
    return this.catalog.get(tenantId) ?? 0;
  }

  private bumpCatalog(tenantId: string): void {
    this.catalog.set(tenantId, (this.catalog.get(tenantId) ?? 0) + 1);
  }

  async getJourneyVersion(tenantId: string, journeyId: string, version: number): Promise<JourneyDefinition | null> {
    return this.versions.get(journeyKey(tenantId, journeyId))?.get(version) ?? null;
  }

  // ───────────────────────── enrollments ─────────────────────────

  async createEnrollment(enrollment: Enrollment, counters?: readonly StepCounter[]): Promise<'created' | 'duplicate'> {
    return this.insert(enrollment, counters);
  }

  async createEnrollments(entries: readonly NewEnrollmentEntry[]): Promise<readonly ('created' | 'duplicate')[]> {
    return entries.map(({ enrollment, counters }) => this.insert(enrollment, counters));
  }

  private insert(enrollment: Enrollment, counters: readonly StepCounter[] | undefined): 'created' | 'duplicate' {
    if (this.enrollments.has(enrollment.id)) return 'duplicate';
    const key = keyOfJourney(enrollment.tenantId, enrollment.journeyId);
    const slot = new Slot(enrollment);
    if (enrollment.id.includes(':')) this.colonIds = true;
    if (enrollment.status === 'active') {
      let byCustomer = this.active.get(key);
      if (byCustomer?.has(enrollment.customerId)) return 'duplicate';
      if (byCustomer === undefined) this.active.set(key, (byCustomer = new Map()));
      byCustomer.set(enrollment.customerId, slot);
    }
    this.enrollments.set(enrollment.id, slot);
    let tenantCustomers = this.customers.get(enrollment.tenantId);
    if (tenantCustomers === undefined) this.customers.set(enrollment.tenantId, (tenantCustomers = new Map()));
    const history = tenantCustomers.get(enrollment.customerId);
    if (history === undefined) tenantCustomers.set(enrollment.customerId, slot);
    else if (history instanceof Slot) tenantCustomers.set(enrollment.customerId, [history, slot]);
    else history.push(slot);
    this.count(enrollment.tenantId, counters);
    this.place(slot);
    return 'created';
  }

  async getEnrollment(tenantId: string, id: string): Promise<Enrollment | null> {
    const slot = this.enrollments.get(id);
    if (slot === undefined || slot.e.tenantId !== tenantId) return null;
    this.readable(slot);
    return slot.e;
  }

  async listEnrollments(query: EnrollmentQuery): Promise<{ readonly items: readonly Enrollment[]; readonly total: number }> {
    const source: Iterable<Slot> =
      query.customerId !== undefined
        ? this.historyOf(query.tenantId, query.customerId)
        : query.status === 'active' && query.journeyId !== undefined
          ? (this.active.get(journeyKey(query.tenantId, query.journeyId))?.values() ?? [])
          : this.enrollments.values();
    const all: Enrollment[] = [];
    for (const slot of source) {
      const { e } = slot;
      if (slot.quarantine !== null) continue; // listed by listQuarantined
      if (
        e.tenantId === query.tenantId &&
        (query.journeyId === undefined || e.journeyId === query.journeyId) &&
        (query.customerId === undefined || e.customerId === query.customerId) &&
        (query.status === undefined || e.status === query.status) &&
        (query.stepId === undefined || e.stepId === query.stepId)
      ) {
        this.readable(slot);
        all.push(e);
      }
    }
    all.sort((a, b) => a.enteredAt - b.enteredAt || compareIds(a.id, b.id));
    return { items: all.slice(query.offset, query.offset + query.limit), total: all.length };
  }

  async customerHistory(tenantId: string, customerId: string): Promise<{ readonly active: boolean; readonly lastEndedAt: number | null }> {
    let active = false;
    let lastEndedAt: number | null = null;
    for (const { e } of this.historyOf(tenantId, customerId)) {
      if (e.status === 'active') active = true;
      else if (e.endedAt !== null && (lastEndedAt === null || e.endedAt > lastEndedAt)) lastEndedAt = e.endedAt;
    }
    return { active, lastEndedAt };
  }

  async entryHistories(tenantId: string, journeyId: string, customerIds: readonly string[]): Promise<readonly EntryHistory[]> {
    return customerIds.map((customerId) => {
      let active = false;
      let lastEndedAt: number | null = null;
      let enrollments = 0;
      let activeHere: { id: string; enteredAt: number } | null = null;
      let lastEndedHere: number | null = null;
      for (const slot of this.historyOf(tenantId, customerId)) {
        const e = slot.e;
        if (e.status === 'active') active = true;
        else if (e.endedAt !== null && (lastEndedAt === null || e.endedAt > lastEndedAt)) lastEndedAt = e.endedAt;
        if (e.journeyId !== journeyId || slot.quarantine !== null) continue; // as listEnrollments lists them
        enrollments += 1;
        if (e.status === 'active') activeHere = { id: e.id, enteredAt: e.enteredAt };
        else if (e.endedAt !== null && (lastEndedHere === null || e.endedAt > lastEndedHere)) lastEndedHere = e.endedAt;
      }
      return { customerId, active, lastEndedAt, journey: { enrollments, active: activeHere, lastEndedAt: lastEndedHere } };
    });
  }

  // ───────────────────────── claims and commits ─────────────────────────

  async claimDue(query: {
    readonly now: number;
    readonly limit: number;
    readonly leaseMs: number;
    readonly workerId: string;
    readonly onQuarantine?: (entry: QuarantinedEnrollment) => void;
  }): Promise<readonly Claim[]> {
    const { now, limit, leaseMs } = query;
    const found: QuarantinedEnrollment[] = [];
    // Expired leases go back to the due index (their enrollment keeps its wakeAt and token).
    for (let key = this.leases.peekKey(); key !== undefined && key <= now; key = this.leases.peekKey()) {
      this.place(this.leases.pop() as Slot, true);
    }
    const heaps: DueQueue[] = [];
    for (const [key, heap] of this.due) {
      if (this.journeys.get(key)?.status !== 'active') continue;
      const top = heap.peekKey();
      if (top !== undefined && top <= now) heaps.push(heap);
    }
    const overdue = this.pastDeadlineWhilePaused(now);
    let o = 0;
    const claims: Claim[] = [];
    const setAside: Slot[] = [];
    while (claims.length < limit && (heaps.length > 0 || o < overdue.length)) {
      let best = heaps.length > 0 ? 0 : -1;
      for (let i = 1; i < heaps.length; i++) {
        const a = heaps[i]!;
        const b = heaps[best]!;
        const ka = a.peekKey()!;
        const kb = b.peekKey()!;
        if (ka < kb || (ka === kb && a.peekRecord()!.id() < b.peekRecord()!.id())) best = i;
      }
      let slot: Slot;
      const paused = overdue[o];
      if (paused !== undefined && (best === -1 || isBefore(paused, heaps[best]!.peekKey()!, heaps[best]!.peekRecord()!.id()))) {
        slot = paused; // still in its heap: place() below moves it to the lease heap
        o += 1;
        if (slot.lease !== null && slot.lease > now) continue;
      } else {
        const heap = heaps[best]!;
        slot = heap.pop() as Slot;
        const next = heap.peekKey();
        if (next === undefined || next > now) heaps.splice(best, 1);
        if (slot.lease !== null && slot.lease > now) {
          setAside.push(slot); // the clock went back since the lease was seen expired
          continue;
        }
      }
      if (slot.damage !== null) {
        const { e } = slot;
        slot.quarantine = {
          enrollmentId: e.id,
          tenantId: e.tenantId,
          journeyId: e.journeyId,
          customerId: e.customerId,
          reason: corruptRow('enrollments', e.id, slot.damage.field, slot.damage.problem).message,
          field: slot.damage.field,
          at: now,
        };
        slot.lease = null;
        this.quarantined.set(e.id, slot);
        this.place(slot);
        found.push(slot.quarantine);
        continue;
      }
      slot.token += 1;
      slot.lease = now + leaseMs;
      this.place(slot);
      claims.push({ enrollment: slot.e, token: slot.token, leaseUntil: slot.lease });
    }
    for (const slot of setAside) this.place(slot);
    for (const entry of found) query.onQuarantine?.(entry);
    return claims;
  }

  async claimEnrollment(
    tenantId: string,
    enrollmentId: string,
    query: { readonly now: number; readonly leaseMs: number; readonly workerId: string },
  ): Promise<Claim | null> {
    const slot = this.enrollments.get(enrollmentId);
    if (slot === undefined || slot.e.tenantId !== tenantId || slot.e.status !== 'active') return null;
    if (slot.quarantine !== null || slot.damage !== null || (slot.lease !== null && slot.lease > query.now)) return null;
    slot.token += 1;
    slot.lease = query.now + query.leaseMs;
    this.place(slot);
    return { enrollment: slot.e, token: slot.token, leaseUntil: slot.lease };
  }

  async listQuarantined(
    tenantId: string,
    query: { readonly limit: number; readonly offset: number },
  ): Promise<{ readonly items: readonly QuarantinedEnrollment[]; readonly total: number }> {
    const all: QuarantinedEnrollment[] = [];
    for (const slot of this.quarantined.values()) if (slot.quarantine!.tenantId === tenantId) all.push(slot.quarantine!);
    all.sort((a, b) => a.at - b.at || compareIds(a.enrollmentId, b.enrollmentId));
    return { items: all.slice(query.offset, query.offset + query.limit), total: all.length };
  }

  async repairEnrollment(enrollment: Enrollment): Promise<'repaired' | 'missing'> {
    const slot = this.quarantined.get(enrollment?.id);
    if (slot === undefined || slot.quarantine!.tenantId !== enrollment.tenantId) return 'missing';
    const repaired = checkRepairedEnrollment(enrollment);
    checkRepair(slot.quarantine!, slot.e.status, repaired);
    if (slot.e.status === 'active' && repaired.status !== 'active') {
      this.active.get(journeyKey(repaired.tenantId, repaired.journeyId))?.delete(repaired.customerId);
    }
    slot.e = repaired;
    slot.damage = null;
    slot.quarantine = null;
    slot.lease = null;
    this.quarantined.delete(repaired.id);
    this.place(slot);
    return 'repaired';
  }

  async releaseQuarantined(tenantId: string, enrollmentId: string): Promise<'released' | 'missing'> {
    const slot = this.quarantined.get(enrollmentId);
    if (slot === undefined || slot.quarantine!.tenantId !== tenantId) return 'missing';
    this.readable(slot);
    slot.quarantine = null;
    this.quarantined.delete(enrollmentId);
    this.place(slot); // memory kept its wakeAt: it is due at once if that has passed
    return 'released';
  }

  async release(enrollmentId: string, token: number): Promise<void> {
    const slot = this.enrollments.get(enrollmentId);
    if (slot === undefined || slot.token !== token || slot.lease === null) return;
    slot.lease = null;
    this.place(slot);
  }

  async commit(commit: Commit): Promise<CommitResult> {
    const slot = this.enrollments.get(commit.enrollment.id);
    return this.apply(commit, this.refused(commit, slot), slot);
  }

  /** {@link Storage.commitMany}: every commit's checks first (a broken rule throws before anything is written), then each applied in order, in one synchronous pass. */
  async commitMany(commits: readonly Commit[]): Promise<readonly CommitResult[]> {
    const n = commits.length;
    const refusals = new Array<CommitResult | null>(n);
    const seen = new Array<Slot | undefined>(n);
    const stored = new Array<Enrollment | undefined>(n);
    for (let i = 0; i < n; i++) {
      const commit = commits[i]!;
      const slot = this.enrollments.get(commit.enrollment.id);
      refusals[i] = this.refused(commit, slot);
      seen[i] = slot;
      stored[i] = slot?.e;
    }
    // A refusal decided above still holds unless an earlier commit of the batch wrote the same
    // enrollment (its stored row or token changed): then it is decided again as it is applied.
    const tokens = seen.map((slot) => slot?.token);
    const results = new Array<CommitResult>(n);
    for (let i = 0; i < n; i++) {
      const commit = commits[i]!;
      const slot = seen[i];
      const same = slot === undefined || (slot.e === stored[i] && slot.token === tokens[i]);
      results[i] = this.apply(commit, same ? refusals[i]! : this.refused(commit, slot), slot);
    }
    return results;
  }

  /**
   * Write a commit whose shape was checked and whose refusal (null: none) was decided against the
   * stored enrollment, held in `slot` (a commit that is not refused has one).
   */
  private apply(commit: Commit, refused: CommitResult | null, slot: Slot | undefined): CommitResult {
    if (refused !== null || slot === undefined) return refused ?? 'missing';
    const next = commit.enrollment;
    if (commit.requireActiveJourney === true && this.journeys.get(keyOfJourney(next.tenantId, next.journeyId))?.status !== 'active') return 'journey-inactive';
    // Outcome keys are unique per customer (tenant, customer, key), whichever enrollment the outcome lands on.
    const outcomeKey = commit.outcomeKey === undefined ? undefined : next.tenantId + SEP + next.customerId + SEP + commit.outcomeKey;
    if (outcomeKey !== undefined && this.outcomeKeys.has(outcomeKey)) return 'duplicate';
    const s = slot;
    const previous = s.e;
    s.e = next;
    if (previous.status === 'active' && next.status !== 'active') {
      const byCustomer = this.active.get(keyOfJourney(next.tenantId, next.journeyId));
      byCustomer?.delete(next.customerId);
    }
    const lease = leaseChange(commit);
    if (lease.kind === 'end') s.lease = null;
    else if (lease.kind === 'extend') s.lease = lease.until;
    if (outcomeKey !== undefined) this.outcomeKeys.add(outcomeKey);
    if (commit.effects !== undefined) for (const effect of commit.effects) this.record(effect);
    this.count(next.tenantId, commit.counters);
    this.place(s);
    return 'ok';
  }

  /** The stored identity {@link refusal} reads, filled in place for each commit (no object per commit). */
  private readonly identity: { -readonly [K in keyof StoredIdentity]: StoredIdentity[K] } = { tenantId: '', journeyId: '', customerId: '', status: '', version: 0, token: 0 };

  private refused(commit: Commit, slot = this.enrollments.get(commit.enrollment.id)): CommitResult | null {
    if (slot === undefined) return refusal(commit, undefined);
    const id = this.identity;
    const { e } = slot;
    id.tenantId = e.tenantId;
    id.journeyId = e.journeyId;
    id.customerId = e.customerId;
    id.status = e.status;
    id.version = e.version;
    id.token = slot.token;
    return refusal(commit, id);
  }

  async appendEffects(append: EffectAppend): Promise<readonly EffectRecord[]> {
    const added: EffectRecord[] = [];
    for (const effect of append.effects) if (this.record(effect)) added.push(effect);
    if (added.length > 0) this.count(append.tenantId, append.counters);
    return added;
  }

  async exitAll(tenantId: string, journeyId: string, reason: ExitReason, at: number): Promise<readonly string[]> {
    const key = journeyKey(tenantId, journeyId);
    const byCustomer = this.active.get(key);
    if (byCustomer === undefined || byCustomer.size === 0) return [];
    const slots = [...byCustomer.values()].sort((a, b) => compareIds(a.e.id, b.e.id));
    byCustomer.clear();
    const counters: StepCounter[] = [];
    for (const slot of slots) {
      counters.push({ journeyId, stepId: slot.e.stepId ?? JOURNEY_LEVEL_STEP, metric: `exited:${reason}` });
      slot.e = exitedEnrollment(slot.e, reason, at);
      slot.lease = null;
      this.place(slot);
    }
    this.count(tenantId, counters);
    return slots.map((s) => s.e.id);
  }

  async nextWakeAt(): Promise<number | null> {
    let min: number | null = null;
    for (const [key, heap] of this.due) {
      const status = this.journeys.get(key)?.status;
      if (status === 'paused') {
        // Claimable just past its deadline (and no earlier than its wakeAt or lease).
        heap.forEachLive((wakeAt, rec) => {
          const { e, lease } = rec as Slot;
          const at = Math.max(wakeAt, firstInstantAfter(e.deadline), lease ?? wakeAt);
          if (min === null || at < min) min = at;
        });
        continue;
      }
      if (status !== 'active') continue;
      const top = heap.peekKey();
      if (top === undefined) continue;
      const lease = (heap.peekRecord() as Slot).lease;
      if (lease === null || lease <= top) {
        if (min === null || top < min) min = top;
        continue;
      }
      // Rare (an expired lease was put back): the earliest may sit deeper in this heap.
      heap.forEachLive((wakeAt, rec) => {
        const held = (rec as Slot).lease;
        const at = held !== null && held > wakeAt ? held : wakeAt;
        if (min === null || at < min) min = at;
      });
    }
    // A claimed enrollment can be claimed again when its lease ends (or at its wakeAt, if later).
    this.leases.forEachLive((leaseUntil, rec) => {
      const { e } = rec as Slot;
      if (e.wakeAt === null) return;
      const status = this.journeys.get(keyOfJourney(e.tenantId, e.journeyId))?.status;
      const at = status === 'paused' ? Math.max(e.wakeAt, leaseUntil, firstInstantAfter(e.deadline)) : Math.max(e.wakeAt, leaseUntil);
      if ((min === null || at < min) && (status === 'active' || status === 'paused')) min = at;
    });
    return min;
  }

  async stats(tenantId: string, journeyId: string): Promise<Readonly<Record<string, StepStats>>> {
    const key = journeyKey(tenantId, journeyId);
    const rows: { stepId: string; metric: string; count: number }[] = [];
    for (const [stepId, metrics] of this.counters.get(key) ?? []) {
      for (const [metric, count] of metrics) rows.push({ stepId, metric, count });
    }
    const current = new Map<string, number>();
    for (const { e } of this.active.get(key)?.values() ?? []) {
      if (e.stepId !== null) current.set(e.stepId, (current.get(e.stepId) ?? 0) + 1);
    }
    return buildStats(rows, [...current].map(([stepId, count]) => ({ stepId, count })));
  }

  async listEffects(tenantId: string, enrollmentId: string): Promise<readonly EffectRecord[]> {
    const stray = this.strayEffects.get(enrollmentId);
    const own = this.enrollments.get(enrollmentId)?.effects;
    const all = stray === undefined ? (own ?? []) : own == null ? stray : [...stray, ...own];
    return all.filter((r) => r.tenantId === tenantId);
  }

  async reserveSendSlot(request: SendSlotRequest): Promise<SendSlotResult> {
    const owner = journeyKey(request.tenantId, request.customerId);
    let slots = this.sendSlots.get(owner);
    if (slots === undefined) this.sendSlots.set(owner, (slots = new Map()));
    const since = oldestCounted(request);
    const stored: StoredSendSlot[] = [];
    let pruned = 0;
    for (const [key, slot] of slots) {
      if (request.pruneBefore !== undefined && slot.at < request.pruneBefore && key !== request.key && pruned < SEND_SLOT_PRUNE_BATCH) {
        pruned++;
        slots.delete(key); // older than every cap's window: it counts for nothing any more
        this.slotOwners.delete(journeyKey(request.tenantId, key));
        continue;
      }
      const row = storedSlot({ key, ...slot, confirmed: this.hasEffectKey(key), pending: this.enrollments.get(slot.enrollmentId)?.e.status === 'active' }, request.now);
      if (!row.live) {
        slots.delete(key); // a hold that ended, unconfirmed, its enrollment gone on: its send never landed
        this.slotOwners.delete(journeyKey(request.tenantId, key));
        continue;
      }
      if (slot.at >= since || key === request.key) stored.push(row);
    }
    const decision = decideSendSlot(request, stored);
    if (!decision.granted) return decision;
    const held = slots.get(request.key);
    if (decision.held && held !== undefined) {
      // A replay: it sends now, so the slot counts from now (never from earlier than it did).
      held.at = Math.max(held.at, request.now);
      held.holdUntil = Math.max(held.holdUntil, request.holdUntil);
    } else {
      slots.set(request.key, { enrollmentId: request.enrollmentId, channelId: request.channelId, at: request.now, holdUntil: request.holdUntil });
      this.slotOwners.set(journeyKey(request.tenantId, request.key), owner);
    }
    return { granted: true };
  }

  async releaseSendSlot(tenantId: string, key: string): Promise<void> {
    if (this.hasEffectKey(key)) return;
    const owner = this.slotOwners.get(journeyKey(tenantId, key));
    if (owner === undefined) return;
    this.sendSlots.get(owner)?.delete(key);
    this.slotOwners.delete(journeyKey(tenantId, key));
  }

  async takeSendToken(request: SendTokenRequest): Promise<number> {
    const key = journeyKey(request.tenantId, request.channelId);
    const next = takeToken(this.sendTokens.get(key), request.perSecond, request.now);
    this.sendTokens.set(key, next.state);
    return next.at;
  }

  // ───────────────────────── internals ─────────────────────────

  /** Throw `corrupt-row` for a slot damaged by {@link damageForTesting}, as SQL storage does for a bad row. */
  private readable(slot: Slot): void {
    if (slot.damage !== null) throw corruptRow('enrollments', slot.e.id, slot.damage.field, slot.damage.problem);
  }

  /**
   * Put a slot in the index it belongs to: none when it is not due-able, the lease heap while
   * claimed, else its journey's due heap. `expired` moves a claimed slot whose lease ran out to
   * the due heap (the lease value is kept: only a new claim or a commit changes it).
   */
  private place(slot: Slot, expired = false): void {
    const { e } = slot;
    // Still leased until the same instant (a commit that keeps the claim, on a clock that has not
    // moved): its live entry in the lease index is already right.
    if (slot.heap === this.leases && !expired && slot.lease !== null && slot.leaseKey === slot.lease && e.status === 'active' && e.wakeAt !== null && slot.quarantine === null) return;
    if (slot.heap !== null) {
      slot.heap.live -= 1;
      slot.heap = null;
    }
    slot.gen += 1;
    if (e.status !== 'active' || e.wakeAt === null || slot.quarantine !== null) return;
    if (slot.lease !== null && !expired) {
      this.leases.push(slot.lease, slot);
      slot.leaseKey = slot.lease;
      return;
    }
    const key = keyOfJourney(e.tenantId, e.journeyId);
    let heap = this.due.get(key);
    if (heap === undefined) this.due.set(key, (heap = new DueQueue()));
    heap.push(e.wakeAt, slot);
  }

  /**
   * Due enrollments of paused journeys whose deadline is past (`deadline < now`), in (wakeAt, id)
   * order: the only ones a paused journey hands out, to exit at their deadline. A scan of the
   * paused journeys' due heaps (they hold only what came due while paused).
   */
  private pastDeadlineWhilePaused(now: number): Slot[] {
    const found: Slot[] = [];
    for (const [key, heap] of this.due) {
      if (this.journeys.get(key)?.status !== 'paused') continue;
      heap.forEachLive((wakeAt, rec) => {
        const slot = rec as Slot;
        if (wakeAt <= now && slot.e.deadline < now) found.push(slot);
      });
    }
    return found.sort((a, b) => a.e.wakeAt! - b.e.wakeAt! || compareIds(a.e.id, b.e.id));
  }

  /** A customer's enrollments in one tenant, oldest first. */
  private historyOf(tenantId: string, customerId: string): readonly Slot[] {
    const history = this.customers.get(tenantId)?.get(customerId);
    return history === undefined ? [] : history instanceof Slot ? [history] : history;
  }

  /** Add an effect to the log; false when its key is there already (at-least-once: the first record wins). */
  private record(effect: EffectRecord): boolean {
    const key = effect.idempotencyKey;
    if (effect.enrollmentId.includes(':')) this.colonIds = true;
    const own = ownKey(key, effect.enrollmentId);
    if (own && !this.colonIds ? this.foreignKeys.has(key) || this.loggedOn(effect.enrollmentId, key) : this.hasEffectKey(key)) return false;
    if (!own) this.foreignKeys.add(key);
    const slot = this.enrollments.get(effect.enrollmentId);
    if (slot !== undefined) {
      const list = slot.effects;
      // A short log is copied at its exact length (`push` would leave room for 16 more); a long one grows in place.
      if (list === null) slot.effects = [effect];
      else if (list.length < 8) slot.effects = withOneMore(list, effect);
      else list.push(effect);
      const log = slot.effects!;
      if (slot.keys !== null) slot.keys.add(key);
      else if (log.length > LOG_SCAN_MAX) slot.keys = new Set(log.map((r) => r.idempotencyKey));
      return true;
    }
    const list = this.strayEffects.get(effect.enrollmentId);
    if (list === undefined) this.strayEffects.set(effect.enrollmentId, [effect]);
    else list.push(effect);
    return true;
  }

  /** Whether enrollment `enrollmentId`'s log (its slot's, and any recorded before it existed) holds `key`. */
  private loggedOn(enrollmentId: string, key: string): boolean {
    const slot = this.enrollments.get(enrollmentId);
    if (slot !== undefined && (slot.keys !== null ? slot.keys.has(key) : logHas(slot.effects, key))) return true;
    return this.strayEffects.size > 0 && logHas(this.strayEffects.get(enrollmentId), key);
  }

  /** Whether any record in the log has key `key`: a foreign key, or one in the log of an enrollment whose id it starts with. */
  private hasEffectKey(key: string): boolean {
    if (this.foreignKeys.has(key)) return true;
    for (let i = key.indexOf(':'); i > 0; i = key.indexOf(':', i + 1)) {
      if (this.loggedOn(key.slice(0, i), key)) return true;
    }
    return false;
  }

  /**
   * Add one to each counter. Repeats are simply added again: in memory there is no per-row
   * write cost to save, so the shared `aggregateCounters` (a Map and key strings per commit) is
   * skipped on this hot path. The totals are the same.
   */
  private count(tenantId: string, counters: readonly StepCounter[] | undefined): void {
    if (counters === undefined) return;
    let journeyId: string | undefined;
    let steps: Counts | undefined;
    for (const c of counters) {
      if (steps === undefined || c.journeyId !== journeyId) {
        journeyId = c.journeyId;
        const key = keyOfJourney(tenantId, journeyId);
        steps = this.counters.get(key);
        if (steps === undefined) this.counters.set(key, (steps = new Map()));
      }
      let metrics = steps.get(c.stepId);
      if (metrics === undefined) steps.set(c.stepId, (metrics = new Map()));
      metrics.set(c.metric, (metrics.get(c.metric) ?? 0) + 1);
    }
  }
}
