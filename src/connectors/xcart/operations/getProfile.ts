// GET /api/profiles/{profile_id}
import { z } from 'zod';
import { profileSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const getProfile = xcartOperation({
  id: 'getProfile',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ id: z.number().int().positive() }),
  output: profileSchema,
  run: (client, input) => client.call({ operation: 'getProfile', path: `api/profiles/${input.id}` }, profileSchema),
});
