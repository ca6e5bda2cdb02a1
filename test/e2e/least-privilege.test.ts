// The reported attack (issue 10, defect 4), end to end against the demo wiring: a second X-Cart
// connection created over the admin API must not feed the flow bound to another connection, and
// only an admin may create it at all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOrdersByReference, type Sage300Client } from '../../src/connectors/sage300/index.js';
import { signWebhook } from '../../src/server/index.js';
import { startDemo, type Demo } from '../../src/cli/commands/demo.js';

const DEMO_SECRET = 'demo-webhook-secret-0123456789';
const EVIL_SECRET = 'evil-webhook-secret-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a connection feeds only the flows bound to it', () => {
  let demo: Demo;
  let dir: string;
  let sage: Sage300Client;
  const api = (method: 'GET' | 'PUT' | 'POST', url: string, token: string, body?: unknown) =>
    request(`${demo.runtime.url}${url}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const webhook = async (connection: string, secret: string, event: unknown) => {
    const body = JSON.stringify(event);
    const res = await request(`${demo.runtime.url}/webhooks/${connection}`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-syncline-signature': signWebhook(secret, body) } });
    return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
  };
  /** An order the X-Cart sandbox does not hold, shaped like a real one, with our own PO number. */
  const order = (id: number, orderNumber: string) => {
    const real = demo.xcart.storefront.orderJson(demo.xcart.storefront.placeOrder({ currency: 'USD' }).id) as Record<string, unknown>;
    return { system: 'xcart', entity: 'order', id: String(id), version: '000000000100.0000', payload: { ...real, id, order_number: orderNumber } };
  };
  const sageOrders = async (po: string) => (await findOrdersByReference.call(sage, { purchaseOrderNumber: po })).length;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-least-privilege-'));
    demo = await startDemo({ port: 0, dataDir: dir });
    sage = demo.runtime.clients['sage300-main'] as Sage300Client;
  });
  afterAll(async () => {
    await demo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('viewer and operator tokens cannot create a connection; an admin can', async () => {
    const viewer = (await demo.runtime.tokens.create('viewer-token')).token;
    const operator = (await demo.runtime.tokens.create('operator-token', 'operator')).token;
    const evil = { system: 'xcart', config: { baseUrl: demo.xcart.url, token: 'any-token-at-all' }, secrets: { webhookSecret: EVIL_SECRET } };
    for (const t of [viewer, operator]) {
      const res = await api('PUT', '/api/connections/evil-shop', t, evil);
      expect(res.statusCode).toBe(403);
      await res.body.dump();
      // Nor mint themselves a better token.
      const mint = await api('POST', '/api/tokens', t, { name: 'escalate', role: 'admin' });
      expect(mint.statusCode).toBe(403);
      await mint.body.dump();
    }
    expect((await webhook('evil-shop', EVIL_SECRET, order(888000, 'EVIL888000'))).status).toBe(404);
    const created = await api('PUT', '/api/connections/evil-shop', demo.adminToken, evil);
    expect(created.statusCode).toBe(200);
    const view = (await created.body.json()) as { config: Record<string, unknown>; secrets: Record<string, string> };
    // The X-Cart token is a secret by the connector's schema: sealed, never shown.
    expect(view.config).toEqual({ baseUrl: demo.xcart.url });
    expect(view.secrets).toEqual({ token: '••••', webhookSecret: '••••' });
  });

  it("a signed webhook to /webhooks/evil-shop puts no order into Sage 300; the same order through the bound connection does", async () => {
    // Control: through the connection the flow is bound to, an order shaped like this is delivered.
    const control = await webhook('xcart-main', DEMO_SECRET, order(888002, 'EVIL888002'));
    expect(control).toMatchObject({ status: 202, json: { accepted: 1, jobs: 1 } });

    const attack = await webhook('evil-shop', EVIL_SECRET, order(888001, 'EVIL888001'));
    expect(attack.status).toBe(202);
    expect(attack.json.jobs).toBe(0);

    const deadline = Date.now() + 30_000;
    while ((await sageOrders('EVIL888002')) === 0 && Date.now() < deadline) await sleep(100);
    expect(await sageOrders('EVIL888002')).toBe(1);
    // Let anything the attack might have queued run too, then look.
    await sleep(1_000);
    const queued = await demo.runtime.engine.queue.list({ limit: 1000 });
    expect(queued.filter((j) => (j.payload as { id?: string }).id === '888001')).toEqual([]);
    expect(await sageOrders('EVIL888001')).toBe(0);
  });
});
