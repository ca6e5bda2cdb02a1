// The amazon-return-to-sagex3 flow document run by Syncline against the Amazon and Sage X3 sandboxes
// over HTTP (issue 9 flow 5): FBA orders saved in X3 and invoiced there are shipped and returned on
// Amazon with different dispositions; a tick reads the FBA customer returns report, and each return
// becomes a credit note (SIH CRN) against the original invoice for what Amazon refunded, and a stock
// movement into the status the disposition implies (A / Q / R) at the FBA site. The note carries the
// whole refund (principal, and tax on the site's charge item AMZTAX) under the refund's reference,
// order id + adjustment id (decision 0019). A second tick adds nothing; a return on an order X3 never
// invoiced is one dead letter naming the missing invoice.
import path from 'node:path';
import { Decimal } from 'decimal.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refundReference } from '../../src/connectors/sagex3/operations/settled-order.js';
import type { Order } from '../../src/sandboxes/amazon/marketplace.js';
import { addChargeItems, fireSchedule, startAmazonX3, writeMarketplaceTable, type AmazonX3 } from './amazon-x3-pair.js';
import { until } from './xcart-sage300-pair.js';

const FLOW = 'amazon-return-to-sagex3';
const FBA_SITE = 'US014';
let pair: AmazonX3;
beforeAll(async () => {
  pair = await startAmazonX3({
    seed: 1,
    x3Publications: { MOVE: 'YSTOMVT' },
    lookupsDir: 'lookups',
    prepare: (dir) => writeMarketplaceTable(path.join(dir, 'lookups')),
    flows: [
      { use: 'amazon-order-to-sagex3', pollIntervalMs: 200 },
      { use: FLOW, options: { reportPollMs: 200 } },
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
const atFba = (item: string, sta: string) => pair.x3.state.stockRows({ site: FBA_SITE, item, sta }).reduce((t, r) => t.plus(r.QTYSTU), new Decimal(0)).toNumber();

describe(`flow ${FLOW}`, () => {
  it('each FBA return: a credit note against the original invoice for the refund, units moved to A / Q / R at the FBA site; a second tick adds nothing', async () => {
    const market = pair.amazon.sandbox.market;
    const orders = [0, 1, 2].map(() => market.placeOrder({ channel: 'AFN', status: 'Unshipped', promotion: false }));
    await until('the orders in X3', () => orders.map((o) => sohOf(o.id)), (s) => s.every(Boolean), 90_000, 200);
    const invoices = orders.map(invoice);
    for (const o of orders) market.shipOrder(o.id);
    const dispositions = ['SELLABLE', 'CUSTOMER_DAMAGED', 'DEFECTIVE'] as const;
    const returned = orders.map((o, i) => ({ order: o, sku: o.items[0]!.sku, disposition: dispositions[i]!, status: ['A', 'Q', 'R'][i]! }));
    const before = returned.map((r) => atFba(r.sku, r.status));
    const refunds = returned.map((r) => market.returnItems(r.order.id, r.sku, 1, undefined, r.disposition));

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
    await until('the units at the FBA site', () => returned.map((r, i) => atFba(r.sku, r.status) - before[i]!), (d) => d.every((x) => x === 1), 30_000, 200);
    const runNotes = (await sql<{ note: string }>`select note from runs where flow = ${FLOW} and note is not null`.execute(pair.runtime.store.db)).rows.map((r) => r.note).join('\n');
    expect(runNotes).toContain(`against invoice ${invoices[1]}`);
    expect(runNotes).toContain(`→ ${FBA_SITE} status Q (CUSTOMER_DAMAGED`);

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
