// DELETE /api/profiles/{profile_id}/addresses/{address_id} — 204.
import { z } from 'zod';
import { xcartOperation } from './define.js';

export const deleteAddress = xcartOperation({
  id: 'deleteAddress',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ profileId: z.number().int().positive(), id: z.number().int().positive() }),
  output: z.void(),
  async run(client, input) {
    await client.http.request({ operation: 'deleteAddress', method: 'DELETE', path: `api/profiles/${input.profileId}/addresses/${input.id}` });
  },
});
