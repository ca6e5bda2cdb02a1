// The agent wiring as a deployment uses it: `syncline start`'s runtime (startSyncline) with an
// `agentHub` and the Sage 300 connection configured `agentGroup: plant`, the shipped order flow
// xcart-order-to-sage300, and an agent enrolled against that hub holding the ERP's password (the hub's
// connection has a wrong one). X-Cart orders arrive in Sage 300 once each, and every Sage 300 call of
// the flow is in the agent's local call log — none went past it. (Isolation proper, the ERP reachable
// from the agent only, is test/e2e/agent-netns.test.ts; that test drives deliverOnce directly.)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnPremAgent, agentConfigSchema, enrolAgent } from '../../src/agent/agent.js';
import { parseConfig } from '../../src/config.js';
import { Sage300Client } from '../../src/connectors/sage300/client.js';
import { startSyncline, type Runtime } from '../../src/main.js';
import { start as startSage300, type Sage300Sandbox } from '../../src/sandboxes/sage300/index.js';
import { start as startXcart, type XcartSandbox } from '../../src/sandboxes/xcart/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('order flow through an on-premise agent (connection agentGroup)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'syncline-agent-flow-'));
  let xcart: XcartSandbox;
  let erp: Sage300Sandbox;
  let runtime: Runtime;
  let agent: OnPremAgent;

  beforeAll(async () => {
    xcart = await startXcart({ seed: 2 });
    erp = await startSage300({ seed: 2 });
    const unlimited = { ratePerSec: 100_000, burst: 100_000 };
    runtime = await startSyncline(
      parseConfig({
        dataDir: path.join(dir, 'hub'),
        server: { port: 0 },
        agentHub: { host: '127.0.0.1', port: 0, hostnames: ['localhost'], heartbeatMs: 300, waitForAgentMs: 30_000 },
        connections: [
          { id: 'xcart-main', system: 'xcart', config: { baseUrl: xcart.url, token: xcart.credentials.readToken } },
          {
            id: 'sage300-main',
            system: 'sage300',
            agentGroup: 'plant',
            // Not the password: only the agent has it.
            config: { baseUrl: erp.url, company: erp.credentials.company, user: erp.credentials.user, password: 'the-hub-does-not-know-it', timeoutMs: 10_000 },
            rateLimits: Object.fromEntries(['findCustomerByEmail', 'createCustomer', 'getItem', 'createOrder', 'findOrdersByReference'].map((op) => [op, unlimited])),
          },
        ],
        flows: [{ use: 'xcart-order-to-sage300', connections: { shop: 'xcart-main', erp: 'sage300-main' }, since: 'now', pollIntervalMs: 200, options: { riskHold: false } }],
      }),
      { listen: false },
    );
    const hub = runtime.agentHub!;
    const { token } = await hub.createEnrolmentToken('plant');
    await enrolAgent({ hub: hub.url, token, stateDir: path.join(dir, 'agent'), name: 'erp-host' });
    agent = new OnPremAgent(
      agentConfigSchema.parse({
        hub: hub.url,
        stateDir: path.join(dir, 'agent'),
        heartbeatMs: 300,
        allow: [{ url: `${erp.url}/Sage300WebApi/v1.0/-/${erp.credentials.company}/`, methods: ['GET', 'POST'], headers: { authorization: `Basic ${Buffer.from(`${erp.credentials.user}:${erp.credentials.password}`).toString('base64')}` } }],
      }),
    );
    agent.start();
    await agent.waitConnected();
  }, 180_000);

  afterAll(async () => {
    await agent?.stop();
    await runtime?.stop();
    await xcart?.close();
    await erp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('X-Cart orders reach Sage 300 once each, every Sage 300 call through the agent', async () => {
    const ORDERS = 12;
    const res = await request(`${xcart.url}/__sandbox/storefront/orders/bulk`, { method: 'POST', body: JSON.stringify({ count: ORDERS }), headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    // Counted over Sage 300's API directly (this test's process may reach it; the hub's connection has no password).
    const counter = new Sage300Client({ baseUrl: erp.url, company: erp.credentials.company, user: erp.credentials.user, password: erp.credentials.password }, { connection: 'count' });
    const count = () => counter.list('countOrders', 'OE', 'OEOrders', z.looseObject({ OrderNumber: z.string(), PurchaseOrderNumber: z.string() }), { select: ['OrderNumber', 'PurchaseOrderNumber'] });
    let orders = await count();
    for (let i = 0; i < 600 && orders.length < ORDERS; i++) (await sleep(200), (orders = await count()));
    const perReference = new Map<string, number>();
    for (const o of orders) perReference.set(o.PurchaseOrderNumber, (perReference.get(o.PurchaseOrderNumber) ?? 0) + 1);
    expect(perReference.size).toBe(ORDERS);
    expect([...perReference.values()].every((n) => n === 1)).toBe(true);
    // The agent's own log: every order create went through it.
    const calls = readFileSync(path.join(dir, 'agent', 'calls.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { method: string; url?: string; path?: string });
    const creates = calls.filter((c) => c.method === 'POST' && JSON.stringify(c).includes('/OE/OEOrders'));
    expect(creates.length).toBeGreaterThanOrEqual(ORDERS);
  }, 180_000);
});
