/**
 * The rate-limit bucket (src/runtime/token-bucket.ts): grants at least one interval apart whatever
 * the requests, refusals answered with later instants, and a burst served at the full rate with
 * each send refused at most once (its refusal tells it when to come back, one interval after the
 * one refused before it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { takeToken, type TokenState } from '../../src/runtime/token-bucket.js';

describe('takeToken', () => {
  it('grants sends at least 1000 / perSecond ms apart, and tells a refused send a later instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), (perSecond, gaps) => {
        let state: TokenState | undefined;
        let now = 1000;
        const granted: number[] = [];
        for (const gap of gaps) {
          now += gap;
          const next = takeToken(state, perSecond, now);
          if (next.at === now) granted.push(now);
          else expect(next.at).toBeGreaterThan(now);
          state = next.state;
        }
        for (let i = 1; i < granted.length; i++) expect(granted[i]! - granted[i - 1]!).toBeGreaterThanOrEqual(1000 / perSecond - 1e-9);
      }),
    );
  });

  it('serves a burst at the full rate: each send refused at most once, the grants one interval apart', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 300 }), (perSecond, burst) => {
        // `burst` sends ask at 1000; a refused one comes back exactly when it was told to.
        const interval = 1000 / perSecond;
        let state: TokenState | undefined;
        const comeBack: number[] = [];
        let grants = 0;
        for (let i = 0; i < burst; i++) {
          const next = takeToken(state, perSecond, 1000);
          state = next.state;
          if (next.at === 1000) grants += 1;
          else comeBack.push(next.at);
        }
        expect(grants).toBe(1);
        // Told distinct instants, one interval apart, in the order refused.
        comeBack.forEach((at, i) => expect(at).toBeCloseTo(1000 + (i + 1) * interval, 6));
        for (const at of comeBack) {
          const next = takeToken(state, perSecond, at);
          expect(next.at).toBe(at); // goes: never refused twice
          state = next.state;
        }
      }),
    );
  });

  it('is pure: the state it is given is not changed', () => {
    const state = Object.freeze({ tat: 1100, queueAt: 1300 });
    expect(takeToken(state, 10, 1000)).toEqual({ state: { tat: 1100, queueAt: 1400 }, at: 1300 });
    expect(takeToken(state, 10, 1100)).toEqual({ state: { tat: 1200, queueAt: 1300 }, at: 1100 });
    expect(state).toEqual({ tat: 1100, queueAt: 1300 });
  });
});
