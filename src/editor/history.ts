/** Undo and redo as a pure stack of documents (every edit returns a new document). */

/** A history: the documents before, the current one, the ones undone. */
export interface EditorHistory<D> {
  readonly past: readonly D[];
  readonly present: D;
  readonly future: readonly D[];
}

/** Most documents {@link pushHistory} keeps before the present. */
export const HISTORY_LIMIT = 200;

/** A history holding only `doc`. */
export function createHistory<D>(doc: D): EditorHistory<D> {
  return { past: [], present: doc, future: [] };
}

/** After an edit: `doc` is the present, the old present is undoable, the redo stack is cleared. Pushing the present itself changes nothing. */
export function pushHistory<D>(history: EditorHistory<D>, doc: D, limit: number = HISTORY_LIMIT): EditorHistory<D> {
  if (doc === history.present) return history;
  const past = [...history.past, history.present];
  return { past: past.length > limit ? past.slice(past.length - limit) : past, present: doc, future: [] };
}

/** One step back (the same history when there is nothing to undo). */
export function undo<D>(history: EditorHistory<D>): EditorHistory<D> {
  if (history.past.length === 0) return history;
  return { past: history.past.slice(0, -1), present: history.past[history.past.length - 1]!, future: [history.present, ...history.future] };
}

/** One step forward again (the same history when there is nothing to redo). */
export function redo<D>(history: EditorHistory<D>): EditorHistory<D> {
  if (history.future.length === 0) return history;
  return { past: [...history.past, history.present], present: history.future[0]!, future: history.future.slice(1) };
}
