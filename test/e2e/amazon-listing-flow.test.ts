// The sagex3-item-to-amazon-listing flow document run by Syncline against the Sage X3 and Amazon
// sandboxes over HTTP: a product changed in X3 reaches its Amazon listing (name, price, EAN) through
// a VALIDATION_PREVIEW then a PATCH that leaves the fulfilment channel and quantity alone; a product
// Amazon does not list (any more) is created with PUT; an EAN Amazon refuses in the preview is one
// dead letter naming the SKU and Amazon's issue, and the listing is left as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAmazonX3, type AmazonX3 } from './amazon-x3-pair.js';
import { until } from './xcart-sage300-pair.js';

const FLOW = 'sagex3-item-to-amazon-listing';
let pair: AmazonX3;
beforeAll(async () => {
  // Seed 1: the shipped SKU table is generated from the seed-1 catalog both sandboxes share.
  pair = await startAmazonX3({ seed: 1, flows: [{ use: FLOW, pollIntervalMs: 200, since: 'sandboxes' }] });
}, 120_000);
afterAll(async () => {
  await pair?.stop();
});

/** A clerk edits the product in X3 (the screen stamps UPDDATTIM). */
function editItem(item: string, fields: Record<string, string>): void {
  const rec = pair.x3.state.stores.ITM.get(item)!;
  Object.assign(rec.fields, fields);
  rec.updated = pair.x3.state.stamp();
}
const dead = async () => (await pair.runtime.engine.queue.list({ state: 'dead', limit: 50 })).map((d) => JSON.stringify(d));

describe(`flow ${FLOW}`, () => {
  it('a changed product reaches its listing (name, price, EAN); the channel and quantity stay as Amazon has them', async () => {
    const market = pair.amazon.sandbox.market;
    const mfn = [...market.listings.values()].find((l) => l.channel === 'MFN')!;
    const afn = [...market.listings.values()].find((l) => l.channel === 'AFN')!;
    const before = { mfnQty: mfn.mfnQuantity, afnFba: afn.fba.fulfillable };
    editItem(mfn.sku, { DES1AXX: 'Renamed in X3', BASPRI: '123.45', EANCOD: '4006381333931' });
    editItem(afn.sku, { BASPRI: '9.99' });
    await until('both listings updated', () => [mfn.title, mfn.price, afn.price], ([t, p, q]) => t === 'Renamed in X3' && p === '123.45' && q === '9.99', 60_000, 200);
    expect((mfn.attributes.externally_assigned_product_identifier as Array<{ value: string }>)[0]!.value).toBe('4006381333931');
    expect(mfn.channel).toBe('MFN');
    expect(mfn.mfnQuantity).toBe(before.mfnQty);
    expect(mfn.attributes.fulfillment_availability).toEqual([{ fulfillment_channel_code: 'DEFAULT', quantity: before.mfnQty }]);
    expect(afn.channel).toBe('AFN');
    expect(afn.fba.fulfillable).toBe(before.afnFba);
    expect(await dead()).toEqual([]);
  }, 90_000);

  it('a product Amazon does not list is created with PUT', async () => {
    const market = pair.amazon.sandbox.market;
    const gone = [...market.listings.values()].filter((l) => l.channel === 'MFN')[3]!;
    gone.deleted = true;
    editItem(gone.sku, { DES1AXX: 'Back on Amazon' });
    await until('the listing recreated', () => market.listings.get(gone.sku)!, (l) => !l.deleted && l.title === 'Back on Amazon', 60_000, 200);
    expect(await dead()).toEqual([]);
  }, 90_000);

  it('an EAN Amazon refuses in VALIDATION_PREVIEW → one dead letter naming the SKU and the issue; the listing unchanged', async () => {
    const market = pair.amazon.sandbox.market;
    const l = [...market.listings.values()].filter((x) => x.channel === 'MFN')[5]!;
    const title = l.title;
    editItem(l.sku, { DES1AXX: 'Should not reach Amazon', EANCOD: '4006381333932' });
    const d = await until('the dead letter', dead, (x) => x.length === 1, 60_000, 200);
    expect(d[0]).toContain(`Amazon found SKU ${l.sku}`);
    expect(d[0]).toContain('VALIDATION_PREVIEW');
    expect(d[0]).toContain('INVALID_PRODUCT_IDENTIFIER [externally_assigned_product_identifier]');
    expect(l.title).toBe(title);
  }, 90_000);
});
