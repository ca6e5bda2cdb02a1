// The sagex3-stock-to-amazon flow document run by Syncline against the Amazon and Sage X3 sandboxes
// over HTTP: a tick reads the MFN site's stock (US011), sends the changed items in one
// JSON_LISTINGS_FEED, reads the processing report back; merchant-fulfilled listings get X3's
// accepted − allocated quantity, FBA listings (which refuse a DEFAULT quantity) end as one dead letter
// per SKU; a second tick with one item changed sends that item only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireSchedule, startAmazonX3, type AmazonX3 } from './amazon-x3-pair.js';
import { until } from '../support/wait.js';

const FLOW = 'sagex3-stock-to-amazon';
let pair: AmazonX3;
beforeAll(async () => {
  // Seed 1: the shipped SKU table is generated from the seed-1 catalog both sandboxes share.
  pair = await startAmazonX3({ seed: 1, flows: [{ use: FLOW, options: { mfnSite: 'US011', feedPollMs: 100 } }] });
}, 120_000);
afterAll(async () => {
  await pair?.stop();
});

const fire = () => fireSchedule(pair.runtime, FLOW);

/** X3's sellable quantity at US011 per item: accepted stock less allocations, as the X3 sandbox keeps it. */
function x3Sellable(): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of pair.x3.state.stockRows({ site: 'US011', sta: 'A*' })) out.set(r.ITMREF, (out.get(r.ITMREF) ?? 0) + r.QTYSTU.minus(r.CUMALLQTY).toNumber());
  return new Map([...out].map(([k, v]) => [k, Math.max(0, Math.floor(v))]));
}
const deadJobs = async () => (await pair.runtime.engine.queue.list({ state: 'dead', limit: 500 })).map((d) => JSON.stringify(d));

describe(`flow ${FLOW}`, () => {
  it('MFN listings get X3 accepted − allocated in one feed; each FBA SKU the feed rejected is its own dead letter', async () => {
    const market = pair.amazon.sandbox.market;
    const want = x3Sellable();
    const mfn = [...market.listings.values()].filter((l) => l.channel === 'MFN' && want.has(l.sku));
    const afn = [...market.listings.values()].filter((l) => l.channel === 'AFN' && want.has(l.sku));
    expect(mfn.length).toBeGreaterThan(2);
    expect(afn.length).toBeGreaterThan(0);
    // Make the MFN quantities differ from X3's so the feed visibly sets them.
    for (const l of mfn) market.setMfnQuantity(l, 999);
    await fire();
    await until('MFN quantities = X3 sellable', () => mfn.map((l) => l.mfnQuantity), (q) => q.every((v, i) => v === want.get(mfn[i]!.sku)), 90_000, 200);
    // Every FBA SKU: rejected in the batch → its own event → one dead letter naming it and Amazon's issue.
    const dead = await until('a dead letter per FBA SKU', deadJobs, (d) => afn.every((l) => d.some((j) => j.includes(`rejected:${l.sku}`))), 90_000, 200);
    expect(dead).toHaveLength(afn.length);
    for (const j of dead) expect(j).toContain('FULFILLMENT_CHANNEL_CONFLICT');
    for (const l of afn) expect(l.mfnQuantity).toBe(0);
  }, 120_000);

  it('a second tick sends only the item whose stock changed (the handling time on each message: see the flow cases)', async () => {
    const market = pair.amazon.sandbox.market;
    const sku = [...market.listings.values()].find((l) => l.channel === 'MFN' && x3Sellable().has(l.sku))!.sku;
    const other = [...market.listings.values()].find((l) => l.channel === 'MFN' && l.sku !== sku && x3Sellable().has(l.sku))!;
    pair.x3.state.receiveStock({ site: 'US011', item: sku, qty: '7' });
    // Drift on another listing: not an X3 change, so this tick leaves it alone (the diff is against what was sent).
    market.setMfnQuantity(other, 12345);
    const deadBefore = (await deadJobs()).length;
    await fire();
    const want = x3Sellable().get(sku)!;
    await until('the changed item updated', () => market.listings.get(sku)!.mfnQuantity, (q) => q === want, 90_000, 200);
    expect(market.listings.get(other.sku)!.mfnQuantity).toBe(12345);
    expect((await deadJobs()).length).toBe(deadBefore);
  }, 120_000);
});
