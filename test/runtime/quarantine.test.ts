import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { sqliteStorage } from '../../src/adapters/sqlite/index.js';
import type { QuarantinedEnrollment } from '../../src/runtime/ports.js';
import { harness, runUntilIdle } from './engine-helpers.js';
import { journey } from './helpers.js';

const twoSends = journey([
  { id: 'hello', type: 'send', config: { channelId: 'email' } },
  { id: 'pause', type: 'wait', config: { duration: 1, unit: 'days' } },
  { id: 'again', type: 'send', config: { channelId: 'sms' } },
], { status: 'active' });

describe('engine: a corrupt row does not stop the world', () => {
  it("quarantines one unreadable enrollment, emits quarantined, and every other tenant's customers keep flowing", async () => {
    const database = new Database(':memory:');
    const h = harness({ storage: sqliteStorage({ database }), customers: ['a1', 'a2', 'b1', 'b2', 'c1'].map((id) => ({ id })) });
    const tenants = ['tenant-a', 'tenant-b', 'tenant-c'].map((t) => h.engine.forTenant(t));
    const enrolled: Record<string, string> = {};
    for (const [engine, customers] of [[tenants[0]!, ['a1', 'a2']], [tenants[1]!, ['b1', 'b2']], [tenants[2]!, ['c1']]] as const) {
      const { id } = await engine.createJourney(twoSends);
      for (const e of (await engine.enroll(id, { customerIds: [...customers] })).enrolled) enrolled[e.customerId] = e.enrollmentId;
    }
    await h.engine.runDue(); // everyone got the first send and waits a day
    expect(h.channels.sent).toHaveLength(5);
    // a row as an older version wrote it for a step named `constructor`: a visit that is not a number
    database
      .prepare(`UPDATE je_enrollments SET data = json_set(data, '$.visits.constructor', 'function Object() { [native code] }1') WHERE id = ?`)
      .run(enrolled['a1']);

    const quarantined: QuarantinedEnrollment[] = [];
    h.engine.events.on('quarantined', (q) => quarantined.push(q));
    h.clock.advance('1d');
    await runUntilIdle(h);

    expect(h.channels.sent.filter((s) => s.channelId === 'sms').map((s) => s.customer.id).sort()).toEqual(['a2', 'b1', 'b2', 'c1']);
    expect(quarantined).toEqual([
      expect.objectContaining({ enrollmentId: enrolled['a1'], tenantId: 'tenant-a', customerId: 'a1', field: 'data.visits.constructor', reason: expect.stringContaining('unreadable') }),
    ]);
    for (const t of tenants.slice(1)) {
      const { items } = await t.listEnrollments();
      expect(items.map((e) => e.status)).toEqual(items.map(() => 'completed'));
    }
    const a = tenants[0]!;
    expect((await a.listQuarantined()).items.map((q) => q.enrollmentId)).toEqual([enrolled['a1']]);
    expect((await tenants[1]!.listQuarantined()).total).toBe(0);
    expect((await a.listEnrollments()).items.map((e) => e.customerId)).toEqual(['a2']);

    // the operator repairs it from a good copy; it is due again and finishes the journey
    const good = (await a.listEnrollments({ customerId: 'a2' })).items[0]!;
    const repaired = {
      ...good,
      id: enrolled['a1']!,
      customerId: 'a1',
      status: 'active' as const,
      stepId: 'pause',
      phase: 'waiting' as const,
      visits: { hello: 1, pause: 1 },
      wakeAt: h.clock.now(),
      endedAt: null,
      exitReason: null,
      version: good.version + 10,
    };
    await expect(tenants[1]!.repairEnrollment(repaired)).rejects.toMatchObject({ code: 'invalid-request', path: ['enrollment', 'tenantId'] });
    await expect(a.repairEnrollment({ ...repaired, visits: { hello: 'one' } } as never)).rejects.toMatchObject({ code: 'invalid-request' });
    await a.repairEnrollment(repaired);
    await expect(a.repairEnrollment(repaired)).rejects.toMatchObject({ code: 'enrollment-not-found' });
    expect((await a.listQuarantined()).total).toBe(0);
    await runUntilIdle(h);
    expect(await a.getEnrollment(enrolled['a1']!)).toMatchObject({ status: 'completed', visits: { hello: 1, pause: 1 } }); // `again` lies on no cycle: not counted
    expect(h.channels.to('a1').map((s) => s.channelId)).toEqual(['email', 'sms']);
    await h.engine.close();
    database.close();
  });

  it('releases an enrollment an operator fixed in place with the database client', async () => {
    const database = new Database(':memory:');
    const h = harness({ storage: sqliteStorage({ database }), customers: [{ id: 'c1' }] });
    const { id } = await h.engine.createJourney(twoSends);
    const { enrollmentId } = (await h.engine.enroll(id, { customerId: 'c1' })).enrolled[0]!;
    await h.engine.runDue();
    const good = (database.prepare('SELECT data FROM je_enrollments WHERE id = ?').get(enrollmentId) as { data: string }).data;
    database.prepare(`UPDATE je_enrollments SET data = '{"visits":' WHERE id = ?`).run(enrollmentId);
    h.clock.advance('1d');
    await runUntilIdle(h);
    expect((await h.engine.listQuarantined()).items).toEqual([expect.objectContaining({ enrollmentId, field: 'data' })]);

    await expect(h.engine.releaseQuarantined(enrollmentId)).rejects.toMatchObject({ code: 'corrupt-row' });
    database.prepare('UPDATE je_enrollments SET data = ? WHERE id = ?').run(good, enrollmentId);
    await h.engine.releaseQuarantined(enrollmentId);
    await expect(h.engine.releaseQuarantined(enrollmentId)).rejects.toMatchObject({ code: 'enrollment-not-found' });
    await runUntilIdle(h);
    expect(await h.engine.getEnrollment(enrollmentId)).toMatchObject({ status: 'completed' });
    expect(h.channels.to('c1').map((s) => s.channelId)).toEqual(['email', 'sms']);
    await h.engine.close();
    database.close();
  });
});
