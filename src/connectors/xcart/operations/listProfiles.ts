// GET /api/profiles — filters: `login` (partial match; use it to find a customer by email),
// `added[...]` and `first_login[...]` date bounds.
import { z } from 'zod';
import { listPage } from '../client.js';
import { dateInput, profileSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const listProfiles = xcartOperation({
  id: 'listProfiles',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({
    page: z.number().int().min(1).default(1),
    itemsPerPage: z.number().int().min(1).max(100).optional(),
    login: z.string().min(1).optional(),
    addedAfter: dateInput.optional(),
    addedBefore: dateInput.optional(),
  }),
  output: z.object({ items: z.array(profileSchema), page: z.number(), itemsPerPage: z.number(), mayHaveMore: z.boolean() }),
  run: (client, input) =>
    listPage(client, { operation: 'listProfiles', path: 'api/profiles', query: { login: input.login, 'added[after]': input.addedAfter, 'added[before]': input.addedBefore }, page: input.page, itemsPerPage: input.itemsPerPage }, profileSchema),
});
