// A settlement report's orders, one page at a time (not an SP-API call of its own: getReportDocument,
// then the document streamed): each order's sold items (Order/ItemPrice/Principal, with SKU and
// quantity, and the item's Tax, Shipping, ShippingTax, other ItemPrice and Promotion lines) and refunded items (Refund/ItemPrice/Principal, with SKU and adjustment id), for per-order
// X3 invoices and credit notes (the settlement flow, src/settlement/invoices.ts). An order's page is a
// hash of its id modulo `pages`, so one pass over the file keeps only that page's orders in memory
// and the pages together hold every order once, whatever the file's size.
// https://developer-docs.amazon.com/sp-api/docs/report-type-values-settlement
import { z } from 'zod';
import { Decimal } from 'decimal.js';
import { reportLineBatches } from '../workflows.js';
import { readSettlement, type ItemCharges } from '../settlement-totals.js';
import { amazonOperation } from './define.js';

export interface SettledOrder {
  orderId: string;
  /**
   * Sold items: `amount` the principal (a positive decimal string) for `quantity` units and, when not
   * zero, the item's tax, shipping, shipping tax, other item prices (gift wrap) charged and the
   * promotion given (positive: what the buyer did not pay), so the buyer paid
   * amount + tax + shipping + shippingTax + other − promotion.
   */
  items: SettledItem[];
  /**
   * Refunded items, one per (adjustment id, SKU): `amount` the principal refunded, and, when not zero,
   * the tax, shipping and shipping tax refunded, the promotion reversed (which the buyer does not get
   * back) and any other item price refunded (gift wrap; a restocking fee kept is negative) — each as
   * the credited amount, so the refund to the buyer is amount + tax + shipping + shippingTax + other − promotion.
   */
  refunds: SettledRefund[];
}

export interface SettledItem {
  sku?: string;
  quantity: number;
  amount: string;
  tax?: string;
  shipping?: string;
  shippingTax?: string;
  promotion?: string;
  other?: string;
}

export interface SettledRefund {
  sku?: string;
  amount: string;
  adjustmentId?: string;
  tax?: string;
  shipping?: string;
  shippingTax?: string;
  promotion?: string;
  other?: string;
}

/** The page (0 … pages − 1) an order id falls in: FNV-1a, stable across runs and machines. */
export function orderPage(orderId: string, pages: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < orderId.length; i++) h = Math.imul(h ^ orderId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % pages;
}

const cents = (c: number) => new Decimal(c).div(100).toFixed(2);

/** Collects each order's sold and refunded items from readSettlement's `onItem` (chains with the fee check). */
export function orderCollector(accept: (orderId: string) => boolean = () => true): { add: (it: ItemCharges) => void; orders: () => SettledOrder[] } {
  const byOrder = new Map<string, SettledOrder>();
  const of = (id: string) => {
    let o = byOrder.get(id);
    if (!o) byOrder.set(id, (o = { orderId: id, items: [], refunds: [] }));
    return o;
  };
  return {
    add(it) {
      if (!accept(it.orderId)) return;
      const sku = it.sku ? { sku: it.sku } : {};
      if (it.refund) {
        if (!it.principal && !it.tax && !it.shipping && !it.shippingTax && !it.promotion && !it.other) return;
        // One refund's lines of one SKU, even when Amazon does not list them together.
        const o = of(it.orderId);
        let r = o.refunds.find((x) => x.adjustmentId === it.adjustmentId && x.sku === it.sku);
        if (!r) o.refunds.push((r = { ...sku, amount: '0.00', ...(it.adjustmentId ? { adjustmentId: it.adjustmentId } : {}) }));
        const add = (was: string | undefined, c: number) => new Decimal(was ?? 0).plus(cents(c)).toFixed(2);
        r.amount = add(r.amount, -it.principal);
        if (it.tax) r.tax = add(r.tax, -it.tax);
        if (it.shipping) r.shipping = add(r.shipping, -it.shipping);
        if (it.shippingTax) r.shippingTax = add(r.shippingTax, -it.shippingTax);
        if (it.promotion) r.promotion = add(r.promotion, it.promotion);
        if (it.other) r.other = add(r.other, -it.other);
      } else if (it.principal !== 0 && it.quantity > 0) {
        const charged = (k: 'tax' | 'shipping' | 'shippingTax' | 'other', c: number) => (c ? { [k]: cents(c) } : {});
        of(it.orderId).items.push({
          ...sku, quantity: it.quantity, amount: cents(it.principal),
          ...charged('tax', it.tax), ...charged('shipping', it.shipping), ...charged('shippingTax', it.shippingTax), ...charged('other', it.other),
          ...(it.promotion ? { promotion: cents(-it.promotion) } : {}),
        });
      }
    },
    orders: () => [...byOrder.values()].sort((a, b) => (a.orderId < b.orderId ? -1 : 1)),
  };
}

const order = z.object({
  orderId: z.string(),
  items: z.array(z.object({ sku: z.string().optional(), quantity: z.number().int(), amount: z.string(), tax: z.string().optional(), shipping: z.string().optional(), shippingTax: z.string().optional(), promotion: z.string().optional(), other: z.string().optional() })),
  refunds: z.array(z.object({ sku: z.string().optional(), amount: z.string(), adjustmentId: z.string().optional(), tax: z.string().optional(), shipping: z.string().optional(), shippingTax: z.string().optional(), promotion: z.string().optional(), other: z.string().optional() })),
});

export const getSettlementOrders = amazonOperation({
  id: 'getSettlementOrders',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/report-type-values-settlement',
  input: z.strictObject({ reportDocumentId: z.string().min(1), page: z.number().int().min(0).default(0), pages: z.number().int().min(1).max(100_000).default(1) }).refine((i) => i.page < i.pages, { message: 'page must be below pages', path: ['page'] }),
  output: z.object({ settlementId: z.string(), currency: z.string(), page: z.number().int(), pages: z.number().int(), orders: z.array(order) }),
  async run(client, i) {
    const c = orderCollector(i.pages === 1 ? undefined : (id) => orderPage(id, i.pages) === i.page);
    const t = await readSettlement(reportLineBatches(client, i.reportDocumentId), { onItem: c.add });
    return { settlementId: t.summary.settlementId, currency: t.summary.currency, page: i.page, pages: i.pages, orders: c.orders() };
  },
});
