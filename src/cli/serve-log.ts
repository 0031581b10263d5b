/**
 * `journeys serve --log json|pretty`: a small pino-shaped logger writing one line per call, and
 * a request log around the HTTP handler. Lines go to stderr; stdout stays the server's output.
 */
import type { HttpHandler } from '../adapters/http/index.js';
import type { EngineLogger, LogLevel } from '../index.js';
import { JourneyError } from '../index.js';

/** The formats `--log` takes. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** `--log`'s value, checked. */
export function logFormat(value: string | undefined): LogFormat | undefined {
  if (value === undefined) return undefined;
  if ((LOG_FORMATS as readonly string[]).includes(value)) return value as LogFormat;
  throw new JourneyError('invalid-option', `--log must be one of ${LOG_FORMATS.join(', ')}`);
}

function scalar(value: unknown): string {
  if (typeof value === 'string') return /^[\w.:\-/@]*$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * A logger writing `json` lines (`{"level","time","msg",…fields}`, pino's shape) or `pretty`
 * ones (`12:00:00.000 INFO  effect done journeyId=… stepId=…`) through `write`.
 */
export function lineLogger(format: LogFormat, write: (line: string) => void, now: () => number = Date.now): EngineLogger {
  const at = (level: LogLevel) => (obj: Record<string, unknown>, msg?: string) => {
    const time = new Date(now()).toISOString();
    if (format === 'json') {
      write(`${JSON.stringify({ level, time, msg: msg ?? '', ...obj })}\n`);
      return;
    }
    const fields = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .map((k) => `${k}=${scalar(obj[k])}`)
      .join(' ');
    write(`${time.slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${msg ?? ''}${fields === '' ? '' : ` ${fields}`}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * Logs each request once it is answered: method, path (never the query string: it may hold
 * customer ids), status and milliseconds. 5xx answers are errors, 4xx warnings.
 */
export function withRequestLog(handler: HttpHandler, logger: EngineLogger, clock: () => number = () => performance.now()): HttpHandler {
  return async (request) => {
    const started = clock();
    const path = new URL(request.url).pathname;
    const response = await handler(request);
    const status = response.status;
    const level: LogLevel = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    logger[level]?.({ event: 'request', method: request.method, path, status, ms: Math.round((clock() - started) * 10) / 10 }, `${request.method} ${path} ${status}`);
    return response;
  };
}
