// A settlement report read whole and summed (not an SP-API call of its own: getReportDocument, then
// the document streamed): per month, the sum of each (transaction-type, amount-type,
// amount-description), and the drill-down totals. Small enough for a flow to checkpoint whatever the
// report's size; src/settlement and the settlement flow build journal entries from it.
// https://developer-docs.amazon.com/sp-api/docs/report-type-values-settlement
import { z } from 'zod';
import { Decimal } from 'decimal.js';
import { reportLineBatches } from '../workflows.js';
import { monthParts, readSettlement, sumString, type Sum } from '../settlement-totals.js';
import { amazonOperation } from './define.js';

const line = z.object({ transactionType: z.string(), amountType: z.string(), amountDescription: z.string(), amount: z.string(), lines: z.number().int(), firstLine: z.number().int().optional() });

export const getSettlementTotals = amazonOperation({
  id: 'getSettlementTotals',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/report-type-values-settlement',
  input: z.strictObject({ reportDocumentId: z.string().min(1) }),
  output: z.object({
    summary: z.object({ settlementId: z.string(), startDate: z.string(), endDate: z.string(), depositDate: z.string().optional(), totalAmount: z.string(), currency: z.string() }),
    lineCount: z.number().int(),
    /** Oldest first; `part` counts from 1, `monthEnd` is the month's last day (ISO), `last` marks the final part. */
    months: z.array(z.object({ month: z.string(), part: z.number().int(), parts: z.number().int(), last: z.boolean(), monthEnd: z.string(), net: z.string(), lines: z.array(line) })),
    drillDown: z.object({ orders: z.number().int(), orderCharges: z.string(), otherCharges: z.string() }),
  }),
  async run(client, i) {
    const t = await readSettlement(reportLineBatches(client, i.reportDocumentId));
    let orderCents = 0;
    for (const c of t.orders.values()) orderCents += c;
    const orderSum: Sum = { cents: orderCents };
    for (const x of t.orderExtra.values()) orderSum.extra = (orderSum.extra ?? new Decimal(0)).plus(x);
    return {
      summary: t.summary,
      lineCount: t.lineCount,
      months: monthParts(t),
      drillDown: { orders: t.orders.size, orderCharges: sumString(orderSum), otherCharges: sumString(t.other) },
    };
  },
});
