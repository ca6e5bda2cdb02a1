// One AR batch per day and bank: a receipt (or refund) is added as an entry to the open batch of
// that day and bank (PATCH with the entry's UpdateOperation "Insert", as the Web API takes details),
// and a new batch is made only when none is open. The batch Description names the day and bank
// ("X-Cart receipts 2026-12-07 SEATAC"); the entry's CheckReceiptNo (refunds: Reference) carries our
// reference, which `findArEntries` looks for — the look-up a flow's deliver `once` clause runs after an
// unknown outcome. The add itself never looks up first: one place checks, the flow.
import { z } from 'zod';
import { transientError } from '../../../core/errors.js';
import { literal, wireNumber, type Sage300Client } from '../client.js';
import { decimalIn, decimalOut } from '../schemas.js';
import { SAMPLES, sage300Operation, WEBAPI_DOCS } from './define.js';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date such as 2024-05-31');

const LEDGER = {
  receipts: { resource: 'ARReceiptAndAdjustmentBatches', entries: 'ReceiptsAdjustments', refField: 'CheckReceiptNo', typeFilter: "BatchRecordType eq 'CA' and " },
  refunds: { resource: 'ARRefundBatches', entries: 'Refunds', refField: 'Reference', typeFilter: '' },
} as const;
type Ledger = keyof typeof LEDGER;

const entryOut = z.looseObject({ EntryNumber: z.number().optional(), CustomerNumber: z.string(), CheckReceiptNo: z.string().optional(), Reference: z.string().optional() });
const batchOut = z.looseObject({
  BatchNumber: z.number(), Description: z.string().optional(), BankCode: z.string().optional(), BatchDate: z.string().optional(), BatchStatus: z.string().optional(), BatchTotal: decimalOut.optional(),
  ReceiptsAdjustments: z.array(entryOut).optional().nullable(), Refunds: z.array(entryOut).optional().nullable(),
});
type BatchOut = z.output<typeof batchOut>;
const batchHeader = {
  /** The day-and-bank batch name, e.g. "X-Cart receipts 2026-12-07 SEATAC". */
  Description: z.string().min(1).max(60),
  BatchDate: date,
  BankCode: z.string().min(1).max(8),
};
const added = z.object({ batchNumber: z.number(), entryNumber: z.number(), newBatch: z.boolean(), key: z.string() });

/** Batches of one Description (any status: an earlier one may have been posted since). */
function batchesNamed(client: Sage300Client, ledger: Ledger, operation: string, description: string) {
  const l = LEDGER[ledger];
  return client.list(operation, 'AR', l.resource, batchOut, { filter: `${l.typeFilter}Description eq ${literal(description)}` });
}

// Two entries of one day and bank at the same moment would each find no open batch and make two:
// adds to one batch name go one at a time per client.
const queues = new WeakMap<Sage300Client, Map<string, Promise<unknown>>>();
function oneAtATime<T>(client: Sage300Client, key: string, fn: () => Promise<T>): Promise<T> {
  let q = queues.get(client);
  if (!q) queues.set(client, (q = new Map()));
  const prev = q.get(key) ?? Promise.resolve();
  const run = prev.catch(() => undefined).then(fn);
  const tail = run.catch(() => undefined);
  q.set(key, tail);
  void tail.then(() => { if (q.get(key) === tail) q.delete(key); });
  return run;
}

async function addEntry(client: Sage300Client, ledger: Ledger, operation: string, header: { Description: string; BatchDate: string; BankCode: string; BatchRecordType?: 'CA' }, entry: Record<string, unknown>, ref: string) {
  const l = LEDGER[ledger];
  return oneAtATime(client, `${ledger}|${header.Description}`, async () => {
    const open = (await batchesNamed(client, ledger, operation, header.Description)).find((b) => b.BatchStatus === undefined || b.BatchStatus === 'Open');
    let batch: BatchOut;
    if (open) {
      const res = await client.request({
        operation, method: 'PATCH', idempotent: false,
        path: client.path('AR', l.resource, ledger === 'receipts' ? { BatchRecordType: 'CA', BatchNumber: open.BatchNumber } : open.BatchNumber),
        body: { [l.entries]: [{ ...entry, UpdateOperation: 'Insert' }] },
      });
      // A server answering PATCH with an empty 2xx: read the batch back.
      batch = res.body && typeof res.body === 'object' ? batchOut.parse(res.body) : (await batchesNamed(client, ledger, operation, header.Description)).find((b) => b.BatchNumber === open.BatchNumber)!;
    } else {
      batch = batchOut.parse((await client.request({ operation, method: 'POST', idempotent: false, path: client.path('AR', l.resource), body: { ...header, [l.entries]: [entry] } })).body);
    }
    const mine = (batch[l.entries] ?? []).filter((e) => (e as Record<string, unknown>)[l.refField] === ref).at(-1);
    if (!mine) throw transientError('SAGE300_ENTRY_NOT_SEEN', `${operation}: Sage 300 answered, but batch ${batch.BatchNumber} does not show the entry ${ref}; looked up again before any new attempt`, { details: { batchNumber: batch.BatchNumber, reference: ref, outcomeUnknown: true } });
    const entryNumber = mine.EntryNumber ?? (batch[l.entries] ?? []).length;
    return { batchNumber: batch.BatchNumber, entryNumber, newBatch: !open, key: `${batch.BatchNumber}-${entryNumber}` };
  });
}

export const addReceiptEntry = sage300Operation({
  id: 'addReceiptEntry',
  docs: `${WEBAPI_DOCS} (ARReceiptAndAdjustmentBatches POST, and PATCH with ReceiptsAdjustments UpdateOperation Insert); sample ${SAMPLES}/AR/ARReceiptAndAdjustmentBatches_Prepayment.txt`,
  input: z.strictObject({
    ...batchHeader,
    entry: z.strictObject({
      CustomerNumber: z.string().min(1).max(12),
      ReceiptDateAdjustmentDate: date,
      EntryReference: z.string().max(60).default(''),
      EntryDescription: z.string().max(60).optional(),
      PaymentCode: z.string().max(12).optional(),
      /** Our reference (the X-Cart payment transaction): what findArEntries looks for. */
      CheckReceiptNo: z.string().min(1).max(24),
      BankReceiptAmount: decimalIn,
      CustomerReceiptAmount: decimalIn.optional(),
      /** Receipt: applied to a posted document (an invoice). Prepayment: applied to a document to come (the order number). */
      ReceiptTransactionType: z.enum(['Receipt', 'Prepayment']),
      appliedTo: z.string().min(1).max(22),
    }),
  }),
  output: added,
  run: (client, { entry, ...header }) => {
    const bank = wireNumber(entry.BankReceiptAmount, 'entry.BankReceiptAmount', 'addReceiptEntry');
    const customer = entry.CustomerReceiptAmount === undefined ? bank : wireNumber(entry.CustomerReceiptAmount, 'entry.CustomerReceiptAmount', 'addReceiptEntry');
    const { appliedTo, ...rest } = entry;
    const body = {
      BatchType: 'CA', ...rest, BankReceiptAmount: bank, CustomerReceiptAmount: customer,
      // Payment 1 of the document it applies to, for the whole amount (Sage's prepayment sample, with the document named).
      AppliedReceiptsAdjustments: [{ BatchType: 'CA', LineNumber: 20, CustomerNumber: entry.CustomerNumber, DocumentNumber: appliedTo, PaymentNumber: 1, CustomerReceiptAmount: customer }],
    };
    return addEntry(client, 'receipts', 'addReceiptEntry', { BatchRecordType: 'CA', ...header }, body, entry.CheckReceiptNo);
  },
});

export const addRefundEntry = sage300Operation({
  id: 'addRefundEntry',
  docs: `${WEBAPI_DOCS} (ARRefundBatches POST, and PATCH with Refunds UpdateOperation Insert)`,
  input: z.strictObject({
    ...batchHeader,
    entry: z.strictObject({
      CustomerNumber: z.string().min(1).max(12),
      DocumentDate: date,
      Amount: decimalIn,
      /** Our reference (the X-Cart refund transaction): what findArEntries looks for. */
      Reference: z.string().min(1).max(60),
      PaymentCode: z.string().max(12).optional(),
    }),
  }),
  output: added,
  // Refund entry field names follow the AR refund view by analogy with receipts (no official sample).
  run: (client, { entry, ...header }) => addEntry(client, 'refunds', 'addRefundEntry', header, {
    CustomerNumber: entry.CustomerNumber, DocumentDate: entry.DocumentDate, RefundAmount: wireNumber(entry.Amount, 'entry.Amount', 'addRefundEntry'), Reference: entry.Reference,
    ...(entry.PaymentCode ? { PaymentCode: entry.PaymentCode } : {}),
  }, entry.Reference),
});

export const findArEntries = sage300Operation({
  id: 'findArEntries',
  docs: `${WEBAPI_DOCS} (ARReceiptAndAdjustmentBatches, ARRefundBatches: $filter on Description)`,
  input: z.strictObject({ ledger: z.enum(['receipts', 'refunds']), Description: z.string().min(1).max(60), reference: z.string().min(1) }),
  output: z.array(z.object({ batchNumber: z.number(), entryNumber: z.number(), key: z.string(), status: z.string() })),
  run: async (client, { ledger, Description, reference }) => {
    const l = LEDGER[ledger];
    return (await batchesNamed(client, ledger, 'findArEntries', Description)).flatMap((b) => (b[l.entries] ?? [])
      .filter((e) => (e as Record<string, unknown>)[l.refField] === reference)
      .map((e, i) => ({ batchNumber: b.BatchNumber, entryNumber: e.EntryNumber ?? i + 1, key: `${b.BatchNumber}-${e.EntryNumber ?? i + 1}`, status: b.BatchStatus ?? 'Open' })));
  },
});

/**
 * The Sage 300 documents an X-Cart order's money applies to: its OE order number, and the invoice
 * once there is one. An order the order flow has not delivered yet is a transient error (retried),
 * never a receipt applied to nothing.
 */
export const getOrderDocuments = sage300Operation({
  id: 'getOrderDocuments',
  docs: `${WEBAPI_DOCS} (OEOrders $filter PurchaseOrderNumber)`,
  input: z.strictObject({ purchaseOrderNumber: z.string().min(1).max(22) }),
  output: z.object({ orderNumber: z.string(), customerNumber: z.string(), invoiceNumber: z.string().nullable(), orderTotal: decimalOut.nullable() }),
  run: async (client, { purchaseOrderNumber }) => {
    const rows = await client.list('getOrderDocuments', 'OE', 'OEOrders', z.looseObject({ OrderNumber: z.string(), CustomerNumber: z.string(), LastInvoiceNumber: z.string().optional().nullable(), OrderTotal: decimalOut.optional().nullable() }), {
      filter: `PurchaseOrderNumber eq ${literal(purchaseOrderNumber)}`, select: ['OrderNumber', 'CustomerNumber', 'LastInvoiceNumber', 'OrderTotal'],
    });
    const o = rows[0];
    if (!o) throw transientError('SAGE300_ORDER_NOT_YET', `getOrderDocuments: no Sage 300 order has purchase-order number ${purchaseOrderNumber} yet (the order flow delivers it first; retried)`, { details: { purchaseOrderNumber } });
    return { orderNumber: o.OrderNumber, customerNumber: o.CustomerNumber, invoiceNumber: o.LastInvoiceNumber ? o.LastInvoiceNumber : null, orderTotal: o.OrderTotal ?? null };
  },
});
