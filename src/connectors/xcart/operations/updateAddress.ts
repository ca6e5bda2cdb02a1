// PUT /api/profiles/{profile_id}/addresses/{address_id}; omitted fields keep their values.
import { z } from 'zod';
import { addressInput, addressSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const updateAddress = xcartOperation({
  id: 'updateAddress',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ profileId: z.number().int().positive(), id: z.number().int().positive(), changes: addressInput.partial().refine((c) => Object.keys(c).length > 0, 'nothing to change') }),
  output: addressSchema,
  run: (client, input) => client.call({ operation: 'updateAddress', method: 'PUT', path: `api/profiles/${input.profileId}/addresses/${input.id}`, body: input.changes }, addressSchema),
});
