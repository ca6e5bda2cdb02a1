// GET /api/orders/{id} — one order by its internal id (not the order number shown to shoppers).
import { z } from 'zod';
import { orderSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const getOrder = xcartOperation({
  id: 'getOrder',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ id: z.number().int().positive() }),
  output: orderSchema,
  run: (client, input) => client.call({ operation: 'getOrder', path: `api/orders/${input.id}` }, orderSchema),
});
