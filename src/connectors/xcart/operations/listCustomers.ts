// Every registered customer (access level 0) with the address book, for snapshot syncs: X-Cart 5.5
// profiles carry no modification date (ProfileOutput has create/first/last login dates only), so a
// change to a profile or an address can only be found by comparing snapshots. 1 + profiles/100 +
// customers calls: fine for thousands of customers per tick, not for hundreds of thousands.
import { z } from 'zod';
import { allPages } from '../client.js';
import { addressSchema } from '../schemas.js';
import { xcartOperation } from './define.js';
import { customerWithAddresses } from './findCustomer.js';
import { listAddresses } from './listAddresses.js';
import { listProfiles } from './listProfiles.js';

export const listCustomers = xcartOperation({
  id: 'listCustomers',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ login: z.string().min(1).optional() }),
  output: z.array(customerWithAddresses),
  async run(client, { login }) {
    const out: Array<z.output<typeof customerWithAddresses>> = [];
    for await (const profile of allPages(listProfiles, client, login ? { login } : {})) {
      if ((profile.access_level ?? 0) !== 0) continue;
      const addresses: Array<z.output<typeof addressSchema>> = [];
      for await (const a of allPages(listAddresses, client, { profileId: profile.id })) addresses.push(a);
      out.push({ profile, addresses });
    }
    return out;
  },
});
