/**
 * SQLite's group commit (`Storage.commitMany`): every commit of the batch in one `BEGIN
 * IMMEDIATE` transaction, each checked and written by the same code as a single `commit`.
 */
import type { Commit, CommitResult } from '../../runtime/ports.js';
import type { SqliteDatabase } from './sqlite-database.js';

/**
 * The batch transaction. `commitOne` writes one commit inside an open transaction and answers its
 * result; it throws `duplicate` (the adapter's marker) after writing the enrollment when the
 * outcome key was seen before, so a commit with an outcome key runs in a savepoint (a nested
 * better-sqlite3 transaction) that the marker rolls back alone. Any other throw (a broken rule, a
 * database error) rolls back the whole batch. `around` runs the commits inside the transaction
 * (the adapter sums the batch's counters there and writes them once at the end).
 */
export function commitManyTransaction(
  db: SqliteDatabase,
  commitOne: (commit: Commit) => CommitResult,
  duplicate: unknown,
  around: (commits: readonly Commit[], each: (commit: Commit) => CommitResult) => CommitResult[] = (commits, each) => commits.map(each),
): (commits: readonly Commit[]) => CommitResult[] {
  const inSavepoint = db.transaction(commitOne);
  const batch = db.transaction((commits: readonly Commit[]): CommitResult[] =>
    around(commits, (commit) => {
      if (commit.outcomeKey === undefined) return commitOne(commit);
      try {
        return inSavepoint(commit);
      } catch (error) {
        if (error === duplicate) return 'duplicate';
        throw error;
      }
    }),
  );
  return batch.immediate;
}
