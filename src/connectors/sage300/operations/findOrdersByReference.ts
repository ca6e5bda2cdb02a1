// GET OE/OEOrders?$filter=PurchaseOrderNumber eq '…' — the lookup that makes order creates
// idempotent: the source order id travels in PurchaseOrderNumber (or OrderReference).
import { z } from 'zod';
import { literal } from '../client.js';
import { orderOut } from '../schemas.js';
import { sage300Operation, WEBAPI_DOCS } from './define.js';

export const findOrdersByReference = sage300Operation({
  id: 'findOrdersByReference',
  docs: `${WEBAPI_DOCS} (OEOrders, OData $filter)`,
  input: z.strictObject({
    purchaseOrderNumber: z.string().min(1).max(22).optional(),
    orderReference: z.string().min(1).max(60).optional(),
    customerNumber: z.string().min(1).max(12).optional(),
  }).refine((i) => i.purchaseOrderNumber !== undefined || i.orderReference !== undefined, 'give purchaseOrderNumber or orderReference'),
  output: z.array(orderOut),
  run: (client, input) => {
    const terms: string[] = [];
    if (input.purchaseOrderNumber !== undefined) terms.push(`PurchaseOrderNumber eq ${literal(input.purchaseOrderNumber)}`);
    if (input.orderReference !== undefined) terms.push(`OrderReference eq ${literal(input.orderReference)}`);
    if (input.customerNumber !== undefined) terms.push(`CustomerNumber eq ${literal(input.customerNumber)}`);
    return client.list('findOrdersByReference', 'OE', 'OEOrders', orderOut, { filter: terms.join(' and ') });
  },
});
