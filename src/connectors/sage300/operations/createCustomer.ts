// POST AR/ARCustomers — CustomerNumber is assigned by the caller (Sage does not number customers).
// Looked up by number first, so a repeat returns the existing record instead of RecordDuplicate.
import { z } from 'zod';
import { SynclineError } from '../../../core/errors.js';
import { wireNumber } from '../client.js';
import { customerOut, decimalIn } from '../schemas.js';
import { SAMPLES, sage300Operation, WEBAPI_DOCS } from './define.js';

const s = (max: number) => z.string().max(max).optional();
export const customerIn = z.strictObject({
  CustomerNumber: z.string().min(1).max(12),
  ShortName: z.string().min(1).max(10),
  GroupCode: z.string().min(1).max(6),
  CustomerName: s(60), AddressLine1: s(60), AddressLine2: s(60), AddressLine3: s(60), AddressLine4: s(60), City: s(30), StateProvince: s(30),
  ZipPostalCode: s(20), Country: s(30), ContactName: s(60), PhoneNumber: s(30), Email: z.email().max(50).optional(), ContactsEmail: s(50),
  TaxGroup: s(12), Terms: s(6), CurrencyCode: s(3), CustomerPriceList: s(6), ShipViaCode: s(6), InventoryLocation: s(6),
  AccountSet: s(6), BillingCycle: s(6), Status: z.enum(['Active', 'Inactive']).optional(), OnHold: z.enum(['No', 'Yes']).optional(),
  CheckForDuplicatePOs: z.enum(['None', 'Warning', 'Error']).optional(),
  AccountType: z.enum(['OpenItem', 'BalanceForward']).optional(),
  InterestProfile: s(6),
  CreditLimitCustomerCurrency: decimalIn.optional(),
  CustomerOptionalFieldValues: z.array(z.strictObject({ OptionalField: z.string().min(1).max(12), Value: z.string().max(60) })).optional(),
});

export const createCustomer = sage300Operation({
  id: 'createCustomer',
  docs: `${WEBAPI_DOCS} (ARCustomers POST); sample ${SAMPLES}/AR/ARCustomers.txt`,
  input: customerIn,
  output: z.object({ created: z.boolean(), customer: customerOut }),
  run: async (client, input) => {
    const existing = await client.get('createCustomer', 'AR', 'ARCustomers', input.CustomerNumber, customerOut);
    if (existing) return { created: false, customer: existing };
    const body = { ...input, ...(input.CreditLimitCustomerCurrency !== undefined ? { CreditLimitCustomerCurrency: wireNumber(input.CreditLimitCustomerCurrency, 'CreditLimitCustomerCurrency', 'createCustomer') } : {}) };
    try {
      const res = await client.request({ operation: 'createCustomer', method: 'POST', path: client.path('AR', 'ARCustomers'), body, idempotent: false });
      return { created: true, customer: customerOut.parse(res.body) };
    } catch (e) {
      if (e instanceof SynclineError && (e.kind === 'transient' || e.code === 'SAGE300_DUPLICATE')) {
        const again = await client.get('createCustomer', 'AR', 'ARCustomers', input.CustomerNumber, customerOut).catch(() => undefined);
        if (again) return { created: false, customer: again };
      }
      throw e;
    }
  },
});
