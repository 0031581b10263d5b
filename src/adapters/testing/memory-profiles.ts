import type { JsonValue } from '../../model/schema.js';
import type { UpdateOperation } from '../../model/types.js';
import type { EffectContext, Profiles } from '../../runtime/ports.js';
import type { CustomerProfile } from '../../runtime/types.js';

/** A customer as given to {@link memoryProfiles}. */
export interface ProfileSeed {
  readonly id: string;
  readonly attributes?: Readonly<Record<string, JsonValue>>;
  readonly segments?: readonly string[];
}

/** An in-memory Profiles port. */
export interface MemoryProfiles extends Profiles {
  /** Add or replace a customer. */
  set(profile: ProfileSeed): void;
  /** Read a customer synchronously (undefined when unknown). */
  peek(customerId: string): CustomerProfile | undefined;
  /** Every apply call, in order. */
  readonly applied: Array<{ readonly customerId: string; readonly operations: readonly UpdateOperation[]; readonly context: EffectContext }>;
}

function applyOperations(profile: CustomerProfile, operations: readonly UpdateOperation[]): CustomerProfile {
  const attributes: Record<string, JsonValue> = { ...profile.attributes };
  const segments = new Set(profile.segments);
  for (const op of operations) {
    switch (op.type) {
      case 'set_attribute':
        attributes[op.key] = op.value;
        break;
      case 'unset_attribute':
        delete attributes[op.key];
        break;
      case 'add_segment':
        segments.add(op.segment);
        break;
      case 'remove_segment':
        segments.delete(op.segment);
        break;
      case 'set_flag':
        break;
    }
  }
  return { id: profile.id, attributes, segments: [...segments] };
}

/**
 * Customers in memory. Unknown customers read as `null`; applying operations to an unknown
 * customer creates them. Applying the same idempotency key twice changes nothing the second time.
 *
 * @example
 * const profiles = memoryProfiles([{ id: 'c1', segments: ['loan_interested'], attributes: { age: 34 } }]);
 */
export function memoryProfiles(seed: readonly ProfileSeed[] = []): MemoryProfiles {
  const store = new Map<string, CustomerProfile>();
  const seen = new Set<string>();
  const applied: MemoryProfiles['applied'] = [];
  const set = (p: ProfileSeed) => store.set(p.id, { id: p.id, attributes: { ...(p.attributes ?? {}) }, segments: [...(p.segments ?? [])] });
  seed.forEach(set);
  return {
    applied,
    set,
    peek: (id) => store.get(id),
    async get(customerId) {
      return store.get(customerId) ?? null;
    },
    async apply(customerId, operations, context) {
      const current = store.get(customerId) ?? { id: customerId, attributes: {}, segments: [] };
      if (seen.has(context.idempotencyKey)) return current;
      seen.add(context.idempotencyKey);
      applied.push({ customerId, operations, context });
      const next = applyOperations(current, operations);
      store.set(customerId, next);
      return next;
    },
  };
}
