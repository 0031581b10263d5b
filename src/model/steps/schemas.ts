/**
 * The step schemas of every kind, in one list: `stepSchema` is their discriminated union. A kind's
 * schema lives in its own file (`./<kind>.ts`); the registry in `./index.ts` checks that every
 * kind listed here also says what it is.
 */
import { branchStepSchema } from './branch.js';
import { decideStepSchema } from './decide.js';
import { sendStepSchema } from './send.js';
import { splitStepSchema } from './split.js';
import { updateStepSchema } from './update.js';
import { waitStepSchema } from './wait.js';
import { waitForStepSchema } from './wait-for.js';

export const STEP_SCHEMAS = [waitStepSchema, decideStepSchema, branchStepSchema, sendStepSchema, updateStepSchema, waitForStepSchema, splitStepSchema] as const;

export { branchConditionSchema, branchConfigSchema, branchStepSchema } from './branch.js';
export { decideConfigSchema, decideStepSchema } from './decide.js';
export { sendConfigSchema, sendStepSchema } from './send.js';
export { splitConfigSchema, splitStepSchema, splitVariantSchema } from './split.js';
export { updateConfigSchema, updateOperationSchema, updateStepSchema } from './update.js';
export { waitConfigSchema, waitStepSchema } from './wait.js';
export { waitForConfigSchema, waitForPathSchema, waitForStepSchema } from './wait-for.js';
