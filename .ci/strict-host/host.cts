// The same host as host.mts, in CommonJS (the package's `require` types, dist/*.d.cts).
import journeys = require('journey-engine');
import sqlite = require('journey-engine/sqlite');
import http = require('journey-engine/http');

const engine = journeys.createEngine({ storage: sqlite.sqliteStorage({ filename: ':memory:' }), clock: journeys.systemClock() });
export const listener: http.NodeListener = http.toNodeListener(http.createHttpHandler(engine));

export function statusOf(error: unknown): number {
  return journeys.JourneyError.is(error) ? http.HTTP_STATUS_BY_CODE[error.code] : 500;
}
