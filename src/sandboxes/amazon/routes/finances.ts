// Finances API v0: https://developer-docs.amazon.com/sp-api/docs/finances-api-reference
// Event groups are settlement periods; events are built from the same postings as the settlement
// report, so Finances and the V2 flat file always agree. Money here is {CurrencyCode, CurrencyAmount}
// with a JSON number, as the model's BigDecimal type says.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AmazonSandbox } from '../context.js';
import { isoSeconds } from '../clock.js';
import { SpApiError, invalidInput, parseDate, spRoute } from '../http.js';
import { CURRENCY, MARKETPLACE_NAME, type Posting } from '../marketplace.js';
import { readNextToken } from './orders.js';

const cur = (amount: string) => ({ CurrencyCode: CURRENCY, CurrencyAmount: Number(amount) });
const CHARGE: Record<string, string> = { Principal: 'Principal', Tax: 'Tax', Shipping: 'ShippingCharge', ShippingTax: 'ShippingTax' };

type Events = Record<string, unknown[]>;

/** Finances events from postings: shipments, refunds, service fees and adjustments. */
export function toFinancialEvents(postings: Posting[]): Events {
  const shipments = new Map<string, Posting[]>();
  const refunds = new Map<string, Posting[]>();
  const serviceFees: unknown[] = [];
  const adjustments: unknown[] = [];
  for (const p of postings) {
    if (p.transactionType === 'Order') {
      const k = `${p.orderId}|${p.shipmentId}`;
      shipments.set(k, [...(shipments.get(k) ?? []), p]);
    } else if (p.transactionType === 'Refund') {
      const k = `${p.orderId}|${p.adjustmentId}`;
      refunds.set(k, [...(refunds.get(k) ?? []), p]);
    } else if (p.amountType === 'FBA Inventory Reimbursement') {
      adjustments.push({ AdjustmentType: 'REVERSAL_REIMBURSEMENT', PostedDate: isoSeconds(p.postedAt), AdjustmentAmount: cur(p.amount), AdjustmentItemList: [{ Quantity: String(p.quantity ?? 1), PerUnitAmount: cur((Number(p.amount) / (p.quantity ?? 1)).toFixed(2)), TotalAmount: cur(p.amount), SellerSKU: p.sku }] });
    } else if (p.amountDescription === 'Subscription Fee' || p.amountDescription === 'Storage Fee') {
      serviceFees.push({ FeeDescription: p.amountDescription, FeeList: [{ FeeType: p.amountDescription === 'Storage Fee' ? 'FBAStorageFee' : 'Subscription', FeeAmount: cur(p.amount) }] });
    }
  }
  const itemsOf = (rows: Posting[], adjustment: boolean) => {
    const byItem = new Map<string, Posting[]>();
    for (const r of rows) byItem.set(r.orderItemId!, [...(byItem.get(r.orderItemId!) ?? []), r]);
    return [...byItem.values()].map((rs) => {
      const first = rs[0]!;
      const charges = rs.filter((r) => r.amountType === 'ItemPrice').map((r) => ({ ChargeType: CHARGE[r.amountDescription] ?? r.amountDescription, ChargeAmount: cur(r.amount) }));
      const fees = rs.filter((r) => r.amountType === 'ItemFees').map((r) => ({ FeeType: r.amountDescription, FeeAmount: cur(r.amount) }));
      const withheld = rs.filter((r) => r.amountType === 'ItemWithheldTax').map((r) => ({ ChargeType: r.amountDescription, ChargeAmount: cur(r.amount) }));
      const promos = rs.filter((r) => r.amountType === 'Promotion').map((r) => ({ PromotionType: 'PromotionMetaDataDefinitionValue', PromotionId: r.promotionId ?? '', PromotionAmount: cur(r.amount) }));
      return {
        SellerSKU: first.sku, OrderItemId: first.orderItemId, ...(adjustment ? { OrderAdjustmentItemId: first.adjustmentId } : {}), QuantityShipped: first.quantity,
        [adjustment ? 'ItemChargeAdjustmentList' : 'ItemChargeList']: charges,
        [adjustment ? 'ItemFeeAdjustmentList' : 'ItemFeeList']: fees,
        ItemTaxWithheldList: withheld.length ? [{ TaxCollectionModel: 'MarketplaceFacilitator', TaxesWithheld: withheld }] : [],
        [adjustment ? 'PromotionAdjustmentList' : 'PromotionList']: promos,
      };
    });
  };
  const event = (rows: Posting[], adjustment: boolean) => ({
    AmazonOrderId: rows[0]!.orderId, SellerOrderId: rows[0]!.orderId, MarketplaceName: MARKETPLACE_NAME, PostedDate: isoSeconds(rows[0]!.postedAt),
    [adjustment ? 'ShipmentItemAdjustmentList' : 'ShipmentItemList']: itemsOf(rows, adjustment),
  });
  return {
    ShipmentEventList: [...shipments.values()].map((r) => event(r, false)),
    RefundEventList: [...refunds.values()].map((r) => event(r, true)),
    ServiceFeeEventList: serviceFees,
    AdjustmentEventList: adjustments,
  };
}

export function registerFinances(app: FastifyInstance, sb: AmazonSandbox): void {
  const base = '/finances/v0';
  const m = sb.market;
  const groupPages = new Map<string, { ids: string[]; offset: number; size: number }>();
  const eventPages = new Map<string, { postings: Posting[]; offset: number; size: number }>();

  const pageSize = (v: string | undefined, def: number) => {
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 100) throw invalidInput('MaxResultsPerPage must be an integer from 1 to 100.');
    return n;
  };
  const notRecent = (name: string, t: number | undefined) => {
    if (t !== undefined && t > sb.clock.now() - 2 * 60_000) throw invalidInput(`${name} must be a date at least 2 minutes before the current time.`);
  };

  spRoute(app, sb, 'GET', `${base}/financialEventGroups`, 'listFinancialEventGroups', ({ query, rawQuery }) => {
    let p = readNextToken(rawQuery, 'NextToken', groupPages, 'Invalid NextToken.');
    if (!p) {
      const after = parseDate('FinancialEventGroupStartedAfter', query.FinancialEventGroupStartedAfter) ?? sb.clock.now() - 180 * 86_400_000;
      const before = parseDate('FinancialEventGroupStartedBefore', query.FinancialEventGroupStartedBefore);
      notRecent('FinancialEventGroupStartedBefore', before);
      if (before !== undefined && before < after) throw invalidInput('FinancialEventGroupStartedBefore must be later than FinancialEventGroupStartedAfter.');
      p = { ids: m.groups.filter((g) => g.start >= after && (before === undefined || g.start < before)).map((g) => g.id), offset: 0, size: pageSize(query.MaxResultsPerPage, 10) };
    }
    const list = p.ids.slice(p.offset, p.offset + p.size).map((id) => {
      const g = m.groups.find((x) => x.id === id)!;
      return {
        FinancialEventGroupId: g.id, ProcessingStatus: g.status, FundTransferStatus: g.fundTransferStatus,
        OriginalTotal: cur(g.total ?? g.postings.reduce((s, x) => s + Number(x.amount), 0).toFixed(2)),
        ...(g.end ? { FundTransferDate: isoSeconds(g.end + 86_400_000), FinancialEventGroupEnd: isoSeconds(g.end), TraceId: g.settlementId, AccountTail: '4242' } : {}),
        BeginningBalance: cur('0.00'), FinancialEventGroupStart: isoSeconds(g.start),
      };
    });
    const payload: Record<string, unknown> = { FinancialEventGroupList: list };
    if (p.offset + p.size < p.ids.length) {
      const t = randomBytes(40).toString('base64');
      groupPages.set(t, { ...p, offset: p.offset + p.size });
      payload.NextToken = t;
    }
    return { payload };
  });

  const eventsPage = (rawQuery: Map<string, string>, pick: () => Posting[], size: number) => {
    let p = readNextToken(rawQuery, 'NextToken', eventPages, 'Invalid NextToken.');
    if (!p) p = { postings: pick(), offset: 0, size };
    // A page holds `size` postings' worth of events, never splitting one order's event.
    let end = Math.min(p.postings.length, p.offset + size);
    while (end < p.postings.length && end > p.offset && p.postings[end]!.orderId && p.postings[end]!.orderId === p.postings[end - 1]!.orderId) end++;
    const payload: Record<string, unknown> = { FinancialEvents: toFinancialEvents(p.postings.slice(p.offset, end)) };
    if (end < p.postings.length) {
      const t = randomBytes(40).toString('base64');
      eventPages.set(t, { ...p, offset: end });
      payload.NextToken = t;
    }
    return { payload };
  };

  spRoute(app, sb, 'GET', `${base}/financialEventGroups/:eventGroupId/financialEvents`, 'listFinancialEventsByGroupId', ({ params, query, rawQuery }) => {
    const g = m.groups.find((x) => x.id === params.eventGroupId);
    if (!g) throw new SpApiError(404, 'NotFound', `Financial event group ${params.eventGroupId} was not found.`);
    return eventsPage(rawQuery, () => g.postings, pageSize(query.MaxResultsPerPage, 100) * 8);
  });
  spRoute(app, sb, 'GET', `${base}/orders/:orderId/financialEvents`, 'listFinancialEventsByOrderId', ({ params, query, rawQuery }) => {
    if (!m.ordersById.has(params.orderId!)) throw new SpApiError(404, 'NotFound', `Invalid AmazonOrderId: ${params.orderId}`);
    return eventsPage(rawQuery, () => m.groups.flatMap((g) => g.postings.filter((p) => p.orderId === params.orderId)), pageSize(query.MaxResultsPerPage, 100) * 8);
  });
  spRoute(app, sb, 'GET', `${base}/financialEvents`, 'listFinancialEvents', ({ query, rawQuery }) => {
    const after = parseDate('PostedAfter', query.PostedAfter);
    const before = parseDate('PostedBefore', query.PostedBefore);
    notRecent('PostedBefore', before);
    if (!rawQuery.has('NextToken') && after === undefined) throw invalidInput('PostedAfter is required.');
    const to = before ?? sb.clock.now() - 2 * 60_000;
    return eventsPage(rawQuery, () => m.groups.flatMap((g) => g.postings).filter((p) => p.postedAt >= after! && p.postedAt < to).sort((a, b) => a.postedAt - b.postedAt), pageSize(query.MaxResultsPerPage, 100) * 8);
  });
}
