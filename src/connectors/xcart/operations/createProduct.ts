// POST /api/products — X-Cart defaults `amount` (stock) to 1000 when omitted, so send it.
// A SKU already used by a product or variant is refused (400 "SKU … is not unique").
// Not idempotent: on an unknown outcome look the SKU up before creating again.
import { productInput, productSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const createProduct = xcartOperation({
  id: 'createProduct',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: productInput,
  output: productSchema,
  run: (client, input) => client.call({ operation: 'createProduct', method: 'POST', path: 'api/products', body: input }, productSchema),
});
