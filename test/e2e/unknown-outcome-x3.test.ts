// Issue 10, unknown outcomes for Sage X3: the proxy of unknown-outcome.test.ts in front of the X3
// SOAP sandbox faults the `save` calls — sales orders (amazon-order-to-sagex3, SOH once by CUSORDREF),
// journal entries (amazon-settlement-to-sagex3, GACCENTRY once by REF) and credit notes
// (amazon-return-to-sagex3, SIH CRN once by INVREF = the refund's order id + adjustment id, decision 0019) — every 10th
// of each held past the client's timeout (X3 commits it later), another every 10th answered and the
// answer dropped. Counted in X3: exactly one SOH per Amazon order, one GACCENTRY per settlement REF,
// one credit note per returned and refunded unit. (No shipped Amazon ↔ X3 flow creates X3 customers: an Amazon order is
// booked to the marketplace's customer from the marketplaces table.)
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { startSyncline, type Runtime } from '../../src/main.js';
import { start as startAmazon, type RunningAmazonSandbox } from '../../src/sandboxes/amazon/index.js';
import { start as startX3, type SageX3Sandbox } from '../../src/sandboxes/sagex3/index.js';
import { refundReference } from '../../src/connectors/sagex3/operations/settled-order.js';
import { addChargeItems, fireSchedule, switchOffInvrefGuard, X3_SANDBOX_AUTH } from './amazon-x3-pair.js';
import { faultyProxy, type FaultyProxy } from './faulty-proxy.js';
import { until } from './xcart-sage300-pair.js';

const root = path.resolve(import.meta.dirname, '../..');
// A journal entry's retry re-reads its settlement before the look-up (seconds under load), so its save
// is held longer than the others, or the held save would land before the look-up and never be seen twice.
const HOLDS = { salesOrder: 3_000, creditNote: 3_000, journalEntry: 10_000 };
const HOLD_MS = Math.max(...Object.values(HOLDS));
// 12 s > the longest hold. UNKNOWN_OUTCOME_SETTLE_MS=0 reproduces the behaviour before the settle time (duplicates).
const SETTLE_MS = Number(process.env.UNKNOWN_OUTCOME_SETTLE_MS ?? 12_000);
const ORDERS = 30;
const SETTLEMENTS = 20;
const RETURNS = 20;
const COUNT = { COUNT: 'YSTOCKCNT' }; // the site's stock count subprogram (the return flow counts the returned SKU from Amazon's inventory)

describe('unknown outcomes never duplicate: Sage X3 sales orders, journal entries and credit notes behind a delaying, answer-dropping proxy', () => {
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
    x3 = await startX3({ seed: 1, publications: COUNT });
    addChargeItems(x3);
    switchOffInvrefGuard(x3);
    proxy = await faultyProxy(x3.url, HOLDS, (method, _url, body) => {
      if (method !== 'POST' || !body.includes('<wss:save')) return undefined;
      return body.includes('>WSSOH<') ? 'salesOrder' : body.includes('>WSGAS<') ? 'journalEntry' : body.includes('>WSSIH<') && body.includes('CRN') ? 'creditNote' : 'other';
    });
    const c = amazon.credentials as Record<string, string>;
    // Settle 12 s > the longest hold (HOLDS); the client gives up after 500 ms.
    const options = { settleMs: SETTLE_MS, riskHold: false }; // many orders from one sandbox address are not what this test is about
    runtime = await startSyncline(
      parseConfig({
        dataDir: dir,
        lookupsDir: path.join(mappings, 'lookups'), // the marketplaces table above, for the mappings the flows use unchanged too
        server: { port: 0 },
        worker: { concurrency: 8, pollMs: 5 },
        log: { level: process.env.DEBUG_E2E ? 'info' : 'error' },
        connections: [
          { id: 'amazon-main', system: 'amazon', config: { endpoint: amazon.url, lwaUrl: c.lwaUrl ?? `${amazon.url}/auth/o2/token`, clientId: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshToken, sellerId: c.sellerId } },
          { id: 'x3-main', system: 'sagex3', config: { baseUrl: proxy.url, ...X3_SANDBOX_AUTH, publications: COUNT, timeoutMs: 500 } },
        ],
        flows: [
          { use: 'amazon-order-to-sagex3', pollIntervalMs: 200, mapping: path.join(mappings, 'amazon-sagex3/order-to-soh.yaml'), options, connections: { marketplace: 'amazon-main', erp: 'x3-main' } },
          { use: 'amazon-settlement-to-sagex3', pollIntervalMs: 200, options: { ...options, site: 'US011', clearingPartner: null }, connections: { marketplace: 'amazon-main', erp: 'x3-main' } },
          { use: 'amazon-return-to-sagex3', options: { settleMs: SETTLE_MS, reportPollMs: 200 }, connections: { marketplace: 'amazon-main', erp: 'x3-main' } },
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
  it(`${RETURNS} FBA returns → exactly one credit note per return`, async () => {
    const market = amazon.sandbox.market;
    const orders = Array.from({ length: RETURNS }, () => market.placeOrder({ channel: 'AFN', status: 'Unshipped', promotion: false }));
    const sohOf = (id: string) => [...x3.state.stores.SOH.values()].find((r) => r.fields.CUSORDREF === id);
    await until('the orders in X3', () => orders.map((o) => sohOf(o.id)), (s) => s.every(Boolean), 180_000, 500);
    // The back office invoices each order in X3 (not through the proxy), Amazon ships it, the buyer returns a unit.
    const refs = new Set<string>();
    for (const o of orders) {
      const soh = sohOf(o.id)!;
      const lines = soh.tables.SOH4_1!.map((l) => ({ row: { ITMREF: String(l.ITMREF), QTY: String(l.QTY), GROPRI: String(l.GROPRI), SOHNUM: String(soh.fields.SOHNUM), SOPLIN: String(l.SOPLIN) } }));
      x3.state.save('SIH', { fields: { SALFCY: 'US011', SIVTYP: 'INV', BPCINV: 'C00001', CUR: 'USD', INVREF: o.id }, groupOf: {}, tables: { SIH4_1: lines } }, 'TEST');
      market.shipOrder(o.id);
      refs.add(refundReference(o.id, market.returnItems(o.id, o.items[0]!.sku, 1)[0]!.adjustmentId!));
    }
    const lpns = new Set(market.returns.filter((r) => orders.some((o) => o.id === r.orderId)).map((r) => r.lpn));
    expect(lpns.size).toBe(RETURNS);
    const crnPer = () => {
      const per = new Map([...refs].map((l) => [l, 0]));
      for (const r of x3.state.stores.SIH.values()) if (r.fields.SIVTYP === 'CRN' && per.has(String(r.fields.INVREF))) per.set(String(r.fields.INVREF), per.get(String(r.fields.INVREF))! + 1);
      return per;
    };
    await fireSchedule(runtime, 'amazon-return-to-sagex3');
    await until('a credit note for every return', crnPer, (per) => [...per.values()].every((n) => n >= 1), 240_000, 500);
    await new Promise((r) => setTimeout(r, HOLD_MS + 2_000)); // a late duplicate would land within the hold
    const per = crnPer();
    const creditNotes = { records: [...per.values()].reduce((a, b) => a + b, 0), duplicates: [...per.values()].filter((n) => n > 1).length };
    // Each credit note credits what Amazon refunded for the unit (a duplicate would double it).
    const credited = [...x3.state.stores.SIH.values()].filter((r) => r.fields.SIVTYP === 'CRN' && refs.has(String(r.fields.INVREF))).reduce((t, r) => t.plus(r.tables.SIH4_1!.reduce((u, l) => u.plus(new Decimal(String(l.GROPRI)).times(String(l.QTY))), new Decimal(0))), new Decimal(0));
    console.log(JSON.stringify({ creditNotes, credited: credited.toFixed(2), proxy: proxy.stats.creditNote }));
    expect(proxy.stats.creditNote!.held).toBeGreaterThanOrEqual(2);
    expect(proxy.stats.creditNote!.dropped).toBeGreaterThanOrEqual(2);
    expect(creditNotes).toEqual({ records: RETURNS, duplicates: 0 });
    expect(await runtime.engine.queue.list({ state: 'dead', limit: 10 })).toEqual([]);
  }, 420_000);
});
