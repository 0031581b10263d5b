// A strict TypeScript host (ESM, module NodeNext) of the installed package: compiled by
// .ci/check-strict-host with only journey-engine and better-sqlite3 installed (no @types).
import { createEngine, JourneyError, systemClock, type EnrollResult, type JourneyErrorCode } from 'journey-engine';
import { sqliteStorage, type SqliteDatabase } from 'journey-engine/sqlite';
import { createHttpHandler, HTTP_STATUS_BY_CODE, toNodeListener, type NodeListener } from 'journey-engine/http';

const storage = sqliteStorage({ filename: './journeys.db', synchronous: 'full' });
const engine = createEngine({ storage, clock: systemClock() });
const handler = createHttpHandler(engine, { resolveTenant: (request) => request.headers.get('x-tenant') });
export const listener: NodeListener = toNodeListener(handler);

export function withDatabase(database: SqliteDatabase) {
  return sqliteStorage({ database });
}

export async function enrollOne(journeyId: string, customerId: string): Promise<EnrollResult['counts'] | string> {
  try {
    return (await engine.enroll(journeyId, { customerId })).counts;
  } catch (error) {
    if (!JourneyError.is(error)) throw error;
    const code: JourneyErrorCode = error.code;
    return `${code}: ${HTTP_STATUS_BY_CODE[code]}`;
  }
}

export async function answer(): Promise<number> {
  const response = await handler(new Request('http://host.local/api/v1/journeys'));
  return response.status;
}
