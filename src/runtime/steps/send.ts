/** The `send` step at run time: send through the channel (with the stored offer), or skip when there is none. */
import { JourneyError } from '../../model/errors.js';
import { own } from '../../model/own.js';
import { kindOf } from '../../model/steps/index.js';
import type { Step } from '../../model/types.js';
import type { CompiledStepBase } from '../compile-journey.js';
import type { Offer } from '../types.js';
import type { StepKindRuntime } from './kind.js';

export type CompiledSend = CompiledStepBase & {
  readonly type: 'send';
  readonly channelId: string;
  readonly creativeId: string | null;
  /** The results key `resultSource` resolves to, or null when the step names none. */
  readonly resultKey: string | null;
  readonly bypassPolicy: boolean;
  /** The step's own `priority`; null: the journey's (`sendPolicy.priority`, default 0). */
  readonly priority: number | null;
};

/** Which key a send's `resultSource` reads: the id of a step that stores a result (a decide), or the name it stores it as (`storeResultAs`). */
export function resolveResultKey(resultSource: string, steps: readonly Step[]): string | null {
  let byKey: string | null = null;
  for (const step of steps) {
    const stores = kindOf(step).storesResult;
    if (stores === undefined) continue;
    const key = stores(step) ?? step.id;
    if (step.id === resultSource) return key;
    if (key === resultSource) byKey = key;
  }
  return byKey;
}

export const sendRuntime: StepKindRuntime<'send'> = {
  type: 'send',
  compile(step, base, { steps, index }) {
    const source = step.config.resultSource;
    const resultKey = source === undefined ? null : resolveResultKey(source, steps);
    if (source !== undefined && resultKey === null) {
      throw new JourneyError('invalid-journey', `resultSource "${source}" names no decide step or storeResultAs key`, {
        path: ['steps', index, 'config', 'resultSource'],
      });
    }
    return { ...base, type: 'send', channelId: step.config.channelId, creativeId: step.config.creativeId ?? null, resultKey, bypassPolicy: step.config.bypassPolicy ?? false, priority: step.config.priority ?? null };
  },
  enter(step, visit, run) {
    if (step.resultKey !== null && (own(run.draft.results, step.resultKey)?.length ?? 0) === 0) {
      // Nothing to send: the decision flow returned no offer (or never ran on this path).
      run.events.push({ type: 'skipped', stepId: step.id, stepType: step.type, visit, at: run.now, reason: 'no-offer', detail: { resultKey: step.resultKey } });
      return run.moveTo(step.successor);
    }
    return run.issueEffect(step, visit);
  },
  effect: {
    result: 'sent',
    command(step, visit, idempotencyKey, run) {
      const offers: readonly Offer[] = step.resultKey === null ? [] : (own(run.draft.results, step.resultKey) ?? []);
      return {
        type: 'send', stepId: step.id, visit, idempotencyKey, channelId: step.channelId, creativeId: step.creativeId, offer: offers[0] ?? null, offers,
        ...(step.bypassPolicy ? { bypassPolicy: true } : {}),
        ...(step.priority === null ? {} : { priority: step.priority }),
      };
    },
    done(step, input, run) {
      if (input.type !== 'sent') return undefined;
      run.recordSend(step.id, input.visit, input.receipt.messageId);
      return input.receipt.messageId === undefined ? { channelId: step.channelId } : { channelId: step.channelId, messageId: input.receipt.messageId };
    },
  },
};
