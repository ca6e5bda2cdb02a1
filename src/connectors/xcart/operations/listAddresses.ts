// GET /api/profiles/{profile_id}/addresses
import { z } from 'zod';
import { listPage } from '../client.js';
import { addressSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const listAddresses = xcartOperation({
  id: 'listAddresses',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ profileId: z.number().int().positive(), page: z.number().int().min(1).default(1), itemsPerPage: z.number().int().min(1).max(100).optional() }),
  output: z.object({ items: z.array(addressSchema), page: z.number(), itemsPerPage: z.number(), mayHaveMore: z.boolean() }),
  run: (client, input) => listPage(client, { operation: 'listAddresses', path: `api/profiles/${input.profileId}/addresses`, page: input.page, itemsPerPage: input.itemsPerPage }, addressSchema),
});
