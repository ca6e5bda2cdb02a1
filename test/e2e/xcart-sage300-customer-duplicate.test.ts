// Sage 300's "duplicate" answer (issue 8 §2.3 and the seed's error case "duplicate customer"): a new
// buyer's first order makes Syncline create the Sage 300 customer; while its POST is on the wire a
// desk user creates the same customer number in Sage 300 (with the buyer's e-mail). Sage answers 409
// RecordDuplicate; the connector reads the customer that exists and the order goes to it — one
// customer, no dead letter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddress, createProfile } from '../../src/connectors/xcart/index.js';
import { findCustomerByEmail, findOrdersByReference } from '../../src/connectors/sage300/index.js';
import { sleep, startPair, until, type Pair } from './xcart-sage300-pair.js';

const FLOW = 'xcart-order-to-sage300';

describe('Sage 300 answers "duplicate" to a customer create → resolved to the existing customer', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({ flows: ({ shop, erp }) => [{ use: FLOW, connections: { shop, erp }, since: 'now', pollIntervalMs: 200 }] });
  }, 60_000);
  afterAll(async () => pair?.stop());

  it('a customer created in Sage 300 meanwhile', async () => {
    const login = 'ada.race@example.org';
    const profile = await createProfile.call(pair.shop, { login, password: 'correct horse battery' });
    await createAddress.call(pair.shop, { profileId: profile.id, address: { firstname: 'Ada', lastname: 'Race', street: '1 Dock St', city: 'Boston', zipcode: '02110', country_code: 'US', state_name: 'MA', is_billing: true, is_shipping: true } });
    const number = `W${String(profile.id).padStart(8, '0')}`; // mapping profile-to-ar-customer: numberPrefix + profile id
    const customersPath = `/Sage300WebApi/v1.0/-/${pair.sage300.credentials.company}/AR/ARCustomers`;
    // The create is held on the wire for 3 s (before Sage 300 handles it); everything else is fast.
    await pair.faults('sage300', [{ route: `POST ${customersPath}`, latencyMs: 3_000 }]);
    const seen = pair.sage300.recordRequests();
    const placed = pair.xcart.storefront.placeOrder({ login, paid: true, currency: 'USD', paymentMethod: 'Phone Ordering', lines: [{ sku: 'A1-1001-BLK', qty: 1 }] });
    await until('the create on the wire', async () => seen.requests.filter((r) => r.method === 'POST' && r.url.includes('ARCustomers')), (r) => r.length === 1, 60_000, 50);
    // A desk user enters the customer in A/R Customers meanwhile.
    pair.sage300.company.customers.create({ CustomerNumber: number, ShortName: 'RACE', GroupCode: 'RTL', CustomerName: 'Ada Race (desk)', Email: login, AccountSet: 'USA', BillingCycle: 'BILLMT', Terms: 'N30', TaxGroup: 'USDTAX' });

    const [order] = await until('order in Sage 300', () => findOrdersByReference.call(pair.erp, { purchaseOrderNumber: String(placed.order_number) }), (f) => f.length === 1, 60_000, 200);
    seen.stop();
    await pair.faults('sage300', []);
    expect(order!.CustomerNumber).toBe(number);
    const customers = await findCustomerByEmail.call(pair.erp, { email: login });
    expect(customers.map((c) => [c.CustomerNumber, c.CustomerName])).toEqual([[number, 'Ada Race (desk)']]);
    await sleep(500);
    expect(await pair.dead(FLOW)).toEqual([]);
  }, 120_000);
});
