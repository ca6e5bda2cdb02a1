// GET /api/products/{product_id}
import { z } from 'zod';
import { productSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const getProduct = xcartOperation({
  id: 'getProduct',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ id: z.number().int().positive() }),
  output: productSchema,
  run: (client, input) => client.call({ operation: 'getProduct', path: `api/products/${input.id}` }, productSchema),
});
