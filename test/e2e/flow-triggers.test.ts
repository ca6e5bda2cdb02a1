// Triggers of flow documents: a store push is a hint that runs the poller now; a flow edit becomes
// a new stored version that applies to new events only, and each run records its version.
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
import { signWebhook } from '../../src/server/index.js';
import { FlowVersionStore, loadFlowFile, shippedFlows } from '../../src/flows/index.js';
import type { Sage300Client } from '../../src/connectors/sage300/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SECRET = 'flow-triggers-secret-0123456789';
const UNLIMITED = { ratePerSec: 100_000, burst: 100_000 };

describe('flow triggers and versions', () => {
  let xcart: XcartSandbox;
  let sage: Sage300Sandbox;
  let runtime: Runtime;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-triggers-'));
    xcart = await startXcart({ port: 0, seed: 1 });
    sage = await startSage300({ port: 0, seed: 1 });
    runtime = await startSyncline(
      parseConfig({
        dataDir: dir,
        server: { port: 0 },
        log: { level: 'error' },
        connections: [
          { id: 'shop', system: 'xcart', config: { baseUrl: xcart.url, token: xcart.credentials.readToken }, webhookSecret: SECRET, rateLimits: { listOrders: UNLIMITED, getOrder: UNLIMITED } },
          { id: 'erp', system: 'sage300', config: { baseUrl: sage.url, company: sage.credentials.company, user: sage.credentials.user, password: sage.credentials.password } },
        ],
        // A poll a minute: only the push can make an order arrive within seconds.
        flows: [{ use: 'xcart-order-to-sage300', connections: { shop: 'shop', erp: 'erp' }, pollIntervalMs: 60_000, since: 'now' }],
      }),
      { listen: true },
    );
    await sleep(1500); // the first poll (at start) is done
  }, 60_000);
  afterAll(async () => {
    await runtime?.stop();
    await Promise.all([xcart?.close(), sage?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('an X-Cart push is a hint: the order poller runs now, and the push itself stores no event', async () => {
    const [order] = xcart.storefront.placeOrders(1);
    const refs = new Set([String(order!.order_number)]);
    const client = runtime.clients.erp as Sage300Client;
    await sleep(1000);
    expect((await targetCounts(client, refs)).delivered).toBe(0); // the next poll is a minute away
    const body = JSON.stringify({ id: 'evt-1', type: 'order.updated', created_at: new Date().toISOString(), data: { id: order!.id } });
    const res = await request(`${runtime.url}/webhooks/shop`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-syncline-signature': signWebhook(SECRET, body) } });
    expect(res.statusCode).toBe(202);
    expect(await res.body.json()).toMatchObject({ accepted: 0, hint: 'pollers of this connection run now' });
    const t0 = Date.now();
    while ((await targetCounts(client, refs)).delivered < 1 && Date.now() - t0 < 10_000) await sleep(100);
    expect((await targetCounts(client, refs)).delivered).toBe(1);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('an edited flow is stored as a new version; runs record the version they used', async () => {
    const versions = new FlowVersionStore(runtime.store.db);
    const v1 = await versions.get('xcart-order-to-sage300');
    expect(v1?.version).toBeGreaterThanOrEqual(1);
    const [run] = await runtime.engine.runs.list({ flow: 'xcart-order-to-sage300', limit: 1 });
    expect(run?.flowVersion).toBe(v1!.version);
    // The same document again: no new version. A changed one: the next number.
    const doc = loadFlowFile(shippedFlows().get('xcart-order-to-sage300')!);
    expect((await versions.record(doc, 'test')).version).toBe(v1!.version);
    const edited = await versions.record({ ...doc, title: 'X-Cart order → Sage 300 (edited)' }, 'test');
    expect(edited.version).toBe(v1!.version + 1);
    expect((await versions.versions('xcart-order-to-sage300')).map((v) => v.version)).toEqual([edited.version, v1!.version]);
  });
});
