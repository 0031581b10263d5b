import { kindOf } from '../../model/steps/index.js';
import { diagnostic } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import { compileExpression, EXPRESSION_ROOTS } from '../expression/index.js';
import { customerTypeOf } from '../expression/customer-schema.js';
import { parseSource } from '../expression/parse-source.js';
import { inferExpression, rootTypes } from '../expression/types.js';
import type { RootTypes, TypeFinding } from '../expression/types.js';
import { misfit } from '../expression/value-type.js';
import type { ValueType } from '../expression/value-type.js';
import { KeyMatcher } from '../closest-key.js';
import type { AnalysisContext } from './context.js';
import { expressionSites } from './expressions.js';

/**
 * `type-mismatch` / `unknown-attribute` / `never-true`, with the host's `customerSchema` only:
 * infers the type of every expression that compiled (see src/validate/expression/types.ts) and
 * checks every attribute a step sets (its kind's `attributeWrites`: an update's
 * `set_attribute`) against the attribute's type. Each finding is at the expression's path (or
 * the value's), with the character in the message.
 */
export function checkExpressionTypes({ journey, steps, options, out }: AnalysisContext): void {
  if (options.customerSchema === undefined) return;
  const customer = customerTypeOf(options.customerSchema);
  const roots = rootTypes(customer);
  const allowed = options.roots ?? EXPRESSION_ROOTS;
  const cache = new Map<string, readonly TypeFinding[]>();
  for (const site of expressionSites(steps, journey.goals)) {
    const key = `${site.extraRoots.join(',')}\u0000${site.source}`;
    let findings = cache.get(key);
    if (findings === undefined) {
      findings = infer(site.source, [...allowed, ...site.extraRoots], roots);
      cache.set(key, findings);
    }
    const shown = JSON.stringify(site.source.length > 60 ? `${site.source.slice(0, 60)}…` : site.source);
    for (const f of findings) out.push(diagnostic(f.code, `${site.name} (${shown}), at character ${f.index}: ${f.message}`, site.path, site.stepId));
  }
  checkAttributeWrites(steps, customer, out);
}

/** The findings of one expression; none when it does not compile (already reported). */
function infer(source: string, allowed: readonly string[], roots: RootTypes): readonly TypeFinding[] {
  try {
    compileExpression(source, { roots: allowed });
  } catch {
    return [];
  }
  const { ast, positions } = parseSource(source, true);
  return inferExpression(ast, positions, roots).findings;
}

function checkAttributeWrites(steps: AnalysisContext['steps'], customer: ValueType, out: Diagnostic[]): void {
  if (customer.kind !== 'object') return;
  const matcher = new KeyMatcher([...customer.properties.keys()], 100_000);
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    for (const write of kindOf(step).attributeWrites?.(step) ?? []) {
      const type = customer.properties.get(write.key) ?? customer.rest;
      if (type === undefined) {
        const suggestion = matcher.suggest(write.key);
        out.push(diagnostic('unknown-attribute', `Step ${JSON.stringify(step.id)} sets the attribute \`${write.key}\`, which the customer schema does not list.${suggestion !== undefined ? ` Did you mean \`${suggestion}\`?` : ''}`, ['steps', i, ...write.path, 'key'], step.id));
        continue;
      }
      const why = misfit(write.value, type);
      if (why !== null) out.push(diagnostic('type-mismatch', `Step ${JSON.stringify(step.id)} sets \`customer.${write.key}\` to a value the customer schema refuses: ${why}. Set a value of the attribute's type.`, ['steps', i, ...write.path, 'value'], step.id));
    }
  }
}
