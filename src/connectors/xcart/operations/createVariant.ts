// POST /api/products/{product_id}/variants (XC/ProductVariants). `default_amount: false` gives the
// variant its own stock; otherwise it shares the product's `amount`.
import { z } from 'zod';
import { variantInput, variantSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const createVariant = xcartOperation({
  id: 'createVariant',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ productId: z.number().int().positive(), variant: variantInput }),
  output: variantSchema,
  run: (client, input) => client.call({ operation: 'createVariant', method: 'POST', path: `api/products/${input.productId}/variants`, body: input.variant }, variantSchema),
});
