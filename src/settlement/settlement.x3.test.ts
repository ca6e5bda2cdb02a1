// Settlements posted to the Sage X3 sandbox over SOAP, recorded in a real SQLite store: every report
// the Amazon sandbox generates reconciles to the cent and posts one balanced GACCENTRY; a re-import
// posts nothing; a held settlement posts once the table knows its line; a mapping change reverses
// and reposts; a truncated file posts nothing; a save whose answer is lost posts exactly one entry.
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import YAML from 'yaml';
import { listSettlementReports, reportLineBatches, type SpApiClient } from '../connectors/amazon/index.js';
import { clientFor as amazonClientFor } from '../connectors/amazon/testing.js';
import { SageX3Client } from '../connectors/sagex3/index.js';
import { read } from '../connectors/sagex3/operations/read.js';
import { save } from '../connectors/sagex3/operations/save.js';
import { creditOrderRefund, refundReference } from '../connectors/sagex3/operations/settled-order.js';
import { openStore, type Store } from '../core/db/database.js';
import { SynclineError } from '../core/errors.js';
import { createLookupTable } from '../mapping/index.js';
import { start as startAmazon, type RunningAmazonSandbox } from '../sandboxes/amazon/index.js';
import { start as startX3, type SageX3Sandbox } from '../sandboxes/sagex3/index.js';
import { DEFAULT_TABLE, importSettlement, settlementRow, x3Ledger, type Ledger } from './index.js';
import { at, linesOf, total, US, usRows, v2File } from './settlement.testkit.js';

let amazon: RunningAmazonSandbox;
let x3: SageX3Sandbox;
let store: Store;
let spapi: SpApiClient;
let n = 0;
const x3Client = (timeoutMs = 10_000) =>
  new SageX3Client({ baseUrl: x3.url, auth: { type: 'basic', user: 'SYNCLINE', password: 'x3-sandbox' }, poolAlias: 'SYNCLINE', timeoutMs }, { connection: `x3-settlement-${++n}` });
const OPTIONS = { site: 'US011', clearingPartner: null };

beforeAll(async () => {
  amazon = await startAmazon({ seed: 9, timeScale: 50, historicalOrders: 0 });
  x3 = await startX3({ seed: 9 });
  spapi = amazonClientFor(amazon);
  store = await openStore({ dialect: 'sqlite', file: path.join(mkdtempSync(path.join(tmpdir(), 'syncline-settlement-')), 'store.db') });
}, 60_000);
afterAll(async () => {
  await store?.close();
  await x3?.close();
  await amazon?.close();
});

/** GACCENTRY records in the X3 sandbox whose REF starts with `prefix`. */
const entries = (prefix: string) => [...x3.state.stores.GAS.values()].filter((r) => String(r.fields.REF).startsWith(prefix));
const accountNet = (prefix: string, acc: string) =>
  entries(prefix)
    .flatMap((r) => r.tables.HAE1_1!)
    .filter((l) => l.ACC === acc)
    .reduce((a, l) => a.plus(new Decimal(String(l.AMTCUR)).times(Number(l.SNS))), new Decimal(0))
    .toFixed(2);

describe('every settlement the Amazon sandbox generates', () => {
  it('reconciles to the cent and posts one balanced GACCENTRY; a re-import posts nothing', async () => {
    const market = amazon.sandbox.market;
    const now = amazon.sandbox.clock.now();
    const fba: Record<string, string> = {};
    for (const l of market.listings.values()) fba[l.sku] = new Decimal('3.22').plus(new Decimal('0.38').times(Math.max(1, Math.ceil(Number(l.weightLb))) - 1)).toFixed(2);
    const fees = { referral: { rate: '0.15' }, fba: { bySku: fba } };
    // Three periods: sales, returns and a reimbursement; the later ones release the earlier reserve.
    for (let period = 0; period < 3; period++) {
      const placed = Array.from({ length: 12 }, (_, i) => market.placeOrder({ channel: i % 3 ? 'AFN' : 'MFN', purchaseDate: now - 3_600_000 * (i + 1), status: 'Shipped', promotion: i % 4 === 0 }));
      market.returnItems(placed[1]!.id);
      const afn = [...market.listings.values()].find((l) => l.channel === 'AFN' && l.fba.fulfillable > 2);
      if (afn) market.reimburse(afn.sku, 1);
      market.closeSettlement();
    }
    const reports = await listSettlementReports(spapi);
    expect(reports.length).toBeGreaterThanOrEqual(3);
    const ledger = x3Ledger(x3Client());
    for (const rep of reports) {
      const r = await importSettlement(reportLineBatches(spapi, rep.reportDocumentId!), { options: OPTIONS, fees, post: { db: store.db, ledger } });
      expect(r.unmapped, `${rep.reportId}: ${JSON.stringify(r.unmapped)}`).toEqual([]);
      expect([r.status, r.difference, r.journal.balanced, r.drillDown.sumsBack]).toEqual(['posted', '0.00', true, true]);
      expect(r.fees.drifted, JSON.stringify(r.fees.items.slice(0, 3))).toBe(0);
      expect(r.fees.checked).toBeGreaterThan(0);
      const posted = entries(r.settlementId);
      expect(posted).toHaveLength(1);
      expect(posted[0]!.fields.TOTDEB).toBe(posted[0]!.fields.TOTCDT);
      expect(accountNet(r.settlementId, '512100')).toBe(r.totalAmount);
      expect((await settlementRow(store.db, r.settlementId, 'USD'))?.status).toBe('posted');
      // The same report again: recognised, nothing posted.
      const again = await importSettlement(reportLineBatches(spapi, rep.reportDocumentId!), { options: OPTIONS, post: { db: store.db, ledger } });
      expect([again.status, again.posted?.created]).toEqual(['already-posted', []]);
      expect(entries(r.settlementId)).toHaveLength(1);
    }
  }, 120_000);
});

describe('hand-made settlements posted to X3', () => {
  const file = (id: string, rows = usRows()) => v2File({ ...US, id, total: total(rows) }, rows);

  it('held while a line is unmapped (nothing posted), posted once the table knows it', async () => {
    const id = '31000000001';
    const rows = [...usRows(), { type: 'other-transaction', amountType: 'other-transaction', description: 'Mystery Adjustment', amount: '-4.44', posted: '2026-11-11 10:00:00 UTC' }];
    const ledger = x3Ledger(x3Client());
    const held = await importSettlement(linesOf(file(id, rows)), { options: OPTIONS, post: { db: store.db, ledger } });
    expect([held.status, held.unmapped.map((u) => [u.description, u.amount])]).toEqual(['held', [['other-transaction/other-transaction/Mystery Adjustment', '-4.44']]]);
    expect(entries(id)).toHaveLength(0);
    expect(JSON.parse((await settlementRow(store.db, id, 'USD'))!.problems)[0]).toMatchObject({ amount: '-4.44' });
    const table = createLookupTable({ name: 'settlement-accounts', normalize: ['trim', 'lower', 'collapseWhitespace'], entries: { ...shipped, 'other-transaction/other-transaction/Mystery Adjustment': '471000' } });
    const replay = await importSettlement(linesOf(file(id, rows)), { options: OPTIONS, table, post: { db: store.db, ledger } });
    expect([replay.status, replay.difference]).toEqual(['posted', '0.00']);
    expect(entries(id)).toHaveLength(1);
    expect(accountNet(id, '471000')).toBe('4.44');
  }, 60_000);

  it('a mapping changed after posting reverses the entry and reposts; the old one is never edited', async () => {
    const id = '31000000002';
    const ledger = x3Ledger(x3Client());
    const first = await importSettlement(linesOf(file(id)), { options: OPTIONS, post: { db: store.db, ledger } });
    expect(first.status).toBe('posted');
    const original = structuredClone(entries(id)[0]!.tables.HAE1_1);
    // Storage fees move from 624200 to the fulfilment fees account.
    const table = createLookupTable({ name: 'settlement-accounts', normalize: ['trim', 'lower', 'collapseWhitespace'], entries: { ...shipped, 'other-transaction/other-transaction/Storage Fee': '624100' } });
    const second = await importSettlement(linesOf(file(id)), { options: OPTIONS, table, post: { db: store.db, ledger } });
    expect(second.status).toBe('reposted');
    expect(second.posted?.created).toEqual([`${id}:R1.1`, `${id}:2.1`]);
    expect(entries(id).map((r) => r.fields.REF).sort()).toEqual([id, `${id}:2.1`, `${id}:R1.1`]);
    expect(entries(id).find((r) => r.fields.REF === id)!.tables.HAE1_1).toEqual(original);
    // Net effect in the ledger: the new mapping only, the payout once.
    expect(accountNet(id, '624200')).toBe('0.00');
    expect(accountNet(id, '512100')).toBe(total(usRows()));
    const third = await importSettlement(linesOf(file(id)), { options: OPTIONS, table, post: { db: store.db, ledger } });
    expect(third.status).toBe('already-posted');
    expect(entries(id)).toHaveLength(3);
  }, 60_000);

  it('a truncated file posts nothing and leaves no row', async () => {
    const id = '31000000003';
    const text = file(id);
    const e = await importSettlement(linesOf(text.slice(0, text.length - 40)), { options: OPTIONS, post: { db: store.db, ledger: x3Ledger(x3Client()) } }).catch((x: unknown) => x as SynclineError);
    expect((e as SynclineError).code).toBe('SETTLEMENT_TRUNCATED');
    expect(entries(id)).toHaveLength(0);
    expect(await settlementRow(store.db, id, 'USD')).toBeUndefined();
  });

  it('a month-end split posts both parts, and a re-import finds both', async () => {
    const id = '31000000004';
    const rows = [...usRows('2026-11-29').slice(0, 12), ...usRows('2026-12-01').slice(12)];
    const text = v2File({ ...US, id, end: '2026-12-05 00:00:00 UTC', deposit: '2026-12-07 00:00:00 UTC', total: total(rows) }, rows);
    const ledger = x3Ledger(x3Client());
    const r = await importSettlement(linesOf(text), { options: OPTIONS, post: { db: store.db, ledger } });
    expect(r.posted?.created).toEqual([`${id}.1`, `${id}.2`]);
    expect(entries(id).map((e) => [e.fields.REF, e.fields.ACCDAT])).toEqual([[`${id}.1`, '20261130'], [`${id}.2`, '20261207']]);
    expect(accountNet(id, '512100')).toBe(total(rows));
    expect((await importSettlement(linesOf(text), { options: OPTIONS, post: { db: store.db, ledger } })).status).toBe('already-posted');
  }, 60_000);

  it('a save whose answer is lost (X3 saved it after the client gave up) posts exactly one GACCENTRY', async () => {
    const id = '31000000005';
    const real = x3Ledger(x3Client(400));
    let lost = 0;
    // The real X3 ledger; during its first save X3 takes 900 ms, past the client's 400 ms timeout,
    // and saves the entry after the client gave up (the pool's execution time, not a dropped request).
    const pool = (execMs: number) => fetch(`${x3.url}/__sandbox/pool`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ execMs }) });
    const ledger: Ledger = {
      find: (ref) => real.find(ref),
      async save(entry) {
        if (lost++ > 0) return real.save(entry);
        await pool(900);
        try {
          return await real.save(entry);
        } finally {
          await pool(0);
        }
      },
    };
    const r = await importSettlement(linesOf(file(id)), { options: OPTIONS, post: { db: store.db, ledger, settleMs: 1_500 } });
    expect(lost).toBe(1);
    // Found by its REF after the unknown outcome: saved once, reported as this import's posting.
    expect([r.status, r.posted?.created, r.posted?.found]).toEqual(['posted', [id], []]);
    expect(entries(id)).toHaveLength(1);
    expect((await settlementRow(store.db, id, 'USD'))?.status).toBe('posted');
  }, 60_000);

  it('a dropped connection before X3 saw the save: looked up, then saved once', async () => {
    const id = '31000000006';
    const real = x3Ledger(x3Client(2_000));
    let drops = 0;
    const ledger: Ledger = {
      find: (ref) => real.find(ref),
      async save(entry) {
        if (drops++ > 0) return real.save(entry);
        x3.faults.set({ rules: [{ route: 'POST /soap-generic/*', drop: 1 }] });
        try {
          return await real.save(entry);
        } finally {
          x3.faults.set({ rules: [] });
        }
      },
    };
    const r = await importSettlement(linesOf(file(id)), { options: OPTIONS, post: { db: store.db, ledger, settleMs: 200 } });
    expect([r.status, r.posted?.created]).toEqual(['posted', [id]]);
    expect(x3.faults.injected.drop).toBeGreaterThanOrEqual(1);
    expect(entries(id)).toHaveLength(1);
  }, 60_000);
});

describe('SIH invoices per settled order (off by default)', () => {
  it('one invoice per order tied to its SOH lines, found by INVREF on a re-import; an order X3 does not know is flagged; the invoices sum back to the journal', async () => {
    const id = '31000000007';
    const [item1, item2] = [...x3.state.stores.ITM.keys()];
    const client = x3Client();
    const o1 = '113-7000000-0000001';
    const o2 = '113-7000000-0000002';
    const o3 = '113-7000000-0000003';
    const day = '2026-11-12';
    const rows = [
      { type: 'Order', order: o1, item: '1', amountType: 'ItemPrice', description: 'Principal', amount: '89.95', posted: at(day), sku: item1!, qty: 1 },
      { type: 'Order', order: o1, item: '1', amountType: 'ItemFees', description: 'Commission', amount: '-13.49', posted: at(day), sku: item1! },
      { type: 'Order', order: o2, item: '2', amountType: 'ItemPrice', description: 'Principal', amount: '99.90', posted: at(day), sku: item2!, qty: 2 },
      { type: 'Order', order: o3, item: '3', amountType: 'ItemPrice', description: 'Principal', amount: '24.00', posted: at(day), sku: item1!, qty: 1 },
      { type: 'ServiceFee', amountType: 'other-transaction', description: 'Subscription Fee', amount: '-39.99', posted: at(day) },
    ];
    const sohs = [];
    for (const [order, item, qty] of [[o1, item1, '1'], [o2, item2, '2']] as const) {
      sohs.push(await save.call(client, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C00001', CUSORDREF: order, lines: [{ ITMREF: item!, QTY: qty, GROPRI: '1.00' }] } }));
    }
    const text = v2File({ ...US, id, total: total(rows) }, rows);
    const r = await importSettlement(linesOf(text), { options: OPTIONS, invoices: client, post: { db: store.db, ledger: x3Ledger(client) } });
    expect(r.status).toBe('posted');
    const inv = r.invoices!;
    expect(inv.created.map((c) => [c.orderId, c.INVREF, c.net])).toEqual([[o1, `${id}${o1}`, '89.95'], [o2, `${id}${o2}`, '99.90']]);
    expect(inv.unknownOrders).toEqual([{ orderId: o3, amount: '24.00' }]);
    expect([inv.principal, inv.invoiced, inv.flagged, inv.difference]).toEqual(['213.85', '189.85', '24.00', '0.00']);
    // Tied to the SOH: X3 counts the lines as invoiced.
    for (const [i, soh] of sohs.entries()) {
      const sih = x3.state.stores.SIH.get(inv.created[i]!.NUM)!;
      expect(sih.tables.SIH4_1!.map((l) => [l.SOHNUM, l.SOPLIN])).toEqual([[soh.SOHNUM, String((soh.lines as Array<Record<string, unknown>>)[0]!.SOPLIN)]]);
      const after = await read.call(client, { object: 'SOH', key: String(soh.SOHNUM) });
      expect((after.lines as Array<Record<string, unknown>>).map((l) => [String(l.INVQTY), String(l.QTY)])).toEqual([[String(l0(soh)), String(l0(soh))]]);
    }
    // Drill-down: invoiced + flagged is the principal the journal credits to sales, to the cent.
    expect(new Decimal(inv.invoiced).plus(inv.flagged).toFixed(2)).toBe(new Decimal(accountNet(id, '701000')).neg().toFixed(2));
    // A re-import finds each invoice by INVREF: nothing created.
    const again = await importSettlement(linesOf(text), { options: OPTIONS, invoices: client, post: { db: store.db, ledger: x3Ledger(client) } });
    expect([again.status, again.invoices!.created, again.invoices!.found.map((f) => f.orderId)]).toEqual(['already-posted', [], [o1, o2]]);
    expect([...x3.state.stores.SIH.values()].filter((s) => String(s.fields.INVREF).startsWith(id))).toHaveLength(2);
    // Without the option nothing is invoiced.
    expect((await importSettlement(linesOf(text), { options: OPTIONS, post: { db: store.db, ledger: x3Ledger(client) } })).invoices).toBeUndefined();
  }, 60_000);

  it('an invoice is the order\'s whole charge: principal less promotion per SKU, shipping, tax, shipping tax and gift wrap on the charge items; INVNOT = INVATI = what the settlement charged, to the cent', async () => {
    const [item1, item2] = [...x3.state.stores.ITM.keys()] as [string, string];
    const client = x3Client();
    for (const ITMREF of ['AMZSHIP', 'AMZTAX', 'AMZOTHER']) {
      if (!x3.state.stores.ITM.has(ITMREF)) await save.call(client, { object: 'ITM', data: { ITMREF, TCLCOD: 'MISC', DES1AXX: `Amazon charge ${ITMREF}` } });
    }
    const o = '113-7050000-0000001'; // two SKUs, a promotion, shipping on both, gift wrap on one
    const f = '113-7050000-0000002'; // free shipping: a promotion larger than the principal comes off the shipping
    const day = '2026-11-12';
    const row = (order: string, item: string, sku: string, amountType: string, description: string, amount: string, qty?: number) => ({ type: 'Order', order, item, amountType, description, amount, posted: at(day), sku, ...(qty ? { qty } : {}) });
    const rows = [
      row(o, '1', item1, 'ItemPrice', 'Principal', '100.00', 3), row(o, '1', item1, 'ItemPrice', 'Tax', '7.25'), row(o, '1', item1, 'ItemPrice', 'Shipping', '4.99'), row(o, '1', item1, 'ItemPrice', 'ShippingTax', '0.36'),
      row(o, '1', item1, 'ItemWithheldTax', 'MarketplaceFacilitatorTax-Principal', '-7.25'), row(o, '1', item1, 'Promotion', 'Principal', '-10.01'), row(o, '1', item1, 'ItemFees', 'Commission', '-15.00'),
      row(o, '2', item2, 'ItemPrice', 'Principal', '19.99', 1), row(o, '2', item2, 'ItemPrice', 'Tax', '1.45'), row(o, '2', item2, 'ItemPrice', 'Shipping', '2.00'), row(o, '2', item2, 'ItemPrice', 'GiftWrap', '3.49'),
      row(f, '3', item1, 'ItemPrice', 'Principal', '5.00', 1), row(f, '3', item1, 'ItemPrice', 'Shipping', '3.99'), row(f, '3', item1, 'Promotion', 'Principal', '-5.00'), row(f, '3', item1, 'Promotion', 'Shipping', '-1.00'),
    ];
    await save.call(client, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C00001', CUSORDREF: o, lines: [{ ITMREF: item1, QTY: '3', GROPRI: '33.33' }, { ITMREF: item2, QTY: '1', GROPRI: '19.99' }] } });
    await save.call(client, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C00001', CUSORDREF: f, lines: [{ ITMREF: item1, QTY: '1', GROPRI: '5.00' }] } });
    const id = '31000000008';
    const text = v2File({ ...US, id, total: total(rows) }, rows);
    const r = await importSettlement(linesOf(text), { options: OPTIONS, invoices: client, post: { db: store.db, ledger: x3Ledger(client) } });
    expect(r.status).toBe('posted');
    const inv = r.invoices!;
    // What the settlement charged each buyer: every Order ItemPrice and Promotion line of the order.
    const charged = (order: string) => rows.filter((x) => x.order === order && (x.amountType === 'ItemPrice' || x.amountType === 'Promotion')).reduce((a, x) => a.plus(x.amount), new Decimal(0)).toFixed(2);
    // 100.00 − 10.01 + 7.25 + 4.99 + 0.36 + 19.99 + 1.45 + 2.00 + 3.49, and 5.00 − 5.00 + 3.99 − 1.00.
    expect([charged(o), charged(f)]).toEqual(['129.52', '2.99']);
    expect(inv.created.map((c) => [c.orderId, c.net])).toEqual([[o, '129.52'], [f, '2.99']]);
    for (const c of inv.created) {
      const sih = x3.state.stores.SIH.get(c.NUM)!;
      expect([new Decimal(String(sih.fields.INVNOT)).toFixed(2), new Decimal(String(sih.fields.INVATI)).toFixed(2)]).toEqual([charged(c.orderId), charged(c.orderId)]);
    }
    const lines = (num: string) => x3.state.stores.SIH.get(num)!.tables.SIH4_1!.map((l) => [l.ITMREF, l.QTY, new Decimal(String(l.GROPRI)).toFixed(2), l.SOHNUM ? 'SOH' : '']);
    // 89.99 for 3 units is 2 × 29.99 + 1 × 30.01, on the SOH line; the charges on the charge items (shipping tax with tax).
    expect(lines(inv.created[0]!.NUM)).toEqual([
      [item1, '2', '29.99', 'SOH'], [item1, '1', '30.01', 'SOH'], [item2, '1', '19.99', 'SOH'],
      ['AMZSHIP', '1', '6.99', ''], ['AMZTAX', '1', '9.06', ''], ['AMZOTHER', '1', '3.49', ''],
    ]);
    // Free shipping: the item at 0 (still invoiced on its SOH line), the shipping less the promotion.
    expect(lines(inv.created[1]!.NUM)).toEqual([[item1, '1', '0.00', 'SOH'], ['AMZSHIP', '1', '2.99', '']]);
    expect([inv.principal, inv.invoiced, inv.flagged, inv.difference]).toEqual(['132.51', '132.51', '0.00', '0.00']);
    // A re-import finds both: nothing created.
    const again = await importSettlement(linesOf(text), { options: OPTIONS, invoices: client, post: { db: store.db, ledger: x3Ledger(client) } });
    expect([again.invoices!.created, again.invoices!.found.map((x) => [x.orderId, x.net])]).toEqual([[], [[o, '129.52'], [f, '2.99']]]);
  }, 60_000);
});

describe('SIH credit notes for refunds, with the invoices (off by default)', () => {
  const day = '2026-11-12';
  const sale = (order: string, sku: string, amount: string, qty: number, item: string) => ({ type: 'Order', order, item, amountType: 'ItemPrice', description: 'Principal', amount, posted: at(day), sku, qty });
  const refund = (order: string, sku: string, amount: string, item: string) => ({ type: 'Refund', order, item, amountType: 'ItemPrice', description: 'Principal', amount, posted: at(day), sku });
  const fee = (order: string, sku: string, amount: string, item: string, type = 'Order') => ({ type, order, item, amountType: 'ItemFees', description: 'Commission', amount, posted: at(day), sku });
  const soh = async (client: SageX3Client, order: string, lines: Array<[string, string, string]>) =>
    save.call(client, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C00001', CUSORDREF: order, lines: lines.map(([ITMREF, QTY, GROPRI]) => ({ ITMREF, QTY, GROPRI })) } });
  const docs = (prefix: string, type: string) => [...x3.state.stores.SIH.values()].filter((r) => String(r.fields.INVREF).startsWith(prefix) && r.fields.SIVTYP === type);
  const net = (rs: ReturnType<typeof docs>) => rs.reduce((a, r) => a.plus(String(r.fields.INVNOT)), new Decimal(0)).toFixed(2);
  const importWith = (text: string, client: SageX3Client) => importSettlement(linesOf(text), { options: OPTIONS, invoices: client, post: { db: store.db, ledger: x3Ledger(client) } });

  it('refunds become credit notes tied to the order\'s invoice (this settlement\'s, an earlier one\'s, or X3\'s own); unknown orders flagged; both sum to the report to the cent; a re-run creates nothing', async () => {
    const [item1, item2] = [...x3.state.stores.ITM.keys()] as [string, string];
    const client = x3Client();
    const o1 = '113-7100000-0000001'; // sold and fully refunded in this settlement
    const o2 = '113-7100000-0000002'; // 3 units for 10.00 (no whole-cent unit price), 2 refunded
    const o3 = '113-7100000-0000003'; // X3 does not know it
    const o4 = '113-7100000-0000004'; // invoiced by an earlier settlement, refunded in this one
    const o5 = '113-7100000-0000005'; // invoiced by X3 itself (INVREF = the order id), refunded here
    await soh(client, o1, [[item1, '1', '89.95']]);
    await soh(client, o2, [[item2, '3', '3.33']]);
    await soh(client, o4, [[item2, '1', '40.00']]);
    const s5 = await soh(client, o5, [[item1, '2', '12.50']]);
    const own = await save.call(client, { object: 'SIH', data: { SALFCY: 'US011', SIVTYP: 'INV', BPCINV: String(s5.BPCINV || s5.BPCORD), INVREF: o5, lines: [{ ITMREF: item1, QTY: '2', GROPRI: '12.50', SOHNUM: String(s5.SOHNUM), SOPLIN: String((s5.lines as Array<Record<string, unknown>>)[0]!.SOPLIN) }] } });

    const earlier = '31000000010';
    const e = [sale(o4, item2, '40.00', 1, '41')];
    const first = await importWith(v2File({ ...US, id: earlier, total: total(e) }, e), client);
    expect(first.invoices!.created.map((c) => c.orderId)).toEqual([o4]);

    const id = '31000000011';
    const rows = [
      sale(o1, item1, '89.95', 1, '11'), fee(o1, item1, '-13.49', '11'),
      sale(o2, item2, '10.00', 3, '21'),
      sale(o3, item1, '24.00', 1, '31'),
      refund(o1, item1, '-89.95', '11'), fee(o1, item1, '10.79', '11', 'Refund'),
      refund(o2, item2, '-6.66', '21'),
      refund(o3, item1, '-5.00', '31'),
      refund(o4, item2, '-40.00', '41'),
      refund(o5, item1, '-12.50', '51'),
    ];
    const text = v2File({ ...US, id, total: total(rows) }, rows);
    const r = await importWith(text, client);
    expect(r.status).toBe('posted');
    const inv = r.invoices!;
    const crn = inv.creditNotes;
    // Invoices: two created; the sale of 3 units for 10.00 is 2 × 3.33 + 1 × 3.34, exactly the report's.
    expect(inv.created.map((c) => [c.orderId, c.INVREF, c.net])).toEqual([[o1, `${id}${o1}`, '89.95'], [o2, `${id}${o2}`, '10.00']]);
    expect(x3.state.stores.SIH.get(inv.created[1]!.NUM)!.tables.SIH4_1!.map((l) => [l.QTY, l.GROPRI])).toEqual([['2', '3.33'], ['1', '3.34']]);
    expect(inv.unknownOrders).toEqual([{ orderId: o3, amount: '24.00' }]);
    expect([inv.principal, inv.invoiced, inv.flagged, inv.difference]).toEqual([r.byType['Order/ItemPrice/Principal'], '99.95', '24.00', '0.00']);
    // Credit notes: one per refunded order X3 knows, INVREF = settlement id + order id, each tied to the order's invoice.
    expect(crn.created.map((c) => [c.orderId, c.INVREF, c.net])).toEqual([[o1, `${id}${o1}`, '89.95'], [o2, `${id}${o2}`, '6.66'], [o4, `${id}${o4}`, '40.00'], [o5, `${id}${o5}`, '12.50']]);
    expect(crn.created.map((c) => c.invoice)).toEqual([inv.created[0]!.NUM, inv.created[1]!.NUM, first.invoices!.created[0]!.NUM, String(own.NUM)]);
    for (const c of crn.created) expect(x3.state.stores.SIH.get(c.NUM)!.fields).toMatchObject({ SIVTYP: 'CRN', SIHORINUM: c.invoice, INVREF: c.INVREF });
    // Refunded units at the invoiced price: 2 × 3.33 of o2, 1 × 12.50 of o5.
    expect(x3.state.stores.SIH.get(crn.created[1]!.NUM)!.tables.SIH4_1!.map((l) => [l.QTY, l.GROPRI])).toEqual([['2', '3.33']]);
    expect(x3.state.stores.SIH.get(crn.created[3]!.NUM)!.tables.SIH4_1!.map((l) => [l.QTY, new Decimal(String(l.GROPRI)).toFixed(2)])).toEqual([['1', '12.50']]);
    expect(crn.unknownOrders).toEqual([{ orderId: o3, amount: '5.00' }]);
    expect([crn.principal, crn.invoiced, crn.flagged, crn.difference]).toEqual([new Decimal(r.byType['Refund/ItemPrice/Principal']!).neg().toFixed(2), '149.11', '5.00', '0.00']);
    // What X3 holds for this settlement, to the cent: the report's principal sold and refunded, less what is flagged.
    expect(net(docs(id, 'INV'))).toBe(new Decimal(r.byType['Order/ItemPrice/Principal']!).minus(inv.flagged).toFixed(2));
    expect(net(docs(id, 'CRN'))).toBe(new Decimal(r.byType['Refund/ItemPrice/Principal']!).neg().minus(crn.flagged).toFixed(2));

    // A re-run finds every document by INVREF and type: nothing created.
    const again = await importWith(text, client);
    expect([again.status, again.invoices!.created, again.invoices!.creditNotes.created]).toEqual(['already-posted', [], []]);
    expect(again.invoices!.creditNotes.found.map((f) => f.orderId)).toEqual([o1, o2, o4, o5]);
    expect([docs(id, 'INV').length, docs(id, 'CRN').length]).toEqual([2, 4]);
  }, 60_000);

  it('each refund its own credit note (INVREF = order id + adjustment id) with its tax, shipping, shipping tax and promotion reversal, to the cent; the returns flow\'s operation finds it, and the settlement finds one the returns flow saved first', async () => {
    const [item1] = [...x3.state.stores.ITM.keys()] as [string];
    const client = x3Client();
    for (const [ITMREF, DES1AXX] of [['AMZSHIP', 'Amazon refunded shipping'], ['AMZTAX', 'Amazon refunded tax']]) {
      if (!x3.state.stores.ITM.has(ITMREF)) await save.call(client, { object: 'ITM', data: { ITMREF, TCLCOD: 'MISC', DES1AXX } });
    }
    const o = '113-7300000-0000001'; // two units, refunded one at a time (two adjustments) in this settlement
    const p = '113-7300000-0000002'; // refunded, and credited by the returns flow before this settlement
    await soh(client, o, [[item1, '2', '30.00']]);
    await soh(client, p, [[item1, '1', '30.00']]);
    const row = (type: string, order: string, amountType: string, description: string, amount: string, adj?: string, qty?: number) => ({ type, order, item: order.slice(-2), amountType, description, amount, posted: at(day), sku: item1, ...(adj ? { adj } : {}), ...(qty ? { qty } : {}) });
    const [a, b, c] = ['71000000000001', '71000000000002', '71000000000003'];
    const rows = [
      row('Order', o, 'ItemPrice', 'Principal', '60.00', undefined, 2), row('Order', o, 'ItemPrice', 'Tax', '4.80'), row('Order', o, 'ItemPrice', 'Shipping', '5.99'), row('Order', o, 'ItemPrice', 'ShippingTax', '0.48'), row('Order', o, 'Promotion', 'Principal', '-6.00'),
      // Refund a: one unit, its shipping and the promotion's half reversed; refund b: the other unit.
      row('Refund', o, 'ItemPrice', 'Principal', '-30.00', a), row('Refund', o, 'ItemPrice', 'Tax', '-2.40', a), row('Refund', o, 'ItemPrice', 'Shipping', '-5.99', a), row('Refund', o, 'ItemPrice', 'ShippingTax', '-0.48', a), row('Refund', o, 'Promotion', 'Principal', '3.00', a),
      row('Refund', o, 'ItemPrice', 'Principal', '-30.00', b), row('Refund', o, 'ItemPrice', 'Tax', '-2.40', b), row('Refund', o, 'Promotion', 'Principal', '3.00', b),
      row('Order', p, 'ItemPrice', 'Principal', '30.00', undefined, 1), row('Order', p, 'ItemPrice', 'Tax', '2.40'),
      row('Refund', p, 'ItemPrice', 'Principal', '-30.00', c), row('Refund', p, 'ItemPrice', 'Tax', '-2.40', c),
    ];
    // The returns flow sees p's refund first (Finances gives the same refund, credited amounts).
    const early = await creditOrderRefund.call(client, { order: p, adjustmentId: c, items: [{ sku: item1, amount: '30.00', tax: '2.40' }] });
    expect([early.creditNote!.created, early.creditNote!.net, early.creditNote!.INVREF]).toEqual([true, '32.40', refundReference(p, c)]);

    const id = '31000000013';
    const text = v2File({ ...US, id, total: total(rows) }, rows);
    const r = await importWith(text, client);
    expect(r.status).toBe('posted');
    const crn = r.invoices!.creditNotes;
    // 30.00 − 3.00 + 2.40 + 5.99 + 0.48 and 30.00 − 3.00 + 2.40: what each buyer refund gave back.
    expect(crn.created.map((n) => [n.orderId, n.INVREF, n.net])).toEqual([[o, refundReference(o, a), '35.87'], [o, refundReference(o, b), '29.40']]);
    expect(crn.found.map((n) => [n.orderId, n.NUM, n.net])).toEqual([[p, early.creditNote!.NUM, '32.40']]);
    expect([crn.principal, crn.invoiced, crn.flagged, crn.difference]).toEqual(['97.67', '97.67', '0.00', '0.00']);
    const lines = (num: string) => x3.state.stores.SIH.get(num)!.tables.SIH4_1!.map((l) => [l.ITMREF, l.QTY, new Decimal(String(l.GROPRI)).toFixed(2)]);
    expect(lines(crn.created[0]!.NUM)).toEqual([[item1, '1', '27.00'], ['AMZSHIP', '1', '5.99'], ['AMZTAX', '1', '2.88']]);
    expect(lines(crn.created[1]!.NUM)).toEqual([[item1, '1', '27.00'], ['AMZTAX', '1', '2.40']]);
    // Both tied to the order's invoice, which this settlement made.
    const inv = r.invoices!.created.find((n) => n.orderId === o)!.NUM;
    expect(crn.created.map((n) => n.invoice)).toEqual([inv, inv]);
    // The invoices carry what the buyers paid, as the notes what they got back: 60.00 − 6.00 + 4.80 + 5.99 + 0.48, 30.00 + 2.40.
    expect(r.invoices!.created.map((n) => [n.orderId, n.net])).toEqual([[o, '65.27'], [p, '32.40']]);

    // The returns flow's operation, given refund a as Finances reports it, finds the note: nothing saved.
    const late = await creditOrderRefund.call(client, { order: o, adjustmentId: a, items: [{ sku: item1, amount: '30.00', tax: '2.40', shipping: '5.99', shippingTax: '0.48', promotion: '3.00' }], requireInvoice: true });
    expect([late.creditNote!.created, late.creditNote!.NUM, late.refunded]).toEqual([false, crn.created[0]!.NUM, '35.87']);
    // A re-run creates nothing; one note per refund.
    const again = await importWith(text, client);
    expect(again.invoices!.creditNotes.created).toEqual([]);
    const notes = [...x3.state.stores.SIH.values()].filter((n) => n.fields.SIVTYP === 'CRN' && [o, p].some((x) => String(n.fields.INVREF).startsWith(x)));
    expect(notes.map((n) => n.fields.INVREF).sort()).toEqual([refundReference(o, a), refundReference(o, b), refundReference(p, c)].sort());
  }, 60_000);

  it('a crash right after X3 saved a document, mid-way: the re-run finds what was saved and creates the rest, nothing twice', async () => {
    const [item1] = [...x3.state.stores.ITM.keys()] as [string];
    const id = '31000000012';
    const orders = Array.from({ length: 4 }, (_, i) => `113-7200000-000000${i + 1}`);
    const client = x3Client();
    for (const o of orders) await soh(client, o, [[item1, '2', '20.00']]);
    const rows = orders.flatMap((o, i) => [sale(o, item1, '40.00', 2, `${i}`), refund(o, item1, '-20.00', `${i}`)]);
    const text = v2File({ ...US, id, total: total(rows) }, rows);
    // The process dies right after the third SIH save reached X3, before its answer was recorded.
    let saves = 0;
    const crashing = x3Client();
    const call = crashing.call.bind(crashing);
    crashing.call = async (method, p) => {
      const out = await call(method, p);
      if (method === 'save' && p.publicName === crashing.publication('SIH') && ++saves === 3) throw new Error('crash');
      return out;
    };
    await expect(importWith(text, crashing)).rejects.toThrow('crash');
    expect(docs(id, 'INV').length + docs(id, 'CRN').length).toBe(3);
    const r = await importWith(text, client);
    expect(r.invoices!.created.length + r.invoices!.creditNotes.created.length).toBe(5);
    expect(r.invoices!.found.length + r.invoices!.creditNotes.found.length).toBe(3);
    expect([docs(id, 'INV').length, docs(id, 'CRN').length]).toEqual([4, 4]);
    for (const o of orders) expect([docs(`${id}${o}`, 'INV').length, docs(`${id}${o}`, 'CRN').length]).toEqual([1, 1]);
    expect([net(docs(id, 'INV')), net(docs(id, 'CRN'))]).toEqual(['160.00', '80.00']);
  }, 60_000);
});

/** The quantity of an SOH's first line. */
const l0 = (soh: Record<string, unknown>) => String((soh.lines as Array<Record<string, unknown>>)[0]!.QTY);

/** The shipped settlement-accounts entries, to build a changed table from. */
let shipped: Record<string, unknown> = {};
beforeAll(async () => {
  shipped = (YAML.parse(await readFile(DEFAULT_TABLE, 'utf8')) as { entries: Record<string, unknown> }).entries;
});
