/**
 * Customers in journeys: enroll, test with a sample customer, list enrollments, stats, why a
 * customer can or cannot enter, event triggers and outcomes.
 */
import { idProblem } from '../../model/ids.js';
import { MAX_CUSTOMERS_PER_ENROLL, type EnrollTarget } from '../../runtime/enrollments.js';
import { ENTRY_VIAS } from '../../runtime/entry-rules.js';
import { ENROLLMENT_STATUSES } from '../../runtime/types.js';
import type { JsonValue } from '../../model/schema.js';
import { simulate, type SimulateOptions } from '../../simulate/simulate.js';
import { z } from 'zod';
import { enrollBodySchema, eventBodySchema, outcomeBodySchema, testBodySchema } from './body-schemas.js';
import { HTTP_STATUS_BY_CODE, HttpError } from './http-errors.js';
import { requireJourney } from './journey-routes.js';
import { enumParam, idParam, pageOf, pageQuery, parseBody } from './request-input.js';
import type { Route } from './route-types.js';
import { enrollmentView, paged } from './views.js';
import * as view from './view-schemas.js';

export const enrollmentRoutes: readonly Route[] = [
  {
    pattern: ['journeys', ':id', 'enroll'],
    methods: {
      POST: {
        doc: {
          operationId: 'enroll',
          summary: 'Enroll customers (duplicates and refusals are reported, not errors)',
          body: { name: 'EnrollRequest', schema: enrollBodySchema, required: true },
          responses: { 200: { description: 'Who was enrolled and who was skipped, and why', body: { name: 'EnrollResult', schema: view.enrollResultView } } },
          errors: [409, 413, 415],
        },
        async handle(ctx) {
          const body = parseBody(enrollBodySchema, await ctx.body());
          if ((body.customerId === undefined) === (body.customerIds === undefined)) {
            throw new HttpError('invalid-request', 'give exactly one of customerId or customerIds', { path: ['customerId'] });
          }
          if (body.customerIds !== undefined && body.customerIds.length > MAX_CUSTOMERS_PER_ENROLL) {
            throw new HttpError('too-many-customers', `at most ${MAX_CUSTOMERS_PER_ENROLL} customers per call; got ${body.customerIds.length}`, {
              path: ['customerIds'],
            });
          }
          const target = (body.customerIds !== undefined ? { customerIds: body.customerIds } : { customerId: body.customerId }) as EnrollTarget;
          const context = (body.context ?? {}) as Record<string, JsonValue>;
          return { status: 200, body: await ctx.engine.enroll(ctx.params['id']!, target, { context }) };
        },
      },
    },
  },
  {
    pattern: ['journeys', ':id', 'test'],
    methods: {
      POST: {
        doc: {
          operationId: 'testJourney',
          summary: 'Run a sample customer through the stored journey (nothing is stored)',
          body: { name: 'TestRequest', schema: testBodySchema, required: false },
          responses: { 200: { description: 'The simulated timeline', body: { name: 'Simulation', schema: view.simulationView } } },
          errors: [413, 415, 422],
        },
        async handle(ctx) {
          const body = parseBody(testBodySchema.optional(), await ctx.body({ optional: true })) ?? {};
          const journey = await requireJourney(ctx);
          const errors = journey.diagnostics.filter((d) => d.severity === 'error');
          if (errors.length > 0) {
            throw new HttpError('invalid-journey', `the journey has ${errors.length} error(s); fix them before testing it`, {
              path: errors[0]!.path,
              details: { diagnostics: journey.diagnostics },
            });
          }
          const document = {
            name: journey.name,
            description: journey.description,
            maxDuration: journey.maxDuration,
            status: journey.status,
            steps: journey.steps,
            entryConditions: journey.entryConditions,
            ...(journey.goals === undefined ? {} : { goals: journey.goals }),
            ...(journey.sendPolicy === undefined ? {} : { sendPolicy: journey.sendPolicy }),
          };
          const options: SimulateOptions = {
            journeyId: journey.id,
            ...(body.customer ? { customer: body.customer as SimulateOptions['customer'] } : {}),
            ...(body.outcomes ? { outcomes: body.outcomes } : {}),
            ...(body.events ? { events: body.events as SimulateOptions['events'] } : {}),
            ...(body.decisions ? { decisions: body.decisions } : {}),
            ...(body.start !== undefined ? { start: body.start } : {}),
            ...(body.checkEntry !== undefined ? { checkEntry: body.checkEntry } : {}),
          };
          return { status: 200, body: await simulate(document, options) };
        },
      },
    },
  },
  {
    pattern: ['journeys', ':id', 'enrollments'],
    methods: {
      GET: {
        query: ['status', 'stepId', 'customerId', 'limit', 'offset'],
        doc: {
          operationId: 'listEnrollments',
          summary: "The journey's enrollments",
          query: { status: z.enum(ENROLLMENT_STATUSES), stepId: z.string(), customerId: z.string(), ...pageQuery },
          responses: { 200: { description: 'A page of enrollments', body: { name: 'EnrollmentList', schema: view.pagedView(view.enrollmentView) } } },
        },
        async handle(ctx) {
          const query = ctx.query as Map<string, string>;
          const status = enumParam(query, 'status', ENROLLMENT_STATUSES);
          const stepId = idParam(query, 'stepId');
          const customerId = idParam(query, 'customerId');
          const { limit, offset } = pageOf(query);
          const journey = await requireJourney(ctx);
          const { items, total } = await ctx.engine.listEnrollments({
            journeyId: journey.id,
            ...(status ? { status } : {}),
            ...(stepId ? { stepId } : {}),
            ...(customerId ? { customerId } : {}),
            limit,
            offset,
          });
          return { status: 200, body: paged(items.map(enrollmentView), total, limit, offset) };
        },
      },
    },
  },
  {
    pattern: ['journeys', ':id', 'stats'],
    methods: {
      GET: {
        doc: { operationId: 'journeyStats', summary: 'Per-step and per-goal figures', responses: { 200: { description: 'The figures', body: { name: 'JourneyStats', schema: view.statsView } } } },
        async handle(ctx) {
          return { status: 200, body: await ctx.engine.stats(ctx.params['id']!) };
        },
      },
    },
  },
  {
    pattern: ['journeys', ':id', 'entry', ':customerId'],
    methods: {
      GET: {
        query: ['via'],
        doc: {
          operationId: 'explainEntry',
          summary: 'Whether the customer could enter the journey now and, rule by rule, why not',
          query: { via: z.enum(ENTRY_VIAS).default('manual') },
          responses: { 200: { description: 'The verdict and every rule', body: { name: 'EntryExplanation', schema: view.entryExplanationView } } },
        },
        async handle(ctx) {
          const via = enumParam(ctx.query as Map<string, string>, 'via', ENTRY_VIAS);
          return { status: 200, body: await ctx.engine.explainEntry(ctx.params['id']!, ctx.params['customerId']!, via ? { via } : {}) };
        },
      },
    },
  },
  {
    pattern: ['events'],
    methods: {
      POST: {
        doc: {
          operationId: 'ingestEvent',
          summary: "Deliver an event to the customer's waiting enrollments and enroll them where a trigger matches",
          body: { name: 'EventRequest', schema: eventBodySchema, required: true },
          responses: { 200: { description: 'Where it was delivered, who was enrolled, who was skipped', body: { name: 'IngestResult', schema: view.ingestResultView } } },
          errors: [413, 415],
        },
        async handle(ctx) {
          const event = parseBody(eventBodySchema, await ctx.body());
          const result = await ctx.engine.ingestEvent({
            customerId: event.customerId,
            type: event.type,
            ...(event.properties ? { properties: event.properties as Record<string, JsonValue> } : {}),
            ...(event.at !== undefined ? { at: event.at } : {}),
          });
          return { status: 200, body: result };
        },
      },
    },
  },
  {
    pattern: ['outcomes'],
    methods: {
      POST: {
        doc: {
          operationId: 'recordOutcome',
          summary: 'Record a customer response (impression, click, conversion, …) on one enrollment',
          body: { name: 'OutcomeRequest', schema: outcomeBodySchema, required: true },
          headers: { 'idempotency-key': 'The outcome\'s idempotency key (or the body\'s idempotencyKey; the same value if both)' },
          responses: {
            200: { description: 'Recorded, or recorded before (a duplicate)', body: { name: 'OutcomeResult', schema: view.outcomeResultView } },
            422: { description: 'It matched no enrollment (or another 422 error): nothing was recorded', body: { name: 'OutcomeUnmatched', schema: view.outcomeUnmatchedView } },
          },
          errors: [413, 415],
        },
        async handle(ctx) {
          const header = ctx.request.headers.get('idempotency-key');
          const report = parseBody(outcomeBodySchema, await ctx.body());
          const headerProblem = header === null ? undefined : idProblem(header);
          if (headerProblem !== undefined) {
            throw new HttpError('invalid-id', `the Idempotency-Key header: ${headerProblem}`, { path: ['headers', 'idempotency-key'] });
          }
          if (header !== null && report.idempotencyKey !== undefined && header !== report.idempotencyKey) {
            throw new HttpError('idempotency-key-mismatch', 'the Idempotency-Key header and the idempotencyKey field differ; send one, or the same value in both', {
              path: ['idempotencyKey'],
            });
          }
          const key = header ?? report.idempotencyKey;
          if (key === undefined) {
            throw new HttpError('invalid-request', 'an outcome needs an idempotency key: the Idempotency-Key header or the idempotencyKey field', {
              path: ['idempotencyKey'],
            });
          }
          const result = await ctx.engine.recordOutcome({
            customerId: report.customerId,
            type: report.type,
            idempotencyKey: key,
            ...(report.journeyId !== undefined ? { journeyId: report.journeyId } : {}),
            ...(report.sendKey !== undefined ? { sendKey: report.sendKey } : {}),
            ...(report.messageId !== undefined ? { messageId: report.messageId } : {}),
            ...(report.at !== undefined ? { at: report.at } : {}),
          });
          if (result.unmatched) {
            // Nothing was recorded: the library's answer, plus the error shape every 4xx has.
            const status = HTTP_STATUS_BY_CODE['outcome-unmatched']!;
            const error = { code: 'outcome-unmatched', message: result.unmatched.message, status, details: { reason: result.unmatched.reason } };
            return { status, body: { ...result, error } };
          }
          return { status: 200, body: result };
        },
      },
    },
  },
];
