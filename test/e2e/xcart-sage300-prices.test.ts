// Prices Sage 300 → X-Cart (issue 8 §2.7): a price changed in IC Item Pricing reaches the product or
// variant the shop sells, over HTTP. A price change leaves ICItems as it was, so the catalog flow
// (items poller) alone never sends it: this test also runs that flow and shows it does not. A price
// the shop already sells at is read and left alone (the day's first poll re-reads every price).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProduct, getVariant, listSkus, updateProduct, type SkuEntry } from '../../src/connectors/xcart/index.js';
import { reconcileXcartSage300 } from '../../src/reconcile/xcart-sage300.js';
import { unformattedItemNumber } from '../../src/connectors/sage300/index.js';
import { startPair, sleep, until, type Pair } from './xcart-sage300-pair.js';

const PRICES = 'sage300-price-to-xcart';
const ITEMS = 'sage300-item-to-xcart';

async function shopPrice(pair: Pair, e: SkuEntry): Promise<number> {
  return Number(e.variantId !== null ? (await getVariant.call(pair.shop, { productId: e.productId, id: e.variantId })).price : (await getProduct.call(pair.shop, { id: e.productId })).price);
}

describe('prices Sage 300 → X-Cart', () => {
  let pair: Pair;
  let product: SkuEntry;
  let variant: SkuEntry;
  let other: SkuEntry;
  beforeAll(async () => {
    pair = await startPair({
      concurrency: 16,
      flows: ({ shop, erp }) => [
        // Both start today (Sage 300's stamps are dates): the first polls are the day's initial sync.
        { use: PRICES, connections: { erp, shop }, since: 'now', pollIntervalMs: 250 },
        { use: ITEMS, connections: { erp, shop }, since: 'now', pollIntervalMs: 250 },
      ],
    });
    const skus = await listSkus.call(pair.shop, {});
    product = skus.find((s) => !s.hasVariants && s.variantId === null && /^A1-\d{4}-[A-Z]{3}$/.test(s.sku))!;
    variant = skus.find((s) => s.variantId !== null && /^A1-\d{4}-[A-Z]{3}$/.test(s.sku))!;
    other = skus.find((s) => !s.hasVariants && s.variantId === null && /^A1-\d{4}-[A-Z]{3}$/.test(s.sku) && s.sku !== product.sku)!;
    expect([product, variant, other].every(Boolean)).toBe(true);
    await sleep(2_000);
    await pair.idle([PRICES, ITEMS], 6_000, 300_000);
  }, 360_000);
  afterAll(async () => pair?.stop());

  it('a new price of a product and of a variant reaches the shop; other price lists change nothing; nothing dead', async () => {
    const before = await shopPrice(pair, product);
    const next = (before + 3.17).toFixed(2);
    const nextVariant = ((await shopPrice(pair, variant)) + 1.05).toFixed(2);
    const changedAt = Date.now();
    pair.sage300.backOffice.setPrice(product.sku, next);
    pair.sage300.backOffice.setPrice(variant.sku, nextVariant);
    pair.sage300.backOffice.setPrice(product.sku, '1.00', 'WHS');
    await until(`${product.sku} at ${next}`, () => shopPrice(pair, product), (p) => p === Number(next), 60_000, 250);
    await until(`${variant.sku} at ${nextVariant}`, () => shopPrice(pair, variant), (p) => p === Number(nextVariant), 60_000, 250);
    await pair.idle([PRICES, ITEMS], 3_000);
    expect(await shopPrice(pair, product)).toBe(Number(next));
    expect(await pair.dead()).toEqual([]);
    // The catalog flow saw no change for either item (ICItems did not move): without the price flow
    // the shop would keep the old prices.
    const itemRuns = await pair.runtime.engine.runs.list({ flow: ITEMS, limit: 1000 });
    expect(itemRuns.filter((r) => r.startedAt >= changedAt && [product.sku, variant.sku].some((s) => r.recordKey.endsWith(`:${s}`)))).toEqual([]);
    const runs = await pair.runtime.engine.runs.list({ flow: PRICES, limit: 2000 });
    expect(runs.some((r) => r.status === 'succeeded' && r.note === `productPrice: ${product.sku} price ${next}`)).toBe(true);
    expect(runs.filter((r) => r.recordKey.endsWith('/WHS/USD') && r.status !== 'skipped')).toEqual([]);
  }, 120_000);

  it('a new Sage 300 price the shop already sells at is read, not written', async () => {
    // The shop's back office got the new price first; Sage 300's price list follows.
    const price = ((await shopPrice(pair, other)) + 2.5).toFixed(2);
    await updateProduct.call(pair.shop, { id: other.productId, changes: { price } });
    pair.xcart.traffic.log.length = 0;
    pair.xcart.traffic.record = true;
    const changedAt = Date.now();
    pair.sage300.backOffice.setPrice(other.sku, price);
    const key = `sage300:item-price:${unformattedItemNumber(other.sku)}/RTL/USD`;
    const runsOf = async () => (await pair.runtime.engine.runs.list({ flow: PRICES, limit: 2000 })).filter((r) => r.recordKey === key && r.startedAt >= changedAt);
    const [run] = await until(`the price run of ${other.sku}`, runsOf, (r) => r.length > 0, 60_000, 250);
    await pair.idle([PRICES, ITEMS], 1_000);
    pair.xcart.traffic.record = false;
    expect(run).toMatchObject({ status: 'skipped', note: 'the shop already sells it at this price' });
    // Read (GET the product), never written (no PUT of it).
    const ofProduct = pair.xcart.traffic.log.filter((t) => new RegExp(`/products/${other.productId}(\\?|$)`).test(t.url));
    expect(ofProduct.map((t) => t.method)).toContain('GET');
    expect(ofProduct.filter((t) => t.method !== 'GET')).toEqual([]);
    expect(await shopPrice(pair, other)).toBe(Number(price));
  }, 90_000);

  it('reconcile --parts prices: clean once synced, then a price edited in the shop is listed with its amount', async () => {
    const clean = await reconcileXcartSage300(pair.shop, pair.erp, { parts: ['prices'] });
    expect(clean.prices!.compared).toBeGreaterThan(100);
    expect(clean.differences).toEqual([]);
    const sagePrice = await shopPrice(pair, product);
    await updateProduct.call(pair.shop, { id: product.productId, changes: { price: sagePrice + 10 } });
    const report = await reconcileXcartSage300(pair.shop, pair.erp, { parts: ['prices'] });
    expect(report.differences).toEqual([{ kind: 'price-differs', key: product.sku, amount: '-10.00', xcart: (sagePrice + 10).toFixed(2), sage300: sagePrice.toFixed(2), detail: 'USD, Sage 300 price list RTL' }]);
  }, 60_000);
});
