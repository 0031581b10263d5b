import { describe, expect, it } from 'vitest';
import { isConnectionLoss, PgDriver } from '../../src/adapters/postgres/pg-driver.js';
import type { PgPool, PgPoolClient } from '../../src/adapters/postgres/pg-pool.js';

/** A pg-shaped error: node-postgres puts the SQLSTATE on `code`. */
function pgError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

const terminated = () => pgError('terminating connection due to administrator command', '57P01');

/** A pool whose statements fail with the queued errors first, then answer `[{ n: 1 }]`; it records every statement. */
function failingPool(failures: Error[], withConnect: boolean): { pool: PgPool; sent: string[]; released: unknown[] } {
  const sent: string[] = [];
  const released: unknown[] = [];
  const query = async (text: string) => {
    sent.push(text);
    const failure = failures.shift();
    if (failure !== undefined) throw failure;
    return { rows: [{ n: 1 }] };
  };
  const client = (): PgPoolClient => ({ query, release: (err?: Error | boolean) => void released.push(err) });
  return { pool: withConnect ? { query, connect: async () => client() } : { query }, sent, released };
}

describe('isConnectionLoss', () => {
  it('knows a lost connection from a refused statement', () => {
    expect(isConnectionLoss(terminated())).toBe(true);
    expect(isConnectionLoss(pgError('the database system is shutting down', '57P03'))).toBe(true);
    expect(isConnectionLoss(pgError('connection failure', '08006'))).toBe(true);
    expect(isConnectionLoss(pgError('read ECONNRESET', 'ECONNRESET'))).toBe(true);
    expect(isConnectionLoss(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionLoss(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(isConnectionLoss(pgError('duplicate key value violates unique constraint', '23505'))).toBe(false);
    expect(isConnectionLoss(pgError('canceling statement due to statement timeout', '57014'))).toBe(false);
    expect(isConnectionLoss(new Error('syntax error'))).toBe(false);
    expect(isConnectionLoss('Connection terminated')).toBe(false);
    expect(isConnectionLoss(null)).toBe(false);
  });
});

describe('PgDriver on a lost connection', () => {
  for (const withConnect of [true, false]) {
    const kind = withConnect ? 'a pool' : 'a single session';
    it(`${kind}: a read is sent once more and answers`, async () => {
      const { pool, sent } = failingPool([terminated()], withConnect);
      expect(await new PgDriver(pool).read('SELECT 1')).toEqual([{ n: 1 }]);
      expect(sent).toEqual(['SELECT 1', 'SELECT 1']);
    });

    it(`${kind}: a read lost twice fails with the second error, sent twice only`, async () => {
      const second = new Error('Connection terminated unexpectedly');
      const { pool, sent } = failingPool([terminated(), second], withConnect);
      await expect(new PgDriver(pool).read('SELECT 1')).rejects.toBe(second);
      expect(sent).toHaveLength(2);
    });

    it(`${kind}: a read refused for another reason is not sent again`, async () => {
      const refused = pgError('relation "x" does not exist', '42P01');
      const { pool, sent } = failingPool([refused], withConnect);
      await expect(new PgDriver(pool).read('SELECT * FROM x')).rejects.toBe(refused);
      expect(sent).toHaveLength(1);
    });

    it(`${kind}: a write on a lost connection is never sent again (whether it ran is unknown)`, async () => {
      const lost = terminated();
      const { pool, sent } = failingPool([lost], withConnect);
      await expect(new PgDriver(pool).q('UPDATE t SET n = n + 1')).rejects.toBe(lost);
      expect(sent).toHaveLength(1);
    });
  }

  it('a shared read lost on its client is read again, and every caller that shared it gets the rows', async () => {
    const { pool, sent, released } = failingPool([terminated()], true);
    const driver = new PgDriver(pool);
    const [a, b] = await Promise.all([driver.qShared('k', 'SELECT status', []), driver.qShared('k', 'SELECT status', [])]);
    expect(a).toEqual([{ n: 1 }]);
    expect(b).toBe(a);
    expect(sent).toEqual(['SELECT status', 'SELECT status']);
    expect(released[0]).toBeInstanceOf(Error); // the broken client went back with its error: the pool drops it
  });
});
