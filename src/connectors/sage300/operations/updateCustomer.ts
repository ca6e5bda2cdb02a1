// PATCH AR/ARCustomers('1200') — only the fields sent change (PUT would reset the rest).
import { z } from 'zod';
import { wireNumber } from '../client.js';
import { customerOut } from '../schemas.js';
import { customerIn } from './createCustomer.js';
import { sage300Operation, WEBAPI_DOCS } from './define.js';

export const updateCustomer = sage300Operation({
  id: 'updateCustomer',
  docs: `${WEBAPI_DOCS} (ARCustomers PATCH)`,
  input: z.strictObject({ customerNumber: z.string().min(1).max(12), changes: customerIn.omit({ CustomerNumber: true }).partial() }),
  output: customerOut,
  run: async (client, { customerNumber, changes }) => {
    const body: Record<string, unknown> = { ...changes };
    if (changes.CreditLimitCustomerCurrency !== undefined) body.CreditLimitCustomerCurrency = wireNumber(changes.CreditLimitCustomerCurrency, 'CreditLimitCustomerCurrency', 'updateCustomer');
    const res = await client.request({ operation: 'updateCustomer', method: 'PATCH', path: client.path('AR', 'ARCustomers', customerNumber), body });
    if (res.body && typeof res.body === 'object') return customerOut.parse(res.body);
    return customerOut.parse(await client.get('updateCustomer', 'AR', 'ARCustomers', customerNumber, customerOut));
  },
});
