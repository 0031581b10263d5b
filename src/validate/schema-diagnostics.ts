/**
 * Schema validation with friendly diagnostics: parses a journey document with the zod schemas
 * of src/model, one step at a time with the schema its `type` selects (faster than the big
 * discriminated union, and a step with an unknown type gets one clear diagnostic) after a
 * fast path that accepts certainly-valid steps without zod (fast-steps.ts), and maps
 * every zod issue to an `invalid-field` / `unknown-field` diagnostic with a path into the input.
 */
import { z } from 'zod';
import { journeyDocumentSchema, LIMITS } from '../model/schema.js';
import { DIAGNOSTIC_PARAM, STEP_KINDS, type StepKindModel } from '../model/steps/index.js';
import { formatPath } from '../model/errors.js';
import { STEP_TYPES } from '../model/types.js';
import type { JourneyDocument, Step, StepType, UpdateStep } from '../model/types.js';
import { closestKey } from './closest-key.js';
import { fastParseStep } from './fast-steps.js';
import { diagnostic, isDiagnosticCode } from './diagnostics.js';
import type { Diagnostic, DiagnosticPath } from './diagnostics.js';
import { knownKeysAt, ownValue, valueAt } from './schema-walk.js';

/** Each kind's step schema, by type (the registry, src/model/steps/). */
const STEP_SCHEMAS: Readonly<Record<string, z.ZodType<Step>>> = Object.freeze(
  Object.fromEntries((Object.values(STEP_KINDS) as StepKindModel<StepType>[]).map((kind) => [kind.type, kind.schema])),
);

/** The document without its steps; steps are parsed one by one. */
const shellSchema = journeyDocumentSchema.extend({ steps: z.unknown().optional() });

/** What {@link parseJourneyDocument} found. */
export interface SchemaParseResult {
  /** The parsed document, when every part of it parsed. */
  readonly journey?: JourneyDocument;
  /**
   * Each step as parsed, or undefined where the step failed to parse (same indices as the
   * input's steps). Empty when `steps` is not an array.
   */
  readonly steps: readonly (Step | undefined)[];
  readonly diagnostics: Diagnostic[];
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
      return Number.isNaN(value) ? 'NaN' : `the number ${value}`;
    case 'boolean':
      return `${value}`;
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

function article(expected: string): string {
  if (expected === 'null' || expected === 'undefined') return expected;
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function where(path: DiagnosticPath): string {
  return path.length === 0 ? 'The document' : `"${formatPath(path)}"`;
}

function quoteList(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

function sizeWord(origin: unknown, n: number): string {
  if (origin === 'string') return `${n} character${n === 1 ? '' : 's'}`;
  if (origin === 'array' || origin === 'set') return `${n} item${n === 1 ? '' : 's'}`;
  return `${n}`;
}

interface IssueContext {
  /** Where the parsed value sits in the whole input. */
  readonly basePath: DiagnosticPath;
  /** The schema that was parsed and the value it was given. */
  readonly schema: z.ZodType;
  readonly input: unknown;
  readonly stepId: string | undefined;
}

function pathOf(issue: z.core.$ZodIssue): DiagnosticPath {
  return issue.path.filter((p): p is string | number => typeof p !== 'symbol');
}

/** Append the diagnostics for one zod issue. */
function mapIssue(issue: z.core.$ZodIssue, ctx: IssueContext, out: Diagnostic[], relative: DiagnosticPath = pathOf(issue)): void {
  const path = [...ctx.basePath, ...relative];
  const value = valueAt(ctx.input, relative);
  const at = where(path);
  const invalid = (message: string, p: DiagnosticPath = path): void => {
    out.push(diagnostic('invalid-field', message, p, ctx.stepId));
  };
  const missing = value === undefined && relative.length > 0;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(ctx.schema, ctx.input, relative);
      for (const key of issue.keys) {
        const suggestion = closestKey(key, known);
        const hint =
          suggestion !== undefined
            ? `did you mean "${suggestion}"?`
            : known.length > 0
              ? `remove it; the known fields here are ${quoteList(known)}.`
              : 'remove it.';
        out.push(diagnostic('unknown-field', `Unknown field "${key}" in ${path.length === 0 ? 'the document' : `"${formatPath(path)}"`}: ${hint}`, [...path, key], ctx.stepId));
      }
      return;
    }
    case 'invalid_type': {
      const expected = issue.expected === 'nonoptional' ? 'value' : issue.expected;
      if (missing) {
        invalid(`${at} is required: add ${article(expected)}.`);
      } else {
        const hint =
          expected === 'number' && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))
            ? ' Write the number without quotes.'
            : typeof value === 'number' && !Number.isFinite(value)
              ? ' Use a finite number.'
              : '';
        invalid(`${at} must be ${article(expected)}, but it is ${describeValue(value)}.${hint}`);
      }
      return;
    }
    case 'invalid_value': {
      const list = issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${quoteList(issue.values)}`;
      invalid(missing ? `${at} is required: set it to ${list}.` : `${at} must be ${list}, but it is ${describeValue(value)}.`);
      return;
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string' && min === 1) invalid(`${at} must not be empty.`);
      else if (issue.origin === 'string' || issue.origin === 'array')
        invalid(`${at} must have at least ${sizeWord(issue.origin, min)}; it has ${sizeWord(issue.origin, (value as { length?: number } | undefined)?.length ?? 0)}.`);
      else invalid(`${at} must be ${issue.inclusive ? 'at least' : 'greater than'} ${min}, but it is ${describeValue(value)}.`);
      return;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string' || issue.origin === 'array')
        invalid(`${at} must have at most ${sizeWord(issue.origin, max)}; it has ${sizeWord(issue.origin, (value as { length?: number } | undefined)?.length ?? 0)}. Shorten it.`);
      else invalid(`${at} must be ${issue.inclusive ? 'at most' : 'less than'} ${max}, but it is ${describeValue(value)}.`);
      return;
    }
    case 'invalid_format': {
      const custom = issue.message.startsWith('Invalid') ? `it must match ${issue.pattern ?? issue.format}` : issue.message;
      invalid(`${at} is not valid (${describeValue(value)}): ${custom}.`);
      return;
    }
    case 'invalid_union': {
      const union = issue as { note?: string; discriminator?: string; options?: unknown[] };
      if (union.note === 'No matching discriminator') {
        // zod points the issue at the discriminator itself.
        const options = union.options ?? [];
        if (value === undefined) invalid(`${at} is required: set it to one of ${quoteList(options)}.`);
        else invalid(`${at} must be one of ${quoteList(options)}, but it is ${describeValue(value)}.`);
        return;
      }
      // Report the alternative that got furthest: the one whose failure is not about the
      // value's basic type at the union's own path.
      const branch = issue.errors.find((errs) => errs.some((e) => e.path.length > 0 || e.code !== 'invalid_type'));
      if (branch) {
        for (const sub of branch) mapIssue(sub, ctx, out, [...relative, ...pathOf(sub)]);
        return;
      }
      invalid(`${at} is not an allowed value (${describeValue(value)}): use a string, number, boolean, null, array or object.`);
      return;
    }
    case 'invalid_key': {
      const first = issue.issues[0];
      const reason = first && !first.message.startsWith('Invalid') ? first.message : 'keys must be identifiers (a letter or "_" first, then letters, digits or "_")';
      invalid(`${at} is not an allowed key: ${reason}.`);
      return;
    }
    case 'custom': {
      // A kind's schema may name the diagnostic code of its own check (src/model/steps/kind.ts).
      const code: unknown = issue.params?.[DIAGNOSTIC_PARAM];
      out.push(diagnostic(isDiagnosticCode(code) ? code : 'invalid-field', `${at}: ${issue.message}.`, path, ctx.stepId));
      return;
    }
    default:
      invalid(`${at}: ${issue.message}.`);
      return;
  }
}

function mapError(error: z.ZodError, ctx: IssueContext, out: Diagnostic[]): void {
  for (const issue of error.issues) mapIssue(issue, ctx, out);
}

/** Whether a JSON-like value refers back to itself (zod accepts such values; JSON cannot hold them). */
function isCyclic(root: unknown): boolean {
  const active = new Set<object>();
  const stack: { value: object; children: unknown[]; next: number }[] = [];
  const enter = (value: unknown): boolean => {
    if (value === null || typeof value !== 'object') return false;
    if (active.has(value)) return true;
    active.add(value);
    stack.push({ value, children: Array.isArray(value) ? value : Object.values(value), next: 0 });
    return false;
  };
  if (enter(root)) return true;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.next < frame.children.length) {
      if (enter(frame.children[frame.next++])) return true;
    } else {
      active.delete(frame.value);
      stack.pop();
    }
  }
  return false;
}

function checkAcyclicValues(step: UpdateStep, path: DiagnosticPath, stepId: string | undefined, out: Diagnostic[]): boolean {
  let ok = true;
  const operations = step.config.operations;
  for (let j = 0; j < operations.length; j++) {
    const op = operations[j]!;
    if (op.type !== 'set_attribute' || op.value === null || typeof op.value !== 'object' || !isCyclic(op.value)) continue;
    const p = [...path, 'config', 'operations', j, 'value'];
    out.push(diagnostic('invalid-field', `${where(p)} refers back to itself; an attribute value must be plain JSON without cycles.`, p, stepId));
    ok = false;
  }
  return ok;
}

function parseStep(raw: unknown, index: number, out: Diagnostic[]): Step | undefined {
  const fast = fastParseStep(raw);
  if (fast) return fast;
  const path: DiagnosticPath = ['steps', index];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    out.push(diagnostic('invalid-field', `${where(path)} must be an object with "id", "type" and "config", but it is ${describeValue(raw)}.`, path));
    return undefined;
  }
  const rawId = ownValue(raw, 'id');
  const stepId = typeof rawId === 'string' && rawId !== '' ? rawId : undefined;
  const type = ownValue(raw, 'type');
  const schema = typeof type === 'string' && Object.prototype.hasOwnProperty.call(STEP_SCHEMAS, type) ? STEP_SCHEMAS[type] : undefined;
  if (!schema) {
    const p = [...path, 'type'];
    out.push(
      diagnostic(
        'invalid-field',
        type === undefined
          ? `${where(p)} is required: set it to one of ${quoteList(STEP_TYPES)}.`
          : `${where(p)} must be one of ${quoteList(STEP_TYPES)}, but it is ${describeValue(type)}.`,
        p,
        stepId,
      ),
    );
    return undefined;
  }
  const result = schema.safeParse(raw);
  if (result.success) {
    if (result.data.type === 'update' && !checkAcyclicValues(result.data, path, stepId, out)) return undefined;
    return result.data;
  }
  mapError(result.error, { basePath: path, schema, input: raw, stepId }, out);
  return undefined;
}

/**
 * Parse a journey document, returning the parsed document when it is valid and a diagnostic
 * for every schema problem. Throws only if reading the input throws (a getter, a Proxy trap,
 * a cyclic structure); {@link validateJourney} catches that.
 */
export function parseJourneyDocument(input: unknown): SchemaParseResult {
  const diagnostics: Diagnostic[] = [];
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    diagnostics.push(
      diagnostic('invalid-field', `A journey document must be a JSON object with "name", "maxDuration" and "steps", but the input is ${describeValue(input)}.`, []),
    );
    return { steps: [], diagnostics };
  }
  const shell = shellSchema.safeParse(input);
  if (!shell.success) mapError(shell.error, { basePath: [], schema: journeyDocumentSchema, input, stepId: undefined }, diagnostics);

  const rawSteps = ownValue(input, 'steps');
  const steps: (Step | undefined)[] = [];
  let stepsOk = false;
  if (rawSteps === undefined) {
    diagnostics.push(diagnostic('invalid-field', `"steps" is required: add an array of steps (it may be empty in a draft).`, ['steps']));
  } else if (!Array.isArray(rawSteps)) {
    diagnostics.push(diagnostic('invalid-field', `"steps" must be an array of steps, but it is ${describeValue(rawSteps)}.`, ['steps']));
  } else if (rawSteps.length > LIMITS.steps) {
    diagnostics.push(
      diagnostic('invalid-field', `"steps" must have at most ${LIMITS.steps} items; it has ${rawSteps.length}. Split the journey.`, ['steps']),
    );
  } else {
    stepsOk = true;
    const n = rawSteps.length;
    for (let i = 0; i < n; i++) {
      const step = parseStep(rawSteps[i], i, diagnostics);
      if (step === undefined) stepsOk = false;
      steps.push(step);
    }
  }
  if (!shell.success || !stepsOk) return { steps, diagnostics };
  const journey = { ...shell.data, steps: steps as Step[] } as JourneyDocument;
  return { journey, steps, diagnostics };
}
