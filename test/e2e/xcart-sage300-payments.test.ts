// Payments X-Cart → Sage 300 AR (issue 8 §2.4): each captured payment becomes one AR receipt in the
// bank of its payment method, for the customer the order flow linked; a refund becomes an AR refund;
// neither is written twice when the order changes again.
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOrdersByReference } from '../../src/connectors/sage300/index.js';
import { startPair, until, type Pair } from './xcart-sage300-pair.js';

const receiptBatch = z.looseObject({ BatchNumber: z.number(), Description: z.string(), BankCode: z.string(), ReceiptsAdjustments: z.array(z.looseObject({ CustomerNumber: z.string(), EntryReference: z.string(), BankReceiptAmount: z.unknown() })).optional() });
const refundBatch = z.looseObject({ BatchNumber: z.number(), Description: z.string(), BankCode: z.string(), Refunds: z.array(z.looseObject({ CustomerNumber: z.string(), RefundAmount: z.unknown() })).optional() });

describe('payments X-Cart → Sage 300 AR receipts and refunds', () => {
  let pair: Pair;
  const receipts = () => pair.erp.list('test', 'AR', 'ARReceiptAndAdjustmentBatches', receiptBatch);
  const refunds = () => pair.erp.list('test', 'AR', 'ARRefundBatches', refundBatch);
  beforeAll(async () => {
    pair = await startPair({
      flows: ({ shop, erp }) => [
        { use: 'xcart-order-to-sage300', connections: { shop, erp }, since: 'now', pollIntervalMs: 200 },
        { use: 'xcart-payment-to-sage300', connections: { shop, erp }, since: 'now', pollIntervalMs: 200 },
      ],
    });
  }, 60_000);
  afterAll(async () => pair?.stop());

  // A partial refund changes nothing the order list shows but the payment status (P → PP, as X-Cart
  // does it); when the sandbox left it at P, a refund in the second of the last read order was invisible.
  it('a paid order → one receipt in the method\'s bank for the order\'s customer; a partial refund → one AR refund; nothing twice', async () => {
    const profile = [...pair.xcart.store.profilesByLogin.values()][5]!;
    const placed = pair.xcart.storefront.placeOrder({ login: profile.login, paid: true, currency: 'USD', paymentMethod: 'Phone Ordering', lines: [{ sku: 'A1-1001-BLK', qty: 2 }] });
    const number = String(placed.order_number);
    const [order] = await until('order in Sage 300', () => findOrdersByReference.call(pair.erp, { purchaseOrderNumber: number }), (f) => f.length === 1, 120_000, 200);
    const mine = () => receipts().then((all) => all.filter((b) => b.Description.includes(`#${number} `)));
    const [batch] = await until('receipt in Sage 300', mine, (b) => b.length === 1, 120_000, 200);
    expect(batch!.BankCode).toBe('SEATAC');
    expect(batch!.ReceiptsAdjustments![0]).toMatchObject({ CustomerNumber: order!.CustomerNumber, EntryReference: number });
    expect(Number(batch!.ReceiptsAdjustments![0]!.BankReceiptAmount)).toBe(Number(placed.total.toFixed(2))); // the amount to the cent

    pair.xcart.storefront.refund(placed.id, '10.00');
    const mineRefunds = () => refunds().then((all) => all.filter((b) => b.Description.includes(`#${number} `)));
    const [refund] = await until('AR refund in Sage 300', mineRefunds, (b) => b.length === 1, 120_000, 200);
    expect(refund!.BankCode).toBe('SEATAC');
    expect(refund!.Refunds![0]).toMatchObject({ CustomerNumber: order!.CustomerNumber });
    expect(Number(refund!.Refunds![0]!.RefundAmount)).toBe(10);
    await pair.idle(['xcart-payment-to-sage300'], 2_000);
    expect(await mine()).toHaveLength(1);
    expect(await mineRefunds()).toHaveLength(1);
    expect(await pair.dead('xcart-payment-to-sage300')).toEqual([]);
  }, 240_000);

  it('an unpaid order makes no receipt (skipped with the reason); paying it later makes one', async () => {
    const placed = pair.xcart.storefront.placeOrder({ guest: true, paid: false, currency: 'USD', paymentMethod: 'Phone Ordering' });
    const number = String(placed.order_number);
    await until('skipped', () => pair.runtime.engine.runs.list({ flow: 'xcart-payment-to-sage300', status: 'skipped', limit: 20 }), (r) => r.some((x) => x.note?.includes('no captured payment')), 30_000, 200);
    pair.xcart.storefront.pay(placed.id);
    const [batch] = await until('receipt', () => receipts().then((all) => all.filter((b) => b.Description.includes(`#${number} `))), (b) => b.length === 1, 120_000, 200);
    expect(batch!.ReceiptsAdjustments![0]!.CustomerNumber).toBe(pair.sage300.webCustomer);
  }, 240_000);
});
