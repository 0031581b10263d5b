/**
 * Goal conversions in a journey's stats, from the counters the interpreter notes when a goal
 * converts (see `convert` in interpreter.ts): per goal, per split variant (with rate, 95%
 * interval and p-value against the first variant) and per last send before the conversion.
 * Pure: reads counters, never storage.
 */
import type { JourneyRecord } from '../model/types.js';
import { own } from '../model/own.js';
import { experimentStats, type VariantStats } from './experiment-stats.js';
import type { StepStats } from './ports.js';

/** The stats of one goal. */
export interface GoalStats {
  readonly id: string;
  readonly label?: string;
  /** Whether converting ends the enrollment (`exit: true`). */
  readonly exit: boolean;
  /** Enrollments that converted this goal (each at most once). */
  readonly conversions: number;
  /** Enrollments of the journey so far (the base of `rate`). */
  readonly enrolled: number;
  /** `conversions / enrolled`, or `null` before anyone enrolled. */
  readonly rate: number | null;
  /**
   * For each split step: its variants in document order (the first is the control), each with
   * the customers assigned to it, those who converted this goal, the rate, its 95% Wilson
   * interval, and the p-value and lift against the first variant (see `experimentStats`).
   */
  readonly byVariant: ReadonlyArray<{ readonly stepId: string; readonly variants: readonly VariantStats[] }>;
  /** Last-touch attribution: conversions by the send step that sent last before each one, most first. */
  readonly lastTouch: ReadonlyArray<{ readonly stepId: string; readonly conversions: number }>;
}

/** The journey-level counters' step id. */
const JOURNEY_LEVEL = '$journey';

/**
 * Goal stats of `journey` from its per-step counters (`Storage.stats`). `enrolled` is every
 * enrollment counted in them (completed, exited, failed or active).
 */
export function goalStats(journey: Pick<JourneyRecord, 'steps' | 'goals'>, raw: Readonly<Record<string, StepStats>>, enrolled: number): GoalStats[] {
  const goals = journey.goals ?? [];
  if (goals.length === 0) return [];
  const noted = (stepId: string, note: string): number => own(own(raw, stepId)?.noted ?? {}, note) ?? 0;
  return goals.map((goal): GoalStats => {
    const prefix = `goal:${goal.id}`;
    const conversions = noted(JOURNEY_LEVEL, prefix);
    const byVariant = journey.steps.flatMap((step) => {
      if (step.type !== 'split') return [];
      const counts = step.config.variants.map((v) => {
        const assigned = noted(step.id, `variant:${v.label}`);
        return { label: v.label, assigned, converted: Math.min(assigned, noted(step.id, `${prefix}:variant:${v.label}`)) };
      });
      return [{ stepId: step.id, variants: experimentStats(counts) }];
    });
    const lastTouch = journey.steps
      .map((step) => ({ stepId: step.id, conversions: noted(step.id, `${prefix}:last-touch`) }))
      .filter((t) => t.conversions > 0)
      .sort((a, b) => b.conversions - a.conversions);
    return {
      id: goal.id,
      ...(goal.label === undefined ? {} : { label: goal.label }),
      exit: goal.exit ?? false,
      conversions,
      enrolled,
      rate: enrolled === 0 ? null : conversions / enrolled,
      byVariant,
      lastTouch,
    };
  });
}
