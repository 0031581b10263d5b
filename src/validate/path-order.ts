import { DIAGNOSTIC_CODES } from './diagnostics.js';
import type { Diagnostic, DiagnosticPath } from './diagnostics.js';

/**
 * Where each known field name usually appears in a document (the seed's order: top level
 * `name, description, maxDuration, status, entryConditions, steps`; a step `id, type, config,
 * next`; …). Keys compare by this rank, unknown keys after known ones, alphabetically.
 */
const FIELD_ORDER = [
  // document
  'name',
  'description',
  'maxDuration',
  'status',
  'entryConditions',
  'steps',
  // entry conditions
  'segments',
  'events',
  'manual',
  'minDaysSinceLastJourney',
  'reEntry',
  'reEntryAfterDays',
  // step
  'id',
  'type',
  'label',
  'config',
  'next',
  'position',
  'x',
  'y',
  // configs
  'duration',
  'unit',
  'decisionFlowId',
  'maxOffers',
  'storeResultAs',
  'conditions',
  'expression',
  'targetStepId',
  'defaultTargetStepId',
  'channelId',
  'creativeId',
  'resultSource',
  'operations',
  'key',
  'segment',
  'flag',
  'value',
  'properties',
];
const RANK = new Map(FIELD_ORDER.map((k, i) => [k, i] as const));
const CODE_RANK = new Map(DIAGNOSTIC_CODES.map((c, i) => [c, i] as const));

function comparePart(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  const ra = RANK.get(a) ?? FIELD_ORDER.length;
  const rb = RANK.get(b) ?? FIELD_ORDER.length;
  if (ra !== rb) return ra - rb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compare two paths in document order; a path sorts before the paths inside it. */
export function comparePaths(a: DiagnosticPath, b: DiagnosticPath): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = comparePart(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Sort diagnostics deterministically: by path in document order, then code, then message. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort(
    (a, b) =>
      comparePaths(a.path, b.path) ||
      (CODE_RANK.get(a.code) ?? 0) - (CODE_RANK.get(b.code) ?? 0) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}
