import { describe, expect, it } from 'vitest';
import { MAX_CONTEXT_BYTES, MAX_CONTEXT_DEPTH, MAX_CONTEXT_ENTRIES, MAX_ENROLL_CONTEXT_BYTES } from '../../src/runtime/enrollments.js';
import { journey, loadExample } from './helpers.js';
import { harness, rejects } from './engine-helpers.js';

const loan = loadExample('loan-nurture.json');
const inSegment = (id: string) => ({ id, segments: ['loan_interested'] });

async function activeLoan(customers = ['c1', 'c2', 'c3']) {
  const h = harness({ customers: customers.map(inSegment) });
  const created = await h.engine.createJourney(loan);
  await h.engine.setStatus(created.id, 'active');
  return { h, id: created.id };
}

/** A context whose JSON is about `bytes` long. */
const contextOf = (bytes: number) => ({ note: 'x'.repeat(bytes - 11) });

describe('enrollment context is bounded', () => {
  it(`accepts a context of ${MAX_CONTEXT_BYTES} bytes of JSON and refuses one byte more with context-too-large`, async () => {
    const { h, id } = await activeLoan();
    expect(JSON.stringify(contextOf(MAX_CONTEXT_BYTES)).length).toBe(MAX_CONTEXT_BYTES);
    expect((await h.engine.enroll(id, { customerId: 'c1' }, { context: contextOf(MAX_CONTEXT_BYTES) })).enrolled).toHaveLength(1);
    const error = await rejects(h.engine.enroll(id, { customerId: 'c2' }, { context: contextOf(MAX_CONTEXT_BYTES + 1) }), 'context-too-large');
    expect(error.path).toEqual(['context']);
    expect(error.details).toMatchObject({ limit: MAX_CONTEXT_BYTES, bytes: MAX_CONTEXT_BYTES + 1 });
    expect((await h.engine.listEnrollments({ customerId: 'c2' })).total).toBe(0);
  });

  it('counts bytes in UTF-8, not characters', async () => {
    const { h, id } = await activeLoan();
    const chars = Math.floor(MAX_CONTEXT_BYTES / 3);
    await rejects(h.engine.enroll(id, { customerId: 'c1' }, { context: { note: '€'.repeat(chars) } }), 'context-too-large');
  });

  it(`refuses nesting deeper than ${MAX_CONTEXT_DEPTH} levels and more than ${MAX_CONTEXT_ENTRIES} entries, with the path`, async () => {
    const { h, id } = await activeLoan();
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < MAX_CONTEXT_DEPTH; i++) deep = { d: deep };
    const tooDeep = await rejects(h.engine.enroll(id, { customerId: 'c1' }, { context: deep as never }), 'context-too-large');
    expect(tooDeep.path.slice(0, 3)).toEqual(['context', 'd', 'd']);
    const wide = Object.fromEntries(Array.from({ length: MAX_CONTEXT_ENTRIES + 1 }, (_, i) => [`k${i}`, 0]));
    await rejects(h.engine.enroll(id, { customerId: 'c1' }, { context: wide }), 'context-too-large');
    const long = { list: Array.from({ length: MAX_CONTEXT_ENTRIES + 1 }, () => 0) };
    await rejects(h.engine.enroll(id, { customerId: 'c1' }, { context: long }), 'context-too-large');
    expect((await h.engine.listEnrollments({})).total).toBe(0);
  });

  it('refuses a context that is not JSON (a function, NaN, a Date, a cycle) with invalid-context', async () => {
    const { h, id } = await activeLoan();
    for (const bad of [{ f: () => 1 }, { n: Number.NaN }, { d: new Date(0) }, { u: undefined }]) {
      const error = await rejects(h.engine.enroll(id, { customerId: 'c1' }, { context: bad as never }), 'invalid-context');
      expect(error.path[0]).toBe('context');
    }
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    await rejects(h.engine.enroll(id, { customerId: 'c1' }, { context: cycle as never }), 'context-too-large');
    await rejects(h.engine.enroll(id, { customerId: 'c1' }, { context: [] as never }), 'invalid-context');
  });

  it('does not multiply a call by its customer count: customers × context bytes is capped per call', async () => {
    const customers = Array.from({ length: 200 }, (_, i) => `c${i}`);
    const { h, id } = await activeLoan(customers);
    const context = contextOf(MAX_CONTEXT_BYTES);
    const fits = Math.floor(MAX_ENROLL_CONTEXT_BYTES / MAX_CONTEXT_BYTES);
    expect((await h.engine.enroll(id, { customerIds: customers.slice(0, fits) }, { context })).enrolled).toHaveLength(fits);
    const error = await rejects(h.engine.enroll(id, { customerIds: customers.slice(fits, 2 * fits + 1) }, { context }), 'context-too-large');
    expect(error.path).toEqual(['context']);
    expect(error.details).toMatchObject({ limit: MAX_ENROLL_CONTEXT_BYTES, customers: fits + 1 });
    expect((await h.engine.listEnrollments({ limit: 1000 })).total).toBe(fits);
    // A small context still takes the full 1,000 customers.
    expect((await h.engine.enroll(id, { customerIds: customers.slice(fits) }, { context: { campaign: 'spring' } })).enrolled).toHaveLength(200 - fits);
  });

  it('bounds event properties the same way, since they become the enrollment context', async () => {
    const h = harness();
    const { id } = await h.engine.createJourney(journey([{ id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } }], {
      status: 'active',
      entryConditions: { events: [{ type: 'signup' }] },
    }));
    const error = await rejects(h.engine.ingestEvent({ customerId: 'c1', type: 'signup', properties: contextOf(MAX_CONTEXT_BYTES + 1) }), 'context-too-large');
    expect(error.path).toEqual(['properties']);
    expect((await h.engine.listEnrollments({ journeyId: id })).total).toBe(0);
    expect((await h.engine.ingestEvent({ customerId: 'c1', type: 'signup', properties: { plan: 'pro' } })).enrolled).toHaveLength(1);
  });
});

describe('ids are checked once at the boundary', () => {
  const odd: Array<[string, string]> = [
    ['a NUL', 'c\u0000'],
    ['a control character', 'c\u0007'],
    ['a DEL', 'c\u007f'],
    ['a lone surrogate', 'c\ud800'],
    ['the empty string', ''],
    ['300 characters', 'c'.repeat(300)],
  ];

  for (const [what, bad] of odd) {
    it(`refuses ${what} in customer ids, outcome keys and types, event types and tenant ids with invalid-id`, async () => {
      const { h, id } = await activeLoan();
      expect((await rejects(h.engine.enroll(id, { customerId: bad }), 'invalid-id')).path).toEqual(['customerId']);
      expect((await rejects(h.engine.enroll(id, { customerIds: ['c1', bad] }), 'invalid-id')).path).toEqual(['customerIds', 1]);
      expect((await rejects(h.engine.ingestEvent({ customerId: bad, type: 'signup' }), 'invalid-id')).path).toEqual(['customerId']);
      expect((await rejects(h.engine.ingestEvent({ customerId: 'c1', type: bad }), 'invalid-id')).path).toEqual(['type']);
      expect((await rejects(h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: bad }), 'invalid-id')).path).toEqual(['idempotencyKey']);
      expect((await rejects(h.engine.recordOutcome({ customerId: bad, type: 'click', idempotencyKey: 'k' }), 'invalid-id')).path).toEqual(['customerId']);
      expect((await rejects(h.engine.recordOutcome({ customerId: 'c1', type: bad, idempotencyKey: 'k' }), 'invalid-id')).path).toEqual(['type']);
      expect((await rejects(h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'k', journeyId: bad }), 'invalid-id')).path).toEqual(['journeyId']);
      expect((await rejects(h.engine.exitEnrollment(bad), 'invalid-id')).path).toEqual(['enrollmentId']);
      expect((await rejects(h.engine.enroll(bad, { customerId: 'c1' }), 'invalid-id')).path).toEqual(['journeyId']);
      expect((await rejects(h.engine.stats(bad), 'invalid-id')).path).toEqual(['journeyId']);
      expect((await rejects(h.engine.listEnrollments({ customerId: bad }), 'invalid-id')).path).toEqual(['customerId']);
      expect(() => h.engine.forTenant(bad)).toThrow(expect.objectContaining({ code: 'invalid-id', path: ['tenantId'] }));
      expect((await h.engine.listEnrollments({})).total).toBe(0);
    });
  }

  it('accepts ordinary ids: unicode letters, spaces, punctuation, 256 characters', async () => {
    const { h, id } = await activeLoan(['zoë Ångström', 'a:b/c@d', 'c'.repeat(256), '😀']);
    const result = await h.engine.enroll(id, { customerIds: ['zoë Ångström', 'a:b/c@d', 'c'.repeat(256), '😀'] });
    expect(result.enrolled).toHaveLength(4);
    expect(h.engine.forTenant('t'.repeat(256)).tenantId).toHaveLength(256);
  });

  it('refuses a NUL or a lone surrogate inside context and event property strings and keys (Postgres jsonb cannot store them)', async () => {
    const { h, id } = await activeLoan();
    const error = await rejects(h.engine.enroll(id, { customerId: 'c1' }, { context: { a: { b: ['ok', 'x\u0000y'] } } }), 'invalid-context');
    expect(error.path).toEqual(['context', 'a', 'b', 1]);
    await rejects(h.engine.enroll(id, { customerId: 'c1' }, { context: { 'k\u0000': 1 } }), 'invalid-context');
    await rejects(h.engine.enroll(id, { customerId: 'c1' }, { context: { k: '\udc00' } }), 'invalid-context');
    await rejects(h.engine.ingestEvent({ customerId: 'c1', type: 'signup', properties: { p: '\u0000' } }), 'invalid-context');
    // Other control characters are fine inside JSON strings.
    expect((await h.engine.enroll(id, { customerId: 'c1' }, { context: { note: 'tab\there\nnewline' } })).enrolled).toHaveLength(1);
  });
});

describe('unknown fields answer with a did-you-mean', () => {
  it('enroll: a misspelt customerID names the field and suggests customerId', async () => {
    const { h, id } = await activeLoan();
    const error = await rejects(h.engine.enroll(id, { customerID: 'c1' } as never), 'unknown-field');
    expect(error.message).toBe('`customerID` is not a field; did you mean `customerId`?');
    expect(error.path).toEqual(['customerID']);
    expect(error.details).toMatchObject({ field: 'customerID', suggestion: 'customerId' });
    const options = await rejects(h.engine.enroll(id, { customerId: 'c1' }, { contxt: {} } as never), 'unknown-field');
    expect(options.message).toContain('did you mean `context`?');
    expect((await h.engine.listEnrollments({})).total).toBe(0);
  });

  it('ingestEvent and recordOutcome: unknown fields are refused, naming the field', async () => {
    const { h } = await activeLoan();
    const event = await rejects(h.engine.ingestEvent({ customerId: 'c1', type: 'signup', propertys: {} } as never), 'unknown-field');
    expect(event.message).toBe('`propertys` is not a field; did you mean `properties`?');
    const outcome = await rejects(h.engine.recordOutcome({ customerID: 'c1', type: 'click', idempotencyKey: 'k' } as never), 'unknown-field');
    expect(outcome.message).toBe('`customerID` is not a field; did you mean `customerId`?');
    const far = await rejects(h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'k', zzz: 1 } as never), 'unknown-field');
    expect(far.message).toMatch(/^`zzz` is not a field; the fields are /);
  });
});
