// Removes a tracking number through the LEGACY REST API (5.4 semantics): DELETE with
// _path=ordertrackingnumber/<tracking_id>.
import { z } from 'zod';
import { xcartOperation } from './define.js';
import { legacyCall } from './legacy.js';

export const deleteTrackingNumber = xcartOperation({
  id: 'deleteTrackingNumber',
  docs: 'https://support.x-cart.com/en/articles/4490923-rest-api-documentation',
  input: z.strictObject({ trackingId: z.number().int().positive() }),
  output: z.void(),
  async run(client, input) {
    await legacyCall(client, { operation: 'deleteTrackingNumber', method: 'DELETE', path: `ordertrackingnumber/${input.trackingId}` }, z.unknown());
  },
});
