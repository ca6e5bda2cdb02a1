// Returns and refunds X-Cart → Sage 300 (issue 8 §2.6): a partial refund becomes a credit note of
// one miscellaneous line for the amount; a full refund (the shop restocks) returns every line to
// Sage 300's stock; each refund once, totals to the cent.
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, until, type Pair } from './xcart-sage300-pair.js';

const note = z.looseObject({ CreditDebitNoteNumber: z.string(), Reference: z.string(), CustomerNumber: z.string(), CreditDebitNoteTotal: z.unknown(), CreditDebitDetails: z.array(z.looseObject({ LineType: z.string(), Item: z.string().optional(), QuantityReturned: z.unknown().optional() })).optional() });

describe('refunds X-Cart → Sage 300 credit notes', () => {
  let pair: Pair;
  const notesOf = async (orderNumber: string) => (await pair.erp.list('test', 'OE', 'OECreditDebitNotes', note)).filter((n) => n.Reference.startsWith(`X-Cart ${orderNumber} refund`));
  beforeAll(async () => {
    pair = await startPair({
      flows: ({ shop, erp }) => [
        { use: 'xcart-order-to-sage300', connections: { shop, erp }, since: 'now', pollIntervalMs: 200 },
        { use: 'xcart-refund-to-sage300', connections: { shop, erp }, since: 'now', pollIntervalMs: 200 },
      ],
    });
    // The merchant's Sage 300 setup — a miscellaneous charge code for refunds that are money only —
    // is part of the sandbox's sample company (REFUND).
  }, 60_000);
  afterAll(async () => pair?.stop());

  it('a partial refund → one credit note of the amount; the remainder → a second credit note returning the lines to stock, both totalling the order', async () => {
    const placed = pair.xcart.storefront.placeOrder({ guest: true, paid: true, currency: 'USD', paymentMethod: 'Phone Ordering', lines: [{ sku: 'A1-1004-BLK', qty: 2 }, { sku: 'A1-1001-RED', qty: 1 }] });
    const number = String(placed.order_number);
    pair.xcart.storefront.refund(placed.id, '12.34');
    const [partial] = await until('partial credit note', () => notesOf(number), (n) => n.length === 1, 120_000, 200);
    expect(Number(partial!.CreditDebitNoteTotal)).toBe(12.34);
    expect(partial!.CreditDebitDetails?.every((l) => l.LineType === 'Miscellaneous')).toBe(true);
    expect(partial!.CustomerNumber).toBe(pair.sage300.webCustomer);

    const onHand = () => pair.sage300.backOffice.stock('A1-1004-BLK', '1').onHand;
    const before = onHand();
    pair.xcart.storefront.refund(placed.id);
    const notes = await until('second credit note', () => notesOf(number), (n) => n.length === 2, 120_000, 200);
    const total = notes.reduce((s, n) => s + Math.round(Number(n.CreditDebitNoteTotal) * 100), 0);
    expect(total).toBe(Math.round(Number(placed.total.toFixed(2)) * 100)); // refunded in full, to the cent
    await pair.idle(['xcart-refund-to-sage300'], 2_000);
    expect(await notesOf(number)).toHaveLength(2);
    expect(await pair.dead('xcart-refund-to-sage300')).toEqual([]);
    // The remainder completes the refund (the shop restocks): the goods go back on hand in Sage 300 too.
    expect(onHand()).toBe(before + 2);
  }, 240_000);

  it('a full refund at once returns the goods to Sage 300 stock', async () => {
    const placed = pair.xcart.storefront.placeOrder({ guest: true, paid: true, currency: 'USD', paymentMethod: 'Phone Ordering', lines: [{ sku: 'A1-1004-GRN', qty: 3 }] });
    const number = String(placed.order_number);
    const before = pair.sage300.backOffice.stock('A1-1004-GRN', '1').onHand;
    pair.xcart.storefront.refund(placed.id);
    const [cn] = await until('credit note', () => notesOf(number), (n) => n.length === 1, 120_000, 200);
    expect(cn!.CreditDebitDetails?.find((l) => l.LineType === 'Item')).toMatchObject({ Item: 'A1-1004-GRN' });
    expect(Number(cn!.CreditDebitNoteTotal)).toBe(Number(placed.total.toFixed(2)));
    expect(pair.sage300.backOffice.stock('A1-1004-GRN', '1').onHand).toBe(before + 3);
  }, 240_000);
});
