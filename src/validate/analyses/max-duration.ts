import { durationToMs, MS_PER_DAY } from '../../model/duration.js';
import { diagnostic } from '../diagnostics.js';
import { shortestDistances } from '../graph.js';
import type { AnalysisContext } from './context.js';

function days(ms: number): string {
  const d = Math.round((ms / MS_PER_DAY) * 100) / 100;
  return `${d} day${d === 1 ? '' : 's'}`;
}

/**
 * `exceeds-max-duration`: the minimum total wait on any path from the first step to an end is
 * longer than `maxDuration` days, so no enrollment can finish. Dijkstra over the steps, where
 * leaving a wait step costs its duration. A transition to an unknown step counts as an end (that
 * error is reported on its own). When no end is reachable at all, the journey never finishes;
 * that is reported too, unless an instant loop (reported already) explains it.
 */
export function checkMaxDuration({ journey, steps, graph, out }: AnalysisContext): void {
  if (steps.length === 0) return;
  const cost = new Float64Array(steps.length);
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.type === 'wait') cost[i] = durationToMs(step.config.duration, step.config.unit);
  }
  const dist = shortestDistances(graph.successors, cost, 0);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < steps.length; i++) {
    if (graph.endsJourney[i] === 0 && graph.hasUnknownTarget[i] === 0) continue;
    const d = dist[i]! + cost[i]!;
    if (d < best) best = d;
  }
  const limitMs = journey.maxDuration * MS_PER_DAY;
  if (best <= limitMs) return;
  const limit = days(journey.maxDuration * MS_PER_DAY);
  if (best === Number.POSITIVE_INFINITY) {
    if (out.some((d) => d.code === 'instant-loop')) return;
    out.push(
      diagnostic(
        'exceeds-max-duration',
        `No path from the first step reaches the end of the journey, so every enrollment stays until maxDuration (${limit}) and is then exited with reason max-duration. Give the loop a way out (a branch condition, or "next": null on a step).`,
        ['maxDuration'],
      ),
    );
    return;
  }
  out.push(
    diagnostic(
      'exceeds-max-duration',
      `Every path from the first step to an end waits at least ${days(best)}, longer than maxDuration (${limit}). The runtime exits enrollments at maxDuration (reason max-duration), so none would finish the journey. Shorten the waits or raise maxDuration.`,
      ['maxDuration'],
    ),
  );
}
