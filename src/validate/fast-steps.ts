/**
 * A fast path for the schema parse of a step: a hand-written check that accepts only steps the
 * zod schema in src/model certainly accepts, and builds the same output (defaults included).
 * Anything it is not sure about — a failing field, an attribute value that is an array or
 * object, an unusual object — returns `undefined`, and the caller parses that step with zod,
 * which also produces the diagnostics. So diagnostics always come from zod; this only makes
 * the common, valid case about ten times cheaper (zod costs 1–7 µs per step).
 *
 * Kept honest three ways: its patterns, limits and defaults are the schema's own constants
 * (src/model/schema-base.ts, src/model/steps/), never copies; a differential property test and a
 * test at every limit (fast path accepts ⇔ zod accepts, with an equal result); and
 * {@link FAST_PATH_ENABLED}, which switches the fast path off when the model's step shapes gain or
 * lose a field this file does not know.
 */
import { durationToMs, WAIT_UNITS } from '../model/duration.js';
import { FORBIDDEN_KEYS, KEY_PATTERN, MAX_STRING_VALUE_LENGTH, STEP_ID_PATTERN } from '../model/schema-base.js';
import { DEFAULT_MAX_OFFERS } from '../model/steps/decide.js';
import { DEFAULT_FLAG_VALUE } from '../model/steps/update.js';
import { MAX_WAIT_MS } from '../model/steps/wait.js';
import {
  branchConditionSchema,
  branchStepSchema,
  decideStepSchema,
  LIMITS,
  positionSchema,
  sendStepSchema,
  updateStepSchema,
  waitStepSchema,
} from '../model/schema.js';
import type { BranchCondition, Step, UpdateOperation } from '../model/types.js';

type Obj = Record<string, unknown>;

// The schema's own patterns, limits and defaults (src/model), never copies of them.
const STEP_ID = STEP_ID_PATTERN;
const KEY = KEY_PATTERN;
const RESERVED_KEYS = FORBIDDEN_KEYS;
const UNITS: ReadonlySet<unknown> = new Set(WAIT_UNITS);

const BASE_KEYS = ['id', 'next', 'position', 'label', 'type', 'config'];
const EXPECTED_SHAPES: readonly [unknown, readonly string[]][] = [
  [waitStepSchema, BASE_KEYS],
  [decideStepSchema, BASE_KEYS],
  [branchStepSchema, BASE_KEYS],
  [sendStepSchema, BASE_KEYS],
  [updateStepSchema, BASE_KEYS],
  // The calendar forms (until, untilAttribute, offset, window) are left to zod: `plain(c, WAIT_KEYS)` refuses them.
  [(waitStepSchema.shape.config as unknown), ['duration', 'unit', 'until', 'untilAttribute', 'offset', 'window']],
  [(decideStepSchema.shape.config as unknown), ['decisionFlowId', 'maxOffers', 'storeResultAs']],
  [(branchStepSchema.shape.config as unknown), ['conditions', 'defaultTargetStepId']],
  [(sendStepSchema.shape.config as unknown), ['channelId', 'creativeId', 'resultSource', 'bypassPolicy', 'priority']],
  [(updateStepSchema.shape.config as unknown), ['operations']],
  [branchConditionSchema, ['label', 'expression', 'targetStepId']],
  [positionSchema, ['x', 'y']],
];

function sameKeys(schema: unknown, keys: readonly string[]): boolean {
  const shape = (schema as { shape?: object }).shape;
  if (!shape) return false;
  const actual = Object.keys(shape);
  return actual.length === keys.length && keys.every((k, i) => actual[i] === k);
}

/** False when src/model's step shapes no longer match what this fast path knows. */
export const FAST_PATH_ENABLED: boolean = EXPECTED_SHAPES.every(([schema, keys]) => sameKeys(schema, keys));

/** A plain object whose own enumerable keys are all in `allowed` and none is `undefined`. */
function plain(value: unknown, allowed: readonly string[]): value is Obj {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key) || !allowed.includes(key)) return false;
    if ((value as Obj)[key] === undefined) return false;
  }
  return true;
}

const isString = (v: unknown, min: number, max: number): v is string => typeof v === 'string' && v.length >= min && v.length <= max;
const isStepId = (v: unknown): v is string => isString(v, 1, LIMITS.idLength) && STEP_ID.test(v);
const isKey = (v: unknown): v is string => isString(v, 1, LIMITS.idLength) && KEY.test(v) && !RESERVED_KEYS.has(v);
const isRefId = (v: unknown): v is string => isString(v, 1, LIMITS.idLength);
const isFinite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const STEP_KEYS = BASE_KEYS;
const WAIT_KEYS = ['duration', 'unit'];
const DECIDE_KEYS = ['decisionFlowId', 'maxOffers', 'storeResultAs'];
const BRANCH_KEYS = ['conditions', 'defaultTargetStepId'];
const CONDITION_KEYS = ['label', 'expression', 'targetStepId'];
// The policy fields (bypassPolicy, priority) are left to zod: `plain(c, SEND_KEYS)` refuses them.
const SEND_KEYS = ['channelId', 'creativeId', 'resultSource'];
const UPDATE_KEYS = ['operations'];
const POSITION_KEYS = ['x', 'y'];
const OPERATION_KEYS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  set_attribute: ['type', 'key', 'value'],
  unset_attribute: ['type', 'key'],
  add_segment: ['type', 'segment'],
  remove_segment: ['type', 'segment'],
  set_flag: ['type', 'flag', 'value'],
});

function config(type: unknown, c: unknown): Obj | undefined {
  switch (type) {
    case 'wait': {
      if (!plain(c, WAIT_KEYS)) return undefined;
      const { duration, unit } = c;
      if (!isFinite(duration) || duration <= 0 || !UNITS.has(unit)) return undefined;
      if (durationToMs(duration, unit as (typeof WAIT_UNITS)[number]) > MAX_WAIT_MS) return undefined;
      return { duration, unit };
    }
    case 'decide': {
      if (!plain(c, DECIDE_KEYS)) return undefined;
      const { decisionFlowId, storeResultAs } = c;
      const maxOffers = 'maxOffers' in c ? c['maxOffers'] : DEFAULT_MAX_OFFERS;
      if (!isRefId(decisionFlowId) || !Number.isSafeInteger(maxOffers)) return undefined;
      if ((maxOffers as number) < 1 || (maxOffers as number) > LIMITS.maxOffers) return undefined;
      if (storeResultAs !== undefined && !isKey(storeResultAs)) return undefined;
      const out: Obj = { decisionFlowId, maxOffers };
      if ('storeResultAs' in c) out['storeResultAs'] = storeResultAs;
      return out;
    }
    case 'branch': {
      if (!plain(c, BRANCH_KEYS)) return undefined;
      const { conditions, defaultTargetStepId } = c;
      if (!Array.isArray(conditions) || conditions.length > LIMITS.conditionsPerBranch) return undefined;
      const parsed: BranchCondition[] = [];
      for (const cond of conditions as unknown[]) {
        if (!plain(cond, CONDITION_KEYS)) return undefined;
        const { label, expression, targetStepId } = cond;
        if (label !== undefined && !isString(label, 0, LIMITS.labelLength)) return undefined;
        if (!isString(expression, 1, LIMITS.expressionLength) || !isStepId(targetStepId)) return undefined;
        parsed.push('label' in cond ? { label: label as string, expression, targetStepId } : { expression, targetStepId });
      }
      if (defaultTargetStepId !== undefined && !isStepId(defaultTargetStepId)) return undefined;
      const out: Obj = { conditions: parsed };
      if ('defaultTargetStepId' in c) out['defaultTargetStepId'] = defaultTargetStepId;
      return out;
    }
    case 'send': {
      if (!plain(c, SEND_KEYS)) return undefined;
      const { channelId, creativeId, resultSource } = c;
      if (!isRefId(channelId)) return undefined;
      if (creativeId !== undefined && !isRefId(creativeId)) return undefined;
      if (resultSource !== undefined && !isRefId(resultSource)) return undefined;
      const out: Obj = { channelId };
      if ('creativeId' in c) out['creativeId'] = creativeId;
      if ('resultSource' in c) out['resultSource'] = resultSource;
      return out;
    }
    case 'update': {
      if (!plain(c, UPDATE_KEYS)) return undefined;
      const { operations } = c;
      if (!Array.isArray(operations) || operations.length < 1 || operations.length > LIMITS.operationsPerUpdate) return undefined;
      const parsed: UpdateOperation[] = [];
      for (const op of operations as unknown[]) {
        const opType = (op as Obj | null)?.['type'];
        const keys = typeof opType === 'string' && Object.prototype.hasOwnProperty.call(OPERATION_KEYS, opType) ? OPERATION_KEYS[opType]! : undefined;
        if (!keys || !plain(op, keys)) return undefined;
        const parsedOp = operation(opType as string, op);
        if (!parsedOp) return undefined;
        parsed.push(parsedOp);
      }
      return { operations: parsed };
    }
    default:
      return undefined;
  }
}

function operation(type: string, op: Obj): UpdateOperation | undefined {
  switch (type) {
    case 'set_attribute': {
      const { key, value } = op;
      if (!isKey(key)) return undefined;
      // Only scalar values; arrays and objects go through zod.
      const scalar = value === null || typeof value === 'boolean' || isFinite(value) || isString(value, 0, MAX_STRING_VALUE_LENGTH);
      return scalar ? { type, key, value: value as string | number | boolean | null } : undefined;
    }
    case 'unset_attribute':
      return isKey(op['key']) ? { type, key: op['key'] } : undefined;
    case 'add_segment':
    case 'remove_segment':
      return isRefId(op['segment']) ? { type, segment: op['segment'] } : undefined;
    case 'set_flag': {
      const value = 'value' in op ? op['value'] : DEFAULT_FLAG_VALUE;
      return isKey(op['flag']) && typeof value === 'boolean' ? { type, flag: op['flag'], value } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The parsed step when `raw` is certainly valid, with the same fields and defaults the zod
 * schema would produce; otherwise `undefined` (parse it with zod).
 */
export function fastParseStep(raw: unknown): Step | undefined {
  if (!FAST_PATH_ENABLED || !plain(raw, STEP_KEYS)) return undefined;
  const { id, next, position, label, type } = raw;
  if (!isStepId(id)) return undefined;
  if (next !== undefined && next !== null && !isStepId(next)) return undefined;
  if (label !== undefined && !isString(label, 0, LIMITS.labelLength)) return undefined;
  let pos: Obj | undefined;
  if (position !== undefined) {
    if (!plain(position, POSITION_KEYS) || !isFinite(position['x']) || !isFinite(position['y'])) return undefined;
    pos = { x: position['x'], y: position['y'] };
  }
  const cfg = config(type, raw['config']);
  if (!cfg) return undefined;
  const out: Obj = { id };
  if ('next' in raw) out['next'] = next;
  if (pos) out['position'] = pos;
  if ('label' in raw) out['label'] = label;
  out['type'] = type;
  out['config'] = cfg;
  return out as unknown as Step;
}
