// GET OE/OECreditDebitNotes — credit and debit notes, optionally from a date on: what the credit
// note → shop flow compares with the notes it has already passed on.
import { z } from 'zod';
import { sage300Operation, WEBAPI_DOCS } from './define.js';
import { creditNoteOut } from './createCreditNote.js';

const noteOut = creditNoteOut.extend({ CreditDebitNoteType: z.string().optional(), CreditDebitNoteDate: z.string().nullable().optional(), InvoiceNumber: z.string().optional() });

export const listCreditNotes = sage300Operation({
  id: 'listCreditNotes',
  docs: `${WEBAPI_DOCS} (OECreditDebitNotes)`,
  input: z.strictObject({ dateFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(), limit: z.number().int().positive().optional() }).default({}),
  output: z.array(noteOut),
  run: (client, input) =>
    client.list('listCreditNotes', 'OE', 'OECreditDebitNotes', noteOut, { ...(input.dateFrom ? { filter: `CreditDebitNoteDate ge ${input.dateFrom}` } : {}), ...(input.limit ? { limit: input.limit } : {}) }),
});
