import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteStorage, SQLITE_SCHEMA_VERSION } from '../../src/adapters/sqlite/index.js';
import { SQLITE_MIGRATIONS } from '../../src/adapters/sqlite/sqlite-migrations.js';
import { describeStorageConformance } from '../../src/conformance/index.js';
import { unguardedStorage } from '../../src/runtime/storage-guard.js';
import { T, effect, enrollment, journey, next } from '../../src/conformance/fixtures.js';

const vitestApi = { describe, it, expect, beforeEach, afterEach };

const dir = mkdtempSync(join(tmpdir(), 'je-sqlite-'));
let n = 0;
const file = () => join(dir, `s${++n}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStorageConformance('sqlite (file)', async () => {
  const filename = file();
  const kept = new Map<string, string>();
  const storage = sqliteStorage({ filename });
  return {
    storage,
    cleanup: () => storage.close(),
    // invalid JSON, written by another connection to the file
    async damage(id: string) {
      const raw = new Database(filename);
      kept.set(id, (raw.prepare('SELECT data FROM je_enrollments WHERE id = ?').get(id) as { data: string }).data);
      raw.prepare(`UPDATE je_enrollments SET data = '{"visits":' WHERE id = ?`).run(id);
      raw.close();
    },
    async fix(id: string) {
      const raw = new Database(filename);
      raw.prepare('UPDATE je_enrollments SET data = ? WHERE id = ?').run(kept.get(id), id);
      raw.close();
    },
  };
}, vitestApi, { damage: true, fix: true, commitMany: true });

// The raw adapter, without the core's wrapper (guardStorage): what a merger of the two must still pass.
describeStorageConformance('sqlite (host database, :memory:, raw adapter)', async () => {
  const database = new Database(':memory:');
  return {
    storage: unguardedStorage(sqliteStorage({ database })),
    cleanup: async () => {
      database.close();
    },
    // what older versions wrote for a step named `constructor`: a visit that is not a number
    async damage(id: string) {
      database.prepare(`UPDATE je_enrollments SET data = json_set(data, '$.visits.constructor', 'function Object() { [native code] }1') WHERE id = ?`).run(id);
    },
    async fix(id: string) {
      database.prepare(`UPDATE je_enrollments SET data = json_remove(data, '$.visits.constructor') WHERE id = ?`).run(id);
    },
  };
}, vitestApi, { damage: true, fix: true, commitMany: true });

describe('sqliteStorage', () => {
  it('keeps everything across a close and reopen of the file', async () => {
    const filename = file();
    const a = sqliteStorage({ filename });
    await a.init();
    await a.createJourney(journey());
    const e = enrollment({ wakeAt: 10 });
    await a.createEnrollment(e, [{ journeyId: 'j1', stepId: 'wait1', metric: 'entered' }]);
    const [claim] = await a.claimDue({ now: 20, limit: 1, leaseMs: 1_000, workerId: 'w1' });
    const moved = next(e, { wakeAt: 500 });
    const fx = effect(e, 'send1', 1, { detail: { messageId: 'm' } });
    expect(await a.commit({ enrollment: moved, expectedVersion: 1, token: claim!.token, release: true, now: 30, effects: [fx], outcomeKey: 'k' })).toBe('ok');
    await a.close();

    const b = sqliteStorage({ filename });
    await b.init();
    expect(await b.getJourney(T, 'j1')).toEqual(journey());
    expect(await b.getEnrollment(T, 'e1')).toEqual(moved);
    expect(await b.listEffects(T, 'e1')).toEqual([fx]);
    expect((await b.stats(T, 'j1'))['wait1']?.entered).toBe(1);
    expect(await b.nextWakeAt()).toBe(500);
    expect(await b.commit({ enrollment: next(moved), expectedVersion: 2, now: 40, outcomeKey: 'k' })).toBe('duplicate');
    const [again] = await b.claimDue({ now: 600, limit: 1, leaseMs: 1_000, workerId: 'w2' });
    expect(again!.token).toBe(claim!.token + 1);
    await b.close();
  });

  it('runs each migration once and is safe to re-run', async () => {
    const filename = file();
    for (let i = 0; i < 3; i++) {
      const s = sqliteStorage({ filename });
      await s.init();
      await s.init();
      await s.close();
    }
    const db = new Database(filename);
    expect(db.prepare('SELECT version FROM journey_engine_migrations ORDER BY version').all()).toEqual(
      Array.from({ length: SQLITE_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })),
    );
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('migrates a schema-1 database: outcome keys taken per enrollment keep counting per customer, and rows without sends read as []', async () => {
    const filename = file();
    const db = new Database(filename);
    db.exec(SQLITE_MIGRATIONS[0]!.sql);
    db.exec('CREATE TABLE journey_engine_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)');
    db.prepare('INSERT INTO journey_engine_migrations (version, name) VALUES (1, ?)').run(SQLITE_MIGRATIONS[0]!.name);
    const { sends: _, ...old } = enrollment();
    db.prepare(
      `INSERT INTO je_enrollments (id, tenant_id, journey_id, journey_version, customer_id, status, phase, step_id, wake_at, version, entered_at, updated_at, data)
       VALUES (?, ?, ?, 1, ?, 'active', 'waiting', 'wait1', ?, 1, ?, ?, ?)`,
    ).run(old.id, old.tenantId, old.journeyId, old.customerId, old.wakeAt, old.enteredAt, old.updatedAt, JSON.stringify({ ...old, visits: old.visits }));
    db.prepare('INSERT INTO je_outcome_keys (enrollment_id, key) VALUES (?, ?)').run(old.id, 'taken');
    db.close();

    const s = sqliteStorage({ filename });
    await s.init();
    expect((await s.getEnrollment(T, 'e1'))?.sends).toEqual([]);
    const other = enrollment({ id: 'e2', journeyId: 'j2' });
    await s.createEnrollment(other);
    expect(await s.commit({ enrollment: next(other), expectedVersion: 1, now: 10, outcomeKey: 'taken' })).toBe('duplicate');
    expect(await s.commit({ enrollment: next(other), expectedVersion: 1, now: 10, outcomeKey: 'new' })).toBe('ok');
    await s.close();
  });

  /** A database file with every migration applied, closed again. */
  async function migratedFile(): Promise<string> {
    const filename = file();
    const s = sqliteStorage({ filename });
    await s.init();
    await s.close();
    return filename;
  }

  it('migrates a schema-5 database: a channel rate bucket keeps its next instant and gains its queue', async () => {
    const filename = await migratedFile();
    // Back to what version 5 wrote: no queue column, a bucket whose next send may go at 1100.
    const db = new Database(filename);
    db.exec(`ALTER TABLE je_send_rates DROP COLUMN queue_at; DELETE FROM journey_engine_migrations WHERE version = 6`);
    db.prepare(`INSERT INTO je_send_rates (tenant_id, channel_id, tat) VALUES (?, 'sms', 1100)`).run(T);
    db.close();
    const upgraded = sqliteStorage({ filename });
    await upgraded.init();
    const token = (now: number) => upgraded.takeSendToken!({ tenantId: T, channelId: 'sms', perSecond: 10, now });
    expect([await token(1000), await token(1000), await token(1100)]).toEqual([1100, 1200, 1100]);
    await upgraded.close();
  });

  it('refuses a database whose schema is newer than the code', async () => {
    const filename = await migratedFile();
    const db = new Database(filename);
    db.prepare('INSERT INTO journey_engine_migrations (version, name) VALUES (?, ?)').run(SQLITE_SCHEMA_VERSION + 1, 'from the future');
    db.close();
    const newer = sqliteStorage({ filename });
    await expect(newer.init()).rejects.toMatchObject({ code: 'schema-too-new', details: { found: SQLITE_SCHEMA_VERSION + 1 } });
    await newer.close();
  });

  it('sets busy_timeout and synchronous', async () => {
    const database = new Database(file());
    const s = sqliteStorage({ database, synchronous: 'full', busyTimeoutMs: 1234 });
    await s.init();
    expect(database.pragma('busy_timeout', { simple: true })).toBe(1234);
    expect(database.pragma('synchronous', { simple: true })).toBe(2);
    const d = sqliteStorage({ database });
    await d.init();
    expect(database.pragma('synchronous', { simple: true })).toBe(1);
    database.close();
  });

  it('checkpoints the WAL every 10,000 pages by default and caps the WAL file after a checkpoint', async () => {
    const database = new Database(file());
    const s = sqliteStorage({ database });
    await s.init();
    expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    expect(database.pragma('journal_size_limit', { simple: true })).toBe(80_000 * 1024);
    const t = sqliteStorage({ database, walAutocheckpoint: 500 });
    await t.init();
    expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(500);
    expect(database.pragma('journal_size_limit', { simple: true })).toBe(64 * 1024 * 1024);
    database.close();
  });

  it('refuses use after close', async () => {
    const s = sqliteStorage({ filename: ':memory:' });
    await s.init();
    await s.close();
    await expect(s.getEnrollment(T, 'e1')).rejects.toMatchObject({ code: 'storage-closed' });
  });

  describe('corrupt rows', () => {
    let database: Database.Database;
    let good: string;
    async function damaged(sql: string, ...params: unknown[]) {
      database = new Database(':memory:');
      const s = sqliteStorage({ database });
      await s.init();
      await s.createJourney(journey());
      await s.createEnrollment(enrollment({ wakeAt: 10 }));
      await s.commit({ enrollment: next(enrollment({ wakeAt: 10 })), expectedVersion: 1, now: 5, effects: [effect(enrollment(), 'send1', 1)] });
      good = (database.prepare('SELECT data FROM je_enrollments').get() as { data: string }).data;
      database.prepare(sql).run(...params);
      return s;
    }

    it.each([
      ['invalid JSON', `UPDATE je_enrollments SET data = '{"visits":'`],
      ['an unknown status', `UPDATE je_enrollments SET status = 'zombie'`],
      ['an unknown phase', `UPDATE je_enrollments SET phase = 'sleeping'`],
      ['a missing field in data', `UPDATE je_enrollments SET data = json_remove(data, '$.visits')`],
      ['a wrong type in data', `UPDATE je_enrollments SET data = json_set(data, '$.attempts', 'many')`],
      ['a text version', `UPDATE je_enrollments SET version = 'two'`],
      ['an ended active row', `UPDATE je_enrollments SET ended_at = 5`],
    ])('throws corrupt-row for %s on read, naming table and id; a claim quarantines the row', async (_, sql) => {
      const s = await damaged(sql);
      const expected = { code: 'corrupt-row', details: { table: 'je_enrollments', id: 'e1' } };
      await expect(s.getEnrollment(T, 'e1')).rejects.toMatchObject(expected);
      await expect(s.listEnrollments({ tenantId: T, limit: 10, offset: 0 })).rejects.toMatchObject(expected);
      if (!sql.includes('status')) {
        const reported: string[] = [];
        expect(await s.claimDue({ now: 100, limit: 10, leaseMs: 10, workerId: 'w', onQuarantine: (q) => reported.push(`${q.enrollmentId} ${q.field}`) })).toEqual([]);
        expect(reported).toEqual([expect.stringMatching(/^e1 /)]);
        expect(await s.listEnrollments({ tenantId: T, limit: 10, offset: 0 })).toEqual({ items: [], total: 0 });
        // the quarantined row keeps its lease free and is out of due work until repaired
        expect(database.prepare('SELECT lease_until, wake_at FROM je_enrollments').get()).toEqual({ lease_until: null, wake_at: null });
        expect(await s.claimDue({ now: 100, limit: 10, leaseMs: 10, workerId: 'w' })).toEqual([]);
        expect(await s.repairEnrollment(next(enrollment({ wakeAt: 10 })))).toBe('repaired');
        expect(JSON.parse((database.prepare('SELECT data FROM je_enrollments').get() as { data: string }).data)).toEqual(JSON.parse(good));
        expect(await s.claimDue({ now: 100, limit: 10, leaseMs: 10, workerId: 'w' })).toHaveLength(1);
      }
    });

    it('checks journeys, versions and effects too', async () => {
      const s = await damaged(`UPDATE je_journeys SET data = json_set(data, '$.steps[0].type', 'teleport')`);
      await expect(s.getJourney(T, 'j1')).rejects.toMatchObject({ code: 'corrupt-row', details: { table: 'je_journeys', id: 'j1' } });
      const v = await damaged(`UPDATE je_journey_versions SET definition = '[]'`);
      await expect(v.getJourneyVersion(T, 'j1', 1)).rejects.toMatchObject({ code: 'corrupt-row', details: { table: 'je_journey_versions' } });
      const x = await damaged(`UPDATE je_effects SET type = 'launch'`);
      await expect(x.listEffects(T, 'e1')).rejects.toMatchObject({ code: 'corrupt-row', details: { table: 'je_effects', id: 'e1:send1:1' } });
    });

    it('trusts the contents of journey documents in its own format, checking their shape only', async () => {
      // what only the schema would catch passes in a row this library wrote…
      const s = await damaged(`UPDATE je_journeys SET data = json_set(data, '$.steps[0].config.duration', -5)`);
      expect((await s.getJourney(T, 'j1'))?.steps[0]).toMatchObject({ config: { duration: -5 } });
      // …while a broken shape does not
      const t = await damaged(`UPDATE je_journeys SET data = json_set(data, '$.steps[1].config', 'none')`);
      await expect(t.getJourney(T, 'j1')).rejects.toMatchObject({ code: 'corrupt-row', details: { field: 'data.steps[1]' } });
      const v = await damaged(`UPDATE je_journey_versions SET definition = json_remove(definition, '$.entryConditions')`);
      await expect(v.getJourneyVersion(T, 'j1', 1)).rejects.toMatchObject({ code: 'corrupt-row', details: { field: 'definition.entryConditions' } });
    });

    it('checks journey documents without its format marker (an older version, or by hand) in full with the schema', async () => {
      const s = await damaged(`UPDATE je_journeys SET data = json_set(json_remove(data, '$.format'), '$.steps[0].config.duration', -5)`);
      await expect(s.getJourney(T, 'j1')).rejects.toMatchObject({ code: 'corrupt-row', details: { table: 'je_journeys', field: 'data.steps' } });
      const v = await damaged(`UPDATE je_journey_versions SET definition = json_set(definition, '$.format', 99, '$.steps[0].config.duration', -5)`);
      await expect(v.getJourneyVersion(T, 'j1', 1)).rejects.toMatchObject({ code: 'corrupt-row', details: { field: 'definition.steps' } });
      // an unmarked row that the schema accepts reads as before
      const ok = await damaged(`UPDATE je_journeys SET data = json_remove(data, '$.format')`);
      expect(await ok.getJourney(T, 'j1')).toEqual(journey());
    });
  });
});

describe('sqliteStorage options', () => {
  const refused = (options: unknown, path: readonly (string | number)[], message: RegExp) => {
    let thrown: unknown;
    try {
      sqliteStorage(options as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'invalid-option', path });
    expect((thrown as Error).message).toMatch(message);
  };

  it('refuses malformed options with invalid-option naming the field, before opening anything', () => {
    refused(':memory:', [], /takes \{ filename: .* got ":memory:"/);
    refused(null, [], /got null/);
    refused([], [], /got an array/);
    refused({}, [], /exactly one of filename and database/);
    refused({ filename: 'a.db', database: new Database(':memory:') }, [], /exactly one/);
    refused({ filename: '' }, ['filename'], /non-empty string/);
    refused({ filename: 42 }, ['filename'], /non-empty string/);
    refused({ database: {} }, ['database'], /better-sqlite3 Database/);
    refused({ filename: ':memory:', synchronous: 'off' }, ['synchronous'], /"normal" or "full"/);
    refused({ filename: ':memory:', busyTimeoutMs: '5s' }, ['busyTimeoutMs'], /≥ 0/);
    refused({ filename: ':memory:', walAutocheckpoint: -1 }, ['walAutocheckpoint'], /≥ 0/);
  });

  it('takes a file name or an open database', async () => {
    for (const s of [sqliteStorage({ filename: ':memory:', synchronous: 'full', busyTimeoutMs: 0 }), sqliteStorage({ database: new Database(':memory:') })]) {
      await s.init();
      expect(await s.nextWakeAt()).toBeNull();
      await s.close();
    }
  });
});
