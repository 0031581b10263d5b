import type { JourneyDefinition } from '../model/types.js';
import type { CompiledJourney } from './compile-journey.js';
import { compileJourney } from './compile-journey.js';
import type { EngineEmitter } from './events.js';
import type { Channels, Clock, DecisionFlows, Profiles, Storage } from './ports.js';
import type { RetryPolicy } from './retry.js';

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

  async get(tenantId: string, journeyId: string, version: number): Promise<CompiledJourney | null> {
    const key = `${tenantId}\u0000${journeyId}\u0000${version}`;
    const hit = this.entries.get(key);
    if (hit) return hit;
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
