// POST /api/profiles — a login (email) already registered is refused (400); look it up first with
// listProfiles({ login }) when the outcome of an earlier create is unknown.
import { profileInput, profileSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const createProfile = xcartOperation({
  id: 'createProfile',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: profileInput,
  output: profileSchema,
  run: (client, input) => client.call({ operation: 'createProfile', method: 'POST', path: 'api/profiles', body: input }, profileSchema),
});
