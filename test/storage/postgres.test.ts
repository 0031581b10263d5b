import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresStorage, PG_SCHEMA_VERSION } from '../../src/adapters/postgres/index.js';
import type { PgPool, PgPoolClient } from '../../src/adapters/postgres/index.js';
import { describeStorageConformance } from '../../src/conformance/index.js';
import { unguardedStorage } from '../../src/runtime/storage-guard.js';
import { T, effect, enrollment, journey, next } from '../../src/conformance/fixtures.js';
import { PG_KIND, PG_URL, pgHarness, type PgHarness } from './pg-harness.js';

const vitestApi = { describe, it, expect, beforeEach, afterEach };

let h: PgHarness;
beforeAll(async () => {
  h = await pgHarness();
});
afterAll(async () => {
  await h.end();
});

describeStorageConformance(`postgres (${PG_KIND})`, async () => {
  const made = await h.make();
  const kept = new Map<string, string>();
  return {
    ...made,
    // a json column holds valid JSON, so the damage is a field of the wrong type
    async damage(id: string) {
      const { rows } = await h.pool.query(`SELECT data::text AS data FROM "${made.schema}".je_enrollments WHERE id = $1`, [id]);
      kept.set(id, rows[0].data);
      await h.pool.query(`UPDATE "${made.schema}".je_enrollments SET data = '{"visits": 3}' WHERE id = $1`, [id]);
    },
    async fix(id: string) {
      await h.pool.query(`UPDATE "${made.schema}".je_enrollments SET data = $2::json WHERE id = $1`, [id, kept.get(id)]);
    },
  };
}, vitestApi, { damage: true, fix: true, commitMany: true });

// The raw adapter, without the core's wrapper (guardStorage).
describeStorageConformance(`postgres (${PG_KIND}, raw adapter)`, async () => {
  const made = await h.make();
  return { storage: unguardedStorage(made.storage), cleanup: made.cleanup };
}, vitestApi, { commitMany: true });


/** `pool` reporting every statement its clients run to `record` (and its own `query` calls too when `pooled`). */
function spiedPool(pool: PgPool, record: (text: string, params: unknown[]) => void, options: { pooled: boolean }): PgPool {
  return {
    query: (text, params) => {
      if (options.pooled) record(text, params ?? []);
      return pool.query(text, params);
    },
    ...(pool.connect === undefined
      ? {}
      : {
          async connect() {
            const client = await pool.connect!();
            return {
              query: (text: string, params?: unknown[]) => {
                record(text, params ?? []);
                return client.query(text, params);
              },
              release: (err?: Error | boolean) => client.release(err),
            };
          },
        }),
  };
}

describe(`postgresStorage (${PG_KIND})`, () => {
  it('runs each migration once, is safe to re-run, and records versions', async () => {
    const schema = h.newSchema();
    for (let i = 0; i < 3; i++) {
      const s = postgresStorage({ pool: h.pool, schema });
      await s.init();
      await s.init();
      await s.close();
    }
    const { rows } = await h.pool.query(`SELECT version FROM "${schema}".journey_engine_migrations ORDER BY version`);
    expect(rows.map((r) => Number(r.version))).toEqual(Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1));
    await h.dropSchema(schema);
  });

  it('migrates a schema-6 database: a channel rate bucket keeps its next instant and gains its queue', async () => {
    const schema = h.newSchema();
    const s = postgresStorage({ pool: h.pool, schema });
    await s.init();
    await s.close();
    // Back to what version 6 wrote: no queue column, a bucket whose next send may go at 1100.
    await h.pool.query(`ALTER TABLE "${schema}".je_send_rates DROP COLUMN queue_at`);
    await h.pool.query(`DELETE FROM "${schema}".journey_engine_migrations WHERE version = 7`);
    await h.pool.query(`INSERT INTO "${schema}".je_send_rates (tenant_id, channel_id, tat) VALUES ($1, 'sms', 1100)`, [T]);
    const upgraded = postgresStorage({ pool: h.pool, schema });
    await upgraded.init();
    const token = (now: number) => upgraded.takeSendToken!({ tenantId: T, channelId: 'sms', perSecond: 10, now });
    expect([await token(1000), await token(1000), await token(1100)]).toEqual([1100, 1200, 1100]);
    await upgraded.close();
    await h.dropSchema(schema);
  });

  it('keeps data across adapter instances', async () => {
    const schema = h.newSchema();
    const a = postgresStorage({ pool: h.pool, schema });
    await a.init();
    await a.createJourney(journey());
    await a.createEnrollment(enrollment({ wakeAt: 10 }));
    await a.close();
    const b = postgresStorage({ pool: h.pool, schema });
    expect(await b.getEnrollment(T, 'e1')).toEqual(enrollment({ wakeAt: 10 }));
    expect(await b.nextWakeAt()).toBe(10);
    await h.dropSchema(schema);
  });

  it('refuses a schema newer than the code', async () => {
    const schema = h.newSchema();
    const s = postgresStorage({ pool: h.pool, schema });
    await s.init();
    await h.pool.query(`INSERT INTO "${schema}".journey_engine_migrations (version, name) VALUES ($1, 'future')`, [PG_SCHEMA_VERSION + 1]);
    const newer = postgresStorage({ pool: h.pool, schema });
    await expect(newer.init()).rejects.toMatchObject({ code: 'schema-too-new', details: { found: PG_SCHEMA_VERSION + 1 } });
    await h.dropSchema(schema);
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => postgresStorage({ pool: h.pool, schema: 'x"; DROP TABLE y; --' })).toThrow(expect.objectContaining({ code: 'invalid-option' }));
  });

  it('throws corrupt-row for a damaged row, naming table and id; a claim quarantines it', async () => {
    const { storage, schema, cleanup } = await h.make();
    await storage.init();
    await storage.createJourney(journey());
    await storage.createEnrollment(enrollment({ wakeAt: 10 }));
    await h.pool.query(`UPDATE "${schema}".je_enrollments SET data = '{"visits": 3}'`);
    const expected = { code: 'corrupt-row', details: { table: 'je_enrollments', id: 'e1' } };
    await expect(storage.getEnrollment(T, 'e1')).rejects.toMatchObject(expected);
    const reported: string[] = [];
    expect(await storage.claimDue({ now: 100, limit: 5, leaseMs: 10, workerId: 'w', onQuarantine: (q) => reported.push(`${q.enrollmentId} ${q.field}`) })).toEqual([]);
    expect(reported).toEqual(['e1 data.outcomes']); // the first field the row checks find wrong
    const { rows } = await h.pool.query(`SELECT lease_until, wake_at FROM "${schema}".je_enrollments`);
    expect(rows[0]).toEqual({ lease_until: null, wake_at: null }); // out of due work, lease free
    expect(await storage.listQuarantined(T, { limit: 5, offset: 0 })).toMatchObject({ total: 1, items: [{ enrollmentId: 'e1', at: 100 }] });
    await h.pool.query(`UPDATE "${schema}".je_enrollments SET status = 'zombie'`);
    await expect(storage.getEnrollment(T, 'e1')).rejects.toMatchObject(expected);
    await cleanup();
  });

  it('releases a client whose connection broke with the error, and keeps working', async () => {
    const schema = h.newSchema();
    const released: (Error | boolean | undefined)[] = [];
    let breakOn: RegExp | null = null;
    const real = h.pool;
    // A pool whose clients fail like a dropped connection when told to (then every later query fails too).
    const pool: PgPool = {
      query: (text, params) => real.query(text, params),
      async connect(): Promise<PgPoolClient> {
        const inner: PgPoolClient | null = real.connect ? await real.connect() : null;
        let dead = false;
        return {
          async query(text, params) {
            if (dead || (breakOn !== null && breakOn.test(text))) {
              dead = true;
              throw new Error('Connection terminated unexpectedly');
            }
            return inner ? inner.query(text, params) : real.query(text, params);
          },
          release(err) {
            released.push(err);
            inner?.release(err);
          },
        };
      },
    };
    const s = postgresStorage({ pool, schema });
    await s.init();
    const e = enrollment();
    await s.createEnrollment(e);
    breakOn = /je_effects/;
    await expect(s.commit({ enrollment: next(e), expectedVersion: 1, now: 5, effects: [effect(e, 'send1', 1)] })).rejects.toThrow(/terminated/);
    expect(released.at(-1)).toBeInstanceOf(Error);
    breakOn = null;
    if (!real.connect) await real.query('ROLLBACK').catch(() => {}); // PGlite: the fake left the one session mid-transaction
    expect(await s.commit({ enrollment: next(e), expectedVersion: 1, now: 6, effects: [effect(e, 'send1', 1)] })).toBe('ok');
    expect(released.at(-1)).toBeUndefined();
    expect(await s.listEffects(T, 'e1')).toHaveLength(1);
    await h.dropSchema(schema);
  });

  it('serialises concurrent transactions on a single-session pool', async () => {
    const { storage, cleanup } = await h.make();
    await storage.init();
    await storage.createJourney(journey());
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => storage.createEnrollment(enrollment({ id: `e${i}`, customerId: `c${i % 5}`, wakeAt: i }))),
    );
    expect(results.filter((r) => r === 'created')).toHaveLength(5);
    const claims = await Promise.all(Array.from({ length: 4 }, () => storage.claimDue({ now: 100, limit: 2, leaseMs: 1_000, workerId: 'w' })));
    expect(new Set(claims.flat().map((c) => c.enrollment.id)).size).toBe(5);
    await cleanup();
  });

  it('shares one journey-status read among the callers that ask before it goes out; a later caller reads again', async () => {
    const schema = h.newSchema();
    let reads = 0;
    let gate: Promise<void> | undefined;
    const spied: PgPool = {
      query: (text, params) => h.pool.query(text, params),
      async connect() {
        await gate; // hold the connection back: every caller meanwhile joins the unsent read
        const client = h.pool.connect ? await h.pool.connect() : undefined;
        const db = client ?? h.pool;
        return {
          query: (text: string, params?: unknown[]) => {
            if (/^SELECT status FROM/.test(text)) reads += 1;
            return db.query(text, params);
          },
          release: (err?: Error | boolean) => client?.release(err),
        };
      },
    };
    const s = postgresStorage({ pool: spied, schema });
    await s.init();
    await s.createJourney(journey());
    let open!: () => void;
    gate = new Promise<void>((resolve) => (open = resolve));
    const first = Array.from({ length: 20 }, () => s.journeyStatus(T, 'j1'));
    const other = s.journeyStatus(T, 'nope'); // another journey: a read of its own
    // A change made before the read goes out is seen by every caller sharing it.
    await h.pool.query(`UPDATE "${schema}".je_journeys SET status = 'paused'`);
    open();
    expect(await Promise.all(first)).toEqual(Array.from({ length: 20 }, () => 'paused'));
    expect(await other).toBeNull();
    expect(reads).toBe(2);
    gate = undefined;
    // Once the read went out, a caller starts the next one and sees what was written since.
    await h.pool.query(`UPDATE "${schema}".je_journeys SET status = 'active'`);
    expect(await s.journeyStatus(T, 'j1')).toBe('active');
    expect(reads).toBe(3);
    await h.dropSchema(schema);
  });

  it('commitMany writes awkward text and JSON exactly as commit does (quotes, backslashes, braces, NULL, unicode)', async () => {
    const schema = h.newSchema();
    const s = postgresStorage({ pool: h.pool, schema });
    await s.init();
    const awkward = ['a"b', 'back\\slash', '{x,y}', 'NULL', 'tab\tnew\nline', 'é ü 😀', '', ' spaced '];
    await s.createJourney(journey());
    const made = awkward.map((word, i) => enrollment({ id: `e${i}${word}`, customerId: `c${i}${word}` }));
    for (const e of made) await s.createEnrollment(e);
    const changed = made.map((e, i) =>
      next(e, { stepId: awkward[i]!, exitReason: null, context: { word: awkward[i]!, nested: { q: '"', b: '\\', list: [awkward[i]!, null, 1.5] } }, updatedAt: 7 }),
    );
    const results = await s.commitMany!(
      changed.map((n, i) => ({
        enrollment: n,
        expectedVersion: n.version - 1,
        now: 7,
        effects: [effect(n, `step${awkward[i]}`, 1, i % 2 === 0 ? { detail: { note: awkward[i]!, n: i } } : {})],
        counters: [{ journeyId: n.journeyId, stepId: awkward[i]!, metric: `m${awkward[i]}` }],
      })),
    );
    expect(results).toEqual(changed.map(() => 'ok'));
    for (const [i, n] of changed.entries()) {
      expect(await s.getEnrollment(T, n.id)).toEqual(n);
      const [x] = await s.listEffects(T, n.id);
      expect(x).toEqual(effect(n, `step${awkward[i]}`, 1, i % 2 === 0 ? { detail: { note: awkward[i]!, n: i } } : {}));
    }
    const { rows } = await h.pool.query(`SELECT count(*)::int AS n FROM "${schema}".je_effects WHERE detail IS NULL`);
    expect(rows[0].n).toBe(awkward.length / 2); // no detail: SQL NULL, as commit writes it
    const counted = await h.pool.query(`SELECT step_id, metric, sum(count)::int AS n FROM "${schema}".je_counters GROUP BY step_id, metric`);
    expect(new Map(counted.rows.map((r: { step_id: string; metric: string; n: number }) => [`${r.step_id}|${r.metric}`, r.n]))).toEqual(
      new Map(awkward.map((word) => [`${word}|m${word}`, 1])),
    );
    await h.dropSchema(schema);
  });

  it('claims by walking the due index in wake-up order, never sorting the whole backlog', async () => {
    const schema = h.newSchema();
    const seen: { text: string; params: unknown[] }[] = [];
    const spied = spiedPool(h.pool, (text, params) => seen.push({ text, params }), { pooled: false });
    const s = postgresStorage({ pool: h.pool.connect === undefined ? h.pool : spied, schema });
    await s.init();
    await s.createJourney(journey());
    await s.createEnrollments!(Array.from({ length: 3000 }, (_, i) => ({ enrollment: enrollment({ id: `e${i}`, customerId: `c${i}`, wakeAt: 1_000 + (i % 500) }) })));
    // No ANALYZE: a table just filled is where the planner guessed a sort of every due row.
    const claims = await s.claimDue({ now: 5_000, limit: 100, leaseMs: 1_000, workerId: 'w' });
    expect(claims.map((c) => c.enrollment.wakeAt)).toEqual(Array.from({ length: 100 }, (_, i) => 1_000 + Math.floor(i / 6)));
    if (h.pool.connect !== undefined) {
      // The claim's transaction replayed with EXPLAIN: what it set, then its plan.
      const at = seen.findIndex((q) => /FOR UPDATE OF e SKIP LOCKED/.test(q.text));
      const begin = seen.slice(0, at).map((q) => q.text).lastIndexOf('BEGIN');
      const client = await h.pool.connect!();
      let plan: string;
      try {
        await client.query('BEGIN');
        for (const q of seen.slice(begin + 1, at)) await client.query(q.text, q.params);
        const { rows } = await client.query(`EXPLAIN ${seen[at]!.text}`, seen[at]!.params);
        plan = rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
      expect(plan).toMatch(/Index Scan using je_enrollments_due/);
      expect(plan).not.toMatch(/Sort/);
    }
    await h.dropSchema(schema);
  });
});

describe.skipIf(!PG_URL)('postgresStorage on a real server', () => {
  it('initialises once when several workers start at once (advisory lock)', async () => {
    const schema = h.newSchema();
    const pools = Array.from({ length: 5 }, () => new pg.Pool({ connectionString: PG_URL, max: 2 }));
    await Promise.all(pools.map((pool) => postgresStorage({ pool, schema }).init()));
    const { rows } = await h.pool.query(`SELECT count(*)::int AS n FROM "${schema}".journey_engine_migrations`);
    expect(rows[0].n).toBe(PG_SCHEMA_VERSION);
    await Promise.all(pools.map((p) => p.end()));
    await h.dropSchema(schema);
  });

  it('commitMany re-checks a row changed while it waited for its lock: that commit is fenced, the others written', async () => {
    const schema = h.newSchema();
    const s = postgresStorage({ pool: h.pool, schema });
    await s.init();
    await s.createJourney(journey());
    const made = [enrollment({ id: 'a', customerId: 'ca', wakeAt: 10 }), enrollment({ id: 'b', customerId: 'cb', wakeAt: 10 })];
    for (const e of made) await s.createEnrollment(e);
    const claims = await s.claimDue({ now: 100, limit: 2, leaseMs: 10, workerId: 'w1' });
    expect(claims).toHaveLength(2);
    // Another worker, past the lease, claims `a` again: its transaction holds the row while the batch arrives.
    const other = await h.pool.connect!();
    await other.query('BEGIN');
    await other.query(`UPDATE "${schema}".je_enrollments SET claim_token = claim_token + 1, lease_until = 500, claimed_by = 'w2' WHERE id = 'a'`);
    const batch = s.commitMany!(
      claims.map((c) => ({ enrollment: next(c.enrollment, { updatedAt: 120 }), expectedVersion: c.enrollment.version, token: c.token, release: true, now: 120, effects: [effect(c.enrollment, 'send1', 1)] })),
    );
    try {
      // The batch now waits on a's row lock: a backend blocked by the other worker's.
      const blocker = (other as unknown as { processID: number }).processID;
      let waiting = 0;
      // Polled for up to 20 s: the batch gets a connection and reaches the lock when the machine gets to it.
      for (const deadline = Date.now() + 20_000; waiting === 0 && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const { rows } = await h.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))`, [blocker]);
        waiting = rows[0].n;
      }
      expect(waiting).toBe(1);
    } finally {
      await other.query('COMMIT');
      other.release();
    }
    const byId = new Map(claims.map((c, i) => [c.enrollment.id, i]));
    const results = await batch;
    expect(results[byId.get('a')!]).toBe('fenced');
    expect(results[byId.get('b')!]).toBe('ok');
    expect((await s.getEnrollment(T, 'a'))?.version).toBe(1);
    expect((await s.getEnrollment(T, 'b'))?.version).toBe(2);
    expect(await s.listEffects(T, 'a')).toEqual([]);
    expect(await s.listEffects(T, 'b')).toHaveLength(1);
    await h.dropSchema(schema);
  });

  it('workers on separate pools never claim the same enrollment', async () => {
    const schema = h.newSchema();
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: PG_URL, max: 2 }));
    const workers = pools.map((pool) => postgresStorage({ pool, schema }));
    await workers[0]!.init();
    await workers[0]!.createJourney(journey());
    for (let i = 0; i < 200; i++) await workers[0]!.createEnrollment(enrollment({ id: `e${String(i).padStart(3, '0')}`, customerId: `c${i}`, wakeAt: i }));
    const batches = await Promise.all(
      workers.flatMap((w, k) => [0, 1, 2].map(() => w.claimDue({ now: 1_000, limit: 20, leaseMs: 60_000, workerId: `w${k}` }))),
    );
    const ids = batches.flat().map((c) => c.enrollment.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(200);
    await Promise.all(pools.map((p) => p.end()));
    await h.dropSchema(schema);
  });

  it('runs the commit as a named prepared statement on a pg.Pool, and as text when told not to', async () => {
    for (const namedStatements of [undefined, false]) {
      const schema = h.newSchema();
      const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
      const named: string[] = [];
      const spied = new WeakSet<object>();
      // Spy on the clients the adapter checks out (pool.query's own callback path is left alone).
      const connect = pool.connect.bind(pool) as (...args: unknown[]) => Promise<pg.PoolClient>;
      (pool as unknown as { connect: (...args: unknown[]) => unknown }).connect = (...args: unknown[]) => {
        if (args.length > 0) return connect(...args);
        return connect().then((client) => {
          if (spied.has(client)) return client;
          spied.add(client);
          const query = client.query.bind(client) as (...a: unknown[]) => unknown;
          (client as unknown as { query: (...a: unknown[]) => unknown }).query = (config: unknown, ...rest: unknown[]) => {
            if (typeof config === 'object' && config !== null && 'name' in config) named.push(String((config as { name: string }).name));
            return query(config, ...rest);
          };
          return client;
        });
      };
      const s = postgresStorage({ pool, schema, ...(namedStatements === undefined ? {} : { namedStatements }) });
      await s.init();
      await s.createJourney(journey());
      const e = enrollment();
      await s.createEnrollment(e);
      let stored = e;
      for (let i = 1; i <= 3; i++) {
        const n = next(stored, { updatedAt: i });
        expect(await s.commit({ enrollment: n, expectedVersion: stored.version, now: i, effects: [effect(e, `send${i}`, 1)] })).toBe('ok');
        stored = n;
      }
      expect(await s.commit({ enrollment: next(e), expectedVersion: 1, now: 9 })).toBe('conflict');
      expect(await s.listEffects(T, e.id)).toHaveLength(3);
      // commitMany's batch statement: one text whatever the batch, so one name.
      const f = enrollment({ id: 'e2', customerId: 'c2' });
      await s.createEnrollment(f);
      for (let i = 0; i < 2; i++) {
        const batch = [next(stored, { version: stored.version + 1 + i }), next(f, { version: f.version + 1 + i })];
        const results = await s.commitMany!(batch.map((n) => ({ enrollment: n, expectedVersion: n.version - 1, now: 10 + i, effects: [effect(n, `many${i}`, 1)] })));
        expect(results).toEqual(['ok', 'ok']);
      }
      if (namedStatements === false) expect(named).toEqual([]);
      else {
        // One name per statement shape: three commits with one effect, one without, and commitMany's.
        expect(named).toHaveLength(6);
        expect(new Set(named.slice(0, 3)).size).toBe(1);
        expect(named[3]).not.toBe(named[0]);
        expect(named[4]).toBe(named[5]);
        expect(new Set(named).size).toBe(3);
        expect(named.every((n) => /^je_[0-9a-z]+$/.test(n))).toBe(true);
      }
      await pool.end();
      await h.dropSchema(schema);
    }
  });

  it('claims, enrolls in bulk and archives set-based: one statement each, whatever the number of enrollments', async () => {
    const schema = h.newSchema();
    const statements: string[] = [];
    const counted = spiedPool(h.pool, (text) => statements.push(text), { pooled: true });
    const s = postgresStorage({ pool: counted, schema });
    await s.init();
    await s.createJourney(journey());
    const entries = Array.from({ length: 300 }, (_, i) => ({ enrollment: enrollment({ id: `e${i}`, customerId: `c${i}` }) }));
    const work = (run: () => Promise<unknown>) => async () => {
      statements.length = 0;
      await run();
      // Transaction control and the claim's planner settings (SET LOCAL) are not statements over enrollments.
      return statements.filter((t) => !/^(BEGIN|COMMIT|ROLLBACK)$/.test(t.trim()) && !/^SELECT set_config\(/.test(t));
    };
    expect(await work(() => s.createEnrollments!(entries))()).toHaveLength(1);
    expect(await work(() => s.entryHistories!(T, 'j1', entries.map((x) => x.enrollment.customerId)))()).toHaveLength(1);
    const claimed = await work(() => s.claimDue({ now: 5_000, limit: 200, leaseMs: 1_000, workerId: 'w' }))();
    expect(claimed).toHaveLength(1);
    expect(await work(() => s.exitAll(T, 'j1', 'archived', 6_000))()).toHaveLength(1);
    expect((await s.listEnrollments({ tenantId: T, status: 'exited', limit: 1, offset: 0 })).total).toBe(300);
    await h.dropSchema(schema);
  });

  it('survives backends terminated by pg_terminate_backend', async () => {
    const schema = h.newSchema();
    const appName = `je_reconnect_${schema}`;
    const pool = new pg.Pool({ connectionString: PG_URL, max: 3, application_name: appName });
    pool.on('error', () => {}); // idle clients killed below; the pool drops them
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    const kill = () => admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [appName]);
    // The pool as the adapter sees it, with a trap: the first effects insert kills the backend first.
    let armed = false;
    const released: (Error | boolean | undefined)[] = [];
    const backends = async () =>
      Number((await admin.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1`, [appName])).rows[0].n);
    /** Polls `done` every 20 ms for up to 20 s (the backends exit, and the pool sees it, when the machine gets to it). */
    const until = async (done: () => boolean | Promise<boolean>) => {
      for (let i = 0; i < 1000 && !(await done()); i++) await new Promise((r) => setTimeout(r, 20));
      expect(await done()).toBe(true);
    };

    let deadNext = false;
    const deadSent: string[] = [];
    const trapped: PgPool = {
      async query(text, params) {
        if (!deadNext) return pool.query(text, params);
        deadNext = false;
        const client = await pool.connect();
        // The server's goodbye (57P01, then the closed socket) reaches this client while the test holds
        // it: listen, as the pool does for its idle clients, or it is an uncaught 'error' that fails the run.
        client.on('error', () => {});
        const pid = (client as unknown as { processID: number }).processID;
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        await until(async () => (await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 0);
        try {
          return await client.query(text, params);
        } catch (error) {
          deadSent.push((error as Error).message);
          client.release(error as Error);
          throw error;
        }
      },
      async connect() {
        const client = await pool.connect();
        return {
          async query(text: string, params?: unknown[]) {
            if (armed && /je_effects/.test(text)) {
              armed = false;
              await kill();
              // Gone for sure (not just signalled): the statement below goes to a dead backend.
              await until(async () => (await backends()) === 0);
            }
            return client.query(text, params);
          },
          release: (err?: Error | boolean) => {
            released.push(err);
            client.release(err);
          },
          on: (event: 'error', listener: (err: Error) => void) => client.on(event, listener),
          removeListener: (event: 'error', listener: (err: Error) => void) => client.removeListener(event, listener),
        };
      },
    };
    const s = postgresStorage({ pool: trapped, schema });
    await s.init();
    await s.createJourney(journey());
    const e = enrollment({ wakeAt: 10 });
    await s.createEnrollment(e);

    // idle connections killed, and the pool has seen them close: the next calls get fresh ones
    await kill();
    await until(async () => (await backends()) === 0 && pool.totalCount === 0);
    expect(await s.getEnrollment(T, 'e1')).toEqual(e);
    expect(await s.createJourney(journey({ id: 'j2' }))).toBe(true);

    // the pool hands out a connection whose backend is gone (killed while idle, the pool not told yet): the read
    // fails on it and is sent again on a fresh one
    deadNext = true;
    expect(await s.getEnrollment(T, 'e1')).toEqual(e);
    expect(deadSent).toEqual([expect.stringMatching(/^terminating connection|^Connection terminated|is not queryable$/)]);

    // a connection killed in the middle of a commit's transaction
    const [claim] = await s.claimDue({ now: 20, limit: 1, leaseMs: 60_000, workerId: 'w' });
    armed = true;
    const step = { enrollment: next(e, { wakeAt: 500 }), expectedVersion: 1, token: claim!.token, release: true, now: 30, effects: [effect(e, 'send1', 1)] };
    await expect(s.commit(step)).rejects.toThrow();
    expect(released.at(-1)).toBeInstanceOf(Error); // released with the error: the pool discards it
    expect(await s.getEnrollment(T, 'e1')).toEqual(e); // nothing was written
    expect(await s.commit(step)).toBe('ok'); // a fresh connection; the retry succeeds
    expect(released.at(-1)).toBeUndefined();
    expect(await s.listEffects(T, 'e1')).toHaveLength(1);
    await admin.end();
    await pool.end();
    await h.dropSchema(schema);
  });
});
