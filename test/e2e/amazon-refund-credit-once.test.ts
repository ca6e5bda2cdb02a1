// One Amazon refund → exactly one X3 credit note, whichever flow sees it first (decision 0019):
// amazon-return-to-sagex3 (FBA customer returns, refunds read from Finances) and
// amazon-settlement-to-sagex3 with option `invoices` (refunds read from the V2 settlement file), both
// run by Syncline against the Amazon and X3 sandboxes over HTTP, with the sandbox's own refusal of a
// second INVREF switched off so that only the flows' look-ups keep one note per refund.
// - Order B is refunded before its settlement closes: the settlement credits it first, the return
//   flow then finds that note. Order A is refunded after: the return flow credits it first, the next
//   settlement finds that note.
// - Each note equals what Amazon refunded, to the cent: principal less the promotion reversed, tax,
//   shipping and shipping tax. The sandbox's returnItems refunds principal (net of the promotion) and
//   tax only, so each refund here is given, as Amazon posts it for a buyer who paid shipping, the
//   shipping, its tax and the promotion reversal as their own postings (the V2 file and Finances are
//   both built from them).
// - Replays of every settlement and return event save nothing more.
import { Decimal } from 'decimal.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SageX3Client } from '../../src/connectors/sagex3/index.js';
import { payloadCodec } from '../../src/core/payload-codec.js';
import { refundReference } from '../../src/connectors/sagex3/operations/settled-order.js';
import { save } from '../../src/connectors/sagex3/operations/save.js';
import type { Order, Posting } from '../../src/sandboxes/amazon/marketplace.js';
import { addChargeItems, fireSchedule, startAmazonX3, switchOffInvrefGuard, X3_SANDBOX_AUTH, type AmazonX3 } from './amazon-x3-pair.js';
import { until } from './xcart-sage300-pair.js';

const RETURNS = 'amazon-return-to-sagex3';
const SETTLEMENT = 'amazon-settlement-to-sagex3';
let pair: AmazonX3;
let direct: SageX3Client;
let crnSaves = 0;

beforeAll(async () => {
  pair = await startAmazonX3({
    seed: 1,
    x3Publications: { COUNT: 'YSTOCKCNT' },
    marketplaceTable: true,
    flows: [
      { use: RETURNS, options: { reportPollMs: 200 } },
      { use: SETTLEMENT, pollIntervalMs: 200, options: { site: 'US011', clearingPartner: null, invoices: true, ordersPerPage: 2, settleMs: 1_000 } },
    ],
  });
  switchOffInvrefGuard(pair.x3);
  const guarded = pair.x3.state.save.bind(pair.x3.state);
  pair.x3.state.save = (code, p, user) => {
    if (code === 'SIH' && p.fields.SIVTYP === 'CRN') crnSaves++;
    return guarded(code, p, user);
  };
  direct = new SageX3Client({ baseUrl: pair.x3.url, ...X3_SANDBOX_AUTH }, { connection: 'x3-direct' });
  addChargeItems(pair.x3);
}, 120_000);
afterAll(async () => {
  await pair?.stop();
});

const creditNotes = (o: Order) => [...pair.x3.state.stores.SIH.values()].filter((r) => r.fields.SIVTYP === 'CRN' && String(r.fields.INVREF).startsWith(o.id));
const invoices = (o: Order) => [...pair.x3.state.stores.SIH.values()].filter((r) => r.fields.SIVTYP === 'INV' && String(r.fields.INVREF).endsWith(o.id));
const pending = async () => (await pair.runtime.engine.queue.counts()).filter((c) => c.state !== 'dead').reduce((n, c) => n + c.count, 0);
const dead = () => pair.runtime.engine.queue.list({ state: 'dead', limit: 20 });
/** The order's SOH in X3 as the order flow books it (CUSORDREF = the Amazon order id, ITMREF = SKU, unit price = ItemPrice ÷ quantity). */
const book = (o: Order) =>
  save.call(direct, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C00001', CUSORDREF: o.id, lines: o.items.map((i) => ({ ITMREF: i.sku, QTY: String(i.qty), GROPRI: new Decimal(i.itemPrice).div(i.qty).toDecimalPlaces(2).toFixed(2) })) } });

/**
 * One unit of the order's first item returned and refunded, the refund posted as Amazon posts it for a
 * buyer who paid shipping: principal at full price with the promotion reversed beside it, tax,
 * shipping and shipping tax. Returns what the buyer got back.
 */
function refund(o: Order): { adjustmentId: string; refunded: Decimal } {
  const market = pair.amazon.sandbox.market;
  const item = o.items[0]!;
  const postings = market.returnItems(o.id, item.sku, 1, undefined, 'SELLABLE');
  const principal = postings.find((p) => p.amountType === 'ItemPrice' && p.amountDescription === 'Principal')!;
  const share = new Decimal(1).div(item.qty);
  const promotion = new Decimal(item.promotionDiscount).times(share).toDecimalPlaces(2);
  principal.amount = new Decimal(principal.amount).minus(promotion).toFixed(2);
  const base: Omit<Posting, 'amountType' | 'amountDescription' | 'amount'> = { ...principal };
  const extra: Posting[] = [
    { ...base, amountType: 'ItemPrice', amountDescription: 'Shipping', amount: '-4.99' },
    { ...base, amountType: 'ItemPrice', amountDescription: 'ShippingTax', amount: '-0.41' },
  ];
  if (!promotion.isZero()) extra.push({ ...base, amountType: 'Promotion', amountDescription: 'Principal', amount: promotion.toFixed(2), promotionId: item.promotionIds[0] });
  // Beside the refund's other lines, as one item's lines are in a V2 file.
  market.openGroup.postings.push(...extra);
  const all = [...postings, ...extra];
  const refunded = all.filter((p) => p.amountType === 'ItemPrice' || p.amountType === 'Promotion').reduce((s, p) => s.minus(p.amount), new Decimal(0));
  return { adjustmentId: principal.adjustmentId!, refunded };
}

async function settle(): Promise<{ id: string; reportId: string; reportDocumentId: string }> {
  const g = pair.amazon.sandbox.market.closeSettlement();
  const report = await until('the settlement report', () => [...pair.amazon.sandbox.reports.values()].find((r) => r.settlement?.settlementId === g.settlementId), Boolean, 30_000, 100);
  await until(`settlement ${g.settlementId} posted`, () => [...pair.x3.state.stores.GAS.values()].filter((r) => String(r.fields.REF).startsWith(g.settlementId!)).length, (n) => n > 0, 90_000, 200);
  return { id: g.settlementId!, reportId: report!.reportId, reportDocumentId: report!.reportDocumentId! };
}

describe('one refund, one credit note, whichever of the returns and settlement flows sees it first', () => {
  it('settlement first (B) and return first (A): one CRN each, equal to the refund to the cent (principal − promotion + tax + shipping + shipping tax); replays of both flows save nothing', async () => {
    const market = pair.amazon.sandbox.market;
    const a = market.placeOrder({ channel: 'AFN', status: 'Shipped', promotion: true });
    const b = market.placeOrder({ channel: 'AFN', status: 'Shipped', promotion: false });
    for (const o of [a, b]) await book(o);

    // B is refunded in the first settlement period: the settlement credits it first.
    const rb = refund(b);
    const s1 = await settle();
    await until('A and B invoiced, B credited by the settlement', () => [invoices(a).length, invoices(b).length, creditNotes(b).length], (n) => n.join() === '1,1,1', 90_000, 200);
    await until('the queue drained', pending, (n) => n === 0, 60_000, 200);
    expect(creditNotes(b)[0]!.fields.INVREF).toBe(refundReference(b.id, rb.adjustmentId));

    // A is refunded after it: the returns flow credits A first and finds B's note.
    const ra = refund(a);
    await fireSchedule(pair.runtime, RETURNS);
    await until('A credited by the returns flow', () => creditNotes(a).length, (n) => n === 1, 90_000, 200);
    await until('the queue drained', pending, (n) => n === 0, 60_000, 200);
    const s2 = await settle();
    await until('the queue drained', pending, (n) => n === 0, 60_000, 200);
    expect(await dead()).toEqual([]);

    for (const [o, r] of [[a, ra], [b, rb]] as const) {
      const notes = creditNotes(o);
      expect(notes, `credit notes of ${o.id}`).toHaveLength(1);
      const [cn] = notes;
      expect(cn!.fields.INVREF).toBe(refundReference(o.id, r.adjustmentId));
      // To the cent: the note's net and total are what the buyer got back.
      expect([cn!.fields.INVNOT, cn!.fields.INVATI]).toEqual([r.refunded.toFixed(2), r.refunded.toFixed(2)]);
      // Against the order's invoice (the first settlement's), with the charges on their own lines.
      expect(cn!.fields.SIHORINUM).toBe(invoices(o)[0]!.fields.NUM);
      const lines = cn!.tables.SIH4_1!.map((l) => [l.ITMREF, new Decimal(String(l.NETPRI)).times(String(l.QTY)).toFixed(2)]);
      expect(lines.map(([i]) => i)).toEqual([o.items[0]!.sku, 'AMZSHIP', 'AMZTAX']);
      expect(lines.find(([i]) => i === 'AMZSHIP')![1]).toBe('4.99');
    }
    // A's promotion reversal came off its principal; B had none.
    expect(new Decimal(a.items[0]!.promotionDiscount).gt(0)).toBe(true);
    expect(crnSaves).toBe(2);

    // The second path found the first's note: the settlement's order run for A, the return run for B.
    const notes = (await sql<{ note: string }>`select note from runs where flow = ${RETURNS} and note is not null`.execute(pair.runtime.store.db)).rows.map((r) => r.note).join('\n');
    expect(notes).toContain(`refund ${rb.adjustmentId} of order ${b.id} (${rb.refunded.toFixed(2)}): credit note ${creditNotes(b)[0]!.fields.NUM} already there`);
    expect(notes).toContain(`refund ${ra.adjustmentId} of order ${a.id} (${ra.refunded.toFixed(2)}): credit note ${creditNotes(a)[0]!.fields.NUM} saved`);

    // Replays: both settlements delivered again, and both return events again (newer versions).
    const ran = async () => (await sql<{ flow: string; n: number }>`select flow, count(*) as n from runs where status = 'succeeded' and record_key like '%return:%' or status = 'succeeded' and record_key like '%order:%' group by flow`.execute(pair.runtime.store.db)).rows;
    const before = await ran();
    const now = new Date(pair.amazon.sandbox.clock.now() + 60_000).toISOString();
    const settlements = await pair.runtime.engine.intake([s1, s2].map((s) => ({ system: 'amazon', entity: 'settlement-report', id: s.reportId, version: now, payload: { reportId: s.reportId, reportDocumentId: s.reportDocumentId } })), { connection: 'amazon-main' });
    expect(settlements.accepted).toBe(2);
    const stored = (await sql<{ system: string; record_id: string; version: string; payload: string }>`select system, record_id, version, payload from events where entity = 'tick' and record_id like 'return:%'`.execute(pair.runtime.store.db)).rows;
    expect(stored).toHaveLength(2);
    const returns = await pair.runtime.engine.intake(
      stored.map((e) => ({ system: e.system, entity: 'tick', id: e.record_id, version: `${e.version}.1`, payload: payloadCodec(pair.runtime.store).decode(e.payload) as Record<string, unknown> })),
      { connection: `schedule:${RETURNS}` },
    );
    expect(returns.accepted).toBe(2);
    await new Promise((r) => setTimeout(r, 500));
    await until('the replays drained', pending, (n) => n === 0, 90_000, 200);
    expect(await dead()).toEqual([]);
    // The replays ran (not skipped as stale): two more return runs, and the settlements' order runs again.
    const after = await ran();
    const n = (rows: typeof before, flow: string) => Number(rows.find((r) => r.flow === flow)?.n ?? 0);
    expect(n(after, RETURNS) - n(before, RETURNS)).toBe(2);
    expect(n(after, SETTLEMENT) - n(before, SETTLEMENT)).toBeGreaterThanOrEqual(2);
    expect(crnSaves).toBe(2);
    expect([creditNotes(a).length, creditNotes(b).length]).toEqual([1, 1]);
    expect([creditNotes(a)[0]!.fields.INVATI, creditNotes(b)[0]!.fields.INVATI]).toEqual([ra.refunded.toFixed(2), rb.refunded.toFixed(2)]);
  }, 240_000);
});
