// A registered customer by e-mail with the address book: GET /api/profiles?login=… (a partial match,
// so the exact login is picked here, case-insensitively) then GET /api/profiles/{id}/addresses.
// Answers `[]` or `[{ profile, addresses }]` (a list, like the other find operations).
import { z } from 'zod';
import { allPages } from '../client.js';
import { addressSchema, profileSchema } from '../schemas.js';
import { xcartOperation } from './define.js';
import { listAddresses } from './listAddresses.js';
import { listProfiles } from './listProfiles.js';

export const customerWithAddresses = z.object({ profile: profileSchema, addresses: z.array(addressSchema) });

export const findCustomer = xcartOperation({
  id: 'findCustomer',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ login: z.email() }),
  output: z.array(customerWithAddresses),
  async run(client, { login }) {
    const want = login.trim().toLowerCase();
    for await (const profile of allPages(listProfiles, client, { login: want })) {
      if (profile.login.toLowerCase() !== want) continue;
      const addresses: Array<z.output<typeof addressSchema>> = [];
      for await (const a of allPages(listAddresses, client, { profileId: profile.id })) addresses.push(a);
      return [{ profile, addresses }];
    }
    return [];
  },
});
