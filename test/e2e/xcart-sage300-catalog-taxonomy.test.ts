// Catalog Sage 300 → X-Cart, categories and attributes (issue 8 §2.7): each item's Sage 300 category
// becomes one X-Cart category of the same description (created once, even with 16 items of it in
// flight at once) holding the product; published item optional fields (table item-optional-fields)
// become the product's textarea attributes, written again only when they change.
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSku } from '../../src/connectors/xcart/index.js';
import { startPair, sleep, until, type Pair } from './xcart-sage300-pair.js';

const FLOW = 'sage300-item-to-xcart';

describe('catalog Sage 300 → X-Cart: categories and optional fields as attributes', () => {
  let pair: Pair;
  const shopGet = <T extends z.ZodType>(path: string, schema: T) => pair.shop.call({ operation: 'test', path }, schema);
  const categories = () => shopGet('api/categories?itemsPerPage=100', z.array(z.looseObject({ id: z.number(), name: z.string() })));
  const productsIn = (id: number) => shopGet(`api/categories/${id}/products?itemsPerPage=100`, z.array(z.looseObject({ product_id: z.number() })));

  beforeAll(async () => {
    pair = await startPair({
      concurrency: 16,
      flows: ({ shop, erp }) => [
        { use: FLOW, connections: { erp, shop }, since: `${new Date().toISOString().slice(0, 10)}T00:00:00Z`, pollIntervalMs: 250 },
      ],
    });
    await sleep(2_000);
    await pair.idle([FLOW], 6_000, 400_000);
  }, 480_000);
  afterAll(async () => pair?.stop());

  it('the initial sync: one shop category per Sage 300 category, named by its description, holding its products', async () => {
    expect(await pair.dead(FLOW)).toEqual([]);
    const cats = await categories();
    const names = cats.map((c) => c.name).sort();
    expect(new Set(names).size).toBe(names.length); // created once each
    expect(names).toContain('Apparel');
    const lamp = (await findSku.call(pair.shop, { sku: 'A1-105/0', maxAgeMs: 0 }))[0]!;
    const apparel = cats.find((c) => c.name === 'Apparel')!;
    expect((await productsIn(apparel.id)).map((p) => p.product_id)).toContain(lamp.productId);
  }, 60_000);

  it('published optional fields become attributes; an internal one stays in Sage 300; a change is written', async () => {
    const lamp = (await findSku.call(pair.shop, { sku: 'A1-105/0' }))[0]!;
    const patch = (fields: Array<{ OptionalField: string; Value: string }>) => pair.erp.request({
      operation: 'test', method: 'PATCH', path: pair.erp.path('IC', "ICItems('A11050')"), body: { ItemOptionalFields: fields.map((f) => ({ ItemNumber: 'A1-105/0', ...f })) }, idempotent: false,
    });
    const attributeId = async (name: string) => (await shopGet('api/attributes_text', z.array(z.looseObject({ id: z.number(), name: z.string() })))).find((a) => a.name === name)?.id;
    const valueOf = async (name: string) => {
      const id = await attributeId(name);
      if (id === undefined) return undefined;
      return (await shopGet(`api/products/${lamp.productId}/attributes_text/${id}/values`, z.looseObject({ value: z.string() })).catch(() => undefined))?.value;
    };

    await patch([{ OptionalField: 'COLOR', Value: 'White' }, { OptionalField: 'COSTCTR', Value: '4410' }]);
    await until('Color in the shop', () => valueOf('Color'), (v) => v === 'White', 60_000, 250);
    expect(await attributeId('COSTCTR')).toBeUndefined();

    await patch([{ OptionalField: 'COLOR', Value: 'Black' }, { OptionalField: 'COSTCTR', Value: '4410' }]);
    await until('Color changed', () => valueOf('Color'), (v) => v === 'Black', 60_000, 250);
    expect(await pair.dead(FLOW)).toEqual([]);
  }, 150_000);
});
