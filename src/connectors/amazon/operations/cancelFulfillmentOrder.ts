import { z } from 'zod';
import { amazonOperation } from './define.js';
import { fulfillmentOrderIdSchema } from './createFulfillmentOrder.js';

/** Possible until the order reaches Processing; afterwards Amazon answers 400 (AMAZON_INVALID_INPUT). */
export const cancelFulfillmentOrder = amazonOperation({
  id: 'cancelFulfillmentOrder',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/fulfillment-outbound-api-v2020-07-01-reference#cancelfulfillmentorder',
  input: z.strictObject({ sellerFulfillmentOrderId: fulfillmentOrderIdSchema }),
  output: z.object({ cancelled: z.literal(true) }),
  async run(client, i) {
    await client.call('cancelFulfillmentOrder', `/fba/outbound/2020-07-01/fulfillmentOrders/${encodeURIComponent(i.sellerFulfillmentOrderId)}/cancel`, { method: 'PUT' });
    return { cancelled: true };
  },
});
