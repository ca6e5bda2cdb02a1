// An outage is loud (issue 10): the circuit counts write failures even while reads succeed, opens
// and closes with one warn line each, and the connection's health follows — as metrics, alerts and
// state. A real HTTP server on loopback plays an ERP whose writes fail while its reads answer.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionHealthRegistry, type HealthAlert } from '../core/connection-health.js';
import { runAsJob } from '../core/policies.js';
import { HttpClient, circuitState } from './client.js';

let server: Server;
let url = '';
let writesFail = true;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    if (req.method === 'POST' && writesFail) return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down"}');
    res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('circuit breaker and connection health', () => {
  it('opens after 3 failed writes although a successful read comes between each; warns once when it opens and once when it closes', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const registry = new Registry();
    const health = new ConnectionHealthRegistry({ logger, registry });
    const alerts: HealthAlert[] = [];
    health.onAlert((a) => alerts.push(a));
    health.track('erp-writes');
    const client = new HttpClient({ connection: 'erp-writes', baseUrl: url, maxAttempts: 1, breaker: { consecutiveFailures: 3, halfOpenAfterMs: 300 } });

    for (let i = 0; i < 3; i++) {
      // The flow's look-up (a read) succeeds, then its create (a write) fails: as in the outage of issue 10.
      await client.request({ operation: 'findOrder', method: 'GET', path: '/orders' });
      await expect(client.request({ operation: 'createOrder', method: 'POST', path: '/orders', body: {} })).rejects.toMatchObject({ code: 'HTTP_SERVER_ERROR' });
    }
    await new Promise((r) => setImmediate(r));
    expect(circuitState('erp-writes')).toBe('open');
    await expect(client.request({ operation: 'createOrder', method: 'POST', path: '/orders', body: {} })).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(health.get('erp-writes')).toMatchObject({ state: 'degraded', circuit: 'open', code: 'CIRCUIT_OPEN' });
    // The reason says what failed, not only that something did.
    expect(health.get('erp-writes')?.reason).toContain('createOrder failed with 503');
    expect(await registry.getSingleMetricAsString('syncline_circuit_state')).toContain('syncline_circuit_state{connection="erp-writes",state="open"} 1');
    expect(await registry.getSingleMetricAsString('syncline_connection_health')).toContain('syncline_connection_health{connection="erp-writes",state="degraded"} 1');

    // The ERP recovers: after the half-open wait one probe succeeds and the circuit closes.
    writesFail = false;
    await new Promise((r) => setTimeout(r, 350));
    await client.request({ operation: 'createOrder', method: 'POST', path: '/orders', body: {} });
    await new Promise((r) => setImmediate(r));
    expect(circuitState('erp-writes')).toBe('closed');
    expect(health.get('erp-writes')).toMatchObject({ state: 'ok', circuit: 'closed' });
    const warns = lines.filter((l) => l.level === 40).map((l) => l.msg);
    expect(warns.filter((m) => m.includes('circuit of erp-writes opened'))).toHaveLength(1);
    expect(warns.filter((m) => m.includes('circuit of erp-writes closed'))).toHaveLength(1);
    expect(warns).toHaveLength(2); // one outage, two lines: opened, closed
    expect(alerts.map((a) => a.state)).toEqual(['degraded', 'ok']);
    health.close();
  });

  it('a job does not wait out an open circuit inside its call: the flows using it are not claimed until the probe, and a job that met it waits for the probe, its attempt not counted', async () => {
    writesFail = true;
    const health = new ConnectionHealthRegistry();
    health.track('erp-down');
    health.setFlowConnections('orders', ['shop', 'erp-down']);
    health.setFlowConnections('stock', ['shop']);
    // Three attempts per call, as connectors default: a job used to sleep through the open circuit twice (2 × halfOpenAfter) in its worker slot.
    const client = new HttpClient({ connection: 'erp-down', baseUrl: url, maxAttempts: 3, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 2_000 } });
    for (let i = 0; i < 2; i++) await expect(client.request({ operation: 'createOrder', method: 'POST', path: '/orders', body: {} })).rejects.toMatchObject({ code: 'HTTP_SERVER_ERROR' });
    await new Promise((r) => setImmediate(r));
    expect(circuitState('erp-down')).toBe('open');
    const t0 = performance.now();
    const err = await runAsJob(() => client.request({ operation: 'createOrder', method: 'POST', path: '/orders', body: {} })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(performance.now() - t0).toBeLessThan(500);
    expect([...health.pausedQueues()]).toEqual(['orders']);
    const wait = health.hold('orders', err as never)!;
    expect(wait).toBeGreaterThan(1_000);
    expect(wait).toBeLessThanOrEqual(2_000);
    // Probe due: the flow's jobs are claimed again (one of them probes).
    expect(health.pausedQueues(Date.now() + 2_001).size).toBe(0);
    health.close();
  });

  it('refused credentials pause the connection and hold its flows\' jobs; a passing test resumes it', () => {
    const health = new ConnectionHealthRegistry({ holdMs: 1234 });
    health.track('shop');
    health.track('erp');
    health.setFlowConnections('orders', ['shop', 'erp']);
    health.setFlowConnections('stock', ['shop']);
    const refused = { code: 'SAGE300_AUTH_FAILED', kind: 'user', message: 'refused', details: { connection: 'erp', status: 401 } } as never;
    expect(health.hold('orders', refused)).toBe(1234);
    expect(health.get('erp')?.state).toBe('paused');
    expect([...health.pausedQueues()]).toEqual(['orders']);
    // Other failures of a paused flow wait too; a flow not using it is not affected.
    expect(health.hold('orders', { code: 'HTTP_SERVER_ERROR', kind: 'transient', message: '', details: {} } as never)).toBe(1234);
    expect(health.hold('stock', { code: 'XCART_REJECTED', kind: 'user', message: '', details: {} } as never)).toBeUndefined();
    health.tested('erp', { ok: true, ms: 5 });
    expect(health.get('erp')?.state).toBe('ok');
    expect(health.pausedQueues().size).toBe(0);
    health.close();
  });
});
