// FBA inventory, Multi-Channel Fulfillment, listings and finances through the connector.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { start, type RunningAmazonSandbox } from '../../sandboxes/amazon/index.js';
import { clientFor } from './testing.js';
import * as ops from './operations/index.js';
import { createInventoryPoller } from './triggers.js';
import { SynclineError } from '../../core/errors.js';
import { failure } from '../../../test/support/failure.js';

let sb: RunningAmazonSandbox;
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  sb = await start({ historicalOrders: 30, seed: 9 });
});
afterAll(async () => sb?.close());

const afn = () => [...sb.sandbox.market.listings.values()].filter((l) => l.channel === 'AFN');

describe('amazon connector: FBA inventory', () => {
  it('pages through every FBA SKU with details', async () => {
    const client = clientFor(sb);
    const seen = new Map<string, number>();
    let token: string | undefined;
    let pages = 0;
    do {
      const p = await ops.getInventorySummaries.call(client, { nextToken: token });
      for (const s of p.summaries) seen.set(s.sellerSku!, s.inventoryDetails!.fulfillableQuantity!);
      token = p.nextToken;
      pages++;
    } while (token);
    expect(pages).toBeGreaterThan(1);
    expect(seen.size).toBe(afn().length);
    const l = afn()[0]!;
    expect(seen.get(l.sku)).toBe(l.fba.fulfillable);
  });

  it('a nextToken older than 30 s is rejected; the inventory poller restarts its sweep', async () => {
    const client = clientFor(sb);
    const p = await ops.getInventorySummaries.call(client, {});
    sb.sandbox.clock.advance(31_000);
    const e = await failure(ops.getInventorySummaries.call(client, { nextToken: p.nextToken! }));
    expect(e.code).toBe('AMAZON_NEXT_TOKEN_REJECTED');
    expect(e.message).toContain('30 seconds');
    const since = sb.sandbox.clock.now();
    const l = sb.sandbox.market.receiveFba(afn()[1]!.sku, 25);
    const poller = createInventoryPoller({ id: 'inv', client });
    const r = await poller.poll(iso(since - 1000));
    const ev = r.events.find((x) => x.id === l.sku)!;
    expect(ev.entity).toBe('inventory');
    expect((ev.payload as { inventoryDetails: { fulfillableQuantity: number } }).inventoryDetails.fulfillableQuantity).toBe(l.fba.fulfillable);
  });
});

describe('amazon connector: Multi-Channel Fulfillment', () => {
  const order = (id: string, sku: string, quantity = 1) => ({
    sellerFulfillmentOrderId: id, displayableOrderId: id, displayableOrderDate: iso(sb.sandbox.clock.now()), displayableOrderComment: 'Thanks!', shippingSpeedCategory: 'Standard' as const,
    destinationAddress: { name: 'Grace Hopper', addressLine1: '12 Navy Way', city: 'Arlington', stateOrRegion: 'VA', postalCode: '22201', countryCode: 'US' },
    items: [{ sellerSku: sku, sellerFulfillmentOrderItemId: `${id}-1`, quantity, perUnitDeclaredValue: { currencyCode: 'USD', value: '24.50' } }],
  });

  it('progresses Received → Planning → Processing → Complete with a shipment, carrier and tracking number', async () => {
    const client = clientFor(sb);
    const l = afn().find((x) => x.fba.fulfillable > 3)!;
    const before = l.fba.fulfillable;
    await ops.createFulfillmentOrder.call(client, order('WEB-2001', l.sku, 2));
    expect(l.fba.fulfillable).toBe(before - 2);
    const statuses: string[] = [];
    for (const s of [0, 31, 5 * 60, 2 * 3600]) {
      sb.sandbox.clock.advance(s * 1000);
      sb.sandbox.market.tick();
      statuses.push((await ops.getFulfillmentOrder.call(client, { sellerFulfillmentOrderId: 'WEB-2001' })).fulfillmentOrder.fulfillmentOrderStatus);
    }
    expect(statuses).toEqual(['Received', 'Planning', 'Processing', 'Complete']);
    const fo = await ops.getFulfillmentOrder.call(client, { sellerFulfillmentOrderId: 'WEB-2001' });
    const sh = fo.fulfillmentShipments![0]!;
    expect(sh.fulfillmentShipmentStatus).toBe('SHIPPED');
    const pkg = sh.fulfillmentShipmentPackage![0]!;
    expect(pkg.carrierCode).toMatch(/UPS|USPS|AMZL_US/);
    expect(pkg.trackingNumber).toMatch(/^1Z/);
    const track = await ops.getPackageTrackingDetails.call(client, { packageNumber: pkg.packageNumber });
    expect(track.trackingNumber).toBe(pkg.trackingNumber);
    const listed = await ops.listAllFulfillmentOrders.call(client, { queryStartDate: iso(sb.sandbox.clock.now() - 86_400_000) });
    expect(listed.fulfillmentOrders.map((o) => o.sellerFulfillmentOrderId)).toContain('WEB-2001');
  });

  it('cancels before Processing, refuses after; duplicate ids and unknown SKUs are classified', async () => {
    const client = clientFor(sb);
    const sku = afn().find((x) => x.fba.fulfillable > 2)!.sku;
    await ops.createFulfillmentOrder.call(client, order('WEB-3001', sku));
    await ops.cancelFulfillmentOrder.call(client, { sellerFulfillmentOrderId: 'WEB-3001' });
    expect((await ops.getFulfillmentOrder.call(client, { sellerFulfillmentOrderId: 'WEB-3001' })).fulfillmentOrder.fulfillmentOrderStatus).toBe('Cancelled');
    await ops.createFulfillmentOrder.call(client, order('WEB-3002', sku));
    sb.sandbox.clock.advance(6 * 60_000);
    sb.sandbox.market.tick();
    expect((await failure(ops.cancelFulfillmentOrder.call(client, { sellerFulfillmentOrderId: 'WEB-3002' }))).code).toBe('AMAZON_INVALID_INPUT');
    expect((await failure(ops.createFulfillmentOrder.call(client, order('WEB-3002', sku)))).message).toContain('already exists');
    expect((await failure(ops.createFulfillmentOrder.call(client, order('WEB-3003', 'NO-SUCH-SKU')))).message).toContain('not an FBA SKU');
    const before = sb.sandbox.stats.calls.createFulfillmentOrder;
    const bad = await failure(ops.createFulfillmentOrder.call(client, { ...order('WEB-3004', sku), destinationAddress: { name: '', addressLine1: 'x', postalCode: '1', countryCode: 'USA' } }));
    expect(bad.code).toBe('AMAZON_INPUT_INVALID');
    expect(sb.sandbox.stats.calls.createFulfillmentOrder).toBe(before);
    expect((await failure(ops.getFulfillmentOrder.call(client, { sellerFulfillmentOrderId: 'NOPE' }))).code).toBe('AMAZON_NOT_FOUND');
  });
});

describe('amazon connector: listings and finances', () => {
  it('put, get, patch with VALIDATION_PREVIEW, delete', async () => {
    const client = clientFor(sb);
    const attrs = { item_name: [{ value: 'Trail Mix 500g', marketplace_id: 'ATVPDKIKX0DER' }], purchasable_offer: [{ currency: 'USD', our_price: [{ schedule: [{ value_with_tax: 8.99 }] }] }] };
    expect((await ops.putListingsItem.call(client, { sku: 'TM-500', productType: 'FOOD', attributes: attrs })).status).toBe('ACCEPTED');
    const got = await ops.getListingsItem.call(client, { sku: 'TM-500', includedData: ['summaries', 'offers'] });
    expect(got.summaries![0]!.itemName).toBe('Trail Mix 500g');
    expect(got.offers![0]!.price.amount).toBe('8.99');
    const patch = { sku: 'TM-500', productType: 'FOOD', patches: [{ op: 'replace' as const, path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 40 }] }] };
    expect((await ops.patchListingsItem.call(client, { ...patch, validationPreview: true })).status).toBe('VALID');
    expect(sb.sandbox.market.listings.get('TM-500')!.mfnQuantity).toBe(0);
    expect((await ops.patchListingsItem.call(client, patch)).status).toBe('ACCEPTED');
    expect(sb.sandbox.market.listings.get('TM-500')!.mfnQuantity).toBe(40);
    const invalid = await ops.patchListingsItem.call(client, { ...patch, patches: [{ op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 2.5 }] }] });
    expect(invalid.status).toBe('INVALID');
    expect(invalid.issues![0]!.attributeNames).toEqual(['fulfillment_availability']);
    expect((await ops.deleteListingsItem.call(client, { sku: 'TM-500' })).status).toBe('ACCEPTED');
    expect((await failure(ops.getListingsItem.call(client, { sku: 'TM-500' }))).code).toBe('AMAZON_NOT_FOUND');
  });

  it('finances: an order\'s shipment event carries its principal, fees and tax as decimal strings', async () => {
    const client = clientFor(sb);
    const o = sb.sandbox.market.orders.find((x) => x.status === 'Shipped' && x.channel === 'AFN')!;
    const { events } = await ops.listFinancialEventsByOrderId.call(client, { orderId: o.id });
    const ev = events.ShipmentEventList![0]!;
    expect(ev.AmazonOrderId).toBe(o.id);
    const item = ev.ShipmentItemList!.find((i) => i.OrderItemId === o.items[0]!.orderItemId)!;
    const principal = item.ItemChargeList!.find((c) => c.ChargeType === 'Principal')!.ChargeAmount!.CurrencyAmount!;
    expect(typeof principal).toBe('string');
    expect(new Decimal(principal).equals(o.items[0]!.itemPrice)).toBe(true);
    expect(item.ItemFeeList!.map((f) => f.FeeType)).toEqual(expect.arrayContaining(['Commission', 'FBAPerUnitFulfillmentFee']));
    const e = await failure(ops.listFinancialEvents.call(client, { postedAfter: iso(sb.sandbox.clock.now() - 86_400_000), postedBefore: iso(sb.sandbox.clock.now()) }));
    expect(e.message).toContain('2 minutes');
  });
});
