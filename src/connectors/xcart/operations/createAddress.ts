// POST /api/profiles/{profile_id}/addresses — `state` is X-Cart's state id; `state_name` the text.
import { z } from 'zod';
import { addressInput, addressSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const createAddress = xcartOperation({
  id: 'createAddress',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ profileId: z.number().int().positive(), address: addressInput }),
  output: addressSchema,
  run: (client, input) => client.call({ operation: 'createAddress', method: 'POST', path: `api/profiles/${input.profileId}/addresses`, body: input.address }, addressSchema),
});
