import { z } from 'zod';
import { amazonOperation } from './define.js';
import { inventorySummarySchema, isoDateTime } from '../schemas.js';

// nextToken lives 30 s: page without pausing (see allInventorySummaries, which restarts on expiry).
export const getInventorySummaries = amazonOperation({
  id: 'getInventorySummaries',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/fbainventory-api-v1-reference#getinventorysummaries',
  input: z.strictObject({
    marketplaceId: z.string().min(1).optional(),
    details: z.boolean().default(true),
    startDateTime: isoDateTime.optional(),
    sellerSkus: z.array(z.string().min(1)).max(50).optional(),
    nextToken: z.string().min(1).optional(),
  }),
  output: z.object({ granularity: z.looseObject({ granularityType: z.string().optional(), granularityId: z.string().optional() }), summaries: z.array(inventorySummarySchema), nextToken: z.string().optional() }),
  async run(client, i) {
    const marketplaceId = i.marketplaceId ?? client.config.marketplaceIds[0]!;
    const res = await client.call<{ payload?: { granularity?: unknown; inventorySummaries?: unknown }; pagination?: { nextToken?: string } }>('getInventorySummaries', '/fba/inventory/v1/summaries', {
      query: { details: i.details, granularityType: 'Marketplace', granularityId: marketplaceId, startDateTime: i.startDateTime, sellerSkus: i.sellerSkus, nextToken: i.nextToken, marketplaceIds: [marketplaceId] },
    });
    return { granularity: res.body?.payload?.granularity, summaries: res.body?.payload?.inventorySummaries, nextToken: res.body?.pagination?.nextToken };
  },
});
