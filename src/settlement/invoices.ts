// SIH invoices and credit notes per settled order (issue 9, flow 4; decisions 0010, 0019), off by
// default (`invoices` / `syncline settlement import --invoices`; the flow's option `invoices`): a site
// that invoices from the SOH on shipment would bill twice. Each order's sold items (Order/ItemPrice/
// Principal, with the item's Tax, Shipping, ShippingTax and other ItemPrice, less Order/Promotion) and refunds (per adjustment id and SKU: Refund/ItemPrice/Principal, Tax, Shipping,
// ShippingTax and the rest, less Refund/Promotion), collected while the file streams, go to the X3
// connector's invoiceSettledOrder — the operation the settlement flow calls per order — which saves the
// order's invoice once (INVREF = settlement id + order id) and each refund's credit note once (INVREF =
// order id + adjustment id, the key the returns flow amazon-return-to-sagex3 uses too, so a refund both
// see is credited once), each looked up first. What X3 cannot take (an order it does not know, an item
// its SOH lacks) is flagged with its amount; the invoices' net sums back to everything the settlement
// charged the buyers and the credit notes' to everything refunded, or the difference shows.
import { Decimal } from 'decimal.js';
import type { SageX3Client } from '../connectors/sagex3/client.js';
import { invoiceSettledOrder, type SettledOrderResult } from '../connectors/sagex3/operations/settled-order.js';
import { userError } from '../core/errors.js';
import type { SettledOrder } from '../connectors/amazon/operations/getSettlementOrders.js';

export { orderCollector, orderPage, type SettledOrder } from '../connectors/amazon/operations/getSettlementOrders.js';

type Doc = { orderId: string; NUM: string; INVREF: string; net: string };

export interface DocumentTotals {
  created: Doc[];
  found: Doc[];
  /** Orders the settlement paid (or refunded) that X3 has no SOH for (by CUSORDREF). */
  unknownOrders: Array<{ orderId: string; amount: string }>;
  /** Items the order's SOH has no line (left) for, by ITMREF = SKU: that order's document waits. */
  unmatched: Array<{ orderId: string; sku: string | null; amount: string }>;
  /** What the report charged (invoices) or refunded (credit notes), the documents' net (INVNOT) for it, and what is flagged. */
  principal: string;
  invoiced: string;
  flagged: string;
  /** principal − invoiced − flagged: zero when the documents drill down to the settlement. */
  difference: string;
}

export interface InvoiceReport extends DocumentTotals {
  /** Refunds: credit notes (the same totals; `principal` is all that was refunded — principal, tax, shipping, less promotions —, `invoiced` what is credited). */
  creditNotes: Omit<DocumentTotals, 'created' | 'found'> & { creditType: string; created: Array<Doc & { invoice: string | null }>; found: Array<Doc & { invoice: string | null }> };
}

/** The reference of one order in one settlement, on its invoice and credit note (X3's INVREF is 30 characters). */
export function invoiceRef(settlementId: string, orderId: string): string {
  const ref = `${settlementId}${orderId}`;
  if (ref.length > 30) throw userError('SETTLEMENT_INVALID', `settlement ${settlementId}, order ${orderId}: the invoice reference ${ref} is longer than X3's 30-character INVREF`, { details: { settlementId, orderId, ref } });
  return ref;
}

/** The invoiceSettledOrder input for one order of one settlement (the flow builds the same in its document). */
export function settledOrderInput(settlementId: string, o: SettledOrder, creditType = 'CRN') {
  return { reference: invoiceRef(settlementId, o.orderId), order: o.orderId, items: o.items, refunds: o.refunds, creditType };
}

const empty = (): DocumentTotals => ({ created: [], found: [], unknownOrders: [], unmatched: [], principal: '0.00', invoiced: '0.00', flagged: '0.00', difference: '0.00' });

/** Sums per-order results into the report: invoices for sales, credit notes for refunds. */
export function summarise(results: SettledOrderResult[], creditType = 'CRN'): InvoiceReport {
  const sides = { sale: empty(), refund: { ...empty(), creditType } as InvoiceReport['creditNotes'] };
  const acc = { sale: [new Decimal(0), new Decimal(0), new Decimal(0)], refund: [new Decimal(0), new Decimal(0), new Decimal(0)] };
  for (const r of results) {
    acc.sale[0] = acc.sale[0]!.plus(r.sold);
    acc.refund[0] = acc.refund[0]!.plus(r.refunded);
    if (r.invoice) {
      (r.invoice.created ? sides.sale.created : sides.sale.found).push({ orderId: r.order, NUM: r.invoice.NUM, INVREF: r.invoice.INVREF, net: r.invoice.net });
      acc.sale[1] = acc.sale[1]!.plus(r.invoice.net);
    }
    for (const cn of r.creditNotes) {
      (cn.created ? sides.refund.created : sides.refund.found).push({ orderId: r.order, NUM: cn.NUM, INVREF: cn.INVREF, net: cn.net, invoice: cn.invoice });
      acc.refund[1] = acc.refund[1]!.plus(cn.net);
    }
    for (const f of r.flagged) {
      const side = sides[f.of];
      if (f.kind === 'unknown-order') side.unknownOrders.push({ orderId: r.order, amount: f.amount });
      else side.unmatched.push({ orderId: r.order, sku: f.sku, amount: f.amount });
      acc[f.of][2] = acc[f.of][2]!.plus(f.amount);
    }
  }
  for (const k of ['sale', 'refund'] as const) {
    const [p, d, f] = acc[k] as [Decimal, Decimal, Decimal];
    Object.assign(sides[k], { principal: p.toFixed(2), invoiced: d.toFixed(2), flagged: f.toFixed(2), difference: p.minus(d).minus(f).toFixed(2) });
  }
  return { ...sides.sale, creditNotes: sides.refund };
}

/** Every order of a settlement, one idempotent invoiceSettledOrder each (the CLI's path; the flow pages them as events). */
export async function invoiceSettledOrders(client: SageX3Client, settlementId: string, orders: SettledOrder[], opts: { creditType?: string } = {}): Promise<InvoiceReport> {
  const results: SettledOrderResult[] = [];
  for (const o of orders) results.push(await invoiceSettledOrder.call(client, settledOrderInput(settlementId, o, opts.creditType)));
  return summarise(results, opts.creditType);
}
