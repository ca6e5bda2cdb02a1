// Throttling against the sandbox's real token buckets: the connector spends the burst, then holds the
// steady rate it reads from x-amzn-RateLimit-Limit where Amazon sends it, and the published usage plan
// where it does not (getOrderItems, getOrderBuyerInfo, getOrderAddress: the sandbox's default, as
// sellers observe), with no 429 once warmed up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningAmazonSandbox } from '../../sandboxes/amazon/index.js';
import { clientFor } from './testing.js';
import { getOrderItems } from './operations/getOrderItems.js';
import { getOrder } from './operations/getOrder.js';
import { AMAZON_RATE_LIMITS } from './limits.js';

let sb: RunningAmazonSandbox;
// One real second = 20 sandbox seconds: getOrderItems (0.5/s, burst 30) allows 10 requests/s real.
const SCALE = 20;

beforeAll(async () => {
  // A seller whose answers all carry x-amzn-RateLimit-Limit (as the models document).
  sb = await start({ timeScale: SCALE, historicalOrders: 40, seed: 11, features: { rateLimitHeader: 'always' } });
});
afterAll(async () => sb?.close());

describe('amazon connector: rate limits', () => {
  it('spends the burst, then holds ≥ 95 % of the granted rate with zero 429s', async () => {
    const client = clientFor(sb);
    const ids = sb.sandbox.market.orders.map((o) => o.id);
    const times: number[] = [];
    const throttledBefore = sb.sandbox.stats.throttled;
    let next = 0;
    const total = 30 + 40;
    // Times taken where the bucket is: when the sandbox serves each call (a client-side clock lets a
    // loaded machine bunch the answers and fake a higher rate).
    const served: number[] = [];
    sb.sandbox.recorder = (x) => { if (x.operation === 'getOrderItems' && x.status === 200) served.push(sb.sandbox.clock.now()); };
    // Four concurrent workers, as an engine would run them; the shared bucket paces them all.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < total) {
          const i = next++;
          await getOrderItems.call(client, { orderId: ids[i % ids.length]! });
          times.push(sb.sandbox.clock.now());
        }
      }),
    );
    expect(sb.sandbox.stats.throttled - throttledBefore).toBe(0);
    expect(client.stats.throttled).toBe(0);
    // The header taught the client the scaled rate (0.5/s × 20).
    expect(client.limits.get('getOrderItems')!.ratePerSec).toBeCloseTo(0.5 * SCALE, 6);
    sb.sandbox.recorder = undefined;
    expect(served).toHaveLength(total);
    expect(times).toHaveLength(total);
    served.sort((a, b) => a - b);
    // Token-bucket arithmetic on the sandbox clock: by the time of the i-th call at most
    // burst + rate × elapsed calls can have been served (never more: zero 429s says the same), and the
    // connector used at least 95 % of that by the end.
    const allowed = (t: number) => 30 + 0.5 * ((t - served[0]!) / 1000);
    served.forEach((t, i) => expect(i + 1).toBeLessThanOrEqual(allowed(t) + 1));
    expect(total / allowed(served.at(-1)!)).toBeGreaterThanOrEqual(0.95);
  }, 30_000);

  it('a 429 is retried after one token\'s refill time and the call succeeds', async () => {
    const client = clientFor(sb, {}, { maxInlineWaitMs: 5_000 });
    const id = sb.sandbox.market.orders[0]!.id;
    // A slow bucket (one token per 10 sandbox seconds = 0.5 s real), so the bucket is still empty when
    // our call arrives however loaded the machine is.
    sb.sandbox.buckets.override('getOrderItems', { rate: 0.1, burst: 30 });
    // Another app of the same seller drains the bucket behind our back.
    const token = await client.accessToken();
    // Drain until the sandbox says 429, so the bucket is empty right now whatever the machine's speed
    // (a fixed count could leave time for a token to refill on a slow run, or on a fast one).
    for (let i = 0; i < 200; i++) {
      const r = await fetch(`${sb.url}/orders/v0/orders/${id}/orderItems`, { headers: { 'x-amz-access-token': token } });
      const body = await r.text();
      if (r.status === 429) {
        // A real 429: the error type header, and an error with no `details` field.
        expect(r.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException');
        expect(JSON.parse(body)).toEqual({ errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.' }] });
        break;
      }
    }
    try {
      const res = await getOrderItems.call(client, { orderId: id });
      expect(res.amazonOrderId).toBe(id);
      expect(client.stats.throttled).toBeGreaterThanOrEqual(1);
    } finally {
      sb.sandbox.buckets.override('getOrderItems', { rate: 0.5, burst: 30 });
    }
  }, 30_000);
});

describe('amazon connector: rate limits where the header is absent (the sandbox default)', () => {
  let plain: RunningAmazonSandbox;
  beforeAll(async () => {
    plain = await start({ historicalOrders: 10, seed: 12 });
  });
  afterAll(async () => plain?.close());

  it('paces getOrderItems from the published usage plan (0.5/s, burst 30) when no header comes', async () => {
    const client = clientFor(plain);
    const id = plain.sandbox.market.orders[0]!.id;
    const times: number[] = [];
    for (let i = 0; i < 32; i++) {
      await getOrderItems.call(client, { orderId: id });
      times.push(performance.now());
    }
    expect(client.stats.limitUpdates).toBe(0);
    expect(client.limits.get('getOrderItems')).toEqual(AMAZON_RATE_LIMITS.getOrderItems);
    // The burst less the 2 tokens kept in reserve goes at once; after it, one call per refill at the
    // full 0.5/s. The reserve is what keeps Amazon's bucket from running dry: no 429 (with the whole
    // burst spent, the first call after it could meet one).
    expect(times[27]! - times[0]!).toBeLessThan(1_500);
    // 32 calls need (32 − 28) ÷ 0.5 = 8 s (the whole burst: 4 s).
    expect(times[31]! - times[0]!).toBeGreaterThanOrEqual(7_000);
    expect(client.stats.throttled).toBe(0);
    const gap = times[31]! - times[30]!;
    expect(gap).toBeGreaterThanOrEqual(2000 * 0.9);
    expect(gap).toBeLessThanOrEqual(2000 * 1.3);
  }, 30_000);

  it('still learns from the header on operations that send it (getOrder)', async () => {
    const client = clientFor(plain);
    plain.sandbox.buckets.override('getOrder', { rate: 2, burst: 30 });
    await getOrder.call(client, { orderId: plain.sandbox.market.orders[0]!.id });
    expect(client.limits.get('getOrder')!.ratePerSec).toBe(2);
    expect(client.stats.limitUpdates).toBe(1);
  });
});
