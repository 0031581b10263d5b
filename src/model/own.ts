/**
 * Records keyed by ids the user chose (step ids, result keys, flags, exit reasons) are read and
 * built through these helpers, so an id such as `constructor`, `__proto__` or `toString` is an
 * ordinary key and never reaches `Object.prototype`.
 */

/** `record[key]` when `key` is the record's own property, else `undefined` (never an inherited value). */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** An empty record without a prototype: assigning `__proto__` to it stores a key like any other. */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
