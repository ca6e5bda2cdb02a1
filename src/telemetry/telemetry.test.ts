// Traces of one order, exported over OTLP/HTTP (JSON) to a collector in this process: the run is the
// root span, each step a child, each connector call a child of its step with the HTTP semantic
// attributes and the rate-limit wait — and everything is a no-op while tracing is off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../core/rate-limit.js';
import { start, type Sage300Sandbox } from '../sandboxes/sage300/index.js';
import { createOrder, findCustomerByEmail, sage300Connector, type Sage300Client } from '../connectors/sage300/index.js';
import { currentTraceId, startTelemetry, telemetryEnabled, withRunSpan, withStepSpan, type Telemetry } from './index.js';
import { attr, startCollector, type Collector } from './collector.testkit.js';

let sb: Sage300Sandbox;
let collector: Collector;

beforeAll(async () => {
  sb = await start({ seed: 3 });
  collector = await startCollector();
});
afterAll(async () => {
  await sb?.close();
  await collector?.close();
});

describe('telemetry', () => {
  it('is off by default: helpers call straight through and give no trace id', async () => {
    expect(telemetryEnabled()).toBe(false);
    expect(await withRunSpan({ flow: 'f', recordKey: 'k' }, async (traceId) => traceId)).toBeUndefined();
    expect(await withStepSpan({ name: 's' }, async () => currentTraceId())).toBeUndefined();
    expect(await startTelemetry({ enabled: false })).toBeUndefined();
  });

  it('one order: run → steps → connector calls, exported over OTLP to a collector', async () => {
    const telemetry = (await startTelemetry({ enabled: true, serviceName: 'syncline-test', otlpEndpoint: collector.endpoint })) as Telemetry;
    const client = sage300Connector.createClient(
      { baseUrl: sb.url, company: sb.credentials.company, user: sb.credentials.user, password: sb.credentials.password },
      { connection: 'sage300-traced', rateLimiter: new MemoryRateLimiter() },
    ) as Sage300Client;
    const item = sb.company.items.table.rows().find((r) => r.StructureCode === 'CSC')!;
    let runTrace: string | undefined;
    let inStep: string | undefined;
    await withRunSpan({ flow: 'xcart-order-to-sage300', recordKey: 'xcart:order:424242', jobId: 7, attempt: 1, eventId: 9 }, async (traceId) => {
      runTrace = traceId;
      await withStepSpan({ name: 'customer', flow: 'xcart-order-to-sage300' }, async () => {
        inStep = currentTraceId();
        await findCustomerByEmail.call(client, { email: 'nobody-424242@example.com' });
      });
      await withStepSpan({ name: 'deliver', flow: 'xcart-order-to-sage300' }, () =>
        createOrder.call(client, { order: { CustomerNumber: sb.webCustomer, PurchaseOrderNumber: '424242', OrderDetails: [{ LineType: 'Item', Item: String(item.ItemNumber), QuantityOrdered: 1 }] } }),
      );
    });
    await telemetry.flush();
    await telemetry.shutdown();
    expect(telemetryEnabled()).toBe(false);

    expect(runTrace).toMatch(/^[0-9a-f]{32}$/);
    expect(inStep).toBe(runTrace);
    const received = collector.requests;
    expect(received.length).toBeGreaterThan(0);
    expect(received[0]!.contentType).toContain('application/json');
    const resource = received[0]!.body.resourceSpans[0]!.resource;
    expect(resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue).toBe('syncline-test');
    const trace = collector.spans().filter((s) => s.traceId === runTrace);
    const run = trace.find((s) => s.name === 'run xcart-order-to-sage300')!;
    expect(run.parentSpanId ?? '').toBe('');
    expect(attr(run, 'syncline.record')).toBe('xcart:order:424242');
    const steps = trace.filter((s) => s.parentSpanId === run.spanId);
    expect(steps.map((s) => s.name).sort()).toEqual(['step customer', 'step deliver']);
    const calls = (step: string) => trace.filter((s) => s.parentSpanId === steps.find((x) => x.name === `step ${step}`)!.spanId);
    const lookup = calls('customer');
    expect(lookup.length).toBeGreaterThanOrEqual(1);
    expect(attr(lookup[0]!, 'http.request.method')).toBe('GET');
    const create = calls('deliver');
    const post = create.find((s) => attr(s, 'http.request.method') === 'POST')!;
    expect(post).toBeDefined();
    expect(post.kind).toBe(3); // SPAN_KIND_CLIENT
    expect(attr(post, 'syncline.operation')).toBe('createOrder');
    expect(attr(post, 'syncline.connection')).toBe('sage300-traced');
    expect(String(attr(post, 'url.full'))).toMatch(/\/Sage300WebApi\/v1\.0\/-\/.+\/OE\/OEOrders$/);
    expect(attr(post, 'server.address')).toBe('127.0.0.1');
    expect(Number(attr(post, 'http.response.status_code'))).toBe(201);
    expect(typeof attr(post, 'syncline.rate_limit.wait_ms')).toBe('number');
  }, 60_000);
});
