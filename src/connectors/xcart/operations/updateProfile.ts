// PUT /api/profiles/{profile_id}; omitted fields keep their values.
import { z } from 'zod';
import { profileInput, profileSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const updateProfile = xcartOperation({
  id: 'updateProfile',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ id: z.number().int().positive(), changes: profileInput.partial().refine((c) => Object.keys(c).length > 0, 'nothing to change') }),
  output: profileSchema,
  run: (client, input) => client.call({ operation: 'updateProfile', method: 'PUT', path: `api/profiles/${input.id}`, body: input.changes }, profileSchema),
});
