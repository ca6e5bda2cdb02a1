// `syncline demo --scenario xcart-sage300 --minutes M --exit --json`: every X-Cart ↔ Sage 300 flow
// against the sandboxes with a steady, realistic stream on both sides — orders (some paid at once,
// some later), shipments and stock receipts in Sage 300, price changes, refunds — in scaled time
// (one simulated minute per wall second), optionally under the sandboxes' faults. Then the flows are
// drained, the stock read-back runs once, and the pair is reconciled over both APIs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Decimal } from 'decimal.js';
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
import { start as startAmazon, type RunningAmazonSandbox } from '../../sandboxes/amazon/index.js';
import { start as startX3, type SageX3Sandbox } from '../../sandboxes/sagex3/index.js';
import type { Rec } from '../../sandboxes/sagex3/state.js';
import type { SpApiClient } from '../../connectors/amazon/index.js';
import type { SageX3Client } from '../../connectors/sagex3/index.js';
import { DEFAULT_LAYOUTS } from '../../connectors/sagex3/layouts.js';
import { reconcileAmazonX3 } from '../../settlement/reconcile.js';
import { reconcileAmazonX3Stock } from '../../reconcile/amazon-x3-stock.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FAST = { ratePerSec: 100_000, burst: 100_000 };

export interface ScenarioSummary {
  scenario: 'xcart-sage300';
  minutes: number;
  activity: Record<string, number>;
  flows: Record<string, { delivered: number; skipped: number; deadLettered: number; deadLetterCodes?: Record<string, number> }>;
  reconciliation: { differences: number; byKind: Record<string, number>; orders: ReconcileReport['orders']; customers: ReconcileReport['customers']; stock: ReconcileReport['stock']; payments: ReconcileReport['payments']; prices: ReconcileReport['prices']; details: ReconcileReport['differences'] };
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
      { id: 'xcart-main', system: 'xcart', config: { baseUrl: xcart.url, token: xcart.credentials.writeToken, legacyKey: xcart.credentials.legacyKey, trackingModule: 'legacy-rest' }, rateLimits: Object.fromEntries(['listOrders', 'getOrder', 'listProducts', 'listVariants', 'getProduct', 'getVariant', 'updateProduct', 'updateVariant', 'createProduct', 'createVariant', 'updatePaymentStatus', 'updateShippingStatus', 'listOrderPaymentTransactions', 'listProfiles', 'createProfile', 'updateProfile', 'createAddress', 'addTrackingNumber', 'getOrderByNumber', 'findSku'].map((k) => [k, FAST])) },
      { id: 'sage300-main', system: 'sage300', config: { baseUrl: sage300.url, company: sage300.credentials.company, user: sage300.credentials.user, password: sage300.credentials.password }, rateLimits: Object.fromEntries(['createOrder', 'findOrdersByReference', 'getOrder', 'getStock', 'findCustomerByEmail', 'createCustomer', 'updateCustomer', 'createReceiptBatch', 'createRefundBatch', 'createCreditNote', 'listInvoices', 'listCreditNotes', 'listItems', 'getItem', 'getItemPrice', 'postBatch', 'poll:stock', 'poll:shipments', 'poll:customers', 'poll:items', 'poll:invoices', 'poll:prices'].map((k) => [k, FAST])) },
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
async function drain(w: { runtime: Runtime }, quietMs: number, timeoutMs: number): Promise<void> {
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

/**
 * One simulated minute of the X-Cart ↔ Sage 300 day: the shop's orders, payments and refunds, the
 * warehouse's shipments, receipts and price changes. The scenario runs it once a second; `npm start`
 * keeps running it (demo.ts).
 */
export function xcartSage300Day(w: XcartSage300World, skus: string[], seed = 7): { activity: Record<string, number>; minute(minute: number): void } {
  const rand = rng(seed);
  const activity: Record<string, number> = { ordersPlaced: 0, paidLater: 0, refunds: 0, shipments: 0, stockReceipts: 0, priceChanges: 0 };
  const placed: Array<{ id: number; number: string; paid: boolean }> = [];
  const shipped = new Set<string>();
  return {
    activity,
    minute(minute) {
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
    },
  };
}

/** The shop's SKUs without variants (what the day sells and restocks). */
export async function xcartSimpleSkus(w: XcartSage300World): Promise<string[]> {
  const shop = w.runtime.clients['xcart-main'] as XcartClient;
  const items = (await import('../../connectors/xcart/index.js')).listSkus;
  return (await items.call(shop, {})).filter((s) => !s.hasVariants).map((s) => s.sku);
}

export async function runXcartSage300Scenario(o: { minutes: number; faults?: unknown[]; quiet?: boolean; onMinute?: (m: number) => void }): Promise<ScenarioSummary> {
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'syncline-scenario-'));
  const w = await startXcartSage300World({ dataDir: dir, quiet: o.quiet ?? true });
  try {
    if (o.faults?.length) await Promise.all([putFaults(w.xcart.url, o.faults), putFaults(w.sage300.url, o.faults)]);
    const erp = w.runtime.clients['sage300-main'] as Sage300Client;
    const shop = w.runtime.clients['xcart-main'] as XcartClient;
    // Go-live first: the initial syncs (the day's stock, customers and prices: some 1,600 jobs) drain
    // before the day starts. Otherwise they queue ahead of the day's orders, which then reach Sage 300
    // only after the last scaled minute, and the warehouse has nothing to ship (0 shipments before).
    await drain(w, 2_000, 180_000);
    const day = xcartSage300Day(w, await xcartSimpleSkus(w));
    const activity = day.activity;
    for (let minute = 0; minute < o.minutes; minute++) {
      day.minute(minute);
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
    const report = await reconcileXcartSage300(shop, erp, { since: new Date(started - 1000).toISOString(), locations: ['1', '2'], itemOf, parts: ['orders', 'customers', 'stock', 'payments', 'credit-notes', 'prices'] });
    const flows = await flowCounts(w.runtime, w.flowIds);
    const byKind: Record<string, number> = {};
    for (const d of report.differences) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
    return {
      scenario: 'xcart-sage300',
      minutes: o.minutes,
      activity,
      flows,
      reconciliation: { differences: report.differences.length, byKind, orders: report.orders, customers: report.customers, stock: report.stock, payments: report.payments, prices: report.prices, details: report.differences.slice(0, 50) },
      faults: Boolean(o.faults?.length),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    await w.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- Amazon ↔ Sage X3 ------------------------------------------------------------------------

export interface AmazonX3ScenarioSummary {
  scenario: 'amazon-x3';
  minutes: number;
  activity: Record<string, number>;
  flows: ScenarioSummary['flows'];
  reconciliation: {
    differences: number;
    byKind: Record<string, number>;
    orders: { checked: number; inX3: number };
    settlements: { checked: number; posted: number };
    stock: { mfnCompared: number; fbaCompared: number };
    details: Array<{ kind: string }>;
  };
  faults: boolean;
  seconds: number;
}

export interface AmazonX3World {
  runtime: Runtime;
  amazon: RunningAmazonSandbox;
  x3: SageX3Sandbox;
  flowIds: string[];
  /** One firing of a scheduled flow (its schedule runs on wall time; the scenario runs faster). */
  tick(flowId: string): Promise<void>;
  stop(): Promise<void>;
}

/** Site subprograms the scenario's X3 site publishes (docs/connectors/sagex3.md, "Site subprograms"). */
const X3_SITE_PUBLICATIONS = { COUNT: 'YSTOCKCNT', CLOSE: 'YSOHCLOSE' };
/**
 * The site's own order-header fields (Char, group SOH2_3) amazon-mcf-status-to-sagex3 writes the MCF
 * status and the tracking number into (its options statusField / trackingField): declared in the
 * sandbox site's publication and in the connection's layouts, as a site adds them.
 */
const X3_ORDER_FIELDS: Record<string, number> = { YMCFSTA: 20, YTRACKNUM: 40 };
const X3_SITE_FIELDS = { SOH: { blocks: [{ id: 'SOH2_3', fields: Object.entries(X3_ORDER_FIELDS).map(([name, len]) => ({ name, len })) }] } };
const X3_SITE_LAYOUTS = { SOH: { ...DEFAULT_LAYOUTS.SOH, groups: { ...DEFAULT_LAYOUTS.SOH.groups, ...Object.fromEntries(Object.keys(X3_ORDER_FIELDS).map((f) => [f, 'SOH2_3'])) } } };
/** The charge items credit notes book refunded shipping, tax and other charges on (the flows' option chargeItems). */
const X3_CHARGE_ITEMS = [['AMZSHIP', 'Amazon refunded shipping'], ['AMZTAX', 'Amazon refunded tax'], ['AMZOTHER', 'Amazon other refunded charges']] as const;
/** The sandbox X3's sales site, order type and generic Amazon customer, as a merchant's marketplaces table names them. */
const AMAZON_X3_MARKETPLACES = [
  'name: marketplaces',
  'normalize: [trim, upper]',
  'entries:',
  '  ATVPDKIKX0DER: { site: US011, currency: USD, country: US, customer: C00001, orderType: SON, timeZone: America/Los_Angeles }',
].join('\n');
const SETTLEMENT_OPTIONS = { site: 'US011', clearingPartner: null };
/** Per flow: what the scenario's deployment sets (every other shipped amazon-sagex3 flow runs with its defaults). */
const AMAZON_X3_FLOW_OPTIONS: Record<string, Record<string, unknown>> = {
  'amazon-settlement-to-sagex3': SETTLEMENT_OPTIONS,
  'sagex3-stock-to-amazon': { mfnSite: 'US011', feedPollMs: 200 },
  'amazon-fba-inventory-to-sagex3': { fbaSite: 'US014' },
  // The sandbox builds a report in sandbox seconds, not Amazon's minutes.
  'amazon-return-to-sagex3': { reportPollMs: 200 },
};

/**
 * The Amazon and Sage X3 sandboxes and every shipped amazon-sagex3 flow, one connection each. The X3
 * site keeps FBA stock at its FBA site only (US014): the merchant-fulfilled site (US011) holds no
 * stock of an Amazon-fulfilled SKU, so the MFN feed never offers one (a listing is merchant- or
 * Amazon-fulfilled at a time).
 */
export async function startAmazonX3World(o: { dataDir: string; port?: number; pollIntervalMs?: number; quiet?: boolean; timeScale?: number; sandboxPorts?: { amazon: number; x3: number }; rateLimits?: boolean }): Promise<AmazonX3World> {
  const amazon = await startAmazon({ port: o.sandboxPorts?.amazon ?? 0, seed: 1, timeScale: o.timeScale ?? 60, historicalOrders: 0, ...(o.rateLimits === false ? { rateLimits: false } : {}) });
  const x3 = await startX3({ port: o.sandboxPorts?.x3 ?? 0, seed: 1, publications: X3_SITE_PUBLICATIONS, features: { publicationFields: X3_SITE_FIELDS } });
  // Site set-up (docs/connectors/sagex3.md, "Set-up on the site: the charge items"): the non-stock
  // items the returns' credit notes book refunded shipping, tax and other charges on, created once.
  for (const [ITMREF, DES1AXX] of X3_CHARGE_ITEMS) {
    if (!x3.state.stores.ITM.has(ITMREF)) x3.state.save('ITM', { fields: { ITMREF, TCLCOD: 'MISC', DES1AXX }, groupOf: {}, tables: {} }, 'ADMIN');
  }
  // Go-live, done before the day starts (an onboarding step, like a first stock count): FBA SKUs'
  // stock leaves the MFN site and the FBA site holds what Amazon has, as the FBA flow's first sweep
  // would count it; from then on the flow counts what changes.
  for (const l of amazon.sandbox.market.listings.values()) {
    if (l.channel !== 'AFN' || !x3.state.stores.ITM.has(l.sku)) continue;
    x3.state.countStock({ site: 'US011', item: l.sku, qty: '0' });
    const f = l.fba;
    for (const [sta, qty] of [['A', f.fulfillable + f.pendingCustomerOrder + f.fcProcessing], ['Q', f.researching], ['R', f.unfulfillable]] as const) x3.state.countStock({ site: 'US014', item: l.sku, sta, qty: String(qty) });
  }
  const seeded = new Date().toISOString();
  const lookupsDir = path.join(o.dataDir, 'lookups');
  mkdirSync(lookupsDir, { recursive: true });
  writeFileSync(path.join(lookupsDir, 'marketplaces.yaml'), AMAZON_X3_MARKETPLACES);
  const flowIds = [...shippedFlows()].filter(([, f]) => path.relative(FLOWS_DIR, f).startsWith('amazon-sagex3')).map(([id]) => id).sort();
  const c = amazon.credentials as Record<string, string>;
  const sinceOf: Record<string, string> = { 'sagex3-item-to-amazon-listing': seeded };
  const config = parseConfig({
    dataDir: o.dataDir,
    lookupsDir,
    server: { port: o.port ?? 0 },
    worker: { concurrency: 16, pollMs: 5 },
    ...(o.quiet ? { log: { level: 'error' } } : {}),
    connections: [
      { id: 'amazon-main', system: 'amazon', config: { endpoint: amazon.url, lwaUrl: c.lwaUrl ?? `${amazon.url}/auth/o2/token`, clientId: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshToken, sellerId: c.sellerId } },
      { id: 'x3-main', system: 'sagex3', config: { baseUrl: x3.url, auth: { type: 'basic', user: x3.credentials.user, password: x3.credentials.password }, poolAlias: x3.credentials.poolAlias, publications: X3_SITE_PUBLICATIONS, layouts: X3_SITE_LAYOUTS } },
    ],
    flows: flowIds.map((id) => ({
      use: id,
      connections: { marketplace: 'amazon-main', erp: 'x3-main' },
      pollIntervalMs: o.pollIntervalMs ?? 200,
      since: sinceOf[id] ?? 'now',
      ...(AMAZON_X3_FLOW_OPTIONS[id] ? { options: AMAZON_X3_FLOW_OPTIONS[id] } : {}),
    })),
  });
  const runtime = await startSyncline(config, { listen: true });
  let ticks = 0;
  return {
    runtime, amazon, x3, flowIds,
    async tick(flowId) {
      const at = new Date(Date.now() + ++ticks);
      await runtime.engine.intake([{ system: 'syncline', entity: 'tick', id: flowId, version: String(at.getTime()).padStart(16, '0'), payload: { firedAt: at.toISOString(), flow: flowId } }], { connection: `schedule:${flowId}` });
    },
    async stop() {
      await runtime.stop();
      await Promise.all([amazon.close(), x3.close()]);
    },
  };
}

/** Distinct jobs per run status and the dead letters' codes, per flow (the engine's own records). */
async function flowCounts(runtime: Runtime, flowIds: string[]): Promise<ScenarioSummary['flows']> {
  const flows: ScenarioSummary['flows'] = {};
  for (const id of flowIds) {
    const count = async (status: string) => Number((await runtime.store.db.selectFrom('runs').select((eb) => eb.fn.count<number>('job_id').distinct().as('n')).where('flow', '=', id).where('status', '=', status as never).executeTakeFirst())?.n ?? 0);
    const dead = await runtime.engine.queue.list({ state: 'dead', queue: id, limit: 10_000 });
    const codes: Record<string, number> = {};
    for (const j of dead) codes[j.lastError?.code ?? 'UNKNOWN'] = (codes[j.lastError?.code ?? 'UNKNOWN'] ?? 0) + 1;
    if (process.env.SYNCLINE_SCENARIO_DEBUG) for (const j of dead.slice(0, 3)) console.error(id, j.lastError?.code, j.lastError?.message);
    flows[id] = { delivered: await count('succeeded'), skipped: await count('skipped'), deadLettered: dead.length, ...(dead.length ? { deadLetterCodes: codes } : {}) };
  }
  return flows;
}

/** Scaled minutes between the scenario's firings of the scheduled flows (their schedules run on wall time). */
const EVERY = { stockFeed: 5, mcfStatus: 5, returns: 10 };

/**
 * One simulated minute of the Amazon ↔ Sage X3 day: an FBA and a merchant-fulfilled order, Amazon
 * shipping FBA orders two minutes on and the merchant shipping MFN orders X3 holds (delivered in X3,
 * confirmed on Amazon), X3's back office invoicing what is delivered, returns (FBA and merchant-
 * fulfilled in turn), cancellations (with the status flow), FBA receipts, X3 receipts and price
 * changes, web-shop orders X3 ships from the FBA site through Amazon MCF, and the scheduled flows
 * fired at their scaled times: the stock feed and the MCF status every five minutes, the FBA returns every ten. The scenario runs it once a second; `npm start` keeps running it (demo.ts).
 */
export function amazonX3Day(w: AmazonX3World, seed = 11) {
  const rand = rng(seed);
  const market = w.amazon.sandbox.market;
  const activity: Record<string, number> = { afnOrders: 0, mfnOrders: 0, fbaShipped: 0, mfnShipped: 0, invoices: 0, returns: 0, mcfOrders: 0, cancellations: 0, fbaReceipts: 0, reimbursements: 0, x3Receipts: 0, priceChanges: 0, settlements: 0 };
  const has = (id: string) => w.flowIds.includes(id);
  const placed: Array<{ id: string; channel: 'AFN' | 'MFN'; minute: number }> = [];
  const afnSkus = [...market.listings.values()].filter((l) => l.channel === 'AFN').map((l) => l.sku);
  const mfnSkus = [...market.listings.values()].filter((l) => l.channel === 'MFN').map((l) => l.sku);
  const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)]!;
  const x3 = w.x3.state;
  const invoiced = new Set<string>();
  /**
   * X3's back office invoices the Amazon orders that shipped, once the shipment is on the SOH (the
   * shipment flow's update: an order delivered and invoiced is closed to modification): what X3
   * delivered (MFN) through its invoicing of deliveries, an order Amazon fulfilled (FBA: X3 delivers
   * nothing) straight from its order lines. The returns flow credits this invoice (INVREF = order id).
   */
  const invoiceShipped = async () => {
    const due = new Map<string, Rec>();
    const byRef = new Map<string, Rec>();
    for (const r of x3.stores.SOH.values()) byRef.set(String(r.fields.CUSORDREF), r);
    for (const p of placed) {
      if (invoiced.has(p.id) || market.mustOrder(p.id).status !== 'Shipped') continue;
      const soh = byRef.get(p.id);
      if (soh && soh.fields.ORDSTA === '1') due.set(String(soh.fields.SOHNUM), soh);
    }
    if (due.size === 0) return;
    const recorded = await w.runtime.store.db.selectFrom('xref').select('b_id').where('b_entity', '=', 'sales-order-shipment').where('b_id', 'in', [...due.keys()]).execute();
    for (const { b_id: sohnum } of recorded) {
      const soh = due.get(sohnum)!;
      const lines = soh.tables.SOH4_1 ?? [];
      if (lines.some((l) => new Decimal(String(l.DLVQTY || '0')).gt(String(l.INVQTY || '0')))) x3.invoiceOrder(sohnum);
      else {
        const rows = lines.filter((l) => new Decimal(String(l.QTY)).gt(String(l.INVQTY || '0')))
          .map((l) => ({ row: { ITMREF: String(l.ITMREF), QTY: new Decimal(String(l.QTY)).minus(String(l.INVQTY || '0')).toString(), GROPRI: String(l.GROPRI), DISCRGVAL1: String(l.DISCRGVAL1 ?? '0'), SOHNUM: sohnum, SOPLIN: String(l.SOPLIN) } }));
        if (rows.length === 0) continue;
        x3.save('SIH', { fields: { SALFCY: String(soh.fields.SALFCY), SIVTYP: 'INV', BPCINV: String(soh.fields.BPCINV), CUR: String(soh.fields.CUR), INVREF: String(soh.fields.CUSORDREF) }, groupOf: {}, tables: { SIH4_1: rows } }, 'ADMIN');
      }
      invoiced.add(String(soh.fields.CUSORDREF));
      activity.invoices!++;
    }
  };
  let webOrders = 0;
  let returnsDue = 0;
  /** A buyer returns an invoiced order every four minutes, FBA and merchant-fulfilled in turn (either, when the other has none); one due waits for an invoiced order. */
  const returnDue = () => {
    for (; returnsDue > 0; returnsDue--) {
      const shipped = placed.filter((p) => invoiced.has(p.id)).map((p) => market.mustOrder(p.id)).filter((x) => x.status === 'Shipped' && x.items.some((i) => i.refundedQty < i.qty));
      if (shipped.length === 0) return;
      const preferred = shipped.filter((x) => x.channel === (activity.returns! % 2 === 0 ? 'AFN' : 'MFN'));
      // An item with units left to return (an order's first item may be returned already).
      const order = pick(preferred.length ? preferred : shipped);
      market.returnItems(order.id, order.items.find((i) => i.refundedQty < i.qty)!.sku);
      activity.returns!++;
    }
  };
  return {
    activity, market, afnSkus, pick, invoiceShipped, returnDue,
    async minute(minute: number): Promise<void> {
      // Buyers: an FBA and a merchant-fulfilled order a minute.
      for (const channel of ['AFN', 'MFN'] as const) {
        const order = market.placeOrder({ channel, promotion: rand() < 0.15 });
        placed.push({ id: order.id, channel, minute });
        activity[channel === 'AFN' ? 'afnOrders' : 'mfnOrders']!++;
      }
      // Amazon ships FBA orders two minutes on; the merchant ships MFN orders X3 holds (deliver in X3, confirm on Amazon).
      for (const p of placed.filter((x) => x.minute <= minute - 2)) {
        const order = market.mustOrder(p.id);
        if (order.status !== 'Unshipped') continue;
        if (p.channel === 'AFN') {
          market.shipOrder(p.id);
          activity.fbaShipped!++;
          continue;
        }
        const soh = [...w.x3.state.stores.SOH.values()].find((r) => r.fields.CUSORDREF === p.id);
        if (!soh) continue;
        try {
          w.x3.state.deliverOrder(String(soh.fields.SOHNUM));
        } catch {
          /* nothing allocated to deliver: shipped from elsewhere */
        }
        market.confirmPackage(p.id, order.items.map((i) => ({ orderItemId: i.orderItemId, quantity: i.qty })));
        activity.mfnShipped!++;
      }
      await invoiceShipped();
      if (minute % 4 === 3) returnsDue++;
      returnDue();
      // Another channel (a web shop) takes an order X3 ships from the FBA site: Amazon MCF fulfils it.
      if (minute % 10 === 2 && has('sagex3-order-to-amazon-mcf')) {
        const stocked = afnSkus.filter((sku) => x3.stores.ITM.has(sku) && (market.listings.get(sku)?.fba.fulfillable ?? 0) >= 10);
        if (stocked.length) {
          x3.save('SOH', { fields: { SALFCY: 'US011', STOFCY: 'US014', BPCORD: 'C00002', CUSORDREF: `WEB-${1001 + webOrders++}` }, groupOf: {}, tables: { SOH4_1: [{ row: { ITMREF: pick(stocked), QTY: String(1 + Math.floor(rand() * 2)) } }] } }, 'WEB');
          activity.mcfOrders!++;
        }
      }
      if (minute % 6 === 5 && has('amazon-order-status-to-sagex3')) {
        const open = placed.filter((p) => p.minute === minute && market.mustOrder(p.id).status === 'Unshipped');
        if (open.length) {
          market.cancelOrder(open[0]!.id);
          activity.cancellations!++;
        }
      }
      if (minute % 5 === 1) {
        market.receiveFba(pick(afnSkus), 5 + Math.floor(rand() * 20));
        activity.fbaReceipts!++;
      }
      if (minute % 3 === 2) {
        w.x3.state.receiveStock({ site: 'US011', item: pick(mfnSkus), qty: String(1 + Math.floor(rand() * 20)) });
        activity.x3Receipts!++;
      }
      if (minute % 5 === 4 && has('sagex3-item-to-amazon-listing')) {
        const rec = w.x3.state.stores.ITM.get(pick(mfnSkus))!;
        rec.fields.BASPRI = (10 + Math.floor(rand() * 9000) / 100).toFixed(2);
        rec.updated = w.x3.state.stamp();
        activity.priceChanges!++;
      }
      if (minute % EVERY.stockFeed === 4 && has('sagex3-stock-to-amazon')) await w.tick('sagex3-stock-to-amazon');
      if (minute % EVERY.mcfStatus === 4 && has('amazon-mcf-status-to-sagex3')) await w.tick('amazon-mcf-status-to-sagex3');
      if (minute % EVERY.returns === 9 && has('amazon-return-to-sagex3')) await w.tick('amazon-return-to-sagex3');
    },
  };
}

/**
 * `syncline demo --scenario amazon-x3`: a marketplace day in scaled time (one sandbox minute per wall
 * second) — AFN and MFN orders, Amazon shipping FBA orders, the merchant shipping MFN ones from X3,
 * returns, FBA receipts and a reimbursement, X3 receipts and price changes, cancellations (when the
 * status flow is shipped) — then one settlement closed and posted, the flows drained, and the pair
 * reconciled over both APIs (orders, settlements, MFN and FBA stock).
 */
export async function runAmazonX3Scenario(o: { minutes: number; faults?: unknown[]; quiet?: boolean; onMinute?: (m: number) => void }): Promise<AmazonX3ScenarioSummary> {
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'syncline-scenario-ax-'));
  const w = await startAmazonX3World({ dataDir: dir, quiet: o.quiet ?? true });
  const day = amazonX3Day(w);
  const { activity, market, afnSkus, pick } = day;
  const has = (id: string) => w.flowIds.includes(id);
  const phase = (name: string) => process.env.SYNCLINE_SCENARIO_DEBUG && console.error(`${((Date.now() - started) / 1000).toFixed(1)} s ${name}`);
  phase('world started');
  try {
    if (o.faults?.length) await Promise.all([putFaults(w.amazon.url, o.faults), putFaults(w.x3.url, o.faults)]);
    if (has('sagex3-stock-to-amazon')) await w.tick('sagex3-stock-to-amazon');
    for (let minute = 0; minute < o.minutes; minute++) {
      await day.minute(minute);
      o.onMinute?.(minute + 1);
      await sleep(1000);
    }
    phase('day done');
    market.reimburse(pick(afnSkus), 1);
    activity.reimbursements!++;
    if (o.faults?.length) await Promise.all([putFaults(w.amazon.url, []), putFaults(w.x3.url, [])]);
    // The day's end: the flows catch up, a clerk reviews the orders the risk step held (and releases
    // them: the sandbox's buyers are genuine), the stock feed runs, the period settles.
    await drain(w, 2_000, 180_000);
    const { listHeld, releaseHeld } = await import('../../intelligence/holds.js');
    for (const h of await listHeld(w.runtime.engine.queue)) {
      await releaseHeld(w.runtime.engine.queue, w.runtime.store.db, h.id, 'scenario clerk');
      activity.holdsReleased = (activity.holdsReleased ?? 0) + 1;
    }
    await drain(w, 2_000, 180_000);
    // The back office invoices what the last shipments recorded, a return still due is made, and
    // the MCF status and returns flows run once more, so the MCF orders' status and the returns are on X3.
    await day.invoiceShipped();
    day.returnDue();
    if (has('amazon-mcf-status-to-sagex3')) await w.tick('amazon-mcf-status-to-sagex3');
    if (has('amazon-return-to-sagex3')) await w.tick('amazon-return-to-sagex3');
    await drain(w, 2_000, 180_000);
    if (has('sagex3-stock-to-amazon')) {
      await w.tick('sagex3-stock-to-amazon');
      await drain(w, 2_000, 180_000);
    }
    market.closeSettlement();
    activity.settlements!++;
    await drain(w, 2_000, 180_000);
    phase('settled and drained');
    const amazonClient = w.runtime.clients['amazon-main'] as SpApiClient;
    const x3Client = w.runtime.clients['x3-main'] as SageX3Client;
    const since = new Date(started - 60_000).toISOString();
    const report = await reconcileAmazonX3(amazonClient, x3Client, { since, options: SETTLEMENT_OPTIONS });
    const skuTable = await loadLookupTable(path.join(MAPPINGS_DIR, 'lookups/sku.yaml'));
    const stock = await reconcileAmazonX3Stock(amazonClient, x3Client, { mfnSite: 'US011', fbaSite: 'US014', reportPollMs: 200, itemOf: (sku) => {
      const v = skuTable.get(sku);
      return typeof v === 'string' ? v : undefined;
    } });
    phase('reconciled');
    const differences: Array<{ kind: string }> = [...report.differences, ...stock.differences];
    const byKind: Record<string, number> = {};
    for (const d of differences) byKind[String(d.kind)] = (byKind[String(d.kind)] ?? 0) + 1;
    return {
      scenario: 'amazon-x3',
      minutes: o.minutes,
      activity,
      flows: await flowCounts(w.runtime, w.flowIds),
      reconciliation: { differences: differences.length, byKind, orders: report.orders, settlements: report.settlements, stock: stock.stock, details: differences.slice(0, 50) },
      faults: Boolean(o.faults?.length),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    await w.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
