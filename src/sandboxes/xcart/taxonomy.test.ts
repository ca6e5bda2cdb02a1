// The X-Cart sandbox's categories and textarea attributes (routes/taxonomy.ts) over raw HTTP: the
// shapes and answers of XC55's Category / Attribute / AttributeValueText API resources.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type XcartSandbox } from './index.js';

let sb: XcartSandbox;
const get = (p: string) => fetch(sb.url + p, { headers: { 'x-auth-token': sb.credentials.readToken } });
const send = (method: string, p: string, body?: unknown, token?: string) =>
  fetch(sb.url + p, { method, headers: { 'x-auth-token': token ?? sb.credentials.writeToken, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

beforeAll(async () => {
  sb = await start({ seed: 3 });
});
afterAll(() => sb.close());

describe('categories', () => {
  it('create (Input defaults), list by parent, put, link a product once, unlink; unknown ids 404; a blank name 422', async () => {
    let r = await send('POST', '/api/categories', { name: 'Apparel' });
    expect(r.status).toBe(201);
    const apparel = (await r.json()) as Record<string, unknown>;
    expect(apparel).toMatchObject({ name: 'Apparel', enabled: true, show_title: true, position: 0, parent: null, clean_url: 'apparel', memberships: [], icon: null, banner: null });
    r = await send('POST', '/api/categories', { name: 'Pants', parent: apparel.id });
    const pants = (await r.json()) as { id: number };
    expect(((await (await get(`/api/categories?parent=${String(apparel.id)}`)).json()) as Array<{ id: number }>).map((c) => c.id)).toEqual([pants.id]);
    expect((await send('POST', '/api/categories', { name: '' })).status).toBe(422);
    expect((await send('POST', '/api/categories', { name: 'X', parent: 9999 })).status).toBe(400);
    expect((await get('/api/categories/9999')).status).toBe(404);
    expect((await send('POST', '/api/categories', { name: 'X' }, sb.credentials.readToken)).status).toBe(403);

    r = await send('PUT', `/api/categories/${pants.id}`, { enabled: false });
    expect(await r.json()).toMatchObject({ id: pants.id, name: 'Pants', enabled: false });

    const product = [...sb.store.products.values()][0]!;
    expect((await send('POST', `/api/categories/${pants.id}/products`, { product_id: product.id })).status).toBe(201);
    expect((await send('POST', `/api/categories/${pants.id}/products`, { product_id: product.id })).status).toBe(400);
    expect((await send('POST', `/api/categories/${pants.id}/products`, { product_id: 999999 })).status).toBe(404);
    expect(await (await get(`/api/categories/${pants.id}/products`)).json()).toEqual([{ product_id: product.id }]);
    expect((await send('DELETE', `/api/categories/${pants.id}/products/${product.id}`)).status).toBe(204);
    expect(await (await get(`/api/categories/${pants.id}/products`)).json()).toEqual([]);
  });
});

describe('textarea attributes and their values', () => {
  it('a global attribute by name; a product value posted once, then put; unknown product or attribute 404', async () => {
    let r = await send('POST', '/api/attributes_text', { name: 'Color' });
    expect(r.status).toBe(201);
    const color = (await r.json()) as { id: number };
    expect(await (await get('/api/attributes_text')).json()).toEqual([{ id: color.id, name: 'Color', position: 0, groupId: null }]);
    const product = [...sb.store.products.values()][1]!;
    const values = `/api/products/${product.id}/attributes_text/${color.id}/values`;
    expect((await get(values)).status).toBe(404);
    expect((await send('POST', values, { value: 'White' })).status).toBe(201);
    expect((await send('POST', values, { value: 'White' })).status).toBe(400);
    expect((await send('PUT', values, { value: 'Black' })).status).toBe(200);
    expect(await (await get(values)).json()).toMatchObject({ value: 'Black', editable: false });
    expect((await send('POST', `/api/products/999999/attributes_text/${color.id}/values`, { value: 'x' })).status).toBe(404);
    expect((await send('POST', `/api/products/${product.id}/attributes_text/9999/values`, { value: 'x' })).status).toBe(404);
    expect((await send('PUT', values, { value: 5 })).status).toBe(400); // a number where the DTO has a string
  });
});
