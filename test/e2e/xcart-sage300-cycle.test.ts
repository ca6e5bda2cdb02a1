// The whole X-Cart ↔ Sage 300 cycle of one order (issue 8, Proof), every flow running against both
// sandboxes over HTTP, totals checked to the cent at each step: order → Sage 300 order → payment →
// AR receipt → shipment made in the Sage 300 back office → X-Cart shipped with the tracking number
// (a store with the legacy REST tracking module) → the goods returned in Sage 300 → credit note →
// X-Cart refunded; then reconciliation finds no difference in orders or payments.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCreditNote, findOrdersByReference, getOrder as getSageOrder } from '../../src/connectors/sage300/index.js';
import { getOrder } from '../../src/connectors/xcart/index.js';
import { reconcileXcartSage300 } from '../../src/reconcile/xcart-sage300.js';
import { startPair, until, type Pair } from './xcart-sage300-pair.js';

const cents = (v: unknown) => new Decimal(String(v)).toFixed(2);
const FLOWS = ['xcart-order-to-sage300', 'xcart-payment-to-sage300', 'sage300-shipment-to-xcart', 'xcart-refund-to-sage300', 'sage300-credit-note-to-xcart'];

describe('the whole cycle of one order, X-Cart ↔ Sage 300', () => {
  let pair: Pair;
  let since: string;
  beforeAll(async () => {
    since = new Date(Date.now() - 1000).toISOString();
    pair = await startPair({
      xcartFeatures: { trackingModule: 'legacy-rest' }, xcartConfig: { trackingModule: 'legacy-rest' },
      flows: ({ shop, erp }) => [
        { use: 'xcart-order-to-sage300', connections: { shop, erp }, since: 'now', pollIntervalMs: 200 },
        { use: 'xcart-payment-to-sage300', connections: { shop, erp }, since: 'now', pollIntervalMs: 200 },
        // LastShipmentDate is a date: a start later than midnight would hide today's shipments.
        { use: 'sage300-shipment-to-xcart', connections: { erp, shop }, since: `${new Date().toISOString().slice(0, 10)}T00:00:00Z`, pollIntervalMs: 200 },
        { use: 'xcart-refund-to-sage300', connections: { shop, erp }, since: 'now', pollIntervalMs: 200 },
        { use: 'sage300-credit-note-to-xcart', connections: { erp, shop } },
      ],
    });
  }, 60_000);
  afterAll(async () => pair?.stop());

  it('order → Sage order → payment → receipt → shipment → shipped with tracking → return → credit note → refunded, to the cent', async () => {
    // 1. A registered buyer pays for two lines.
    const profile = [...pair.xcart.store.profilesByLogin.values()][7]!;
    const placed = pair.xcart.storefront.placeOrder({ login: profile.login, paid: true, currency: 'USD', paymentMethod: 'Phone Ordering', lines: [{ sku: 'A1-1001-BLK', qty: 2 }, { sku: 'A1-1004-NAV', qty: 1 }] });
    const number = String(placed.order_number);
    const total = cents(placed.total);

    // 2. The Sage 300 order: same total to the cent.
    const [found] = await until('order in Sage 300', () => findOrdersByReference.call(pair.erp, { purchaseOrderNumber: number }), (f) => f.length === 1, 120_000, 200);
    const order = found!;
    expect(cents(order.OrderTotal)).toBe(total);

    // 3. The payment: one receipt entry in the day's SEATAC batch, the whole amount, applied to the order.
    const entry = z.looseObject({ CustomerNumber: z.string(), EntryReference: z.string().optional(), CustomerReceiptAmount: z.unknown().optional(), ReceiptTransactionType: z.string().optional(), AppliedReceiptsAdjustments: z.array(z.looseObject({ DocumentNumber: z.string().optional() })).optional() });
    const batches = () => pair.erp.list('test', 'AR', 'ARReceiptAndAdjustmentBatches', z.looseObject({ BankCode: z.string(), ReceiptsAdjustments: z.array(entry).optional() }));
    const receipts = await until('receipt in Sage 300', async () => (await batches()).flatMap((b) => (b.ReceiptsAdjustments ?? []).filter((e) => e.EntryReference === number).map((e) => ({ bank: b.BankCode, e }))), (r) => r.length === 1, 120_000, 200);
    expect(receipts[0]!.bank).toBe('SEATAC');
    expect(receipts[0]!.e).toMatchObject({ CustomerNumber: order.CustomerNumber, ReceiptTransactionType: 'Prepayment' });
    expect(receipts[0]!.e.AppliedReceiptsAdjustments![0]!.DocumentNumber).toBe(order.OrderNumber);
    expect(cents(receipts[0]!.e.CustomerReceiptAmount)).toBe(total);

    // 4. The warehouse ships it in Sage 300 (back office) with a carrier and tracking number, and invoices it.
    const shipped = pair.sage300.backOffice.shipOrder(order.OrderNumber, { carrier: 'UPS', trackingNumber: '1Z999AA10123456784', invoice: true });
    const invoice = (await pair.erp.list('test', 'OE', 'OEInvoices', z.looseObject({ InvoiceNumber: z.string(), InvoiceTotal: z.unknown() }), { filter: `InvoiceNumber eq '${shipped.invoiceNumber}'` }))[0]!;
    expect(cents(invoice.InvoiceTotal)).toBe(total);

    // 5. X-Cart: shipped, with the tracking number.
    const inShop = await until('shipped with tracking in X-Cart', () => getOrder.call(pair.shop, { id: placed.id }), (o) => o.shipping_status?.code === 'S' && o.tracking_numbers.length > 0, 120_000, 200);
    expect(inShop.tracking_numbers.map((t) => t.value)).toEqual(['1Z999AA10123456784']);
    expect(cents(inShop.total)).toBe(total);

    // 6. The buyer sends everything back; Sage 300 takes the return as a credit note against the invoice
    //    (goods back on hand at location 1, each line at the price paid, the rest of the total as freight).
    const sage = (await getSageOrder.call(pair.erp, { orderNumber: order.OrderNumber }))!;
    const itemLines = sage.OrderDetails!.filter((l) => l.LineType === 'Item');
    const goods = itemLines.reduce((a, l) => a.add(new Decimal(String(l.ExtendedAmount ?? 0))), new Decimal(0));
    const onHandBefore = pair.sage300.backOffice.stock('A1-1001-BLK', '1').onHand;
    const { creditNote } = await createCreditNote.call(pair.erp, {
      CustomerNumber: order.CustomerNumber, Reference: `RMA ${number}`, InvoiceNumber: shipped.invoiceNumber, CreditDebitNoteDate: new Date().toISOString().slice(0, 10),
      CreditDebitDetails: [
        ...itemLines.map((l) => ({ LineType: 'Item' as const, Item: String(l.Item), Location: '1', QuantityReturned: String(l.QuantityOrdered), UnitPrice: new Decimal(String(l.ExtendedAmount)).div(String(l.QuantityOrdered)).toFixed(2) })),
        { LineType: 'Miscellaneous' as const, MiscellaneousChargesCode: 'FRT', ExtendedAmountMiscellaneousCharge: new Decimal(total).sub(goods).toFixed(2) },
      ],
    });
    expect(cents(creditNote.CreditDebitNoteTotal)).toBe(total);
    expect(pair.sage300.backOffice.stock('A1-1001-BLK', '1').onHand).toBe(onHandBefore + 2);

    // 7. The credit-note schedule runs (fired now instead of waiting its minute): X-Cart refunded.
    await pair.runtime.engine.intake([{ system: 'syncline', entity: 'tick', id: 'sage300-credit-note-to-xcart', version: String(Date.now()).padStart(16, '0'), payload: {} }], { connection: 'schedule:sage300-credit-note-to-xcart' });
    await until('refunded in X-Cart', async () => (await getOrder.call(pair.shop, { id: placed.id })).payment_status?.code, (c) => c === 'R', 120_000, 200);

    // 8. Nothing dead, nothing written twice, and both systems agree on the order and its money.
    await pair.idle(FLOWS, 2_000);
    for (const f of FLOWS) expect(await pair.dead(f)).toEqual([]);
    expect(await findOrdersByReference.call(pair.erp, { purchaseOrderNumber: number })).toHaveLength(1);
    const report = await reconcileXcartSage300(pair.shop, pair.erp, { since, parts: ['orders', 'payments'] });
    expect(report.orders).toMatchObject({ xcart: 1, inSage300: 1 });
    expect(report.payments).toMatchObject({ xcart: 1, inSage300: 1 });
    expect(report.differences).toEqual([]);
  }, 300_000);
});
