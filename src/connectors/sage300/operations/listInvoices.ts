// GET OE/OEInvoices (GET only in the Web API): by order, or every invoice after a known uniquifier
// (invoices only ever append, so this is the change feed the invoice poller uses).
import { z } from 'zod';
import { literal } from '../client.js';
import { invoiceOut } from '../schemas.js';
import { sage300Operation, WEBAPI_DOCS } from './define.js';

export const listInvoices = sage300Operation({
  id: 'listInvoices',
  docs: `${WEBAPI_DOCS} (OEInvoices)`,
  input: z.strictObject({
    orderNumber: z.string().min(1).max(22).optional(),
    invoiceNumber: z.string().min(1).max(22).optional(),
    afterUniquifier: z.number().int().nonnegative().optional(),
    invoiceDateFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
    limit: z.number().int().positive().optional(),
  }).default({}),
  output: z.array(invoiceOut),
  run: (client, input) => {
    const terms: string[] = [];
    if (input.orderNumber) terms.push(`OrderNumber eq ${literal(input.orderNumber)}`);
    if (input.invoiceNumber) terms.push(`InvoiceNumber eq ${literal(input.invoiceNumber)}`);
    if (input.afterUniquifier !== undefined) terms.push(`InvoiceUniquifier gt ${input.afterUniquifier}`);
    if (input.invoiceDateFrom) terms.push(`InvoiceDate ge ${input.invoiceDateFrom}`);
    return client.list('listInvoices', 'OE', 'OEInvoices', invoiceOut, { ...(terms.length ? { filter: terms.join(' and ') } : {}), ...(input.limit ? { limit: input.limit } : {}) });
  },
});
