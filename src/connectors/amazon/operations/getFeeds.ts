import { z } from 'zod';
import { amazonOperation } from './define.js';
import { feedSchema, isoDateTime, processingStatusSchema } from '../schemas.js';

// With nextToken, Amazon wants the token alone.
export const getFeeds = amazonOperation({
  id: 'getFeeds',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-reference#getfeeds',
  input: z.union([
    z.strictObject({ nextToken: z.string().min(1) }),
    z.strictObject({
      feedTypes: z.array(z.string().min(1)).min(1).max(10),
      marketplaceIds: z.array(z.string()).min(1).max(10).optional(),
      pageSize: z.number().int().min(1).max(100).optional(),
      processingStatuses: z.array(processingStatusSchema).optional(),
      createdSince: isoDateTime.optional(),
      createdUntil: isoDateTime.optional(),
    }),
  ]),
  output: z.object({ feeds: z.array(feedSchema), nextToken: z.string().optional() }),
  async run(client, i) {
    const query = 'nextToken' in i ? { nextToken: i.nextToken } : { feedTypes: i.feedTypes, marketplaceIds: i.marketplaceIds, pageSize: i.pageSize, processingStatuses: i.processingStatuses, createdSince: i.createdSince, createdUntil: i.createdUntil };
    return (await client.call('getFeeds', '/feeds/2021-06-30/feeds', { query })).body;
  },
});
