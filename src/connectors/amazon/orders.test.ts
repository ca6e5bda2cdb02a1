// Contract tests: the connector's order operations against the Amazon sandbox over loopback HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { start, type RunningAmazonSandbox } from '../../sandboxes/amazon/index.js';
import { clientFor } from './testing.js';
import { getOrders } from './operations/getOrders.js';
import { getOrder } from './operations/getOrder.js';
import { getOrderItems } from './operations/getOrderItems.js';
import { getOrderAddress } from './operations/getOrderAddress.js';
import { getOrderBuyerInfo } from './operations/getOrderBuyerInfo.js';
import { allOrders } from './paging.js';
import { confirmShipment } from './operations/confirmShipment.js';
import { SynclineError } from '../../core/errors.js';

let sb: RunningAmazonSandbox;
const DAY = 86_400_000;

beforeAll(async () => {
  sb = await start({ historicalOrders: 0, seed: 7 });
  const now = sb.sandbox.clock.now();
  sb.sandbox.market.generateOrders(1_050, { from: now - 5 * DAY, to: now - 2 * DAY });
});
afterAll(async () => sb?.close());

const iso = (ms: number) => new Date(ms).toISOString();

describe('amazon connector: orders', () => {
  it('pages through more than 1,000 orders with URL-encoded NextTokens, none lost or repeated', async () => {
    const client = clientFor(sb);
    const seen = new Set<string>();
    let pages = 0;
    const it = allOrders(client, { createdAfter: iso(sb.sandbox.clock.now() - 6 * DAY), maxResultsPerPage: 100 });
    for (;;) {
      const r = await it.next();
      if (r.done) {
        expect(r.value.createdBefore).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        break;
      }
      pages++;
      for (const o of r.value) {
        expect(seen.has(o.AmazonOrderId)).toBe(false);
        seen.add(o.AmazonOrderId);
      }
    }
    expect(seen.size).toBe(1_050);
    expect(pages).toBe(11);
    expect(sb.sandbox.stats.throttled).toBe(0);
  });

  it('answers a malformed NextToken with Amazon\'s 400 and a classified user error', async () => {
    const client = clientFor(sb);
    const err = await getOrders.call(client, { nextToken: 'not-a-token==' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SynclineError);
    expect((err as SynclineError).code).toBe('AMAZON_NEXT_TOKEN_REJECTED');
    expect((err as SynclineError).kind).toBe('user');
    expect((err as SynclineError).message).toContain('could not decode your NextToken');
  });

  it('rejects CreatedBefore within the last 2 minutes as Amazon does', async () => {
    const client = clientFor(sb);
    const now = sb.sandbox.clock.now();
    const err = (await getOrders.call(client, { createdAfter: iso(now - DAY), createdBefore: iso(now - 30_000) }).catch((e: unknown) => e)) as SynclineError;
    expect(err.code).toBe('AMAZON_INVALID_INPUT');
    expect(err.message).toContain('at least 2 minutes before current time');
  });

  it('refuses bad input before any call', async () => {
    const client = clientFor(sb);
    const before = sb.sandbox.stats.calls.getOrders ?? 0;
    const err = (await getOrders.call(client, { createdAfter: iso(0), lastUpdatedAfter: iso(0) }).catch((e: unknown) => e)) as SynclineError;
    expect(err.code).toBe('AMAZON_INPUT_INVALID');
    expect(sb.sandbox.stats.calls.getOrders ?? 0).toBe(before);
  });

  it('reads an order and its items; ItemPrice is unit price × quantity as decimal strings', async () => {
    const client = clientFor(sb);
    const sku = [...sb.sandbox.market.listings.values()].find((l) => l.channel === 'MFN')!.sku;
    const o = sb.sandbox.market.placeOrder({ channel: 'MFN', lines: [{ sku, quantity: 3 }], purchaseDate: sb.sandbox.clock.now() - DAY });
    const order = await getOrder.call(client, { orderId: o.id });
    expect(order.AmazonOrderId).toBe(o.id);
    expect(order.FulfillmentChannel).toBe('MFN');
    const { items } = await getOrderItems.call(client, { orderId: o.id });
    expect(items).toHaveLength(1);
    const unit = sb.sandbox.market.listings.get(sku)!.price;
    expect(items[0]!.SellerSKU).toBe(sku);
    expect(items[0]!.ItemPrice!.Amount).toBe(new Decimal(unit).times(3).toFixed(2));
    const total = items.reduce((s, i) => s.plus(i.ItemPrice!.Amount).plus(i.ItemTax!.Amount).plus(i.ShippingPrice!.Amount).plus(i.ShippingTax!.Amount).minus(i.PromotionDiscount!.Amount), new Decimal(0));
    expect(order.OrderTotal!.Amount).toBe(total.toFixed(2));
  });

  it('returns PII only with a Restricted Data Token (stripped without error otherwise)', async () => {
    const client = clientFor(sb);
    const o = sb.sandbox.market.placeOrder({ channel: 'AFN', purchaseDate: sb.sandbox.clock.now() - DAY });
    const plain = await getOrder.call(client, { orderId: o.id });
    expect(plain.ShippingAddress?.Name).toBeUndefined();
    expect(plain.ShippingAddress?.AddressLine1).toBeUndefined();
    expect(plain.ShippingAddress?.PostalCode).toBe(o.address.postalCode);
    expect(plain.BuyerInfo?.BuyerName).toBeUndefined();
    expect(client.stats.rdtIssued).toBe(0);

    const full = await getOrder.call(client, { orderId: o.id, pii: true });
    expect(full.ShippingAddress?.Name).toBe(o.address.name);
    expect(full.ShippingAddress?.AddressLine1).toBe(o.address.line1);
    expect(full.BuyerInfo?.BuyerName).toBe(o.buyerName);
    expect(client.stats.rdtIssued).toBe(1);

    const addr = await getOrderAddress.call(client, { orderId: o.id });
    expect(addr.ShippingAddress?.Name).toBe(o.address.name);
    const noAddr = await getOrderAddress.call(client, { orderId: o.id, pii: false });
    expect(noAddr.ShippingAddress?.Name).toBeUndefined();
    const buyer = await getOrderBuyerInfo.call(client, { orderId: o.id });
    expect(buyer.BuyerName).toBe(o.buyerName);
    const noBuyer = await getOrderBuyerInfo.call(client, { orderId: o.id, pii: false });
    expect(noBuyer.BuyerName).toBeUndefined();
    // The anonymised e-mail is PII as well: only with the token.
    expect(noBuyer.BuyerEmail).toBeUndefined();
    expect(plain.BuyerInfo?.BuyerEmail).toBeUndefined();
    expect(buyer.BuyerEmail).toMatch(/@marketplace\.amazon\.com$/);
  });

  it('an unknown order is a classified 404', async () => {
    const err = (await getOrder.call(clientFor(sb), { orderId: '111-0000000-0000000' }).catch((e: unknown) => e)) as SynclineError;
    expect(err.code).toBe('AMAZON_NOT_FOUND');
    expect(err.kind).toBe('user');
  });

  it('survives token expiry mid-run: LWA and RDT are refreshed once and the calls succeed', async () => {
    const client = clientFor(sb);
    const o = sb.sandbox.market.placeOrder({ purchaseDate: sb.sandbox.clock.now() - DAY });
    await getOrder.call(client, { orderId: o.id });
    await getOrder.call(client, { orderId: o.id, pii: true });
    expect(client.stats.lwaRefreshes).toBe(1);
    expect(sb.sandbox.expireTokens()).toBeGreaterThan(0);
    const again = await getOrder.call(client, { orderId: o.id });
    expect(again.AmazonOrderId).toBe(o.id);
    const pii = await getOrder.call(client, { orderId: o.id, pii: true });
    expect(pii.ShippingAddress?.Name).toBe(o.address.name);
    expect(client.stats.lwaRefreshes).toBe(2);
    expect(client.stats.rdtIssued).toBe(2);
  });

  it('confirms merchant-fulfilled packages: partial, then complete; over-shipping and AFN orders are refused', async () => {
    const client = clientFor(sb);
    const sku = [...sb.sandbox.market.listings.values()].find((l) => l.channel === 'MFN')!.sku;
    const o = sb.sandbox.market.placeOrder({ channel: 'MFN', lines: [{ sku, quantity: 3 }], purchaseDate: sb.sandbox.clock.now() - DAY });
    const item = o.items[0]!.orderItemId;
    const pkg = { orderId: o.id, carrierCode: 'UPS', trackingNumber: '1Z999AA10123456784', shipDate: iso(sb.sandbox.clock.now() - 60_000) };
    await confirmShipment.call(client, { ...pkg, packageReferenceId: '1', items: [{ orderItemId: item, quantity: 1 }] });
    expect((await getOrder.call(client, { orderId: o.id })).OrderStatus).toBe('PartiallyShipped');
    const over = (await confirmShipment.call(client, { ...pkg, packageReferenceId: '2', items: [{ orderItemId: item, quantity: 3 }] }).catch((e: unknown) => e)) as SynclineError;
    expect(over.code).toBe('AMAZON_INVALID_INPUT');
    expect(over.message).toContain('exceeds');
    await confirmShipment.call(client, { ...pkg, packageReferenceId: '2', items: [{ orderItemId: item, quantity: 2 }] });
    const shipped = await getOrder.call(client, { orderId: o.id });
    expect(shipped.OrderStatus).toBe('Shipped');
    expect(shipped.NumberOfItemsShipped).toBe(3);
    const afn = sb.sandbox.market.placeOrder({ channel: 'AFN', purchaseDate: sb.sandbox.clock.now() - DAY });
    const e = (await confirmShipment.call(client, { ...pkg, orderId: afn.id, packageReferenceId: '1', items: [{ orderItemId: afn.items[0]!.orderItemId, quantity: 1 }] }).catch((x: unknown) => x)) as SynclineError;
    expect(e.message).toContain('fulfilled by Amazon');
  });

  it('wrong app credentials are a classified LWA error, not a crash', async () => {
    const client = clientFor(sb, { clientSecret: 'wrong' });
    const err = (await getOrder.call(client, { orderId: '111-0000000-0000000' }).catch((e: unknown) => e)) as SynclineError;
    expect(err.code).toBe('AMAZON_LWA_REJECTED');
    expect(err.message).toContain('invalid_client');
  });
});
