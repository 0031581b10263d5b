/**
 * `/journeys` and `/journeys/:id`: create, list, read, update (partial), delete, validate.
 */
import { z } from 'zod';
import { journeyDocumentSchema } from '../../model/schema.js';
import { JOURNEY_STATUSES } from '../../model/status.js';
import type { JourneyDetails } from '../../runtime/journeys.js';
import { HttpError } from './http-errors.js';
import { enumParam, pageOf, pageQuery } from './request-input.js';
import type { ResponseDoc, Route, RouteContext } from './route-types.js';
import { journeyListItem, journeyView, paged } from './views.js';
import * as view from './view-schemas.js';

/** Fields a client may echo back from `GET /journeys/:id`; accepted by `PUT` only when unchanged. */
export const READ_ONLY_FIELDS = ['id', 'createdAt', 'updatedAt', 'stepCount', 'version', 'diagnostics'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Deep equality of JSON values, ignoring object key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
  }
  return false;
}

export async function requireJourney(ctx: RouteContext): Promise<JourneyDetails> {
  const id = ctx.params['id']!;
  const journey = await ctx.engine.getJourney(id);
  if (!journey) throw new HttpError('journey-not-found', `no journey "${id}"`, { path: ['id'] });
  return journey;
}

/**
 * `PUT` is a partial update: the fields given replace the stored ones, absent fields stay. A
 * client may send back a whole `GET` answer: read-only fields must then match the stored
 * journey (a stale `updatedAt` is refused, which doubles as a lost-update check), and fields
 * equal to the stored ones are not changes (so an active journey takes a full document whose
 * only change is its name or description).
 */
function patchFrom(body: unknown, current: JourneyDetails): Record<string, unknown> {
  if (!isPlainObject(body)) throw new HttpError('invalid-request', 'the body must be a JSON object of fields to change');
  const stored = journeyView(current) as unknown as Record<string, unknown>;
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    // An editor's "$schema" (a document written with the shipped JSON Schema) is not stored.
    if (key === '$schema') continue;
    if ((READ_ONLY_FIELDS as readonly string[]).includes(key)) {
      if (!sameJson(value, stored[key])) {
        throw new HttpError('read-only-field', `"${key}" is read-only and differs from the stored journey; send it unchanged or leave it out (re-read the journey if it changed)`, {
          path: [key],
        });
      }
      continue;
    }
    if (Object.hasOwn(stored, key) && sameJson(value, stored[key])) continue;
    patch[key] = value;
  }
  return patch;
}

/** `PUT /journeys/:id`: the fields to change, and (unchanged) read-only fields of a `GET` answer. */
export const journeyPatchSchema = journeyDocumentSchema
  .pick({ $schema: true, name: true, description: true, maxDuration: true, status: true, steps: true, entryConditions: true, goals: true })
  .partial()
  .extend({
    id: z.string().optional(),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
    stepCount: z.number().optional(),
    version: z.number().optional(),
    diagnostics: z.array(view.diagnosticView).optional(),
  });

const journeyAnswer: ResponseDoc = { description: 'The journey and its current diagnostics', body: { name: 'Journey', schema: view.journeyView } };

export const journeyRoutes: readonly Route[] = [
  {
    pattern: ['journeys'],
    methods: {
      POST: {
        doc: {
          operationId: 'createJourney',
          summary: 'Create a journey (a draft may be saved with errors; activating needs none)',
          body: { name: 'JourneyDocument', schema: journeyDocumentSchema, required: true },
          responses: {
            201: {
              description: 'Created: the summary and the saved document\'s diagnostics',
              body: { name: 'CreatedJourney', schema: view.createdJourneyView },
              headers: { location: 'The new journey\'s URL' },
            },
          },
          errors: [409, 413, 415, 422],
        },
        async handle(ctx) {
          const created = await ctx.engine.createJourney(await ctx.body());
          return { status: 201, body: created, headers: { location: `${ctx.url.pathname.replace(/\/$/, '')}/${encodeURIComponent(created.id)}` } };
        },
      },
      GET: {
        query: ['status', 'limit', 'offset'],
        doc: {
          operationId: 'listJourneys',
          summary: 'List journeys, newest first',
          query: { status: z.enum(JOURNEY_STATUSES), ...pageQuery },
          responses: { 200: { description: 'A page of journeys', body: { name: 'JourneyList', schema: view.pagedView(view.journeyListItemView) } } },
        },
        async handle(ctx) {
          const status = enumParam(ctx.query as Map<string, string>, 'status', JOURNEY_STATUSES);
          const { limit, offset } = pageOf(ctx.query as Map<string, string>);
          const { items, total } = await ctx.engine.listJourneys({ ...(status ? { status } : {}), limit, offset });
          return { status: 200, body: paged(items.map(journeyListItem), total, limit, offset) };
        },
      },
    },
  },
  {
    pattern: ['journeys', ':id'],
    methods: {
      GET: {
        doc: { operationId: 'getJourney', summary: 'Read a journey', responses: { 200: journeyAnswer } },
        async handle(ctx) {
          return { status: 200, body: journeyView(await requireJourney(ctx)) };
        },
      },
      PUT: {
        doc: {
          operationId: 'updateJourney',
          summary: 'Change fields of a journey (a partial update), or its status (activate, pause, resume, archive)',
          body: { name: 'JourneyPatch', schema: journeyPatchSchema, required: true },
          responses: { 200: journeyAnswer },
          errors: [409, 413, 415, 422],
        },
        async handle(ctx) {
          const body = await ctx.body();
          const current = await requireJourney(ctx);
          const patch = patchFrom(body, current);
          if (Object.keys(patch).length === 0) return { status: 200, body: journeyView(current) };
          return { status: 200, body: journeyView(await ctx.engine.updateJourney(current.id, patch)) };
        },
      },
      DELETE: {
        doc: { operationId: 'deleteJourney', summary: 'Delete a draft or archived journey', responses: { 204: { description: 'Deleted' } }, errors: [409] },
        async handle(ctx) {
          await ctx.engine.deleteJourney(ctx.params['id']!);
          return { status: 204 };
        },
      },
    },
  },
  {
    pattern: ['journeys', ':id', 'validate'],
    methods: {
      POST: {
        doc: {
          operationId: 'validateJourney',
          summary: 'Validate the stored journey',
          body: { name: 'Empty', schema: z.strictObject({}), required: false },
          responses: { 200: { description: 'Whether it is valid, and every diagnostic', body: { name: 'Validation', schema: view.validationView } } },
          errors: [413, 415],
        },
        async handle(ctx) {
          const body = await ctx.body({ optional: true });
          if (body !== undefined && !(isPlainObject(body) && Object.keys(body).length === 0)) {
            throw new HttpError('invalid-request', 'validate takes no body (or {}); it checks the stored journey');
          }
          const { valid, diagnostics } = await ctx.engine.validate(ctx.params['id']!);
          return { status: 200, body: { valid, diagnostics } };
        },
      },
    },
  },
];
