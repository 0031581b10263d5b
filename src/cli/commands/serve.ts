import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeListener, createEditorHandler, createHttpHandler, HTTP_STATUS_BY_CODE, type HttpHandler } from '../../adapters/http/index.js';
import { createEngine, JourneyError, systemClock, virtualClock, type Channels, type Clock, type JourneyErrorCode, type VirtualClock } from '../../index.js';
import { memoryProfiles, type MemoryProfiles, type ProfileSeed } from '../../testing.js';
import { EXIT } from '../command.js';
import { parseCommandLine } from '../parse-command-line.js';
import type { CliIo, Command } from '../command.js';
import { jsonOption, parseNdjson, readText, reportError } from '../journey-file.js';
import { printingChannels, rulesDecisions, webhookChannels } from '../serve-adapters.js';
import { lineLogger, logFormat, withRequestLog } from '../serve-log.js';

const USAGE = `Usage: journeys serve [--db ./journeys.db] [--port 3000] [--host 127.0.0.1] [--virtual-clock]
                      [--webhook URL] [--rules rules.json] [--customers file.ndjson] [--poll-ms 1000]
                      [--log json|pretty]

Serve the journey HTTP API (under /api/v1, see docs/http-api.md) with a worker loop, on SQLite,
and the visual journey editor at /editor/ (see docs/editor.md).
Prints "listening on http://HOST:PORT" once it accepts connections (--port 0 picks a free port).

Options:
  --db <file>             SQLite database file (default ./journeys.db; ":memory:" for a throwaway one)
  --port <n>              port (default 3000)
  --host <addr>           address to bind (default 127.0.0.1)
  --virtual-clock         time moves only when told: adds POST /_clock/advance {"by":"3d"} and GET /_clock
  --webhook <url>         POST each send as JSON to this URL (Idempotency-Key header) instead of printing it
  --rules <json|file>     decision flows: { "<decisionFlowId>": [offers…] } (default: one offer "<flowId>:offer")
  --customers <file>      NDJSON customers to preload ({"id","segments","attributes"} a line); more can be
                          added with POST /api/v1/customers
  --poll-ms <n>           how often the idle worker looks for due work (default 1000)
  --log <json|pretty>     log requests and the engine's steps, effects and lifecycle to stderr,
                          as JSON lines (pino's shape) or readable text (no customer data)
  -h, --help              show this help

SIGINT/SIGTERM stop the worker after the step in hand, close the server and the database.
`;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
}

function problem(code: JourneyErrorCode, message: string): Response {
  const status = HTTP_STATUS_BY_CODE[code];
  return json(status, { error: { code, message, status } });
}

async function bodyOf(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > 100_000) throw new JourneyError('invalid-request', 'body too large');
  try {
    return text === '' ? {} : JSON.parse(text);
  } catch {
    throw new JourneyError('invalid-request', 'the body is not valid JSON');
  }
}

/** The serve-only routes: the virtual clock (when on) and customers, in front of the API. */
function withServeRoutes(api: HttpHandler, profiles: MemoryProfiles, clock: VirtualClock | null, runDue: () => Promise<number>): HttpHandler {
  return async (request) => {
    const { pathname } = new URL(request.url);
    try {
      if (clock && pathname === '/_clock') {
        if (request.method !== 'GET') return problem('method-not-allowed', 'use GET');
        return json(200, { now: new Date(clock.now()).toISOString() });
      }
      if (clock && pathname === '/_clock/advance') {
        if (request.method !== 'POST') return problem('method-not-allowed', 'use POST');
        const body = (await bodyOf(request)) as { by?: unknown };
        if ((typeof body?.by !== 'string' && typeof body?.by !== 'number') || !/^\d+(?:\.\d+)?(?:ms|s|m|h|d|w)?$/.test(String(body.by))) {
          return problem('invalid-request', 'give {"by": "3d"} (ms, s, m, h, d or w)');
        }
        clock.advance(typeof body.by === 'number' || /^\d+$/.test(body.by) ? Number(body.by) : body.by);
        const processed = await runDue();
        return json(200, { now: new Date(clock.now()).toISOString(), processed });
      }
      if (pathname === '/api/v1/customers') {
        if (request.method !== 'POST') return problem('method-not-allowed', 'use POST');
        const c = (await bodyOf(request)) as ProfileSeed;
        if (c === null || typeof c !== 'object' || typeof c.id !== 'string' || c.id === '' || c.id.length > 256 ||
          (c.segments !== undefined && (!Array.isArray(c.segments) || c.segments.some((s) => typeof s !== 'string'))) ||
          (c.attributes !== undefined && (c.attributes === null || typeof c.attributes !== 'object' || Array.isArray(c.attributes)))) {
          return problem('invalid-request', 'a customer is {"id": "...", "segments"?: [...], "attributes"?: {...}}');
        }
        profiles.set({ id: c.id, segments: c.segments ?? [], attributes: c.attributes ?? {} });
        return json(201, profiles.peek(c.id));
      }
    } catch (error) {
      return problem('invalid-request', error instanceof Error ? error.message : 'bad request');
    }
    return api(request);
  };
}

/** `/editor` and everything under it is the editor page's. */
function isEditorPath(pathname: string): boolean {
  return pathname === '/editor' || pathname.startsWith('/editor/');
}

function intOption(value: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new JourneyError('invalid-option', `--${name} must be an integer from ${min} to ${max}`);
  return n;
}

/**
 * SQLite storage, loaded only when `serve` runs: better-sqlite3 is an optional peer dependency,
 * and the other commands must work without it.
 */
async function loadSqlite(): Promise<(options: { filename: string }) => import('../../index.js').Storage> {
  try {
    const module = await import('../../adapters/sqlite/index.js');
    return module.sqliteStorage;
  } catch (error) {
    throw new JourneyError('sqlite-unavailable', `SQLite storage cannot be loaded (${error instanceof Error ? error.message : String(error)}); install better-sqlite3 (npm install better-sqlite3)`);
  }
}

function waitForAbort(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** `journeys serve`: the HTTP API and a worker on SQLite. Resolves once `io.signal` aborts and everything is closed. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the HTTP API with a worker loop on SQLite',
  usage: USAGE,
  async run(argv, io: CliIo) {
    const options = {
      db: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'virtual-clock': { type: 'boolean' },
      webhook: { type: 'string' },
      rules: { type: 'string' },
      customers: { type: 'string' },
      'poll-ms': { type: 'string' },
      log: { type: 'string' },
    } as const;
    const parsed = parseCommandLine({ name: 'serve', usage: USAGE }, argv, options, io, { positionals: false });
    if (typeof parsed === 'number') return parsed;
    const { values } = parsed;
    let server: Server | undefined;
    let engine: ReturnType<typeof createEngine> | undefined;
    try {
      const port = intOption(values.port, 3000, 'port', 0, 65535);
      const pollMs = intOption(values['poll-ms'], 1000, 'poll-ms', 1, 3_600_000);
      const host = values.host ?? '127.0.0.1';
      const format = logFormat(values.log);
      const logger = format === undefined ? undefined : lineLogger(format, (line) => io.stderr(line));
      if (values.webhook !== undefined && !/^https?:\/\//.test(values.webhook)) throw new JourneyError('invalid-option', '--webhook must be an http(s) URL');
      const customers = values.customers === undefined ? [] : (parseNdjson(await readText(values.customers, io), values.customers) as ProfileSeed[]);
      const decisions = rulesDecisions(values.rules === undefined ? {} : await jsonOption(values.rules, io, 'rules'), values.rules);
      const wall = systemClock();
      const virtual = values['virtual-clock'] ? virtualClock(wall.now()) : null;
      const clock: Clock = virtual ?? wall;
      const profiles = memoryProfiles(customers);
      const channels: Channels = values.webhook ? webhookChannels(values.webhook) : printingChannels((line) => io.stdout(line));
      const storage = (await loadSqlite())({ filename: values.db ?? './journeys.db' });
      await storage.init();
      engine = createEngine({
        storage,
        clock,
        profiles,
        decisions,
        channels,
        ...(logger === undefined ? {} : { logger }),
        onError: (error) => io.stderr(`journeys serve: worker: ${error instanceof Error ? error.message : String(error)}\n`),
      });
      const e = engine;
      const api = createHttpHandler(e, { onError: (error) => io.stderr(`journeys serve: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`) });
      const runDue = async () => {
        let total = 0;
        for (;;) {
          const { processed } = await e.runDue({ limit: 1000 });
          total += processed;
          if (processed === 0) return total;
        }
      };
      const editor = createEditorHandler({ apiBase: '/api/v1' });
      const apiRoutes = withServeRoutes(api, profiles, virtual, runDue);
      const routes: HttpHandler = (request) => (isEditorPath(new URL(request.url).pathname) ? editor(request) : apiRoutes(request));
      server = createServer(toNodeListener(logger === undefined ? routes : withRequestLog(routes, logger)));
      const s = server;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => resolve());
      });
      e.start({ pollMs });
      const bound = (s.address() as AddressInfo).port;
      const origin = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
      io.stdout(`listening on ${origin}${virtual ? ' (virtual clock: POST /_clock/advance)' : ''}\n`);
      io.stdout(`editor at ${origin}/editor/\n`);
      await waitForAbort(io.signal);
      io.stdout('stopping…\n');
      return EXIT.ok;
    } catch (error) {
      return reportError(io, 'serve', error);
    } finally {
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        });
      }
      await engine?.close();
    }
  },
};
