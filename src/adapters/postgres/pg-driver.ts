/**
 * The PostgreSQL adapter's driver: statements and transactions on a {@link PgPool} — a `pg.Pool`
 * (each transaction on its own client; a client whose connection broke is released with the error
 * so the pool drops it) or a single session such as PGlite (transactions serialised).
 */
import type { PgPool, PgQueryable } from './pg-pool.js';

/** Serialises async sections (used when the pool is a single session). */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tail.then(section, section);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** SQLSTATEs meaning the server ended the session: admin_shutdown, crash_shutdown, cannot_connect_now. */
const SESSION_ENDED = new Set(['57P01', '57P02', '57P03']);
/** Socket errors of a connection that broke under the client. */
const SOCKET_BROKEN = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * Whether `error` says the connection was lost rather than the statement refused: a session
 * ended by the server (`pg_terminate_backend`, a restart, a failover), a connection exception
 * (SQLSTATE class 08), a broken socket, or node-postgres's "Connection terminated" / "not
 * queryable". A pooled client killed while idle answers the next statement sent on it this
 * way when the pool has not yet seen the socket close.
 */
export function isConnectionLoss(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (SESSION_ENDED.has(code) || code.startsWith('08') || SOCKET_BROKEN.has(code))) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && /^Connection terminated|is not queryable/.test(message);
}

/** Runs statements and transactions on the host's pool. */
export class PgDriver {
  private readonly mutex = new Mutex();
  /** Reads not sent yet, by key: a caller asking the same read before it goes out shares it. */
  private readonly unsent = new Map<string, Promise<unknown[]>>();

  constructor(private readonly pool: PgPool) {}

  /** One statement, outside any transaction. */
  async q(text: string, params: unknown[] = []): Promise<unknown[]> {
    if (this.pool.connect !== undefined) return (await this.pool.query(text, params)).rows;
    return (await this.mutex.run(() => this.pool.query(text, params))).rows;
  }

  /**
   * One read-only statement, outside any transaction. A read that fails because its connection
   * was lost ({@link isConnectionLoss}) is sent once more — on a pool, a fresh connection: the
   * pool discarded the broken one. A read changes nothing, so sending it again is safe; a write
   * is never resent here (whether it ran is unknown). A second failure is the caller's.
   */
  read(text: string, params: unknown[] = []): Promise<unknown[]> {
    return this.q(text, params).catch(this.resendIfLost(text, params));
  }

  /** A rejection handler for a read: on a lost connection the read is sent once more, any other error is rethrown. */
  private resendIfLost(text: string, params: unknown[]): (error: unknown) => Promise<unknown[]> {
    return (error) => {
      if (!isConnectionLoss(error)) throw error;
      return this.q(text, params);
    };
  }

  /**
   * One read, shared by every caller that asks for the same `key` before it is sent: the read
   * goes out once a connection is free, and every caller that asked until then gets its rows.
   * Each caller's answer is therefore read after its call began (a write that returned before
   * the call is seen), as with a read of its own. A caller after the read went out starts the
   * next one. (The worker asks a journey's status before the first effect of each claim: a
   * batch's claims share one read instead of one round trip each.)
   */
  qShared(key: string, text: string, params: unknown[]): Promise<unknown[]> {
    const pending = this.unsent.get(key);
    if (pending !== undefined) return pending;
    const read = this.withClient(async (db) => {
      this.unsent.delete(key); // sent now: later callers read again
      return (await db.query(text, params)).rows;
    }, true).catch(this.resendIfLost(text, params)); // the broken client was discarded: once more, as read() does
    this.unsent.set(key, read);
    // Should the connection never come (connect fails), later callers must not join a dead read.
    read.then(
      () => undefined,
      () => {
        if (this.unsent.get(key) === read) this.unsent.delete(key);
      },
    );
    return read;
  }

  /** Run `body` in one transaction; a thrown value rolls it back and is rethrown. */
  tx<T>(body: (db: PgQueryable) => Promise<T>): Promise<T> {
    return this.withClient((db, onBroken) => this.inTransaction(db, body, onBroken), false);
  }

  /**
   * Run `body` on one pooled client without a transaction block (each statement commits on its
   * own). A client that fails is released with the error, so `pg.Pool` discards it.
   */
  onClient<T>(body: (db: PgQueryable) => Promise<T>): Promise<T> {
    return this.withClient(body, true);
  }

  /**
   * Run on one client of the pool (the single session, serialised, when the pool has no
   * `connect`). A client whose connection broke — an `error` event, `onBroken`, or with
   * `brokenOnThrow` any failure — is released with the error, so `pg.Pool` discards it.
   */
  private async withClient<T>(run: (db: PgQueryable, onBroken: (error: Error) => void) => Promise<T>, brokenOnThrow: boolean): Promise<T> {
    const connect = this.pool.connect?.bind(this.pool);
    if (connect === undefined) return this.mutex.run(() => run(this.pool, () => undefined));
    const client = await connect();
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken ??= asError(error);
    };
    client.on?.('error', onError);
    try {
      return await run(client, onError);
    } catch (error) {
      if (brokenOnThrow) broken ??= asError(error);
      throw error;
    } finally {
      client.removeListener?.('error', onError);
      client.release(broken);
    }
  }

  private async inTransaction<T>(db: PgQueryable, body: (db: PgQueryable) => Promise<T>, onBroken?: (error: Error) => void): Promise<T> {
    await db.query('BEGIN');
    let result: T;
    try {
      result = await body(db);
    } catch (error) {
      try {
        await db.query('ROLLBACK');
      } catch (rollbackError) {
        onBroken?.(asError(rollbackError)); // the connection is gone: discard it
      }
      throw error;
    }
    try {
      await db.query('COMMIT');
    } catch (error) {
      onBroken?.(asError(error));
      throw error;
    }
    return result;
  }
}
