// Contract tests: every X-Cart connector operation against the sandbox over loopback HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type XcartSandbox } from '../../sandboxes/xcart/index.js';
import { SynclineError } from '../../core/errors.js';
import * as xc from './index.js';
import { failure } from '../../../test/support/failure.js';

let sb: XcartSandbox;
let rw: xc.XcartClient;
let ro: xc.XcartClient;
let n = 0;
const client = (token: string, extra: Record<string, unknown> = {}) => xc.xcartConnector.createClient({ baseUrl: sb.url, token, ...extra }, { connection: `xcart-ops-${++n}` });

beforeAll(async () => {
  // A store that runs the 5.4 legacy REST API module (a stock 5.5 store has none: see the
  // "stock X-Cart 5.5" tests below, and the sandbox's default).
  sb = await start({ seed: 11, features: { trackingModule: 'legacy-rest' } });
  rw = client(sb.credentials.writeToken, { legacyKey: sb.credentials.legacyKey, trackingModule: 'legacy-rest' });
  ro = client(sb.credentials.readToken);
});
afterAll(() => sb.close());


describe('connection', () => {
  it('testConnection passes with either token and fails with a classified error otherwise', async () => {
    await xc.xcartConnector.testConnection(ro);
    await xc.xcartConnector.testConnection(rw);
    const e = await failure(xc.xcartConnector.testConnection(client('wrong')));
    expect([e.code, e.kind]).toEqual(['XCART_AUTH_FAILED', 'user']);
  });

  it('checkAccess tells a read-only token from a read/write one without writing', async () => {
    const before = JSON.stringify([...sb.store.orders.values()].map((o) => [o.payment_status, o.lastRenewDate]));
    expect(await xc.checkAccess.call(ro, {})).toEqual({ read: true, write: false });
    expect(await xc.checkAccess.call(rw, {})).toEqual({ read: true, write: true });
    expect(JSON.stringify([...sb.store.orders.values()].map((o) => [o.payment_status, o.lastRenewDate]))).toBe(before);
    expect((await failure(xc.checkAccess.call(client('bad'), {}))).code).toBe('XCART_AUTH_FAILED');
  });

  it('invalid settings are refused at construction with the field named', () => {
    expect(() => xc.xcartConnector.createClient({ baseUrl: 'not a url', token: '' }, { connection: 'x' })).toThrowError(/baseUrl.*token|token.*baseUrl/s);
    try {
      xc.xcartConnector.createClient({ baseUrl: sb.url, token: 't', itemsPerPage: 500 }, { connection: 'x' });
      expect.unreachable();
    } catch (e) {
      expect((e as SynclineError).code).toBe('XCART_BAD_CONFIG');
    }
  });
});

describe('order statuses and sub-resources', () => {
  it('updatePaymentStatus / updateShippingStatus set any known code (X-Cart checks no transitions)', async () => {
    const o = sb.storefront.placeOrder({ paid: false });
    expect((await xc.updatePaymentStatus.call(rw, { orderId: o.id, code: 'A' })).code).toBe('A');
    expect((await xc.updatePaymentStatus.call(rw, { orderId: o.id, code: 'P' })).code).toBe('P');
    expect((await xc.updateShippingStatus.call(rw, { orderId: o.id, code: 'P' })).code).toBe('P');
    expect((await xc.updateShippingStatus.call(rw, { orderId: o.id, code: 'S' })).code).toBe('S');
    const order = await xc.getOrder.call(ro, { id: o.id });
    expect([order.payment_status?.code, order.shipping_status?.code]).toEqual(['P', 'S']);
    expect(await xc.getPaymentStatus.call(ro, { orderId: o.id })).toMatchObject({ code: 'P', name: 'Paid' });
    expect(await xc.getShippingStatus.call(ro, { orderId: o.id })).toMatchObject({ code: 'S', name: 'Shipped' });
    // No transition check: Paid → Queued and the system codes are taken as they are.
    expect((await xc.updatePaymentStatus.call(rw, { orderId: o.id, code: 'Q' })).code).toBe('Q');
    expect((await xc.updateShippingStatus.call(rw, { orderId: o.id, code: 'WFA' })).code).toBe('WFA');
    // Unknown codes: the payment transformer says "is invalid", the shipping one "is wrong".
    const unknown = await failure(xc.updatePaymentStatus.call(rw, { orderId: o.id, code: 'ZZ' }));
    expect([unknown.code, unknown.message]).toEqual(['XCART_REJECTED', expect.stringMatching(/Status code 'ZZ' is invalid/)]);
    expect((await failure(xc.updateShippingStatus.call(rw, { orderId: o.id, code: 'ZZ' }))).message).toMatch(/Status code 'ZZ' is wrong/);
    // A number would be taken as a status id: the connector refuses it before sending.
    expect((await failure(xc.updatePaymentStatus.call(rw, { orderId: o.id, code: '4' }))).code).toBe('XCART_VALIDATION');
    // The read-only token cannot write.
    const ro403 = await failure(xc.updateShippingStatus.call(ro, { orderId: o.id, code: 'D' }));
    expect([ro403.code, ro403.kind]).toEqual(['XCART_FORBIDDEN', 'user']);
    const missing = await failure(xc.updatePaymentStatus.call(rw, { orderId: 99_999_999, code: 'P' }));
    expect(missing.code).toBe('XCART_NOT_FOUND');
    const tooLong = await failure(xc.updatePaymentStatus.call(rw, { orderId: o.id, code: 'TOOLONG' }));
    expect(tooLong.code).toBe('XCART_VALIDATION');
  });

  it('custom status codes a store added are accepted and read back', async () => {
    sb.store.customStatuses.shipping.set('PCK', 'Picked');
    const o = sb.storefront.placeOrder({ paid: true });
    expect((await xc.updateShippingStatus.call(rw, { orderId: o.id, code: 'PCK' })).code).toBe('PCK');
    const order = await xc.getOrder.call(ro, { id: o.id });
    expect(order.shipping_status).toMatchObject({ code: 'PCK', name: 'Picked' });
  });

  it('details, history and payment transactions', async () => {
    const o = sb.storefront.placeOrder({ paid: true, paymentMethod: 'Credit Card (Stripe)' });
    sb.storefront.refund(o.id, '1.00');
    const details = await xc.listOrderDetails.call(ro, { orderId: o.id });
    expect(details.items.map((d) => d.name)).toEqual(['cc_type', 'cc_last4']);
    const history = await xc.listOrderHistory.call(ro, { orderId: o.id });
    expect(history.items.map((h) => h.code)).toEqual(['PLACE ORDER', 'CHANGE PAYMENT STATUS ORDER', 'CHANGE PAYMENT STATUS ORDER']);
    const txns = await xc.listOrderPaymentTransactions.call(ro, { orderId: o.id });
    expect(txns.items).toHaveLength(1);
    expect(txns.items[0]!.status).toBe('S');
    expect(txns.items[0]!.backend_transactions.map((b) => [b.type, b.value])).toEqual([['sale', o.total.toFixed(2).replace(/\.?0+$/, '')], ['refundPart', '1']]);
  });
});

describe('products, variants and stock', () => {
  it('create, read, update (partial), delete a product; duplicate SKU and bad fields are user errors', async () => {
    const created = await xc.createProduct.call(rw, { sku: 'Z9-9000-BLK', name: 'Test Lantern', price: '24.95', amount: 7, product_class: 'Gear', memberships: ['Wholesaler'] });
    expect(created).toMatchObject({ sku: 'Z9-9000-BLK', price: '24.95', amount: 7, inventory_traceable: true, enabled: true, product_class: { name: 'Gear' }, memberships: [{ name: 'Wholesaler' }] });
    const unknownClass = await failure(xc.createProduct.call(rw, { sku: 'Z9-9002', name: 'x', tax_class: 'Luxury' }));
    expect(unknownClass.code).toBe('XCART_VALIDATION');
    expect(unknownClass.details.violations).toEqual([{ propertyPath: 'tax_class', message: 'Tax class "Luxury" not found' }]);
    const got = await xc.getProduct.call(ro, { id: created.id });
    expect(got.name).toBe('Test Lantern');
    const updated = await xc.updateProduct.call(rw, { id: created.id, changes: { price: 19.5 } });
    expect([updated.price, updated.name, updated.amount]).toEqual(['19.5', 'Test Lantern', 7]);
    const dup = await failure(xc.createProduct.call(rw, { sku: 'Z9-9000-BLK', name: 'Again' }));
    expect([dup.code, dup.kind]).toEqual(['XCART_REJECTED', 'user']);
    expect(dup.message).toMatch(/not unique/);
    const bad = await failure(xc.createProduct.call(rw, { sku: 'Z9-1', name: 'x', price: '1.23456' }));
    expect(bad.code).toBe('XCART_VALIDATION');
    const ro403 = await failure(xc.createProduct.call(ro, { sku: 'Z9-2', name: 'x' }));
    expect(ro403.code).toBe('XCART_FORBIDDEN');
    await xc.deleteProduct.call(rw, { id: created.id });
    expect((await failure(xc.getProduct.call(ro, { id: created.id }))).code).toBe('XCART_NOT_FOUND');
  });

  it('the sandbox answers 422 violations the connector reports field by field', async () => {
    // Bypass the connector's own checks to see X-Cart's answer: a blank name and a negative price.
    const res = await rw.http.request({ operation: 'createProduct', method: 'POST', path: 'api/products', body: { sku: 'Z9-3', name: '', price: -1 }, acceptStatus: [422] });
    expect(res.status).toBe(422);
    const err = await failure(rw.call({ operation: 'createProduct', method: 'POST', path: 'api/products', body: { sku: 'Z9-3', name: '', price: -1 } }, xc.productSchema));
    expect(err.code).toBe('XCART_VALIDATION');
    expect(err.details.violations).toEqual([
      { propertyPath: 'name', message: 'This value should not be blank.' },
      { propertyPath: 'price', message: 'This value should be either positive or zero.' },
    ]);
  });

  it('variants CRUD, listSkus covers every catalog item, setStock moves the right counter', async () => {
    const skus = await xc.listSkus.call(ro, {});
    const sellable = skus.filter((s) => !s.hasVariants);
    expect(sellable.map((s) => s.sku).sort()).toEqual(sb.store.catalog.items.map((i) => i.itemNo).sort());
    const variantEntry = sellable.find((s) => s.variantId !== null)!;
    const simpleEntry = sellable.find((s) => s.variantId === null)!;
    await xc.setStock.call(rw, { productId: variantEntry.productId, variantId: variantEntry.variantId, amount: 42 });
    await xc.setStock.call(rw, { productId: simpleEntry.productId, amount: 5 });
    expect((await xc.getVariant.call(ro, { productId: variantEntry.productId, id: variantEntry.variantId! })).amount).toBe(42);
    expect((await xc.getProduct.call(ro, { id: simpleEntry.productId })).amount).toBe(5);
    // And an order for that variant takes stock from it.
    sb.storefront.placeOrder({ lines: [{ sku: variantEntry.sku, qty: 2 }], paid: true });
    expect((await xc.getVariant.call(ro, { productId: variantEntry.productId, id: variantEntry.variantId! })).amount).toBe(40);

    const v = await xc.createVariant.call(rw, { productId: variantEntry.productId, variant: { sku: 'Z9-9001-ORG', price: '10.00', amount: 3, default_price: false, default_amount: false } });
    expect(v).toMatchObject({ sku: 'Z9-9001-ORG', price: '10', amount: 3 });
    const listed = await xc.listVariants.call(ro, { productId: variantEntry.productId });
    expect(listed.items.map((x) => x.sku)).toContain('Z9-9001-ORG');
    expect((await xc.updateVariant.call(rw, { productId: variantEntry.productId, id: v.id, changes: { amount: 9 } })).amount).toBe(9);
    await xc.deleteVariant.call(rw, { productId: variantEntry.productId, id: v.id });
    expect((await failure(xc.getVariant.call(ro, { productId: variantEntry.productId, id: v.id }))).code).toBe('XCART_NOT_FOUND');
  });

  it('listProducts pages and sorts', async () => {
    const byPrice = await xc.listProducts.call(ro, { sort: 'price', direction: 'desc', itemsPerPage: 10 });
    const prices = byPrice.items.map((p) => Number(p.price));
    expect(prices).toEqual([...prices].sort((a, b) => b - a));
    expect(byPrice.mayHaveMore).toBe(true);
    const p2 = await xc.listProducts.call(ro, { page: 2, itemsPerPage: 10 });
    const p1 = await xc.listProducts.call(ro, { page: 1, itemsPerPage: 10 });
    expect(p1.items.map((p) => p.id).some((id) => p2.items.some((q) => q.id === id))).toBe(false);
  });
});

describe('profiles and addresses', () => {
  it('CRUD, lookup by login, duplicate login refused, address validation', async () => {
    const p = await xc.createProfile.call(rw, { login: 'new.buyer@example.com' });
    expect(p).toMatchObject({ login: 'new.buyer@example.com', status: 'E' });
    const found = await xc.listProfiles.call(ro, { login: 'new.buyer' });
    expect(found.items.map((x) => x.id)).toEqual([p.id]);
    expect((await xc.getProfile.call(ro, { id: p.id })).login).toBe('new.buyer@example.com');
    const dup = await failure(xc.createProfile.call(rw, { login: 'NEW.BUYER@example.com' }));
    expect(dup.code).toBe('XCART_REJECTED');
    expect((await xc.updateProfile.call(rw, { id: p.id, changes: { status: 'D' } })).status).toBe('D');

    const a = await xc.createAddress.call(rw, { profileId: p.id, address: { firstname: 'Ana', lastname: 'Lima', street: '1 Rua Nova', city: 'Porto', country_code: 'PT', zipcode: '4000-001', is_billing: true, is_shipping: true } });
    expect(a).toMatchObject({ firstname: 'Ana', is_billing: true, is_shipping: true, country_code: 'PT' });
    const b = await xc.createAddress.call(rw, { profileId: p.id, address: { firstname: 'Ana', lastname: 'Lima', street: '9 Rua Velha', city: 'Lisboa', country_code: 'PT', is_shipping: true } });
    const list = await xc.listAddresses.call(ro, { profileId: p.id });
    expect(list.items.find((x) => x.id === a.id)!.is_shipping).toBe(false);
    expect(list.items.find((x) => x.id === b.id)!.is_shipping).toBe(true);
    expect((await xc.updateAddress.call(rw, { profileId: p.id, id: a.id, changes: { city: 'Braga' } })).city).toBe('Braga');
    expect((await xc.getAddress.call(ro, { profileId: p.id, id: a.id })).street).toBe('1 Rua Nova');
    const badCountry = await failure(rw.call({ operation: 'createAddress', method: 'POST', path: `api/profiles/${p.id}/addresses`, body: { firstname: 'A', lastname: 'B', street: 'S', city: 'C', country_code: 'Portugal' } }, xc.addressSchema));
    expect(badCountry.code).toBe('XCART_VALIDATION');
    await xc.deleteAddress.call(rw, { profileId: p.id, id: b.id });
    await xc.deleteProfile.call(rw, { id: p.id });
    expect((await failure(xc.getProfile.call(ro, { id: p.id }))).code).toBe('XCART_NOT_FOUND');
    const badInput = await failure(xc.createProfile.call(rw, { login: 'not-an-email' }));
    expect([badInput.code, badInput.kind]).toEqual(['XCART_VALIDATION', 'user']);
  });

  it('pages over more than 1,000 profiles', async () => {
    for (let i = 0; i < 1_010; i++) await xc.createProfile.call(rw, { login: `bulk${i}@example.org` });
    const ids: number[] = [];
    for await (const p of xc.allPages(xc.listProfiles, ro, { login: '@example.org', itemsPerPage: 100 })) ids.push(p.id);
    expect(ids.length).toBe(1_010);
    expect(new Set(ids).size).toBe(1_010);
  });
});

describe('tracking numbers (legacy REST API)', () => {
  it('add, correct, delete; the order shows them and its lastRenewDate moves', async () => {
    const o = sb.storefront.placeOrder({ paid: true });
    const before = await xc.getOrder.call(ro, { id: o.id });
    sb.storefront.advanceClock(3);
    const t = await xc.addTrackingNumber.call(rw, { orderId: o.id, value: '1Z999AA10123456784' });
    expect(t.value).toBe('1Z999AA10123456784');
    let after = await xc.getOrder.call(ro, { id: o.id });
    expect(after.tracking_numbers.map((x) => x.value)).toEqual(['1Z999AA10123456784']);
    expect(after.update_date > before.update_date).toBe(true);
    await xc.updateTrackingNumber.call(rw, { trackingId: t.tracking_id, value: '1Z999AA10123456785' });
    after = await xc.getOrder.call(ro, { id: o.id });
    expect(after.tracking_numbers.map((x) => x.value)).toEqual(['1Z999AA10123456785']);
    await xc.deleteTrackingNumber.call(rw, { trackingId: t.tracking_id });
    expect((await xc.getOrder.call(ro, { id: o.id })).tracking_numbers).toEqual([]);
  });

  it('refusals carry the X-REST-Error reason; no key configured is a clear user error', async () => {
    const noOrder = await failure(xc.addTrackingNumber.call(rw, { orderId: 99_999_999, value: 'X' }));
    expect([noOrder.code, noOrder.kind]).toEqual(['XCART_LEGACY_API_ERROR', 'user']);
    expect(noOrder.details.restError).toMatch(/Order with ID 99999999 not found/);
    const readKey = client(sb.credentials.writeToken, { legacyKey: sb.credentials.legacyReadKey, trackingModule: 'legacy-rest' });
    const o = sb.storefront.placeOrder({ paid: true });
    expect((await failure(xc.addTrackingNumber.call(readKey, { orderId: o.id, value: 'X' }))).code).toBe('XCART_AUTH_FAILED');
    const none = await failure(xc.addTrackingNumber.call(client(sb.credentials.writeToken, { trackingModule: 'legacy-rest' }), { orderId: o.id, value: 'X' }));
    expect(none.code).toBe('XCART_LEGACY_API_ERROR');
    expect(none.message).toMatch(/legacyKey/);
  });

  it('a 429 from the legacy REST API is a transient rate limit (retried), not a refusal', async () => {
    const rw = client(sb.credentials.writeToken, { legacyKey: sb.credentials.legacyKey, trackingModule: 'legacy-rest' });
    const o = sb.storefront.placeOrder({ paid: true });
    sb.faults.set({ seed: 3, rules: [{ route: '/admin.php', rate429: 1, retryAfterS: 0 }] });
    try {
      const e = await failure(xc.addTrackingNumber.call(rw, { orderId: o.id, value: '1Z429' }));
      expect([e.code, e.kind]).toEqual(['HTTP_RATE_LIMITED', 'transient']);
    } finally {
      sb.faults.set({ rules: [] });
    }
  });
});

describe('tracking numbers on a stock X-Cart 5.5 (no tracking API)', () => {
  it('a connection without a tracking module refuses with XCART_NO_TRACKING_API and sends nothing', async () => {
    const o = sb.storefront.placeOrder({ paid: true });
    const plain = client(sb.credentials.writeToken, { legacyKey: sb.credentials.legacyKey });
    sb.traffic.log = [];
    sb.traffic.record = true;
    try {
      for (const call of [
        () => xc.addTrackingNumber.call(plain, { orderId: o.id, value: '1Z1' }),
        () => xc.updateTrackingNumber.call(plain, { trackingId: 1, value: '1Z2' }),
        () => xc.deleteTrackingNumber.call(plain, { trackingId: 1 }),
      ]) {
        const e = await failure(call());
        expect([e.code, e.kind]).toEqual(['XCART_NO_TRACKING_API', 'user']);
        expect(e.message).toMatch(/no tracking API.*tracking number not written/);
      }
      expect(sb.traffic.log).toEqual([]);
    } finally {
      sb.traffic.record = false;
    }
    // The shipping status, which 5.5 does take, still goes through.
    expect((await xc.updateShippingStatus.call(plain, { orderId: o.id, code: 'S' })).code).toBe('S');
  });

  it('a connection that declares the module against a store without it gets the 404 as a clear error', async () => {
    const stock = await start({ seed: 12 });
    try {
      const declared = xc.xcartConnector.createClient({ baseUrl: stock.url, token: stock.credentials.writeToken, legacyKey: stock.credentials.legacyKey, trackingModule: 'legacy-rest' }, { connection: 'xc-stock' });
      const o = stock.storefront.placeOrder({ paid: true });
      const e = await failure(xc.addTrackingNumber.call(declared, { orderId: o.id, value: '1Z1' }));
      expect([e.code, e.details.status]).toEqual(['XCART_LEGACY_API_ERROR', 404]);
    } finally {
      await stock.close();
    }
  });
});

describe('orders whose addresses and statuses are null (XC55 types them nullable)', () => {
  it('getOrder, listOrders and the poller read them without failing; a missing order on a status endpoint is XCART_NOT_FOUND', async () => {
    const o = sb.storefront.placeOrder({ paid: false, nullFields: ['billing_address', 'shipping_address', 'payment_status', 'shipping_status'] });
    const order = await xc.getOrder.call(ro, { id: o.id });
    expect([order.billing_address, order.shipping_address, order.payment_status, order.shipping_status]).toEqual([null, null, null, null]);
    const page = await xc.listOrders.call(ro, { itemsPerPage: 100, sort: 'lastRenewDate', direction: 'desc' });
    expect(page.items.some((x) => x.id === o.id)).toBe(true);
    const poller = xc.createOrderPoller(ro, { id: 'nulls' });
    const r = await poller.poll(null);
    expect(r.events.length).toBeGreaterThan(0);
    const missing = await failure(xc.getPaymentStatus.call(ro, { orderId: 99_999_999 }));
    expect([missing.code, missing.message]).toEqual(['XCART_NOT_FOUND', expect.stringMatching(/Order with ID 99999999 not found/)]);
  });
});

describe('dates', () => {
  it('normalizes PHP and RFC 3339 dates to UTC, the same text twice in a row as once (its last result is kept)', () => {
    const seq: Array<string | number> = ['2024-05-01T12:00:00+0200', '2024-05-01T12:00:00+0200', 'not a date', 'not a date', '2024-02-30T00:00:00Z', '2024-05-01 12:00:00', 1714564800, '2024-05-01T12:00:00.250-01:30', '2024-05-01T12:00:00+0200'];
    expect(seq.map(xc.normalizeDate)).toEqual(['2024-05-01T10:00:00Z', '2024-05-01T10:00:00Z', null, null, '2024-03-01T00:00:00Z', '2024-05-01T12:00:00Z', '2024-05-01T12:00:00Z', '2024-05-01T13:30:00Z', '2024-05-01T10:00:00Z']);
    expect(['2024-05-01T12:00:00+0200', 'x', '2024-05-01T12:00:00+0200'].map(xc.dateMs)).toEqual([Date.UTC(2024, 4, 1, 10), null, Date.UTC(2024, 4, 1, 10)]);
  });
});
