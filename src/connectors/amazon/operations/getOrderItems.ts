import { z } from 'zod';
import { amazonOperation } from './define.js';
import { orderItemSchema } from '../schemas.js';
import { orderIdSchema } from './getOrder.js';

/** One page of an order's items; `getAllOrderItems` follows NextToken. */
export const getOrderItems = amazonOperation({
  id: 'getOrderItems',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#getorderitems',
  input: z.strictObject({ orderId: orderIdSchema, nextToken: z.string().min(1).optional() }),
  output: z.object({ amazonOrderId: z.string(), items: z.array(orderItemSchema), nextToken: z.string().optional() }),
  async run(client, i) {
    const res = await client.call<{ payload?: { AmazonOrderId?: string; OrderItems?: unknown; NextToken?: string } }>('getOrderItems', `/orders/v0/orders/${encodeURIComponent(i.orderId)}/orderItems`, {
      query: { NextToken: i.nextToken },
    });
    const p = res.body?.payload;
    return { amazonOrderId: p?.AmazonOrderId, items: p?.OrderItems, nextToken: p?.NextToken };
  },
});
