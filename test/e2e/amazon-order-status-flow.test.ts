// The amazon-order-status-to-sagex3 flow document run by Syncline against the Amazon and Sage X3
// sandboxes over HTTP (issue 9 flows 1 and 8): an order cancelled on Amazon after X3 got it closes
// its SOH through the site's order-closing subprogram (ORDSTA 2, allocations released), and the run
// says so; statuses X3 has otherwise than the Amazon status implies are reported, by the merchant's
// own amazon-order-status table (lookupsDir), which replaces the shipped one.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteWithOrderFields, startAmazonX3, writeMarketplaceTable, type AmazonX3 } from './amazon-x3-pair.js';
import { until } from './xcart-sage300-pair.js';

const FLOW = 'amazon-order-status-to-sagex3';
let pair: AmazonX3;
beforeAll(async () => {
  pair = await startAmazonX3({
    seed: 1,
    x3Publications: { CLOSE: 'YSOHCLO' },
    // This site keeps the package's tracking number on the order header (its own field).
    x3Site: siteWithOrderFields({ YTRACKNUM: 40 }),
    lookupsDir: 'lookups',
    prepare: (dir) => {
      const lookups = path.join(dir, 'lookups');
      writeMarketplaceTable(lookups);
      // This merchant does not deliver Amazon orders in X3 but invoices them once Amazon ships.
      writeFileSync(path.join(lookups, 'amazon-order-status.yaml'), [
        'name: amazon-order-status',
        'normalize: [trim, lower]',
        'entries:',
        '  Pending: { create: false, ORDSTA: "1" }',
        '  PendingAvailability: { create: false, ORDSTA: "1" }',
        '  Unshipped: { create: true, ORDSTA: "1" }',
        '  PartiallyShipped: { create: true, ORDSTA: "1" }',
        '  Shipped: { create: true, ORDSTA: "1", INVSTA: "3" }',
        '  InvoiceUnconfirmed: { create: true, ORDSTA: "1", INVSTA: "3" }',
        '  Canceled: { create: false, ORDSTA: "2", INVSTA: "1" }',
        '  Unfulfillable: { create: false, ORDSTA: "2", INVSTA: "1" }',
      ].join('\n'));
    },
    flows: [
      { use: 'amazon-order-to-sagex3', pollIntervalMs: 200 },
      { use: FLOW, pollIntervalMs: 200 },
      { use: 'sagex3-delivery-to-amazon', pollIntervalMs: 200 },
    ],
  });
}, 120_000);
afterAll(async () => {
  await pair?.stop();
});

const sohOf = (id: string) => [...pair.x3.state.stores.SOH.values()].find((r) => r.fields.CUSORDREF === id);
const notes = async () => (await sql<{ note: string | null }>`select note from runs where flow = ${FLOW} and note is not null`.execute(pair.runtime.store.db)).rows.map((r) => String(r.note));

describe(`flow ${FLOW}`, () => {
  it('an order cancelled on Amazon after X3 got it: the SOH is closed (ORDSTA 2, allocations released) and the run says how', async () => {
    const market = pair.amazon.sandbox.market;
    const now = pair.amazon.sandbox.clock.now();
    const [kept, cancelled] = [0, 1].map((i) => market.placeOrder({ channel: 'MFN', purchaseDate: now - 1_000 * i, status: 'Unshipped' })) as [ReturnType<typeof market.placeOrder>, ReturnType<typeof market.placeOrder>];
    await until('both orders in X3', () => [sohOf(kept.id), sohOf(cancelled.id)], (s) => s.every(Boolean), 90_000, 200);
    const soh = sohOf(cancelled.id)!;
    expect(soh.fields.ORDSTA).toBe('1');
    market.cancelOrder(cancelled.id);
    await until('the SOH closed', () => sohOf(cancelled.id)!.fields.ORDSTA, (s) => s === '2', 90_000, 200);
    expect(soh.tables.SOH4_1!.every((l) => l.ALLQTY === '0')).toBe(true);
    expect(sohOf(kept.id)!.fields.ORDSTA).toBe('1');
    const said = await until('the run note', notes, (ns) => ns.some((n) => n.includes(String(soh.fields.SOHNUM))), 30_000, 200);
    expect(said).toContain(`close: SOH ${soh.fields.SOHNUM} closed (ORDSTA 2) through the site order-closing subprogram: Amazon Canceled`);
    // A closed order is final in X3: the web service refuses to modify it.
    expect(() => pair.x3.state.modify('SOH', String(soh.fields.SOHNUM), { fields: { SHIDAT: '20261231' }, groupOf: {}, tables: {} }, 'TEST', 'ENG')).toThrow(/Order closed/);
    expect(await pair.runtime.engine.queue.list({ state: 'dead', limit: 10 })).toEqual([]);
  }, 120_000);

  it('the merchant’s table decides what a status implies: shipped without an X3 invoice is reported as INVSTA, never as DLVSTA', async () => {
    const market = pair.amazon.sandbox.market;
    const o = market.placeOrder({ channel: 'AFN', status: 'Unshipped' });
    await until('the order in X3', () => sohOf(o.id), Boolean, 90_000, 200);
    market.shipOrder(o.id);
    const num = String(sohOf(o.id)!.fields.SOHNUM);
    const said = await until('the difference reported', notes, (ns) => ns.some((n) => n.includes(num)), 90_000, 200);
    const mine = said.filter((n) => n.includes(num));
    expect(mine.join('\n')).toContain(`SOH ${num} differs from Amazon Shipped: INVSTA: Amazon Shipped implies 3 (Invoiced), X3 has 1 (Not invoiced)`);
    expect(mine.join('\n')).not.toContain('DLVSTA');
    expect(sohOf(o.id)!.fields.ORDSTA).toBe('1');
    expect(await pair.runtime.engine.queue.list({ state: 'dead', limit: 10 })).toEqual([]);
  }, 120_000);

  it('flow sagex3-delivery-to-amazon: an MFN order X3 delivers is confirmed shipped on Amazon with its units, carrier and the tracking number', async () => {
    const market = pair.amazon.sandbox.market;
    const o = market.placeOrder({ channel: 'MFN', status: 'Unshipped' });
    const soh = await until('the order in X3', () => sohOf(o.id), Boolean, 90_000, 200);
    const num = String(soh!.fields.SOHNUM);
    // The warehouse picks, packs and ships it in X3: carrier and tracking on the order, then the delivery.
    for (const l of soh!.tables.SOH4_1!) pair.x3.state.receiveStock({ site: String(l.DSTOFCY), item: String(l.ITMREF), qty: String(l.QTY) });
    pair.x3.state.modify('SOH', num, { fields: { BPTNUM: 'UPS', YTRACKNUM: '1Z999AA10123456784' }, groupOf: {}, tables: {} }, 'WAREHOUSE', 'ENG');
    pair.x3.state.deliverOrder(num);
    expect(soh!.fields.DLVSTA).toBe('3');
    await until('shipped on Amazon', () => market.mustOrder(o.id).status, (s) => s === 'Shipped', 90_000, 200);
    expect(market.mustOrder(o.id).items.map((i) => [i.sku, i.qtyShipped])).toEqual(o.items.map((i) => [i.sku, i.qty]));
    const said = (await sql<{ note: string }>`select note from runs where flow = 'sagex3-delivery-to-amazon' and note is not null`.execute(pair.runtime.store.db)).rows.map((r) => r.note).join('\n');
    expect(said).toContain(`Amazon order ${o.id} confirmed shipped (X3 ${num} Shipped): ${o.items.reduce((t, i) => t + i.qty, 0)} units by UPS 1Z999AA10123456784`);
    expect(await pair.runtime.engine.queue.list({ state: 'dead', limit: 10 })).toEqual([]);
  }, 120_000);
});
