// The customers part of `reconcile xcart-sage300` with `since` (as the demo scenario runs it): the
// registered buyers of the orders since then, each against the Sage 300 customer with their e-mail.
// The shop's older profiles, which never bought and so have no Sage 300 customer by design, are out
// of scope; a buyer whose Sage 300 customer no longer carries their e-mail is found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileXcartSage300 } from '../../src/reconcile/xcart-sage300.js';
import { startPair, until, type Pair } from './xcart-sage300-pair.js';

describe('reconcile xcart-sage300: customers since a start', () => {
  let pair: Pair;
  let since: string;
  beforeAll(async () => {
    since = new Date(Date.now() - 1000).toISOString();
    pair = await startPair({ flows: ({ shop, erp }) => [{ use: 'xcart-order-to-sage300', connections: { shop, erp }, since: 'now', pollIntervalMs: 100, options: { riskHold: false } }] });
  }, 60_000);
  afterAll(async () => {
    await pair?.stop();
  });

  it('compares the buyers of the orders since then, and finds one whose Sage 300 customer lost their e-mail', async () => {
    const profiles = [...pair.xcart.store.profilesByLogin.values()].filter((p) => p.access_level === 0).slice(0, 3);
    expect(profiles).toHaveLength(3);
    const before = pair.sage300.backOffice.countOrders();
    for (const p of profiles) pair.xcart.storefront.placeOrder({ profileId: p.id });
    pair.xcart.storefront.placeOrder({ guest: true });
    await until('4 orders in Sage 300', () => pair.sage300.backOffice.countOrders() - before, (n) => n >= 4);
    await pair.idle(['xcart-order-to-sage300'], 300);

    const buyers = profiles.map((p) => p.login.toLowerCase()).sort();
    const clean = await reconcileXcartSage300(pair.shop, pair.erp, { since, parts: ['customers'] });
    expect(clean.customers).toEqual({ xcart: 3, inSage300: 3 });
    expect(clean.differences).toEqual([]);
    // Without a start, every registered profile counts: the shop's older ones have no Sage 300 customer.
    const all = await reconcileXcartSage300(pair.shop, pair.erp, { parts: ['customers'] });
    expect(all.customers.xcart).toBeGreaterThan(3);
    expect(all.differences.length).toBeGreaterThan(0);

    // Someone in A/R Customers changes the first buyer's e-mail: the shop's buyer has no customer any more.
    const customer = pair.sage300.company.customers.table.rows().find((c) => String(c.Email ?? '').toLowerCase() === buyers[0]);
    expect(customer).toBeDefined();
    pair.sage300.backOffice.editCustomer(String(customer!.CustomerNumber), { Email: 'someone.else@example.org' });
    const report = await reconcileXcartSage300(pair.shop, pair.erp, { since, parts: ['customers'] });
    expect(report.customers).toEqual({ xcart: 3, inSage300: 2 });
    expect(report.differences).toEqual([expect.objectContaining({ kind: 'customer-missing-in-sage300', key: buyers[0], amount: '0' })]);
  }, 120_000);
});
