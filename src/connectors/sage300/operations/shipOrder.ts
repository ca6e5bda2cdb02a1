// PATCH OE/OEOrders(OrderUniquifier) with line QuantityShipped (+ InvoiceWillBeProduced): Sage
// creates the shipment (LastShipmentNumber) and the invoice (LastInvoiceNumber) when the order is
// saved. PATCH, not PUT: a PUT would purge every detail line the payload does not resend. Shipping
// is not idempotent, so this is never retried inside the call; the engine looks at the order first.
// Only where OE orders take PATCH (not in the Aug 2022 Endpoint Reference, which lists GET and POST):
// elsewhere SAGE300_NOT_SUPPORTED up front, and the real API's way is createOrder with shipAndInvoice
// (ship and invoice when the order is entered, as Sage's own sample does).
import { z } from 'zod';
import { userError } from '../../../core/errors.js';
import { wireNumber } from '../client.js';
import { decimalIn, orderOut } from '../schemas.js';
import { patchRefused, requireOrderPatch, sage300Operation, WEBAPI_DOCS } from './define.js';

export const shipOrder = sage300Operation({
  id: 'shipOrder',
  docs: `${WEBAPI_DOCS} (OEOrders; ship and invoice via QuantityShipped + InvoiceWillBeProduced)`,
  input: z.strictObject({
    orderUniquifier: z.number().int().positive(),
    /** Lines and quantities to ship now; omitted = everything still outstanding. */
    lines: z.array(z.strictObject({ lineNumber: z.number().int().positive(), quantity: decimalIn })).min(1).optional(),
    shipViaCode: z.string().min(1).max(6).optional(),
    trackingNumber: z.string().min(1).max(36).optional(),
    invoice: z.boolean().default(true),
  }),
  output: orderOut,
  run: async (client, input) => {
    const details = { orderUniquifier: input.orderUniquifier };
    await requireOrderPatch(client, 'shipOrder', 'ship an existing order', details);
    let lines = input.lines;
    if (!lines) {
      const order = await client.get('shipOrder', 'OE', 'OEOrders', input.orderUniquifier, orderOut);
      if (!order) throw userError('SAGE300_NOT_FOUND', `shipOrder: order ${input.orderUniquifier} does not exist in Sage 300`, { details: { orderUniquifier: input.orderUniquifier } });
      lines = (order.OrderDetails ?? [])
        .filter((l) => l.LineType === 'Item')
        .map((l) => ({ lineNumber: l.LineNumber, quantity: String(Number(l.QuantityOrdered ?? 0) - Number(l.QuantityShippedToDate ?? 0)) }))
        .filter((l) => Number(l.quantity) > 0);
      if (lines.length === 0) throw userError('SAGE300_REJECTED', `shipOrder: order ${order.OrderNumber} has nothing left to ship`, { details: { orderNumber: order.OrderNumber } });
    }
    const body: Record<string, unknown> = {};
    if (input.shipViaCode) body.ShipViaCode = input.shipViaCode;
    if (input.trackingNumber) body.ShipmentTrackingNumber = input.trackingNumber;
    body.InvoiceWillBeProduced = input.invoice;
    body.OrderDetails = lines.map((l, i) => ({ LineNumber: l.lineNumber, QuantityShipped: wireNumber(l.quantity, `lines[${i}].quantity`, 'shipOrder'), UpdateOperation: 'Update' }));
    const res = await client.request({ operation: 'shipOrder', method: 'PATCH', path: client.path('OE', 'OEOrders', input.orderUniquifier), body, idempotent: false })
      .catch((e: unknown) => { throw patchRefused(client, e, 'shipOrder', 'ship an existing order', details); });
    if (res.body && typeof res.body === 'object') return orderOut.parse(res.body);
    const after = await client.get('shipOrder', 'OE', 'OEOrders', input.orderUniquifier, orderOut);
    return orderOut.parse(after);
  },
});
