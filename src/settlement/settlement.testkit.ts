// Hand-made V2 settlement files for the tests, written from the public report description
// (specs/amazon-sp-api.md §7): every column present on every line, as Amazon writes them.
import { Decimal } from 'decimal.js';

export const COLUMNS = [
  'settlement-id', 'settlement-start-date', 'settlement-end-date', 'deposit-date', 'total-amount', 'currency', 'transaction-type',
  'order-id', 'merchant-order-id', 'adjustment-id', 'shipment-id', 'marketplace-name', 'amount-type', 'amount-description', 'amount',
  'fulfillment-id', 'posted-date', 'posted-date-time', 'order-item-code', 'merchant-order-item-id', 'merchant-adjustment-item-id',
  'sku', 'quantity-purchased', 'promotion-id',
];

export interface Row {
  type: string;
  order?: string;
  item?: string;
  amountType: string;
  description: string;
  amount: string;
  posted: string;
  sku?: string;
  qty?: number;
  /** adjustment-id (refunds). */
  adj?: string;
}

/** A V2 file: header, summary row, one line per row (every column present, as Amazon writes them). */
export function v2File(s: { id: string; start: string; end: string; deposit: string; total: string; currency: string }, rows: Row[]): string {
  const summary = [s.id, s.start, s.end, s.deposit, s.total, s.currency, ...new Array(18).fill('')];
  const lines = rows.map((r) => {
    const c = new Array(24).fill('');
    c[6] = r.type;
    c[7] = r.order ?? '';
    c[9] = r.adj ?? '';
    c[11] = r.order ? 'Amazon.com' : '';
    c[12] = r.amountType;
    c[13] = r.description;
    c[14] = r.amount;
    c[15] = r.order ? 'AFN' : '';
    c[16] = r.posted.slice(0, 10);
    c[17] = r.posted;
    c[18] = r.item ?? '';
    c[21] = r.sku ?? '';
    c[22] = r.qty === undefined ? '' : String(r.qty);
    return c.join('\t');
  });
  return [COLUMNS.join('\t'), summary.join('\t'), ...lines].join('\n') + '\n';
}

export const total = (rows: Row[], comma = false) => {
  const t = rows.reduce((a, r) => a.plus(comma ? r.amount.replace(/\./g, '').replace(',', '.') : r.amount), new Decimal(0)).toFixed(2);
  return comma ? t.replace('.', ',') : t;
};

export async function* linesOf(text: string): AsyncGenerator<string[]> {
  yield text.split('\n');
}

export const at = (d: string) => `${d} 10:00:00 UTC`;

/** Two orders with fees, a refund, reserves, a reimbursement, advertising, lending, subscription, storage. */
export function usRows(day = '2026-11-10'): Row[] {
  const o1 = '113-1111111-1111111';
  const o2 = '114-2222222-2222222';
  const o3 = '112-3333333-3333333';
  return [
    { type: 'Order', order: o1, item: '10001', amountType: 'ItemPrice', description: 'Principal', amount: '89.95', posted: at(day), sku: 'A1-1001-BLK', qty: 1 },
    { type: 'Order', order: o1, item: '10001', amountType: 'ItemPrice', description: 'Tax', amount: '7.42', posted: at(day), sku: 'A1-1001-BLK' },
    { type: 'Order', order: o1, item: '10001', amountType: 'ItemWithheldTax', description: 'MarketplaceFacilitatorTax-Principal', amount: '-7.42', posted: at(day), sku: 'A1-1001-BLK' },
    { type: 'Order', order: o1, item: '10001', amountType: 'ItemFees', description: 'Commission', amount: '-13.49', posted: at(day), sku: 'A1-1001-BLK' },
    { type: 'Order', order: o1, item: '10001', amountType: 'ItemFees', description: 'FBAPerUnitFulfillmentFee', amount: '-3.22', posted: at(day), sku: 'A1-1001-BLK' },
    { type: 'Order', order: o2, item: '20001', amountType: 'ItemPrice', description: 'Principal', amount: '99.90', posted: at(day), sku: 'B2-2002-RED', qty: 2 },
    { type: 'Order', order: o2, item: '20001', amountType: 'ItemPrice', description: 'Shipping', amount: '5.99', posted: at(day), sku: 'B2-2002-RED' },
    { type: 'Order', order: o2, item: '20001', amountType: 'Promotion', description: 'Shipping', amount: '-5.99', posted: at(day), sku: 'B2-2002-RED' },
    // 15 % of 105.89 is 15.88: charged 17.50, the drift the fee check must flag.
    { type: 'Order', order: o2, item: '20001', amountType: 'ItemFees', description: 'Commission', amount: '-17.50', posted: at(day), sku: 'B2-2002-RED' },
    { type: 'Order', order: o2, item: '20001', amountType: 'ItemFees', description: 'FBAPerUnitFulfillmentFee', amount: '-7.20', posted: at(day), sku: 'B2-2002-RED' },
    { type: 'Refund', order: o3, item: '30001', amountType: 'ItemPrice', description: 'Principal', amount: '-24.99', posted: at(day), sku: 'C3-3003-GRN' },
    { type: 'Refund', order: o3, item: '30001', amountType: 'ItemFees', description: 'Commission', amount: '3.75', posted: at(day), sku: 'C3-3003-GRN' },
    { type: 'Refund', order: o3, item: '30001', amountType: 'ItemFees', description: 'RefundCommission', amount: '-0.75', posted: at(day), sku: 'C3-3003-GRN' },
    { type: 'other-transaction', amountType: 'FBA Inventory Reimbursement', description: 'WAREHOUSE_DAMAGE', amount: '18.40', posted: at(day), sku: 'A1-1001-BLK' },
    { type: 'ServiceFee', amountType: 'Cost of Advertising', description: 'TransactionTotalAmount', amount: '-25.00', posted: at(day) },
    { type: 'other-transaction', amountType: 'other-transaction', description: 'Loan Servicing', amount: '-50.00', posted: at(day) },
    { type: 'other-transaction', amountType: 'other-transaction', description: 'Previous Reserve Amount Balance', amount: '30.00', posted: at(day) },
    { type: 'other-transaction', amountType: 'other-transaction', description: 'Current Reserve Amount', amount: '-9.50', posted: at(day) },
    { type: 'ServiceFee', amountType: 'other-transaction', description: 'Subscription Fee', amount: '-39.99', posted: at(day) },
    { type: 'other-transaction', amountType: 'other-transaction', description: 'Storage Fee', amount: '-2.25', posted: at(day) },
  ];
}

export const US = { id: '11876543210', start: '2026-11-01 00:00:00 UTC', end: '2026-11-15 00:00:00 UTC', deposit: '2026-11-17 00:00:00 UTC', currency: 'USD' };
