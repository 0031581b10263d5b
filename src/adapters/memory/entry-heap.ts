/**
 * A binary min-heap of index entries with lazy deletion, for the memory storage's due and lease
 * indexes. Entries are kept in parallel arrays (key, generation, record, tie-break id) so an entry
 * costs four array slots and no object. An entry is live while its generation equals its record's
 * current generation; bumping the record's generation deletes all its entries at once.
 */

/** An index a record's live entry is in: an {@link EntryHeap}, or a DueQueue (due-queue.ts). */
export interface EntryIndex {
  /** Live entries (the rest are stale and dropped when met or on compaction). */
  live: number;
}

/** What the heap needs of a record: a tie-break id, its generation, and where its live entry is. */
export interface HeapRecord {
  /** Tie-break for equal keys (the enrollment id). */
  id(): string;
  gen: number;
  heap: EntryIndex | null;
}

/** (key, rank, rank2, id) before (key, rank, rank2, id): the due order, (wakeAt, id), on ranks first. */
export function entryBefore(ka: number, ra: number, sa: number, ia: string, kb: number, rb: number, sb: number, ib: string): boolean {
  if (ka !== kb) return ka < kb;
  if (ra !== rb) return ra < rb;
  if (sa !== sb) return sa < sb;
  return ia < ib;
}

/** Characters of an id in its {@link idRank}. */
const RANK_CHARS = 7;

/**
 * A number that orders ids as JavaScript's `<` does wherever it differs: the first
 * {@link RANK_CHARS} UTF-16 code units as digits in base 128, 49 bits. A shorter id is padded with
 * 0; a unit above 126 becomes the digit 127 and ends the digits (the rest are 0), since past it
 * two ids' units no longer compare as their digits do. So the rank is monotonic — `a < b` gives
 * `idRank(a) <= idRank(b)` — and unequal ranks decide, equal ranks fall back to the strings.
 */
export function idRank(id: string): number {
  return rankFrom(id, 0);
}

/**
 * The rank of the next {@link RANK_CHARS} units, for ids whose {@link idRank}s are equal: those
 * units' rank when the id's first ones were all open (its length above {@link RANK_CHARS}, no unit
 * above 126), else 0. Ids of equal first ranks then compare as `<` does wherever these differ —
 * both open, their first units are equal and these digits are theirs; otherwise the closed or
 * shorter one is the other's prefix or both closed at the same place (both 0). Ids of one form
 * (`enr_` and hex digits) share their first units: the second rank decides their ties.
 */
export function idRank2(id: string): number {
  if (id.length <= RANK_CHARS) return 0;
  for (let i = 0; i < RANK_CHARS; i++) if (id.charCodeAt(i) >= 127) return 0;
  return rankFrom(id, RANK_CHARS);
}

function rankFrom(id: string, start: number): number {
  let rank = 0;
  let open = true;
  for (let i = start; i < start + RANK_CHARS; i++) {
    let digit = 0;
    if (open && i < id.length) {
      digit = id.charCodeAt(i);
      if (digit >= 127) {
        digit = 127;
        open = false;
      }
    }
    rank = rank * 128 + digit;
  }
  return rank;
}

/**
 * Min-heap ordered by (key, record id), or by key alone when the order among equal keys does not matter.
 * Its entries are live while their record's `heap` is its `owner` (itself, unless another index
 * keeps this heap inside it and does the records' bookkeeping: {@link insert}, {@link removeTopEntry};
 * {@link push} and {@link pop} are for a heap that is its own owner).
 */
export class EntryHeap implements EntryIndex {
  private readonly owner: EntryIndex;
  /** `tieBreak: false`: equal keys in any order (no id is compared: a lease index, where they all expire together). */
  constructor(
    private readonly tieBreak = true,
    owner?: EntryIndex,
  ) {
    this.owner = owner ?? this;
  }

  private readonly keys: number[] = [];
  private readonly gens: number[] = [];
  private readonly recs: HeapRecord[] = [];
  /** Each entry's tie-break id, copied from its record so comparing equal keys reads no record. */
  private readonly ids: string[] = [];
  /** Each entry's {@link idRank}: most ties between equal keys are decided on it, without comparing strings. */
  private readonly ranks: number[] = [];
  /** Each entry's {@link idRank2}: ties of equal first ranks (ids of one form share a prefix). */
  private readonly ranks2: number[] = [];
  /** Live entries (the rest are stale and dropped when met or on compaction). */
  live = 0;

  get size(): number {
    return this.keys.length;
  }

  /** Add a live entry for `rec` (the caller has already detached it from any other heap). */
  push(key: number, rec: HeapRecord): void {
    rec.gen += 1;
    rec.heap = this;
    this.live += 1;
    const id = rec.id();
    this.insert(key, rec, id, idRank(id), idRank2(id));
    if (this.keys.length > 64 && this.keys.length > 2 * this.live + 64) this.compact();
  }

  /** Add an entry for `rec` at its current generation, its ranks given, changing nothing of `rec` (for an owner). */
  insert(key: number, rec: HeapRecord, id: string, rank: number, rank2: number): void {
    this.keys.push(key);
    this.gens.push(rec.gen);
    this.recs.push(rec);
    this.ids.push(id);
    this.ranks.push(rank);
    this.ranks2.push(rank2);
    this.up(this.keys.length - 1);
  }

  /** The top live entry's ranks and id (call {@link peekKey} first; for an owner comparing it with its own entries). */
  topRank(): number {
    return this.ranks[0]!;
  }
  topRank2(): number {
    return this.ranks2[0]!;
  }
  topId(): string {
    return this.ids[0]!;
  }

  /** Remove the top live entry, changing nothing of its record (for an owner: call {@link peekKey} first). */
  removeTopEntry(): void {
    this.removeTop();
  }

  /** Drop stale entries from the top; the key of the top live entry, or undefined. */
  peekKey(): number | undefined {
    this.dropStaleTop();
    return this.keys[0];
  }

  /** The record of the top live entry (call {@link peekKey} first). */
  peekRecord(): HeapRecord | undefined {
    this.dropStaleTop();
    return this.recs[0];
  }

  /** Remove the top live entry and detach its record. */
  pop(): HeapRecord | undefined {
    this.dropStaleTop();
    const rec = this.recs[0];
    if (rec === undefined) return undefined;
    this.removeTop();
    rec.heap = null;
    rec.gen += 1;
    this.live -= 1;
    return rec;
  }

  /** Visit every live entry (no order). */
  forEachLive(visit: (key: number, rec: HeapRecord) => void): void {
    for (let i = 0; i < this.keys.length; i++) {
      const rec = this.recs[i]!;
      if (rec.gen === this.gens[i] && rec.heap === this.owner) visit(this.keys[i]!, rec);
    }
  }

  private isStale(i: number): boolean {
    const rec = this.recs[i]!;
    return rec.gen !== this.gens[i] || rec.heap !== this.owner;
  }

  /** Drop stale entries from the top (the top is then live, or the heap empty). */
  dropStaleTop(): void {
    while (this.keys.length > 0 && this.isStale(0)) this.removeTop();
  }

  /**
   * Remove the top entry, bottom-up: the hole at the top moves down to a leaf along the smaller
   * children (one comparison a level), the last entry goes into it and moves up as far as it must
   * (rarely far: it came from the bottom). About half the comparisons of sifting it down from the top.
   */
  private removeTop(): void {
    const last = this.keys.length - 1;
    if (last > 0) {
      let hole = 0;
      for (;;) {
        const l = 2 * hole + 1;
        if (l >= last) break;
        const r = l + 1;
        const m = r < last && this.less(r, l) ? r : l;
        this.move(m, hole);
        hole = m;
      }
      if (hole !== last) {
        this.move(last, hole);
        this.up(hole);
      }
    }
    this.keys.pop();
    this.gens.pop();
    this.recs.pop();
    this.ids.pop();
    this.ranks.pop();
    this.ranks2.pop();
  }

  /** Drop every stale entry and rebuild the heap. */
  compact(): void {
    let w = 0;
    for (let r = 0; r < this.keys.length; r++) {
      if (this.isStale(r)) continue;
      if (w !== r) this.move(r, w);
      w += 1;
    }
    this.keys.length = w;
    this.gens.length = w;
    this.recs.length = w;
    this.ids.length = w;
    this.ranks.length = w;
    this.ranks2.length = w;
    for (let i = (w >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private less(i: number, j: number): boolean {
    const a = this.keys[i]!;
    const b = this.keys[j]!;
    if (a !== b || !this.tieBreak) return a < b;
    // entryBefore on equal keys, written out: the heap's hottest comparison.
    const ra = this.ranks[i]!;
    const rb = this.ranks[j]!;
    if (ra !== rb) return ra < rb;
    const sa = this.ranks2[i]!;
    const sb = this.ranks2[j]!;
    if (sa !== sb) return sa < sb;
    return this.ids[i]! < this.ids[j]!;
  }

  private move(from: number, to: number): void {
    this.keys[to] = this.keys[from]!;
    this.gens[to] = this.gens[from]!;
    this.recs[to] = this.recs[from]!;
    this.ids[to] = this.ids[from]!;
    this.ranks[to] = this.ranks[from]!;
    this.ranks2[to] = this.ranks2[from]!;
  }

  private swap(i: number, j: number): void {
    const k = this.keys[i]!;
    const g = this.gens[i]!;
    const r = this.recs[i]!;
    const id = this.ids[i]!;
    const rank = this.ranks[i]!;
    const rank2 = this.ranks2[i]!;
    this.move(j, i);
    this.keys[j] = k;
    this.gens[j] = g;
    this.recs[j] = r;
    this.ids[j] = id;
    this.ranks[j] = rank;
    this.ranks2[j] = rank2;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.keys.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const m = r < n && this.less(r, l) ? r : l;
      if (!this.less(m, i)) return;
      this.swap(i, m);
      i = m;
    }
  }
}
