// Shipments Sage 300 → X-Cart (issue 8 §2.5, issue 16): a shipment entered in Sage 300 sets the shop
// order's shipping status (S, or P while something is backordered); the tracking number is written
// only where the connection declares a tracking module, and otherwise the run says it was not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrder, findOrdersByReference, getOrder as getSageOrder, orderShipment } from '../../src/connectors/sage300/index.js';
import { getOrder } from '../../src/connectors/xcart/index.js';
import { startPair, until, type Pair } from './xcart-sage300-pair.js';

async function shopOrderInSage(pair: Pair, lines: Array<{ sku: string; qty: number }>) {
  const placed = pair.xcart.storefront.placeOrder({ lines, paid: true, currency: 'USD', guest: false });
  const [sage] = await until(`order ${placed.order_number} in Sage 300`, () => findOrdersByReference.call(pair.erp, { purchaseOrderNumber: String(placed.order_number) }), (f) => f.length === 1, 120_000, 200);
  return { placed, sage: sage! };
}

const flows = ({ shop, erp }: { shop: string; erp: string }) => [
  { use: 'xcart-order-to-sage300', connections: { shop, erp }, since: 'now', pollIntervalMs: 200 },
  // LastShipmentDate is a date: a start instant later than midnight would hide today's shipments.
  { use: 'sage300-shipment-to-xcart', connections: { erp, shop }, since: `${new Date().toISOString().slice(0, 10)}T00:00:00Z`, pollIntervalMs: 200 },
];

describe('shipments Sage 300 → X-Cart, stock X-Cart 5.5 (no tracking API)', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({ flows });
  }, 60_000);
  afterAll(async () => pair?.stop());

  it('a full shipment sets S; the tracking number is not written and the run says so', async () => {
    const { placed, sage } = await shopOrderInSage(pair, [{ sku: 'A1-1001-BLK', qty: 2 }, { sku: 'A1-1004-NAV', qty: 1 }]);
    pair.sage300.backOffice.shipOrder(sage.OrderNumber, { carrier: 'UPS', trackingNumber: '1Z999AA10123456784' });
    await until('shipped in the shop', async () => (await getOrder.call(pair.shop, { id: placed.id })).shipping_status?.code, (c) => c === 'S', 120_000, 200);
    const order = await getOrder.call(pair.shop, { id: placed.id });
    expect(order.tracking_numbers).toEqual([]);
    const [run] = await until('the run', () => pair.runtime.engine.runs.list({ flow: 'sage300-shipment-to-xcart', status: 'succeeded', limit: 10 }), (r) => r.some((x) => x.note?.includes('1Z999AA10123456784')), 30_000);
    expect(run).toBeDefined();
    const noted = (await pair.runtime.engine.runs.list({ flow: 'sage300-shipment-to-xcart', limit: 10 })).find((x) => x.note?.includes('1Z999AA10123456784'))!;
    expect(noted.note).toMatch(/tracking number 1Z999AA10123456784 not written: the X-Cart connection declares no tracking module/);
    expect(await pair.dead('sage300-shipment-to-xcart')).toEqual([]);
  }, 240_000);

  it('a partial shipment sets P; the rest shipped later sets S; an order entered in Sage 300 alone is skipped', async () => {
    const { placed, sage } = await shopOrderInSage(pair, [{ sku: 'A1-1001-NAV', qty: 3 }]);
    const line = sage.OrderDetails!.find((l) => l.LineType === 'Item')!;
    pair.sage300.backOffice.shipOrder(sage.OrderNumber, { lines: [{ lineNumber: Number(line.LineNumber), quantity: 1 }] });
    await until('partly shipped', async () => (await getOrder.call(pair.shop, { id: placed.id })).shipping_status?.code, (c) => c === 'P', 120_000, 200);
    pair.sage300.backOffice.shipOrder(sage.OrderNumber, {});
    await until('fully shipped', async () => (await getOrder.call(pair.shop, { id: placed.id })).shipping_status?.code, (c) => c === 'S', 120_000, 200);
    // An order keyed in at the Sage 300 desk (its PO is not a shop order number): skipped, with the reason.
    const { order: desk } = await createOrder.call(pair.erp, { order: {
      CustomerNumber: pair.sage300.webCustomer, PurchaseOrderNumber: 'PHONE-77', OrderDate: new Date().toISOString().slice(0, 10),
      ShipToName: 'Desk Buyer', ShipToAddressLine1: '1 Main St', ShipToCity: 'Portland', ShipToStateProvince: 'OR', ShipToZipPostalCode: '97205', ShipToCountry: 'US',
      OrderDetails: [{ LineType: 'Item', Item: 'A1-1001-NAV', Location: '1', QuantityOrdered: '1', PricingUnitPrice: '10.00' }],
    } });
    pair.sage300.backOffice.shipOrder(desk.OrderNumber, {});
    const skipped = await until('desk order skipped', () => pair.runtime.engine.runs.list({ flow: 'sage300-shipment-to-xcart', status: 'skipped', limit: 10 }), (r) => r.length > 0, 120_000, 200);
    expect(skipped[0]!.note).toContain('not a shop order');
    expect(await pair.dead('sage300-shipment-to-xcart')).toEqual([]);
  }, 240_000);
});

describe('shipments Sage 300 → X-Cart, store with the legacy REST tracking module', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({ flows, xcartFeatures: { trackingModule: 'legacy-rest' }, xcartConfig: { trackingModule: 'legacy-rest' } });
  }, 60_000);
  afterAll(async () => pair?.stop());

  it('status S and the tracking number, once, even when the shipment event comes twice', async () => {
    const { placed, sage } = await shopOrderInSage(pair, [{ sku: 'A1-1004-RED', qty: 1 }]);
    pair.sage300.backOffice.shipOrder(sage.OrderNumber, { carrier: 'FEDEX', trackingNumber: '7712 3456 7890' });
    const order = await until('tracking in the shop', () => getOrder.call(pair.shop, { id: placed.id }), (o) => o.tracking_numbers.length > 0, 120_000, 200);
    expect(order.shipping_status?.code).toBe('S');
    expect(order.tracking_numbers.map((t) => t.value)).toEqual(['7712 3456 7890']);
    // The same shipment again (a re-read of the poller's window, a replay): nothing added twice.
    const again = orderShipment((await getSageOrder.call(pair.erp, { orderNumber: sage.OrderNumber }))!);
    const res = await pair.runtime.engine.intake([{ system: 'sage300', entity: 'shipment', id: String(again.ShipmentNumber), version: '9999-12-31T00:00:00.000Z', payload: again }], { connection: 'sage300-main' });
    expect(res.accepted).toBe(1);
    await pair.idle(['sage300-shipment-to-xcart'], 1_000);
    expect((await getOrder.call(pair.shop, { id: placed.id })).tracking_numbers).toHaveLength(1);
  }, 240_000);
});
