// DELETE /api/products/{product_id}/variants/{id} (XC/ProductVariants) — 204.
import { z } from 'zod';
import { xcartOperation } from './define.js';

export const deleteVariant = xcartOperation({
  id: 'deleteVariant',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ productId: z.number().int().positive(), id: z.number().int().positive() }),
  output: z.void(),
  async run(client, input) {
    await client.http.request({ operation: 'deleteVariant', method: 'DELETE', path: `api/products/${input.productId}/variants/${input.id}` });
  },
});
