// The amazon-return-to-sagex3 flow document run by Syncline against the Amazon and Sage X3 sandboxes
// over HTTP (issue 9 flow 5): FBA orders saved in X3 and invoiced there are shipped and returned on
// Amazon with different dispositions; a tick reads the FBA customer returns report, and each return
// becomes a credit note (SIH CRN) against the original invoice for what Amazon refunded. The note
// carries the whole refund (principal, and tax on the site's charge item AMZTAX) under the refund's
// reference, order id + adjustment id (decision 0019). The returned units: Amazon owns FBA
// quantities, so the returned SKU is counted from Amazon's inventory into the FBA site per status, and
// amazon-fba-inventory-to-sagex3 runs beside it: when that flow has counted the returned unit first,
// the return adds nothing (a receipt here used to count it twice). A second tick adds nothing; a
// return on an order X3 never invoiced is one dead letter naming the missing invoice.
import { Decimal } from 'decimal.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refundReference } from '../../src/connectors/sagex3/operations/settled-order.js';
import type { Order } from '../../src/sandboxes/amazon/marketplace.js';
import { addChargeItems, amazonFbaByStatus, fireSchedule, startAmazonX3, x3StockByStatus, type AmazonX3 } from './amazon-x3-pair.js';
import { until } from './xcart-sage300-pair.js';

const FLOW = 'amazon-return-to-sagex3';
const FBA_SITE = 'US014';
let pair: AmazonX3;
beforeAll(async () => {
  pair = await startAmazonX3({
    seed: 1,
    x3Publications: { COUNT: 'YSTOCKCNT' },
    marketplaceTable: true,
    flows: [
      { use: 'amazon-order-to-sagex3', pollIntervalMs: 200 },
      { use: FLOW, options: { reportPollMs: 200 } },
      { use: 'amazon-fba-inventory-to-sagex3', pollIntervalMs: 200 },
    ],
  });
  addChargeItems(pair.x3);
}, 120_000);
afterAll(async () => {
  await pair?.stop();
});

const fire = () => fireSchedule(pair.runtime, FLOW);
const sohOf = (id: string) => [...pair.x3.state.stores.SOH.values()].find((r) => r.fields.CUSORDREF === id);
const creditNotes = () => [...pair.x3.state.stores.SIH.values()].filter((r) => r.fields.SIVTYP === 'CRN');
/** The back office invoices the whole order (what the settlement flow or X3's invoicing would do). */
function invoice(o: Order): string {
  const soh = sohOf(o.id)!;
  const lines = soh.tables.SOH4_1!.map((l) => ({ row: { ITMREF: String(l.ITMREF), QTY: String(l.QTY), GROPRI: String(l.GROPRI), SOHNUM: String(soh.fields.SOHNUM), SOPLIN: String(l.SOPLIN) } }));
  const rec = pair.x3.state.save('SIH', { fields: { SALFCY: 'US011', SIVTYP: 'INV', BPCINV: 'C00001', CUR: 'USD', INVREF: o.id }, groupOf: {}, tables: { SIH4_1: lines } }, 'TEST');
  return String(rec.fields.NUM);
}
const unitRefund = (o: Order, sku: string) => {
  const it = o.items.find((i) => i.sku === sku)!;
  return new Decimal(it.itemPrice).minus(it.promotionDiscount).div(it.qty).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
};
const x3At = (item: string) => x3StockByStatus(pair.x3, FBA_SITE, item);
const amazonOf = (sku: string) => amazonFbaByStatus(pair.amazon, sku);
const agree = (skus: string[]) => skus.every((s) => JSON.stringify(x3At(s)) === JSON.stringify(amazonOf(s)));

describe(`flow ${FLOW}`, () => {
  it('each FBA return: a credit note against the original invoice for the refund; the FBA site holds Amazon\'s count, the unit once though the inventory flow counted it first; a second tick adds nothing', async () => {
    const market = pair.amazon.sandbox.market;
    const orders = [0, 1, 2].map(() => market.placeOrder({ channel: 'AFN', status: 'Unshipped', promotion: false }));
    await until('the orders in X3', () => orders.map((o) => sohOf(o.id)), (s) => s.every(Boolean), 90_000, 200);
    const invoices = orders.map(invoice);
    for (const o of orders) market.shipOrder(o.id);
    const dispositions = ['SELLABLE', 'CUSTOMER_DAMAGED', 'DEFECTIVE'] as const;
    const returned = orders.map((o, i) => ({ order: o, sku: o.items[0]!.sku, disposition: dispositions[i]! }));
    const refunds = returned.map((r) => market.returnItems(r.order.id, r.sku, 1, undefined, r.disposition));
    const skus = returned.map((r) => r.sku);
    // Amazon put each unit back (sellable → fulfillable, damaged or defective → unfulfillable), and the
    // inventory flow has already counted it into X3: the order that double-counted before.
    expect(returned.map((r) => amazonOf(r.sku).R > 0)).toEqual([false, true, true]);
    await until('the inventory flow counted the returns', () => agree(skus), Boolean, 90_000, 200);

    await fire();
    const notes = await until('three credit notes', creditNotes, (c) => c.length === 3, 90_000, 200);
    for (const [i, r] of returned.entries()) {
      const cn = notes.find((n) => n.fields.SIHORINUM === invoices[i])!;
      expect(cn, `credit note for ${r.order.id}`).toBeDefined();
      const tax = new Decimal(refunds[i]!.find((p) => p.amountType === 'ItemPrice' && p.amountDescription === 'Tax')!.amount).neg().toFixed(2);
      expect(cn.tables.SIH4_1!.map((l) => [l.ITMREF, l.QTY, new Decimal(String(l.GROPRI)).toFixed(2)])).toEqual([[r.sku, '1', unitRefund(r.order, r.sku)], ['AMZTAX', '1', tax]]);
      expect(String(cn.fields.INVNOT)).toBe(new Decimal(unitRefund(r.order, r.sku)).plus(tax).toFixed(2));
      expect(String(cn.fields.INVREF)).toBe(refundReference(r.order.id, refunds[i]![0]!.adjustmentId!));
    }
    // Counted from Amazon's inventory, not received again: X3 still holds exactly Amazon's figures.
    // (Each return's run saves its note, then does its stock step: the three runs recorded, both are done.)
    const ran = await until('the three return runs', async () => (await sql<{ note: string }>`select note from runs where flow = ${FLOW} and status = 'succeeded' and note like '%credit note%'`.execute(pair.runtime.store.db)).rows.map((r) => r.note), (n) => n.length === 3, 30_000, 200);
    expect(skus.map((s) => [s, x3At(s)])).toEqual(skus.map((s) => [s, amazonOf(s)]));
    expect(ran.join('\n')).toContain(`against invoice ${invoices[1]}`);
    expect(ran.join('\n')).toContain(`1 × ${returned[1]!.sku} returned CUSTOMER_DAMAGED: X3 already held the count Amazon gives at ${FBA_SITE}`);

    // The same report read again: nothing new, nothing posted twice.
    const journal = pair.x3.state.journal.length;
    await fire();
    await new Promise((r) => setTimeout(r, 3_000));
    expect(creditNotes()).toHaveLength(3);
    expect(pair.x3.state.journal.length).toBe(journal);
    expect(await pair.runtime.engine.queue.list({ state: 'dead', limit: 10 })).toEqual([]);
  }, 150_000);

  it('a return on an order X3 never invoiced is one dead letter naming the missing original invoice; nothing is posted for it', async () => {
    const market = pair.amazon.sandbox.market;
    const o = market.placeOrder({ channel: 'AFN', status: 'Unshipped', promotion: false });
    await until('the order in X3', () => sohOf(o.id), Boolean, 90_000, 200);
    market.shipOrder(o.id);
    market.returnItems(o.id, o.items[0]!.sku, 1, undefined, 'SELLABLE');
    const count = creditNotes().length;
    await fire();
    const dead = await until('the dead letter', () => pair.runtime.engine.queue.list({ state: 'dead', limit: 10 }), (d) => d.length > 0, 90_000, 200);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.lastError?.code).toBe('X3_NOT_FOUND');
    expect(dead[0]!.lastError?.message).toContain('X3 has no invoice of the order to credit');
    expect(creditNotes()).toHaveLength(count);
  }, 150_000);
});
