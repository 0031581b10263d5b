import { describe, expect, it } from 'vitest';
import { JourneyError, type JourneyErrorCode } from '../../src/model/errors.js';
import { errorAnswer, HTTP_STATUS_BY_CODE } from '../../src/adapters/http/http-errors.js';
import { foreignJourneyError } from './foreign-journey-error.js';

describe('JourneyError identity', () => {
  it('recognises an error thrown by another copy of the class, in another realm', () => {
    const Foreign = foreignJourneyError();
    expect(Foreign).not.toBe(JourneyError);
    const error = new Foreign('journey-not-found', 'no journey "j1"', { path: ['journeyId'] });
    expect(error instanceof Error).toBe(false); // another realm's Error: instanceof alone would miss it
    expect(JourneyError.is(error)).toBe(true);
    expect(error instanceof JourneyError).toBe(true);
    expect(errorAnswer(error)).toMatchObject({ status: 404, body: { error: { code: 'journey-not-found', status: 404, details: { path: ['journeyId'] } } } });
  });

  it('recognises its own errors and subclasses', () => {
    class Refusal extends JourneyError {}
    expect(JourneyError.is(new JourneyError('invalid-request', 'x'))).toBe(true);
    expect(JourneyError.is(new Refusal('invalid-request', 'x'))).toBe(true);
    expect(new Refusal('invalid-request', 'x') instanceof Refusal).toBe(true);
    expect(new JourneyError('invalid-request', 'x') instanceof Refusal).toBe(false);
  });

  it('does not take look-alikes for JourneyErrors', () => {
    const lookAlike = Object.assign(new Error('x'), { code: 'invalid-json', path: [] });
    const hostile = new Proxy({}, { get: () => { throw new Error('trap'); }, getPrototypeOf: () => { throw new Error('trap'); } });
    for (const value of [lookAlike, { code: 'invalid-json', message: 'x' }, null, undefined, 'invalid-json', 42, Object.create(null), hostile]) {
      expect(JourneyError.is(value)).toBe(false);
      expect(value instanceof JourneyError).toBe(false);
    }
    expect(errorAnswer(lookAlike).status).toBe(500);
  });

  it('keeps the brand off the instance, so errors serialise and compare as before', () => {
    const error = new JourneyError('invalid-request', 'x', { path: ['a'] });
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(JSON.parse(JSON.stringify(error))).toEqual({ name: 'JourneyError', code: 'invalid-request', path: ['a'] });
  });
});

describe('error codes', () => {
  it('are a closed union: a code outside it does not compile', () => {
    // @ts-expect-error 'typo' is not a JourneyErrorCode (tsc --noEmit fails if this compiles)
    const typo = new JourneyError('typo', 'x');
    const code: JourneyErrorCode = 'invalid-journey';
    expect(HTTP_STATUS_BY_CODE[code]).toBe(400);
    expect(Object.hasOwn(HTTP_STATUS_BY_CODE, typo.code)).toBe(false);
  });

  it('answer 500 with a generic message for a foreign code, also one that names a prototype property', () => {
    for (const code of ['constructor', 'toString', '__proto__', 'no-such-code']) {
      const answer = errorAnswer(new JourneyError(code as JourneyErrorCode, 'secret detail'));
      expect(answer).toMatchObject({ status: 500, internal: true, body: { error: { code: 'internal' } } });
    }
  });

  it('have no near-duplicates left', () => {
    const codes = Object.keys(HTTP_STATUS_BY_CODE);
    for (const gone of ['journey-invalid', 'invalid-options']) expect(codes).not.toContain(gone);
    expect(codes).toEqual(expect.arrayContaining(['invalid-journey', 'invalid-option']));
  });
});
