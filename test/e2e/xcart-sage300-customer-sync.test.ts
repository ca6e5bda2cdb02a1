// Customers both ways (issue 8 §2.3): sage300-customer-to-xcart and xcart-customer-to-sage300 against
// both sandboxes over HTTP. A Sage 300 customer becomes an X-Cart profile with its billing address;
// a phone changed in the shop reaches Sage 300 and a phone changed in Sage 300 reaches the shop (the
// side that changed it last wins); credit terms and the status belong to Sage 300; and a write made
// by Syncline does not come back (the traffic logs of both sandboxes show exactly the writes expected).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, getCustomer, updateCustomer } from '../../src/connectors/sage300/index.js';
import { findCustomer, updateAddress, updateProfile } from '../../src/connectors/xcart/index.js';
import { fireAndRun, sleep, startPair, until, type Pair } from './xcart-sage300-pair.js';

const S2X = 'sage300-customer-to-xcart';
const X2S = 'xcart-customer-to-sage300';
const LOGIN = 'ada.sync@example.org';

describe('customers both ways, field by field, no ping-pong', () => {
  let pair: Pair;
  /** One run of the scheduled shop → Sage flow (the schedule fires every minute; the test fires it by hand). */
  const fireX2S = async () => {
    const run = await fireAndRun(pair.runtime, X2S);
    expect(run.status).toBe('succeeded');
    return run;
  };
  const shopCustomer = async () => (await findCustomer.call(pair.shop, { login: LOGIN }))[0];
  /** Writes to customers each sandbox received while `fn` ran (and the flows settled after it). */
  const writesDuring = async (fn: () => Promise<void>) => {
    pair.xcart.traffic.log.length = 0;
    pair.xcart.traffic.record = true;
    const sage = pair.sage300.recordRequests();
    try {
      await fn();
    } finally {
      pair.xcart.traffic.record = false;
      sage.stop();
    }
    return {
      shop: pair.xcart.traffic.log.filter((r) => r.method !== 'GET' && /\/api\/profiles/.test(r.url)).map((r) => `${r.method} ${r.url.replace(/^https?:\/\/[^/]+/, '')}`),
      erp: sage.requests.filter((r) => r.method !== 'GET' && /ARCustomers/.test(r.url)).map((r) => `${r.method} ${decodeURIComponent(r.url.replace(/^.*\/AR\//, ''))}`),
    };
  };
  /** Both flows quiet, with at least two customer polls (5 s apart) in between. */
  const settle = async () => {
    await sleep(11_000);
    await pair.idle([S2X, X2S], 1_000);
  };

  beforeAll(async () => {
    pair = await startPair({
      flows: ({ shop, erp }) => [
        { use: S2X, connections: { erp, shop }, since: 'now', pollIntervalMs: 100, options: { groups: ['WEB'] } },
        { use: X2S, connections: { shop, erp } },
      ],
    });
    // The first poll brings the customers stamped today (the seed): Sage 300's first alignment.
    await settle();
    await fireX2S(); // the shop's baseline: first sight writes nothing to Sage 300
  }, 180_000);
  afterAll(async () => pair?.stop());

  it('a new Sage 300 customer → an X-Cart profile with its billing address; the terms stay in Sage 300', async () => {
    await createCustomer.call(pair.erp, {
      CustomerNumber: 'WSYNC1', ShortName: 'LOVELACE', GroupCode: 'WEB', CustomerName: 'Ada Lovelace', AddressLine1: '12 St James Sq', City: 'Seattle',
      StateProvince: 'Washington', ZipPostalCode: '98101', Country: 'US', PhoneNumber: '(206) 555-0101', Email: LOGIN, Terms: 'N30', AccountSet: 'USA', BillingCycle: 'BILLMT', TaxGroup: 'USDTAX', CurrencyCode: 'USD',
    });
    const c = await until('profile in the shop', shopCustomer, (v) => v !== undefined && v.addresses.length === 1, 60_000, 250);
    expect(c!.profile.status).toBe('E');
    expect(c!.addresses[0]).toMatchObject({ firstname: 'Ada', lastname: 'Lovelace', phone: '+12065550101', street: '12 St James Sq', city: 'Seattle', zipcode: '98101', country_code: 'US', state_name: 'WA', is_billing: true });
    expect(await pair.dead(S2X)).toEqual([]);
  }, 90_000);

  it('the shop changes the phone → Sage 300 gets it (PhoneNumber only), and nothing bounces back to the shop', async () => {
    await settle();
    const c = (await shopCustomer())!;
    const writes = await writesDuring(async () => {
      await updateAddress.call(pair.shop, { profileId: c.profile.id, id: c.addresses[0]!.id, changes: { phone: '+1 206 555 0202' } });
      const run = await fireX2S();
      expect(run.note).toContain('→ Sage 300 customer WSYNC1: PhoneNumber');
      await settle(); // the customers poller sees Sage 300's change; sage300-customer-to-xcart must not write
      const again = await fireX2S();
      expect(again.note ?? '').not.toContain('Sage 300 customer');
    });
    const sage = (await getCustomer.call(pair.erp, { customerNumber: 'WSYNC1' }))!;
    expect(sage.PhoneNumber).toBe('+12065550202');
    expect(sage.Terms).toBe('N30');
    expect(writes.erp).toEqual(["PATCH ARCustomers('WSYNC1')"]);
    expect(writes.shop).toEqual([`PUT /api/profiles/${c.profile.id}/addresses/${c.addresses[0]!.id}`]);
  }, 120_000);

  it('Sage 300 changes the phone and the credit terms → the shop gets the phone; the X→S tick after it sends nothing', async () => {
    await settle();
    const writes = await writesDuring(async () => {
      await updateCustomer.call(pair.erp, { customerNumber: 'WSYNC1', changes: { PhoneNumber: '206-555-0303', Terms: 'COD' } });
      await until('phone in the shop', shopCustomer, (v) => v?.addresses[0]?.phone === '+12065550303', 60_000, 250);
      await settle();
      const run = await fireX2S();
      expect(run.note ?? '').not.toContain('Sage 300 customer');
      await settle();
    });
    expect(writes.erp).toEqual(["PATCH ARCustomers('WSYNC1')"]); // the test's own change, nothing more
    expect(writes.shop).toHaveLength(1);
    expect((await getCustomer.call(pair.erp, { customerNumber: 'WSYNC1' }))!.Terms).toBe('COD');
  }, 120_000);

  it('the status belongs to Sage 300: disabled in the shop is not sent; inactive in Sage 300 disables the profile', async () => {
    const c = (await shopCustomer())!;
    await updateProfile.call(pair.shop, { id: c.profile.id, changes: { status: 'D' } });
    const run = await fireX2S();
    expect(run.note ?? '').not.toContain('Sage 300 customer');
    expect((await getCustomer.call(pair.erp, { customerNumber: 'WSYNC1' }))!.Status).toBe('Active');
    await updateProfile.call(pair.shop, { id: c.profile.id, changes: { status: 'E' } });

    await updateCustomer.call(pair.erp, { customerNumber: 'WSYNC1', changes: { Status: 'Inactive' } });
    await until('profile disabled', shopCustomer, (v) => v?.profile.status === 'D', 60_000, 250);
    expect(await pair.dead(S2X)).toEqual([]);
    expect(await pair.dead(X2S)).toEqual([]);
  }, 120_000);
});
