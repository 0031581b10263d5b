import type { JourneyDefinition, JourneyRecord } from '../model/types.js';
import { listenedEventTypes } from '../model/steps/index.js';
import type { Diagnostic, ValidateOptions } from '../validate/diagnostics.js';
import type { CustomerSchema } from '../validate/expression/customer-schema.js';
import type { CompiledJourney } from './compile-journey.js';
import { compileJourney } from './compile-journey.js';
import type { EngineEmitter } from './events.js';
import type { Observer } from './observe.js';
import type { Channels, Clock, DecisionFlows, Profiles, Storage } from './ports.js';
import type { RetryPolicy } from './retry.js';
import type { SendPolicyRuntime } from './send-gate.js';

/** Everything the engine's parts share. Internal. */
export interface EngineContext {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly decisions: DecisionFlows | undefined;
  readonly channels: Channels | undefined;
  readonly profiles: Profiles | undefined;
  readonly events: EngineEmitter;
  readonly retry: RetryPolicy;
  readonly leaseMs: number;
  readonly workerId: string;
  readonly newId: (kind: 'journey' | 'enrollment') => string;
  readonly onListenerError: ((error: unknown) => void) | undefined;
  readonly journeys: JourneyCache;
  /** Active journeys by event trigger, per tenant (`ingestEvent`). */
  readonly triggers: TriggerIndex;
  /** Diagnostics of stored journeys by revision (`getJourney`). */
  readonly diagnostics: DiagnosticsCache;
  /** Logs and traces (`logger`, OpenTelemetry). */
  readonly observer: Observer;
  /** The host's customer attributes schema: expressions and updates are type-checked against it. */
  readonly customerSchema?: CustomerSchema | undefined;
  /** The host's send policy (quiet hours, caps, rate limits), when it declared one. */
  readonly sendPolicy?: SendPolicyRuntime;
}

/** What the engine validates journeys with: its clock's now and the host's customer schema. */
export function validationOptions(ctx: EngineContext): ValidateOptions {
  return ctx.customerSchema === undefined ? { now: ctx.clock.now() } : { now: ctx.clock.now(), customerSchema: ctx.customerSchema };
}

/**
 * Compiled journey versions by (tenant, journey, version). Versions never change once written,
 * so entries never go stale; the cache is bounded and drops its oldest entry when full.
 */
export class JourneyCache {
  private readonly entries = new Map<string, CompiledJourney>();

  constructor(
    private readonly storage: Storage,
    private readonly capacity = 1000,
  ) {}

  /** The compiled version when it is cached (no storage read, nothing awaited), else undefined. */
  peek(tenantId: string, journeyId: string, version: number): CompiledJourney | undefined {
    // A batch's claims are mostly of one journey version: the last one found is checked first, with no key built.
    const last = this.last;
    if (last !== undefined && last.version === version && last.id === journeyId && last.tenantId === tenantId) return last;
    const found = this.entries.get(`${tenantId}\u0000${journeyId}\u0000${version}`);
    if (found !== undefined) this.last = found;
    return found;
  }

  private last: CompiledJourney | undefined;

  async get(tenantId: string, journeyId: string, version: number): Promise<CompiledJourney | null> {
    const key = `${tenantId}\u0000${journeyId}\u0000${version}`;
    const hit = this.entries.get(key);
    if (hit) return hit;
    // One load per version however many claims miss at once (a batch of 100 claims on a cold cache: one read, not 100).
    let pending = this.loading.get(key);
    if (pending === undefined) {
      pending = this.load(key, tenantId, journeyId, version).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  private readonly loading = new Map<string, Promise<CompiledJourney | null>>();

  private async load(key: string, tenantId: string, journeyId: string, version: number): Promise<CompiledJourney | null> {
    const [record, definition] = await Promise.all([
      this.storage.getJourney(tenantId, journeyId),
      this.storage.getJourneyVersion(tenantId, journeyId, version),
    ]);
    if (!record || !definition) return null;
    return this.put(key, { id: journeyId, tenantId, name: record.name, version }, definition);
  }

  private put(key: string, identity: { id: string; tenantId: string; name: string; version: number }, definition: JourneyDefinition): CompiledJourney {
    const compiled = compileJourney(identity, definition);
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, compiled);
    return compiled;
  }
}

/** Keys of a bounded cache: drop the oldest entry before adding one past `capacity`. */
function evictFor<K, V>(entries: Map<K, V>, capacity: number): void {
  while (entries.size >= capacity) {
    const oldest = entries.keys().next();
    if (oldest.done) return;
    entries.delete(oldest.value);
  }
}

/** One tenant's active journeys by the event types that trigger them, as of a catalog revision. */
interface TriggerEntry {
  readonly revision: number;
  readonly byType: ReadonlyMap<string, readonly JourneyRecord[]>;
  /** Active and paused journeys whose definition waits for events, by event type (`waitFor` paths, goals). */
  readonly listenersByType: ReadonlyMap<string, ReadonlySet<string>>;
}

const NO_LISTENERS: ReadonlySet<string> = new Set();

/** Active journeys listed a page at a time. */
const PAGE = 200;

/**
 * The active journeys of each tenant, indexed by event type, so `ingestEvent` looks up the few
 * journeys an event can trigger instead of listing (and decoding) every active journey.
 *
 * Freshness: every lookup reads the storage's `catalogRevision` (one primary-key read), which
 * moves on every journey write of the tenant by any process; an entry built at another revision
 * is rebuilt. The revision is read *before* the journeys are listed, so a write that lands
 * while the index is being built leaves the entry tagged with the older revision and it is
 * rebuilt at the next event. The engine's own journey writes also {@link drop} the entry at once.
 * A storage without `catalogRevision` gets no caching: the active journeys are listed on every
 * event (always correct, slower). Bounded: at most `capacity` tenants, oldest dropped first.
 */
export class TriggerIndex {
  private readonly entries = new Map<string, TriggerEntry>();
  /** Builds in flight, shared by concurrent events of the same tenant and revision. */
  private readonly building = new Map<string, { readonly revision: number; readonly entry: Promise<TriggerEntry> }>();

  constructor(
    private readonly storage: Storage,
    private readonly capacity = 1000,
  ) {}

  /** Active journeys of `tenantId` with a trigger of event type `type`, in listing order. */
  async journeysFor(tenantId: string, type: string): Promise<readonly JourneyRecord[]> {
    return (await this.forEvent(tenantId, type)).triggered;
  }

  /**
   * For one event type, from one look at the catalog revision: the active journeys it triggers
   * (in listing order) and the ids of the active and paused journeys whose current definition
   * waits for it (a `waitFor` path or a goal), whose enrollments of the customer receive it.
   */
  async forEvent(tenantId: string, type: string): Promise<{ readonly triggered: readonly JourneyRecord[]; readonly listeners: ReadonlySet<string> }> {
    const entry = await this.entry(tenantId);
    return { triggered: entry.byType.get(type) ?? [], listeners: entry.listenersByType.get(type) ?? NO_LISTENERS };
  }

  private async entry(tenantId: string): Promise<TriggerEntry> {
    if (this.storage.catalogRevision === undefined) return this.build(tenantId, 0);
    const revision = await this.storage.catalogRevision(tenantId);
    let entry = this.entries.get(tenantId);
    if (entry === undefined || entry.revision !== revision) {
      let pending = this.building.get(tenantId);
      if (pending === undefined || pending.revision !== revision) {
        pending = { revision, entry: this.build(tenantId, revision) };
        this.building.set(tenantId, pending);
      }
      try {
        entry = await pending.entry;
      } finally {
        if (this.building.get(tenantId) === pending) this.building.delete(tenantId);
      }
      this.entries.delete(tenantId);
      evictFor(this.entries, this.capacity);
      this.entries.set(tenantId, entry);
    }
    return entry;
  }

  /** Forget a tenant's entry (after this engine wrote one of its journeys). */
  drop(tenantId: string): void {
    this.entries.delete(tenantId);
    this.building.delete(tenantId);
  }

  private async build(tenantId: string, revision: number): Promise<TriggerEntry> {
    const byType = new Map<string, JourneyRecord[]>();
    const listenersByType = new Map<string, Set<string>>();
    const listen = (journey: JourneyRecord) => {
      for (const type of listenedEventTypes(journey)) {
        const set = listenersByType.get(type);
        if (set === undefined) listenersByType.set(type, new Set([journey.id]));
        else set.add(journey.id);
      }
    };
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.storage.listJourneys(tenantId, { status: 'active', limit: PAGE, offset });
      for (const journey of page.items) {
        listen(journey);
        const types = new Set((journey.entryConditions.events ?? []).map((trigger) => trigger.type));
        for (const type of types) {
          const list = byType.get(type);
          if (list === undefined) byType.set(type, [journey]);
          else list.push(journey);
        }
      }
      if (page.items.length < PAGE) break;
    }
    // A paused journey's customers still receive events (applied on resume).
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.storage.listJourneys(tenantId, { status: 'paused', limit: PAGE, offset });
      for (const journey of page.items) listen(journey);
      if (page.items.length < PAGE) return { revision, byType, listenersByType };
    }
  }
}

/**
 * Diagnostics of stored journeys by (tenant, id, revision, createdAt): a journey's revision
 * moves on every write, so an entry never answers for another document (createdAt tells a
 * journey deleted and created again under the same id apart). Bounded, oldest dropped first.
 */
export class DiagnosticsCache {
  private readonly entries = new Map<string, readonly Diagnostic[]>();

  constructor(private readonly capacity = 1000) {}

  /** The cached diagnostics of `record`, or `compute()`'s answer, remembered. */
  get(record: JourneyRecord, compute: () => readonly Diagnostic[]): readonly Diagnostic[] {
    const key = keyOf(record);
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const diagnostics = compute();
    this.put(record, diagnostics);
    return diagnostics;
  }

  /** Remember what validation found for `record` (the engine just validated it to write it). */
  put(record: JourneyRecord, diagnostics: readonly Diagnostic[]): void {
    const key = keyOf(record);
    this.entries.delete(key);
    evictFor(this.entries, this.capacity);
    this.entries.set(key, diagnostics);
  }
}

function keyOf(record: JourneyRecord): string {
  return `${record.tenantId}\u0000${record.id}\u0000${record.revision}\u0000${record.createdAt}`;
}
