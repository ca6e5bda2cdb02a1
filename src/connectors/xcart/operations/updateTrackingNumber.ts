// Corrects a tracking number through the LEGACY REST API (5.4 semantics): PUT with
// _path=ordertrackingnumber/<tracking_id>; the PUT body is form-urlencoded `model[value]=…`.
import { z } from 'zod';
import { legacyTrackingNumberSchema } from '../schemas.js';
import { xcartOperation } from './define.js';
import { legacyCall } from './legacy.js';

export const updateTrackingNumber = xcartOperation({
  id: 'updateTrackingNumber',
  docs: 'https://support.x-cart.com/en/articles/4490923-rest-api-documentation',
  input: z.strictObject({ trackingId: z.number().int().positive(), value: z.string().trim().min(1).max(255) }),
  output: legacyTrackingNumberSchema,
  run: (client, input) =>
    legacyCall(client, { operation: 'updateTrackingNumber', method: 'PUT', path: `ordertrackingnumber/${input.trackingId}`, model: { value: input.value } }, legacyTrackingNumberSchema),
});
