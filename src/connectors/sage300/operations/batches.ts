// GL journal batches and AR receipt/refund batches, and posting them through the ('$process')
// endpoints. Sage numbers batches itself, so the batch Description carries our reference and is
// looked up before a create. GL amounts are signed (debit > 0, credit < 0) and each entry must net
// to zero: checked here with decimals before anything is sent.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { SynclineError, userError } from '../../../core/errors.js';
import { literal, wireNumber } from '../client.js';
import { decimalIn, decimalOut } from '../schemas.js';
import { SAMPLES, sage300Operation, WEBAPI_DOCS } from './define.js';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date such as 2024-05-31');

export const journalBatchOut = z.looseObject({ BatchNumber: z.string(), Description: z.string().optional(), Status: z.string().optional(), Debits: decimalOut.optional(), Credits: decimalOut.optional() });
export const arBatchOut = z.looseObject({ BatchNumber: z.number(), Description: z.string().optional(), BatchStatus: z.string().optional(), BatchTotal: decimalOut.optional() });

async function createOnce<T>(lookup: () => Promise<T | undefined>, create: () => Promise<T>): Promise<{ created: boolean; batch: T }> {
  const found = await lookup();
  if (found) return { created: false, batch: found };
  try {
    return { created: true, batch: await create() };
  } catch (e) {
    if (e instanceof SynclineError && e.kind === 'transient') {
      const again = await lookup().catch(() => undefined);
      if (again) return { created: false, batch: again };
    }
    throw e;
  }
}

export const createJournalBatch = sage300Operation({
  id: 'createJournalBatch',
  docs: `${WEBAPI_DOCS} (GLJournalBatches POST); sample ${SAMPLES}/GL/GLJournalBatches.txt`,
  input: z.strictObject({
    /** Our reference for the batch (e.g. "X-Cart payouts 2024-05-31"): the idempotency key. */
    Description: z.string().min(1).max(60),
    JournalHeaders: z.array(z.strictObject({
      SourceLedger: z.string().length(2).default('GL'),
      SourceType: z.string().length(2).default('JE'),
      Description: z.string().max(60).optional(),
      DocumentDate: date,
      JournalDetails: z.array(z.strictObject({
        TransactionNumber: z.string().regex(/^\d{10}$/).optional(),
        AccountNumber: z.string().min(1).max(45),
        Amount: decimalIn,
        SourceCurrencyAmount: decimalIn.optional(),
        SourceCurrencyCode: z.string().length(3).optional(),
        ConversionRate: decimalIn.optional(),
        Description: z.string().max(60).optional(),
        Reference: z.string().max(60).optional(),
      })).min(2),
    })).min(1),
  }),
  output: z.object({ created: z.boolean(), batch: journalBatchOut }),
  run: async (client, input) => {
    input.JournalHeaders.forEach((h, i) => {
      const net = h.JournalDetails.reduce((s, d) => s.plus(d.Amount), new Decimal(0));
      if (!net.isZero()) throw userError('SAGE300_INVALID_INPUT', `createJournalBatch: entry ${i + 1} does not net to zero (off by ${net.toFixed()}); Amount is signed, debit > 0 and credit < 0`, { details: { entry: i + 1, net: net.toFixed() } });
    });
    const body = {
      Description: input.Description,
      JournalHeaders: input.JournalHeaders.map((h, i) => ({
        ...h,
        JournalDetails: h.JournalDetails.map((d, j) => {
          const at = `JournalHeaders[${i}].JournalDetails[${j}]`;
          return {
            ...d,
            Amount: wireNumber(d.Amount, `${at}.Amount`, 'createJournalBatch'),
            ...(d.SourceCurrencyAmount !== undefined ? { SourceCurrencyAmount: wireNumber(d.SourceCurrencyAmount, `${at}.SourceCurrencyAmount`, 'createJournalBatch') } : {}),
            ...(d.ConversionRate !== undefined ? { ConversionRate: wireNumber(d.ConversionRate, `${at}.ConversionRate`, 'createJournalBatch') } : {}),
          };
        }),
      })),
    };
    return createOnce(
      async () => (await client.list('createJournalBatch', 'GL', 'GLJournalBatches', journalBatchOut, { filter: `Description eq ${literal(input.Description)}`, limit: 1 }))[0],
      async () => journalBatchOut.parse((await client.request({ operation: 'createJournalBatch', method: 'POST', path: client.path('GL', 'GLJournalBatches'), body, idempotent: false })).body));
  },
});

export const createReceiptBatch = sage300Operation({
  id: 'createReceiptBatch',
  docs: `${WEBAPI_DOCS} (ARReceiptAndAdjustmentBatches POST, BatchRecordType CA); sample ${SAMPLES}/AR/ARReceiptAndAdjustmentBatches_Prepayment.txt`,
  // Sage's own shape (mappings/targets/sage300/ar-receipt-batch.yaml produces it); Description is the idempotency key.
  input: z.strictObject({
    BatchRecordType: z.literal('CA').default('CA'),
    Description: z.string().min(1).max(60),
    BatchDate: date,
    BankCode: z.string().min(1).max(8),
    ReceiptsAdjustments: z.array(z.strictObject({
      BatchType: z.literal('CA').default('CA'),
      CustomerNumber: z.string().min(1).max(12),
      ReceiptDateAdjustmentDate: date,
      EntryReference: z.string().max(60).default(''),
      EntryDescription: z.string().max(60).optional(),
      PaymentCode: z.string().max(12).optional(),
      CheckReceiptNo: z.string().max(24).optional(),
      BankReceiptAmount: decimalIn,
      CustomerReceiptAmount: decimalIn.optional(),
      ReceiptTransactionType: z.enum(['Receipt', 'Prepayment', 'UnappliedCash', 'ApplyDocument', 'MiscellaneousReceipt']).default('Prepayment'),
    })).min(1),
  }),
  output: z.object({ created: z.boolean(), batch: arBatchOut }),
  run: async (client, input) => {
    const body = {
      ...input,
      ReceiptsAdjustments: input.ReceiptsAdjustments.map((r, i) => {
        const bank = wireNumber(r.BankReceiptAmount, `ReceiptsAdjustments[${i}].BankReceiptAmount`, 'createReceiptBatch');
        const customer = r.CustomerReceiptAmount === undefined ? bank : wireNumber(r.CustomerReceiptAmount, `ReceiptsAdjustments[${i}].CustomerReceiptAmount`, 'createReceiptBatch');
        return {
          ...r, BankReceiptAmount: bank, CustomerReceiptAmount: customer,
          // A prepayment is applied as payment 1 of the customer (as in Sage's prepayment sample).
          ...(r.ReceiptTransactionType === 'Prepayment' ? { AppliedReceiptsAdjustments: [{ LineNumber: 20, CustomerNumber: r.CustomerNumber, PaymentNumber: 1, CustomerReceiptAmount: customer }] } : {}),
        };
      }),
    };
    return createOnce(
      async () => (await client.list('createReceiptBatch', 'AR', 'ARReceiptAndAdjustmentBatches', arBatchOut, { filter: `BatchRecordType eq 'CA' and Description eq ${literal(input.Description)}`, limit: 1 }))[0],
      async () => arBatchOut.parse((await client.request({ operation: 'createReceiptBatch', method: 'POST', path: client.path('AR', 'ARReceiptAndAdjustmentBatches'), body, idempotent: false })).body));
  },
});

export const createRefundBatch = sage300Operation({
  id: 'createRefundBatch',
  docs: `${WEBAPI_DOCS} (ARRefundBatches POST)`,
  input: z.strictObject({
    Description: z.string().min(1).max(60),
    BatchDate: date,
    BankCode: z.string().min(1).max(8),
    refunds: z.array(z.strictObject({ CustomerNumber: z.string().min(1).max(12), DocumentDate: date, Amount: decimalIn, Reference: z.string().max(60).default('') })).min(1),
  }),
  output: z.object({ created: z.boolean(), batch: arBatchOut }),
  run: async (client, input) => {
    // Refund entry field names follow the AR refund view by analogy with receipts (no official sample).
    const body = {
      BatchDate: input.BatchDate, Description: input.Description, BankCode: input.BankCode,
      Refunds: input.refunds.map((r, i) => ({ CustomerNumber: r.CustomerNumber, DocumentDate: r.DocumentDate, RefundAmount: wireNumber(r.Amount, `refunds[${i}].Amount`, 'createRefundBatch'), Reference: r.Reference })),
    };
    return createOnce(
      async () => (await client.list('createRefundBatch', 'AR', 'ARRefundBatches', arBatchOut, { filter: `Description eq ${literal(input.Description)}`, limit: 1 }))[0],
      async () => arBatchOut.parse((await client.request({ operation: 'createRefundBatch', method: 'POST', path: client.path('AR', 'ARRefundBatches'), body, idempotent: false })).body));
  },
});

const LEDGERS = {
  gl: { module: 'GL', resource: 'GLJournalBatches', statusField: 'Status', process: 'GLPostJournal', key: (n: string | number) => String(n).padStart(6, '0') as string | number },
  arReceipts: { module: 'AR', resource: 'ARReceiptAndAdjustmentBatches', statusField: 'BatchStatus', process: 'ARPostReceiptsAndAdjustments', key: (n: string | number) => ({ BatchRecordType: 'CA', BatchNumber: Number(n) }) as Record<string, string | number> },
  arRefunds: { module: 'AR', resource: 'ARRefundBatches', statusField: 'BatchStatus', process: 'ARPostRefunds', key: (n: string | number) => Number(n) as string | number },
} as const;

export const postBatch = sage300Operation({
  id: 'postBatch',
  docs: `${WEBAPI_DOCS} (PATCH BatchStatus ReadyToPost, then POST {Module}/{Process}('$process'))`,
  input: z.strictObject({ ledger: z.enum(['gl', 'arReceipts', 'arRefunds']), batchNumber: z.union([z.string().min(1), z.number().int().positive()]) }),
  output: z.object({ posted: z.boolean() }),
  run: async (client, { ledger, batchNumber }) => {
    const l = LEDGERS[ledger];
    await client.request({ operation: 'postBatch', method: 'PATCH', path: client.path(l.module, l.resource, l.key(batchNumber)), body: { [l.statusField]: 'ReadyToPost' } }).catch((e: unknown) => {
      // Posting is idempotent in effect: a batch posted already is what we want.
      if (e instanceof SynclineError && e.code === 'SAGE300_REJECTED' && /posted/i.test(e.message)) return;
      throw e;
    });
    const n = typeof batchNumber === 'number' ? batchNumber : Number(batchNumber);
    const res = await client.request({ operation: 'postBatch', method: 'POST', path: `${l.module}/${l.process}('$process')`, body: { PostAllBatches: 'Postbatchrange', FromBatch: n, ToBatch: n }, idempotent: true, acceptStatus: [409] });
    if (res.status === 409) {
      const message = String((res.body as { error?: { message?: { value?: string } } })?.error?.message?.value ?? '');
      throw userError('SAGE300_REJECTED', `postBatch: Sage 300 did not post ${ledger} batch ${String(batchNumber)}: ${message}`, { details: { ledger, batchNumber, sageMessage: message } });
    }
    return { posted: true };
  },
});
