// GET /api/products/{product_id}/variants/{id} (XC/ProductVariants).
import { z } from 'zod';
import { variantSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const getVariant = xcartOperation({
  id: 'getVariant',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ productId: z.number().int().positive(), id: z.number().int().positive() }),
  output: variantSchema,
  run: (client, input) => client.call({ operation: 'getVariant', path: `api/products/${input.productId}/variants/${input.id}` }, variantSchema),
});
