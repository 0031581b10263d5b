/**
 * What a step kind *is*, as one record per kind (the registry in `./index.ts`): the analyses, the
 * runtime, simulate and the diagram read it instead of switching on `step.type`.
 */
import type { z } from 'zod';
import type { Step, StepType } from '../types.js';

/** The step of kind `K`. */
export type StepOf<K extends StepType> = Extract<Step, { readonly type: K }>;

/** How a step reaches one of its targets (`variant`: a split's chosen variant). */
export type TransitionKind = 'next' | 'order' | 'condition' | 'default' | 'variant';

/** One place a step may go. */
export interface StepTarget {
  /** The target step id, or `null` for the end of the journey. */
  readonly targetStepId: string | null;
  readonly kind: TransitionKind;
  /** Where the target is written, relative to the step (`[]` for array order). */
  readonly path: readonly (string | number)[];
}

/** What a step kind is. */
export interface StepKindModel<K extends StepType> {
  readonly type: K;
  /** The step's schema (`{ id, type, config, … }`); `stepSchema` is the union of all kinds'. */
  readonly schema: z.ZodType<StepOf<K>>;
  /** The timeline's words for the step: `entered` when entering it holds the customer (`waiting`), and its completion (`waited`). */
  readonly timeline: { readonly holding?: string; readonly completed: string };
  /**
   * Every target the step may move to, in evaluation order. `normal` is the step's normal
   * transition (its `next`, else array order); a kind that always ends by it returns `[normal]`.
   */
  targets(step: StepOf<K>, normal: StepTarget): StepTarget[];
  /** The label of an edge to `target` (one of {@link targets}) in a diagram; `''` for none. */
  targetLabel(step: StepOf<K>, target: StepTarget): string;
  /** The Mermaid brackets of its diagram node (`['([', '])']`: a stadium for a wait). */
  readonly diagramShape: readonly [open: string, close: string];
  /** A short description for a diagram node (`wait 3 days`), or `null` for none. */
  summary(step: StepOf<K>): string | null;
  /**
   * How long the step can hold a customer on the journey clock, in ms: the shortest and the
   * longest. An instant step or one that only issues an effect holds for 0 (the effect's latency
   * is not journey time). A cycle through steps that all hold for 0 at least is an instant loop.
   */
  holdMs(step: StepOf<K>): StepHold;
  /** The expressions the step carries, in order (a branch: one per condition). */
  expressions(step: StepOf<K>): StepExpression[];
  /**
   * Roots its expressions may read besides the journey-wide ones (`customer`, `results`, …).
   * None for the seed kinds.
   */
  readonly extraRoots: readonly string[];
  /**
   * For a kind that waits for events: the event types it listens to (`ingestEvent` delivers an
   * event of these types to the customer's enrollments waiting in such a journey). Absent: none.
   */
  listensTo?(step: StepOf<K>): readonly string[];
  /**
   * For a kind that stores a result other steps may read: the name it stores it under besides
   * its own id (`storeResultAs`), `undefined` when only the id. Absent on other kinds.
   */
  storesResult?(step: StepOf<K>): string | undefined;
  /**
   * For a kind that writes customer attributes: each attribute it sets, the JSON value it sets
   * and where the operation holding them is, relative to the step (the validator checks them against the
   * host's customer schema). Absent on other kinds.
   */
  attributeWrites?(step: StepOf<K>): readonly AttributeWrite[];
  /** For a kind that may read a stored result: the name it reads (`resultSource`), if any. Absent on other kinds. */
  readsResult?(step: StepOf<K>): string | undefined;
  /**
   * Checks of a parsed step that its schema cannot make: one against the validator's `now` (a
   * wait `until` an instant already past), a rule across fields (a split's weights must not all
   * be 0). The validator reports each finding as a diagnostic with its code's severity, at the
   * step's path plus the finding's `path`. Absent when the kind has none.
   */
  check?(step: StepOf<K>, context: StepCheckContext): StepFinding[];
}

/** What a kind's {@link StepKindModel.check} may read. */
export interface StepCheckContext {
  /** The instant to compare with (epoch ms), when the validator was given one; time checks are skipped without it. */
  readonly now?: number;
}

/** A problem a kind's check found: a diagnostic code (src/validate/diagnostics.ts), a message and where. */
export interface StepFinding {
  readonly code: string;
  readonly message: string;
  /** Where it is, relative to the step. */
  readonly path: readonly (string | number)[];
}

/**
 * Set as `params.diagnostic` on a custom issue of a kind's schema to report it under that
 * diagnostic code (`invalid-time-zone`) rather than `invalid-field`.
 */
export const DIAGNOSTIC_PARAM = 'diagnostic';

/** A customer attribute a step sets: its key, the value and where (relative to the step) the object holding `key` and `value` is. */
export interface AttributeWrite {
  readonly key: string;
  readonly value: unknown;
  readonly path: readonly (string | number)[];
}

/** One expression a step carries. */
export interface StepExpression {
  readonly source: string;
  /** Where it is written, relative to the step. */
  readonly path: readonly (string | number)[];
  /** How a message names it: `Condition 2 of branch "b"`. */
  readonly name: string;
}

/** The shortest and longest time a step holds a customer (ms). */
export interface StepHold {
  readonly min: number;
  readonly max: number;
  /**
   * The step holds the customer until something arrives from outside, even when that may be at
   * once (`min` 0: a `waitFor` whose event comes right away). No advance runs through it without a
   * new input, so a cycle through it is no instant loop.
   */
  readonly blocks?: boolean;
}

/** The hold of a step that never holds a customer. */
export const INSTANT: StepHold = Object.freeze({ min: 0, max: 0 });

/** One model per kind: a kind missing here is a compile error. */
export type StepKindModels = { readonly [K in StepType]: StepKindModel<K> };

/** For kinds that always leave by their normal transition (no targets of their own). */
export const endsByNormalTransition = {
  targets: (_step: unknown, normal: StepTarget): StepTarget[] => [normal],
  targetLabel: (): string => '',
} as const;

/** For kinds that carry no expression. */
export const noExpressions = { expressions: (): StepExpression[] => [], extraRoots: [] as readonly string[] } as const;

/** `holdMs` of a kind that never holds a customer on the journey clock. */
export const instant = (): StepHold => INSTANT;
