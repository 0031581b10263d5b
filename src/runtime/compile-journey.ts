import { MS_PER_DAY } from '../model/duration.js';
import { JourneyError } from '../model/errors.js';
import { STEP_KINDS, type StepOf } from '../model/steps/index.js';
import { EVENT_ROOT } from '../model/steps/wait-for.js';
import { resolveTransitions } from '../model/transitions.js';
import type { JourneySendPolicy } from '../model/send-policy.js';
import type { JourneyDefinition, StepType } from '../model/types.js';
import { compileExpression, EXPRESSION_ROOTS, type CompiledExpression } from '../validate/expression/index.js';
import { parseSource } from '../validate/expression/parse-source.js';
import { buildGraph, componentIndex, hasEdge } from '../validate/graph.js';
import type { CompiledBranch } from './steps/branch.js';
import type { CompiledDecide } from './steps/decide.js';
import { STEP_RUNTIMES, type CompileContext, type StepKindRuntime } from './steps/index.js';
import type { CompiledSend } from './steps/send.js';
import type { CompiledSplit } from './steps/split.js';
import type { CompiledUpdate } from './steps/update.js';
import type { CompiledWait } from './steps/wait.js';
import type { CompiledWaitFor } from './steps/wait-for.js';

export type { CompiledCondition } from './steps/branch.js';

/** What every compiled step has. */
export interface CompiledStepBase {
  readonly id: string;
  readonly index: number;
  /** Where the step goes when it is done (branches: when no condition matches and there is no default). */
  readonly successor: string | null;
  /**
   * Whether the step lies on a cycle of the journey graph (every transition counted: `next`,
   * array order, branch conditions and default), so an enrollment may enter it more than once.
   * A step that is not is entered at most once: its visit is always 1 and the enrollment keeps
   * no count for it.
   */
  readonly revisitable: boolean;
}

/** A step with everything the interpreter needs precomputed (each kind's shape is in src/runtime/steps/<kind>.ts). */
export type CompiledStep = CompiledWait | CompiledDecide | CompiledBranch | CompiledSend | CompiledUpdate | CompiledWaitFor | CompiledSplit;

/** A journey goal ready to match (see src/model/goals.ts). */
export interface CompiledGoal {
  readonly id: string;
  readonly outcome: string | null;
  readonly event: string | null;
  /** The `where` condition (event goals), with the roots it reads besides `event`. */
  readonly where: { readonly evaluate: (scope: Readonly<Record<string, unknown>>) => unknown; readonly roots: ReadonlySet<string> } | null;
  readonly exit: boolean;
}

/**
 * One journey version, compiled once for the interpreter: steps by id, transitions resolved,
 * expressions compiled to closures, wait durations in milliseconds.
 */
export interface CompiledJourney {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly version: number;
  readonly maxDurationMs: number;
  readonly firstStepId: string | null;
  readonly steps: ReadonlyMap<string, CompiledStep>;
  /**
   * Whether a branch condition reads `enrollment.visits`: then every step's visits are counted
   * (a step on no cycle too, as 1 once entered), so the expression sees what it always saw.
   */
  readonly countsEveryVisit: boolean;
  /** The journey's goals, in document order (checked on every event and outcome). */
  readonly goals: readonly CompiledGoal[];
  /** The journey's own send policy, applied besides the engine's (null: none). */
  readonly sendPolicy: JourneySendPolicy | null;
}

/** Identity of the journey being compiled. */
export interface JourneyIdentity {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly version: number;
}

export { resolveResultKey } from './steps/send.js';

/**
 * Compile a journey version. The definition must be valid (activation guarantees it):
 * an unknown target, an unresolvable result source or a bad expression throws a
 * {@link JourneyError} with code `invalid-journey` and the path of the offending field.
 */
export function compileJourney(identity: JourneyIdentity, definition: JourneyDefinition): CompiledJourney {
  const { steps } = definition;
  const ids = new Set<string>();
  for (const step of steps) ids.add(step.id);
  const target = (id: string, path: ReadonlyArray<string | number>): string => {
    if (!ids.has(id)) throw new JourneyError('invalid-journey', `step "${id}" does not exist`, { path });
    return id;
  };

  // An expression that reads `enrollment.visits` makes every visit counted (see `countsEveryVisit`).
  let countsEveryVisit = false;
  const expressionIn = (extraRoots: readonly string[]) => (source: string, path: ReadonlyArray<string | number>): CompiledExpression => {
    try {
      const compiledExpression = compileExpression(source, extraRoots.length === 0 ? {} : { roots: [...EXPRESSION_ROOTS, ...extraRoots] });
      if (!countsEveryVisit && compiledExpression.identifiers.includes('enrollment')) countsEveryVisit = readsVisits(source);
      return compiledExpression;
    } catch (error) {
      throw new JourneyError('invalid-journey', `expression does not compile: ${(error as Error).message}`, { path, cause: error });
    }
  };
  const revisitable = revisitableSteps(steps);
  const successors = resolveTransitions(steps);
  const compiled = new Map<string, CompiledStep>();
  steps.forEach((step, index) => {
    if (compiled.has(step.id)) {
      throw new JourneyError('invalid-journey', `duplicate step id "${step.id}"`, { path: ['steps', index, 'id'] });
    }
    const successor = typeof step.next === 'string' ? target(step.next, ['steps', index, 'next']) : (successors[index] ?? null);
    const base = { id: step.id, index, successor, revisitable: revisitable[index] === 1 };
    const context: CompileContext = { steps, index, target, expression: expressionIn(STEP_KINDS[step.type].extraRoots) };
    compiled.set(step.id, (STEP_RUNTIMES[step.type] as StepKindRuntime<StepType>).compile(step as StepOf<StepType>, base, context));
  });

  const goalExpression = expressionIn([EVENT_ROOT]);
  const goals = (definition.goals ?? []).map((goal, i): CompiledGoal => {
    const where = goal.where === undefined ? null : goalExpression(goal.where, ['goals', i, 'where']);
    return {
      id: goal.id,
      outcome: goal.outcome ?? null,
      event: goal.event ?? null,
      where: where === null ? null : { evaluate: where.evaluate, roots: new Set(where.identifiers.filter((r) => r !== EVENT_ROOT)) },
      exit: goal.exit ?? false,
    };
  });

  return {
    id: identity.id,
    tenantId: identity.tenantId,
    name: identity.name,
    version: identity.version,
    maxDurationMs: Math.round(definition.maxDuration * MS_PER_DAY),
    firstStepId: steps[0]?.id ?? null,
    steps: compiled,
    countsEveryVisit,
    goals,
    sendPolicy: definition.sendPolicy ?? null,
  };
}

/**
 * For each step (by index), 1 when it lies on a cycle of the journey graph: its strongly
 * connected component has more than one step, or it has a transition to itself. O(steps + transitions).
 */
function revisitableSteps(steps: JourneyDefinition['steps']): Uint8Array {
  const graph = buildGraph(steps);
  const { componentOf, memberStart } = componentIndex(graph.successors);
  const out = new Uint8Array(graph.size);
  for (let v = 0; v < graph.size; v++) {
    const c = componentOf[v]!;
    if (memberStart[c + 1]! - memberStart[c]! > 1 || hasEdge(graph.successors, v, v)) out[v] = 1;
  }
  return out;
}

/**
 * Whether an expression (that compiled) may read `visits`: some member key or string literal in
 * it is `visits`. Errs towards yes — a yes only means every visit is counted.
 */
function readsVisits(source: string): boolean {
  const pending: unknown[] = [parseSource(source, false).ast];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) {
      pending.push(...(node as unknown[]));
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    const n = node as Record<string, unknown>;
    if ((n['type'] === 'Identifier' && n['name'] === 'visits') || (n['type'] === 'Literal' && n['value'] === 'visits')) return true;
    for (const key in n) if (key !== 'type') pending.push(n[key]);
  }
  return false;
}

/** Exhaustiveness check for switches over unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
