import jsep from 'jsep';
import type { Expression } from 'jsep';
import { ExpressionError } from './expression-error.js';

/**
 * The slice of jsep's `Jsep` class we touch. jsep keeps its operator tables as static,
 * process-global fields of this class; the exported `jsep` function only carries copies of the
 * references, so the parser reads `Jsep.*`, not `jsep.*`.
 */
interface JsepInstance {
  index: number;
  gobbleSpaces(): void;
  gobbleToken(): Expression | false | undefined;
  gobbleIdentifier(): Expression;
  parse(): Expression;
}
interface JsepClass {
  new (expr: string): JsepInstance;
  binary_ops: Record<string, number>;
  unary_ops: Record<string, unknown>;
  max_binop_len: number;
  max_unop_len: number;
  right_associative: Set<string>;
  additional_identifier_chars: Set<string>;
  literals: Record<string, unknown>;
  this_str: string;
}

const Jsep = (jsep as unknown as { Jsep: JsepClass }).Jsep;

/**
 * Our parse tables. They hold every operator a user might type, including the forbidden ones,
 * so that `a | b` or `a = 1` parse and are then rejected by the checker as
 * `forbidden-operator` (with a position) instead of a vague syntax error.
 */
// Plain objects on purpose: jsep calls `table.hasOwnProperty(op)` on them.
const BINARY_OPS: Record<string, number> = {
  '=': 0.9, '+=': 0.9, '-=': 0.9, '*=': 0.9, '/=': 0.9, '%=': 0.9, '**=': 0.9,
  '<<=': 0.9, '>>=': 0.9, '>>>=': 0.9, '&=': 0.9, '|=': 0.9, '^=': 0.9,
  '||=': 0.9, '&&=': 0.9, '??=': 0.9,
  '||': 1, '??': 1,
  '&&': 2, '|': 3, '^': 4, '&': 5,
  '==': 6, '!=': 6, '===': 6, '!==': 6,
  '<': 7, '>': 7, '<=': 7, '>=': 7, in: 7, instanceof: 7,
  '<<': 8, '>>': 8, '>>>': 8,
  '+': 9, '-': 9,
  '*': 10, '/': 10, '%': 10,
  '**': 11,
};
const UNARY_OPS: Record<string, number> = {
  '-': 1, '+': 1, '!': 1, '~': 1, typeof: 1, void: 1, delete: 1, new: 1, await: 1,
};
const RIGHT_ASSOCIATIVE = new Set(['**', ...Object.keys(BINARY_OPS).filter((op) => BINARY_OPS[op] === 0.9)]);
const IDENTIFIER_CHARS = new Set(['$', '_']);
const LITERALS: Record<string, unknown> = {
  true: true,
  false: false,
  null: null,
  undefined: undefined,
};
const maxKeyLength = (table: Record<string, unknown>): number =>
  Math.max(0, ...Object.keys(table).map((key) => key.length));
const MAX_BINOP_LEN = maxKeyLength(BINARY_OPS);
const MAX_UNOP_LEN = maxKeyLength(UNARY_OPS);

/** Where each node starts and ends in the source, recorded while jsep parses. */
export interface SourcePositions {
  /** Best-known start index of a node. */
  start(node: Expression): number;
  /** Index of the operator of a binary expression. */
  operator(node: Expression): number;
}

/**
 * A jsep parser that records token positions. Only instance methods are overridden (jsep calls
 * them through `this`), so nothing global changes.
 */
class PositionedJsep extends Jsep {
  readonly starts = new WeakMap<object, number>();
  readonly ends = new WeakMap<object, number>();

  override gobbleToken(): Expression | false | undefined {
    this.gobbleSpaces();
    const start = this.index;
    const node = super.gobbleToken();
    if (node) {
      if (!this.starts.has(node)) this.starts.set(node, start);
      this.ends.set(node, this.index);
    }
    return node;
  }

  override gobbleIdentifier(): Expression {
    const start = this.index;
    const node = super.gobbleIdentifier();
    this.starts.set(node, start);
    return node;
  }
}

/**
 * Parses `source` with jsep under our own operator tables. The process-global tables are
 * swapped in right before the (synchronous) parse and restored in `finally`, so the host's jsep
 * configuration is never observed by us nor changed by us.
 */
/**
 * Thrown by the positions of a parse made without recording: positions are only needed to
 * report an error, so the compiler parses once without them and, on the rare error path,
 * parses again with them (see `compileExpression`).
 */
export class PositionsNeeded extends Error {}

const NO_POSITIONS: SourcePositions = Object.freeze({
  start(): number {
    throw new PositionsNeeded();
  },
  operator(): number {
    throw new PositionsNeeded();
  },
});

export function parseSource(source: string, record = true): { ast: Expression; positions: SourcePositions } {
  const saved = {
    binary_ops: Jsep.binary_ops,
    unary_ops: Jsep.unary_ops,
    max_binop_len: Jsep.max_binop_len,
    max_unop_len: Jsep.max_unop_len,
    right_associative: Jsep.right_associative,
    additional_identifier_chars: Jsep.additional_identifier_chars,
    literals: Jsep.literals,
    this_str: Jsep.this_str,
  };
  const parser = record ? new PositionedJsep(source) : new Jsep(source);
  let ast: Expression;
  try {
    Jsep.binary_ops = BINARY_OPS;
    Jsep.unary_ops = UNARY_OPS;
    Jsep.max_binop_len = MAX_BINOP_LEN;
    Jsep.max_unop_len = MAX_UNOP_LEN;
    Jsep.right_associative = RIGHT_ASSOCIATIVE;
    Jsep.additional_identifier_chars = IDENTIFIER_CHARS;
    Jsep.literals = LITERALS;
    Jsep.this_str = 'this';
    ast = parser.parse();
  } catch (error) {
    if (error instanceof RangeError) {
      throw new ExpressionError('too-deep', 'Expression is nested too deeply to parse', 0);
    }
    const index = error instanceof Error && typeof (error as { index?: unknown }).index === 'number'
      ? (error as unknown as { index: number }).index
      : 0;
    const description = error instanceof Error
      ? ((error as { description?: unknown }).description as string | undefined) ?? error.message
      : 'unparseable input';
    throw new ExpressionError('syntax', `Syntax error: ${description} at character ${index}`, index);
  } finally {
    Jsep.binary_ops = saved.binary_ops;
    Jsep.unary_ops = saved.unary_ops;
    Jsep.max_binop_len = saved.max_binop_len;
    Jsep.max_unop_len = saved.max_unop_len;
    Jsep.right_associative = saved.right_associative;
    Jsep.additional_identifier_chars = saved.additional_identifier_chars;
    Jsep.literals = saved.literals;
    Jsep.this_str = saved.this_str;
  }
  if (!(parser instanceof PositionedJsep)) return { ast, positions: NO_POSITIONS };

  const recorded = parser;
  const start = (node: Expression): number => {
    let current: Expression | undefined = node;
    // Composite nodes start where their leftmost child starts.
    for (let guard = 0; current !== undefined && guard < 10_000; guard++) {
      const known = recorded.starts.get(current);
      if (known !== undefined) return known;
      current = leftChild(current);
    }
    return 0;
  };
  const end = (node: Expression): number => {
    let current: Expression | undefined = node;
    for (let guard = 0; current !== undefined && guard < 10_000; guard++) {
      const known = recorded.ends.get(current);
      if (known !== undefined) return known;
      current = rightChild(current);
    }
    return source.length;
  };
  const operator = (node: Expression): number => {
    const left = node['left'];
    if (left === null || typeof left !== 'object' || Array.isArray(left)) return start(node);
    let index = end(left as Expression);
    while (index < source.length && /\s/.test(source.charAt(index))) index++;
    // Skip a closing parenthesis that ended a grouped left operand without a recorded end.
    while (index < source.length && (source.charAt(index) === ')' || /\s/.test(source.charAt(index)))) index++;
    return index;
  };
  return { ast, positions: { start, operator } };
}

function child(node: Expression, key: string): Expression | undefined {
  const value = node[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof RegExp)
    ? (value as Expression)
    : undefined;
}

function leftChild(node: Expression): Expression | undefined {
  switch (node.type) {
    case 'BinaryExpression':
      return child(node, 'left');
    case 'MemberExpression':
      return child(node, 'object');
    case 'CallExpression':
      return child(node, 'callee');
    case 'ConditionalExpression':
      return child(node, 'test');
    default:
      return undefined;
  }
}

function rightChild(node: Expression): Expression | undefined {
  switch (node.type) {
    case 'BinaryExpression':
      return child(node, 'right');
    case 'ConditionalExpression':
      return child(node, 'alternate');
    case 'UnaryExpression':
      return child(node, 'argument');
    default:
      return undefined;
  }
}
