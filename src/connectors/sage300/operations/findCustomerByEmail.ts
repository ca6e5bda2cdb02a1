// GET AR/ARCustomers?$filter=Email eq '…' — the lookup before creating a customer. Email is not
// unique in Sage 300, so every match is returned and the caller decides (the flow parks ambiguity).
import { z } from 'zod';
import { literal } from '../client.js';
import { customerOut } from '../schemas.js';
import { sage300Operation, WEBAPI_DOCS } from './define.js';

export const findCustomerByEmail = sage300Operation({
  id: 'findCustomerByEmail',
  docs: `${WEBAPI_DOCS} (ARCustomers, OData $filter)`,
  input: z.strictObject({ email: z.email() }),
  output: z.array(customerOut),
  run: (client, { email }) => {
    // The documented functions have no tolower(): ask for the address as given and in lower case.
    const forms = [...new Set([email, email.toLowerCase()])];
    return client.list('findCustomerByEmail', 'AR', 'ARCustomers', customerOut, { filter: forms.map((f) => `Email eq ${literal(f)}`).join(' or ') });
  },
});
