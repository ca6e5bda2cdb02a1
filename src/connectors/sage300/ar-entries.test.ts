// AR receipt and refund entries, one batch per day and bank, against the Sage 300 sandbox over HTTP:
// entries join the open batch of their Description, a posted batch makes the next entry open a new
// one, concurrent adds of a new day open one batch, each entry is found by its reference, and a
// receipt applied to a document that is not the customer's invoice is refused by Sage 300.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../test/support/failure.js';
import { start, type Sage300Sandbox } from '../../sandboxes/sage300/index.js';
import { addReceiptEntry, addRefundEntry, createOrder, findArEntries, getOrderDocuments, postBatch, sage300Connector, type Sage300Client } from './index.js';

let sb: Sage300Sandbox;
let client: Sage300Client;
const day = new Date().toISOString().slice(0, 10);
const receipt = (ref: string, over: Record<string, unknown> = {}) => ({
  Description: `X-Cart receipts ${day} SEATAC`, BatchDate: day, BankCode: 'SEATAC',
  entry: { CustomerNumber: 'C00010', ReceiptDateAdjustmentDate: day, CheckReceiptNo: ref, BankReceiptAmount: '12.34', ReceiptTransactionType: 'Prepayment' as const, appliedTo: 'ORD1', ...over },
});

beforeAll(async () => {
  sb = await start({ seed: 12 });
  client = sage300Connector.createClient({ baseUrl: sb.url, company: sb.credentials.company, user: sb.credentials.user, password: sb.credentials.password }, { connection: 'sage300-ar' });
});
afterAll(async () => sb?.close());

describe('AR entries: one batch per day and bank', () => {
  it('entries join the open batch; after it is posted the next one opens a new batch; each is found by its reference', async () => {
    const a = await addReceiptEntry.call(client, receipt('XC-A'));
    const b = await addReceiptEntry.call(client, receipt('XC-B', { BankReceiptAmount: '0.66' }));
    expect(a).toMatchObject({ newBatch: true, entryNumber: 1 });
    expect(b).toMatchObject({ newBatch: false, batchNumber: a.batchNumber, entryNumber: 2 });
    const batch = sb.company.resources.get('AR/ARReceiptAndAdjustmentBatches')!.table.get(`CA\u0001${a.batchNumber}`)!;
    expect(batch).toMatchObject({ NumberOfEntries: 2, BatchTotal: 13 });

    await postBatch.call(client, { ledger: 'arReceipts', batchNumber: a.batchNumber });
    const c = await addReceiptEntry.call(client, receipt('XC-C'));
    expect(c.newBatch).toBe(true);
    expect(c.batchNumber).not.toBe(a.batchNumber);
    expect(await findArEntries.call(client, { ledger: 'receipts', Description: receipt('x').Description, reference: 'XC-B' })).toEqual([{ batchNumber: a.batchNumber, entryNumber: 2, key: `${a.batchNumber}-2`, status: 'Posted' }]);
    expect(await findArEntries.call(client, { ledger: 'receipts', Description: receipt('x').Description, reference: 'XC-NONE' })).toEqual([]);
  });

  it('concurrent entries of a new day and bank open one batch', async () => {
    const wells = (ref: string) => ({ ...receipt(ref), Description: `X-Cart receipts ${day} CCARD`, BankCode: 'CCARD' });
    const added = await Promise.all(['P1', 'P2', 'P3', 'P4', 'P5'].map((r) => addReceiptEntry.call(client, wells(r))));
    expect(new Set(added.map((x) => x.batchNumber)).size).toBe(1);
    expect(added.map((x) => x.entryNumber).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('a receipt applied to an invoice: the customer\'s invoice is taken, another document is refused', async () => {
    const { order } = await createOrder.call(client, { order: { CustomerNumber: 'C00011', PurchaseOrderNumber: 'AR-1', OrderDetails: [{ LineType: 'Item', Item: 'A1-1001-BLK', Location: '1', QuantityOrdered: '1' }] } });
    expect(await getOrderDocuments.call(client, { purchaseOrderNumber: 'AR-1' })).toMatchObject({ orderNumber: order.OrderNumber, customerNumber: 'C00011', invoiceNumber: null });
    const { invoiceNumber } = sb.backOffice.shipOrder(order.OrderNumber, { invoice: true });
    expect((await getOrderDocuments.call(client, { purchaseOrderNumber: 'AR-1' })).invoiceNumber).toBe(invoiceNumber);
    const ok = await addReceiptEntry.call(client, receipt('XC-INV', { CustomerNumber: 'C00011', ReceiptTransactionType: 'Receipt', appliedTo: invoiceNumber }));
    expect(ok.entryNumber).toBeGreaterThan(0);
    const refused = await failure(addReceiptEntry.call(client, receipt('XC-BAD', { CustomerNumber: 'C00010', ReceiptTransactionType: 'Receipt', appliedTo: invoiceNumber })));
    expect(refused.code).toBe('SAGE300_FIELD_INVALID');
    expect(refused.message).toContain(`Document number ${invoiceNumber} does not exist for customer C00010`);
    const missing = await failure(getOrderDocuments.call(client, { purchaseOrderNumber: 'NOT-THERE' }));
    expect(missing).toMatchObject({ code: 'SAGE300_ORDER_NOT_YET', kind: 'transient' });
  });

  it('refunds: one refund batch per day and bank, found by reference', async () => {
    const refund = (ref: string) => ({ Description: `X-Cart refunds ${day} SEATAC`, BatchDate: day, BankCode: 'SEATAC', entry: { CustomerNumber: 'C00010', DocumentDate: day, Amount: '10.00', Reference: ref } });
    const a = await addRefundEntry.call(client, refund('X-Cart #1 refund 7'));
    const b = await addRefundEntry.call(client, refund('X-Cart #2 refund 8'));
    expect(b.batchNumber).toBe(a.batchNumber);
    expect(await findArEntries.call(client, { ledger: 'refunds', Description: `X-Cart refunds ${day} SEATAC`, reference: 'X-Cart #2 refund 8' })).toEqual([expect.objectContaining({ batchNumber: a.batchNumber, entryNumber: 2 })]);
  });
});
