// Traces (OpenTelemetry, the official SDK). Off by default: until `startTelemetry` runs, every helper
// here calls its function straight through and records nothing. When on, a run is a trace, each flow
// step a span, each connector call a child span with the HTTP semantic attributes and the time spent
// waiting for the rate limiter; spans are exported over OTLP/HTTP (JSON) in batches.
//
// Hooks for the flow executor (src/core/engine.ts):
//   withRunSpan({ flow, recordKey, jobId, attempt, eventId }, async (traceId) => …)  — one per job attempt
//   withStepSpan({ name, flow }, async () => …)                                      — one per step
//   currentTraceId()                                                                   — for runs and log lines
import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace, type Context, type ContextManager, type Span, type Tracer } from '@opentelemetry/api';

export interface TelemetrySettings {
  enabled: boolean;
  serviceName?: string;
  /** OTLP/HTTP traces URL; default $OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or http://localhost:4318/v1/traces. */
  otlpEndpoint?: string;
  otlpHeaders?: Record<string, string>;
}

export interface Telemetry {
  /** Sends what is buffered now (tests, shutdown). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let tracer: Tracer | undefined;

/**
 * The official AsyncLocalStorage context manager lives in @opentelemetry/context-async-hooks, which
 * is not a dependency; this is the same ~20 lines, so `context.active()` follows async calls.
 */
class AlsContextManager implements ContextManager {
  private readonly als = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.als.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.als.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const self = this;
    return function (this: unknown, ...args: unknown[]) {
      return self.with(ctx, () => (target as (...a: unknown[]) => unknown).apply(this, args));
    } as T;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.als.disable();
    return this;
  }
}

let contextManagerSet = false;

export function telemetryEnabled(): boolean {
  return tracer !== undefined;
}

/**
 * Turns tracing on for this process. `exporter` replaces the OTLP exporter (tests use an in-memory
 * one); `simple` exports each span at once instead of batching.
 */
export async function startTelemetry(settings: TelemetrySettings, opts: { exporter?: import('@opentelemetry/sdk-trace-base').SpanExporter; simple?: boolean } = {}): Promise<Telemetry | undefined> {
  if (!settings.enabled) return undefined;
  // Loaded only when tracing is on: the SDK and exporter cost start-up time nobody else should pay.
  const [{ BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor }, { resourceFromAttributes }, { ATTR_SERVICE_NAME }] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  let exporter = opts.exporter;
  if (!exporter) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    exporter = new OTLPTraceExporter({ ...(settings.otlpEndpoint ? { url: settings.otlpEndpoint } : {}), ...(settings.otlpHeaders ? { headers: settings.otlpHeaders } : {}) });
  }
  const processor = opts.simple ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000 });
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName ?? 'syncline' }), spanProcessors: [processor] });
  if (!contextManagerSet) {
    context.setGlobalContextManager(new AlsContextManager());
    contextManagerSet = true;
  }
  tracer = provider.getTracer('syncline');
  return {
    flush: () => provider.forceFlush(),
    async shutdown() {
      tracer = undefined;
      await provider.shutdown();
    },
  };
}

async function inSpan<T>(name: string, kind: SpanKind, attributes: Record<string, string | number | boolean | undefined>, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
  const t = tracer;
  if (!t) return fn(undefined);
  const clean = Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined)) as Record<string, string | number | boolean>;
  return t.startActiveSpan(name, { kind, attributes: clean }, async (span) => {
    try {
      return await fn(span);
    } catch (e) {
      const err = e as { code?: string; message?: string; kind?: string };
      span.setStatus({ code: SpanStatusCode.ERROR, message: err?.message });
      if (err?.code) span.setAttribute('syncline.error.code', err.code);
      if (err?.kind) span.setAttribute('syncline.error.kind', err.kind);
      throw e;
    } finally {
      span.end();
    }
  });
}

export interface RunSpanInfo {
  flow: string;
  recordKey: string;
  jobId?: number;
  attempt?: number;
  eventId?: number | null;
}

/** One job attempt of a flow: the root span of a trace. `fn` gets the trace id (undefined when off). */
export function withRunSpan<T>(run: RunSpanInfo, fn: (traceId: string | undefined) => Promise<T>): Promise<T> {
  if (!tracer) return fn(undefined);
  // A run is its own trace, whatever context the worker loop happens to be in.
  return context.with(ROOT_CONTEXT, () =>
    inSpan(`run ${run.flow}`, SpanKind.CONSUMER, { 'syncline.flow': run.flow, 'syncline.record': run.recordKey, 'syncline.job.id': run.jobId, 'syncline.job.attempt': run.attempt, 'syncline.event.id': run.eventId ?? undefined }, (span) =>
      fn(span?.spanContext().traceId),
    ),
  );
}

/** One step of a flow (map, validate, deliver…), a child of the run span. */
export function withStepSpan<T>(step: { name: string; flow?: string }, fn: () => Promise<T>): Promise<T> {
  if (!tracer) return fn();
  return inSpan(`step ${step.name}`, SpanKind.INTERNAL, { 'syncline.step': step.name, 'syncline.flow': step.flow }, () => fn());
}

/** A connector call (the HTTP client wraps each request in one). */
export function withClientSpan<T>(name: string, attributes: () => Record<string, string | number | boolean | undefined>, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
  // Attributes are built only when traced: a URL's origin and the like cost on every call otherwise.
  if (!tracer) return fn(undefined);
  return inSpan(name, SpanKind.CLIENT, attributes(), fn);
}

/** The trace id of the active span, for a run record or a log line. */
export function currentTraceId(): string | undefined {
  if (!tracer) return undefined;
  const id = trace.getActiveSpan()?.spanContext().traceId;
  return id && !/^0+$/.test(id) ? id : undefined;
}
