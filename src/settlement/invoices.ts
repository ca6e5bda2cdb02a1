// SIH invoices per settled order (issue 9, flow 4; decision 0010), off by default (`invoices` /
// `syncline settlement import --invoices`): a site that invoices from the SOH on shipment would bill
// twice. Each order's sold items (the settlement's Order/ItemPrice/Principal lines, fed item by item
// while the file streams) become one X3 invoice whose lines are tied to the order's SOH lines, so X3
// counts them as invoiced. INVREF = settlement id + order id, looked up before any create (X3 has no
// idempotency key). An order X3 does not know, or an item its SOH lacks, is flagged with its amount
// and not invoiced; the invoices' net sums back to the settlement's principal, or the difference shows.
// Refunds are not itemised by the reader yet: no credit notes.
import { Decimal } from 'decimal.js';
import type { SageX3Client } from '../connectors/sagex3/client.js';
import { findSalesOrderByReference } from '../connectors/sagex3/lookup.js';
import { query } from '../connectors/sagex3/operations/query.js';
import { save } from '../connectors/sagex3/operations/save.js';
import { userError } from '../core/errors.js';
import type { ItemCharges } from './parse.js';

export interface OrderSale {
  orderId: string;
  items: Array<{ sku?: string; quantity: number; principal: string }>;
}

/** Collects each order's sold items from readSettlement's `onItem` (to chain with the fee check). */
export function saleCollector(): { add: (it: ItemCharges) => void; orders: () => OrderSale[] } {
  const byOrder = new Map<string, OrderSale>();
  return {
    add(it) {
      if (it.principal === 0 || it.quantity <= 0) return;
      let o = byOrder.get(it.orderId);
      if (!o) byOrder.set(it.orderId, (o = { orderId: it.orderId, items: [] }));
      o.items.push({ ...(it.sku ? { sku: it.sku } : {}), quantity: it.quantity, principal: new Decimal(it.principal).div(100).toFixed(2) });
    },
    orders: () => [...byOrder.values()],
  };
}

export interface InvoiceReport {
  created: Array<{ orderId: string; NUM: string; INVREF: string; net: string }>;
  found: Array<{ orderId: string; NUM: string; INVREF: string; net: string }>;
  /** Orders the settlement paid for that X3 has no SOH for (by CUSORDREF). */
  unknownOrders: Array<{ orderId: string; amount: string }>;
  /** Items the order's SOH has no line left to invoice for (by ITMREF = SKU). */
  unmatched: Array<{ orderId: string; sku: string | null; amount: string }>;
  /** Principal the settlement paid, the invoices' net (INVNOT) for it, and what is flagged. */
  principal: string;
  invoiced: string;
  flagged: string;
  /** principal − invoiced − flagged: zero when the invoices drill down to the settlement. */
  difference: string;
}

/** The invoice reference of one order in one settlement (X3's INVREF is 30 characters). */
export function invoiceRef(settlementId: string, orderId: string): string {
  const ref = `${settlementId}${orderId}`;
  if (ref.length > 30) throw userError('SETTLEMENT_INVALID', `settlement ${settlementId}, order ${orderId}: the invoice reference ${ref} is longer than X3's 30-character INVREF`, { details: { settlementId, orderId, ref } });
  return ref;
}

export async function invoiceSettledOrders(client: SageX3Client, settlementId: string, orders: OrderSale[]): Promise<InvoiceReport> {
  const r: InvoiceReport = { created: [], found: [], unknownOrders: [], unmatched: [], principal: '0.00', invoiced: '0.00', flagged: '0.00', difference: '0.00' };
  let principal = new Decimal(0);
  let invoiced = new Decimal(0);
  let flagged = new Decimal(0);
  for (const o of orders) {
    const amount = o.items.reduce((s, i) => s.plus(i.principal), new Decimal(0));
    principal = principal.plus(amount);
    const ref = invoiceRef(settlementId, o.orderId);
    const existing = (await query.call(client, { object: 'SIH', criteria: { INVREF: ref }, listSize: 5 })).filter((x) => x.INVREF === ref && x.SIVTYP === 'INV');
    if (existing[0]) {
      r.found.push({ orderId: o.orderId, NUM: String(existing[0].NUM), INVREF: ref, net: new Decimal(String(existing[0].INVNOT)).toFixed(2) });
      invoiced = invoiced.plus(String(existing[0].INVNOT));
      continue;
    }
    const soh = await findSalesOrderByReference(client, o.orderId);
    if (!soh) {
      r.unknownOrders.push({ orderId: o.orderId, amount: amount.toFixed(2) });
      flagged = flagged.plus(amount);
      continue;
    }
    // Each item against an SOH line of the same item with enough left to invoice.
    const left = new Map((soh.lines as Array<Record<string, unknown>> | undefined ?? []).map((l) => [String(l.SOPLIN), new Decimal(String(l.QTY ?? 0)).minus(String(l.INVQTY || 0))]));
    const lines: Array<Record<string, string>> = [];
    const missing: InvoiceReport['unmatched'] = [];
    for (const it of o.items) {
      const line = (soh.lines as Array<Record<string, unknown>> | undefined ?? []).find((l) => l.ITMREF === it.sku && left.get(String(l.SOPLIN))!.gte(it.quantity));
      if (!line) {
        missing.push({ orderId: o.orderId, sku: it.sku ?? null, amount: it.principal });
        continue;
      }
      left.set(String(line.SOPLIN), left.get(String(line.SOPLIN))!.minus(it.quantity));
      // Unit price to the cent; a principal that does not divide by the quantity shows in the difference.
      lines.push({ ITMREF: it.sku!, QTY: String(it.quantity), GROPRI: new Decimal(it.principal).div(it.quantity).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2), SOHNUM: String(soh.SOHNUM), SOPLIN: String(line.SOPLIN) });
    }
    if (missing.length) {
      // The whole order waits: half an invoice would drill down to nothing anyone can check.
      r.unmatched.push(...missing);
      flagged = flagged.plus(amount);
      continue;
    }
    const inv = await save.call(client, { object: 'SIH', data: { SALFCY: String(soh.SALFCY), SIVTYP: 'INV', BPCINV: String(soh.BPCINV || soh.BPCORD), CUR: String(soh.CUR), INVREF: ref, lines } as never });
    r.created.push({ orderId: o.orderId, NUM: String(inv.NUM), INVREF: ref, net: new Decimal(String(inv.INVNOT)).toFixed(2) });
    invoiced = invoiced.plus(String(inv.INVNOT));
  }
  r.principal = principal.toFixed(2);
  r.invoiced = invoiced.toFixed(2);
  r.flagged = flagged.toFixed(2);
  r.difference = principal.minus(invoiced).minus(flagged).toFixed(2);
  return r;
}
