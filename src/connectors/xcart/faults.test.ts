// Under injected faults (10 % 5xx, 5 % 429 with Retry-After, 2 % timeouts) 1,000 connector calls
// each end in a success or a classified error, none hangs, and the sandbox never sees more traffic
// per operation than the token bucket allows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type XcartSandbox } from '../../sandboxes/xcart/index.js';
import { SynclineError } from '../../core/errors.js';
import { MemoryRateLimiter } from '../../core/rate-limit.js';
import { createProfile, getOrder, listOrders, updateShippingStatus, xcartConnector, type XcartClient } from './index.js';

let sb: XcartSandbox;
let client: XcartClient;
const LIMIT = { ratePerSec: 120, burst: 10 };

beforeAll(async () => {
  sb = await start({ seed: 31, faults: { seed: 7, rules: [{ route: '/api/', error5xx: 0.1, rate429: 0.05, retryAfterS: 1, timeout: 0.02 }] } });
  sb.storefront.placeOrders(300);
  client = xcartConnector.createClient({ baseUrl: sb.url, token: sb.credentials.writeToken, timeoutMs: 400 }, { connection: 'xcart-faults', rateLimiter: new MemoryRateLimiter() });
  for (const op of ['getOrder', 'listOrders', 'updateShippingStatus', 'createProfile']) await client.http.setRateLimit(op, LIMIT);
});
afterAll(() => sb.close());

const opOf = (method: string, url: string): string | null => {
  if (method === 'GET' && /^\/api\/orders\/\d+(\?|$)/.test(url)) return 'getOrder';
  if (method === 'GET' && /^\/api\/orders(\?|$)/.test(url)) return 'listOrders';
  if (method === 'PUT' && /shipping_status/.test(url)) return 'updateShippingStatus';
  if (method === 'POST' && /^\/api\/profiles/.test(url)) return 'createProfile';
  return null;
};

describe('X-Cart connector under faults', () => {
  it('1,000 calls: every one a success or a classified error, none hangs, rate limits held', async () => {
    sb.traffic.record = true;
    const outcomes: Array<{ ok: true } | { ok: false; err: unknown }> = [];
    const HANG_MS = 30_000;
    const call = (i: number): Promise<unknown> => {
      const id = 1 + (i % 300);
      switch (i % 4) {
        case 0: return getOrder.call(client, { id });
        case 1: return listOrders.call(client, { page: 1 + (i % 3), itemsPerPage: 20 });
        case 2: return updateShippingStatus.call(client, { orderId: id, code: i % 8 === 2 ? 'P' : 'N' });
        default: return createProfile.call(client, { login: `fault${i}@example.net` });
      }
    };
    let next = 0;
    const worker = async () => {
      while (next < 1_000) {
        const i = next++;
        let timer: NodeJS.Timeout | undefined;
        const hang = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`call ${i} hung`)), HANG_MS)));
        try {
          await Promise.race([call(i), hang]);
          outcomes.push({ ok: true });
        } catch (err) {
          outcomes.push({ ok: false, err });
        } finally {
          clearTimeout(timer);
        }
      }
    };
    await Promise.all(Array.from({ length: 24 }, worker));
    sb.traffic.record = false;

    expect(outcomes).toHaveLength(1_000);
    const failures = outcomes.filter((o): o is { ok: false; err: unknown } => !o.ok).map((o) => o.err);
    const unclassified = failures.filter((e) => !(e instanceof SynclineError) || e.kind === 'bug');
    expect(unclassified.map(String)).toEqual([]);
    const codes = new Map<string, number>();
    for (const e of failures as SynclineError[]) codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
    // Faults really happened and most calls still succeeded thanks to in-call retries.
    const injected = sb.faults.injected;
    expect(injected['5xx']! + injected['429']! + injected.timeout!).toBeGreaterThan(150);
    expect(outcomes.filter((o) => o.ok).length).toBeGreaterThan(800);
    const allowed = new Set(['HTTP_SERVER_ERROR', 'HTTP_RATE_LIMITED', 'HTTP_TIMEOUT', 'HTTP_UNAVAILABLE', 'CIRCUIT_OPEN', 'XCART_REJECTED']);
    expect([...codes.keys()].filter((c) => !allowed.has(c))).toEqual([]);

    // Token bucket bound: in any 1-second window at most burst + rate requests per operation.
    const byOp = new Map<string, number[]>();
    for (const r of sb.traffic.log) {
      const op = opOf(r.method, r.url);
      if (op) byOp.set(op, [...(byOp.get(op) ?? []), r.t]);
    }
    expect(byOp.size).toBe(4);
    for (const [op, times] of byOp) {
      times.sort((a, b) => a - b);
      let lo = 0;
      let worst = 0;
      for (let hi = 0; hi < times.length; hi++) {
        while (times[hi]! - times[lo]! >= 1_000) lo++;
        worst = Math.max(worst, hi - lo + 1);
      }
      expect(worst, `${op}: busiest second`).toBeLessThanOrEqual(LIMIT.burst + LIMIT.ratePerSec);
    }
  });

  it('dropped connections: reads retry through them; a create whose connection dropped is not repeated blindly', async () => {
    const local = await start({ seed: 32, faults: { seed: 3, rules: [{ route: 'GET /api/', drop: 0.2, latencyMs: { min: 0, max: 20 } }, { route: 'POST /api/profiles', drop: 1 }] } });
    try {
      local.storefront.placeOrders(20);
      const c = xcartConnector.createClient({ baseUrl: local.url, token: local.credentials.writeToken, timeoutMs: 1_000 }, { connection: 'xcart-drops' });
      local.traffic.record = true;
      const reads = await Promise.allSettled(Array.from({ length: 80 }, (_, i) => getOrder.call(c, { id: 1 + (i % 20) })));
      // Own connection, so read failures cannot have opened this one's circuit breaker (5 in a row).
      const cc = xcartConnector.createClient({ baseUrl: local.url, token: local.credentials.writeToken, timeoutMs: 1_000 }, { connection: 'xcart-drops-creates' });
      const creates = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => createProfile.call(cc, { login: `drop${i}@example.net` })));
      local.traffic.record = false;
      expect(local.faults.injected.drop).toBeGreaterThan(10);
      const readErrors = reads.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as SynclineError);
      // Failures are transient (the drop after retries, a breaker opened by a run of drops, or a
      // timeout on this loaded machine) and never anything else.
      expect(readErrors.filter((e) => !(e instanceof SynclineError) || e.kind !== 'transient').map(String)).toEqual([]);
      expect(reads.filter((r) => r.status === 'fulfilled').length).toBeGreaterThan(40);
      // Each create went out once, failed as transient with its outcome unknown: the caller must
      // look the profile up (listProfiles({ login })) before creating it again.
      expect(local.traffic.log.filter((r) => r.method === 'POST')).toHaveLength(4);
      for (const r of creates) {
        expect(r.status).toBe('rejected');
        const e = (r as PromiseRejectedResult).reason as SynclineError;
        expect([e.code, e.kind, e.details.outcomeUnknown]).toEqual(['HTTP_UNAVAILABLE', 'transient', true]);
      }
    } finally {
      await local.close();
    }
  });
});
