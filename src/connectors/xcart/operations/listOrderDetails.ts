// GET /api/orders/{id}/details — name/value details the payment method stored (card type, last digits, …).
import { z } from 'zod';
import { listPage } from '../client.js';
import { orderDetailSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const listOrderDetails = xcartOperation({
  id: 'listOrderDetails',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ orderId: z.number().int().positive(), page: z.number().int().min(1).default(1), itemsPerPage: z.number().int().min(1).max(100).optional() }),
  output: z.object({ items: z.array(orderDetailSchema), page: z.number(), itemsPerPage: z.number(), mayHaveMore: z.boolean() }),
  run: (client, input) => listPage(client, { operation: 'listOrderDetails', path: `api/orders/${input.orderId}/details`, page: input.page, itemsPerPage: input.itemsPerPage }, orderDetailSchema),
});
