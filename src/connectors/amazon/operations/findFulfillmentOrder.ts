// getFulfillmentOrder as a look-up: the order in a list, or an empty list when Amazon has none by that
// id (404). MCF's sellerFulfillmentOrderId is the seller's key, so a flow can ask "was it created?"
// before creating (deliver `once`) or cancelling.
import { z } from 'zod';
import { SynclineError } from '../../../core/errors.js';
import { amazonOperation } from './define.js';
import { fulfillmentOrderIdSchema } from './createFulfillmentOrder.js';
import { getFulfillmentOrder } from './getFulfillmentOrder.js';

export const findFulfillmentOrder = amazonOperation({
  id: 'findFulfillmentOrder',
  docs: getFulfillmentOrder.docs,
  input: z.strictObject({ sellerFulfillmentOrderId: fulfillmentOrderIdSchema }),
  output: z.array(z.unknown()).max(1),
  async run(client, i) {
    try {
      return [await getFulfillmentOrder.call(client, i)];
    } catch (e) {
      if (e instanceof SynclineError && e.code === 'AMAZON_NOT_FOUND') return [];
      throw e;
    }
  },
});
