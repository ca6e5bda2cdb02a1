// GET /api/orders/{id}/shipping_status — the status alone ({id, code, name, customer_name}), cheaper
// than the whole order when a flow only checks where an order stands.
import { z } from 'zod';
import { statusSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const getShippingStatus = xcartOperation({
  id: 'getShippingStatus',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ orderId: z.number().int().positive() }),
  output: statusSchema,
  run: (client, input) => client.call({ operation: 'getShippingStatus', path: `api/orders/${input.orderId}/shipping_status` }, statusSchema),
});
