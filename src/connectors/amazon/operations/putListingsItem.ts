import { z } from 'zod';
import { amazonOperation } from './define.js';
import { listingSubmissionSchema } from '../schemas.js';
import { listingsPath } from './getListingsItem.js';

// validationPreview: Amazon checks the submission and answers VALID/INVALID without applying it.
export const putListingsItem = amazonOperation({
  id: 'putListingsItem',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference#putlistingsitem',
  input: z.strictObject({ sku: z.string().min(1), productType: z.string().min(1), attributes: z.record(z.string(), z.unknown()).refine((a) => Object.keys(a).length > 0, "at least one attribute"), validationPreview: z.boolean().default(false), marketplaceId: z.string().optional() }),
  output: listingSubmissionSchema,
  async run(client, i) {
    const query = { marketplaceIds: [i.marketplaceId ?? client.config.marketplaceIds[0]!], includedData: ['issues'], ...(i.validationPreview ? { mode: 'VALIDATION_PREVIEW' } : {}) };
    return (await client.call('putListingsItem', listingsPath(client.config.sellerId, i.sku), { method: 'PUT', query, body: { productType: i.productType, attributes: i.attributes }, idempotent: true })).body;
  },
});
