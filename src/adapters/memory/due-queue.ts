/**
 * The memory storage's due index of one journey: live entries in (wakeAt, id) order, as an
 * {@link EntryHeap} gives them, but built for how enrollments come due. Those that wake together
 * are claimed in id order, and most wait the same time again, so they are re-added in order under
 * one new key: each key gets a **run**, an array appended to while the entries arrive in order and
 * read from its front, so an entry costs an append and a read instead of two sifts through a heap
 * of every waiting enrollment. An entry that arrives out of order for its key (or when
 * {@link MAX_RUNS} keys already have runs) goes to a heap of the rest; the front is the lesser of
 * the first run's front and the heap's top.
 *
 * Entries are live while their record's generation and `heap` say so (see entry-heap.ts): bumping
 * the generation deletes an entry wherever it is; stale entries are dropped when met at a front or
 * when they outnumber the live ones (compaction).
 */
import { EntryHeap, entryBefore, idRank, idRank2, type EntryIndex, type HeapRecord } from './entry-heap.js';

/** Keys with a run of their own at once; an entry of any other key goes to the heap. */
export const MAX_RUNS = 64;

/**
 * Entries of one key, read from `head`; parallel arrays, as in {@link EntryHeap}. In (id) order
 * once read: until then entries are appended in any order and the run is sorted once, when it is
 * first read (many enrolled at once arrive in random id order).
 */
class Run {
  key = 0;
  head = 0;
  /** Whether the entries from `head` on are in order. */
  sorted = true;
  /** Whether it was read since it was last sorted: from then on it takes only entries in order. */
  reading = false;
  readonly recs: (HeapRecord | null)[] = [];
  readonly gens: number[] = [];
  readonly ids: string[] = [];
  readonly ranks: number[] = [];
  readonly ranks2: number[] = [];

  get length(): number {
    return this.recs.length;
  }

  /** Whether an entry of these ranks and id may be appended: the run is empty or it sorts after the last entry (or ids do not matter). */
  accepts(rank: number, rank2: number, id: string, tieBreak: boolean): boolean {
    const last = this.recs.length - 1;
    if (last < this.head || !tieBreak) return true;
    return !entryBefore(this.key, rank, rank2, id, this.key, this.ranks[last]!, this.ranks2[last]!, this.ids[last]!);
  }

  append(rec: HeapRecord, id: string, rank: number, rank2: number): void {
    this.recs.push(rec);
    this.gens.push(rec.gen);
    this.ids.push(id);
    this.ranks.push(rank);
    this.ranks2.push(rank2);
  }

  /** Sort the entries from `head` on into (id) order, once (see the class). */
  sort(): void {
    const { head, recs, gens, ids, ranks, ranks2 } = this;
    const order = Array.from({ length: recs.length - head }, (_, i) => head + i);
    order.sort((a, b) => ranks[a]! - ranks[b]! || ranks2[a]! - ranks2[b]! || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
    const moved = { recs: order.map((i) => recs[i]!), gens: order.map((i) => gens[i]!), ids: order.map((i) => ids[i]!), ranks: order.map((i) => ranks[i]!), ranks2: order.map((i) => ranks2[i]!) };
    for (let k = 0; k < order.length; k++) {
      recs[head + k] = moved.recs[k]!;
      gens[head + k] = moved.gens[k]!;
      ids[head + k] = moved.ids[k]!;
      ranks[head + k] = moved.ranks[k]!;
      ranks2[head + k] = moved.ranks2[k]!;
    }
    this.sorted = true;
  }

  /** Empty, for reuse under another key. */
  clear(): void {
    this.head = 0;
    this.sorted = true;
    this.reading = false;
    this.recs.length = 0;
    this.gens.length = 0;
    this.ids.length = 0;
    this.ranks.length = 0;
    this.ranks2.length = 0;
  }

  /** Drop the consumed prefix once it is most of the arrays (a run read while it is appended to). */
  trim(): void {
    if (this.head < 1024 || 2 * this.head < this.recs.length) return;
    const n = this.head;
    this.recs.splice(0, n);
    this.gens.splice(0, n);
    this.ids.splice(0, n);
    this.ranks.splice(0, n);
    this.ranks2.splice(0, n);
    this.head = 0;
  }

  /** Keep only the entries `live` accepts, in order. */
  filter(live: (rec: HeapRecord, gen: number) => boolean): void {
    let w = 0;
    const n = this.recs.length;
    for (let r = this.head; r < n; r++) {
      const rec = this.recs[r]!;
      if (!live(rec, this.gens[r]!)) continue;
      this.recs[w] = rec;
      this.gens[w] = this.gens[r]!;
      this.ids[w] = this.ids[r]!;
      this.ranks[w] = this.ranks[r]!;
      this.ranks2[w] = this.ranks2[r]!;
      w += 1;
    }
    this.head = 0;
    this.recs.length = w;
    this.gens.length = w;
    this.ids.length = w;
    this.ranks.length = w;
    this.ranks2.length = w;
  }
}

/**
 * Entries in (key, id) order — or by key alone, `tieBreak: false`, for the lease index (claims
 * expire together): runs per key, and a heap for the rest.
 */
export class DueQueue implements EntryIndex {
  constructor(private readonly tieBreak = true) {
    this.rest = new EntryHeap(tieBreak, this);
  }

  live = 0;
  /** Entries held, live and stale. */
  private entries = 0;
  private readonly runs = new Map<number, Run>();
  /** The keys of {@link runs}, a binary min-heap. */
  private readonly runKeys: number[] = [];
  /** The run of `runKeys[0]`, or null: kept so the front is found without a map lookup. */
  private first: Run | null = null;
  /** Emptied runs, kept for reuse. */
  private readonly spare: Run[] = [];
  private readonly rest: EntryHeap;

  /** Entries held, live and stale. */
  get size(): number {
    return this.entries;
  }

  /** Add a live entry for `rec` (the caller has already detached it from any other index). */
  push(key: number, rec: HeapRecord): void {
    rec.gen += 1;
    rec.heap = this;
    this.live += 1;
    this.entries += 1;
    const id = rec.id();
    const rank = this.tieBreak ? idRank(id) : 0;
    const rank2 = this.tieBreak ? idRank2(id) : 0;
    let run = this.runs.get(key);
    if (run === undefined && this.runs.size < MAX_RUNS) run = this.openRun(key);
    if (run !== undefined && run.accepts(rank, rank2, id, this.tieBreak)) run.append(rec, id, rank, rank2);
    else if (run !== undefined && !run.reading) {
      run.append(rec, id, rank, rank2);
      run.sorted = false;
    } else this.rest.insert(key, rec, id, rank, rank2);
    if (this.entries > 64 && this.entries > 2 * this.live + 64) this.compact();
  }

  /** The key of the first live entry, or undefined. */
  peekKey(): number | undefined {
    const run = this.firstRun();
    const restKey = this.rest.peekKey();
    if (run === undefined) return restKey;
    return restKey !== undefined && restKey < run.key ? restKey : run.key;
  }

  /** The record of the first live entry (call {@link peekKey} first). */
  peekRecord(): HeapRecord | undefined {
    const run = this.firstRun();
    return run !== undefined && this.runFirst(run) ? run.recs[run.head]! : this.rest.peekRecord();
  }

  /** Remove the first live entry and detach its record. */
  pop(): HeapRecord | undefined {
    const run = this.firstRun();
    let rec: HeapRecord | undefined;
    if (run !== undefined && this.runFirst(run)) {
      rec = run.recs[run.head]!;
      run.recs[run.head] = null;
      run.head += 1;
      run.trim();
    } else {
      rec = this.rest.peekRecord();
      if (rec === undefined) return undefined;
      this.rest.removeTopEntry();
    }
    this.entries -= 1;
    rec.heap = null;
    rec.gen += 1;
    this.live -= 1;
    return rec;
  }

  /** Visit every live entry (no order). */
  forEachLive(visit: (key: number, rec: HeapRecord) => void): void {
    for (const run of this.runs.values()) {
      for (let i = run.head; i < run.length; i++) {
        const rec = run.recs[i]!;
        if (rec.gen === run.gens[i] && rec.heap === this) visit(run.key, rec);
      }
    }
    this.rest.forEachLive(visit);
  }

  private openRun(key: number): Run {
    const run = this.spare.pop() ?? new Run();
    run.key = key;
    this.runs.set(key, run);
    const keys = this.runKeys;
    if (keys.length === 0 || key < keys[0]!) this.first = run;
    let i = keys.push(key) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent]! <= key) break;
      keys[i] = keys[parent]!;
      i = parent;
    }
    keys[i] = key;
    return run;
  }

  /** The run of the least key with its front entry live (stale fronts dropped, emptied runs closed), or undefined. */
  private firstRun(): Run | undefined {
    while (this.runKeys.length > 0) {
      const run = (this.first ??= this.runs.get(this.runKeys[0]!)!);
      if (!run.sorted) run.sort();
      run.reading = true;
      while (run.head < run.length) {
        const rec = run.recs[run.head]!;
        if (rec.gen === run.gens[run.head] && rec.heap === this) return run;
        run.recs[run.head] = null;
        run.head += 1;
        this.entries -= 1;
      }
      this.closeFirstRun(run);
    }
    return undefined;
  }

  /** Whether the first run's front comes before the heap's top (the heap's stale top already dropped by {@link peekKey}'s caller or here). */
  private runFirst(run: Run): boolean {
    const restKey = this.rest.peekKey();
    if (restKey === undefined) return true;
    const h = run.head;
    if (!this.tieBreak || run.key !== restKey) return run.key <= restKey;
    return entryBefore(run.key, run.ranks[h]!, run.ranks2[h]!, run.ids[h]!, restKey, this.rest.topRank(), this.rest.topRank2(), this.rest.topId());
  }

  private closeFirstRun(run: Run): void {
    this.first = null;
    this.runs.delete(run.key);
    const keys = this.runKeys;
    const last = keys.pop()!;
    if (keys.length > 0) {
      // Sift the last key down from the top.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= keys.length) break;
        const r = l + 1;
        const m = r < keys.length && keys[r]! < keys[l]! ? r : l;
        if (keys[m]! >= last) break;
        keys[i] = keys[m]!;
        i = m;
      }
      keys[i] = last;
    }
    run.clear();
    if (this.spare.length < MAX_RUNS) this.spare.push(run);
  }

  private compact(): void {
    const live = (rec: HeapRecord, gen: number) => rec.gen === gen && rec.heap === this;
    for (const run of this.runs.values()) run.filter(live);
    this.rest.compact();
    this.entries = this.live;
  }
}
