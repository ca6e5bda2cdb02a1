// POST OE/OEOrders — one sales order with its lines (and, with QuantityShipped +
// InvoiceWillBeProduced, its shipment and invoice in the same call). Sage has no idempotency key,
// so the source order id goes into PurchaseOrderNumber and the order is looked up before the create,
// and again when the create's outcome is unknown (timeout, reset, 5xx) or Sage reports a duplicate PO.
import { z } from 'zod';
import { SynclineError } from '../../../core/errors.js';
import { wireNumber, type Sage300Client } from '../client.js';
import { orderIn, orderOut, type OrderOut } from '../schemas.js';
import { SAMPLES, sage300Operation, WEBAPI_DOCS } from './define.js';
import { findOrdersByReference } from './findOrdersByReference.js';

const MONEY_FIELDS = new Set(['QuantityOrdered', 'QuantityShipped', 'PricingUnitPrice', 'OrderDiscountAmount', 'ExtendedAmount']);

/** Amounts go out as exact JSON numbers; property order is kept (Sage applies them in order). */
export function toWire(order: z.output<typeof orderIn>, operation: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(order)) {
    if (v === undefined) continue;
    if (k === 'OrderDetails') {
      out[k] = (v as Array<Record<string, unknown>>).map((line, i) => {
        const l: Record<string, unknown> = {};
        for (const [lk, lv] of Object.entries(line)) {
          if (lv === undefined) continue;
          l[lk] = MONEY_FIELDS.has(lk) ? wireNumber(lv as string | number, `OrderDetails[${i}].${lk}`, operation) : lv;
        }
        return l;
      });
    } else out[k] = MONEY_FIELDS.has(k) ? wireNumber(v as string | number, k, operation) : v;
  }
  return out;
}

async function existing(client: Sage300Client, order: z.output<typeof orderIn>): Promise<OrderOut | undefined> {
  if (order.PurchaseOrderNumber) {
    const [hit] = await findOrdersByReference.call(client, { purchaseOrderNumber: order.PurchaseOrderNumber, customerNumber: order.CustomerNumber });
    return hit;
  }
  if (order.OrderReference) {
    const [hit] = await findOrdersByReference.call(client, { orderReference: order.OrderReference, customerNumber: order.CustomerNumber });
    return hit;
  }
  return undefined;
}

export const createOrder = sage300Operation({
  id: 'createOrder',
  docs: `${WEBAPI_DOCS} (OEOrders POST); sample ${SAMPLES}/OE`,
  input: z.strictObject({
    order: orderIn,
    /** Look the order up by PurchaseOrderNumber/OrderReference before creating (default true). */
    lookupFirst: z.boolean().default(true),
    /**
     * Ship every item line in full and produce the invoice in the same POST, as Sage's own sample
     * (OEOrders_WithShipmentsandInvoice) does: QuantityShipped = QuantityOrdered on each item line
     * that does not say otherwise, and InvoiceWillBeProduced. The one way the 2022 Web API ships an
     * order (OEOrders takes GET and POST only). Lines may also carry their own QuantityShipped.
     */
    shipAndInvoice: z.boolean().default(false),
  }),
  output: z.object({ created: z.boolean(), order: orderOut }),
  run: async (client, { order: given, lookupFirst, shipAndInvoice }) => {
    const order = shipAndInvoice ? {
      ...given,
      InvoiceWillBeProduced: given.InvoiceWillBeProduced ?? true,
      OrderDetails: given.OrderDetails.map((l) => (l.LineType === 'Item' && l.QuantityShipped === undefined && l.QuantityOrdered !== undefined ? Object.assign({}, l, { QuantityShipped: l.QuantityOrdered }) : l)),
    } : given;
    const body = toWire(order, 'createOrder');
    if (lookupFirst) {
      const found = await existing(client, order);
      if (found) return { created: false, order: found };
    }
    try {
      const res = await client.request({ operation: 'createOrder', method: 'POST', path: client.path('OE', 'OEOrders'), body, idempotent: false });
      return { created: true, order: orderOut.parse(res.body) };
    } catch (e) {
      const unknownOutcome = e instanceof SynclineError && (e.kind === 'transient' || e.code === 'SAGE300_DUPLICATE');
      if (unknownOutcome && (order.PurchaseOrderNumber || order.OrderReference)) {
        const found = await existing(client, order).catch(() => undefined);
        if (found) return { created: false, order: found };
      }
      throw e;
    }
  },
});
