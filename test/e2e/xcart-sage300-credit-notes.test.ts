// Credit notes Sage 300 → X-Cart (issue 8 §2.6, ERP side): a credit note raised in Sage 300 against
// a shop order's invoice sets the order Refunded once the notes cover its total; a part refund leaves
// the status (X-Cart 5.5 has no part-refunded status) and the run says so; each note once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCreditNote, findOrdersByReference } from '../../src/connectors/sage300/index.js';
import { getOrder } from '../../src/connectors/xcart/index.js';
import { fireAndRun, startPair, until, type Pair } from './xcart-sage300-pair.js';

describe('credit notes Sage 300 → X-Cart payment status', () => {
  let pair: Pair;
  const fire = () => fireAndRun(pair.runtime, 'sage300-credit-note-to-xcart', 60_000);
  beforeAll(async () => {
    pair = await startPair({
      flows: ({ shop, erp }) => [
        { use: 'xcart-order-to-sage300', connections: { shop, erp }, since: 'now', pollIntervalMs: 200 },
        { use: 'sage300-credit-note-to-xcart', connections: { erp, shop } },
      ],
    });
  }, 60_000);
  afterAll(async () => pair?.stop());

  it('a part credit note → status kept, noted; the rest → Refunded; a second tick changes nothing', async () => {
    const placed = pair.xcart.storefront.placeOrder({ guest: true, paid: true, currency: 'USD', paymentMethod: 'Phone Ordering', lines: [{ sku: 'A1-1001-BLK', qty: 1 }] });
    const [order] = await until('order in Sage 300', () => findOrdersByReference.call(pair.erp, { purchaseOrderNumber: String(placed.order_number) }), (f) => f.length === 1, 60_000, 200);
    const { invoiceNumber } = pair.sage300.backOffice.shipOrder(order!.OrderNumber, { invoice: true });
    const total = placed.total.toFixed(2);
    const note = (ref: string, amount: string) => createCreditNote.call(pair.erp, {
      CustomerNumber: order!.CustomerNumber, Reference: ref, InvoiceNumber: invoiceNumber, CreditDebitNoteDate: new Date().toISOString().slice(0, 10),
      CreditDebitDetails: [{ LineType: 'Miscellaneous', MiscellaneousChargesCode: 'FRT', ExtendedAmountMiscellaneousCharge: amount }],
    });
    await note('RMA-1 goodwill', '5.00');
    const first = await fire();
    expect(first.status).toBe('succeeded');
    expect(first.note).toContain('part refund; X-Cart 5.5 has no part-refunded payment status');
    expect((await getOrder.call(pair.shop, { id: placed.id })).payment_status?.code).toBe('P');

    const rest = (Number(total) * 100 - 500) / 100;
    await note('RMA-1 rest', rest.toFixed(2));
    const second = await fire();
    expect(second.status).toBe('succeeded');
    expect((await getOrder.call(pair.shop, { id: placed.id })).payment_status?.code).toBe('R');
    expect(second.note).toContain('(refunded in full)');

    const third = await fire();
    expect(third.status).toBe('succeeded');
    expect(third.note ?? '').not.toContain('Sage 300 credit note');
  }, 120_000);
});
