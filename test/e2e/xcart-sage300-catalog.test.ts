// Catalog Sage 300 → X-Cart (issue 8 §2.7): items the shop lacks are created (stock 0), items it has
// get Sage 300's price, an item made inactive is disabled in the shop — never deleted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSku, getProduct, getVariant } from '../../src/connectors/xcart/index.js';
import { getItemPrice } from '../../src/connectors/sage300/index.js';
import { startPair, sleep, until, type Pair } from './xcart-sage300-pair.js';

describe('catalog Sage 300 → X-Cart', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({
      concurrency: 16,
      flows: ({ shop, erp }) => [
        // ICITEM's stamp is a date: start at midnight, so the first poll is the initial sync.
        { use: 'sage300-item-to-xcart', connections: { erp, shop }, since: `${new Date().toISOString().slice(0, 10)}T00:00:00Z`, pollIntervalMs: 250 },
      ],
    });
    await sleep(2_000);
    await pair.idle(['sage300-item-to-xcart'], 6_000, 300_000);
  }, 360_000);
  afterAll(async () => pair?.stop());

  it('the initial sync: an item the shop lacks becomes a product; a variant gets Sage 300\'s price; nothing dead', async () => {
    expect(await pair.dead('sage300-item-to-xcart')).toEqual([]);
    const created = (await findSku.call(pair.shop, { sku: 'A1-105/0', maxAgeMs: 0 }))[0];
    expect(created).toBeDefined();
    expect(created!.amount).toBe(0);
    const [price] = await getItemPrice.call(pair.erp, { itemNumber: 'A1-1001-BLK' });
    const e = (await findSku.call(pair.shop, { sku: 'A1-1001-BLK' }))[0]!;
    const v = await getVariant.call(pair.shop, { productId: e.productId, id: e.variantId! });
    expect(Number(v.price)).toBe(Number(price!.UnitPrice));
  }, 60_000);

  it('an item made inactive in Sage 300 is disabled in the shop, not deleted', async () => {
    await pair.erp.request({ operation: 'test', method: 'PATCH', path: pair.erp.path('IC', "ICItems('A11050')"), body: { Status: 'Inactive' }, idempotent: false });
    const created = (await findSku.call(pair.shop, { sku: 'A1-105/0' }))[0]!;
    const p = await until('disabled', () => getProduct.call(pair.shop, { id: created.productId }), (x) => x.enabled === false, 60_000, 250).catch(async (e) => {
      const runs = await pair.runtime.engine.runs.list({ flow: 'sage300-item-to-xcart', q: 'A1-105/0', limit: 5 });
      console.log(JSON.stringify(await Promise.all(runs.map((r) => pair.runtime.engine.runs.get(r.id)))).slice(0, 6000));
      throw e;
    });
    expect(p.sku).toBe('A1-105/0');
  }, 90_000);
});
