/**
 * Calendar math per call: zone offsets, wall-clock ⇄ instant, window wake-ups, quiet hours and
 * local days, over random instants in 2026 across five zones (New York, London, Lord Howe,
 * Kolkata, Chatham), with temporal-polyfill doing the same conversions in the same run.
 *
 *   npx tsx bench/calendar.ts
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Temporal } from 'temporal-polyfill';
import {
  localDayOf, nextInstantInWindow, nextInstantOutsideWindow, resolveTimeZone, toWallClock, wallClockToInstant, zoneOffsetMs,
} from '../src/model/calendar/index.js';

const ZONES = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham'];
const N = 50_000;
const YEAR_START = Date.UTC(2026, 0, 1);
const YEAR_MS = 365 * 86_400_000;
const business = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' };
const quiet = { days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], from: '21:00', to: '08:00' };

/** Deterministic pseudo-random instants (a 32-bit LCG), so every run measures the same inputs. */
function instants(count: number): number[] {
  let state = 12345;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return YEAR_START + Math.floor((state / 2 ** 32) * YEAR_MS);
  });
}

interface Row {
  readonly operation: string;
  readonly microseconds: number;
}

let sink = 0;

function measure(operation: string, inputs: readonly number[], f: (at: number, zone: string) => number): Row {
  for (let i = 0; i < 2_000; i++) sink += f(inputs[i]!, ZONES[i % ZONES.length]!); // warm up
  const samples: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    for (let i = 0; i < inputs.length; i++) sink += f(inputs[i]!, ZONES[i % ZONES.length]!);
    samples.push(((performance.now() - start) * 1000) / inputs.length);
  }
  samples.sort((a, b) => a - b);
  return { operation, microseconds: samples[2]! };
}

/** Run every measurement and print µs per call (median of 5 rounds of 50,000 calls). */
export async function run(): Promise<Row[]> {
  const at = instants(N);
  const walls = at.map((t, i) => toWallClock(t, ZONES[i % ZONES.length]!));
  const customer = { timezone: 'Asia/Kolkata' };
  const rows = [
    measure('zoneOffsetMs', at, (t, z) => zoneOffsetMs(t, z)),
    measure('toWallClock', at, (t, z) => toWallClock(t, z)),
    measure('temporal-polyfill: Instant → ZonedDateTime fields', at, (t, z) => Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(z).hour),
    measure('wallClockToInstant', walls, (w, z) => wallClockToInstant(w, z)),
    measure('temporal-polyfill: PlainDateTime → ZonedDateTime', walls, (w, z) =>
      Temporal.Instant.fromEpochMilliseconds(w).toZonedDateTimeISO('UTC').toPlainDateTime().toZonedDateTime(z).epochMilliseconds),
    measure('nextInstantInWindow (Mon–Fri 09:00–17:00)', at, (t, z) => nextInstantInWindow(t, business, z)!),
    measure('nextInstantOutsideWindow (quiet 21:00–08:00)', at, (t, z) => nextInstantOutsideWindow(t, quiet, z)!),
    measure('localDayOf', at, (t, z) => localDayOf(t, z)!.end),
    measure('resolveTimeZone (customer.timezone)', at, () => resolveTimeZone('customer.timezone', customer).zone.length),
  ];
  // Cold: the first look-up in a span builds it from Intl (~100 format calls); every instant here
  // lies in a span not seen before (1,000 spans of ~25 days from 1700 on).
  const coldStart = performance.now();
  for (let i = 0; i < 1_000; i++) sink += zoneOffsetMs(Date.UTC(1700, 0, 1) + i * 2 ** 31, 'Europe/London');
  rows.push({ operation: 'zoneOffsetMs, cold (first look-up in a 25-day span)', microseconds: ((performance.now() - coldStart) * 1000) / 1_000 });
  await Promise.resolve();
  const byName = (name: string): number => rows.find((r) => r.operation.startsWith(name))!.microseconds;
  console.log(`µs per call, median of 5 rounds × ${N.toLocaleString('en-US')} random instants in 2026 over ${ZONES.length} zones`);
  console.table(rows.map((r) => ({ operation: r.operation, 'µs/call': r.microseconds.toFixed(2) })));
  console.log(`toWallClock ÷ temporal-polyfill:        ${(byName('temporal-polyfill: Instant') / byName('toWallClock')).toFixed(1)}x faster`);
  console.log(`wallClockToInstant ÷ temporal-polyfill: ${(byName('temporal-polyfill: PlainDateTime') / byName('wallClockToInstant')).toFixed(1)}x faster`);
  if (sink === -1) console.log(sink); // keep the work observable
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
