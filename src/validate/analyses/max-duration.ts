import { MS_PER_DAY } from '../../model/duration.js';
import { kindOf } from '../../model/steps/index.js';
import { diagnostic } from '../diagnostics.js';
import type { JourneyGraph } from '../graph.js';
import { componentIndex, hasEdge, shortestDistances } from '../graph.js';
import type { AnalysisContext } from './context.js';
import { quote } from './context.js';

const LISTED = 10;

function days(ms: number): string {
  const d = Math.round((ms / MS_PER_DAY) * 100) / 100;
  return `${d} day${d === 1 ? '' : 's'}`;
}

/**
 * Total wait along paths from the first step to an end, against `maxDuration` (in whole ms, as the
 * runtime computes the deadline). The boundary is the runtime's: a step due exactly at the
 * deadline runs, so a path that waits exactly `maxDuration` fits.
 *
 * - `exceeds-max-duration` (error): the quickest path waits longer, so no enrollment can finish.
 *   Dijkstra over the steps, where leaving a step costs the least time its kind holds a customer
 *   (`holdMs`, src/model/steps/: a wait's duration). A transition to an
 *   unknown step counts as an end (that error is reported on its own). When no end is reachable at
 *   all, the journey never finishes; that is reported too, unless an instant loop explains it.
 * - `path-exceeds-max-duration` (warning): the quickest path fits but some path waits longer, so
 *   the customers who take it exit with `max-duration` before its end. See {@link longestWait}.
 */
export function checkMaxDuration({ journey, steps, graph, out }: AnalysisContext): void {
  if (steps.length === 0) return;
  // What leaving each step costs: the least time its kind can hold a customer (for the quickest
  // path) and the most (for the longest).
  const cost = new Float64Array(steps.length);
  const most = new Float64Array(steps.length);
  for (let i = 0; i < steps.length; i++) {
    const hold = kindOf(steps[i]!).holdMs(steps[i]!);
    cost[i] = hold.min;
    most[i] = hold.max;
  }
  const dist = shortestDistances(graph.successors, cost, 0);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < steps.length; i++) {
    if (!isEnd(graph, i)) continue;
    const d = dist[i]! + cost[i]!;
    if (d < best) best = d;
  }
  const limitMs = Math.round(journey.maxDuration * MS_PER_DAY);
  const limit = days(limitMs);
  if (best <= limitMs) {
    const longest = longestWait(graph, most);
    if (longest.loop !== null) {
      const ids = longest.loop.slice(0, LISTED).map((i) => quote(steps[i]!.id));
      const more = longest.loop.length > LISTED ? ` and ${longest.loop.length - LISTED} more` : '';
      const first = longest.loop[0]!;
      out.push(
        diagnostic(
          'path-exceeds-max-duration',
          `Steps ${ids.join(', ')}${more} form a loop through a wait that can still reach an end, so a path that keeps going round waits without bound; customers still in the loop at maxDuration (${limit}) exit with reason max-duration. Fine if that is the intent; otherwise bound the loop (a branch condition out of it) or raise maxDuration.`,
          ['steps', first],
          steps[first]!.id,
        ),
      );
    } else if (longest.ms > limitMs) {
      const waits = longest.path.filter((i) => most[i]! > 0);
      const ids = waits.slice(0, LISTED).map((i) => quote(steps[i]!.id));
      const more = waits.length > LISTED ? ` and ${waits.length - LISTED} more` : '';
      out.push(
        diagnostic(
          'path-exceeds-max-duration',
          `The longest path from the first step to an end waits ${days(longest.ms)} (through ${ids.join(', ')}${more}), longer than maxDuration (${limit}); the quickest fits. Customers who take the long path exit with reason max-duration before its end. Shorten its waits or raise maxDuration.`,
          ['maxDuration'],
        ),
      );
    }
    return;
  }
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

/** A step where the journey can end (a transition to an unknown step counts: reported on its own). */
function isEnd(graph: JourneyGraph, i: number): boolean {
  return graph.endsJourney[i] === 1 || graph.hasUnknownTarget[i] === 1;
}

/**
 * The longest total wait on a path from the first step to an end, in linear time: the strongly
 * connected components (Tarjan emits them sinks first), then one pass over them computing the
 * longest wait from each component to an end. A component that is a cycle through a wait of
 * positive duration, reachable from the first step and able to reach an end, makes the longest
 * path unbounded: then `loop` lists its steps (the first such loop on a path from the start) and
 * `ms` is Infinity. A cycle without a wait (an `instant-loop`, reported on its own) adds nothing.
 * `path` lists the steps of a longest path when it is finite.
 */
export function longestWait(graph: JourneyGraph, cost: ArrayLike<number>): { ms: number; path: number[]; loop: number[] | null } {
  const { offsets, targets } = graph.successors;
  const { count, componentOf, memberStart, members } = componentIndex(graph.successors);
  const membersOf = (c: number): number[] => Array.from(members.subarray(memberStart[c]!, memberStart[c + 1]!));
  // Per component: longest wait from entering it to an end (-Infinity: no end reachable), the
  // node and successor component it continues through (-1: it ends here), and the first
  // unbounded loop on the way (-1: none).
  const longest = new Float64Array(count).fill(Number.NEGATIVE_INFINITY);
  const exitNode = new Int32Array(count).fill(-1);
  const nextComponent = new Int32Array(count).fill(-1);
  const loopOf = new Int32Array(count).fill(-1);
  for (let c = 0; c < count; c++) {
    const from = memberStart[c]!;
    const to = memberStart[c + 1]!;
    const cyclic = to - from > 1 || hasEdge(graph.successors, members[from]!, members[from]!);
    let weight = 0;
    let positive = false;
    for (let m = from; m < to; m++) {
      const v = members[m]!;
      if (cost[v]! > 0) positive = true;
      if (!cyclic) weight += cost[v]!;
    }
    let best = Number.NEGATIVE_INFINITY;
    let bestNode = -1;
    let bestNext = -1;
    for (let m = from; m < to; m++) {
      const v = members[m]!;
      if (isEnd(graph, v) && best < 0) {
        best = 0;
        bestNode = v;
        bestNext = -1;
      }
      for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
        const d = componentOf[targets[e]!]!;
        if (d === c) continue;
        if (longest[d]! > best) {
          best = longest[d]!;
          bestNode = v;
          bestNext = d;
        }
      }
    }
    if (best === Number.NEGATIVE_INFINITY) continue;
    exitNode[c] = bestNode;
    nextComponent[c] = bestNext;
    if (cyclic && positive) {
      longest[c] = Number.POSITIVE_INFINITY;
      loopOf[c] = c;
    } else {
      longest[c] = weight + best;
      loopOf[c] = bestNext === -1 ? -1 : loopOf[bestNext]!;
    }
  }
  const start = componentOf[0]!;
  if (longest[start] === Number.NEGATIVE_INFINITY) return { ms: Number.NEGATIVE_INFINITY, path: [], loop: null };
  if (loopOf[start] !== -1) return { ms: Number.POSITIVE_INFINITY, path: [], loop: membersOf(loopOf[start]!) };
  const path: number[] = [];
  for (let c = start; c !== -1; c = nextComponent[c]!) path.push(exitNode[c]!);
  return { ms: longest[start]!, path, loop: null };
}
