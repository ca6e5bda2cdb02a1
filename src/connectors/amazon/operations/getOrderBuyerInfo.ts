import { z } from 'zod';
import { amazonOperation } from './define.js';
import { orderIdSchema } from './getOrder.js';

export const getOrderBuyerInfo = amazonOperation({
  id: 'getOrderBuyerInfo',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#getorderbuyerinfo',
  input: z.strictObject({ orderId: orderIdSchema, pii: z.boolean().default(true) }),
  output: z.looseObject({ AmazonOrderId: z.string(), BuyerEmail: z.string().optional(), BuyerName: z.string().optional(), PurchaseOrderNumber: z.string().optional() }),
  async run(client, i) {
    const path = `/orders/v0/orders/${encodeURIComponent(i.orderId)}/buyerInfo`;
    const res = await client.call<{ payload?: unknown }>('getOrderBuyerInfo', path, i.pii ? { restricted: { method: 'GET', path } } : {});
    return res.body?.payload;
  },
});
