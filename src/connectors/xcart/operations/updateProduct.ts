// PUT /api/products/{product_id} — partial in effect: X-Cart pre-fills the input from the stored
// product, so fields left out keep their values. Setting stock: { amount } (tracked only when
// `inventory_traceable`).
import { z } from 'zod';
import { productInput, productSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const updateProduct = xcartOperation({
  id: 'updateProduct',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ id: z.number().int().positive(), changes: productInput.partial().refine((c) => Object.keys(c).length > 0, 'nothing to change') }),
  output: productSchema,
  run: (client, input) => client.call({ operation: 'updateProduct', method: 'PUT', path: `api/products/${input.id}`, body: input.changes }, productSchema),
});
