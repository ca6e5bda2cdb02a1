// Reconciliation X-Cart ↔ Sage 300 over both systems' APIs (never our own records): orders and their
// totals, a Sage 300 order carrying one X-Cart reference twice, registered customers, and stock
// (X-Cart may never show more than Sage 300 can ship). Every difference with its amount.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { allPages, listOrders, listProfiles, listSkus, type XcartClient } from '../connectors/xcart/index.js';
import type { Sage300Client } from '../connectors/sage300/index.js';
import { stockOut } from '../connectors/sage300/index.js';

export interface Difference {
  kind: 'order-missing-in-sage300' | 'order-duplicated-in-sage300' | 'order-total-differs' | 'customer-missing-in-sage300' | 'stock-differs';
  key: string;
  /** Signed, as a decimal string: Sage 300 − X-Cart (money or quantity). */
  amount: string;
  xcart?: string | number | null;
  sage300?: string | number | null;
  detail?: string;
}

export interface ReconcileOptions {
  /** Orders created from then on (ISO); default: every order. */
  since?: string;
  /** Prefix the order flow puts before the X-Cart order number (mapping option referencePrefix). */
  referencePrefix?: string;
  /** The Sage company's currency (mapping option functionalCurrency): totals of other currencies compare with SRCTOTAL. */
  functionalCurrency?: string;
  /** Stock: locations counted (default all) and the safety buffer the inventory flow keeps back. */
  locations?: string[];
  safetyBuffer?: number;
  /** X-Cart SKU → Sage 300 item number (the sku lookup table); default the same string. */
  itemOf?: (sku: string) => string | undefined;
  /** Which parts to compare (default all). */
  parts?: Array<'orders' | 'customers' | 'stock'>;
}

export interface ReconcileReport {
  pair: 'xcart-sage300';
  checkedAt: string;
  since: string | null;
  orders: { xcart: number; inSage300: number };
  customers: { xcart: number; inSage300: number };
  stock: { skus: number; compared: number };
  differences: Difference[];
}

const oeRow = z.looseObject({
  OrderNumber: z.string(),
  PurchaseOrderNumber: z.string().optional().nullable(),
  OrderTotal: z.union([z.number(), z.string()]).optional().nullable(),
  OrderOptionalFields: z.array(z.looseObject({ OptionalField: z.string(), Value: z.unknown() })).optional().nullable(),
});

export async function reconcileXcartSage300(xcart: XcartClient, sage: Sage300Client, o: ReconcileOptions = {}): Promise<ReconcileReport> {
  const parts = new Set(o.parts ?? ['orders', 'customers', 'stock']);
  const prefix = o.referencePrefix ?? '';
  const functional = o.functionalCurrency ?? 'USD';
  const differences: Difference[] = [];
  const report: ReconcileReport = { pair: 'xcart-sage300', checkedAt: new Date().toISOString(), since: o.since ?? null, orders: { xcart: 0, inSage300: 0 }, customers: { xcart: 0, inSage300: 0 }, stock: { skus: 0, compared: 0 }, differences };

  if (parts.has('orders')) {
    const since = o.since ? Date.parse(o.since) : undefined;
    const shop = new Map<string, { total: Decimal; currency: string }>();
    for await (const order of allPages(listOrders, xcart, { ...(since !== undefined ? { createdAfter: Math.floor(since / 1000) } : {}) } as never)) {
      const ord = order as { order_number?: string | number; total?: number | string; currency?: string | null; create_date?: string };
      if (since !== undefined && ord.create_date && Date.parse(ord.create_date) < since) continue;
      shop.set(prefix + String(ord.order_number), { total: new Decimal(String(ord.total ?? 0)), currency: ord.currency ?? functional });
    }
    report.orders.xcart = shop.size;
    const byRef = new Map<string, Array<z.output<typeof oeRow>>>();
    for (const r of await sage.list('reconcile', 'OE', 'OEOrders', oeRow, { select: ['OrderNumber', 'PurchaseOrderNumber', 'OrderTotal', 'OrderOptionalFields'] })) {
      const ref = r.PurchaseOrderNumber ?? '';
      if (!shop.has(ref)) continue;
      byRef.set(ref, [...(byRef.get(ref) ?? []), r]);
    }
    for (const [ref, s] of shop) {
      const rows = byRef.get(ref);
      if (!rows) {
        differences.push({ kind: 'order-missing-in-sage300', key: ref, amount: s.total.neg().toFixed(2), xcart: s.total.toFixed(2), sage300: null, detail: `${s.currency} order not in Sage 300 (dead-lettered or not yet delivered)` });
        continue;
      }
      report.orders.inSage300++;
      if (rows.length > 1) {
        const extra = rows.slice(1).reduce((a, r) => a.add(String(r.OrderTotal ?? 0)), new Decimal(0));
        differences.push({ kind: 'order-duplicated-in-sage300', key: ref, amount: extra.toFixed(2), xcart: s.total.toFixed(2), sage300: rows.map((r) => r.OrderNumber).join(', '), detail: `${rows.length} Sage 300 orders carry this reference` });
      }
      const row = rows[0]!;
      // Orders in another currency were converted at the order date; the source total travels in SRCTOTAL.
      const srcTotal = row.OrderOptionalFields?.find((f) => f.OptionalField === 'SRCTOTAL')?.Value;
      const sageTotal = s.currency === functional ? row.OrderTotal : srcTotal;
      if (sageTotal === undefined || sageTotal === null || sageTotal === '') continue;
      const diff = new Decimal(String(sageTotal)).sub(s.total);
      if (!diff.isZero()) differences.push({ kind: 'order-total-differs', key: ref, amount: diff.toFixed(2), xcart: s.total.toFixed(2), sage300: new Decimal(String(sageTotal)).toFixed(2), detail: `${s.currency}; Sage 300 order ${row.OrderNumber}` });
    }
  }

  if (parts.has('customers')) {
    const emails = new Set<string>();
    for await (const p of allPages(listProfiles, xcart, {} as never)) {
      const login = (p as { login?: string; anonymous?: boolean }).login;
      if (login && !(p as { anonymous?: boolean }).anonymous) emails.add(login.toLowerCase());
    }
    report.customers.xcart = emails.size;
    const known = new Set<string>();
    for (const c of await sage.list('reconcile', 'AR', 'ARCustomers', z.looseObject({ Email: z.string().optional().nullable() }), { select: ['CustomerNumber', 'Email'] })) if (c.Email) known.add(c.Email.toLowerCase());
    for (const e of emails) {
      if (known.has(e)) report.customers.inSage300++;
      // The e-mail is the key people search by; it is the customer's own, shown only to who runs the report.
      else differences.push({ kind: 'customer-missing-in-sage300', key: e, amount: '0', detail: 'registered in X-Cart, no Sage 300 customer has this e-mail' });
    }
  }

  if (parts.has('stock')) {
    const available = new Map<string, Decimal>();
    const locations = o.locations ? new Set(o.locations) : undefined;
    for (const s of await sage.list('reconcile', 'IC', 'ICLocationDetails', stockOut)) {
      if (locations && !locations.has(s.Location)) continue;
      const free = new Decimal(String(s.QuantityOnHand)).sub(String(s.QuantityCommitted));
      available.set(s.UnformattedItemNumber, (available.get(s.UnformattedItemNumber) ?? new Decimal(0)).add(free));
    }
    const skus = await listSkus.call(xcart, {});
    report.stock.skus = skus.length;
    for (const k of skus) {
      if (!k.inventoryTraceable) continue;
      const item = (o.itemOf ?? ((x: string) => x))(k.sku);
      const a = item === undefined ? undefined : available.get(item.replace(/[^A-Za-z0-9]/g, '').toUpperCase());
      if (a === undefined) continue;
      report.stock.compared++;
      const can = Decimal.max(0, a.sub(o.safetyBuffer ?? 0)).floor();
      const diff = can.sub(k.amount);
      if (!diff.isZero()) differences.push({ kind: 'stock-differs', key: k.sku, amount: diff.toFixed(0), xcart: k.amount, sage300: can.toNumber(), detail: diff.isNeg() ? 'X-Cart shows more than Sage 300 can ship (oversell risk)' : 'X-Cart shows less than Sage 300 has' });
    }
  }
  return report;
}
