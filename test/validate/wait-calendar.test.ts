/** Validation of the wait step's calendar forms: schema diagnostics with paths, codes, timing facts, the diagram summary. */
import { describe, expect, it } from 'vitest';
import { waitKind, waitSummary } from '../../src/model/steps/wait.js';
import { stepSchema } from '../../src/model/schema.js';
import type { WaitStep } from '../../src/model/types.js';
import { fastParseStep } from '../../src/validate/fast-steps.js';
import { validateJourney } from '../../src/validate/validate-journey.js';
import { journey, send } from './helpers.js';

const BUSINESS = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00', timeZone: 'customer.timezone', fallbackTimeZone: 'America/New_York' };
const waitWith = (config: Record<string, unknown>) => journey([{ id: 'w', type: 'wait', config }, send('s')], { maxDuration: 365 });
const found = (config: Record<string, unknown>, now?: number) =>
  validateJourney(waitWith(config), now === undefined ? {} : { now }).diagnostics.map((d) => ({ code: d.code, severity: d.severity, path: d.path.join('.') }));
const parsed = (config: Record<string, unknown>) => stepSchema.parse({ id: 'w', type: 'wait', config }) as WaitStep;

describe('wait: the document shapes of the issue', () => {
  it.each([
    ['until', { until: '2026-12-24T09:00:00Z' }],
    ['untilAttribute with a negative offset', { untilAttribute: 'renewal_date', offset: { duration: -3, unit: 'days' } }],
    ['a duration with a window in the customer\'s zone', { duration: 1, unit: 'days', window: BUSINESS }],
    ['until with a window crossing midnight', { until: '2026-12-24T09:00:00+01:00', window: { days: ['fri'], from: '21:00', to: '08:00', timeZone: 'Europe/London' } }],
    ['a window to 24:00 without a zone', { untilAttribute: 'd', window: { days: ['sat', 'sun'], from: '00:00', to: '24:00' } }],
  ])('accepts %s', (_name, config) => {
    expect(found(config)).toEqual([]);
    // The stored step is the document as written: no defaults added.
    expect(parsed(config).config).toEqual(config);
  });
});

describe('wait: schema diagnostics', () => {
  it.each([
    ['no form at all', {}, 'steps.0.config.duration'],
    ['two forms', { duration: 1, unit: 'days', until: '2026-12-24T09:00:00Z' }, 'steps.0.config.until'],
    ['a duration without its unit', { duration: 1 }, 'steps.0.config.unit'],
    ['a unit with until', { until: '2026-12-24T09:00:00Z', unit: 'days' }, 'steps.0.config.unit'],
    ['an offset without untilAttribute', { until: '2026-12-24T09:00:00Z', offset: { duration: 1, unit: 'days' } }, 'steps.0.config.offset'],
    ['until without an offset (a local time, not an instant)', { until: '2026-12-24T09:00:00' }, 'steps.0.config.until'],
    ['until that is no date', { until: '2026-02-30T09:00:00Z' }, 'steps.0.config.until'],
    ['an attribute name that is not a key', { untilAttribute: 'renewal date' }, 'steps.0.config.untilAttribute'],
    ['an offset beyond a year', { untilAttribute: 'd', offset: { duration: -366, unit: 'days' } }, 'steps.0.config.offset.duration'],
    ['a duration beyond a year', { duration: 366, unit: 'days' }, 'steps.0.config.duration'],
    ['a day name that is not one', { duration: 1, unit: 'days', window: { ...BUSINESS, days: ['monday'] } }, 'steps.0.config.window.days.0'],
    ['a from that is not HH:MM', { duration: 1, unit: 'days', window: { ...BUSINESS, from: '9:00' } }, 'steps.0.config.window.from'],
    ['a from of 24:00', { duration: 1, unit: 'days', window: { ...BUSINESS, from: '24:00' } }, 'steps.0.config.window.from'],
  ])('%s is invalid-field at its path', (_name, config, path) => {
    const ds = found(config);
    expect(ds.map((d) => d.code)).toContain('invalid-field');
    expect(ds.find((d) => d.code === 'invalid-field')!.path).toBe(path);
  });

  it('names an unknown field in a window with a suggestion', () => {
    const ds = validateJourney(waitWith({ duration: 1, unit: 'days', window: { ...BUSINESS, timezone: 'UTC' } })).diagnostics;
    expect(ds[0]).toMatchObject({ code: 'unknown-field', path: ['steps', 0, 'config', 'window', 'timezone'] });
    expect(ds[0]!.message).toContain('did you mean "timeZone"?');
  });
});

describe('wait: invalid-time-zone and empty-window', () => {
  it.each([
    ['an unknown zone', { timeZone: 'Mars/Olympus' }, 'timeZone'],
    ['an offset, not a zone', { timeZone: '+05:30' }, 'timeZone'],
    ['customer. without an attribute', { timeZone: 'customer.' }, 'timeZone'],
    ['customer. with a name that is not a key', { timeZone: 'customer.time zone' }, 'timeZone'],
    ['a fallback that is not a zone', { fallbackTimeZone: 'Mars/Olympus' }, 'fallbackTimeZone'],
    ['a fallback that reads the customer', { fallbackTimeZone: 'customer.timezone' }, 'fallbackTimeZone'],
  ])('%s is invalid-time-zone (an error) at window.%s', (_name, patch, field) => {
    expect(found({ duration: 1, unit: 'days', window: { ...BUSINESS, ...patch } })).toEqual([
      { code: 'invalid-time-zone', severity: 'error', path: `steps.0.config.window.${field}` },
    ]);
  });

  it('accepts zone names as Intl reads them, case-insensitively, and UTC', () => {
    expect(found({ duration: 1, unit: 'days', window: { ...BUSINESS, timeZone: 'asia/kolkata', fallbackTimeZone: 'UTC' } })).toEqual([]);
  });

  it('a window without days, or with from equal to to, is empty-window (an error)', () => {
    expect(found({ duration: 1, unit: 'days', window: { ...BUSINESS, days: [] } })).toEqual([{ code: 'empty-window', severity: 'error', path: 'steps.0.config.window.days' }]);
    expect(found({ duration: 1, unit: 'days', window: { ...BUSINESS, from: '09:00', to: '09:00' } })).toEqual([{ code: 'empty-window', severity: 'error', path: 'steps.0.config.window.to' }]);
  });

  it('00:00 to 24:00 is the whole day, not empty', () => {
    expect(found({ duration: 1, unit: 'days', window: { ...BUSINESS, from: '00:00', to: '24:00' } })).toEqual([]);
  });

  it('reports both a bad zone and an empty window', () => {
    expect(found({ duration: 1, unit: 'days', window: { ...BUSINESS, timeZone: 'Nowhere', days: [] } }).map((d) => d.code).sort()).toEqual(['empty-window', 'invalid-time-zone']);
  });
});

describe('wait: until-in-the-past (a warning, against the validator\'s now)', () => {
  const config = { until: '2026-12-24T09:00:00Z' };
  it('warns when until is before now, at config.until', () => {
    const result = validateJourney(waitWith(config), { now: Date.UTC(2026, 11, 25) });
    expect(result.valid).toBe(true);
    expect(result.diagnostics.map((d) => ({ code: d.code, severity: d.severity, path: d.path.join('.'), stepId: d.stepId }))).toEqual([
      { code: 'until-in-the-past', severity: 'warning', path: 'steps.0.config.until', stepId: 'w' },
    ]);
  });

  it('is silent when until is now or later, and without a now (validation stays pure)', () => {
    expect(found(config, Date.UTC(2026, 11, 24, 9))).toEqual([]);
    expect(found(config)).toEqual([]);
  });
});

describe('wait: timing facts for the analyses', () => {
  it('a duration holds exactly it; a window adds up to a week', () => {
    expect(waitKind.holdMs(parsed({ duration: 2, unit: 'days' }))).toEqual({ min: 2 * 86_400_000, max: 2 * 86_400_000 });
    expect(waitKind.holdMs(parsed({ duration: 2, unit: 'days', window: BUSINESS }))).toEqual({ min: 2 * 86_400_000, max: 9 * 86_400_000 });
  });

  it('until and untilAttribute hold from 0 to the longest wait (365 days; the deadline clips them)', () => {
    expect(waitKind.holdMs(parsed({ until: '2026-12-24T09:00:00Z' }))).toEqual({ min: 0, max: 365 * 86_400_000 });
    expect(waitKind.holdMs(parsed({ untilAttribute: 'd', window: BUSINESS }))).toEqual({ min: 0, max: 365 * 86_400_000 });
  });

  it('max-duration: a windowed wait that may pass maxDuration warns; an until wait fits only a 365-day journey', () => {
    const windowed = journey([{ id: 'w', type: 'wait', config: { duration: 28, unit: 'days', window: BUSINESS } }], { maxDuration: 30 });
    expect(validateJourney(windowed).diagnostics.map((d) => d.code)).toEqual(['path-exceeds-max-duration']);
    const until = journey([{ id: 'w', type: 'wait', config: { until: '2026-12-24T09:00:00Z' } }], { maxDuration: 30 });
    expect(validateJourney(until).diagnostics.map((d) => d.code)).toEqual(['path-exceeds-max-duration']);
    expect(validateJourney({ ...until, maxDuration: 365 }).diagnostics).toEqual([]);
  });

  it('instant loops: a loop through an until wait alone holds for 0 once the instant has passed', () => {
    const loop = journey([{ id: 'w', type: 'wait', config: { until: '2026-12-24T09:00:00Z' }, next: 'w' }], { maxDuration: 365 });
    expect(validateJourney(loop).diagnostics.map((d) => d.code)).toContain('instant-loop');
  });
});

describe('wait: summary for the diagram', () => {
  it.each([
    [{ duration: 3, unit: 'days' }, 'wait 3 days'],
    [{ until: '2026-12-24T09:00:00Z' }, 'wait until 2026-12-24 09:00 UTC'],
    [{ until: '2026-12-24T09:00:30+01:00' }, 'wait until 2026-12-24 08:00:30 UTC'],
    [{ untilAttribute: 'renewal_date', offset: { duration: -3, unit: 'days' } }, 'wait until customer.renewal_date − 3 days'],
    [{ untilAttribute: 'renewal_date' }, 'wait until customer.renewal_date'],
    [{ duration: 1, unit: 'days', window: BUSINESS }, 'wait 1 days · Mon–Fri 09:00–17:00 customer.timezone'],
    [{ duration: 1, unit: 'hours', window: { days: ['fri'], from: '21:00', to: '08:00' } }, 'wait 1 hours · Fri 21:00–08:00 UTC'],
    [{ duration: 1, unit: 'hours', window: { days: ['sun', 'sat', 'mon', 'wed'], from: '10:00', to: '12:00', fallbackTimeZone: 'Asia/Kolkata' } }, 'wait 1 hours · Mon, Wed, Sat, Sun 10:00–12:00 Asia/Kolkata'],
    [{ duration: 1, unit: 'hours', window: { days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], from: '00:00', to: '24:00' } }, 'wait 1 hours · every day 00:00–24:00 UTC'],
  ])('%j reads "%s"', (config, text) => {
    expect(waitSummary(parsed(config).config)).toBe(text);
  });
});

describe('wait: the fast path keeps plain waits and leaves the calendar forms to zod', () => {
  it.each([
    [{ until: '2026-12-24T09:00:00Z' }],
    [{ untilAttribute: 'renewal_date', offset: { duration: -3, unit: 'days' } }],
    [{ duration: 1, unit: 'days', window: BUSINESS }],
  ])('%j', (config) => {
    const raw = { id: 'w', type: 'wait', config };
    expect(fastParseStep(raw)).toBeUndefined();
    expect(stepSchema.safeParse(raw).success).toBe(true);
    expect(fastParseStep({ id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } })).toEqual(stepSchema.parse({ id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } }));
  });
});
