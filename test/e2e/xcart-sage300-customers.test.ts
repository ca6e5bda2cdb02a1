// Customers X-Cart → Sage 300 (issue 8 §2.3) through the order flow's lookup step: matched by
// e-mail; a new buyer's two first orders arriving at the same moment make one Sage 300 customer (the
// lookup's claim); a buyer Sage 300 already has (no xref yet) is found, not created again; the
// payment flow, on the same events, uses the same customer.
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddress, createProfile } from '../../src/connectors/xcart/index.js';
import { findCustomerByEmail, findOrdersByReference } from '../../src/connectors/sage300/index.js';
import { startPair, until, type Pair } from './xcart-sage300-pair.js';

describe('customers X-Cart → Sage 300, matched by e-mail', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({
      concurrency: 16,
      flows: ({ shop, erp }) => [
        { use: 'xcart-order-to-sage300', connections: { shop, erp }, since: 'now', pollIntervalMs: 100 },
        { use: 'xcart-payment-to-sage300', connections: { shop, erp }, since: 'now', pollIntervalMs: 100 },
      ],
    });
  }, 60_000);
  afterAll(async () => pair?.stop());

  const newBuyer = async (login: string) => {
    const p = await createProfile.call(pair.shop, { login, password: 'correct horse battery' });
    await createAddress.call(pair.shop, { profileId: p.id, address: { firstname: 'Grace', lastname: 'Hopper', street: '1 Navy Way', city: 'Arlington', zipcode: '22202', country_code: 'US', state_name: 'VA', phone: '+1 703 555 0100', is_billing: true, is_shipping: true } } as never);
    return p;
  };

  it('two first orders of a new buyer at the same moment → both delivered, one Sage 300 customer, used by both orders and the receipts', async () => {
    const login = 'grace.hopper.new@example.org';
    await newBuyer(login);
    // Both in the same second: one poll brings both, and the workers take them together.
    const [a, b] = pair.xcart.storefront.placeOrders(2, { login, paid: true, currency: 'USD', paymentMethod: 'Phone Ordering', lines: [{ sku: 'A1-1001-BLK', qty: 1 }] });
    const orders = await until('both orders in Sage 300', async () => [
      ...(await findOrdersByReference.call(pair.erp, { purchaseOrderNumber: String(a!.order_number) })),
      ...(await findOrdersByReference.call(pair.erp, { purchaseOrderNumber: String(b!.order_number) })),
    ], (o) => o.length === 2, 60_000, 200);
    const customers = await findCustomerByEmail.call(pair.erp, { email: login });
    expect(customers).toHaveLength(1);
    expect(orders.map((o) => o.CustomerNumber)).toEqual([customers[0]!.CustomerNumber, customers[0]!.CustomerNumber]);
    const receipts = await until('two receipts', async () => (await pair.erp.list('test', 'AR', 'ARReceiptAndAdjustmentBatches', z.looseObject({ ReceiptsAdjustments: z.array(z.looseObject({ CustomerNumber: z.string(), EntryReference: z.string().optional() })) })))
      .flatMap((r) => r.ReceiptsAdjustments.filter((e) => e.EntryReference === String(a!.order_number) || e.EntryReference === String(b!.order_number))), (r) => r.length === 2, 60_000, 200);
    expect(receipts.map((r) => r.CustomerNumber)).toEqual([customers[0]!.CustomerNumber, customers[0]!.CustomerNumber]);
    expect(await pair.dead('xcart-order-to-sage300')).toEqual([]);
    expect(await pair.dead('xcart-payment-to-sage300')).toEqual([]);
  }, 120_000);

  it('a buyer Sage 300 already has under the same e-mail is found, not created again', async () => {
    const existing = (await pair.erp.list('test', 'AR', 'ARCustomers', z.looseObject({ CustomerNumber: z.string(), Email: z.string().optional() }))).find((c) => c.Email && /^[a-z]/.test(c.Email) && c.CustomerNumber.startsWith('C0'))!;
    const login = existing.Email!;
    const profile = [...pair.xcart.store.profilesByLogin.values()].find((p) => p.login.toLowerCase() === login.toLowerCase());
    const before = (await findCustomerByEmail.call(pair.erp, { email: login })).length;
    const placed = pair.xcart.storefront.placeOrder({ ...(profile ? { login: profile.login } : { login }), paid: true, currency: 'USD', paymentMethod: 'Phone Ordering', lines: [{ sku: 'A1-1001-NAV', qty: 1 }] });
    const [order] = await until('order in Sage 300', () => findOrdersByReference.call(pair.erp, { purchaseOrderNumber: String(placed.order_number) }), (o) => o.length === 1, 60_000, 200);
    expect(order!.CustomerNumber).toBe(existing.CustomerNumber);
    expect(await findCustomerByEmail.call(pair.erp, { email: login })).toHaveLength(before);
  }, 120_000);
});
