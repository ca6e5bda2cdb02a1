// GET /api/orders/{id}/payment_status — the status alone ({id, code, name, customer_name}), cheaper
// than the whole order when a flow only checks where an order stands.
import { z } from 'zod';
import { statusSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const getPaymentStatus = xcartOperation({
  id: 'getPaymentStatus',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ orderId: z.number().int().positive() }),
  output: statusSchema,
  run: (client, input) => client.call({ operation: 'getPaymentStatus', path: `api/orders/${input.orderId}/payment_status` }, statusSchema),
});
