// Traces end to end (issue 11): `syncline start --config` with `telemetry.enabled`, exporting over
// OTLP/HTTP to a collector in this process, runs the real X-Cart → Sage 300 order flow against the
// sandboxes. One order's trace is checked span by span: the run is the root, each step the run
// recorded is a child span, each Sage 300 call a CLIENT child of its step with the HTTP semantic
// attributes and the rate-limit wait; the run's trace id is on its run record. A dead letter leads
// to its trace: `dlq show` prints the trace id, whose failing step span carries the dead letter's
// code, and the "dead-lettered" log line carries the same trace id.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sage300Connector, type Sage300Client } from '../../src/connectors/sage300/index.js';
import { createProduct, xcartConnector, type XcartClient } from '../../src/connectors/xcart/index.js';
import { targetCounts } from '../../src/cli/commands/demo.js';
import { openStore } from '../../src/core/db/database.js';
import { createQueue } from '../../src/core/queue/sql-queue.js';
import { RunStore } from '../../src/core/runs.js';
import { sealedCodec } from '../../src/core/payload-codec.js';
import { SecretBox } from '../../src/core/secrets.js';
import { start as startXcart, type XcartSandbox } from '../../src/sandboxes/xcart/index.js';
import { start as startSage300, type Sage300Sandbox } from '../../src/sandboxes/sage300/index.js';
import { until } from './xcart-sage300-pair.js';
import { attr, startCollector, type Collector } from '../../src/telemetry/collector.testkit.js';

const root = path.resolve(import.meta.dirname, '../..');
const FLOW = 'xcart-order-to-sage300';

describe('traces: one order through `syncline start` exported to an in-process OTLP collector', () => {
  let xcart: XcartSandbox;
  let sage300: Sage300Sandbox;
  let collector: Collector;
  let dir: string;
  let stderr = '';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-traces-'));
    xcart = await startXcart({ port: 0, seed: 1 });
    sage300 = await startSage300({ port: 0, seed: 1 });
    collector = await startCollector();
  }, 60_000);

  afterAll(async () => {
    await Promise.all([xcart?.close(), sage300?.close(), collector?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('run → steps → Sage 300 calls; trace id on the run, in `dlq show` and in the dead letter\'s log line', async () => {
    const file = path.join(dir, 'syncline.yaml');
    writeFileSync(file, [
      'dataDir: ./data',
      'server: { port: 0 }',
      'worker: { concurrency: 4, pollMs: 5 }',
      'recordPayloads: none',
      `telemetry: { enabled: true, serviceName: syncline-e2e, otlpEndpoint: "${collector.endpoint}" }`,
      'connections:',
      `  - { id: xcart-main, system: xcart, config: { baseUrl: "${xcart.url}", token: "${xcart.credentials.readToken}" } }`,
      `  - { id: sage300-main, system: sage300, config: { baseUrl: "${sage300.url}", company: ${sage300.credentials.company}, user: ${sage300.credentials.user}, password: "${sage300.credentials.password}" } }`,
      'flows:',
      `  - { use: ${FLOW}, connections: { shop: xcart-main, erp: sage300-main }, since: now, pollIntervalMs: 200, options: { riskHold: false } }`,
    ].join('\n'));
    const child = spawn(process.execPath, [path.join(root, 'bin/syncline.js'), 'start', '--config', file, '--log-format', 'json'], { cwd: tmpdir(), env: { ...process.env, SYNCLINE_DATABASE_URL: '', SYNCLINE_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let good: string;
    let bad: string;
    try {
      await until('syncline started', () => stderr, (s) => s.includes('syncline started'), 180_000, 200);
      // A good order, and one whose SKU Sage 300 does not know (a dead letter).
      const shop = xcartConnector.createClient({ baseUrl: xcart.url, token: xcart.credentials.writeToken }, { connection: 'test-shop' }) as XcartClient;
      await createProduct.call(shop, { sku: 'ZZ-TRACE-404', name: 'Not in Sage 300', price: '9.00', amount: 5 });
      good = String(xcart.storefront.placeOrder({ guest: true, paid: true, currency: 'USD', paymentMethod: 'Phone Ordering', lines: [{ sku: 'A1-1001-BLK', qty: 1 }] }).order_number);
      bad = String(xcart.storefront.placeOrder({ guest: true, paid: true, currency: 'USD', paymentMethod: 'Phone Ordering', lines: [{ sku: 'ZZ-TRACE-404', qty: 1 }] }).order_number);
      const erp = sage300Connector.createClient({ baseUrl: sage300.url, company: sage300.credentials.company, user: sage300.credentials.user, password: sage300.credentials.password }, { connection: 'test-erp' }) as Sage300Client;
      await until('the good order in Sage 300', () => targetCounts(erp, new Set([good])), (c) => c.delivered === 1, 120_000, 200);
      await until('the dead letter logged', () => stderr, (s) => s.includes('"msg":"dead-lettered"'), 120_000, 200);
    } finally {
      child.kill('SIGTERM'); // drains, then shuts the tracer down: what is buffered is exported
    }
    expect(await exited).toBe(0);

    const store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'data', 'syncline.db'), readonly: true });
    store.payloadCodec = sealedCodec(SecretBox.load(path.join(dir, 'data'), {}));
    const runs = new RunStore(store.db);
    const [delivered] = await runs.list({ flow: FLOW, status: 'succeeded', limit: 5 });
    const [dead] = await createQueue(store).list({ state: 'dead', limit: 5 });
    const [deadRun] = dead ? await runs.list({ jobId: dead.id, limit: 1 }) : [];
    const deliveredRun = delivered ? await runs.get(delivered.id) : undefined;
    await store.close();

    // The good order: its run's trace, span by span.
    const spans = collector.spans();
    expect(deliveredRun?.traceId).toMatch(/^[0-9a-f]{32}$/);
    const trace = spans.filter((s) => s.traceId === deliveredRun!.traceId);
    const run = trace.filter((s) => !s.parentSpanId);
    expect(run.map((s) => s.name)).toEqual([`run ${FLOW}`]);
    expect(attr(run[0]!, 'syncline.record')).toMatch(/^xcart:order:/);
    const steps = trace.filter((s) => s.parentSpanId === run[0]!.spanId);
    // Every step the run recorded is a span under the run.
    expect(steps.map((s) => s.name).sort()).toEqual(deliveredRun!.steps!.map((s) => `step ${s.step}`).sort());
    const stepOf = (call: (typeof spans)[number]) => steps.find((s) => s.spanId === call.parentSpanId)?.name;
    const calls = trace.filter((s) => s.kind === 3); // SPAN_KIND_CLIENT
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) {
      expect(stepOf(c), c.name).toBeDefined();
      expect(attr(c, 'http.request.method')).toMatch(/^(GET|POST|PATCH|PUT|DELETE)$/);
      expect(String(attr(c, 'url.full'))).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      expect(attr(c, 'server.address')).toBe('127.0.0.1');
      expect(typeof attr(c, 'syncline.rate_limit.wait_ms')).toBe('number');
    }
    const create = calls.find((c) => attr(c, 'syncline.operation') === 'createOrder' && attr(c, 'http.request.method') === 'POST');
    expect(create, JSON.stringify(calls.map((c) => [c.name, attr(c, 'syncline.operation'), stepOf(c)]))).toBeDefined();
    expect(attr(create!, 'syncline.connection')).toBe('sage300-main');
    expect(String(attr(create!, 'url.full'))).toMatch(/\/OE\/OEOrders$/);
    expect(Number(attr(create!, 'http.response.status_code'))).toBe(201);
    expect(stepOf(create!)).toMatch(/^step /);

    // The dead letter: from it to its trace and the step that failed.
    expect(dead?.lastError?.kind).toBe('user');
    expect(deadRun?.traceId).toMatch(/^[0-9a-f]{32}$/);
    const show = await promisify(execFile)(process.execPath, [path.join(root, 'bin/syncline.js'), 'dlq', 'show', String(dead!.id), '--db', `sqlite:${path.join(dir, 'data', 'syncline.db')}`], { env: { ...process.env, SYNCLINE_DATABASE_URL: '' }, timeout: 180_000 });
    expect(show.stdout).toContain(`trace ${deadRun!.traceId}`);
    const deadTrace = spans.filter((s) => s.traceId === deadRun!.traceId);
    const failed = deadTrace.filter((s) => s.name.startsWith('step ') && s.status?.code === 2); // STATUS_CODE_ERROR
    expect(failed.map((s) => attr(s, 'syncline.error.code'))).toContain(dead!.lastError!.code);
    expect(deadTrace.some((s) => s.kind === 3 && attr(s, 'syncline.connection') === 'sage300-main')).toBe(true);
    // The operator's log line names the same trace.
    const line = stderr.split('\n').filter((l) => l.includes('"msg":"dead-lettered"')).map((l) => JSON.parse(l) as { traceId?: string; job?: number })[0];
    expect(line?.job).toBe(dead!.id);
    expect(line?.traceId).toBe(deadRun!.traceId);
    expect(bad).toBeDefined();
  }, 400_000);
});
