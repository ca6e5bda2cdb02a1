// V2 settlement flat file (GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2): 24 tab-separated columns,
// row 1 the header, row 2 the summary (id, period, deposit date, net total, currency), then one line
// per posting. Generated from the sandbox's own postings, or synthetically (N lines) for load tests,
// always as a stream of lines so a million-line file never sits in memory.
import { Random } from '../shared/random.js';
import type { EventGroup, Posting } from './marketplace.js';
import { MARKETPLACE_NAME, CURRENCY } from './marketplace.js';

export const SETTLEMENT_COLUMNS = [
  'settlement-id', 'settlement-start-date', 'settlement-end-date', 'deposit-date', 'total-amount', 'currency', 'transaction-type',
  'order-id', 'merchant-order-id', 'adjustment-id', 'shipment-id', 'marketplace-name', 'amount-type', 'amount-description', 'amount',
  'fulfillment-id', 'posted-date', 'posted-date-time', 'order-item-code', 'merchant-order-item-id', 'merchant-adjustment-item-id',
  'sku', 'quantity-purchased', 'promotion-id',
] as const;

/** `2026-11-22 14:03:11 UTC`, the form real V2 files use. */
export const settlementDateTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
const dateOnly = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function line(p: Posting, settlementId: string): string {
  const cols = [
    settlementId, '', '', '', '', '', p.transactionType, p.orderId ?? '', p.orderId ?? '', p.adjustmentId ?? '', p.shipmentId ?? '',
    p.orderId ? MARKETPLACE_NAME : '', p.amountType, p.amountDescription, p.amount, p.fulfillment ?? '', dateOnly(p.postedAt),
    settlementDateTime(p.postedAt), p.orderItemId ?? '', '', '', p.sku ?? '',
    p.transactionType === 'Order' && p.amountDescription === 'Principal' && p.amountType === 'ItemPrice' ? String(p.quantity ?? '') : '',
    p.promotionId ?? '',
  ];
  return `${cols.join('\t')}\n`;
}

function header(settlementId: string, start: number, end: number, total: string): string {
  const summary = [settlementId, settlementDateTime(start), settlementDateTime(end), settlementDateTime(end + 86_400_000), total, CURRENCY, ...new Array(18).fill('')];
  return `${SETTLEMENT_COLUMNS.join('\t')}\n${summary.join('\t')}\n`;
}

export async function* settlementLines(g: EventGroup): AsyncIterable<string> {
  yield header(g.settlementId!, g.start, g.end!, g.total!);
  let chunk = '';
  for (const p of g.postings) {
    chunk += line(p, g.settlementId!);
    if (chunk.length > 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/**
 * A synthetic settlement of `n` transaction lines, reproducible from `seed`. Amounts are whole cents
 * so the net total (computed once, before streaming) is exact.
 */
export function syntheticSettlement(n: number, seed: number, start: number, end: number, settlementId: string) {
  const kinds: Array<[Posting['transactionType'], string, string, number, number]> = [
    ['Order', 'ItemPrice', 'Principal', 500, 25_000],
    ['Order', 'ItemPrice', 'Tax', 40, 2_000],
    ['Order', 'ItemWithheldTax', 'MarketplaceFacilitatorTax-Principal', -2_000, -40],
    ['Order', 'ItemFees', 'Commission', -3_500, -75],
    ['Order', 'ItemFees', 'FBAPerUnitFulfillmentFee', -900, -322],
    ['Refund', 'ItemPrice', 'Principal', -25_000, -500],
    ['other-transaction', 'other-transaction', 'Storage Fee', -500, -10],
  ];
  function* rows(): Generator<Posting & { cents: number }> {
    const rnd = new Random(seed);
    const span = end - start;
    for (let i = 0; i < n; i++) {
      const [tt, at, ad, lo, hi] = kinds[i % 5 === 4 && rnd.chance(0.1) ? 5 + (i % 2) : i % 5]!;
      const cents = rnd.int(lo, hi);
      const order = `${111 + (i % 4)}-${String(1_000_000 + Math.floor(i / 5)).padStart(7, '0')}-${String(7_000_000 + i).slice(-7)}`;
      yield {
        cents, postedAt: start + Math.floor((span * i) / n), transactionType: tt, amountType: at, amountDescription: ad,
        amount: (cents / 100).toFixed(2), groupId: '', fulfillment: 'AFN',
        ...(tt === 'other-transaction' ? {} : { orderId: order, orderItemId: String(10_000_000_000_000 + i), sku: `SKU-${i % 997}`, quantity: 1 + (i % 3), shipmentId: `D${i % 100_000}` }),
      };
    }
  }
  let totalCents = 0;
  for (const r of rows()) totalCents += r.cents;
  const total = (totalCents / 100).toFixed(2);
  return {
    total,
    async *lines(): AsyncIterable<string> {
      yield header(settlementId, start, end, total);
      let chunk = '';
      for (const r of rows()) {
        chunk += line(r, settlementId);
        if (chunk.length > 64 * 1024) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    },
  };
}
