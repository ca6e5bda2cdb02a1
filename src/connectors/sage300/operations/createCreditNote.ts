// POST OE/OECreditDebitNotes — a return or refund as an OE credit note; returned items go back on
// hand. The source refund id goes into Reference and is looked up before creating.
import { z } from 'zod';
import { SynclineError } from '../../../core/errors.js';
import { literal, wireNumber, type Sage300Client } from '../client.js';
import { decimalIn, decimalOut } from '../schemas.js';
import { SAMPLES, sage300Operation, WEBAPI_DOCS } from './define.js';

export const creditNoteOut = z.looseObject({
  CNUniquifier: z.number(),
  CreditDebitNoteNumber: z.string(),
  CustomerNumber: z.string(),
  Reference: z.string().optional(),
  CreditDebitNoteTotal: decimalOut.optional(),
});

const itemLine = z.strictObject({ LineType: z.literal('Item'), Item: z.string().min(1).max(24), Location: z.string().max(6).optional(), QuantityReturned: decimalIn, UnitPrice: decimalIn, CreditDebitNoteUOM: z.string().max(10).optional() });
const miscLine = z.strictObject({ LineType: z.literal('Miscellaneous'), MiscellaneousChargesCode: z.string().min(1).max(6), ExtendedAmountMiscellaneousCharge: decimalIn });

async function byReference(client: Sage300Client, customer: string, reference: string) {
  const [hit] = await client.list('createCreditNote', 'OE', 'OECreditDebitNotes', creditNoteOut, { filter: `Reference eq ${literal(reference)} and CustomerNumber eq ${literal(customer)}`, limit: 1 });
  return hit;
}

export const createCreditNote = sage300Operation({
  id: 'createCreditNote',
  docs: `${WEBAPI_DOCS} (OECreditDebitNotes POST); sample ${SAMPLES}/OE/OECreditDebitNotes.txt`,
  input: z.strictObject({
    CustomerNumber: z.string().min(1).max(12),
    /** The source refund/return id: the idempotency key. */
    Reference: z.string().min(1).max(60),
    Description: z.string().max(60).optional(),
    CreditDebitNoteDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
    CreditDebitNoteType: z.literal('CreditNote').optional(),
    InvoiceNumber: z.string().max(22).optional(),
    CreditDebitDetails: z.array(z.discriminatedUnion('LineType', [itemLine, miscLine])).min(1),
  }),
  output: z.object({ created: z.boolean(), creditNote: creditNoteOut }),
  run: async (client, input) => {
    const found = await byReference(client, input.CustomerNumber, input.Reference);
    if (found) return { created: false, creditNote: found };
    const body = {
      ...input,
      CreditDebitNoteType: 'CreditNote',
      CreditDebitDetails: input.CreditDebitDetails.map((l, i) => (l.LineType === 'Item'
        ? { ...l, QuantityReturned: wireNumber(l.QuantityReturned, `CreditDebitDetails[${i}].QuantityReturned`, 'createCreditNote'), UnitPrice: wireNumber(l.UnitPrice, `CreditDebitDetails[${i}].UnitPrice`, 'createCreditNote') }
        : { ...l, ExtendedAmountMiscellaneousCharge: wireNumber(l.ExtendedAmountMiscellaneousCharge, `CreditDebitDetails[${i}].ExtendedAmountMiscellaneousCharge`, 'createCreditNote') })),
    };
    try {
      const res = await client.request({ operation: 'createCreditNote', method: 'POST', path: client.path('OE', 'OECreditDebitNotes'), body, idempotent: false });
      return { created: true, creditNote: creditNoteOut.parse(res.body) };
    } catch (e) {
      if (e instanceof SynclineError && e.kind === 'transient') {
        const again = await byReference(client, input.CustomerNumber, input.Reference).catch(() => undefined);
        if (again) return { created: false, creditNote: again };
      }
      throw e;
    }
  },
});
