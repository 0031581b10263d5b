/** The engine's per-step figures (`engine.stats(journeyId)`, `GET /journeys/:id/stats`) placed on nodes. */

/** The slice of a step's figures the editor reads (the engine's `JourneyStats.steps` entries have it). */
export interface StepStatsInput {
  readonly stepId: string;
  readonly entered?: number;
  readonly completed?: number;
  readonly current?: number;
  readonly failed?: number;
  readonly exited?: Readonly<Record<string, number>>;
  readonly skipped?: Readonly<Record<string, number>>;
}

/** A node's counts. */
export interface NodeStats {
  readonly entered: number;
  readonly completed: number;
  /** Customers at the step now. */
  readonly current: number;
  readonly failed: number;
  /** Exits at the step, all reasons. */
  readonly exited: number;
  /** Visits that skipped the step's work, all reasons. */
  readonly skipped: number;
}

const count = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0);

function total(record: unknown): number {
  if (typeof record !== 'object' || record === null) return 0;
  let sum = 0;
  for (const key of Object.keys(record)) sum += count((record as Record<string, unknown>)[key]);
  return sum;
}

/**
 * Per-step counts keyed by step id, from the engine's stats answer (`{ steps: [{ stepId,
 * entered, completed, current, failed, exited, skipped }] }`); malformed entries are skipped and
 * malformed counts read as 0, so a stale or partial answer never breaks the canvas.
 *
 * @example
 * ```ts
 * const counts = statsByStep(await engine.stats(journeyId));
 * counts.get('step_wait_3d')?.current; // customers waiting there now
 * ```
 */
export function statsByStep(stats: { readonly steps?: readonly StepStatsInput[] } | null | undefined): Map<string, NodeStats> {
  const out = new Map<string, NodeStats>();
  const steps: unknown = stats?.steps;
  if (!Array.isArray(steps)) return out;
  for (const s of steps as unknown[]) {
    if (typeof s !== 'object' || s === null) continue;
    const e = s as Record<string, unknown>;
    if (typeof e['stepId'] !== 'string' || out.has(e['stepId'])) continue;
    out.set(e['stepId'], {
      entered: count(e['entered']),
      completed: count(e['completed']),
      current: count(e['current']),
      failed: count(e['failed']),
      exited: total(e['exited']),
      skipped: total(e['skipped']),
    });
  }
  return out;
}
