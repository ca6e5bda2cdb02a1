// GET /api/orders/{id}/payment_transactions — payment transactions with their backend transactions (sale, capture, refund…), for reconciling payments with the ERP's GL.
import { z } from 'zod';
import { listPage } from '../client.js';
import { paymentTransactionSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const listOrderPaymentTransactions = xcartOperation({
  id: 'listOrderPaymentTransactions',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ orderId: z.number().int().positive(), page: z.number().int().min(1).default(1), itemsPerPage: z.number().int().min(1).max(100).optional() }),
  output: z.object({ items: z.array(paymentTransactionSchema), page: z.number(), itemsPerPage: z.number(), mayHaveMore: z.boolean() }),
  run: (client, input) => listPage(client, { operation: 'listOrderPaymentTransactions', path: `api/orders/${input.orderId}/payment_transactions`, page: input.page, itemsPerPage: input.itemsPerPage }, paymentTransactionSchema),
});
