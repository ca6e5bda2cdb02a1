import { z } from 'zod';
import { SynclineError } from '../../../core/errors.js';
import { amazonOperation } from './define.js';
import { getListingsItem, listingsIncludedData } from './getListingsItem.js';

// getListingsItem where "not listed yet" is an answer, not an error: null when Amazon says 404.
// Flows choose between creating a listing (PUT) and changing one (PATCH, which keeps the attributes
// they do not own, e.g. the fulfilment channel) with it.
export const findListingsItem = amazonOperation({
  id: 'findListingsItem',
  docs: getListingsItem.docs,
  input: z.strictObject({ sku: z.string().min(1), includedData: z.array(listingsIncludedData).min(1).default(['summaries', 'fulfillmentAvailability']), marketplaceId: z.string().optional() }),
  output: z.union([z.looseObject({ sku: z.string() }), z.null()]),
  async run(client, i) {
    try {
      return await getListingsItem.call(client, i);
    } catch (e) {
      if (e instanceof SynclineError && e.code === 'AMAZON_NOT_FOUND') return null;
      throw e;
    }
  },
});
