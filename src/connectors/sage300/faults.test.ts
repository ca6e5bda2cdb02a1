// Fault tests: with 10 % 5xx, 5 % 429 (Retry-After), 2 % timeouts and 1 % dropped connections injected, 1,000 connector calls
// each end in success or a classified error, none hangs, no order is created twice, and no
// operation ever goes faster than its rate limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SynclineError } from '../../core/errors.js';
import { MemoryRateLimiter } from '../../core/rate-limit.js';
import { start, type Sage300Sandbox } from '../../sandboxes/sage300/index.js';
import { Sage300Client } from './client.js';
import { createOrder, getItem } from './index.js';

const LIMIT = { ratePerSec: 150, burst: 15 };
const CALLS = 1_000;
const CREATES = 200;

let sb: Sage300Sandbox;
beforeAll(async () => {
  sb = await start({ seed: 5, faults: { seed: 99, rules: [{ route: '/Sage300WebApi', error5xx: 0.1, status5xx: 503, rate429: 0.05, retryAfterS: 1, timeout: 0.02, drop: 0.01 }] } });
});
afterAll(async () => sb?.close());

describe('Sage 300 connector under injected faults', () => {
  it('ends 1,000 calls in success or a classified error, within the rate limits, creating no order twice', async () => {
    // Records when each token is granted, i.e. when the request leaves the client.
    const granted: Array<{ key: string; at: number }> = [];
    const limiter = new (class extends MemoryRateLimiter {
      override async acquire(key: string, cost?: number): Promise<void> {
        await super.acquire(key, cost);
        granted.push({ key, at: performance.now() });
      }
    })();
    const ops = ['getItem', 'createOrder', 'findOrdersByReference'];
    const client = new Sage300Client(
      { baseUrl: sb.url, company: sb.credentials.company, user: sb.credentials.user, password: sb.credentials.password, timeoutMs: 1_000 },
      { connection: 'sage300-faults', rateLimiter: limiter, rateLimits: Object.fromEntries(ops.map((o) => [o, LIMIT])) },
    );
    const items = sb.company.items.table.rows().map((r) => String(r.ItemNumber));
    const recorder = sb.recordRequests();
    const outcomes: Array<'ok' | SynclineError> = [];
    let next = 0;
    const HANG = Symbol('hang');
    const worker = async () => {
      while (next < CALLS) {
        const i = next++;
        const call = i % (CALLS / CREATES) === 0
          ? createOrder.call(client, { order: { CustomerNumber: 'C00003', PurchaseOrderNumber: `FAULT-${i}`, OrderDetails: [{ LineType: 'Item', Item: items[i % items.length]!, QuantityOrdered: 1 }] } })
          : getItem.call(client, { itemNumber: items[i % items.length]! });
        // A call that has not settled 20 s after it started has hung (timeouts are 1 s, waits ≤ 5 s).
        const r = await Promise.race([call.then(() => 'ok' as const, (e: unknown) => e), new Promise((res) => setTimeout(() => res(HANG), 20_000))]);
        if (r === HANG) throw new Error(`call ${i} hung`);
        outcomes.push(r as 'ok' | SynclineError);
      }
    };
    await Promise.all(Array.from({ length: 24 }, worker));
    recorder.stop();

    expect(outcomes).toHaveLength(CALLS);
    const errors = outcomes.filter((o): o is SynclineError => o !== 'ok');
    for (const e of errors) {
      expect(e).toBeInstanceOf(SynclineError);
      expect(['user', 'transient', 'bug']).toContain(e.kind);
      expect(e.code).toMatch(/^(SAGE300_|HTTP_|CIRCUIT_OPEN)/);
    }
    // Faults really happened, and in-call retries absorbed most of them.
    const injected = sb.faultsInjected();
    expect(injected['5xx']).toBeGreaterThan(50);
    expect(injected['429']).toBeGreaterThan(20);
    expect(injected.timeout).toBeGreaterThan(5);
    expect(injected.drop).toBeGreaterThan(2);
    expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThan(CALLS * 0.9);
    expect(errors.every((e) => e.kind === 'transient')).toBe(true);

    // Exactly once in effect: no purchase order number was entered twice.
    const pos = sb.company.orders.table.rows().map((o) => String(o.PurchaseOrderNumber));
    expect(new Set(pos).size).toBe(pos.length);

    const worstSecond = (times: number[]) => {
      times.sort((a, b) => a - b);
      let worst = 0;
      for (let a = 0, b = 0; b < times.length; b++) {
        while (times[b]! - times[a]! >= 1_000) a++;
        worst = Math.max(worst, b - a + 1);
      }
      return worst;
    };
    const opOf = (r: { method: string; url: string }) => (r.url.includes('/IC/ICItems') ? 'getItem' : r.method === 'POST' ? 'createOrder' : 'findOrdersByReference');
    for (const op of ops) {
      // As sent: never more than burst + rate in any one second (5 % for timer wake-ups bunched by a busy event loop).
      expect(worstSecond(granted.filter((g) => g.key === `sage300-faults:${op}`).map((g) => g.at)), op).toBeLessThanOrEqual((LIMIT.ratePerSec + LIMIT.burst) * 1.05);
      // As the server saw it: the same, give or take loopback jitter in a shared event loop.
      expect(worstSecond(recorder.requests.filter((r) => opOf(r) === op).map((r) => r.at)), op).toBeLessThanOrEqual((LIMIT.ratePerSec + LIMIT.burst) * 1.15);
    }
    expect(granted.length).toBe(recorder.requests.length);
  }, 120_000);
});
