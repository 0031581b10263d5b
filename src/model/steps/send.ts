/** The `send` step: sends a message through a channel, optionally carrying a decide step's offer. */
import { z } from 'zod';
import { refId, stepBase } from '../schema-base.js';
import type { StepKindModel } from './kind.js';
import { noExpressions, endsByNormalTransition, instant } from './kind.js';

export const sendConfigSchema = z.strictObject({
  channelId: refId,
  creativeId: refId.optional(),
  resultSource: refId.optional(),
  /** Skip the engine's send policy (quiet hours, caps, rate limits) for this send: transactional messages. */
  bypassPolicy: z.boolean().optional(),
  /** 0 (default) to 10: when a frequency cap frees, deferred sends of higher priority go first. */
  priority: z.number().int().min(0).max(10).optional(),
});

export const sendStepSchema = z.strictObject({ ...stepBase, type: z.literal('send'), config: sendConfigSchema });

/** What a send step is. */
export const sendKind: StepKindModel<'send'> = {
  type: 'send',
  schema: sendStepSchema,
  diagramShape: ['[/', '/]'],
  timeline: { completed: 'sent' },
  ...endsByNormalTransition,
  ...noExpressions,
  holdMs: instant,
  readsResult: (step) => step.config.resultSource,
  summary: (step) => `send via ${step.config.channelId}`,
};
