import { z } from 'zod';
import { amazonOperation } from './define.js';
import { isoDateTime, orderSchema, orderStatusSchema } from '../schemas.js';

// Either a first page (exactly one of createdAfter / lastUpdatedAfter) or the next page (nextToken).
// The shared client URL-encodes the NextToken (`+/=`), which Amazon requires.
export const getOrders = amazonOperation({
  id: 'getOrders',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#getorders',
  input: z
    .strictObject({
      marketplaceIds: z.array(z.string().min(1)).min(1).max(50).optional(),
      createdAfter: isoDateTime.optional(),
      createdBefore: isoDateTime.optional(),
      lastUpdatedAfter: isoDateTime.optional(),
      lastUpdatedBefore: isoDateTime.optional(),
      orderStatuses: z.array(orderStatusSchema).optional(),
      fulfillmentChannels: z.array(z.enum(['AFN', 'MFN'])).optional(),
      amazonOrderIds: z.array(z.string().regex(/^\d{3}-\d{7}-\d{7}$/)).max(50).optional(),
      sellerOrderId: z.string().optional(),
      maxResultsPerPage: z.number().int().min(1).max(100).optional(),
      nextToken: z.string().min(1).optional(),
      /** Ask for names and addresses (a Restricted Data Token is fetched for the call). */
      pii: z.boolean().default(false),
    })
    .refine((i) => i.nextToken !== undefined || (i.createdAfter === undefined) !== (i.lastUpdatedAfter === undefined), 'exactly one of createdAfter or lastUpdatedAfter is required (or a nextToken)')
    .refine((i) => !(i.createdAfter && i.lastUpdatedBefore) && !(i.lastUpdatedAfter && i.createdBefore), 'createdBefore pairs with createdAfter, lastUpdatedBefore with lastUpdatedAfter'),
  output: z.object({
    orders: z.array(orderSchema),
    nextToken: z.string().optional(),
    createdBefore: z.string().optional(),
    lastUpdatedBefore: z.string().optional(),
  }),
  async run(client, i) {
    const query = i.nextToken
      ? { MarketplaceIds: i.marketplaceIds ?? client.config.marketplaceIds, NextToken: i.nextToken }
      : {
          MarketplaceIds: i.marketplaceIds ?? client.config.marketplaceIds,
          CreatedAfter: i.createdAfter, CreatedBefore: i.createdBefore, LastUpdatedAfter: i.lastUpdatedAfter, LastUpdatedBefore: i.lastUpdatedBefore,
          OrderStatuses: i.orderStatuses, FulfillmentChannels: i.fulfillmentChannels, AmazonOrderIds: i.amazonOrderIds, SellerOrderId: i.sellerOrderId,
          MaxResultsPerPage: i.maxResultsPerPage,
        };
    const res = await client.call<{ payload?: { Orders?: unknown; NextToken?: string; CreatedBefore?: string; LastUpdatedBefore?: string } }>('getOrders', '/orders/v0/orders', {
      query,
      ...(i.pii ? { restricted: { method: 'GET', path: '/orders/v0/orders', dataElements: ['buyerInfo', 'shippingAddress'] } } : {}),
    });
    const p = res.body?.payload;
    return { orders: p?.Orders, nextToken: p?.NextToken, createdBefore: p?.CreatedBefore, lastUpdatedBefore: p?.LastUpdatedBefore };
  },
});
