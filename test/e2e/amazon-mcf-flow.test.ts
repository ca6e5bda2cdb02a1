// The MCF flows (issue 9 flow 7) run by Syncline against the Amazon and Sage X3 sandboxes over HTTP:
// orders taken in another channel and shipped from the X3 FBA site go to Amazon MCF once
// (sagex3-order-to-amazon-mcf); an order X3 closes undelivered is cancelled on Amazon; status, ship
// date, carrier and tracking come back onto the SOH, and an MCF order cancelled on Amazon closes its
// SOH (amazon-mcf-status-to-sagex3, on schedule ticks).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amazonOperations } from '../../src/connectors/amazon/index.js';
import type { SpApiClient } from '../../src/connectors/amazon/client.js';
import type { Rec } from '../../src/sandboxes/sagex3/state.js';
import { fireSchedule, siteWithOrderFields, startAmazonX3, type AmazonX3 } from './amazon-x3-pair.js';
import { until } from './xcart-sage300-pair.js';

const OUT = 'sagex3-order-to-amazon-mcf';
const BACK = 'amazon-mcf-status-to-sagex3';
const HOUR = 3_600_000;
let pair: AmazonX3;
beforeAll(async () => {
  pair = await startAmazonX3({
    seed: 1,
    x3Publications: { CLOSE: 'YSOHCLO' },
    // This site keeps the MCF status and the tracking number on the order header (its own fields).
    x3Site: siteWithOrderFields({ YMCFSTA: 20, YTRACKNUM: 40 }),
    flows: [
      { use: OUT, pollIntervalMs: 200 },
      { use: BACK },
    ],
  });
}, 120_000);
afterAll(async () => {
  await pair?.stop();
});

/** An order another channel (a web shop) put into X3, shipping from the FBA site. */
function webOrder(ref: string): Rec {
  const market = pair.amazon.sandbox.market;
  const sku = [...market.listings.values()].find((l) => l.channel === 'AFN' && !l.deleted && l.fba.fulfillable >= 5 && pair.x3.state.stores.ITM.has(l.sku) && ![...market.mcf.values()].some((o) => (o.request.items as Array<{ sellerSku: string }>).some((i) => i.sellerSku === l.sku)))!.sku;
  return pair.x3.state.save('SOH', { fields: { SALFCY: 'US011', STOFCY: 'US014', BPCORD: 'C00001', CUSORDREF: ref }, groupOf: {}, tables: { SOH4_1: [{ row: { ITMREF: sku, QTY: '2' } }] } }, 'WEB');
}
const mcf = (soh: Rec) => pair.amazon.sandbox.market.mcf.get(String(soh.fields.SOHNUM));
const notes = async (flow: string) => (await sql<{ note: string }>`select note from runs where flow = ${flow} and note is not null`.execute(pair.runtime.store.db)).rows.map((r) => r.note).join('\n');

describe('MCF: X3 orders from other channels ↔ Amazon fulfillment orders', () => {
  let shipped: Rec;
  it('an open order shipping from the FBA site becomes one MCF order (SOHNUM as sellerFulfillmentOrderId); Amazon and X3 orders are left alone', async () => {
    shipped = webOrder('WEB-1001');
    const other = pair.x3.state.save('SOH', { fields: { SALFCY: 'US011', BPCORD: 'C00001', CUSORDREF: 'WEB-1002' }, groupOf: {}, tables: { SOH4_1: [{ row: { ITMREF: String(shipped.tables.SOH4_1![0]!.ITMREF), QTY: '1' } }] } }, 'WEB');
    const o = await until('the MCF order', () => mcf(shipped), Boolean, 60_000, 200);
    const items = o!.request.items as Array<{ sellerSku: string; quantity: number }>;
    expect(items.map((i) => [i.sellerSku, i.quantity])).toEqual([[shipped.tables.SOH4_1![0]!.ITMREF, 2]]);
    expect(o!.request.displayableOrderId).toBe('WEB-1001');
    expect(o!.request.destinationAddress.postalCode).toBe(shipped.fields.BPDPOSCOD);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(mcf(other)).toBeUndefined();
    expect(pair.amazon.sandbox.market.mcf.size).toBe(1);
    expect(await notes(OUT)).toContain(`MCF order ${shipped.fields.SOHNUM} (1 lines, Standard)`);
  }, 90_000);

  it('an order X3 closes undelivered is cancelled on Amazon', async () => {
    const soh = webOrder('WEB-1003');
    await until('the MCF order', () => mcf(soh), Boolean, 60_000, 200);
    pair.x3.state.closeOrder(String(soh.fields.SOHNUM));
    await until('cancelled on Amazon', () => mcf(soh)!.status, (s) => s === 'Cancelled', 60_000, 200);
    expect(await notes(OUT)).toContain(`MCF order ${soh.fields.SOHNUM} cancelled on Amazon (X3 closed it undelivered`);
  }, 90_000);

  it('status, ship date, carrier and tracking come back onto the SOH; an MCF order cancelled on Amazon closes its SOH', async () => {
    const cancelledOnAmazon = webOrder('WEB-1004');
    await until('the MCF order', () => mcf(cancelledOnAmazon), Boolean, 60_000, 200);
    await amazonOperations.cancelFulfillmentOrder.call(pair.runtime.clients['amazon-main'] as SpApiClient, { sellerFulfillmentOrderId: String(cancelledOnAmazon.fields.SOHNUM) });
    // Amazon ships the first order: its FC takes two hours of sandbox time.
    pair.amazon.sandbox.clock.advance(3 * HOUR);
    pair.amazon.sandbox.market.tick();
    expect(mcf(shipped)!.status).toBe('Complete');
    await fireSchedule(pair.runtime, BACK);
    const pkg = mcf(shipped)!.shipment!.packages[0]!;
    await until('the SOH updated', () => shipped.fields.YTRACKNUM, (t) => t === pkg.trackingNumber, 60_000, 200);
    expect(shipped.fields.YMCFSTA).toBe('Complete');
    expect(shipped.fields.BPTNUM).toBe(pkg.carrierCode === 'AMZL_US' ? 'AMZL' : pkg.carrierCode);
    expect(shipped.fields.SHIDAT).toMatch(/^\d{8}$/);
    await until('the cancelled one closed', () => cancelledOnAmazon.fields.ORDSTA, (s) => s === '2', 60_000, 200);
    const said = await notes(BACK);
    expect(said).toContain(`SOH ${shipped.fields.SOHNUM}: MCF Complete, shipped ${shipped.fields.SHIDAT} by ${pkg.carrierCode} tracking ${pkg.trackingNumber}`);
    expect(said).toContain(`SOH ${cancelledOnAmazon.fields.SOHNUM} closed (ORDSTA 2): Amazon Cancelled the MCF order`);
    // The next tick finds nothing new.
    const runs = (await sql<{ n: number }>`select count(*) as n from runs where flow = ${BACK}`.execute(pair.runtime.store.db)).rows[0]!.n;
    await fireSchedule(pair.runtime, BACK);
    await new Promise((r) => setTimeout(r, 2_000));
    const after = (await sql<{ n: number; s: number }>`select count(*) as n, sum(case when status = 'skipped' then 1 else 0 end) as s from runs where flow = ${BACK}`.execute(pair.runtime.store.db)).rows[0]!;
    expect(Number(after.n)).toBe(Number(runs) + 1);
    expect(await pair.runtime.engine.queue.list({ state: 'dead', limit: 10 })).toEqual([]);
  }, 120_000);
});
