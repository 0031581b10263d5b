/** Hashes the PostgreSQL adapter derives from text: prepared-statement names and counter shards. */
import { PG_COUNTER_SHARDS } from './pg-migrations.js';

/** A 53-bit string hash (cyrb53): statement names that do not collide in practice. */
export function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Which shard of a step counter an enrollment's commits add to (FNV-1a of its id). */
export function counterShard(enrollmentId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < enrollmentId.length; i++) h = Math.imul(h ^ enrollmentId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % PG_COUNTER_SHARDS;
}
