import { z } from 'zod';
import { amazonOperation } from './define.js';
import { listingSubmissionSchema, listingsPatchSchema } from '../schemas.js';
import { listingsPath } from './getListingsItem.js';

// validationPreview: Amazon checks the submission and answers VALID/INVALID without applying it.
export const patchListingsItem = amazonOperation({
  id: 'patchListingsItem',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference#patchlistingsitem',
  input: z.strictObject({ sku: z.string().min(1), productType: z.string().min(1), patches: z.array(listingsPatchSchema).min(1), validationPreview: z.boolean().default(false), marketplaceId: z.string().optional() }),
  output: listingSubmissionSchema,
  async run(client, i) {
    const query = { marketplaceIds: [i.marketplaceId ?? client.config.marketplaceIds[0]!], includedData: ['issues'], ...(i.validationPreview ? { mode: 'VALIDATION_PREVIEW' } : {}) };
    return (await client.call('patchListingsItem', listingsPath(client.config.sellerId, i.sku), { method: 'PATCH', query, body: { productType: i.productType, patches: i.patches }, idempotent: true })).body;
  },
});
