// Issue 10, defect 1: a slow ERP that commits after the client gave up must not get duplicates.
// A proxy in front of the Sage 300 sandbox holds 10 % of order creates past the client's timeout
// (Sage commits them later) and drops the answer of another 10 % after Sage saved the order. The
// deliver step waits the settle time before it looks an order up, so every X-Cart order ends as
// exactly one Sage 300 order. Also: versions of another scheme are refused at intake (defect 3).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { startSyncline, type Runtime } from '../../src/main.js';
import { start as startXcart, type XcartSandbox } from '../../src/sandboxes/xcart/index.js';
import { start as startSage300, type Sage300Sandbox } from '../../src/sandboxes/sage300/index.js';
import { targetCounts } from '../../src/cli/commands/demo.js';
import { Sage300Client } from '../../src/connectors/sage300/index.js';
import { signWebhook } from '../../src/server/index.js';
import { faultyProxy, type FaultyProxy } from './faulty-proxy.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const UNLIMITED = { ratePerSec: 100_000, burst: 100_000 };
const SECRET = 'unknown-outcome-secret-0123456789';

describe('unknown outcomes never duplicate (delaying, answer-dropping proxy in front of Sage 300)', () => {
  let xcart: XcartSandbox;
  let sage: Sage300Sandbox;
  let proxy: FaultyProxy;
  let runtime: Runtime;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-unknown-'));
    xcart = await startXcart({ port: 0, seed: 1 });
    sage = await startSage300({ port: 0, seed: 1 });
    // Worst case: the merchant never turned on Sage's own guard ("Check for duplicate POs = Error"),
    // so nothing but Syncline stands between an unknown outcome and a duplicate order.
    for (const c of sage.company.customers.table.rows()) (c as Record<string, unknown>).CheckForDuplicatePOs = 'None';
    proxy = await faultyProxy(sage.url, 15_000, (method, url) => (method === 'POST' && /\/OE\/OEOrders(\?|$)/.test(url) ? 'order' : undefined));
    const since = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000).toISOString();
    runtime = await startSyncline(
      parseConfig({
        dataDir: dir,
        server: { port: 0 },
        worker: { concurrency: 16, pollMs: 5 },
        log: { level: process.env.DEBUG_E2E ? 'info' : 'error' },
        connections: [
          { id: 'shop', system: 'xcart', config: { baseUrl: xcart.url, token: xcart.credentials.readToken }, webhookSecret: SECRET, rateLimits: { listOrders: UNLIMITED, getOrder: UNLIMITED } },
          {
            id: 'erp',
            system: 'sage300',
            // The client gives up after 400 ms; the proxy makes Sage commit 15 s after the request left.
            config: { baseUrl: proxy.url, company: sage.credentials.company, user: sage.credentials.user, password: sage.credentials.password, timeoutMs: 400 },
            rateLimits: { createOrder: UNLIMITED, findOrdersByReference: UNLIMITED, findCustomerByEmail: UNLIMITED, createCustomer: UNLIMITED, getItem: UNLIMITED },
          },
        ],
        // Settle time 18 s > the 15 s the proxy holds a request: a look-up happens only once Sage is done.
        flows: [{ use: 'xcart-order-to-sage300', connections: { shop: 'shop', erp: 'erp' }, pollIntervalMs: 100, since, options: { settleMs: 18_000, riskHold: false } }],
      }),
      { listen: true },
    );
  }, 60_000);

  afterAll(async () => {
    await runtime?.stop();
    await proxy?.close();
    await Promise.all([xcart?.close(), sage?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('100 X-Cart orders → exactly 100 Sage 300 orders, none twice, though 20 creates had unknown outcomes', async () => {
    const placed = new Set(xcart.storefront.placeOrders(100).map((o) => String(o.order_number)));
    const direct = new Sage300Client({ baseUrl: sage.url, company: sage.credentials.company, user: sage.credentials.user, password: sage.credentials.password }, { connection: 'check' });
    const deadline = Date.now() + (process.env.DEBUG_E2E ? 15_000 : 280_000); // at load 20+ the 400 ms timeout also cuts slow ordinary calls
    let counts = await targetCounts(direct, placed);
    while (counts.delivered < placed.size && Date.now() < deadline) {
      await sleep(500);
      counts = await targetCounts(direct, placed);
    }
    await sleep(16_000); // a late duplicate would land within the settle time
    counts = await targetCounts(direct, placed);
    expect(proxy.stats.order!.held).toBeGreaterThanOrEqual(9);
    expect(proxy.stats.order!.dropped).toBeGreaterThanOrEqual(9);
    expect(counts).toMatchObject({ delivered: 100, duplicates: 0 });
    const dead = await runtime.engine.queue.list({ state: 'dead', limit: 10 });
    expect(dead).toEqual([]);
    // The unknown outcomes were seen and waited out, not ignored.
    const retried = await runtime.store.db.selectFrom('runs').select('error').where('status', '=', 'retrying').execute();
    expect(retried.some((r) => (r.error ?? '').includes('DELIVERY_OUTCOME_UNKNOWN'))).toBe(true);
  }, 330_000);

  it('an X-Cart order event whose version is of another scheme is refused at intake with the reason', async () => {
    const body = JSON.stringify({ system: 'xcart', entity: 'order', id: '777', version: '2026-12-07T02:02:40Z', payload: { id: 777 } });
    const res = await request(`${runtime.url}/webhooks/shop`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-syncline-signature': signWebhook(SECRET, body) } });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(await res.body.json())).toContain('EVENT_VERSION_INVALID');
    const stored = await runtime.store.db.selectFrom('events').select('id').where('record_id', '=', '777').execute();
    expect(stored).toEqual([]);
  });
});
