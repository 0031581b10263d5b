import type { z } from 'zod';
import type { JourneyEngine } from '../../runtime/engine.js';

/** What a route handler gets: the tenant's engine, path parameters and the request. */
export interface RouteContext {
  /** The engine scoped to the request's tenant. */
  readonly engine: JourneyEngine;
  readonly params: Readonly<Record<string, string>>;
  readonly url: URL;
  readonly request: Request;
  /** Query parameters (already checked against the route's `query` list). */
  readonly query: ReadonlyMap<string, string>;
  /** The parsed JSON body (size-limited); `undefined` when empty and `optional`. */
  body(options?: { optional?: boolean }): Promise<unknown>;
}

/** What a route handler answers (errors are thrown). */
export interface RouteAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A documented answer: its description and, when it has a body, the body's schema (a named component). */
export interface ResponseDoc {
  readonly description: string;
  readonly body?: { readonly name: string; readonly schema: z.ZodType };
  /** Response headers it carries (name → description). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * How a method is described in the OpenAPI document (openapi.ts), next to its handler. The error
 * answers come from the error table: every route answers 400, 401, 404, 405 and 500; `errors`
 * adds the statuses this one answers besides (409, 413, 415, 422).
 */
export interface OperationDoc {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  /** The request body's schema (read as input: defaults may be left out); absent: it takes none. */
  readonly body?: { readonly name: string; readonly schema: z.ZodType; readonly required: boolean };
  /** A schema for each name in the method's `query` list. */
  readonly query?: Readonly<Record<string, z.ZodType>>;
  /** Request headers it reads (name → description). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Every answer that is not an error of the table's shape alone, by status. */
  readonly responses: Readonly<Record<number, ResponseDoc>>;
  readonly errors?: readonly number[];
}

/** One method of a route. */
export interface RouteMethod {
  /** Query parameters it accepts; any other is a 400. */
  readonly query?: readonly string[];
  readonly doc: OperationDoc;
  handle(ctx: RouteContext): Promise<RouteAnswer>;
}

/** A path pattern (`journeys/:id/enroll`) and its methods. */
export interface Route {
  readonly pattern: readonly string[];
  readonly methods: Readonly<Record<string, RouteMethod>>;
}
