import type { DecideRequest, DecisionFlows } from '../../runtime/ports.js';
import type { Offer } from '../../runtime/types.js';

/** What a scripted decision flow answers: fixed offers, or a function of the request. */
export type DecisionScript = readonly Offer[] | ((request: DecideRequest) => readonly Offer[] | Promise<readonly Offer[]>);

/** A DecisionFlows port driven by a script, for tests and demos. */
export interface ScriptedDecisions extends DecisionFlows {
  /** Every decide call, in order. */
  readonly calls: DecideRequest[];
}

/**
 * Decision flows from a script keyed by `decisionFlowId`. A flow missing from the script answers
 * one offer `{ id: '<decisionFlowId>:offer' }`, or what `fallback` says.
 *
 * @example
 * const decisions = scriptedDecisions({ df_personal_loans: [{ id: 'loan_a', apr: 7.9 }] });
 */
export function scriptedDecisions(
  script: Readonly<Record<string, DecisionScript>> = {},
  fallback?: DecisionScript,
): ScriptedDecisions {
  const calls: DecideRequest[] = [];
  return {
    calls,
    async decide(request) {
      calls.push(request);
      const entry = Object.hasOwn(script, request.decisionFlowId) ? script[request.decisionFlowId] : fallback;
      const offers = entry === undefined ? [{ id: `${request.decisionFlowId}:offer` }] : typeof entry === 'function' ? await entry(request) : entry;
      return offers.slice(0, request.maxOffers);
    },
  };
}
