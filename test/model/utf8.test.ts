import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { utf8Length } from '../../src/model/utf8.js';

describe('utf8Length', () => {
  it('counts what TextEncoder writes, also for lone surrogates', () => {
    const encoder = new TextEncoder();
    for (const text of ['', 'a', 'é€😀', '\ud800', 'x\udc00y', '\ud83d\ude00\ud83d']) {
      expect(utf8Length(text)).toBe(encoder.encode(text).length);
    }
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => utf8Length(text) === encoder.encode(text).length));
  });
});
