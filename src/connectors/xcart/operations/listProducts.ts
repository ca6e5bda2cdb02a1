// GET /api/products — core has no SKU filter; the only filters are order[name|price|arrivalDate].
// To find a product by SKU, page through (see findSellableBySku).
import { z } from 'zod';
import { listPage } from '../client.js';
import { productSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const listProducts = xcartOperation({
  id: 'listProducts',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({
    page: z.number().int().min(1).default(1),
    itemsPerPage: z.number().int().min(1).max(100).optional(),
    sort: z.enum(['name', 'price', 'arrivalDate']).optional(),
    direction: z.enum(['asc', 'desc']).default('asc'),
  }),
  output: z.object({ items: z.array(productSchema), page: z.number(), itemsPerPage: z.number(), mayHaveMore: z.boolean() }),
  run: (client, input) =>
    listPage(client, { operation: 'listProducts', path: 'api/products', query: input.sort ? { [`order[${input.sort}]`]: input.direction } : {}, page: input.page, itemsPerPage: input.itemsPerPage }, productSchema),
});
