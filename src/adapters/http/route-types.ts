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

/** One method of a route. */
export interface RouteMethod {
  /** Query parameters it accepts; any other is a 400. */
  readonly query?: readonly string[];
  handle(ctx: RouteContext): Promise<RouteAnswer>;
}

/** A path pattern (`journeys/:id/enroll`) and its methods. */
export interface Route {
  readonly pattern: readonly string[];
  readonly methods: Readonly<Record<string, RouteMethod>>;
}
