import { z } from 'zod';
import { amazonOperation } from './define.js';

export const listingsIncludedData = z.enum(['summaries', 'attributes', 'issues', 'offers', 'fulfillmentAvailability', 'procurement', 'relationships', 'productTypes']);
export const listingsPath = (sellerId: string, sku: string) => `/listings/2021-08-01/items/${encodeURIComponent(sellerId)}/${encodeURIComponent(sku)}`;

export const getListingsItem = amazonOperation({
  id: 'getListingsItem',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference#getlistingsitem',
  input: z.strictObject({ sku: z.string().min(1), includedData: z.array(listingsIncludedData).min(1).default(['summaries', 'offers', 'fulfillmentAvailability']), marketplaceId: z.string().optional() }),
  output: z.looseObject({
    sku: z.string(),
    summaries: z.array(z.looseObject({ marketplaceId: z.string(), asin: z.string().optional(), productType: z.string().optional(), status: z.array(z.string()).optional(), itemName: z.string().optional() })).optional(),
    attributes: z.record(z.string(), z.unknown()).optional(),
    offers: z.array(z.looseObject({ marketplaceId: z.string(), offerType: z.string(), price: z.looseObject({ currencyCode: z.string(), amount: z.string() }) })).optional(),
    fulfillmentAvailability: z.array(z.looseObject({ fulfillmentChannelCode: z.string(), quantity: z.number().int().optional() })).optional(),
  }),
  async run(client, i) {
    return (await client.call('getListingsItem', listingsPath(client.config.sellerId, i.sku), { query: { marketplaceIds: [i.marketplaceId ?? client.config.marketplaceIds[0]!], includedData: i.includedData } })).body;
  },
});
