// Every sellable SKU of the store — simple products and variants — with where its stock lives.
// X-Cart 5.5 core has no SKU filter (specs §1.3), so this pages /api/products and asks each product
// for its variants: 1 + ⌈products/100⌉ + products calls. Build it once, cache it, refresh it
// when a SKU is missing. (A product with variants has its own, non-sellable SKU too; it is listed
// with `hasVariants: true`.)
import { z } from 'zod';
import { epochSeconds } from '../schemas.js';
import { xcartOperation } from './define.js';
import { listProducts } from './listProducts.js';
import { listVariants } from './listVariants.js';

const entry = z.object({
  sku: z.string(),
  productId: z.number().int(),
  variantId: z.number().int().nullable(),
  hasVariants: z.boolean(),
  /** Stock as X-Cart counts it for this SKU (the variant's own, or the product's it shares). */
  amount: z.number().int(),
  inventoryTraceable: z.boolean(),
  enabled: z.boolean(),
  price: z.string(),
  updatedAt: z.number().int().nullable(),
});
export type SkuEntry = z.output<typeof entry>;

export const listSkus = xcartOperation({
  id: 'listSkus',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ itemsPerPage: z.number().int().min(1).max(100).optional() }),
  output: z.array(entry),
  async run(client, input) {
    const out: SkuEntry[] = [];
    for (let page = 1; ; page++) {
      const res = await listProducts.call(client, { page, itemsPerPage: input.itemsPerPage });
      for (const p of res.items) {
        const variants = [];
        for (let vp = 1; ; vp++) {
          const v = await listVariants.call(client, { productId: p.id, page: vp, itemsPerPage: 100 });
          variants.push(...v.items);
          if (!v.mayHaveMore) break;
        }
        const base = { productId: p.id, inventoryTraceable: p.inventory_traceable, enabled: p.enabled, updatedAt: p.update_date ? epochSeconds(p.update_date) : null };
        out.push({ ...base, sku: p.sku, variantId: null, hasVariants: variants.length > 0, amount: p.amount, price: p.price });
        // A variant without its own SKU cannot be told apart from its siblings by SKU: skipped.
        for (const v of variants) {
          if (!v.sku) continue;
          out.push({ ...base, sku: v.sku, variantId: v.id, hasVariants: false, amount: v.default_amount ? p.amount : v.amount, price: v.default_price ? p.price : v.price });
        }
      }
      if (!res.mayHaveMore) break;
    }
    return out;
  },
});
