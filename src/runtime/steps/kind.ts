/**
 * What a step kind *does*, as one record per kind (the registry in `./index.ts`): how it is
 * compiled, what happens when a customer enters it, the effect command it issues and how it takes
 * that effect's result. The interpreter dispatches through the registry; the kinds reach the
 * enrollment only through {@link StepRun}, so they stay as pure as the interpreter.
 */
import type { StepOf } from '../../model/steps/index.js';
import type { Step, StepType } from '../../model/types.js';
import type { CompiledExpression } from '../../validate/expression/index.js';
import type { CompiledStep, CompiledStepBase } from '../compile-journey.js';
import type { Command, CustomerEvent, EffectCommand, Enrollment, Input, OutcomeEntry, StepEvent } from '../types.js';

/** A compiled step of kind `K`. */
export type CompiledStepOf<K extends StepType> = Extract<CompiledStep, { readonly type: K }>;

/** The inputs that carry an effect's result. */
export type EffectResult = Extract<Input, { type: 'decided' | 'sent' | 'updated' }>;

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What compiling one step may use. */
export interface CompileContext {
  /** Every step of the journey (e.g. to resolve a result name). */
  readonly steps: readonly Step[];
  /** The step's index in `steps`. */
  readonly index: number;
  /** `id`, when it names a step; else throws `invalid-journey` at `path`. */
  target(id: string, path: ReadonlyArray<string | number>): string;
  /**
   * Compile an expression against the journey-wide roots plus the kind's `extraRoots`; throws
   * `invalid-journey` at `path` when it does not compile.
   */
  expression(source: string, path: ReadonlyArray<string | number>): CompiledExpression;
}

/** The advance in progress, as a step kind sees it. */
export interface StepRun {
  /** The draft of the enrollment; a kind writes only what its step owns. */
  readonly draft: Mutable<Enrollment>;
  readonly now: number;
  readonly events: StepEvent[];
  readonly commands: Command[];
  /** Move to `next` (`null`: complete the journey). */
  moveTo(next: string | null): void;
  /** Record that `step` completed. */
  completed(step: CompiledStep, detail?: Readonly<Record<string, unknown>>): void;
  /** Wait for the step's effect: its kind's `effect.command` is issued. */
  issueEffect(step: CompiledStep, visit: number): void;
  /** Set enrollment flags. */
  applyFlags(flags: Readonly<Record<string, boolean>>): void;
  /** A send completed now: remember it and start a new `latestOutcome`. */
  recordSend(stepId: string, visit: number, messageId: string | undefined): void;
  /** The expression scope, building only `roots`. */
  scope(roots: ReadonlySet<string>): Record<string, unknown>;
}

/** What reached a waiting customer from outside: an outcome or an event (see `StepKindRuntime.react`). */
export type Arrival =
  | { readonly kind: 'outcome'; readonly outcome: OutcomeEntry }
  | { readonly kind: 'event'; readonly event: CustomerEvent };

/** What a step kind does. */
export interface StepKindRuntime<K extends StepType> {
  readonly type: K;
  /** Everything the interpreter needs, precomputed. `base` carries id, index, successor, revisitable. */
  compile(step: StepOf<K>, base: CompiledStepBase, context: CompileContext): CompiledStepOf<K>;
  /** A customer entered the step (visit `visit`): wait, issue an effect, or move on. */
  enter(step: CompiledStepOf<K>, visit: number, run: StepRun): void;
  /**
   * For a kind that holds the customer (`waiting`): its wake-up came (a timeout, the end of a
   * wait). Absent: the step completes and takes its normal transition. The deadline is checked first.
   */
  waited?(step: CompiledStepOf<K>, run: StepRun): void;
  /**
   * For a kind that waits for something to happen: an outcome or event reached the customer
   * while they wait at this step. To move them on, record the completion (`run.completed`) and
   * `run.moveTo` the target; the interpreter runs the steps that follow once the inbox is applied.
   * Absent: the kind ignores arrivals.
   */
  react?(step: CompiledStepOf<K>, arrival: Arrival, run: StepRun): void;
  /** For a kind with an effect: the input type of its result, the command it issues, and how it takes the result. */
  readonly effect?: {
    readonly result: EffectResult['type'];
    command(step: CompiledStepOf<K>, visit: number, idempotencyKey: string, run: StepRun): EffectCommand;
    /** Apply the result; returns the `completed` event's detail. */
    done(step: CompiledStepOf<K>, input: EffectResult, run: StepRun): Readonly<Record<string, unknown>> | undefined;
  };
}

/** One runtime per kind: a kind missing here is a compile error. */
export type StepKindRuntimes = { readonly [K in StepType]: StepKindRuntime<K> };
