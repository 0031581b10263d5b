/**
 * Logs and traces of the engine's shell: structured lines to a host's pino-shaped logger and
 * OpenTelemetry spans (per effect and per commit) when `@opentelemetry/api` is installed or a
 * tracer provider is given. Nothing here may break the engine: a logger or tracer that throws is
 * reported to `onError` and otherwise ignored. Lines carry ids, never customer data, unless the
 * host opts in with `logCustomerData`.
 */
import type { EngineEvents } from './events.js';
import type { Enrollment } from './types.js';

/**
 * Any logger shaped like pino's: `logger.info(obj, msg)`. pino, bunyan and a `console`-backed
 * object all fit. A missing level is skipped.
 */
export interface EngineLogger {
  debug?(obj: Record<string, unknown>, msg?: string): unknown;
  info?(obj: Record<string, unknown>, msg?: string): unknown;
  warn?(obj: Record<string, unknown>, msg?: string): unknown;
  error?(obj: Record<string, unknown>, msg?: string): unknown;
}

/** A log level of {@link EngineLogger}. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The slice of an OpenTelemetry `Span` the engine uses. */
export interface SpanLike {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): unknown;
}

/** The slice of an OpenTelemetry `TracerProvider` the engine uses (`@opentelemetry/api`'s, or an SDK's). */
export interface TracerProviderLike {
  getTracer(name: string, version?: string): { startSpan(name: string, options?: { attributes?: Record<string, string | number | boolean> }): SpanLike };
}

/** OpenTelemetry's `SpanStatusCode.ERROR` (a stable number; no import needed). */
const SPAN_STATUS_ERROR = 2;

/** The ids a line or span carries. Undefined fields are left out. */
export interface ObservedIds {
  readonly tenantId?: string;
  readonly journeyId?: string;
  readonly journeyVersion?: number;
  readonly enrollmentId?: string;
  readonly stepId?: string | null;
}

/** Span attribute names for the id fields (OpenTelemetry style). */
const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  tenantId: 'journey.tenant_id',
  journeyId: 'journey.id',
  journeyVersion: 'journey.version',
  enrollmentId: 'journey.enrollment_id',
  stepId: 'journey.step_id',
  effect: 'journey.effect',
  idempotencyKey: 'journey.idempotency_key',
  result: 'journey.result',
  workerId: 'journey.worker_id',
};

/** An open span: add attributes, mark failed, end. Every method is safe to call. */
export interface ObservedSpan {
  set(fields: Readonly<Record<string, unknown>>): void;
  fail(message: string): void;
  end(): void;
}

const NO_SPAN: ObservedSpan = Object.freeze({ set() {}, fail() {}, end() {} });

/** What the engine's parts call. Internal. */
export interface Observer {
  /** Whether lines may carry customer data (`logCustomerData`). */
  readonly customerData: boolean;
  /**
   * Whether anything listens: a logger, or a tracer provider that records (a global
   * `@opentelemetry/api` provider with no SDK registered records nothing). Hot paths ask first
   * and build no fields, spans or lines when nothing would see them.
   */
  enabled(): boolean;
  /** Write one line: `event` names what happened; `fields` are ids and figures only. */
  log(level: LogLevel, event: string, fields: Readonly<Record<string, unknown>>, message: string): void;
  /** Start a span named `name` with the id fields as attributes (a no-op without a tracer). */
  span(name: string, fields: Readonly<Record<string, unknown>>): ObservedSpan;
  /** Log one engine event (the ones `engine.events` emits), ids only. */
  event<K extends keyof EngineEvents>(name: K, payload: EngineEvents[K]): void;
  /** Use this tracer provider from now on (`null`: none). */
  setTracerProvider(provider: TracerProviderLike | null): void;
}

/** The ids of an enrollment, for a line or a span. */
export function idsOf(enrollment: Enrollment): Record<string, unknown> {
  return {
    tenantId: enrollment.tenantId,
    journeyId: enrollment.journeyId,
    journeyVersion: enrollment.journeyVersion,
    enrollmentId: enrollment.id,
    stepId: enrollment.stepId,
  };
}

/** An observer that does nothing (no logger, no tracer). */
export const SILENT: Observer = Object.freeze({
  customerData: false,
  enabled: () => false,
  log() {},
  span: () => NO_SPAN,
  event() {},
  setTracerProvider() {},
});

/** Options of {@link createObserver}. */
export interface ObserverOptions {
  readonly logger?: EngineLogger | undefined;
  readonly logCustomerData?: boolean | undefined;
  /** The tracer provider, or `undefined` for none. */
  readonly tracerProvider?: TracerProviderLike | undefined;
  readonly onError?: ((error: unknown) => void) | undefined;
  readonly version?: string;
}

function report(onError: ((error: unknown) => void) | undefined, error: unknown): void {
  try {
    onError?.(error);
  } catch {
    // onError itself threw: nothing more to do.
  }
}

/** Only scalar attributes go to a span. */
function attributesOf(fields: Readonly<Record<string, unknown>>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[ATTRIBUTE_NAMES[key] ?? `journey.${key}`] = value;
  }
  return out;
}

/** Build the observer of an engine. */
export function createObserver(options: ObserverOptions): Observer {
  const { logger, onError } = options;
  let tracerProvider = options.tracerProvider;
  const customerData = options.logCustomerData === true;
  let tracer: ReturnType<TracerProviderLike['getTracer']> | undefined;
  const log = (level: LogLevel, event: string, fields: Readonly<Record<string, unknown>>, message: string): void => {
    if (logger === undefined) return;
    try {
      const write = logger[level];
      if (typeof write !== 'function') return;
      const line: Record<string, unknown> = { event };
      for (const key of Object.keys(fields)) if (fields[key] !== undefined) line[key] = fields[key];
      write.call(logger, line, message);
    } catch (error) {
      report(onError, error);
    }
  };
  const span = (name: string, fields: Readonly<Record<string, unknown>>): ObservedSpan => {
    if (tracerProvider === undefined || !records(tracerProvider)) return NO_SPAN;
    let open: SpanLike;
    try {
      tracer ??= tracerProvider.getTracer('journey-engine', options.version);
      open = tracer.startSpan(name, { attributes: attributesOf(fields) });
    } catch (error) {
      report(onError, error);
      return NO_SPAN;
    }
    const guard = (fn: () => void): void => {
      try {
        fn();
      } catch (error) {
        report(onError, error);
      }
    };
    return {
      set: (more) => guard(() => {
        const attributes = attributesOf(more);
        for (const key of Object.keys(attributes)) open.setAttribute(key, attributes[key]!);
      }),
      fail: (message) => guard(() => open.setStatus({ code: SPAN_STATUS_ERROR, message })),
      end: () => guard(() => open.end()),
    };
  };
  return {
    customerData,
    enabled: () => logger !== undefined || (tracerProvider !== undefined && records(tracerProvider)),
    log,
    span,
    event: (name, payload) => {
      if (logger !== undefined) logEvent(log, customerData, name, payload);
    },
    setTracerProvider(provider) {
      tracerProvider = provider ?? undefined;
      tracer = undefined;
    },
  };
}

type Log = Observer['log'];

/** One line per engine event: ids and figures, customer data only when opted in. */
function logEvent<K extends keyof EngineEvents>(log: Log, customerData: boolean, name: K, payload: EngineEvents[K]): void {
  const p = payload as EngineEvents[keyof EngineEvents];
  const enrollment = 'enrollment' in p ? p.enrollment : undefined;
  const ids = enrollment === undefined ? {} : { ...idsOf(enrollment), ...(customerData ? { customerId: enrollment.customerId } : {}) };
  switch (name) {
    case 'enrolled': {
      const e = p as EngineEvents['enrolled'];
      log('info', 'enrolled', { ...ids, ...(customerData ? { context: e.enrollment.context } : {}) }, 'customer enrolled');
      return;
    }
    case 'step': {
      const { event } = p as EngineEvents['step'];
      const detail: Record<string, unknown> = { ...ids, stepId: 'stepId' in event ? event.stepId : null, step: event.type };
      if ('stepType' in event) detail['stepType'] = event.stepType;
      if ('visit' in event) detail['visit'] = event.visit;
      if ('reason' in event) detail['reason'] = event.reason;
      if ('note' in event) detail['note'] = event.note;
      log(event.type === 'failed' ? 'error' : 'debug', 'step', detail, `step ${event.type}`);
      return;
    }
    case 'sent': {
      const e = p as EngineEvents['sent'];
      log('debug', 'sent', { ...ids, stepId: e.stepId, channelId: e.channelId, idempotencyKey: e.idempotencyKey, messageId: e.receipt.messageId }, 'send recorded');
      return;
    }
    case 'outcome': {
      const e = p as EngineEvents['outcome'];
      log('info', 'outcome', { ...ids, outcome: e.outcome.type, ...(customerData ? { properties: (e.outcome as { properties?: unknown }).properties } : {}) }, 'outcome recorded');
      return;
    }
    case 'completed':
      log('info', 'completed', ids, 'enrollment completed the journey');
      return;
    case 'exited': {
      const e = p as EngineEvents['exited'];
      log('info', 'exited', { journeyId: e.journeyId, enrollmentId: e.enrollmentId, reason: e.reason }, `enrollment exited (${e.reason})`);
      return;
    }
    case 'failed': {
      const e = p as EngineEvents['failed'];
      log('error', 'failed', { ...ids, stepId: e.error.stepId, error: { message: e.error.message, code: e.error.code }, attempts: e.error.attempts }, 'enrollment failed');
      return;
    }
    case 'retry': {
      const e = p as EngineEvents['retry'];
      log('warn', 'retry', { ...ids, stepId: e.error.stepId, error: { message: e.error.message, code: e.error.code }, attempts: e.error.attempts, retryAt: new Date(e.retryAt).toISOString() }, 'effect failed; retry scheduled');
      return;
    }
    case 'quarantined': {
      const e = p as EngineEvents['quarantined'];
      log('error', 'quarantined', { tenantId: e.tenantId, enrollmentId: e.enrollmentId, reason: e.reason }, 'enrollment quarantined: its stored row cannot be read');
      return;
    }
  }
}

/**
 * Whether a tracer provider can record spans. The global provider of `@opentelemetry/api` is a
 * proxy that delegates to a no-op provider until the host registers an SDK (which it may do after
 * the engine started): asked on every span, it costs one call while nothing is registered.
 */
function records(provider: TracerProviderLike): boolean {
  const proxy = provider as TracerProviderLike & { getDelegate?: () => unknown };
  if (typeof proxy.getDelegate !== 'function') return true;
  try {
    const delegate = proxy.getDelegate() as { constructor?: { name?: string } } | undefined;
    return delegate?.constructor?.name !== 'NoopTracerProvider';
  } catch {
    return true;
  }
}

/** `@opentelemetry/api`, loaded once when first asked for; `null` when it is not installed. */
let openTelemetry: Promise<TracerProviderLike | null> | undefined;

/**
 * The global tracer provider of `@opentelemetry/api` when the package is installed, else
 * `null`. Loaded lazily (an optional peer dependency): the core never needs it.
 */
export function loadTracerProvider(): Promise<TracerProviderLike | null> {
  openTelemetry ??= (async () => {
    try {
      const specifier = '@opentelemetry/api';
      const api = (await import(specifier)) as { trace?: { getTracerProvider?: () => TracerProviderLike }; default?: { trace?: { getTracerProvider?: () => TracerProviderLike } } };
      const trace = api.trace ?? api.default?.trace;
      return typeof trace?.getTracerProvider === 'function' ? trace.getTracerProvider() : null;
    } catch {
      return null;
    }
  })();
  return openTelemetry;
}
