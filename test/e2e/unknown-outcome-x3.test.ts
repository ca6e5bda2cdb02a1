// Issue 10, unknown outcomes for Sage X3: the proxy of unknown-outcome.test.ts in front of the X3
// SOAP sandbox faults the `save` calls — sales orders (amazon-order-to-sagex3, SOH once by CUSORDREF)
// and journal entries (amazon-settlement-to-sagex3, GACCENTRY once by REF) — every 10th of each held
// past the client's timeout (X3 commits it later), another every 10th answered and the answer
// dropped. Counted in X3: exactly one SOH per Amazon order, one GACCENTRY per settlement REF.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { startSyncline, type Runtime } from '../../src/main.js';
import { start as startAmazon, type RunningAmazonSandbox } from '../../src/sandboxes/amazon/index.js';
import { start as startX3, type SageX3Sandbox } from '../../src/sandboxes/sagex3/index.js';
import { X3_SANDBOX_AUTH } from './amazon-x3-pair.js';
import { faultyProxy, type FaultyProxy } from './faulty-proxy.js';
import { until } from './xcart-sage300-pair.js';

const root = path.resolve(import.meta.dirname, '../..');
const HOLD_MS = 3_000;
const ORDERS = 30;
const SETTLEMENTS = 20;

describe('unknown outcomes never duplicate: Sage X3 sales orders and journal entries behind a delaying, answer-dropping proxy', () => {
  let amazon: RunningAmazonSandbox;
  let x3: SageX3Sandbox;
  let proxy: FaultyProxy;
  let runtime: Runtime;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-unknown-x3-'));
    const mappings = path.join(dir, 'mappings');
    cpSync(path.join(root, 'mappings'), mappings, { recursive: true });
    writeFileSync(path.join(mappings, 'lookups/marketplaces.yaml'), ['name: marketplaces', 'normalize: [trim, upper]', 'entries:', '  ATVPDKIKX0DER: { site: US011, currency: USD, country: US, customer: C00001, orderType: SON, timeZone: America/Los_Angeles }'].join('\n'));
    amazon = await startAmazon({ seed: 1, timeScale: 50, historicalOrders: 0 });
    x3 = await startX3({ seed: 1 });
    proxy = await faultyProxy(x3.url, HOLD_MS, (method, _url, body) => {
      if (method !== 'POST' || !body.includes('<wss:save')) return undefined;
      return body.includes('>WSSOH<') ? 'salesOrder' : body.includes('>WSGAS<') ? 'journalEntry' : 'other';
    });
    const c = amazon.credentials as Record<string, string>;
    // Settle 4 s > the 3 s the proxy holds a save; the client gives up after 500 ms.
    const options = { settleMs: 4_000, riskHold: false }; // many orders from one sandbox address are not what this test is about
    runtime = await startSyncline(
      parseConfig({
        dataDir: dir,
        server: { port: 0 },
        worker: { concurrency: 8, pollMs: 5 },
        log: { level: process.env.DEBUG_E2E ? 'info' : 'error' },
        connections: [
          { id: 'amazon-main', system: 'amazon', config: { endpoint: amazon.url, lwaUrl: c.lwaUrl ?? `${amazon.url}/auth/o2/token`, clientId: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshToken, sellerId: c.sellerId } },
          { id: 'x3-main', system: 'sagex3', config: { baseUrl: proxy.url, ...X3_SANDBOX_AUTH, timeoutMs: 500 } },
        ],
        flows: [
          { use: 'amazon-order-to-sagex3', pollIntervalMs: 200, mapping: path.join(mappings, 'amazon-sagex3/order-to-soh.yaml'), options, connections: { marketplace: 'amazon-main', erp: 'x3-main' } },
          { use: 'amazon-settlement-to-sagex3', pollIntervalMs: 200, options: { ...options, site: 'US011', clearingPartner: null }, connections: { marketplace: 'amazon-main', erp: 'x3-main' } },
        ],
      }),
      { listen: false },
    );
  }, 120_000);

  afterAll(async () => {
    await runtime?.stop();
    await proxy?.close();
    await x3?.close();
    await amazon?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${ORDERS} orders and ${SETTLEMENTS} settlements → exactly one SOH per order and one GACCENTRY per settlement`, async () => {
    const market = amazon.sandbox.market;
    const now = amazon.sandbox.clock.now();
    const orders = Array.from({ length: ORDERS }, (_, i) => market.placeOrder({ channel: 'MFN', purchaseDate: now - 1_000 * (i + 1), status: 'Unshipped' }));
    const settlements: string[] = [];
    for (let i = 0; i < SETTLEMENTS; i++) {
      market.placeOrder({ channel: 'AFN', purchaseDate: now - 3_600_000 * (i + 1), status: 'Shipped' });
      settlements.push(market.closeSettlement().settlementId!);
    }
    const sohPer = () => {
      const per = new Map(orders.map((o) => [o.id, 0]));
      for (const r of x3.state.stores.SOH.values()) if (per.has(String(r.fields.CUSORDREF))) per.set(String(r.fields.CUSORDREF), per.get(String(r.fields.CUSORDREF))! + 1);
      return per;
    };
    // Each settlement is one entry (REF = the id) unless it spans a month end (REF id.1, id.2, …).
    const gasPer = () => {
      const per = new Map<string, number>();
      for (const r of x3.state.stores.GAS.values()) {
        const ref = String(r.fields.REF);
        if (settlements.some((s) => ref === s || ref.startsWith(`${s}.`))) per.set(ref, (per.get(ref) ?? 0) + 1);
      }
      return per;
    };
    await until('every order and settlement in X3', () => ({ soh: sohPer(), gas: gasPer() }), ({ soh, gas }) => [...soh.values()].every((n) => n >= 1) && settlements.every((s) => [...gas.keys()].some((r) => r === s || r.startsWith(`${s}.`))), 180_000, 500);
    await new Promise((r) => setTimeout(r, HOLD_MS + 2_000)); // a late duplicate would land within the hold
    const soh = sohPer();
    const gas = gasPer();
    const counts = {
      salesOrders: { records: [...soh.values()].reduce((a, b) => a + b, 0), duplicates: [...soh.values()].filter((n) => n > 1).length },
      journalEntries: { refs: gas.size, records: [...gas.values()].reduce((a, b) => a + b, 0), duplicates: [...gas.values()].filter((n) => n > 1).length },
    };
    console.log(JSON.stringify({ counts, proxy: proxy.stats }));
    expect(proxy.stats.salesOrder!.held).toBeGreaterThanOrEqual(2);
    expect(proxy.stats.salesOrder!.dropped).toBeGreaterThanOrEqual(2);
    expect(proxy.stats.journalEntry!.held).toBeGreaterThanOrEqual(2);
    expect(proxy.stats.journalEntry!.dropped).toBeGreaterThanOrEqual(1);
    expect(counts.salesOrders).toEqual({ records: ORDERS, duplicates: 0 });
    expect(counts.journalEntries.duplicates).toBe(0);
    expect(counts.journalEntries.records).toBe(counts.journalEntries.refs);
    expect(await runtime.engine.queue.list({ state: 'dead', limit: 10 })).toEqual([]);
  }, 300_000);
});
