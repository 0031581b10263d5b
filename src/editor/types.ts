/**
 * The editor's graph model: what a journey document looks like to a flow editor (nodes with one
 * handle per outgoing transition, edges, diagnostics and stats per node) and what an edit returns.
 * Framework-free: React Flow's controlled mode reads these as they are (`id`, `position`,
 * `source`, `sourceHandle`, `target`).
 */
import type { StepType } from '../model/types.js';
import type { TransitionKind } from '../model/steps/kind.js';

/**
 * One step of a draft as the editor receives it: possibly malformed (an editor opens drafts
 * with errors), so every field is `unknown` and read defensively. A parsed `Step` is one.
 */
export interface DraftStep {
  readonly id?: unknown;
  readonly type?: unknown;
  readonly next?: unknown;
  readonly position?: unknown;
  readonly label?: unknown;
  readonly config?: unknown;
  readonly [field: string]: unknown;
}

/**
 * A journey document being edited: any object with a `steps` array. A `JourneyDocumentInput`
 * (or a parsed `JourneyDocument`) is one; so is a draft that fails validation.
 */
export interface JourneyDraft {
  readonly steps: readonly DraftStep[];
  readonly [field: string]: unknown;
}

/** A point on the canvas. */
export interface EditorPosition {
  readonly x: number;
  readonly y: number;
}

/**
 * One outgoing transition of a step, read from its kind's `targets` (src/model/steps/): `next`
 * (the normal transition: `next`, else the following step in array order), each branch
 * condition and the default, each `waitFor` path and the timeout, each split variant.
 */
export interface EditorHandle {
  /**
   * Stable id within the node: `next` for the normal transition, else the target's path in the
   * step joined by dots (`config.conditions.0.targetStepId`, `config.defaultTargetStepId`,
   * `config.paths.1.targetStepId`, `config.timeoutTargetStepId`, `config.variants.0.targetStepId`).
   */
  readonly id: string;
  readonly kind: TransitionKind;
  /** What a diagram writes on its edge (`Converted`, `default`, `A · 50%`, `timeout 3 days`, `next`). */
  readonly label: string;
  /** Where the target is written, relative to the step (`[]` for array order). */
  readonly path: readonly (string | number)[];
  /** The target step id, or `null` when the journey ends there (no edge). */
  readonly target: string | null;
}

/** One node per step, in array order. */
export interface EditorNode {
  /**
   * The step id; a step whose id is missing, not a string, contains `#`, or repeats an earlier
   * step's id gets `#<index>` instead (never a valid step id, so it cannot collide).
   */
  readonly id: string;
  /** The step's index in `doc.steps`. */
  readonly index: number;
  /** The step's kind, or `unknown` for a type no kind knows (shown as a generic node). */
  readonly kind: StepType | 'unknown';
  /** `step.label`, else the step id. */
  readonly label: string;
  /** The kind's short description (`wait 3 days`), `null` when none or the step is malformed. */
  readonly summary: string | null;
  /** `step.position`, else where {@link layout} would put it. */
  readonly position: EditorPosition;
  /** Whether `position` is the step's own (false: computed by the layout). */
  readonly positioned: boolean;
  /** Whether the step passes its kind's schema. */
  readonly valid: boolean;
  /** Whether this is the entry step (the first). */
  readonly entry: boolean;
  readonly handles: readonly EditorHandle[];
  /** The step as written (not a copy: do not mutate). */
  readonly step: DraftStep;
}

/** One edge per transition that targets a step (a transition that ends the journey has none). */
export interface EditorEdge {
  /** `<source node id>#<handle id>`: unique. */
  readonly id: string;
  readonly source: string;
  readonly sourceHandle: string;
  /** The target node's id; for a {@link missing} target, the id the step names. */
  readonly target: string;
  readonly kind: TransitionKind;
  readonly label: string;
  /** The transition is the following step in array order (no `next` written). */
  readonly implicit: boolean;
  /** The target names no step of the journey (an `unknown-target` diagnostic): show it broken. */
  readonly missing: boolean;
}

/** What {@link toGraph} returns. */
export interface EditorGraph {
  readonly nodes: readonly EditorNode[];
  readonly edges: readonly EditorEdge[];
}

/** Why an edit was refused (nothing changed). */
export const EDIT_REFUSAL_CODES = [
  'not-a-journey',
  'unknown-step',
  'unknown-kind',
  'unknown-handle',
  'unknown-target',
  'instant-loop',
  'target-required',
  'invalid-step-id',
  'duplicate-step-id',
  'invalid-path',
  'read-only-field',
  'invalid-position',
  'empty-clipboard',
] as const;

/** One of {@link EDIT_REFUSAL_CODES}. */
export type EditRefusalCode = (typeof EDIT_REFUSAL_CODES)[number];

/** An edit that was refused: the document is unchanged. */
export interface EditRefusal {
  readonly ok: false;
  readonly code: EditRefusalCode;
  readonly message: string;
}

/** The result of an edit: the new document (the input is never mutated), or why not. */
export type EditResult<D = JourneyDraft> = { readonly ok: true; readonly doc: D } | EditRefusal;

/** A transition to change: the step (by id) and its handle ({@link EditorHandle.id}). */
export interface HandleRef {
  readonly source: string;
  readonly handle: string;
}

/** A connection to make: a handle and the step id it should lead to. */
export interface Connection extends HandleRef {
  readonly target: string;
}
