// GET /api/orders/{id}/history — the order's audit trail: placed, status changes, notes, tracking.
import { z } from 'zod';
import { listPage } from '../client.js';
import { orderHistorySchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const listOrderHistory = xcartOperation({
  id: 'listOrderHistory',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ orderId: z.number().int().positive(), page: z.number().int().min(1).default(1), itemsPerPage: z.number().int().min(1).max(100).optional() }),
  output: z.object({ items: z.array(orderHistorySchema), page: z.number(), itemsPerPage: z.number(), mayHaveMore: z.boolean() }),
  run: (client, input) => listPage(client, { operation: 'listOrderHistory', path: `api/orders/${input.orderId}/history`, page: input.page, itemsPerPage: input.itemsPerPage }, orderHistorySchema),
});
