/** The step kinds an editor offers: one entry per kind of the registry (src/model/steps/). */
import { STEP_KINDS } from '../model/steps/index.js';
import type { StepType } from '../model/types.js';
import { cloneJson } from './immutable.js';

/** One kind in the palette. */
export interface PaletteEntry {
  readonly kind: StepType;
  readonly label: string;
  readonly description: string;
  /** A config that passes the kind's schema (a copy: change it freely). */
  readonly defaultConfig: Record<string, unknown>;
}

/** Words and a starting config per kind: a kind missing here is a compile error. */
const ENTRIES: { readonly [K in StepType]: Omit<PaletteEntry, 'kind' | 'defaultConfig'> & { readonly defaultConfig: () => Record<string, unknown> } } = {
  wait: { label: 'Wait', description: 'Hold the customer for a time, until an instant, or until a date they carry.', defaultConfig: () => ({ duration: 1, unit: 'days' }) },
  decide: { label: 'Decide', description: 'Ask a decision flow for the best offers and store them.', defaultConfig: () => ({ decisionFlowId: 'decision_flow', maxOffers: 1 }) },
  branch: { label: 'Branch', description: 'Go where the first true condition says, else to the default.', defaultConfig: () => ({ conditions: [] }) },
  send: { label: 'Send', description: 'Send a message through a channel, with a decided offer.', defaultConfig: () => ({ channelId: 'email' }) },
  update: { label: 'Update', description: "Change the customer's profile or the enrollment's flags.", defaultConfig: () => ({ operations: [{ type: 'set_flag', flag: 'updated', value: true }] }) },
  waitFor: {
    label: 'Wait for',
    description: 'Wait until the customer does something (an event or an outcome), with a timeout.',
    defaultConfig: () => ({ paths: [{ event: 'event', targetStepId: null }], timeout: { duration: 1, unit: 'days' } }),
  },
  split: {
    label: 'Split',
    description: 'Send each customer down one variant, by weight: experiments and holdouts.',
    defaultConfig: () => ({ variants: [{ label: 'A', weight: 50, targetStepId: null }, { label: 'B', weight: 50, targetStepId: null }] }),
  },
};

/**
 * Every step kind, in registry order, with a label, a description and a default config a
 * palette drop can use (it passes the kind's schema; a branch starts without conditions).
 *
 * @example
 * ```ts
 * palette().map((e) => <button data-step-kind={e.kind}>{e.label}</button>);
 * ```
 */
export function palette(): PaletteEntry[] {
  return (Object.keys(STEP_KINDS) as StepType[]).map((kind) => {
    const entry = ENTRIES[kind];
    return { kind, label: entry.label, description: entry.description, defaultConfig: entry.defaultConfig() };
  });
}

/** The default config of `kind` (a fresh copy), or `undefined` for a type no kind knows. */
export function defaultConfig(kind: string): Record<string, unknown> | undefined {
  return Object.hasOwn(ENTRIES, kind) ? cloneJson(ENTRIES[kind as StepType].defaultConfig()) : undefined;
}
