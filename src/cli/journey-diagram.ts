/**
 * A journey as a Mermaid `flowchart TD`: one node per step (shape by type), labelled edges for
 * branch conditions and defaults, an end node, and dashed "missing" nodes for unknown targets.
 */
import { resolveTransitions, stepTargets, type JourneyDocument, type Step } from '../index.js';
import { kindOf } from '../model/steps/index.js';

/**
 * Make text safe inside a quoted Mermaid label: anything but plain letters, digits, spaces and a
 * few punctuation marks becomes an entity code (`#34;`), so quotes, brackets, pipes, `<`, `>`
 * and newlines cannot break out of the label.
 */
export function mermaidText(text: string): string {
  let out = '';
  for (const ch of text.slice(0, 200)) out += /[A-Za-z0-9 _.,:!?+\-/=']/.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  return out;
}

/** The node text: the step's label (or id) and its kind's summary; a step without one reads as a question. */
function stepLabel(step: Step): string {
  const head = step.label ?? step.id;
  const summary = kindOf(step).summary(step);
  return summary === null ? `${head}?` : `${head}: ${summary}`;
}


/** The Mermaid source of a journey's flow. */
export function journeyDiagram(journey: JourneyDocument): string {
  const ids = new Map(journey.steps.map((s, i) => [s.id, `s${i}`]));
  const missing = new Map<string, string>();
  const nodeOf = (target: string | null): string => {
    if (target === null) return 'finish';
    const known = ids.get(target);
    if (known) return known;
    if (!missing.has(target)) missing.set(target, `missing${missing.size}`);
    return missing.get(target)!;
  };
  const lines = ['flowchart TD', `  start(("${mermaidText(journey.name)}"))`];
  journey.steps.forEach((step, i) => {
    const [open, close] = kindOf(step).diagramShape;
    lines.push(`  s${i}${open}"${mermaidText(stepLabel(step))}"${close}`);
  });
  lines.push('  finish(((End)))');
  if (journey.steps[0]) lines.push('  start --> s0');
  const successors = resolveTransitions(journey.steps);
  journey.steps.forEach((step, i) => {
    for (const target of stepTargets(step, successors[i] ?? null)) {
      const label = kindOf(step).targetLabel(step, target);
      const edge = label === '' ? '-->' : `-->|"${mermaidText(label)}"|`;
      lines.push(`  s${i} ${edge} ${nodeOf(target.targetStepId)}`);
    }
  });
  for (const [target, node] of missing) lines.push(`  ${node}["${mermaidText(`missing step ${target}`)}"]`, `  style ${node} stroke-dasharray: 5 5`);
  return `${lines.join('\n')}\n`;
}
