// PUT /api/products/{product_id}/variants/{id} (XC/ProductVariants); omitted fields keep their values.
import { z } from 'zod';
import { variantInput, variantSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const updateVariant = xcartOperation({
  id: 'updateVariant',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ productId: z.number().int().positive(), id: z.number().int().positive(), changes: variantInput.refine((c) => Object.keys(c).length > 0, 'nothing to change') }),
  output: variantSchema,
  run: (client, input) => client.call({ operation: 'updateVariant', method: 'PUT', path: `api/products/${input.productId}/variants/${input.id}`, body: input.changes }, variantSchema),
});
