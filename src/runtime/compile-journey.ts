import { durationToMs, MS_PER_DAY } from '../model/duration.js';
import { JourneyError } from '../model/errors.js';
import { kindOf } from '../model/steps/index.js';
import { emptyRecord } from '../model/own.js';
import type { JourneyDefinition, Step, UpdateOperation } from '../model/types.js';
import { compileExpression } from '../validate/expression/index.js';
import { parseSource } from '../validate/expression/parse-source.js';
import { buildGraph, componentIndex, hasEdge } from '../validate/graph.js';

/** A branch condition ready to evaluate. */
export interface CompiledCondition {
  readonly label: string | null;
  readonly targetStepId: string;
  readonly evaluate: (scope: Readonly<Record<string, unknown>>) => unknown;
}

interface CompiledStepBase {
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

/** A step with everything the interpreter needs precomputed. */
export type CompiledStep =
  | (CompiledStepBase & { readonly type: 'wait'; readonly waitMs: number })
  | (CompiledStepBase & {
      readonly type: 'decide';
      readonly decisionFlowId: string;
      readonly maxOffers: number;
      /** Key the offers are stored under: `storeResultAs`, else the step id. */
      readonly storeAs: string;
    })
  | (CompiledStepBase & {
      readonly type: 'branch';
      readonly conditions: readonly CompiledCondition[];
      readonly defaultTarget: string | null;
      /** The scope roots its conditions read: only these are built when it runs. */
      readonly roots: ReadonlySet<string>;
    })
  | (CompiledStepBase & {
      readonly type: 'send';
      readonly channelId: string;
      readonly creativeId: string | null;
      /** The results key `resultSource` resolves to, or null when the step names none. */
      readonly resultKey: string | null;
    })
  | (CompiledStepBase & {
      readonly type: 'update';
      /** Operations for the Profiles port. */
      readonly profileOperations: readonly UpdateOperation[];
      /** `set_flag` operations, applied to the enrollment by the interpreter. */
      readonly flags: Readonly<Record<string, boolean>>;
    });

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
}

/** Identity of the journey being compiled. */
export interface JourneyIdentity {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly version: number;
}

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

  const revisitable = revisitableSteps(steps);
  let countsEveryVisit = false;
  const compiled = new Map<string, CompiledStep>();
  steps.forEach((step, index) => {
    if (compiled.has(step.id)) {
      throw new JourneyError('invalid-journey', `duplicate step id "${step.id}"`, { path: ['steps', index, 'id'] });
    }
    const successor =
      step.next === null
        ? null
        : step.next !== undefined
          ? target(step.next, ['steps', index, 'next'])
          : (steps[index + 1]?.id ?? null);
    const base = { id: step.id, index, successor, revisitable: revisitable[index] === 1 };
    switch (step.type) {
      case 'wait':
        compiled.set(step.id, { ...base, type: 'wait', waitMs: durationToMs(step.config.duration, step.config.unit) });
        break;
      case 'decide':
        compiled.set(step.id, {
          ...base,
          type: 'decide',
          decisionFlowId: step.config.decisionFlowId,
          maxOffers: step.config.maxOffers,
          storeAs: step.config.storeResultAs ?? step.id,
        });
        break;
      case 'branch': {
        const roots = new Set<string>();
        const conditions = step.config.conditions.map((condition, i): CompiledCondition => {
          const path = ['steps', index, 'config', 'conditions', i] as const;
          let evaluate: CompiledCondition['evaluate'];
          try {
            const compiledExpression = compileExpression(condition.expression);
            for (const root of compiledExpression.identifiers) roots.add(root);
            if (!countsEveryVisit && compiledExpression.identifiers.includes('enrollment')) countsEveryVisit = readsVisits(condition.expression);
            evaluate = compiledExpression.evaluate;
          } catch (error) {
            throw new JourneyError('invalid-journey', `expression does not compile: ${(error as Error).message}`, {
              path: [...path, 'expression'],
              cause: error,
            });
          }
          return {
            label: condition.label ?? null,
            targetStepId: target(condition.targetStepId, [...path, 'targetStepId']),
            evaluate,
          };
        });
        const defaultTarget =
          step.config.defaultTargetStepId === undefined
            ? null
            : target(step.config.defaultTargetStepId, ['steps', index, 'config', 'defaultTargetStepId']);
        compiled.set(step.id, { ...base, type: 'branch', conditions, defaultTarget, roots });
        break;
      }
      case 'send': {
        const source = step.config.resultSource;
        const resultKey = source === undefined ? null : resolveResultKey(source, steps);
        if (source !== undefined && resultKey === null) {
          throw new JourneyError('invalid-journey', `resultSource "${source}" names no decide step or storeResultAs key`, {
            path: ['steps', index, 'config', 'resultSource'],
          });
        }
        compiled.set(step.id, {
          ...base,
          type: 'send',
          channelId: step.config.channelId,
          creativeId: step.config.creativeId ?? null,
          resultKey,
        });
        break;
      }
      case 'update': {
        const flags = emptyRecord<boolean>();
        const profileOperations: UpdateOperation[] = [];
        for (const op of step.config.operations) {
          if (op.type === 'set_flag') flags[op.flag] = op.value;
          else profileOperations.push(op);
        }
        compiled.set(step.id, { ...base, type: 'update', profileOperations, flags });
        break;
      }
      default:
        assertNever(step);
    }
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
