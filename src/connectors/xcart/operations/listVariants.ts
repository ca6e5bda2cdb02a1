// GET /api/products/{product_id}/variants (XC/ProductVariants module).
import { z } from 'zod';
import { listPage } from '../client.js';
import { variantSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const listVariants = xcartOperation({
  id: 'listVariants',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ productId: z.number().int().positive(), page: z.number().int().min(1).default(1), itemsPerPage: z.number().int().min(1).max(100).optional() }),
  output: z.object({ items: z.array(variantSchema), page: z.number(), itemsPerPage: z.number(), mayHaveMore: z.boolean() }),
  run: (client, input) => listPage(client, { operation: 'listVariants', path: `api/products/${input.productId}/variants`, page: input.page, itemsPerPage: input.itemsPerPage }, variantSchema),
});
