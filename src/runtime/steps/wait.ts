/**
 * The `wait` step at run time: compute the wake-up once, on entering — from the injected clock's
 * `now` and the customer's attributes — and hold the customer until then (or the deadline).
 *
 * Calendar forms whose instant has passed, or whose attribute gives none, continue at once (with
 * a window: at its next opening), with a `noted` event saying why — `wait-target:past`,
 * `wait-target:missing-attribute`, `wait-target:unreadable-attribute`. A window whose customer
 * zone is missing or invalid uses its fallback zone, noted as `time-zone-fallback:<reason>`
 * (`detail: { zone, used }`). Notes are counted in stats (`noted`).
 */
import { attributeInstant, calendarWakeAt, compileWindow, resolveTimeZone, type CompiledWindow } from '../../model/calendar/index.js';
import { firstInstantAfter } from '../../model/duration.js';
import { isoInstant, waitForm, type WaitForm } from '../../model/steps/wait.js';
import type { CompiledStepBase } from '../compile-journey.js';
import type { StepKindRuntime, StepRun } from './kind.js';

/** A wait's window, checked and turned into numbers, with its zone fields. */
export interface CompiledWaitWindow {
  readonly window: CompiledWindow;
  /** `timeZone` as written (an IANA name or `customer.<attribute>`); `undefined`: the fallback. */
  readonly timeZone: string | undefined;
  readonly fallbackTimeZone: string;
}

export type CompiledWait = CompiledStepBase & {
  readonly type: 'wait';
  /** What the wait waits for: a duration (ms), an instant, or a customer attribute's instant. */
  readonly form: WaitForm;
  readonly window: CompiledWaitWindow | null;
};

const CUSTOMER = new Set(['customer']);

/** A value for an event's detail: the value itself when it is a short scalar, else its type. */
function shown(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'string') return value.length > 64 ? `${value.slice(0, 64)}…` : value;
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  return `(${Array.isArray(value) ? 'array' : typeof value})`;
}

function note(run: StepRun, stepId: string, what: string, detail: Readonly<Record<string, unknown>>): void {
  run.events.push({ type: 'noted', stepId, at: run.now, note: what, detail });
}

/** The zone the window is read in for this customer, noting a fallback. */
function zoneFor(step: CompiledWait, attributes: Readonly<Record<string, unknown>>, run: StepRun): string {
  const w = step.window;
  if (w === null) return 'UTC';
  if (w.timeZone === undefined) return w.fallbackTimeZone;
  const resolved = resolveTimeZone(w.timeZone, attributes, w.fallbackTimeZone);
  if (resolved.fellBack) note(run, step.id, `time-zone-fallback:${resolved.reason!}`, { zone: shown(resolved.value), used: resolved.zone });
  return resolved.zone;
}

/** The instant the wait's form names (`now + duration`, `until`, the attribute's), or `now` when the attribute gives none. */
function targetOf(step: CompiledWait, attributes: Readonly<Record<string, unknown>>, zone: string, run: StepRun): number {
  const form = step.form;
  switch (form.form) {
    case 'duration':
      return run.now + form.ms;
    case 'until':
      return form.at;
    case 'untilAttribute': {
      const value = Object.hasOwn(attributes, form.attribute) ? attributes[form.attribute] : undefined;
      const read = attributeInstant(value, zone, form.offset);
      if (read.ok) return read.instant;
      note(run, step.id, `wait-target:${read.problem}`, { attribute: form.attribute, value: shown(value) });
      return run.now;
    }
  }
}

export const waitRuntime: StepKindRuntime<'wait'> = {
  type: 'wait',
  compile(step, base) {
    const w = step.config.window;
    const window =
      w === undefined
        ? null
        : { window: compileWindow(w)!, timeZone: w.timeZone, fallbackTimeZone: w.fallbackTimeZone ?? 'UTC' };
    return { ...base, type: 'wait', form: waitForm(step.config), window };
  },
  enter(step, _visit, run) {
    const d = run.draft;
    const calendar = step.window !== null || step.form.form === 'untilAttribute';
    const attributes = calendar ? ((run.scope(CUSTOMER)['customer'] ?? {}) as Readonly<Record<string, unknown>>) : {};
    const zone = zoneFor(step, attributes, run);
    const target = targetOf(step, attributes, zone, run);
    const wake = calendarWakeAt(run.now, target, step.window?.window, zone);
    if (wake.past) note(run, step.id, 'wait-target:past', { target: isoInstant(target) });
    // A wait that ends after the deadline wakes at the first instant past it, to exit.
    const wakeAt = Math.min(wake.wakeAt, firstInstantAfter(d.deadline));
    if (wakeAt <= run.now) {
      // Nothing to wait for (an instant already past, no attribute, a window open now): continue at once.
      run.completed(step);
      run.moveTo(step.successor);
      return;
    }
    d.phase = 'waiting';
    d.wakeAt = wakeAt;
    run.commands.push({ type: 'schedule', wakeAt });
  },
};
