// The amazon-order-to-sagex3 flow document run by Syncline against the Amazon and Sage X3 sandboxes:
// orders placed on the marketplace become X3 sales orders once each (CUSORDREF = AmazonOrderId). The deployment brings its own copy of order-to-soh with a marketplaces table
// naming the sandbox X3's site, order type and customer (`mapping:` in the configuration), as a
// merchant adapts the shipped template to their X3.
import { cpSync } from 'node:fs';
import path from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderTotal } from '../../src/sandboxes/amazon/routes/orders.js';
import { startAmazonX3, writeMarketplaceTable, type AmazonX3 } from './amazon-x3-pair.js';
import { until } from './xcart-sage300-pair.js';

const root = path.resolve(import.meta.dirname, '../..');
let pair: AmazonX3;
beforeAll(async () => {
  // Seed 1: the shipped SKU table is generated from the seed-1 catalog both sandboxes share.
  pair = await startAmazonX3({
    seed: 1,
    // The merchant's mappings: the shipped ones, with the marketplace booked to this X3's site and customer.
    prepare: (dir) => {
      const mappings = path.join(dir, 'mappings');
      cpSync(path.join(root, 'mappings'), mappings, { recursive: true });
      writeMarketplaceTable(path.join(mappings, 'lookups'));
    },
    flows: [
      { use: 'amazon-order-to-sagex3', pollIntervalMs: 200, mapping: 'mappings/amazon-sagex3/order-to-soh.yaml' },
      { use: 'amazon-shipment-to-sagex3', pollIntervalMs: 200 },
    ],
  });
}, 120_000);
afterAll(async () => {
  await pair?.stop();
});

const sohs = () => [...pair.x3.state.stores.SOH.values()];

describe('flow amazon-order-to-sagex3', () => {
  it('each unshipped order becomes one X3 sales order with its lines (pending ones wait: see the flow cases)', async () => {
    const market = pair.amazon.sandbox.market;
    const now = pair.amazon.sandbox.clock.now();
    const placed = Array.from({ length: 6 }, (_, i) => market.placeOrder({ channel: i % 2 ? 'AFN' : 'MFN', purchaseDate: now - 1_000 * i, status: 'Unshipped', promotion: i === 2 }));
    const ready = placed;
    const found = await until('the orders in X3', sohs, (s) => ready.every((o) => s.some((r) => r.fields.CUSORDREF === o.id)), 90_000, 200);
    for (const o of ready) {
      const mine = found.filter((r) => r.fields.CUSORDREF === o.id);
      expect(mine).toHaveLength(1);
      expect(mine[0]!.tables.SOH4_1!.map((l) => [l.ITMREF, l.QTY])).toEqual(o.items.map((it) => [it.sku, String(it.qty)]));
      // Shipping and the promotion reach X3 as invoicing elements 1 and 2, so the SOH's total is the
      // Amazon OrderTotal less the marketplace-facilitator tax (which the flow leaves to the settlement).
      const sum = (f: (it: (typeof o.items)[number]) => string) => o.items.reduce((s, it) => s.plus(f(it)), new Decimal(0));
      const shipping = sum((it) => it.shippingPrice);
      const promotion = sum((it) => it.promotionDiscount);
      const elements = [...(shipping.isZero() ? [] : [['1', shipping]]), ...(promotion.isZero() ? [] : [['2', promotion.neg()]])] as Array<[string, Decimal]>;
      expect([mine[0]!.fields.INVDTA, mine[0]!.fields.INVDTAAMT]).toEqual([elements.map(([c]) => c), elements.map(([, a]) => a.toString())]);
      const tax = sum((it) => it.itemTax).plus(sum((it) => it.shippingTax));
      expect(mine[0]!.fields.ORDINVNOT).toBe(new Decimal(orderTotal(o)).minus(tax).toFixed(2));
    }
    // The orders placed carry both: MFN ones shipping, the third a promotion.
    const charged = found.filter((r) => ready.some((o) => o.id === r.fields.CUSORDREF));
    expect(charged.filter((r) => (r.fields.INVDTA as string[]).includes('1'))).toHaveLength(3);
    expect(charged.filter((r) => (r.fields.INVDTA as string[]).includes('2'))).toHaveLength(1);
    const dead = await pair.runtime.engine.queue.list({ state: 'dead', limit: 10 });
    expect(dead.map((d) => JSON.stringify(d).slice(0, 300))).toEqual([]);
  }, 120_000);

  it('flow amazon-shipment-to-sagex3: a shipped order puts its ship date (marketplace time) on the SOH', async () => {
    const market = pair.amazon.sandbox.market;
    const target = sohs().slice(0, 2).map((r) => String(r.fields.CUSORDREF));
    expect(target).toHaveLength(2);
    const before = new Map(sohs().map((r) => [String(r.fields.CUSORDREF), r.updated]));
    for (const id of target) market.shipOrder(id);
    const la = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms)).replace(/-/g, '');
    await until('the SOHs updated', sohs, (s) => target.every((id) => s.some((r) => r.fields.CUSORDREF === id && r.updated !== before.get(id))), 90_000, 200);
    for (const id of target) {
      const soh = sohs().find((r) => r.fields.CUSORDREF === id)!;
      expect(soh.fields.SHIDAT).toBe(la(Math.floor(market.mustOrder(id).lastUpdate / 1000) * 1000));
    }
    expect(await pair.runtime.engine.queue.list({ state: 'dead', limit: 10 })).toEqual([]);
  }, 120_000);
});
