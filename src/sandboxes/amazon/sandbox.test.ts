// The Amazon sandbox on its own, over raw HTTP: what a client that does things wrong gets back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { start, type RunningAmazonSandbox } from './index.js';

let sb: RunningAmazonSandbox;
let token: string;
const DAY = 86_400_000;

async function lwa(body: string | object, type = 'application/x-www-form-urlencoded') {
  const r = await fetch(`${sb.url}/auth/o2/token`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}
const get = async (path: string, t = token) => {
  const r = await fetch(`${sb.url}${path}`, { headers: { 'x-amz-access-token': t } });
  return { status: r.status, headers: r.headers, body: (await r.json()) as any };
};

beforeAll(async () => {
  sb = await start({ timeScale: 10, seed: 4, historicalOrders: 250, credentials: { clientId: 'my-app', clientSecret: 's3cret', refreshToken: 'Atzr|mine', sellerId: 'A1MYSELLER' } });
  const c = sb.credentials as Record<string, string>;
  token = (await lwa(`grant_type=refresh_token&refresh_token=${encodeURIComponent(c.refreshToken!)}&client_id=${c.clientId}&client_secret=${c.clientSecret}`)).body.access_token as string;
});
afterAll(async () => sb?.close());

describe('amazon sandbox: LWA', () => {
  it('takes configured credentials as a form or as JSON, and answers errors in LWA\'s shape', async () => {
    expect(sb.credentials).toMatchObject({ clientId: 'my-app', sellerId: 'A1MYSELLER' });
    const json = await lwa({ grant_type: 'refresh_token', refresh_token: 'Atzr|mine', client_id: 'my-app', client_secret: 's3cret' }, 'application/json');
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    expect(String(json.body.access_token)).toMatch(/^Atza\|/);
    expect(await lwa({ grant_type: 'refresh_token', refresh_token: 'Atzr|other', client_id: 'my-app', client_secret: 's3cret' }, 'application/json')).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await lwa({ grant_type: 'refresh_token', refresh_token: 'Atzr|mine', client_id: 'my-app', client_secret: 'nope' }, 'application/json')).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect((await lwa({ client_id: 'my-app' }, 'application/json')).body.error).toBe('invalid_request');
  });

  it('refuses missing, unknown and expired tokens with Amazon\'s 403 bodies', async () => {
    const r1 = await fetch(`${sb.url}/orders/v0/orders/111-1111111-1111111`);
    expect(r1.status).toBe(403);
    expect(((await r1.json()) as any).errors[0].details).toBe('Access token is missing in the request header.');
    expect((await get('/orders/v0/orders/111-1111111-1111111', 'Atza|forged')).body.errors[0].details).toContain('revoked, malformed or invalid');
    const t = (await lwa({ grant_type: 'refresh_token', refresh_token: 'Atzr|mine', client_id: 'my-app', client_secret: 's3cret' }, 'application/json')).body.access_token as string;
    // One sandbox hour at 10× is six real minutes; jump instead.
    sb.sandbox.clock.advance(3_601_000);
    const expired = await get(`/orders/v0/orders/${sb.sandbox.market.orders[0]!.id}`, t);
    expect(expired.status).toBe(403);
    expect(expired.body.errors[0]).toEqual({ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: 'The access token you provided has expired.' });
    token = (await lwa({ grant_type: 'refresh_token', refresh_token: 'Atzr|mine', client_id: 'my-app', client_secret: 's3cret' }, 'application/json')).body.access_token as string;
  });
});

describe('amazon sandbox: getOrders rules', () => {
  const base = '/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER';
  it('requires exactly one of CreatedAfter / LastUpdatedAfter and ISO dates', async () => {
    expect((await get(base)).status).toBe(400);
    expect((await get(`${base}&CreatedAfter=2026-01-01T00:00:00Z&LastUpdatedAfter=2026-01-01T00:00:00Z`)).status).toBe(400);
    const bad = await get(`${base}&CreatedAfter=2026-13-45`);
    expect(bad.body.errors[0]).toMatchObject({ code: 'InvalidInput', details: 'Invalid date-time field(s) [createdAfter].' });
    expect((await get('/orders/v0/orders?CreatedAfter=2026-01-01T00:00:00Z')).status).toBe(400);
    expect((await get(`${base}&CreatedAfter=2026-01-01T00:00:00Z&MaxResultsPerPage=101`)).status).toBe(400);
    expect((await get(`${base}&CreatedAfter=2026-01-01T00:00:00Z&OrderStatuses=Lost`)).status).toBe(400);
  });

  it('CreatedBefore must be 2 minutes old; the answer carries the bound it used and the rate header', async () => {
    const now = sb.sandbox.clock.now();
    const recent = await get(`${base}&CreatedAfter=${new Date(now - DAY).toISOString()}&CreatedBefore=${new Date(now - 60_000).toISOString()}`);
    expect(recent.status).toBe(400);
    expect(recent.body.errors[0].message).toContain('at least 2 minutes before current time');
    const ok = await get(`${base}&CreatedAfter=${new Date(now - 30 * DAY).toISOString()}`);
    expect(ok.status).toBe(200);
    expect(Date.parse(ok.body.payload.CreatedBefore)).toBeLessThanOrEqual(now - 120_000 + 1000);
    // 0.0167/s published, ×10 time scale, in real requests per second.
    expect(ok.headers.get('x-amzn-ratelimit-limit')).toBe('0.167');
    expect(ok.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a NextToken sent without URL-encoding is Amazon\'s 400; encoded it pages', async () => {
    const first = await get(`${base}&CreatedAfter=${new Date(sb.sandbox.clock.now() - 30 * DAY).toISOString()}`);
    const t = first.body.payload.NextToken as string;
    expect(t).toMatch(/[+/=]/);
    const raw = await get(`${base}&NextToken=${t}`);
    expect(raw.status).toBe(400);
    expect(raw.body.errors[0].message).toBe('We could not decode your NextToken. Possible reasons include: a transmission error, improper quoting or a truncation problem.');
    const ok = await get(`${base}&NextToken=${encodeURIComponent(t)}`);
    expect(ok.status).toBe(200);
    expect(ok.body.payload.Orders[0].AmazonOrderId).not.toBe(first.body.payload.Orders[0].AmazonOrderId);
  });
});

describe('amazon sandbox: PII, buckets and the scaled clock', () => {
  it('strips PII without an RDT and without an error; an RDT opens only its own resources', async () => {
    const o = sb.sandbox.market.orders.find((x) => x.status === 'Shipped')!;
    const plain = await get(`/orders/v0/orders/${o.id}/address`);
    expect(plain.status).toBe(200);
    expect(plain.body.payload.ShippingAddress).toEqual({ City: o.address.city, StateOrRegion: o.address.state, PostalCode: o.address.postalCode, CountryCode: o.address.country });
    const rdtRes = await fetch(`${sb.url}/tokens/2021-03-01/restrictedDataToken`, { method: 'POST', headers: { 'x-amz-access-token': token, 'content-type': 'application/json' }, body: JSON.stringify({ restrictedResources: [{ method: 'GET', path: `/orders/v0/orders/${o.id}/address` }] }) });
    const rdt = ((await rdtRes.json()) as { restrictedDataToken: string }).restrictedDataToken;
    expect((await get(`/orders/v0/orders/${o.id}/address`, rdt)).body.payload.ShippingAddress.Name).toBe(o.address.name);
    expect((await get(`/orders/v0/orders/${o.id}`, rdt)).status).toBe(403);
  });

  it('token buckets refill on the scaled clock: burst, 429 QuotaExceeded, then the scaled rate', async () => {
    const path = '/fba/inventory/v1/summaries?granularityType=Marketplace&granularityId=ATVPDKIKX0DER&marketplaceIds=ATVPDKIKX0DER';
    // 0.1/s × 10 = one token per real second: wide enough margins for a loaded machine.
    sb.sandbox.buckets.override('getInventorySummaries', { rate: 0.1, burst: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await get(path)).status);
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    const throttled = await get(path);
    expect(throttled.status).toBe(429);
    expect(throttled.body.errors[0].code).toBe('QuotaExceeded');
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await get(path)).status).toBe(200);
    sb.sandbox.buckets.override('getInventorySummaries', { rate: 2, burst: 2 });
  });

  it('publishes a settlement by itself every 14 (scaled) days', async () => {
    const before = [...sb.sandbox.reports.values()].filter((r) => r.reportType === 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2').length;
    sb.sandbox.clock.advance(15 * DAY);
    sb.sandbox.market.tick();
    const after = [...sb.sandbox.reports.values()].filter((r) => r.reportType === 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2').length;
    expect(after).toBeGreaterThan(before);
  });

  it('buyers keep ordering by themselves when the simulation runs', async () => {
    const before = sb.sandbox.market.orders.length;
    const r = await fetch(`${sb.url}/__sandbox/simulation`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ordersPerHour: 30 }) });
    expect(r.status).toBe(200);
    sb.sandbox.clock.advance(4 * 3_600_000);
    sb.sandbox.market.tick();
    const placed = sb.sandbox.market.orders.length - before;
    // Poisson with mean 120: far outside [60, 200] would mean a broken generator.
    expect(placed).toBeGreaterThan(60);
    expect(placed).toBeLessThan(200);
    await fetch(`${sb.url}/__sandbox/simulation`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ordersPerHour: 0 }) });
  });

  it('simulation over HTTP: place, ship, return, settle', async () => {
    const post = async (p: string, body: object = {}) => {
      const r = await fetch(`${sb.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as any };
    };
    const mfn = (await (await fetch(`${sb.url}/__sandbox/listings`)).json() as Array<{ sku: string; channel: string }>).find((l) => l.channel === 'MFN')!;
    const placed = await post('/__sandbox/orders', { lines: [{ sku: mfn.sku, quantity: 2 }] });
    expect(placed.body.channel).toBe('MFN');
    expect((await post(`/__sandbox/orders/${placed.body.AmazonOrderId}/ship`)).body.status).toBe('Shipped');
    const ret = await post(`/__sandbox/orders/${placed.body.AmazonOrderId}/return`, { quantity: 1 });
    expect(ret.body.postings.length).toBeGreaterThan(0);
    expect((await post('/__sandbox/orders/111-0000000-0000000/ship')).status).toBe(400);
    const settled = await post('/__sandbox/settlements');
    expect(settled.body.reportDocumentId).toBeTruthy();
  });
});

describe('amazon sandbox: independence', () => {
  it('never imports the connector (both are written from the API docs alone)', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) files.push(p);
      }
    };
    walk(import.meta.dirname);
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.filter((f) => /from\s+['"][^'"]*connectors\//.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
