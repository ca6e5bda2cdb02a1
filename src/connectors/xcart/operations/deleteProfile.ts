// DELETE /api/profiles/{profile_id} — 204.
import { z } from 'zod';
import { xcartOperation } from './define.js';

export const deleteProfile = xcartOperation({
  id: 'deleteProfile',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ id: z.number().int().positive() }),
  output: z.void(),
  async run(client, input) {
    await client.http.request({ operation: 'deleteProfile', method: 'DELETE', path: `api/profiles/${input.id}` });
  },
});
