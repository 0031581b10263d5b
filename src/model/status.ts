/**
 * The journey status lifecycle, as data.
 *
 * `draft → active ⇄ paused → archived`, and a draft may be archived directly.
 * Archived is terminal.
 */
export const JOURNEY_STATUSES = ['draft', 'active', 'paused', 'archived'] as const;

/** A journey's lifecycle status. */
export type JourneyStatus = (typeof JOURNEY_STATUSES)[number];

/** For each status, the statuses it may move to. */
export const STATUS_TRANSITIONS: Readonly<Record<JourneyStatus, readonly JourneyStatus[]>> = Object.freeze({
  draft: Object.freeze(['active', 'archived'] as const),
  active: Object.freeze(['paused', 'archived'] as const),
  paused: Object.freeze(['active', 'archived'] as const),
  archived: Object.freeze([] as const),
});

/** Whether a journey may move from `from` to `to`. Staying in the same status is not a transition. */
export function canTransition(from: JourneyStatus, to: JourneyStatus): boolean {
  return STATUS_TRANSITIONS[from].includes(to);
}

/** Whether a journey in this status accepts new enrollments. */
export function acceptsEnrollments(status: JourneyStatus): boolean {
  return status === 'active';
}

/** Whether a journey in this status may change its steps, entry conditions or maxDuration. */
export function allowsStructuralChange(status: JourneyStatus): boolean {
  return status === 'draft' || status === 'paused';
}

/**
 * Whether a journey in this status may be deleted: a draft (it never ran) or an archived journey
 * (every enrollment has ended). Active and paused journeys must be archived first. Deleting keeps
 * the enrollments, so entry rules such as `minDaysSinceLastJourney` still see them.
 */
export function allowsDeletion(status: JourneyStatus): boolean {
  return status === 'draft' || status === 'archived';
}
