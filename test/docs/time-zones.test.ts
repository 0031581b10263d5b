/**
 * Every example table of docs/time-zones.md, run against the code: a row is a case, so the
 * page and the calendar functions cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attributeInstant } from '../../src/model/calendar/attribute-instant.js';
import type { WindowSpec } from '../../src/model/calendar/calendar-window.js';
import { wallClockToInstant } from '../../src/model/calendar/local-time.js';
import { nextInstantInWindow, nextInstantOutsideWindow } from '../../src/model/calendar/next-in-window.js';
import { instant, wall } from '../model/calendar/oracle.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const page = readFileSync(new URL('../../docs/time-zones.md', import.meta.url), 'utf8');

/** The doc's tables, each as its header and its rows of cells (code spans unwrapped). */
function tables(markdown: string): { header: string[]; rows: string[][] }[] {
  const out: { header: string[]; rows: string[][] }[] = [];
  let current: string[][] = [];
  for (const line of [...markdown.split('\n'), '']) {
    if (line.startsWith('|')) {
      current.push(line.slice(1, -1).split('|').map((cell) => cell.trim().replace(/^`(.*)`$/, '$1')));
    } else if (current.length > 0) {
      out.push({ header: current[0]!, rows: current.slice(2) });
      current = [];
    }
  }
  return out;
}

/** `mon-fri 09:00→17:00`, `every day 02:00→03:00`, `sat 22:00→01:30`. */
function windowOf(text: string): WindowSpec {
  const match = /^(.*) (\d\d:\d\d)→(\d\d:\d\d)$/.exec(text);
  if (!match) throw new Error(`not a window: ${text}`);
  const [, dayText, from, to] = match as unknown as [string, string, string, string];
  let days: string[];
  if (dayText === 'every day') days = DAYS;
  else if (dayText.includes('-')) {
    const [a, b] = dayText.split('-');
    days = DAYS.slice(DAYS.indexOf(a!), DAYS.indexOf(b!) + 1);
  } else days = dayText.split(',');
  return { days, from, to };
}

function byHeader(...header: string[]): string[][] {
  const found = tables(page).filter((t) => t.header.join('|') === header.join('|'));
  expect(found.length, `a table headed ${header.join(' | ')}`).toBe(1);
  expect(found[0]!.rows.length).toBeGreaterThan(3);
  return found[0]!.rows;
}

describe('docs/time-zones.md', () => {
  it('local times: every row of the gap/overlap table', () => {
    for (const [zone, local, at, why] of byHeader('zone', 'local time', 'instant', 'why')) {
      expect(wallClockToInstant(wall(local!), zone!), `${zone} ${local}: ${why}`).toBe(instant(at!));
    }
  });

  it('windows: every row of the wake-up table', () => {
    for (const [zone, window, at, wakes, why] of byHeader('zone', 'window', 'at', 'wakes', 'why')) {
      expect(nextInstantInWindow(instant(at!), windowOf(window!), zone!), `${zone} ${window} ${at}: ${why}`).toBe(instant(wakes!));
    }
  });

  it('quiet hours: every row of the quiet-hours table', () => {
    for (const [zone, quiet, at, ends, why] of byHeader('zone', 'quiet', 'at', 'quiet ends', 'why')) {
      expect(nextInstantOutsideWindow(instant(at!), windowOf(quiet!), zone!), `${zone} ${quiet} ${at}: ${why}`).toBe(instant(ends!));
    }
  });

  it('untilAttribute: every row of the attribute table', () => {
    for (const [value, zone, offset, at, why] of byHeader('attribute value', 'zone', 'offset', 'instant', 'why')) {
      const shift = offset === '' ? undefined : { duration: Number(offset!.split(' ')[0]), unit: offset!.split(' ')[1] as 'days' };
      expect(attributeInstant(JSON.parse(value!), zone!, shift), `${value} ${zone}: ${why}`).toEqual({ ok: true, instant: instant(at!) });
    }
  });
});
