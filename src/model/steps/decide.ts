/** The `decide` step: asks a decision flow for offers and stores them. */
import { z } from 'zod';
import { keySchema, LIMITS, refId, stepBase } from '../schema-base.js';
import type { StepKindModel } from './kind.js';
import { noExpressions, endsByNormalTransition, instant } from './kind.js';

/** Offers a decide step keeps when it names no `maxOffers`. */
export const DEFAULT_MAX_OFFERS = 1;

export const decideConfigSchema = z.strictObject({
  decisionFlowId: refId,
  maxOffers: z.number().int().min(1).max(LIMITS.maxOffers).default(DEFAULT_MAX_OFFERS),
  storeResultAs: keySchema.optional(),
});

export const decideStepSchema = z.strictObject({ ...stepBase, type: z.literal('decide'), config: decideConfigSchema });

/** What a decide step is. */
export const decideKind: StepKindModel<'decide'> = {
  type: 'decide',
  schema: decideStepSchema,
  diagramShape: ['{{', '}}'],
  timeline: { completed: 'decided' },
  ...endsByNormalTransition,
  ...noExpressions,
  holdMs: instant,
  storesResult: (step) => step.config.storeResultAs,
  summary: (step) => `decide ${step.config.decisionFlowId}`,
};
