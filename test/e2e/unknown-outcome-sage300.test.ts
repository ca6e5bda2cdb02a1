// Issue 10, unknown outcomes for customers, credit notes and AR entries: the proxy of
// unknown-outcome.test.ts in front of Sage 300, now faulting customer creates (the order flow's lookup
// step creates a new buyer's AR customer), credit-note creates (xcart-refund-to-sage300), order
// creates, and the AR receipt and refund entries of xcart-payment-to-sage300 (Sage 300's postings of
// money: a POST of a new day-and-bank batch or a PATCH adding an entry to the open one) alike — every
// 10th of each held past the client's timeout (Sage commits it later), another every 10th answered and
// the answer dropped. The customers' own duplicate-PO guard is off. Counted over Sage 300's API:
// exactly one customer per new buyer's e-mail, one credit note per refund, one order per X-Cart order,
// one AR receipt entry per paid order and one AR refund entry per refund.
// Customers are safe for another reason than the settle time: Sage 300 does not number customers, the
// mapping derives CustomerNumber (ARCustomers' key) from the X-Cart profile id, and Sage refuses a
// second record with a taken key (RecordDuplicate). So no second customer can arise for one buyer
// even at UNKNOWN_OUTCOME_SETTLE_MS=0 — the test checks that reason (and, at settle 0, that repeated
// creates did reach Sage and were refused), not just the count.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { startSyncline, type Runtime } from '../../src/main.js';
import { start as startXcart, type XcartSandbox } from '../../src/sandboxes/xcart/index.js';
import { start as startSage300, type Sage300Sandbox } from '../../src/sandboxes/sage300/index.js';
import { Sage300Client } from '../../src/connectors/sage300/index.js';
import { faultyProxy, type FaultyProxy } from './faulty-proxy.js';
import { until } from './xcart-sage300-pair.js';

const UNLIMITED = { ratePerSec: 100_000, burst: 100_000 };
const HOLD_MS = 3_000;
// 4 s > the hold. UNKNOWN_OUTCOME_SETTLE_MS=0 reproduces the behaviour before the settle time (duplicates).
const SETTLE_MS = Number(process.env.UNKNOWN_OUTCOME_SETTLE_MS ?? 4_000);
const BUYERS = 30;
const REFUNDS = 30;

describe('unknown outcomes never duplicate: Sage 300 customers, credit notes and AR entries behind a delaying, answer-dropping proxy', () => {
  let xcart: XcartSandbox;
  let sage: Sage300Sandbox;
  let proxy: FaultyProxy;
  let runtime: Runtime;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-unknown-s3-'));
    xcart = await startXcart({ port: 0, seed: 1 });
    sage = await startSage300({ port: 0, seed: 1 });
    for (const c of sage.company.customers.table.rows()) (c as Record<string, unknown>).CheckForDuplicatePOs = 'None';
    proxy = await faultyProxy(sage.url, HOLD_MS, (method, url) => {
      if ((method === 'POST' || method === 'PATCH') && /\/AR\/ARReceiptAndAdjustmentBatches(\(|\?|$)/.test(url)) return 'receiptEntry';
      if ((method === 'POST' || method === 'PATCH') && /\/AR\/ARRefundBatches(\(|\?|$)/.test(url)) return 'refundEntry';
      if (method !== 'POST') return undefined;
      if (/\/AR\/ARCustomers(\?|$)/.test(url)) return 'customer';
      if (/\/OE\/OECreditDebitNotes(\?|$)/.test(url)) return 'creditNote';
      if (/\/OE\/OEOrders(\?|$)/.test(url)) return 'order';
      return undefined;
    });
    const since = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000).toISOString();
    const erpLimits = Object.fromEntries(['createOrder', 'findOrdersByReference', 'findCustomerByEmail', 'createCustomer', 'createCreditNote', 'listCreditNotes', 'getOrder', 'getItem', 'addReceiptEntry', 'addRefundEntry', 'findArEntries', 'getOrderDocuments'].map((o) => [o, UNLIMITED]));
    // Settle 4 s > the 3 s the proxy holds a request; the client gives up after 400 ms.
    const flowOptions = { settleMs: SETTLE_MS, riskHold: false }; // one address for many new buyers is not what this test is about
    runtime = await startSyncline(
      parseConfig({
        dataDir: dir,
        server: { port: 0 },
        worker: { concurrency: 16, pollMs: 5 },
        log: { level: process.env.DEBUG_E2E ? 'info' : 'error' },
        connections: [
          { id: 'shop', system: 'xcart', config: { baseUrl: xcart.url, token: xcart.credentials.readToken }, rateLimits: { listOrders: UNLIMITED, getOrder: UNLIMITED, listOrderPaymentTransactions: UNLIMITED } },
          { id: 'erp', system: 'sage300', config: { baseUrl: proxy.url, company: sage.credentials.company, user: sage.credentials.user, password: sage.credentials.password, timeoutMs: 400 }, rateLimits: erpLimits },
        ],
        flows: [
          { use: 'xcart-order-to-sage300', connections: { shop: 'shop', erp: 'erp' }, pollIntervalMs: 100, since, options: flowOptions },
          { use: 'xcart-refund-to-sage300', connections: { shop: 'shop', erp: 'erp' }, pollIntervalMs: 100, since, options: flowOptions },
          { use: 'xcart-payment-to-sage300', connections: { shop: 'shop', erp: 'erp' }, pollIntervalMs: 100, since, options: { settleMs: SETTLE_MS } },
        ],
      }),
      { listen: false },
    );
  }, 60_000);

  afterAll(async () => {
    await runtime?.stop();
    await proxy?.close();
    await Promise.all([xcart?.close(), sage?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${BUYERS} new buyers and ${REFUNDS} refunds → exactly one Sage 300 customer, credit note, order, AR receipt and AR refund each`, async () => {
    const direct = new Sage300Client({ baseUrl: sage.url, company: sage.credentials.company, user: sage.credentials.user, password: sage.credentials.password }, { connection: 'check' });
    // New buyers Sage 300 has never seen: the lookup step creates each one's AR customer.
    const template = [...xcart.store.profilesByLogin.values()].find((p) => !p.anonymous && p.addresses.length)!.addresses[0]!;
    const logins = Array.from({ length: BUYERS }, (_, i) => `unknown.outcome.${i}.${Date.now()}@example.org`);
    // The AR customer number the mapping derives from each buyer's profile id (option numberPrefix W).
    const numberOf = new Map(logins.map((login) => [login, `W${String(xcart.store.addProfile({ login, access_level: 0, anonymous: false, addresses: [{ ...template, id: xcart.store.next('address') }] }).id).padStart(8, '0')}`]));
    const bought = logins.map((login) => xcart.storefront.placeOrder({ login, paid: true, currency: 'USD', paymentMethod: 'Phone Ordering', lines: [{ sku: 'A1-1001-BLK', qty: 1 }] }));
    // Guests' paid orders, each partly refunded: one credit note per refund.
    const refunded = Array.from({ length: REFUNDS }, () => xcart.storefront.placeOrder({ guest: true, paid: true, currency: 'USD', paymentMethod: 'Phone Ordering', lines: [{ sku: 'A1-1004-BLK', qty: 1 }] }));
    for (const o of refunded) xcart.storefront.refund(o.id, '5.00');

    const customers = async () => {
      const rows = await direct.list('check', 'AR', 'ARCustomers', z.looseObject({ CustomerNumber: z.string(), Email: z.string().optional().nullable() }), { select: ['CustomerNumber', 'Email'] });
      const per = new Map<string, number>();
      for (const r of rows) if (r.Email && logins.includes(r.Email.toLowerCase())) per.set(r.Email.toLowerCase(), (per.get(r.Email.toLowerCase()) ?? 0) + 1);
      return per;
    };
    const notes = async () => {
      const rows = await direct.list('check', 'OE', 'OECreditDebitNotes', z.looseObject({ Reference: z.string() }), { select: ['Reference'] });
      const per = new Map<string, number>();
      for (const o of refunded) per.set(String(o.order_number), rows.filter((r) => r.Reference.startsWith(`X-Cart ${o.order_number} refund`)).length);
      return per;
    };
    const orders = async () => {
      const refs = new Set(bought.map((o) => String(o.order_number)));
      const rows = await direct.list('check', 'OE', 'OEOrders', z.looseObject({ PurchaseOrderNumber: z.string().optional().nullable() }), { select: ['PurchaseOrderNumber'] });
      const per = new Map<string, number>();
      for (const r of rows) if (r.PurchaseOrderNumber && refs.has(r.PurchaseOrderNumber)) per.set(r.PurchaseOrderNumber, (per.get(r.PurchaseOrderNumber) ?? 0) + 1);
      return per;
    };
    // Every order here is paid: one AR receipt entry each (EntryReference = the X-Cart order number);
    // each refund one AR refund entry (Reference "X-Cart #<number> refund <transaction>").
    const paid = [...bought, ...refunded].map((o) => String(o.order_number));
    const receipts = async () => {
      const rows = await direct.list('check', 'AR', 'ARReceiptAndAdjustmentBatches', z.looseObject({ ReceiptsAdjustments: z.array(z.looseObject({ EntryReference: z.string().optional().nullable() })).optional().nullable() }));
      const per = new Map(paid.map((p) => [p, 0]));
      for (const b of rows) for (const e of b.ReceiptsAdjustments ?? []) if (e.EntryReference && per.has(e.EntryReference)) per.set(e.EntryReference, per.get(e.EntryReference)! + 1);
      return per;
    };
    const arRefunds = async () => {
      const rows = await direct.list('check', 'AR', 'ARRefundBatches', z.looseObject({ Refunds: z.array(z.looseObject({ Reference: z.string().optional().nullable() })).optional().nullable() }));
      const per = new Map(refunded.map((o) => [String(o.order_number), 0]));
      for (const b of rows) for (const e of b.Refunds ?? []) {
        const number = /^X-Cart #(\S+) refund /.exec(e.Reference ?? '')?.[1];
        if (number && per.has(number)) per.set(number, per.get(number)! + 1);
      }
      return per;
    };
    const all = async () => [await customers(), await notes(), await orders(), await receipts(), await arRefunds()] as const;
    await until('every customer, credit note, order and AR entry in Sage 300', async () => {
      const got = await all();
      return Object.assign(got, { toJSON: () => got.map((m) => Object.fromEntries([...m].filter(([, x]) => x !== 1))) }); // what is missing (or twice), when it times out
    }, ([c, n, o, r, f]) => c.size === BUYERS && [...n.values()].every((x) => x >= 1) && o.size === BUYERS && [...r.values()].every((x) => x >= 1) && [...f.values()].every((x) => x >= 1), 300_000, 500); // load 20+: 400 ms timeouts open the circuit now and then
    await new Promise((r) => setTimeout(r, HOLD_MS + 2_000)); // a late duplicate would land within the hold
    const [c, n, o, r, f] = await all();
    const count = (m: Map<string, number>) => ({ records: [...m.values()].reduce((a, b) => a + b, 0), duplicates: [...m.values()].filter((x) => x > 1).length });
    const counts = { customers: count(c), creditNotes: count(n), orders: count(o), arReceipts: count(r), arRefunds: count(f) };
    console.log(JSON.stringify({ counts, proxy: proxy.stats }));
    // Why customers are never twice: each buyer's number is the key derived from their X-Cart profile,
    // and Sage 300 refuses a second customer with a taken key.
    const numbers = await direct.list('check', 'AR', 'ARCustomers', z.looseObject({ CustomerNumber: z.string(), Email: z.string().optional().nullable() }), { select: ['CustomerNumber', 'Email'] });
    for (const login of logins) expect(numbers.filter((r) => r.Email?.toLowerCase() === login).map((r) => r.CustomerNumber), login).toEqual([numberOf.get(login)]);
    const again = await direct.request({ operation: 'check', method: 'POST', path: direct.path('AR', 'ARCustomers'), idempotent: false, acceptStatus: [409], body: { CustomerNumber: numberOf.get(logins[0]!), ShortName: 'AGAIN', GroupCode: 'RTL', Email: logins[0] } });
    expect([again.status, (again.body as { error?: { code?: string } }).error?.code]).toEqual([409, 'RecordDuplicate']);
    // At settle 0 the held creates are repeated before they land: Sage answers the later one RecordDuplicate.
    if (SETTLE_MS === 0) expect(proxy.stats.customer!.statuses[409] ?? 0).toBeGreaterThanOrEqual(1);
    expect(proxy.stats.customer!.held).toBeGreaterThanOrEqual(2);
    expect(proxy.stats.customer!.dropped).toBeGreaterThanOrEqual(2);
    expect(proxy.stats.creditNote!.held).toBeGreaterThanOrEqual(2);
    expect(proxy.stats.creditNote!.dropped).toBeGreaterThanOrEqual(2);
    expect(proxy.stats.receiptEntry!.held).toBeGreaterThanOrEqual(2);
    expect(proxy.stats.receiptEntry!.dropped).toBeGreaterThanOrEqual(2);
    expect(proxy.stats.refundEntry!.held).toBeGreaterThanOrEqual(2);
    expect(proxy.stats.refundEntry!.dropped).toBeGreaterThanOrEqual(2);
    expect(counts).toEqual({
      customers: { records: BUYERS, duplicates: 0 }, creditNotes: { records: REFUNDS, duplicates: 0 }, orders: { records: BUYERS, duplicates: 0 },
      arReceipts: { records: BUYERS + REFUNDS, duplicates: 0 }, arRefunds: { records: REFUNDS, duplicates: 0 },
    });
    expect(await runtime.engine.queue.list({ state: 'dead', limit: 10 })).toEqual([]);
  }, 420_000);
});
