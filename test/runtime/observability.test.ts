import { describe, expect, it } from 'vitest';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { trace } from '@opentelemetry/api';
import { createObserver, type EngineLogger } from '../../src/runtime/observe.js';
import { harness, runUntilIdle, type Harness } from './engine-helpers.js';

/** A customer attribute, an enrollment context and an offer field nobody may log by default. */
const SECRET = 'SECRET-7f3a9c';

const journey = {
  name: 'observed',
  maxDuration: 30,
  steps: [
    { id: 'pick', type: 'decide', config: { decisionFlowId: 'df_1', storeResultAs: 'offer' } },
    { id: 'mail', type: 'send', config: { channelId: 'email', resultSource: 'offer' } },
    { id: 'tag', type: 'update', config: { operations: [{ type: 'set_attribute', key: 'tagged', value: true }] } },
    { id: 'rest', type: 'wait', config: { duration: 1, unit: 'days' } },
    { id: 'check', type: 'branch', config: { conditions: [{ expression: "customer.email == 'nobody'", targetStepId: 'rest' }] } },
  ],
};

interface Line {
  readonly level: string;
  readonly obj: Record<string, unknown>;
  readonly msg: string | undefined;
}

function recordingLogger(): EngineLogger & { lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg?: string) => {
    lines.push({ level, obj: structuredClone(obj), msg });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function run(h: Harness, opts: { context?: boolean } = {}): Promise<string> {
  const { id } = await h.engine.createJourney(journey);
  await h.engine.setStatus(id, 'active');
  await h.engine.enroll(id, { customerId: 'c1' }, opts.context === false ? {} : { context: { note: SECRET } });
  await h.engine.runDue();
  await h.engine.recordOutcome({ customerId: 'c1', journeyId: id, type: 'click', idempotencyKey: 'o1' });
  await runUntilIdle(h);
  await h.engine.setStatus(id, 'paused');
  await h.engine.setStatus(id, 'archived');
  return id;
}

const customers = [{ id: 'c1', segments: ['vip'], attributes: { email: SECRET, age: 41 } }];
const decisions = { df_1: [{ id: 'offer_1', headline: SECRET }] };

describe('createEngine({ logger })', () => {
  it('writes structured lines for claims, effects, commits, steps and lifecycle changes, with ids', async () => {
    const logger = recordingLogger();
    const h = harness({ customers, decisions, engine: { logger, tenantId: 'acme' } });
    const journeyId = await run(h);
    const events = logger.lines.map((l) => `${l.level}:${String(l.obj['event'])}`);
    for (const expected of ['info:outcome', 'info:journey-created', 'info:journey-status', 'info:enrolled', 'debug:claim', 'info:effect', 'debug:commit', 'debug:step', 'info:completed', 'info:journey-archived']) {
      expect(events, expected).toContain(expected);
    }
    const effects = logger.lines.filter((l) => l.obj['event'] === 'effect');
    expect(effects.map((l) => l.obj['effect'])).toEqual(['decide', 'send', 'update']);
    const enrollmentId = (await h.engine.listEnrollments({ journeyId })).items[0]!.id;
    expect(effects[1]!.obj).toMatchObject({ tenantId: 'acme', journeyId, journeyVersion: 1, enrollmentId, stepId: 'mail', channelId: 'email', result: 'ok', idempotencyKey: `${enrollmentId}:mail:1` });
    expect(effects[0]!.obj['offerIds']).toEqual(['offer_1']);
    expect(effects[0]!.msg).toBe('decide done');
    const status = logger.lines.filter((l) => l.obj['event'] === 'journey-status').map((l) => `${String(l.obj['from'])}->${String(l.obj['to'])}`);
    expect(status).toEqual(['draft->active', 'active->paused', 'paused->archived']);
    for (const line of logger.lines) {
      expect(typeof line.msg).toBe('string');
      expect(line.obj['tenantId'] ?? 'acme').toBe('acme');
    }
  });

  it('never writes a customer attribute, context or offer content, nor the customer id, by default', async () => {
    const logger = recordingLogger();
    await run(harness({ customers, decisions, engine: { logger } }));
    expect(logger.lines.length).toBeGreaterThan(10);
    const all = JSON.stringify(logger.lines);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain('"c1"');
    expect(all).not.toContain('vip');
  });

  it('writes customer data when the host opts in with logCustomerData', async () => {
    const logger = recordingLogger();
    await run(harness({ customers, decisions, engine: { logger, logCustomerData: true } }));
    const effect = logger.lines.find((l) => l.obj['event'] === 'effect' && l.obj['effect'] === 'send')!;
    expect(effect.obj['customerId']).toBe('c1');
    expect(JSON.stringify(effect.obj['customer'])).toContain(SECRET);
    expect(JSON.stringify(logger.lines.find((l) => l.obj['event'] === 'enrolled')!.obj['context'])).toContain(SECRET);
  });

  it('logs retries as warnings and a failure as an error, with the error code and attempts', async () => {
    const logger = recordingLogger();
    const h = harness({ customers, decisions, channels: { fail: () => new Error('smtp down') }, engine: { logger, retry: { maxAttempts: 2, initialDelayMs: 1000 } } });
    const { id } = await h.engine.createJourney(journey);
    await h.engine.setStatus(id, 'active');
    await h.engine.enroll(id, { customerId: 'c1' });
    await runUntilIdle(h);
    const failedEffects = logger.lines.filter((l) => l.obj['event'] === 'effect' && l.obj['result'] === 'failed');
    expect(failedEffects.map((l) => [l.level, l.obj['attempt']])).toEqual([['warn', 1], ['warn', 2]]);
    expect(failedEffects[0]!.obj['error']).toMatchObject({ message: 'smtp down' });
    const retry = logger.lines.find((l) => l.obj['event'] === 'retry')!;
    expect(retry.level).toBe('warn');
    expect(retry.obj).toMatchObject({ stepId: 'mail', attempts: 1 });
    expect(typeof retry.obj['retryAt']).toBe('string');
    const failed = logger.lines.find((l) => l.obj['event'] === 'failed')!;
    expect(failed.level).toBe('error');
    expect(failed.obj).toMatchObject({ stepId: 'mail', journeyId: id });
  });

  it('logs a deferral when the journey is paused while an effect runs (the next effect waits in place)', async () => {
    const logger = recordingLogger();
    let pause: () => Promise<unknown> = async () => undefined;
    const h = harness({ customers, decisions: { df_1: async () => (await pause(), [{ id: 'offer_1' }]) }, engine: { logger } });
    const { id } = await h.engine.createJourney(journey);
    await h.engine.setStatus(id, 'active');
    pause = () => h.engine.setStatus(id, 'paused');
    await h.engine.enroll(id, { customerId: 'c1' });
    await h.engine.runDue();
    const deferred = logger.lines.filter((l) => l.obj['event'] === 'deferred');
    expect(deferred.map((l) => [l.level, l.obj['reason'], l.obj['journeyId'], l.obj['stepId'], l.obj['effect']])).toEqual([['info', 'journey-inactive', id, 'mail', 'send']]);
    expect(logger.lines.filter((l) => l.obj['event'] === 'effect').map((l) => l.obj['effect'])).toEqual(['decide']);
  });

  it('a logger that throws never breaks the engine; its errors go to onError', async () => {
    const errors: unknown[] = [];
    const boom = () => {
      throw new Error('logger down');
    };
    const logger: EngineLogger = { debug: boom, info: boom, warn: boom, get error(): never { throw new Error('getter down'); } };
    const h = harness({ customers, decisions, channels: { fail: (r) => (r.stepId === 'never' ? new Error('x') : undefined) }, engine: { logger, onError: (e) => errors.push(e) } });
    await run(h);
    expect(h.channels.sent).toHaveLength(1);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e instanceof Error && /down/.test(e.message))).toBe(true);
    // Missing levels are skipped; onError throwing too is swallowed.
    const partial = harness({ customers, decisions, engine: { logger: { info: boom } as EngineLogger, onError: boom } });
    await run(partial);
    expect(partial.channels.sent).toHaveLength(1);
  });

  it('refuses a logger that is not an object', () => {
    expect(() => harness({ engine: { logger: 'console' as never } })).toThrow(/logger/);
  });
});

describe('OpenTelemetry spans', () => {
  function provider() {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    return { exporter, tracerProvider };
  }

  it('a span per effect and per commit, with the same ids as the log lines', async () => {
    const { exporter, tracerProvider } = provider();
    const h = harness({ customers, decisions, engine: { tracerProvider, tenantId: 'acme' } });
    const journeyId = await run(h);
    const spans = exporter.getFinishedSpans();
    const effects = spans.filter((s) => s.name.startsWith('journey.effect'));
    expect(effects.map((s) => s.name)).toEqual(['journey.effect decide', 'journey.effect send', 'journey.effect update']);
    const enrollmentId = (await h.engine.listEnrollments({ journeyId })).items[0]!.id;
    expect(effects[1]!.attributes).toMatchObject({
      'journey.tenant_id': 'acme',
      'journey.id': journeyId,
      'journey.version': 1,
      'journey.enrollment_id': enrollmentId,
      'journey.step_id': 'mail',
      'journey.effect': 'send',
      'journey.idempotency_key': `${enrollmentId}:mail:1`,
      'journey.result': 'ok',
    });
    const commits = spans.filter((s) => s.name === 'journey.commit');
    expect(commits.length).toBeGreaterThanOrEqual(3);
    expect(commits.every((s) => s.attributes['journey.result'] === 'ok' && s.attributes['journey.enrollment_id'] === enrollmentId)).toBe(true);
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain(SECRET);
  });

  it('marks a failed effect span with an error status', async () => {
    const { exporter, tracerProvider } = provider();
    const h = harness({ customers, decisions, channels: { fail: () => new Error('smtp down') }, engine: { tracerProvider, retry: { maxAttempts: 1 } } });
    const { id } = await h.engine.createJourney(journey);
    await h.engine.setStatus(id, 'active');
    await h.engine.enroll(id, { customerId: 'c1' });
    await runUntilIdle(h);
    const send = exporter.getFinishedSpans().find((s) => s.name === 'journey.effect send')!;
    expect(send.status).toMatchObject({ code: 2, message: 'smtp down' });
    expect(send.attributes['journey.result']).toBe('failed');
  });

  it('uses the global tracer provider of @opentelemetry/api when none is given, and none with tracerProvider: false', async () => {
    const { exporter, tracerProvider } = provider();
    trace.setGlobalTracerProvider(tracerProvider);
    try {
      await run(harness({ customers, decisions }));
      expect(exporter.getFinishedSpans().filter((s) => s.name === 'journey.effect send')).toHaveLength(1);
      exporter.reset();
      await run(harness({ customers, decisions, engine: { tracerProvider: false } }));
      expect(exporter.getFinishedSpans()).toEqual([]);
    } finally {
      trace.disable();
    }
  });

  it('costs nothing while nobody listens: no logger and the global provider still the no-op one, then spans once an SDK registers', async () => {
    const observer = createObserver({ tracerProvider: trace.getTracerProvider() });
    expect(observer.enabled()).toBe(false);
    const { exporter, tracerProvider } = provider();
    trace.setGlobalTracerProvider(tracerProvider);
    try {
      // the same observer sees the provider registered after it was made
      expect(observer.enabled()).toBe(true);
      const span = observer.span('journey.commit', { journeyId: 'j' });
      span.end();
      expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['journey.commit']);
    } finally {
      trace.disable();
    }
    expect(createObserver({ logger: { info() {} } }).enabled()).toBe(true);
    expect(createObserver({}).enabled()).toBe(false);
  });

  it('a tracer that throws never breaks the engine', async () => {
    const errors: unknown[] = [];
    const tracerProvider = { getTracer: () => ({ startSpan: () => { throw new Error('tracer down'); } }) };
    const h = harness({ customers, decisions, engine: { tracerProvider, onError: (e) => errors.push(e) } });
    await run(h);
    expect(h.channels.sent).toHaveLength(1);
    expect(errors.length).toBeGreaterThan(0);
    const ending = { getTracer: () => ({ startSpan: () => ({ setAttribute: () => { throw new Error('a'); }, setStatus: () => undefined, end: () => { throw new Error('b'); } }) }) };
    const other = harness({ customers, decisions, engine: { tracerProvider: ending, onError: () => undefined } });
    await run(other);
    expect(other.channels.sent).toHaveLength(1);
  });
});
