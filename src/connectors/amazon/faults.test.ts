// Fault injection on the Amazon sandbox: the connector rides out 5xx, 429, latency and dropped
// connections within its retry budget, and reports timeouts and an open circuit as transient errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningAmazonSandbox } from '../../sandboxes/amazon/index.js';
import { clientFor } from './testing.js';
import { getOrder } from './operations/getOrder.js';
import { SynclineError } from '../../core/errors.js';

let sb: RunningAmazonSandbox;
let ids: string[];

beforeAll(async () => {
  sb = await start({ historicalOrders: 30, seed: 13 });
  sb.sandbox.buckets.enabled = false;
  ids = sb.sandbox.market.orders.map((o) => o.id);
});
afterAll(async () => sb?.close());

const setFaults = (rules: object[]) => sb.sandbox.faults!.set({ rules: rules as never, seed: 7 });

describe('amazon connector under faults', () => {
  it('retries 5xx, 429 (Retry-After) and dropped connections on reads and gets every answer', async () => {
    setFaults([{ route: 'GET /orders/v0/orders/', error5xx: 0.1, rate429: 0.1, retryAfterS: 0.05, drop: 0.05, latencyMs: { min: 0, max: 20 } }]);
    const client = clientFor(sb, {}, { maxAttempts: 8 });
    const before = { ...sb.sandbox.faults!.injected };
    for (const id of ids) expect((await getOrder.call(client, { orderId: id })).AmazonOrderId).toBe(id);
    const inj = sb.sandbox.faults!.injected;
    expect((inj['5xx'] ?? 0) - (before['5xx'] ?? 0)).toBeGreaterThan(0);
    expect((inj['429'] ?? 0) - (before['429'] ?? 0)).toBeGreaterThan(0);
    expect((inj.drop ?? 0) - (before.drop ?? 0)).toBeGreaterThan(0);
    setFaults([]);
  }, 60_000);

  it('a hung request becomes HTTP_TIMEOUT (transient)', async () => {
    setFaults([{ route: 'GET /orders/v0/orders/', timeout: 1 }]);
    const client = clientFor(sb, { timeoutMs: 300 }, { maxAttempts: 1 });
    const e = (await getOrder.call(client, { orderId: ids[0]! }).catch((x: unknown) => x)) as SynclineError;
    expect(e.code).toBe('HTTP_TIMEOUT');
    expect(e.kind).toBe('transient');
    setFaults([]);
  });

  it('a system that keeps failing opens the circuit: calls stop hitting it', async () => {
    setFaults([{ route: 'GET /orders/v0/orders/', error5xx: 1, status5xx: 503 }]);
    const client = clientFor(sb, {}, { maxAttempts: 1 });
    const codes: string[] = [];
    for (let i = 0; i < 7; i++) codes.push(((await getOrder.call(client, { orderId: ids[0]! }).catch((x: unknown) => x)) as SynclineError).code);
    expect(codes.slice(0, 5)).toEqual(new Array(5).fill('HTTP_SERVER_ERROR'));
    expect(codes.at(-1)).toBe('CIRCUIT_OPEN');
    setFaults([]);
  });
});
