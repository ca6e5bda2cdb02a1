import { z } from 'zod';
import { amazonOperation } from './define.js';

export const createFeed = amazonOperation({
  id: 'createFeed',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-reference#createfeed',
  input: z.strictObject({
    feedType: z.string().min(1),
    marketplaceIds: z.array(z.string().min(1)).min(1).max(25).optional(),
    inputFeedDocumentId: z.string().min(1),
    feedOptions: z.record(z.string(), z.string()).optional(),
  }),
  output: z.looseObject({ feedId: z.string() }),
  async run(client, i) {
    const body = { feedType: i.feedType, marketplaceIds: i.marketplaceIds ?? client.config.marketplaceIds, inputFeedDocumentId: i.inputFeedDocumentId, ...(i.feedOptions ? { feedOptions: i.feedOptions } : {}) };
    // Not idempotent: a timeout leaves it unknown whether the feed exists (getFeeds can tell).
    return (await client.call('createFeed', '/feeds/2021-06-30/feeds', { method: 'POST', body })).body;
  },
});
