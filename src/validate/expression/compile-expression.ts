import type { Expression } from 'jsep';
import { EXPRESSION_ROOTS } from './constants.js';
import { ExpressionError } from './expression-error.js';
import type { Evaluator } from './functions.js';
import { lookupFunction } from './functions.js';
import { BINARY_OPERATORS, LOGICAL_OPERATORS, UNARY_OPERATORS } from './operators.js';
import type { SourcePositions } from './parse-source.js';
import { parseSource, PositionsNeeded } from './parse-source.js';
import { compileStrictBinary } from './compile-binary.js';
import { compileFusedBinary } from './compile-fused.js';
import { compilePath, compileSteps, pathOf } from './compile-path.js';
import { FORBIDDEN_PROPERTIES } from './forbidden-properties.js';

/** Options for {@link compileExpression}. */
export interface CompileExpressionOptions {
  /** Root identifiers the expression may name. Defaults to {@link EXPRESSION_ROOTS}. */
  readonly roots?: readonly string[];
  /** Maximum source length in characters (default 2000). Checked before parsing. */
  readonly maxLength?: number;
  /** Maximum nesting depth of the syntax tree (default 64). */
  readonly maxDepth?: number;
  /** Maximum number of syntax-tree nodes (default 500). */
  readonly maxNodes?: number;
}

/** A checked expression, compiled once to a tree of closures. */
export interface CompiledExpression {
  /** The source text it was compiled from. */
  readonly source: string;
  /** The root identifiers it names, sorted and unique. */
  readonly identifiers: readonly string[];
  /**
   * Evaluates against a scope (an object keyed by root name). Reads only own properties, never
   * throws on data, never returns a function. A branch condition matches when the result is
   * truthy.
   */
  evaluate(scope: Readonly<Record<string, unknown>>): unknown;
}

/** Default cap on source length, in characters. */
export const DEFAULT_MAX_LENGTH = 2000;
/** Default cap on syntax-tree depth. */
export const DEFAULT_MAX_DEPTH = 64;
/** Default cap on syntax-tree node count. */
export const DEFAULT_MAX_NODES = 500;

interface Context {
  readonly roots: ReadonlySet<string>;
  readonly maxDepth: number;
  readonly maxNodes: number;
  readonly positions: SourcePositions;
  readonly identifiers: Set<string>;
  nodes: number;
}

/**
 * Compiles a branch-condition expression in the restricted jsep grammar (see
 * docs/expressions.md) to closures. Throws {@link ExpressionError} — and nothing else — when
 * the source is not in the language.
 *
 * @example
 * ```ts
 * const expr = compileExpression("customer.age >= 18 && 'vip' in segments");
 * expr.identifiers; // ['customer', 'segments']
 * expr.evaluate({ customer: { age: 30 }, segments: ['vip'] }); // true
 * expr.evaluate({ customer: {}, segments: [] }); // false (absent attributes are undefined)
 * ```
 */
export function compileExpression(
  source: string,
  options: CompileExpressionOptions = {},
): CompiledExpression {
  if (typeof source !== 'string') {
    throw new ExpressionError('syntax', 'Expression must be a string', 0);
  }
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_NODES;
  if (source.length > maxLength) {
    throw new ExpressionError(
      'too-long',
      `Expression is ${source.length} characters long; the limit is ${maxLength}. Shorten it.`,
      maxLength,
    );
  }
  checkNesting(source, maxDepth);
  try {
    return compileParsed(source, options, maxDepth, maxNodes, false);
  } catch (error) {
    // Positions are only needed to report an error: parse again, recording them.
    if (error instanceof PositionsNeeded) return compileParsed(source, options, maxDepth, maxNodes, true);
    throw error;
  }
}

const DEFAULT_ROOTS: ReadonlySet<string> = new Set(EXPRESSION_ROOTS);

function compileParsed(
  source: string,
  options: CompileExpressionOptions,
  maxDepth: number,
  maxNodes: number,
  recordPositions: boolean,
): CompiledExpression {
  const { ast, positions } = parseSource(source, recordPositions);
  if (ast.type === 'Compound') {
    const body = ast['body'] as Expression[];
    if (body.length === 0) throw new ExpressionError('syntax', 'Expression is empty', 0);
    const second = body[1] as Expression;
    throw new ExpressionError(
      'compound',
      `Expression must be a single expression; found another one at character ${positions.start(second)}`,
      positions.start(second),
    );
  }
  const context: Context = {
    roots: options.roots === undefined || options.roots === EXPRESSION_ROOTS ? DEFAULT_ROOTS : new Set(options.roots),
    maxDepth,
    maxNodes,
    positions,
    identifiers: new Set(),
    nodes: 0,
  };
  let evaluator: Evaluator;
  try {
    evaluator = compileNode(ast, context, 1);
  } catch (error) {
    // Only reachable when a caller raises maxDepth far beyond the default.
    if (error instanceof RangeError) throw tooDeep(0, maxDepth);
    throw error;
  }
  const identifiers = Object.freeze([...context.identifiers].sort());
  return Object.freeze({
    source,
    identifiers,
    // No wrapper: every evaluator already filters functions out of what it reads, and no
    // literal, operator or allowlisted function can produce one. Nothing in an evaluator throws
    // on data; a try/catch wrapper here cost about a tenth of the evaluation rate (an extra
    // megamorphic call), so the interpreter guards branch conditions instead (see
    // docs/expressions.md, "Data only").
    evaluate: evaluator,
  });
}

/**
 * Rejects runaway bracket nesting and unary chains before jsep's recursive descent sees them,
 * so a hostile input cannot exhaust the stack.
 */
function checkNesting(source: string, maxDepth: number): void {
  let depth = 0;
  let unaryRun = 0;
  let quote = 0;
  for (let i = 0; i < source.length; i++) {
    const code = source.charCodeAt(i);
    if (quote !== 0) {
      if (code === 92 /* \ */) i++;
      else if (code === quote) quote = 0;
      continue;
    }
    switch (code) {
      case 34: // "
      case 39: // '
        quote = code;
        unaryRun = 0;
        break;
      case 40: // (
      case 91: // [
        depth++;
        if (depth > maxDepth) throw tooDeep(i, maxDepth);
        break;
      case 41: // )
      case 93: // ]
        depth--;
        unaryRun = 0;
        break;
      case 33: // !
      case 45: // -
      case 43: // +
      case 126: // ~
        unaryRun++;
        if (unaryRun > maxDepth) throw tooDeep(i, maxDepth);
        break;
      case 32:
      case 9:
      case 10:
      case 13:
        break;
      default:
        unaryRun = 0;
    }
  }
}

function tooDeep(index: number, maxDepth: number): ExpressionError {
  return new ExpressionError(
    'too-deep',
    `Expression is nested more than ${maxDepth} levels deep at character ${index}; simplify it.`,
    index,
  );
}

function compileNode(node: Expression, context: Context, depth: number): Evaluator {
  if (depth > context.maxDepth) throw tooDeep(context.positions.start(node), context.maxDepth);
  context.nodes++;
  if (context.nodes > context.maxNodes) throw tooManyNodes(node, context);
  switch (node.type) {
    case 'Literal':
      return compileLiteral(node, context);
    case 'Identifier':
      return compileIdentifier(node, context);
    case 'MemberExpression':
      return compileMember(node, context, depth);
    case 'UnaryExpression':
      return compileUnary(node, context, depth);
    case 'BinaryExpression':
      return compileBinary(node, context, depth);
    case 'ConditionalExpression':
      return compileConditional(node, context, depth);
    case 'ArrayExpression':
      return compileArray(node, context, depth);
    case 'CallExpression':
      return compileCall(node, context, depth);
    default:
      throw forbiddenNode(node, context, `${String(node.type)} is not allowed in expressions`);
  }
}

function tooManyNodes(node: Expression, context: Context): ExpressionError {
  const index = context.positions.start(node);
  return new ExpressionError(
    'too-many-nodes',
    `Expression has more than ${context.maxNodes} parts (at character ${index}); simplify it.`,
    index,
  );
}

function forbiddenNode(node: Expression, context: Context, why: string): ExpressionError {
  const index = context.positions.start(node);
  return new ExpressionError('forbidden-node', `${why} (at character ${index})`, index);
}

function isLiteralValue(value: unknown): value is string | number | boolean | null | undefined {
  return (
    value === null ||
    value === undefined ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  );
}

function compileLiteral(node: Expression, context: Context): Evaluator {
  const value = node['value'];
  if (!isLiteralValue(value)) throw forbiddenNode(node, context, 'Only string, number, boolean and null literals are allowed');
  return () => value;
}

function compileIdentifier(node: Expression, context: Context): Evaluator {
  const name = node['name'];
  if (typeof name !== 'string' || !context.roots.has(name)) {
    const index = context.positions.start(node);
    throw new ExpressionError(
      'unknown-identifier',
      `Unknown name '${String(name)}' at character ${index}; use one of: ${[...context.roots].join(', ')}`,
      index,
    );
  }
  if (FORBIDDEN_PROPERTIES.has(name)) {
    const index = context.positions.start(node);
    throw new ExpressionError('forbidden-property', `'${name}' can never be read`, index);
  }
  context.identifiers.add(name);
  return compilePath(name, []);
}

function forbiddenProperty(node: Expression, context: Context, key: string): ExpressionError {
  const index = context.positions.start(node);
  return new ExpressionError(
    'forbidden-property',
    `Property '${key}' can never be read (at character ${index})`,
    index,
  );
}

/** Checks one member step's key: a name, a string literal or a non-negative integer literal. */
function memberKey(node: Expression, context: Context): string | number {
  const property = node['property'] as Expression;
  let key: string | number;
  if (node['computed'] === true) {
    if (property.type !== 'Literal') {
      throw forbiddenNode(property, context, 'A computed property must be a string or number literal, like a["key"] or a[0]');
    }
    const value = property['value'];
    if (typeof value === 'string') key = value;
    else if (typeof value === 'number' && Number.isInteger(value) && value >= 0) key = value;
    else throw forbiddenNode(property, context, 'A computed property must be a string or a non-negative integer');
  } else {
    if (property.type !== 'Identifier' || typeof property['name'] !== 'string') {
      throw forbiddenNode(property, context, 'Unexpected property');
    }
    key = property['name'];
  }
  if (FORBIDDEN_PROPERTIES.has(String(key))) throw forbiddenProperty(property, context, String(key));
  return key;
}

/**
 * A chain of member steps (`a.b[0].c`) is checked step by step from the outside in, then
 * compiled as one fused path when it starts at a root identifier.
 */
function compileMember(node: Expression, context: Context, depth: number): Evaluator {
  const keys: (string | number)[] = [];
  let current = node;
  let level = depth;
  for (;;) {
    keys.push(memberKey(current, context));
    context.nodes++; // the property counts as a node
    const object = current['object'] as Expression;
    if (object.type !== 'MemberExpression') {
      keys.reverse();
      if (object.type === 'Identifier') {
        compileNode(object, context, level + 1); // checks the root, records the identifier
        return compilePath(object['name'] as string, keys);
      }
      return compileSteps(compileNode(object, context, level + 1), keys);
    }
    level++;
    if (level > context.maxDepth) throw tooDeep(context.positions.start(object), context.maxDepth);
    context.nodes++;
    if (context.nodes > context.maxNodes) throw tooManyNodes(object, context);
    current = object;
  }
}

function compileUnary(node: Expression, context: Context, depth: number): Evaluator {
  const operator = node['operator'];
  const op = typeof operator === 'string' && Object.hasOwn(UNARY_OPERATORS, operator) ? UNARY_OPERATORS[operator] : undefined;
  if (op === undefined) {
    const index = context.positions.start(node);
    throw new ExpressionError('forbidden-operator', `Operator '${String(operator)}' is not allowed (at character ${index})`, index);
  }
  const argument = compileNode(node['argument'] as Expression, context, depth + 1);
  if (operator === '!') return (scope) => !argument(scope);
  return (scope) => op(argument(scope));
}

function compileBinary(node: Expression, context: Context, depth: number): Evaluator {
  const operator = node['operator'];
  const isLogical = typeof operator === 'string' && LOGICAL_OPERATORS.has(operator);
  const op = typeof operator === 'string' && Object.hasOwn(BINARY_OPERATORS, operator) ? BINARY_OPERATORS[operator] : undefined;
  if (!isLogical && op === undefined) {
    const index = context.positions.operator(node);
    throw new ExpressionError('forbidden-operator', `Operator '${String(operator)}' is not allowed (at character ${index})`, index);
  }
  const leftNode = node['left'] as Expression;
  const rightNode = node['right'] as Expression;
  const left = compileNode(leftNode, context, depth + 1);
  const right = compileNode(rightNode, context, depth + 1);
  if (!isLogical) {
    const leftOperand = pathOf(left) ?? constantOf(leftNode, left);
    const rightOperand = pathOf(right) ?? constantOf(rightNode, right);
    if (leftOperand !== undefined && rightOperand !== undefined) {
      const fused = compileFusedBinary(operator as string, leftOperand, rightOperand);
      if (fused !== undefined) return fused;
    }
  }
  switch (operator) {
    case '&&':
      return (scope) => {
        const l = left(scope);
        return l ? right(scope) : l;
      };
    case '||':
      return (scope) => {
        const l = left(scope);
        return l ? l : right(scope);
      };
    case '??':
      return (scope) => {
        const l = left(scope);
        return l === null || l === undefined ? right(scope) : l;
      };
    case '==':
    case '===':
      if (rightNode.type === 'Literal') {
        const constant = rightNode['value'];
        return (scope) => left(scope) === constant;
      }
      return (scope) => left(scope) === right(scope);
    case '!=':
    case '!==':
      if (rightNode.type === 'Literal') {
        const constant = rightNode['value'];
        return (scope) => left(scope) !== constant;
      }
      return (scope) => left(scope) !== right(scope);
    default: {
      const constant = rightNode.type === 'Literal' || isConstantArray(rightNode)
        ? { value: right({}) }
        : undefined;
      const specialized = compileStrictBinary(operator as string, left, right, constant);
      if (specialized !== undefined) return specialized;
      const apply = op as (a: unknown, b: unknown) => unknown;
      return (scope) => apply(left(scope), right(scope));
    }
  }
}

/** The value of a literal or all-literal array operand (already compiled and checked). */
function constantOf(node: Expression, compiled: Evaluator): { readonly value: unknown } | undefined {
  return node.type === 'Literal' || isConstantArray(node) ? { value: compiled({}) } : undefined;
}

function isConstantArray(node: Expression): boolean {
  return node.type === 'ArrayExpression' && (node['elements'] as Array<Expression | null>).every((e) => e !== null && e.type === 'Literal');
}

function compileConditional(node: Expression, context: Context, depth: number): Evaluator {
  const test = compileNode(node['test'] as Expression, context, depth + 1);
  const consequent = compileNode(node['consequent'] as Expression, context, depth + 1);
  const alternate = compileNode(node['alternate'] as Expression, context, depth + 1);
  return (scope) => (test(scope) ? consequent(scope) : alternate(scope));
}

function compileArray(node: Expression, context: Context, depth: number): Evaluator {
  const elementNodes = node['elements'] as Array<Expression | null>;
  const elements: Evaluator[] = [];
  let allLiteral = true;
  for (const element of elementNodes) {
    if (element === null) throw forbiddenNode(node, context, 'Array holes like [1, , 2] are not allowed');
    if (element.type !== 'Literal') allLiteral = false;
    elements.push(compileNode(element, context, depth + 1));
  }
  if (allLiteral) {
    // A constant array is built once; frozen so a caller cannot change it for the next run.
    const constant = Object.freeze(elements.map((element) => element({})));
    return () => constant;
  }
  // Array literal syntax and Array.from define elements directly; `result[i] = v` would consult
  // Array.prototype for a setter, which a hostile host environment could have planted.
  const [a, b, c] = elements as [Evaluator, Evaluator, Evaluator];
  switch (elements.length) {
    case 1:
      return (scope) => [a(scope)];
    case 2:
      return (scope) => [a(scope), b(scope)];
    case 3:
      return (scope) => [a(scope), b(scope), c(scope)];
    default: {
      const arrayLike = Object.freeze(Object.assign(Object.create(null) as object, { length: elements.length }));
      return (scope) => Array.from(arrayLike as ArrayLike<unknown>, (_, i) => (elements[i] as Evaluator)(scope));
    }
  }
}

function compileCall(node: Expression, context: Context, depth: number): Evaluator {
  const callee = node['callee'] as Expression;
  if (callee.type !== 'Identifier' || typeof callee['name'] !== 'string') {
    throw forbiddenNode(callee, context, 'Only allowlisted functions can be called, by name, like lower(customer.city)');
  }
  const name = callee['name'];
  const spec = lookupFunction(name);
  if (spec === undefined) {
    const index = context.positions.start(callee);
    throw new ExpressionError('unknown-function', `Unknown function '${name}' at character ${index}`, index);
  }
  context.nodes++; // the callee counts as a node
  const argNodes = node['arguments'] as Expression[];
  if (argNodes.length < spec.minArgs || argNodes.length > spec.maxArgs) {
    const expected = spec.minArgs === spec.maxArgs ? `${spec.minArgs}` : `${spec.minArgs} to ${spec.maxArgs}`;
    const index = context.positions.start(callee);
    throw new ExpressionError(
      'syntax',
      `${name}() takes ${expected} argument(s), got ${argNodes.length} (at character ${index})`,
      index,
    );
  }
  const args = argNodes.map((arg) => compileNode(arg, context, depth + 1));
  return spec.build(args);
}
