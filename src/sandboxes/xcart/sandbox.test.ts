// Fidelity of the X-Cart sandbox to the X-Cart 5.5 API (specs/xcart-sage300.md §1), over raw HTTP.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type XcartSandbox } from './index.js';
import { verifyWebhook } from '../../connectors/xcart/webhooks.js';
import { startWebhookReceiver } from '../../../test/support/webhooks.js';

let sb: XcartSandbox;
const get = (p: string, headers: Record<string, string> = {}) => fetch(sb.url + p, { headers: { 'x-auth-token': sb.credentials.readToken, ...headers } });
const send = (method: string, p: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(sb.url + p, { method, headers: { 'x-auth-token': sb.credentials.writeToken, 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

beforeAll(async () => {
  sb = await start({ seed: 21, credentials: { readToken: 'read-t', writeToken: 'write-t' } });
  sb.storefront.placeOrders(250);
});
afterAll(() => sb.close());

describe('auth (security.yaml)', () => {
  it('no header → JWT entry point 401; wrong token → 401 message; read token on a write → 403', async () => {
    let r = await fetch(`${sb.url}/api/orders`);
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ code: 401, message: 'JWT Token not found' });
    r = await get('/api/orders', { 'x-auth-token': 'nope' });
    expect(r.status).toBe(401);
    expect(Object.keys(await r.json())).toEqual(['message']);
    r = await fetch(`${sb.url}/api/orders/1/payment_status`, { method: 'PUT', headers: { 'x-auth-token': 'read-t', 'content-type': 'application/json' }, body: '{"code":"P"}' });
    expect(r.status).toBe(403);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    r = await get('/api/orders/1/payment_status', { 'x-auth-token': 'write-t' });
    expect(r.status).toBe(200);
  });
});

describe('formats and pagination', () => {
  it('application/json is a bare array; default page size 30, capped at 100', async () => {
    let body = (await (await get('/api/orders')).json()) as unknown[];
    expect(Array.isArray(body)).toBe(true);
    expect(body).toHaveLength(30);
    body = (await (await get('/api/orders?itemsPerPage=500')).json()) as unknown[];
    expect(body).toHaveLength(100);
    expect((await get('/api/orders?page=0')).status).toBe(400);
    expect((await get('/api/orders?itemsPerPage=-1')).status).toBe(400);
    expect(await (await get('/api/orders?page=99')).json()).toEqual([]);
  });

  it('application/ld+json is Hydra with members, total and view links', async () => {
    const r = await get('/api/orders?itemsPerPage=100&page=2', { accept: 'application/ld+json' });
    expect(r.headers.get('content-type')).toMatch(/application\/ld\+json/);
    const body = (await r.json()) as Record<string, any>;
    expect(body['@type']).toBe('hydra:Collection');
    expect(body['hydra:totalItems']).toBe(250);
    expect(body['hydra:member']).toHaveLength(100);
    expect(body['hydra:member'][0]['@id']).toBe(`/api/orders/${body['hydra:member'][0].id}`);
    expect(body['hydra:view']['hydra:next']).toContain('page=3');
    expect(body['hydra:view']['hydra:last']).toContain('page=3');
    expect(body['hydra:view']['hydra:previous']).toContain('page=1');
    const last = (await (await get('/api/orders?itemsPerPage=100&page=3', { accept: 'application/ld+json' })).json()) as Record<string, any>;
    expect(last['hydra:view']['hydra:next']).toBeUndefined();
    const item = (await (await get('/api/orders/1', { accept: 'application/ld+json' })).json()) as Record<string, any>;
    expect([item['@id'], item['@type']]).toEqual(['/api/orders/1', 'Order']);
    expect((await get('/api/orders', { accept: 'text/csv' })).status).toBe(406);
  });

  it('errors are problem+json (hydra:Error for JSON-LD); unknown routes 404', async () => {
    let r = await get('/api/orders/999999');
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ type: 'https://tools.ietf.org/html/rfc2616#section-10', title: 'An error occurred', detail: 'Not Found' });
    r = await get('/api/orders/999999', { accept: 'application/ld+json' });
    expect(((await r.json()) as Record<string, unknown>)['@type']).toBe('hydra:Error');
    expect((await get('/api/nothing-here')).status).toBe(404);
    // Orders are read-only and core resources have no PATCH: Symfony answers 405 with Allow.
    r = await send('POST', '/api/orders', {});
    expect([r.status, r.headers.get('allow')]).toEqual([405, 'GET']);
    r = await send('PATCH', '/api/products/1', { amount: 1 }, { 'content-type': 'application/merge-patch+json' });
    expect([r.status, r.headers.get('allow')]).toEqual([405, 'GET, PUT, DELETE']);
    expect((await get('/api/orders/abc')).status).toBe(404);
  });
});

describe('order filters and shapes', () => {
  it('order output has the XC55 fields, ISO8601 dates without a colon in the offset, float money', async () => {
    const o = (await (await get('/api/orders/1')).json()) as Record<string, any>;
    for (const k of ['id', 'order_number', 'total', 'sub_total', 'email', 'items', 'billing_address', 'shipping_address', 'create_date', 'update_date', 'payment_status', 'shipping_status', 'customer_id', 'order_profile_id', 'shipping_id', 'shipping_method_name', 'notes', 'admin_notes', 'currency', 'stock_status', 'surcharges', 'tracking_numbers']) {
      expect(o, k).toHaveProperty(k);
    }
    expect(o.create_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    expect(typeof o.total).toBe('number');
    expect(Object.keys(o.items[0]).sort()).toEqual(['amount', 'backordered_amount', 'discounted_subtotal', 'id', 'item_net_price', 'name', 'price', 'product_id', 'sku', 'surcharges', 'update_date'].sort());
    expect(Object.keys(o.payment_status).sort()).toEqual(['code', 'customer_name', 'id', 'name']);
  });

  it('date[...] compares whole seconds; an unparseable date is ignored like API Platform does', async () => {
    sb.storefront.advanceClock(30);
    const t = sb.storefront.now();
    const a = sb.storefront.placeOrder();
    const iso = new Date(t * 1000).toISOString();
    const ids = async (q: string) => ((await (await get(`/api/orders?${q}&itemsPerPage=100`)).json()) as Array<{ id: number }>).map((o) => o.id);
    expect(await ids(`date[after]=${encodeURIComponent(iso)}`)).toEqual([a.id]);
    expect(await ids(`date[strictly_after]=${encodeURIComponent(iso)}`)).toEqual([]);
    expect(await ids(`date[strictly_before]=${encodeURIComponent(iso)}&order[date]=desc`)).not.toContain(a.id);
    expect((await ids('date[after]=not-a-date')).length).toBe(100);
    // XC55 has no lastRenewDate filter: the parameter is ignored like any unknown one.
    expect((await ids(`lastRenewDate[after]=${encodeURIComponent(iso)}`)).length).toBe(100);
  });

  it('status filters, by_number, sort by lastRenewDate', async () => {
    const paid = (await (await get('/api/orders?paymentStatus.code=P&itemsPerPage=100')).json()) as Array<{ payment_status: { code: string } }>;
    expect(paid.length).toBeGreaterThan(0);
    expect(paid.every((o) => o.payment_status.code === 'P')).toBe(true);
    const some = sb.store.orderList[17]!;
    const byNo = (await (await get(`/api/orders/by_number/${some.order_number}`)).json()) as { id: number };
    expect(byNo.id).toBe(some.id);
    sb.storefront.advanceClock(1);
    sb.storefront.setAdminNotes(some.id, 'x');
    const top = (await (await get('/api/orders?order[lastRenewDate]=desc&itemsPerPage=1')).json()) as Array<{ id: number }>;
    expect(top[0]!.id).toBe(some.id);
  });
});

describe('writes: input errors', () => {
  it('wrong JSON type → 400 with API Platform wording; constraint failures → 422 violations; bad JSON → 400', async () => {
    let r = await send('POST', '/api/products', { sku: 'Q1', name: 'x', price: 'cheap' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { detail: string }).detail).toBe('The type of the "price" attribute must be "float", "string" given.');
    r = await send('POST', '/api/products', { sku: '', name: 'x', amount: -3 });
    expect(r.status).toBe(422);
    const body = (await r.json()) as { violations: Array<{ propertyPath: string }> };
    expect(body.violations.map((v) => v.propertyPath)).toEqual(['sku', 'amount']);
    r = await send('POST', '/api/products', '{"sku":');
    expect(r.status).toBe(400);
    r = await send('PUT', '/api/orders/1/payment_status', 'code=P', { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
  });

  it('POST product defaults amount to 1000; PUT keeps omitted fields; unknown attributes are ignored', async () => {
    const created = (await (await send('POST', '/api/products', { sku: 'Q2', name: 'Quilt', price: 10, colour: 'teal' })).json()) as Record<string, unknown>;
    expect(created.amount).toBe(1000);
    expect(created).not.toHaveProperty('colour');
    const put = (await (await send('PUT', `/api/products/${created.id}`, { amount: 3 })).json()) as Record<string, unknown>;
    expect([put.amount, put.name, put.price]).toEqual([3, 'Quilt', 10]);
  });
});

describe('storefront simulation', () => {
  it('over HTTP: place, pay, refund, cancel; stock follows; bad specs are 422', async () => {
    const sku = sb.store.catalog.items[3]!.itemNo;
    const sellable = sb.store.sellableBySku.get(sku)!;
    const before = sb.store.stockOf(sellable);
    const post = (p: string, b: unknown = {}) => fetch(`${sb.url}/__sandbox/storefront${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
    let r = await post('/orders', { guestEmail: 'g@example.com', lines: [{ sku, qty: 2 }], currency: 'GBP', coupon: 'TAKE5', shippingMethod: 'Express', paid: false });
    expect(r.status).toBe(201);
    const o = (await r.json()) as { id: number; currency: string; payment_status: { code: string }; surcharges: Array<{ type: string }> };
    expect(o.currency).toBe('GBP');
    expect(o.payment_status.code).toBe('Q');
    expect(o.surcharges.map((s) => s.type).sort()).toEqual(['discount', 'shipping', ...(o.surcharges.some((s) => s.type === 'tax') ? ['tax'] : [])].sort());
    expect(sb.store.stockOf(sellable)).toBe(before - 2);
    r = await post(`/orders/${o.id}/cancel`);
    expect(((await r.json()) as { payment_status: { code: string } }).payment_status.code).toBe('C');
    expect(sb.store.stockOf(sellable)).toBe(before);
    const paid = (await (await post('/orders', { lines: [{ sku, qty: 1 }], paid: true })).json()) as { id: number };
    r = await post(`/orders/${paid.id}/refund`);
    expect(((await r.json()) as { payment_status: { code: string } }).payment_status.code).toBe('R');
    r = await post('/orders', { lines: [{ sku: 'NO-SUCH-SKU', qty: 1 }] });
    expect(r.status).toBe(422);
    r = await post(`/orders/${paid.id}/refund`);
    expect(r.status).toBe(400);
    r = await post('/orders/bulk', { count: 10 });
    expect(((await r.json()) as { count: number }).count).toBe(10);
  });
});

describe('legacy REST API (tracking numbers, with the 5.4 module enabled)', () => {
  beforeAll(() => void sb.features.set({ trackingModule: 'legacy-rest' }));
  afterAll(() => void sb.features.set({}));

  it('key checks, unknown entity, form input with _method override, X-Result-Count', async () => {
    const o = sb.store.orderList[5]!;
    const base = `${sb.url}/admin.php?target=RESTAPI`;
    expect((await fetch(`${base}&_key=wrong&_path=ordertrackingnumber`)).status).toBe(403);
    expect((await fetch(`${base}&_key=${sb.credentials.legacyKey}&_path=product`)).status).toBe(404);
    let r = await fetch(`${base}&_key=${sb.credentials.legacyReadKey}&_path=ordertrackingnumber/0&_method=post&model[value]=T1&model[order]=${o.id}`);
    expect(r.status).toBe(403);
    r = await fetch(`${base}&_key=${sb.credentials.legacyKey}&_path=ordertrackingnumber/0`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `model[value]=TRK-1&model[order][order_id]=${o.id}`,
    });
    expect(r.status).toBe(200);
    const t = (await r.json()) as { tracking_id: number; value: string };
    expect(t.value).toBe('TRK-1');
    r = await fetch(`${base}&_key=${sb.credentials.legacyReadKey}&_path=ordertrackingnumber/${t.tracking_id}`);
    expect(r.headers.get('x-result-count')).toBe('1');
    r = await fetch(`${base}&_key=${sb.credentials.legacyKey}&_path=ordertrackingnumber/0`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'model[value]=&model[order]=1' });
    expect(r.status).toBe(400);
    expect(r.headers.get('x-rest-error')).toMatch(/empty/);
    r = await fetch(`${base}&_key=${sb.credentials.legacyKey}&_path=ordertrackingnumber/${t.tracking_id}`, { method: 'POST', headers: { 'x-http-method-override': 'DELETE' } });
    expect(r.status).toBe(200);
    expect(sb.store.orders.get(o.id)!.tracking_numbers).toEqual([]);
  });
});

describe('fault injection per route', () => {
  it('a rule on GET /api/orders answers 503 problem+json there only', async () => {
    await fetch(`${sb.url}/__sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [{ route: 'GET /api/orders', error5xx: 1 }] }) });
    try {
      const r = await get('/api/orders');
      expect(r.status).toBe(503);
      expect(r.headers.get('content-type')).toMatch(/problem\+json/);
      expect((await get('/api/products')).status).toBe(200);
    } finally {
      await fetch(`${sb.url}/__sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"rules":[]}' });
    }
    expect((await get('/api/orders')).status).toBe(200);
  });
});

describe('webhook push EXTENSION', () => {
  it('signed deliveries; duplicate and out-of-order faults happen and are visible to the receiver', async () => {
    const hook = await startWebhookReceiver();
    try {
      sb.webhooks.configure({ url: hook.url, secret: 'whsec-test-123', duplicate: 0.3, outOfOrder: 0.3 });
      const placed = sb.storefront.placeOrders(40, { paid: false });
      await sb.webhooks.flush();
      sb.webhooks.configure(null);
      const received = hook.requests.map((r) => ({ raw: r.raw, sig: r.headers['x-syncline-signature'] as string | undefined, id: r.headers['x-syncline-event-id'] as string | undefined }));
      const events = received.map((r) => verifyWebhook(r.raw, r.sig, 'whsec-test-123'));
      expect(() => verifyWebhook(received[0]!.raw, received[0]!.sig, 'other-secret')).toThrowError(/signature does not match/);
      expect(() => verifyWebhook(received[0]!.raw.replace('order', 'ordex'), received[0]!.sig, 'whsec-test-123')).toThrow();
      // Every order announced, some twice (same event id), some out of order.
      expect(new Set(events.map((e) => e.data.id))).toEqual(new Set(placed.map((o) => o.id)));
      expect(received.length).toBeGreaterThan(new Set(received.map((r) => r.id)).size);
      const order = events.map((e) => e.data.id);
      expect(order.some((id, i) => i > 0 && id < order[i - 1]!)).toBe(true);
      expect(sb.webhooks.stats.duplicated).toBeGreaterThan(0);
      expect(sb.webhooks.stats.reordered).toBeGreaterThan(0);
    } finally {
      await hook.close();
    }
  });
});

describe('CLI', () => {
  it('`syncline sandbox xcart --json` prints the URL and both tokens once listening', async () => {
    const bin = path.resolve(import.meta.dirname, '../../../bin/syncline.js');
    const child = spawn(process.execPath, [bin, 'sandbox', 'xcart', '--port', '0', '--json', '--credentials', '{"readToken":"r1","writeToken":"w1"}'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c) => {
          out += c;
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
        setTimeout(() => reject(new Error('no output')), 30_000);
      });
      const info = JSON.parse(line) as { url: string; credentials: { readToken: string; writeToken: string } };
      expect(info.credentials).toMatchObject({ readToken: 'r1', writeToken: 'w1' });
      const r = await fetch(`${info.url}/api/orders?itemsPerPage=1`, { headers: { 'x-auth-token': 'r1' } });
      expect(r.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

// Issue 16: how a stock X-Cart 5.5 answers where the public record (iidevv/xc55) says so; see
// docs/connectors/xcart.md "Fidelity".
describe('fidelity: a stock X-Cart 5.5 store, by default', () => {
  const w = { 'x-auth-token': 'write-t', 'content-type': 'application/json' };
  const put = (p: string, body: unknown) => fetch(`${sb.url}${p}`, { method: 'PUT', headers: w, body: JSON.stringify(body) });

  it('has no tracking-number API: admin.php?target=RESTAPI is not there unless the legacy module is enabled', async () => {
    const url = `${sb.url}/admin.php?target=RESTAPI&_key=${sb.credentials.legacyKey}&_path=ordertrackingnumber`;
    const stock = await fetch(url);
    expect(stock.status).toBe(404);
    expect(stock.headers.get('content-type')).toMatch(/text\/html/);
    sb.features.set({ trackingModule: 'legacy-rest' });
    try {
      const withModule = await fetch(url);
      expect(withModule.status).toBe(200);
      expect(withModule.headers.get('x-sandbox-extension')).toMatch(/legacy module/);
    } finally {
      sb.features.set({});
    }
  });

  it('status endpoints: a missing order is 400 "Order with ID N not found" (GET and PUT, before the body is read)', async () => {
    for (const kind of ['payment', 'shipping']) {
      const get = await fetch(`${sb.url}/api/orders/99999999/${kind}_status`, { headers: w });
      expect([get.status, ((await get.json()) as { detail: string }).detail]).toEqual([400, 'Order with ID 99999999 not found']);
      const bad = await put(`/api/orders/99999999/${kind}_status`, { code: '' });
      expect([bad.status, ((await bad.json()) as { detail: string }).detail]).toEqual([400, 'Order with ID 99999999 not found']);
    }
    expect((await fetch(`${sb.url}/api/orders/99999999`, { headers: w })).status).toBe(404);
  });

  it('status endpoints check no transitions: any known code is set, a numeric code is a status id; wording "is invalid" / "is wrong"', async () => {
    const o = sb.storefront.placeOrder({ paid: true });
    const set = async (kind: string, code: string) => {
      const r = await put(`/api/orders/${o.id}/${kind}_status`, { code });
      return [r.status, (await r.json()) as { code?: string; detail?: string }] as const;
    };
    expect((await set('payment', 'Q'))[1].code).toBe('Q'); // Paid → Awaiting payment
    expect((await set('shipping', 'D'))[1].code).toBe('D'); // New → Delivered
    expect((await set('shipping', 'WFA'))[1].code).toBe('WFA');
    expect((await set('payment', '4'))[1].code).toBe('P'); // id 4 = the fourth payment status (Paid)
    const p = await set('payment', 'ZZ');
    expect([p[0], p[1].detail]).toEqual([400, "Status code 'ZZ' is invalid"]);
    const sh = await set('shipping', 'ZZ');
    expect([sh[0], sh[1].detail]).toEqual([400, "Status code 'ZZ' is wrong"]);
  });

  it('addresses carry is_work and a country_code that is never null; surcharges carry weight', async () => {
    const o = sb.storefront.placeOrder({ paid: true });
    const order = (await (await fetch(`${sb.url}/api/orders/${o.id}`, { headers: w })).json()) as Record<string, any>;
    expect(Object.keys(order.billing_address)).toEqual(['id', 'is_billing', 'is_shipping', 'is_work', 'type', 'title', 'firstname', 'lastname', 'phone', 'street', 'zipcode', 'city', 'country_code', 'state', 'state_name', 'custom_fields']);
    expect(order.billing_address.is_work).toBe(false);
    expect(order.surcharges.length).toBeGreaterThan(0);
    for (const s of order.surcharges) expect(s.weight).toEqual(expect.any(Number));
    const profile = sb.store.profiles.values().next().value!;
    const created = await fetch(`${sb.url}/api/profiles/${profile.id}/addresses`, { method: 'POST', headers: w, body: JSON.stringify({ firstname: 'No', lastname: 'Country', is_work: true }) });
    const a = (await created.json()) as Record<string, unknown>;
    expect([created.status, a.country_code, a.is_work]).toEqual([201, '', true]);
  });

  it('billing_address, shipping_address, payment_status and shipping_status can be null', async () => {
    const o = sb.storefront.placeOrder({ paid: false, nullFields: ['billing_address', 'shipping_address', 'payment_status', 'shipping_status'] });
    const order = (await (await fetch(`${sb.url}/api/orders/${o.id}`, { headers: w })).json()) as Record<string, unknown>;
    expect([order.billing_address, order.shipping_address, order.payment_status, order.shipping_status]).toEqual([null, null, null, null]);
    // Setting a status gives the order one.
    expect((await put(`/api/orders/${o.id}/shipping_status`, { code: 'P' })).status).toBe(200);
    expect(((await (await fetch(`${sb.url}/api/orders/${o.id}`, { headers: w })).json()) as { shipping_status: { code: string } }).shipping_status.code).toBe('P');
  });

  it('serves every route as .{_format} too (/api/orders.json, /api/orders/N.jsonld)', async () => {
    const list = await fetch(`${sb.url}/api/orders.json?itemsPerPage=2`, { headers: { 'x-auth-token': 'read-t', accept: 'application/ld+json' } });
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await list.json()) as unknown[]).length).toBe(2);
    const id = sb.store.orderList[0]!.id;
    const one = await fetch(`${sb.url}/api/orders/${id}.jsonld`, { headers: { 'x-auth-token': 'read-t' } });
    expect(((await one.json()) as Record<string, unknown>)['@id']).toBe(`/api/orders/${id}`);
    expect((await fetch(`${sb.url}/api/orders/${id}/payment_status.json`, { headers: { 'x-auth-token': 'read-t' } })).status).toBe(200);
  });
});
