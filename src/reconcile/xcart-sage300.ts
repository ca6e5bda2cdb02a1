// Reconciliation X-Cart ↔ Sage 300 over both systems' APIs (never our own records): orders and their
// totals, a Sage 300 order carrying one X-Cart reference twice, registered customers, stock
// (X-Cart may never show more than Sage 300 can ship), payments and refunds against the AR
// receipt and refund entries, each to the cent, and OE credit notes carrying one X-Cart refund
// twice. Every difference with its amount.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { allPages, listOrderPaymentTransactions, listOrders, listProfiles, listSkus, type XcartClient } from '../connectors/xcart/index.js';
import type { Sage300Client } from '../connectors/sage300/index.js';
import { itemPricingOut, stockOut, unformattedItemNumber } from '../connectors/sage300/index.js';
import { literal } from '../connectors/sage300/client.js';

export interface Difference {
  kind: 'order-missing-in-sage300' | 'order-duplicated-in-sage300' | 'order-total-differs' | 'customer-missing-in-sage300' | 'stock-differs'
    | 'receipt-missing-in-sage300' | 'receipt-duplicated-in-sage300' | 'receipt-amount-differs' | 'receipt-without-xcart-payment'
    | 'refund-missing-in-sage300' | 'refund-duplicated-in-sage300' | 'refund-amount-differs' | 'refund-without-xcart-refund'
    | 'credit-note-duplicated-in-sage300' | 'price-differs';
  key: string;
  /** Signed, as a decimal string: Sage 300 − X-Cart (money or quantity). */
  amount: string;
  xcart?: string | number | null;
  sage300?: string | number | null;
  detail?: string;
}

export interface ReconcileOptions {
  /**
   * Orders created from then on (ISO), and as customers the registered buyers of those orders (a
   * buyer's Sage 300 customer is made at their first order: a profile that bought nothing since has
   * nothing to compare). Default: every order and every registered profile.
   */
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
  /** Which parts to compare (default orders, customers, stock, payments, credit-notes; `prices` only when named). */
  parts?: Array<'orders' | 'customers' | 'stock' | 'payments' | 'credit-notes' | 'prices'>;
  /** Prices: the Sage 300 price list and currency the shop sells at (the price flow's options; default RTL, the functional currency). */
  priceList?: string;
  storeCurrency?: string;
}

export interface ReconcileReport {
  pair: 'xcart-sage300';
  checkedAt: string;
  since: string | null;
  orders: { xcart: number; inSage300: number };
  customers: { xcart: number; inSage300: number };
  stock: { skus: number; compared: number };
  /** Captured payments and refunds in X-Cart, and the receipt/refund entries Sage 300 has for them. */
  payments: { xcart: number; inSage300: number; refunds: number; refundsInSage300: number };
  /** OE credit notes made for X-Cart refunds (Reference "X-Cart <order> refund <transaction>") of the orders in scope. */
  creditNotes: { inSage300: number };
  /** Shop SKUs whose price was compared with the Sage 300 price list (part `prices`). */
  prices?: { compared: number };
  differences: Difference[];
}

const oeRow = z.looseObject({
  OrderNumber: z.string(),
  PurchaseOrderNumber: z.string().optional().nullable(),
  OrderTotal: z.union([z.number(), z.string()]).optional().nullable(),
  OrderOptionalFields: z.array(z.looseObject({ OptionalField: z.string(), Value: z.unknown() })).optional().nullable(),
});

export async function reconcileXcartSage300(xcart: XcartClient, sage: Sage300Client, o: ReconcileOptions = {}): Promise<ReconcileReport> {
  const parts = new Set(o.parts ?? ['orders', 'customers', 'stock', 'payments', 'credit-notes']);
  const prefix = o.referencePrefix ?? '';
  const functional = o.functionalCurrency ?? 'USD';
  const differences: Difference[] = [];
  const report: ReconcileReport = { pair: 'xcart-sage300', checkedAt: new Date().toISOString(), since: o.since ?? null, orders: { xcart: 0, inSage300: 0 }, customers: { xcart: 0, inSage300: 0 }, stock: { skus: 0, compared: 0 }, payments: { xcart: 0, inSage300: 0, refunds: 0, refundsInSage300: 0 }, creditNotes: { inSage300: 0 }, differences };

  const since = o.since ? Date.parse(o.since) : undefined;
  type ShopOrder = { id: number; number: string; total: Decimal; currency: string; buyer: number | null };
  let shopOrders: ShopOrder[] | undefined;
  const ordersInScope = async () => {
    if (shopOrders) return shopOrders;
    shopOrders = [];
    for await (const order of allPages(listOrders, xcart, { ...(since !== undefined ? { createdAfter: Math.floor(since / 1000) } : {}) } as never)) {
      const ord = order as { id: number; order_number?: string | number; total?: number | string; currency?: string | null; create_date?: string; customer_id?: number | null };
      if (since !== undefined && ord.create_date && Date.parse(ord.create_date) < since) continue;
      shopOrders.push({ id: ord.id, number: String(ord.order_number), total: new Decimal(String(ord.total ?? 0)), currency: ord.currency ?? functional, buyer: ord.customer_id || null });
    }
    return shopOrders;
  };

  let skuList: Awaited<ReturnType<typeof listSkus.call>> | undefined;
  const shopSkus = async () => (skuList ??= await listSkus.call(xcart, {}));

  if (parts.has('orders')) {
    const shop = new Map<string, { total: Decimal; currency: string }>();
    for (const ord of await ordersInScope()) shop.set(prefix + ord.number, ord);
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
    const buyers = since === undefined ? undefined : new Set((await ordersInScope()).map((x) => x.buyer));
    const emails = new Set<string>();
    for await (const p of allPages(listProfiles, xcart, {} as never)) {
      const { id, login, anonymous } = p as { id: number; login?: string; anonymous?: boolean };
      if (login && !anonymous && (!buyers || buyers.has(id))) emails.add(login.toLowerCase());
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
    const skus = await shopSkus();
    report.stock.skus = skus.length;
    for (const k of skus) {
      if (!k.inventoryTraceable) continue;
      const item = (o.itemOf ?? ((x: string) => x))(k.sku);
      const a = item === undefined ? undefined : available.get(unformattedItemNumber(item));
      if (a === undefined) continue;
      report.stock.compared++;
      const can = Decimal.max(0, a.sub(o.safetyBuffer ?? 0)).floor();
      const diff = can.sub(k.amount);
      if (!diff.isZero()) differences.push({ kind: 'stock-differs', key: k.sku, amount: diff.toFixed(0), xcart: k.amount, sage300: can.toNumber(), detail: diff.isNeg() ? 'X-Cart shows more than Sage 300 can ship (oversell risk)' : 'X-Cart shows less than Sage 300 has' });
    }
  }
  if (parts.has('payments')) await reconcilePayments(xcart, sage, await ordersInScope(), report);
  if (parts.has('credit-notes')) await reconcileCreditNotes(sage, since === undefined ? undefined : new Set((await ordersInScope()).map((x) => x.number)), report);
  if (parts.has('prices')) {
    // The shop's price of each SKU it sells against the first price detail of the item in the shop's
    // price list and currency (what getItemPrice and the price and catalog flows send), to the cent.
    const list = o.priceList ?? 'RTL';
    const currency = o.storeCurrency ?? functional;
    const price = new Map<string, Decimal>();
    for (const r of await sage.list('reconcile', 'IC', 'ICItemPricing', itemPricingOut, { filter: `PriceListCode eq ${literal(list)} and CurrencyCode eq ${literal(currency)}` })) {
      const unit = r.ItemPricingDetails?.[0]?.UnitPrice;
      if (unit !== undefined) price.set(r.UnformattedItemNumber, new Decimal(unit));
    }
    report.prices = { compared: 0 };
    for (const k of await shopSkus()) {
      if (k.hasVariants) continue;
      const item = (o.itemOf ?? ((x: string) => x))(k.sku);
      const p = item === undefined ? undefined : price.get(unformattedItemNumber(item));
      if (p === undefined) continue;
      report.prices.compared++;
      const diff = p.sub(k.price);
      if (!diff.isZero()) differences.push({ kind: 'price-differs', key: k.sku, amount: diff.toFixed(2), xcart: new Decimal(k.price).toFixed(2), sage300: p.toFixed(2), detail: `${currency}, Sage 300 price list ${list}` });
    }
  }
  return report;
}

const arEntry = z.looseObject({ CustomerReceiptAmount: z.union([z.number(), z.string()]).optional().nullable(), RefundAmount: z.union([z.number(), z.string()]).optional().nullable(), CheckReceiptNo: z.string().optional().nullable(), Reference: z.string().optional().nullable(), EntryReference: z.string().optional().nullable() });
const arBatch = z.looseObject({ BatchNumber: z.number(), ReceiptsAdjustments: z.array(arEntry).optional().nullable(), Refunds: z.array(arEntry).optional().nullable() });
const CAPTURE = new Set(['sale', 'capture', 'capturePart', 'captureMulti']);
const REFUND = new Set(['refund', 'refundPart', 'refundMulti']);

/**
 * X-Cart's captured payments (a successful transaction with a successful capture) and successful
 * refunds of the orders in scope, against the entries of the payment flow's AR batches ("X-Cart
 * receipts …", "X-Cart refunds …"): each receipt by the X-Cart transaction id it carries (CheckReceiptNo)
 * in the payment's currency (CustomerReceiptAmount), each refund by its reference ("X-Cart #order
 * refund id"). Refund entries are in the bank currency: compared where the order is in it.
 */
async function reconcilePayments(xcart: XcartClient, sage: Sage300Client, orders: Array<{ id: number; number: string; currency: string }>, report: ReconcileReport): Promise<void> {
  const bankCurrency = 'USD';
  const paid = new Map<string, { order: string; value: Decimal; currency: string }>();
  const refunded = new Map<string, { order: string; value: Decimal; currency: string }>();
  for (const ord of orders) {
    for await (const t of allPages(listOrderPaymentTransactions, xcart, { orderId: ord.id })) {
      const txn = t as { public_id: string; status: string; value: string | number; currency?: string | null; backend_transactions?: Array<{ id: number; type: string; status: string; value: string | number }> };
      const backend = txn.backend_transactions ?? [];
      if (txn.status === 'S' && new Decimal(String(txn.value)).gt(0) && backend.some((b) => CAPTURE.has(b.type) && b.status === 'S')) paid.set(txn.public_id, { order: ord.number, value: new Decimal(String(txn.value)), currency: txn.currency ?? ord.currency });
      for (const b of backend) if (REFUND.has(b.type) && b.status === 'S') refunded.set(`X-Cart #${ord.number} refund ${b.id}`.slice(0, 60), { order: ord.number, value: new Decimal(String(b.value)), currency: txn.currency ?? ord.currency });
    }
  }
  report.payments.xcart = paid.size;
  report.payments.refunds = refunded.size;
  const inScope = new Set(orders.map((x) => x.number));
  const entries = async (resource: string, filter: string, field: 'ReceiptsAdjustments' | 'Refunds') =>
    (await sage.list('reconcile', 'AR', resource, arBatch, { filter })).flatMap((b) => (b[field] ?? []).map((e) => ({ batch: b.BatchNumber, e })));

  const receipts = new Map<string, Array<{ batch: number; amount: Decimal; order: string }>>();
  for (const { batch, e } of await entries('ARReceiptAndAdjustmentBatches', "BatchRecordType eq 'CA' and startswith(Description, 'X-Cart receipts ')", 'ReceiptsAdjustments')) {
    if (!e.CheckReceiptNo) continue;
    receipts.set(e.CheckReceiptNo, [...(receipts.get(e.CheckReceiptNo) ?? []), { batch, amount: new Decimal(String(e.CustomerReceiptAmount ?? 0)), order: e.EntryReference ?? '' }]);
  }
  compare('receipt', paid, receipts, inScope, report);
  report.payments.inSage300 = [...paid.keys()].filter((k) => receipts.has(k)).length;

  const refunds = new Map<string, Array<{ batch: number; amount: Decimal; order: string }>>();
  for (const { batch, e } of await entries('ARRefundBatches', "startswith(Description, 'X-Cart refunds ')", 'Refunds')) {
    if (!e.Reference) continue;
    const order = /^X-Cart #(.+) refund /.exec(e.Reference)?.[1] ?? '';
    refunds.set(e.Reference, [...(refunds.get(e.Reference) ?? []), { batch, amount: new Decimal(String(e.RefundAmount ?? 0)), order }]);
  }
  compare('refund', new Map([...refunded].filter(([, r]) => r.currency === bankCurrency)), refunds, inScope, report, new Set(refunded.keys()));
  report.payments.refundsInSage300 = [...refunded.keys()].filter((k) => refunds.has(k)).length;
}

const creditNoteRow = z.looseObject({ CreditDebitNoteNumber: z.string(), Reference: z.string().optional().nullable(), CreditDebitNoteTotal: z.union([z.number(), z.string()]).optional().nullable() });

/**
 * OE credit notes the refund flow made (Reference "X-Cart <order> refund <transaction>", its
 * idempotency key): a Reference on more than one note is one refund credited twice, worth the extra
 * notes' totals. `inScope`: the order numbers to look at (all when undefined).
 */
async function reconcileCreditNotes(sage: Sage300Client, inScope: Set<string> | undefined, report: ReconcileReport): Promise<void> {
  const byRef = new Map<string, Array<z.output<typeof creditNoteRow>>>();
  for (const n of await sage.list('reconcile', 'OE', 'OECreditDebitNotes', creditNoteRow, { filter: "startswith(Reference, 'X-Cart ')", select: ['CreditDebitNoteNumber', 'Reference', 'CreditDebitNoteTotal'] })) {
    const order = /^X-Cart (\S+) refund /.exec(n.Reference ?? '')?.[1];
    if (!order || (inScope && !inScope.has(order))) continue;
    byRef.set(n.Reference!, [...(byRef.get(n.Reference!) ?? []), n]);
  }
  report.creditNotes.inSage300 = byRef.size;
  for (const [ref, notes] of byRef) {
    if (notes.length < 2) continue;
    const extra = notes.slice(1).reduce((a, n) => a.add(String(n.CreditDebitNoteTotal ?? 0)), new Decimal(0));
    report.differences.push({ kind: 'credit-note-duplicated-in-sage300', key: ref, amount: extra.toFixed(2), xcart: null, sage300: notes.map((n) => n.CreditDebitNoteNumber).join(', '), detail: `${notes.length} Sage 300 credit notes carry this refund` });
  }
}

function compare(what: 'receipt' | 'refund', shop: Map<string, { order: string; value: Decimal; currency: string }>, erp: Map<string, Array<{ batch: number; amount: Decimal; order: string }>>, inScope: Set<string>, report: ReconcileReport, known: Set<string> = new Set(shop.keys())): void {
  const shopName = what === 'receipt' ? 'payment' : 'refund';
  for (const [key, x] of shop) {
    const rows = erp.get(key) ?? [];
    if (rows.length === 0) {
      report.differences.push({ kind: `${what}-missing-in-sage300`, key, amount: x.value.neg().toFixed(2), xcart: x.value.toFixed(2), sage300: null, detail: `${x.currency} ${shopName} of order ${x.order} has no Sage 300 ${what} entry` });
      continue;
    }
    if (rows.length > 1) report.differences.push({ kind: `${what}-duplicated-in-sage300`, key, amount: rows.slice(1).reduce((a, r) => a.add(r.amount), new Decimal(0)).toFixed(2), xcart: x.value.toFixed(2), sage300: rows.map((r) => `batch ${r.batch}`).join(', '), detail: `order ${x.order}: ${rows.length} entries carry this ${shopName}` });
    const diff = rows[0]!.amount.sub(x.value);
    if (!diff.isZero()) report.differences.push({ kind: `${what}-amount-differs`, key, amount: diff.toFixed(2), xcart: x.value.toFixed(2), sage300: rows[0]!.amount.toFixed(2), detail: `${x.currency}; order ${x.order}, batch ${rows[0]!.batch}` });
  }
  // Entries for orders in scope that X-Cart has no such payment/refund for (entered by hand twice, or reversed in the shop).
  for (const [key, rows] of erp) {
    if (known.has(key) || !inScope.has(rows[0]!.order)) continue;
    const total = rows.reduce((a, r) => a.add(r.amount), new Decimal(0));
    report.differences.push({ kind: what === 'receipt' ? 'receipt-without-xcart-payment' : 'refund-without-xcart-refund', key, amount: total.toFixed(2), xcart: null, sage300: total.toFixed(2), detail: `order ${rows[0]!.order}: Sage 300 ${what} entry (batch ${rows.map((r) => r.batch).join(', ')}) with no captured X-Cart ${shopName}` });
  }
}
