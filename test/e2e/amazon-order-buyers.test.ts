// amazon-order-to-sagex3 with `customers: per-buyer`, run by Syncline against the Amazon and Sage X3
// sandboxes over HTTP: a merchant-fulfilled order's buyer becomes one X3 customer (BPC) however many
// orders they place, even when their first two arrive at once; the buyer's PII is read only with a
// Restricted Data Token and only for merchant-fulfilled orders (the sandbox strips it otherwise, as
// Amazon does); an Amazon-fulfilled order keeps the marketplace's customer.
import { cpSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAmazonX3, writeMarketplaceTable, type AmazonX3 } from './amazon-x3-pair.js';
import { until } from './xcart-sage300-pair.js';

const root = path.resolve(import.meta.dirname, '../..');
let pair: AmazonX3;
beforeAll(async () => {
  pair = await startAmazonX3({
    seed: 1,
    prepare: (dir) => {
      const mappings = path.join(dir, 'mappings');
      cpSync(path.join(root, 'mappings'), mappings, { recursive: true });
      writeMarketplaceTable(path.join(mappings, 'lookups'));
    },
    flows: [{ use: 'amazon-order-to-sagex3', pollIntervalMs: 200, mapping: 'mappings/amazon-sagex3/order-to-soh.yaml', options: { customers: 'per-buyer' } }],
  });
}, 120_000);
afterAll(async () => {
  await pair?.stop();
});

const sohOf = (orderId: string) => [...pair.x3.state.stores.SOH.values()].filter((r) => r.fields.CUSORDREF === orderId);
const amazonBpcs = () => [...pair.x3.state.stores.BPC.values()].filter((r) => String(r.fields.BPCNUM).startsWith('AZ'));

describe('flow amazon-order-to-sagex3, customers: per-buyer', () => {
  it('two orders of one buyer, and two first orders of another placed at once: one BPC each; FBA keeps the marketplace customer; PII only through an RDT', async () => {
    const market = pair.amazon.sandbox.market;
    const [a, b, c] = market.customers.filter((x) => x.address.country === 'US');
    const now = pair.amazon.sandbox.clock.now();
    const first = market.placeOrder({ channel: 'MFN', buyer: a!.number, purchaseDate: now, status: 'Unshipped' });
    await until('the first order in X3', () => sohOf(first.id), (s) => s.length === 1, 90_000, 200);
    const second = market.placeOrder({ channel: 'MFN', buyer: a!.number, status: 'Unshipped' });
    // Buyer b's first two orders at the same moment: the runs meet at the look-up.
    const together = [market.placeOrder({ channel: 'MFN', buyer: b!.number, status: 'Unshipped' }), market.placeOrder({ channel: 'MFN', buyer: b!.number, status: 'Unshipped' })];
    const fba = market.placeOrder({ channel: 'AFN', buyer: c!.number, status: 'Unshipped' });
    const all = [first, second, ...together, fba];
    await until('every order in X3', () => all.map((o) => sohOf(o.id)), (s) => s.every((x) => x.length === 1), 90_000, 200);
    expect(await pair.runtime.engine.queue.list({ state: 'dead', limit: 10 })).toEqual([]);

    // One BPC per buyer, named and addressed from the RDT read, every MFN order on its buyer's BPC.
    const bpcs = amazonBpcs();
    expect(bpcs).toHaveLength(2);
    const bpcOf = (o: { id: string }) => String(sohOf(o.id)[0]!.fields.BPCORD);
    expect(bpcOf(second)).toBe(bpcOf(first));
    expect(bpcOf(together[1]!)).toBe(bpcOf(together[0]!));
    expect(new Set(bpcs.map((r) => r.fields.BPCNUM))).toEqual(new Set([bpcOf(first), bpcOf(together[0]!)]));
    const bpcA = pair.x3.state.stores.BPC.get(bpcOf(first))!;
    expect(bpcA.fields.BPCNAM).toBe(first.buyerName);
    expect(bpcA.tables.BPAC_1![0]!.WEB1).toBe(first.buyerEmail);
    expect(String(sohOf(first.id)[0]!.fields.BPDADDLIG1)).not.toBe('');
    // Amazon fulfils this one: no PII needed, the marketplace's customer.
    expect(bpcOf(fba)).toBe('C00001');

    // RDTs were issued for the MFN orders' own resources only; the orders list carried no PII.
    const rdtPaths = [...pair.amazon.sandbox.tokens.values()].filter((t) => t.kind === 'rdt').flatMap((t) => (t.resources ?? []).map((r) => r.path));
    expect(rdtPaths.length).toBeGreaterThanOrEqual(4);
    expect(new Set(rdtPaths)).toEqual(new Set([first, second, ...together].map((o) => `/orders/v0/orders/${o.id}`)));
  }, 150_000);
});
