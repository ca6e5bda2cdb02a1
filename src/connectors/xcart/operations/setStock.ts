// Sets the stock of one sellable SKU: the variant's own `amount` (and `default_amount: false`, so
// it stops sharing the product's), or the product's `amount`. Absolute, so a retry is harmless.
// For a simple product it also turns tracking on: units mean nothing while `inventory_traceable` is off.
import { z } from 'zod';
import { xcartOperation } from './define.js';
import { updateProduct } from './updateProduct.js';
import { updateVariant } from './updateVariant.js';

export const setStock = xcartOperation({
  id: 'setStock',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ productId: z.number().int().positive(), variantId: z.number().int().positive().nullish(), amount: z.number().int().min(0) }),
  output: z.object({ productId: z.number().int(), variantId: z.number().int().nullable(), amount: z.number().int() }),
  async run(client, input) {
    if (input.variantId) {
      const v = await updateVariant.call(client, { productId: input.productId, id: input.variantId, changes: { amount: input.amount, default_amount: false } });
      return { productId: input.productId, variantId: v.id, amount: v.amount };
    }
    const p = await updateProduct.call(client, { id: input.productId, changes: { amount: input.amount, inventory_traceable: true } });
    return { productId: p.id, variantId: null, amount: p.amount };
  },
});
