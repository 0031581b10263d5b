/** The `decide` step at run time: ask the decision flow, store its offers. */
import type { CompiledStepBase } from '../compile-journey.js';
import type { StepKindRuntime } from './kind.js';

export type CompiledDecide = CompiledStepBase & {
  readonly type: 'decide';
  readonly decisionFlowId: string;
  readonly maxOffers: number;
  /** Key the offers are stored under: `storeResultAs`, else the step id. */
  readonly storeAs: string;
};

export const decideRuntime: StepKindRuntime<'decide'> = {
  type: 'decide',
  compile: (step, base) => ({
    ...base,
    type: 'decide',
    decisionFlowId: step.config.decisionFlowId,
    maxOffers: step.config.maxOffers,
    storeAs: step.config.storeResultAs ?? step.id,
  }),
  enter: (step, visit, run) => run.issueEffect(step, visit),
  effect: {
    result: 'decided',
    command: (step, visit, idempotencyKey) => ({
      type: 'decide',
      stepId: step.id,
      visit,
      idempotencyKey,
      decisionFlowId: step.decisionFlowId,
      maxOffers: step.maxOffers,
      storeAs: step.storeAs,
    }),
    done(step, input, run) {
      if (input.type !== 'decided') return undefined;
      const d = run.draft;
      // Kept as given when within the bound (the input is never written to, nor is the result).
      const offers = input.offers.length <= step.maxOffers ? input.offers : input.offers.slice(0, step.maxOffers);
      d.results = { ...d.results, [step.storeAs]: offers };
      return { offerIds: offers.map((o) => o.id) };
    },
  },
};
