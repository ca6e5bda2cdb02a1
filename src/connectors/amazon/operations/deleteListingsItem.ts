import { z } from 'zod';
import { amazonOperation } from './define.js';
import { listingSubmissionSchema } from '../schemas.js';
import { listingsPath } from './getListingsItem.js';

export const deleteListingsItem = amazonOperation({
  id: 'deleteListingsItem',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference#deletelistingsitem',
  input: z.strictObject({ sku: z.string().min(1), marketplaceId: z.string().optional() }),
  output: listingSubmissionSchema,
  async run(client, i) {
    return (await client.call('deleteListingsItem', listingsPath(client.config.sellerId, i.sku), { method: 'DELETE', query: { marketplaceIds: [i.marketplaceId ?? client.config.marketplaceIds[0]!] } })).body;
  },
});
