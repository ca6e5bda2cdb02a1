// The amazon-settlement-to-sagex3 flow with its option `invoices`, run by Syncline against the Amazon
// and Sage X3 sandboxes over HTTP, X3 behind the unknown-outcome proxy (test/e2e/faulty-proxy.ts):
// every 10th SIH save is held past the client's timeout (X3 saves it later) and another every 10th
// is saved and its answer dropped — a crash right after X3 saved, as far as Syncline can tell — with
// the sandbox's own refusal of a second INVREF switched off, so only the flow's look-ups keep one
// document per key. The settlement's orders go in pages (2 per page here), each order its own run:
// one invoice per sold order and one credit note per refund (INVREF = order id + adjustment id,
// decision 0019), whose nets equal all the report charged the buyers (principal less promotion, tax,
// shipping, shipping tax: each order's invoice INVNOT = INVATI = its order total) and all it refunded
// (principal and tax), the charges on the site's charge items AMZSHIP/AMZTAX, to the cent; an order X3 does not know is its own dead letter with its
// amount, invoiced when replayed after its SOH exists; a re-run of the settlement creates nothing.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { reportLineBatches } from '../../src/connectors/amazon/index.js';
import { clientFor } from '../../src/connectors/amazon/testing.js';
import { SageX3Client } from '../../src/connectors/sagex3/index.js';
import { save } from '../../src/connectors/sagex3/operations/save.js';
import { startSyncline, type Runtime } from '../../src/main.js';
import { start as startAmazon, type RunningAmazonSandbox } from '../../src/sandboxes/amazon/index.js';
import { start as startX3, type SageX3Sandbox } from '../../src/sandboxes/sagex3/index.js';
import { refundReference } from '../../src/connectors/sagex3/operations/settled-order.js';
import { readSettlement } from '../../src/settlement/index.js';
import { addChargeItems, switchOffInvrefGuard, X3_SANDBOX_AUTH } from './amazon-x3-pair.js';
import { faultyProxy, type FaultyProxy } from './faulty-proxy.js';
import { until } from './xcart-sage300-pair.js';

const root = path.resolve(import.meta.dirname, '../..');
const HOUR = 3_600_000;
let amazon: RunningAmazonSandbox;
let x3: SageX3Sandbox;
let proxy: FaultyProxy;
let runtime: Runtime;
let dir: string;
let direct: SageX3Client;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'syncline-settlement-invoices-'));
  amazon = await startAmazon({ seed: 43, timeScale: 50, historicalOrders: 0 });
  x3 = await startX3({ seed: 43 });
  addChargeItems(x3);
  switchOffInvrefGuard(x3);
  // Held 1.5 s past a 500 ms client timeout; the flow looks up 3 s after an unknown outcome.
  proxy = await faultyProxy(x3.url, 1_500, (method, _url, body) => (method === 'POST' && body.includes('<wss:save') && body.includes('>WSSIH<') ? 'sih' : undefined));
  direct = new SageX3Client({ baseUrl: x3.url, ...X3_SANDBOX_AUTH }, { connection: 'x3-direct' });
  const c = amazon.credentials as Record<string, string>;
  const mappings = path.join(dir, 'mappings');
  cpSync(path.join(root, 'mappings/lookups'), path.join(mappings, 'lookups'), { recursive: true });
  runtime = await startSyncline(
    parseConfig({
      dataDir: dir,
      lookupsDir: path.join(mappings, 'lookups'),
      server: { port: 0 },
      worker: { concurrency: 4, pollMs: 5 },
      log: { level: process.env.DEBUG_E2E ? 'info' : 'error' },
      connections: [
        { id: 'amazon-main', system: 'amazon', config: { endpoint: amazon.url, lwaUrl: c.lwaUrl ?? `${amazon.url}/auth/o2/token`, clientId: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshToken, sellerId: c.sellerId } },
        { id: 'x3-main', system: 'sagex3', config: { baseUrl: proxy.url, ...X3_SANDBOX_AUTH, timeoutMs: 500 } },
      ],
      flows: [
        {
          use: 'amazon-settlement-to-sagex3', pollIntervalMs: 200, connections: { marketplace: 'amazon-main', erp: 'x3-main' },
          options: { site: 'US011', clearingPartner: null, invoices: true, ordersPerPage: 2, settleMs: 3_000 },
        },
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
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const docs = (prefix: string, type: string) => [...x3.state.stores.SIH.values()].filter((r) => String(r.fields.INVREF).startsWith(prefix) && r.fields.SIVTYP === type);
/** The credit notes of these orders (INVREF = order id + the refund's adjustment id). */
const crns = (os: Array<{ id: string }>) => [...x3.state.stores.SIH.values()].filter((r) => r.fields.SIVTYP === 'CRN' && os.some((o) => String(r.fields.INVREF).startsWith(o.id)));
const net = (rs: ReturnType<typeof docs>) => rs.reduce((a, r) => a.plus(String(r.fields.INVNOT)), new Decimal(0)).toFixed(2);
const dead = () => runtime.engine.queue.list({ state: 'dead', limit: 20 });
const pending = async () => (await runtime.engine.queue.counts()).filter((c) => c.state !== 'dead').reduce((n, c) => n + c.count, 0);
type Placed = ReturnType<RunningAmazonSandbox['sandbox']['market']['placeOrder']>;
/** The order's SOH in X3, as the order flow would have booked it (CUSORDREF = the Amazon order id, ITMREF = SKU). */
const book = (o: Placed) =>
  save.call(direct, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C00001', CUSORDREF: o.id, lines: o.items.map((i) => ({ ITMREF: i.sku, QTY: String(i.qty), GROPRI: new Decimal(i.itemPrice).div(i.qty).toDecimalPlaces(2).toFixed(2) })) } });

describe('flow amazon-settlement-to-sagex3 with invoices', () => {
  it('invoices each settled order and credits each refund once, in pages, through held and dropped saves; totals equal the report to the cent; an unknown order dead-letters and is invoiced on replay; a re-run creates nothing', async () => {
    const market = amazon.sandbox.market;
    const now = amazon.sandbox.clock.now();
    const placed = Array.from({ length: 9 }, (_, i) => market.placeOrder({ channel: i % 2 ? 'AFN' : 'MFN', purchaseDate: now - HOUR * (i + 2), status: 'Shipped', promotion: i === 2 }));
    const refunds = new Map([placed[1]!, placed[2]!, placed[4]!, placed[8]!].map((o) => [o.id, market.returnItems(o.id)]));
    const [unknown, ...known] = [placed[8]!, ...placed.slice(0, 8)];
    for (const o of known) await book(o);

    const g = market.closeSettlement();
    const id = g.settlementId!;
    const report = [...amazon.sandbox.reports.values()].find((r) => r.settlement?.settlementId === id)!;
    const t = await readSettlement(reportLineBatches(clientFor(amazon), report.reportDocumentId!));
    // All the buyers paid: every Order ItemPrice line (principal, tax, shipping, shipping tax) and Promotion line.
    const sold = [...t.byType.entries()].filter(([k]) => k.startsWith('Order/ItemPrice/') || k.startsWith('Order/Promotion/')).reduce((a, [, v]) => a.plus(new Decimal(v.cents).div(100)), new Decimal(0));
    expect(sold.gt(new Decimal(t.byType.get('Order/ItemPrice/Principal')!.cents).div(100))).toBe(true);
    // All the buyers got back: every Refund ItemPrice and Promotion line (here principal and tax).
    const refunded = [...t.byType.entries()].filter(([k]) => k.startsWith('Refund/ItemPrice/') || k.startsWith('Refund/Promotion/')).reduce((a, [, v]) => a.minus(new Decimal(v.cents).div(100)), new Decimal(0));
    /** What the buyer paid for an order: Amazon's OrderTotal. */
    const paid = (o: Placed) => o.items.reduce((a, i) => a.plus(i.itemPrice).plus(i.itemTax).plus(i.shippingPrice).plus(i.shippingTax).minus(i.promotionDiscount), new Decimal(0));
    const soldUnknown = paid(unknown);

    // Eight known orders invoiced, three of their refunds credited; the unknown one is a dead letter.
    await until('8 invoices, 3 credit notes, 1 dead letter', async () => [docs(id, 'INV').length, crns(placed).length, (await dead()).length], (n) => n[0] === 8 && n[1] === 3 && n[2] === 1, 90_000, 200);
    await until('the queue drained', pending, (n) => n === 0, 60_000, 200);
    const [letter] = await dead();
    expect(letter!.lastError?.code).toBe('X3_NOT_FOUND');
    expect(letter!.lastError?.message).toContain(unknown.id);
    expect(letter!.lastError?.message).toContain(`${soldUnknown.toFixed(2)} sold`);
    // The proxy held and dropped SIH saves: the look-ups kept one document per order and type.
    expect(proxy.stats.sih!.held).toBeGreaterThanOrEqual(1);
    expect(proxy.stats.sih!.dropped).toBeGreaterThanOrEqual(1);
    for (const o of known) expect(docs(`${id}${o.id}`, 'INV')).toHaveLength(1);
    // Each invoice is the order's whole charge, to the cent (before, the principal alone): INVNOT = INVATI = what the buyer paid.
    for (const o of known) {
      const f = docs(`${id}${o.id}`, 'INV')[0]!.fields;
      expect([new Decimal(String(f.INVNOT)).toFixed(2), new Decimal(String(f.INVATI)).toFixed(2)]).toEqual([paid(o).toFixed(2), paid(o).toFixed(2)]);
    }
    // The shipping and tax charged on the site's charge items; the promotion off the principal.
    const promo = placed[2]!;
    expect(new Decimal(promo.items[0]!.promotionDiscount).gt(0)).toBe(true);
    const lines = (o: Placed) => (docs(`${id}${o.id}`, 'INV')[0]!.tables.SIH4_1 ?? []).map((l) => String(l.ITMREF));
    expect(known.some((o) => lines(o).includes('AMZSHIP'))).toBe(true);
    for (const o of known) expect(lines(o)).toContain('AMZTAX');
    for (const o of [placed[1]!, placed[2]!, placed[4]!]) {
      const [crn, ...more] = crns([o]);
      expect(more).toEqual([]);
      expect(crn!.fields.INVREF).toBe(refundReference(o.id, refunds.get(o.id)![0]!.adjustmentId!));
      // Tied to the order's invoice.
      expect(crn!.fields.SIHORINUM).toBe(docs(`${id}${o.id}`, 'INV')[0]!.fields.NUM);
    }
    // To the cent: the invoices' net is all the report charged the buyers, less the order X3 does not know.
    expect(net(docs(id, 'INV'))).toBe(sold.minus(soldUnknown).toFixed(2));
    const unknownRefund = refunds.get(unknown.id)!.filter((p) => p.amountType === 'ItemPrice').reduce((a, p) => a.minus(p.amount), new Decimal(0));
    expect(net(crns(placed))).toBe(refunded.minus(unknownRefund).toFixed(2));

    // Its SOH appears; the replay invoices and credits it, once.
    await book(unknown);
    expect(await runtime.engine.queue.replay([letter!.id])).toBe(1);
    await until('the unknown order invoiced and credited', () => [docs(`${id}${unknown.id}`, 'INV').length, crns([unknown]).length], (n) => n[0] === 1 && n[1] === 1, 60_000, 200);
    await until('the queue drained', pending, (n) => n === 0, 60_000, 200);
    expect([net(docs(id, 'INV')), net(crns(placed))]).toEqual([sold.toFixed(2), refunded.toFixed(2)]);

    // The settlement delivered again (a newer version): every page and order runs again and finds its documents.
    const runsBefore = proxy.stats.sih!.creates;
    const r = await runtime.engine.intake([{ system: 'amazon', entity: 'settlement-report', id: report.reportId, version: new Date(amazon.sandbox.clock.now()).toISOString(), payload: { reportId: report.reportId, reportDocumentId: report.reportDocumentId } }], { connection: 'amazon-main' });
    expect(r.accepted).toBe(1);
    await new Promise((res) => setTimeout(res, 500));
    await until('the re-run drained', pending, (n) => n === 0, 60_000, 200);
    expect(proxy.stats.sih!.creates).toBe(runsBefore);
    expect([docs(id, 'INV').length, crns(placed).length]).toEqual([9, 4]);
    expect([net(docs(id, 'INV')), net(crns(placed))]).toEqual([sold.toFixed(2), refunded.toFixed(2)]);
    expect(await dead()).toEqual([]);
  }, 180_000);
});
