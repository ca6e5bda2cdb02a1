// `syncline demo --scenario xcart-sage300 --minutes M --exit --json`: every X-Cart ↔ Sage 300 flow
// against the sandboxes with a steady, realistic stream on both sides — orders (some paid at once,
// some later), shipments and stock receipts in Sage 300, price changes, refunds — in scaled time
// (one simulated minute per wall second), optionally under the sandboxes' faults. Then the flows are
// drained, the stock read-back runs once, and the pair is reconciled over both APIs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { parseConfig } from '../../config.js';
import { startSyncline, type Runtime } from '../../main.js';
import { start as startXcart, type XcartSandbox } from '../../sandboxes/xcart/index.js';
import { start as startSage300, type Sage300Sandbox } from '../../sandboxes/sage300/index.js';
import { shippedFlows, loadFlowFile, FLOWS_DIR, MAPPINGS_DIR } from '../../flows/index.js';
import { loadLookupTable } from '../../mapping/index.js';
import { reconcileXcartSage300, type ReconcileReport } from '../../reconcile/xcart-sage300.js';
import type { XcartClient } from '../../connectors/xcart/index.js';
import type { Sage300Client } from '../../connectors/sage300/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FAST = { ratePerSec: 100_000, burst: 100_000 };

export interface ScenarioSummary {
  scenario: 'xcart-sage300';
  minutes: number;
  activity: Record<string, number>;
  flows: Record<string, { delivered: number; skipped: number; deadLettered: number; deadLetterCodes?: Record<string, number> }>;
  reconciliation: { differences: number; byKind: Record<string, number>; orders: ReconcileReport['orders']; stock: ReconcileReport['stock']; details: ReconcileReport['differences'] };
  faults: boolean;
  seconds: number;
}

export interface XcartSage300World {
  runtime: Runtime;
  xcart: XcartSandbox;
  sage300: Sage300Sandbox;
  flowIds: string[];
  stop(): Promise<void>;
}

/** The sandboxes and every shipped X-Cart ↔ Sage 300 flow, bound to one connection each. */
export async function startXcartSage300World(o: { dataDir: string; port?: number; pollIntervalMs?: number; quiet?: boolean }): Promise<XcartSage300World> {
  const xcart = await startXcart({ port: 0, seed: 1, features: { trackingModule: 'legacy-rest' } });
  const sage300 = await startSage300({ port: 0, seed: 1 });
  // The catalog import is an onboarding decision, not part of a merchant's day: the demo shop already
  // sells its catalog, and the sample company's other items (not in the SKU crosswalk) are not for the web.
  const flowIds = [...shippedFlows()]
    .filter(([id, f]) => path.relative(FLOWS_DIR, f).startsWith('xcart-sage300') && id !== 'sage300-item-to-xcart')
    .map(([id]) => id)
    .sort();
  const since = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000).toISOString();
  const config = parseConfig({
    dataDir: o.dataDir,
    server: { port: o.port ?? 0 },
    worker: { concurrency: 16, pollMs: 5 },
    ...(o.quiet ? { log: { level: 'error' } } : {}),
    connections: [
      { id: 'xcart-main', system: 'xcart', config: { baseUrl: xcart.url, token: xcart.credentials.writeToken, legacyKey: xcart.credentials.legacyKey, trackingModule: 'legacy-rest' }, rateLimits: Object.fromEntries(['listOrders', 'getOrder', 'listProducts', 'listVariants', 'getProduct', 'getVariant', 'updateProduct', 'updateVariant', 'createProduct', 'createVariant', 'updatePaymentStatus', 'updateShippingStatus', 'listOrderPaymentTransactions', 'listProfiles', 'createProfile', 'updateProfile', 'createAddress', 'addTrackingNumber', 'getOrderByNumber'].map((k) => [k, FAST])) },
      { id: 'sage300-main', system: 'sage300', config: { baseUrl: sage300.url, company: sage300.credentials.company, user: sage300.credentials.user, password: sage300.credentials.password }, rateLimits: Object.fromEntries(['createOrder', 'findOrdersByReference', 'getOrder', 'getStock', 'findCustomerByEmail', 'createCustomer', 'updateCustomer', 'createReceiptBatch', 'createRefundBatch', 'createCreditNote', 'listInvoices', 'listCreditNotes', 'listItems', 'getItem', 'postBatch', 'poll:stock', 'poll:shipments', 'poll:customers', 'poll:items', 'poll:invoices'].map((k) => [k, FAST])) },
    ],
    flows: flowIds.map((id) => {
      const doc = loadFlowFile(shippedFlows().get(id)!);
      const shopFirst = doc.trigger.kind !== 'schedule' && doc.roles[doc.trigger.role] === 'xcart';
      return { use: id, connections: { shop: 'xcart-main', erp: 'sage300-main' }, pollIntervalMs: o.pollIntervalMs ?? 200, since: shopFirst ? 'now' : since };
    }),
  });
  const runtime = await startSyncline(config, { listen: true });
  return {
    runtime, xcart, sage300, flowIds,
    async stop() {
      await runtime.stop();
      await Promise.all([xcart.close(), sage300.close()]);
    },
  };
}

/** A small deterministic generator (the scenario is the same run to run). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

async function putFaults(url: string, rules: unknown[]): Promise<void> {
  const res = await request(`${url}/__sandbox/faults`, { method: 'PUT', body: JSON.stringify({ rules }), headers: { 'content-type': 'application/json' } });
  await res.body.dump();
  if (res.statusCode !== 200) throw new Error(`the sandbox refused the faults (${res.statusCode})`);
}

/** Waits until no job of the world's flows is queued or running for `quietMs`. */
async function drain(w: XcartSage300World, quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietSince = Date.now();
  for (;;) {
    const busy = (await w.runtime.engine.queue.list({ state: 'queued', limit: 1 })).length + (await w.runtime.engine.queue.list({ state: 'running', limit: 1 })).length > 0;
    if (busy) quietSince = Date.now();
    else if (Date.now() - quietSince >= quietMs) return;
    if (Date.now() > deadline) return;
    await sleep(200);
  }
}

export async function runXcartSage300Scenario(o: { minutes: number; faults?: unknown[]; quiet?: boolean; onMinute?: (m: number) => void }): Promise<ScenarioSummary> {
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'syncline-scenario-'));
  const w = await startXcartSage300World({ dataDir: dir, quiet: o.quiet ?? true });
  const rand = rng(7);
  const activity: Record<string, number> = { ordersPlaced: 0, paidLater: 0, refunds: 0, shipments: 0, stockReceipts: 0, priceChanges: 0 };
  const placed: Array<{ id: number; number: string; paid: boolean }> = [];
  const shipped = new Set<string>();
  try {
    if (o.faults?.length) await Promise.all([putFaults(w.xcart.url, o.faults), putFaults(w.sage300.url, o.faults)]);
    const erp = w.runtime.clients['sage300-main'] as Sage300Client;
    const shop = w.runtime.clients['xcart-main'] as XcartClient;
    const items = (await import('../../connectors/xcart/index.js')).listSkus;
    const skus = (await items.call(shop, {})).filter((s) => !s.hasVariants).map((s) => s.sku);
    for (let minute = 0; minute < o.minutes; minute++) {
      // Shop side: three orders a minute, most paid at checkout, a few paid later; now and then a refund.
      for (const order of w.xcart.storefront.placeOrders(3)) {
        placed.push({ id: order.id, number: String(order.order_number), paid: order.payment_status === 'P' });
        activity.ordersPlaced!++;
      }
      const unpaid = placed.find((p) => !p.paid);
      if (unpaid && rand() < 0.5) {
        w.xcart.storefront.pay(unpaid.id);
        unpaid.paid = true;
        activity.paidLater!++;
      }
      if (minute % 4 === 3) {
        const target = placed[Math.floor(rand() * placed.length)];
        if (target?.paid) {
          try {
            w.xcart.storefront.refund(target.id);
            activity.refunds!++;
          } catch {
            /* already refunded: the storefront refuses, as X-Cart does */
          }
        }
      }
      // ERP side: the warehouse ships web orders Sage 300 holds (a clerk in Order Entry), goods arrive,
      // a price changes.
      const webRefs = new Set(placed.map((p) => p.number));
      const open = w.sage300.company.orders.table.rows().filter((r) => webRefs.has(String(r.PurchaseOrderNumber)) && !shipped.has(String(r.OrderNumber)));
      const pick = open[Math.floor(rand() * open.length)];
      if (pick && rand() < 0.8) {
        try {
          w.sage300.backOffice.shipOrder(String(pick.OrderNumber), { carrier: 'UPSGRD', trackingNumber: `1Z${Math.floor(rand() * 1e10)}` });
          shipped.add(String(pick.OrderNumber));
          activity.shipments!++;
        } catch (e) {
          if (process.env.SYNCLINE_SCENARIO_DEBUG) console.error('ship', pick.OrderNumber, (e as Error).message);
        }
      }
      const sku = skus[Math.floor(rand() * skus.length)];
      if (sku) {
        try {
          w.sage300.backOffice.receiveStock(sku, '1', 1 + Math.floor(rand() * 20));
          activity.stockReceipts!++;
        } catch {
          /* an SKU Sage 300 does not stock */
        }
      }
      if (minute % 5 === 4 && sku) {
        try {
          w.sage300.backOffice.setPrice(sku, (10 + Math.floor(rand() * 9000) / 100).toFixed(2));
          activity.priceChanges!++;
        } catch {
          /* no such item */
        }
      }
      o.onMinute?.(minute + 1);
      await sleep(1000);
    }
    if (o.faults?.length) await Promise.all([putFaults(w.xcart.url, []), putFaults(w.sage300.url, [])]);
    await drain(w, 3_000, 180_000);
    // A sync cycle of the stock read-back (its schedule fires every 10 minutes of wall time).
    if (w.flowIds.includes('xcart-stock-readback')) {
      await w.runtime.engine.intake([{ system: 'syncline', entity: 'tick', id: 'xcart-stock-readback', version: String(Date.now()).padStart(16, '0'), payload: { firedAt: new Date().toISOString(), flow: 'xcart-stock-readback' } }], { connection: 'schedule:xcart-stock-readback' });
      await drain(w, 3_000, 180_000);
    }
    // Stock is compared for the SKUs the crosswalk shares, over the locations the stock flows use.
    const crosswalk = await loadLookupTable(path.join(MAPPINGS_DIR, 'lookups/sku.yaml'));
    const itemOf = (sku: string) => {
      const v = crosswalk.get(sku);
      return typeof v === 'string' ? v : undefined;
    };
    const report = await reconcileXcartSage300(shop, erp, { since: new Date(started - 1000).toISOString(), locations: ['1', '2'], itemOf, parts: ['orders', 'stock'] });
    const flows: ScenarioSummary['flows'] = {};
    for (const id of w.flowIds) {
      const count = async (status: string) => Number((await w.runtime.store.db.selectFrom('runs').select((eb) => eb.fn.count<number>('job_id').distinct().as('n')).where('flow', '=', id).where('status', '=', status as never).executeTakeFirst())?.n ?? 0);
      const dead = await w.runtime.engine.queue.list({ state: 'dead', queue: id, limit: 10_000 });
      const codes: Record<string, number> = {};
      for (const j of dead) codes[j.lastError?.code ?? 'UNKNOWN'] = (codes[j.lastError?.code ?? 'UNKNOWN'] ?? 0) + 1;
      if (process.env.SYNCLINE_SCENARIO_DEBUG) for (const j of dead.slice(0, 3)) console.error(id, j.lastError?.code, j.lastError?.message);
      flows[id] = { delivered: await count('succeeded'), skipped: await count('skipped'), deadLettered: dead.length, ...(dead.length ? { deadLetterCodes: codes } : {}) };
    }
    const byKind: Record<string, number> = {};
    for (const d of report.differences) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
    return {
      scenario: 'xcart-sage300',
      minutes: o.minutes,
      activity,
      flows,
      reconciliation: { differences: report.differences.length, byKind, orders: report.orders, stock: report.stock, details: report.differences.slice(0, 50) },
      faults: Boolean(o.faults?.length),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    await w.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
