// GET AR/ARCustomers('1200') — one customer as Sage 300 has it now (the two-way customer flows compare
// it with the shop before writing, so an unchanged field is never sent).
import { z } from 'zod';
import { customerOut } from '../schemas.js';
import { sage300Operation, WEBAPI_DOCS } from './define.js';

export const getCustomer = sage300Operation({
  id: 'getCustomer',
  docs: `${WEBAPI_DOCS} (ARCustomers GET by key)`,
  input: z.strictObject({ customerNumber: z.string().min(1).max(12) }),
  output: customerOut.nullable(),
  run: async (client, { customerNumber }) => (await client.get('getCustomer', 'AR', 'ARCustomers', customerNumber, customerOut)) ?? null,
});
