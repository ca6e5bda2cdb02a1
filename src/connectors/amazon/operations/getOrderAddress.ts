import { z } from 'zod';
import { amazonOperation } from './define.js';
import { addressSchema } from '../schemas.js';
import { orderIdSchema } from './getOrder.js';

// Without PII access Amazon answers 200 with only City/StateOrRegion/PostalCode/CountryCode.
export const getOrderAddress = amazonOperation({
  id: 'getOrderAddress',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#getorderaddress',
  input: z.strictObject({ orderId: orderIdSchema, pii: z.boolean().default(true) }),
  output: z.looseObject({ AmazonOrderId: z.string(), BuyerCompanyName: z.string().optional(), ShippingAddress: addressSchema.optional() }),
  async run(client, i) {
    const path = `/orders/v0/orders/${encodeURIComponent(i.orderId)}/address`;
    const res = await client.call<{ payload?: unknown }>('getOrderAddress', path, i.pii ? { restricted: { method: 'GET', path } } : {});
    return res.body?.payload;
  },
});
