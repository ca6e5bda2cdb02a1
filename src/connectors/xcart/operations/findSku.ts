// Finds one sellable SKU (product or variant) by SKU. X-Cart 5.5 core has no SKU filter (specs
// §1.3), so this keeps an index per client built by listSkus (1 + products calls) and rebuilds it
// when a SKU is missing and the index is older than `maxAgeMs` — a new product is found on the next
// miss, and a shop of 10,000 products is not re-read for every stock change. Answers `[]` or
// `[entry]` (a list, like the other find operations). `amount` in the entry is as of the index:
// read the live stock with getProduct/getVariant.
import { z } from 'zod';
import type { XcartClient } from '../client.js';
import { xcartOperation } from './define.js';
import { listSkus, type SkuEntry } from './listSkus.js';

interface SkuIndex {
  builtAt: number;
  bySku: Map<string, SkuEntry>;
}
const indexes = new WeakMap<XcartClient, SkuIndex>();
const building = new WeakMap<XcartClient, Promise<SkuIndex>>();

async function rebuild(client: XcartClient): Promise<SkuIndex> {
  let p = building.get(client);
  if (!p) {
    // One rebuild at a time per client: concurrent misses wait for the same listing.
    p = (async () => {
      const entries = await listSkus.call(client, {});
      const bySku = new Map<string, SkuEntry>();
      // A product with variants is not sellable by its own SKU: a variant of the same SKU wins.
      for (const e of entries) if (!e.hasVariants || !bySku.has(e.sku.toUpperCase())) bySku.set(e.sku.toUpperCase(), e);
      const index = { builtAt: Date.now(), bySku };
      indexes.set(client, index);
      return index;
    })().finally(() => building.delete(client));
    building.set(client, p);
  }
  return p;
}

export const findSku = xcartOperation({
  id: 'findSku',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ sku: z.string().min(1).max(32), maxAgeMs: z.number().int().min(0).default(60_000) }),
  output: z.array(z.custom<SkuEntry>()),
  async run(client, { sku, maxAgeMs }) {
    const key = sku.trim().toUpperCase();
    let index = indexes.get(client) ?? (await rebuild(client));
    let hit = index.bySku.get(key);
    if (!hit && Date.now() - index.builtAt >= maxAgeMs) {
      index = await rebuild(client);
      hit = index.bySku.get(key);
    }
    return hit ? [hit] : [];
  },
});
