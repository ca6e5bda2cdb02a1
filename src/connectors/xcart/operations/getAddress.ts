// GET /api/profiles/{profile_id}/addresses/{address_id}
import { z } from 'zod';
import { addressSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const getAddress = xcartOperation({
  id: 'getAddress',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ profileId: z.number().int().positive(), id: z.number().int().positive() }),
  output: addressSchema,
  run: (client, input) => client.call({ operation: 'getAddress', path: `api/profiles/${input.profileId}/addresses/${input.id}` }, addressSchema),
});
