import { z } from 'zod';
import { amazonOperation } from './define.js';
import { orderSchema } from '../schemas.js';

export const orderIdSchema = z.string().regex(/^\d{3}-\d{7}-\d{7}$/, 'an Amazon order id like 902-3159896-1390916');

export const getOrder = amazonOperation({
  id: 'getOrder',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#getorder',
  input: z.strictObject({ orderId: orderIdSchema, pii: z.boolean().default(false) }),
  output: orderSchema,
  async run(client, i) {
    const path = `/orders/v0/orders/${encodeURIComponent(i.orderId)}`;
    const res = await client.call<{ payload?: unknown }>('getOrder', path, i.pii ? { restricted: { method: 'GET', path, dataElements: ['buyerInfo', 'shippingAddress'] } } : {});
    return res.body?.payload;
  },
});
