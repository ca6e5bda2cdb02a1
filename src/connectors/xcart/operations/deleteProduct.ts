// DELETE /api/products/{product_id} — 204; the product's variants go with it.
import { z } from 'zod';
import { xcartOperation } from './define.js';

export const deleteProduct = xcartOperation({
  id: 'deleteProduct',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ id: z.number().int().positive() }),
  output: z.void(),
  async run(client, input) {
    await client.http.request({ operation: 'deleteProduct', method: 'DELETE', path: `api/products/${input.id}` });
  },
});
