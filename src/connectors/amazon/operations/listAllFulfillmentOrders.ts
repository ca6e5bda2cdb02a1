import { z } from 'zod';
import { amazonOperation } from './define.js';
import { isoDateTime } from '../schemas.js';

export const listAllFulfillmentOrders = amazonOperation({
  id: 'listAllFulfillmentOrders',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/fulfillment-outbound-api-v2020-07-01-reference#listallfulfillmentorders',
  input: z.strictObject({ queryStartDate: isoDateTime.optional(), nextToken: z.string().min(1).optional() }),
  output: z.object({ fulfillmentOrders: z.array(z.looseObject({ sellerFulfillmentOrderId: z.string(), fulfillmentOrderStatus: z.string(), statusUpdatedDate: z.string() })), nextToken: z.string().optional() }),
  async run(client, i) {
    const res = await client.call<{ payload?: { fulfillmentOrders?: unknown; nextToken?: string } }>('listAllFulfillmentOrders', '/fba/outbound/2020-07-01/fulfillmentOrders', { query: { queryStartDate: i.queryStartDate, nextToken: i.nextToken } });
    return { fulfillmentOrders: res.body?.payload?.fulfillmentOrders ?? [], nextToken: res.body?.payload?.nextToken };
  },
});
