// Hand-made V2 settlement files written from the public report description (specs/amazon-sp-api.md §7):
// refunds, reserves, reimbursements, advertising, lending, EU formats, an unknown description, a
// truncated file, a month-end split, a negative settlement and fee drift. Dry runs here; posting to
// the X3 sandbox is in settlement.x3.test.ts.
import { describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { failure } from '../../test/support/failure.js';
import { importSettlement, type SettlementReport } from './index.js';
import { at, linesOf, total, US, usRows, v2File, type Row } from './settlement.testkit.js';

const SANDBOX_OPTIONS = { site: 'US011', clearingPartner: null };

const net = (r: SettlementReport, acc: string) =>
  r.journal.lines.filter((l) => l.ACC === acc).reduce((a, l) => a.plus(new Decimal(l.AMTCUR).times(l.SNS)), new Decimal(0)).toFixed(2);

describe('a US settlement with refunds, reserves, reimbursements, advertising and lending', () => {
  it('reconciles to the cent: every triple summed, one balanced entry, net = total-amount, orders sum back', async () => {
    const rows = usRows();
    const r = await importSettlement(linesOf(v2File({ ...US, total: total(rows) }, rows)), { options: SANDBOX_OPTIONS, fees: { referral: { rate: '0.15', minimum: '0.30' }, fba: { bySku: { 'A1-1001-BLK': '3.22', 'B2-2002-RED': '3.60' } } } });
    expect(r.totalAmount).toBe(total(rows));
    expect(r.lines).toBe(rows.length);
    expect(r.byType['Order/ItemPrice/Principal']).toBe('189.85');
    expect(r.byType['Order/ItemFees/Commission']).toBe('-30.99');
    expect(r.byType['other-transaction/other-transaction/Current Reserve Amount']).toBe('-9.50');
    expect(r.unmapped).toEqual([]);
    expect(r.journal.balanced).toBe(true);
    expect(r.journal.entries).toHaveLength(1);
    expect(r.difference).toBe('0.00');
    expect(net(r, '512100')).toBe(total(rows));
    // Reserves land on the reserved-balance account: 30.00 released, 9.50 held back.
    expect(net(r, '467100')).toBe('-20.50');
    expect(net(r, '623100')).toBe('25.00'); // advertising
    expect(net(r, '164000')).toBe('50.00'); // lending repayment reduces the loan
    expect(net(r, '758000')).toBe('-18.40'); // reimbursement income
    expect(net(r, '709100')).toBe('24.99'); // refund
    expect(r.journal.entries[0]).toMatchObject({ REF: US.id, ACCDAT: '20261117' });
    expect(r.drillDown).toMatchObject({ orders: 3, sumsBack: true, difference: '0.00' });
    expect(new Decimal(r.drillDown.orderCharges).plus(r.drillDown.otherCharges).toFixed(2)).toBe(total(rows));
    // Fees: o1 referral 13.49 = 15 % of 89.95 ✔, FBA 3.22 ✔; o2 referral 17.50 ≠ 15.88, FBA 7.20 = 2 × 3.60 ✔.
    expect(r.fees.checked).toBe(4);
    expect(r.fees.items).toEqual([{ orderId: '114-2222222-2222222', sku: 'B2-2002-RED', fee: 'referral', charged: '17.50', expected: '15.88', difference: '1.62' }]);
    expect(r.status).toBe('dry-run');
  });

  it('drills down per order, and the orders plus the other charges sum back to the deposit', async () => {
    const rows = usRows();
    const r = await importSettlement(linesOf(v2File({ ...US, total: total(rows) }, rows)), { options: SANDBOX_OPTIONS, orders: true });
    expect(r.orders).toEqual([
      { orderId: '114-2222222-2222222', amount: '75.20' },
      { orderId: '113-1111111-1111111', amount: '73.24' },
      { orderId: '112-3333333-3333333', amount: '-21.99' },
    ]);
  });
});

describe('EU formats', () => {
  it('reads a decimal comma, DD.MM.YYYY dates and EUR VAT lines', async () => {
    const rows: Row[] = [
      { type: 'Order', order: '302-1234567-7654321', item: '1', amountType: 'ItemPrice', description: 'Principal', amount: '1.234,56', posted: '03.11.2026', sku: 'EU-1', qty: 1 },
      { type: 'Order', order: '302-1234567-7654321', item: '1', amountType: 'ItemPrice', description: 'Tax', amount: '234,57', posted: '03.11.2026', sku: 'EU-1' },
      { type: 'Order', order: '302-1234567-7654321', item: '1', amountType: 'ItemWithheldTax', description: 'MarketplaceFacilitatorVAT-Principal', amount: '-234,57', posted: '03.11.2026', sku: 'EU-1' },
      { type: 'Order', order: '302-1234567-7654321', item: '1', amountType: 'ItemFees', description: 'Commission', amount: '-185,18', posted: '03.11.2026', sku: 'EU-1' },
      { type: 'other-transaction', amountType: 'other-transaction', description: 'Storage Fee', amount: '-3,50', posted: '10.11.2026' },
    ];
    const r = await importSettlement(linesOf(v2File({ id: '22000000001', start: '01.11.2026', end: '15.11.2026', deposit: '17.11.2026', total: total(rows, true), currency: 'EUR' }, rows)), { options: SANDBOX_OPTIONS });
    expect(r.totalAmount).toBe('1045.88');
    expect(r.currency).toBe('EUR');
    expect(r.startDate).toBe('2026-11-01T00:00:00.000Z');
    expect(r.byType['Order/ItemPrice/Principal']).toBe('1234.56');
    expect(r.journal.balanced).toBe(true);
    expect(r.difference).toBe('0.00');
    expect(r.journal.entries[0]).toMatchObject({ CUR: 'EUR', ACCDAT: '20261117' });
    expect(net(r, '512100')).toBe('1045.88');
  });
});

describe('problems are flagged with their amounts, never absorbed', () => {
  it('an unknown description holds the settlement: listed with its amount, no journal, difference = what is missing', async () => {
    const rows = [...usRows(), { type: 'other-transaction', amountType: 'other-transaction', description: 'Mystery Adjustment', amount: '-4.44', posted: at('2026-11-11') }];
    const r = await importSettlement(linesOf(v2File({ ...US, total: total(rows) }, rows)), { options: SANDBOX_OPTIONS });
    expect(r.status).toBe('held');
    expect(r.unmapped).toEqual([{ description: 'other-transaction/other-transaction/Mystery Adjustment', amount: '-4.44', lines: 1, firstLine: rows.length + 2 }]);
    expect(r.journal).toEqual({ balanced: false, lines: [], entries: [] });
    expect(r.difference).toBe('4.44');
  });

  it('a file cut mid-line is rejected with that line number', async () => {
    const rows = usRows();
    const text = v2File({ ...US, total: total(rows) }, rows);
    const cut = text.slice(0, text.lastIndexOf('Storage') + 3);
    const e = await failure(importSettlement(linesOf(cut), { options: SANDBOX_OPTIONS }));
    expect(e.code).toBe('SETTLEMENT_TRUNCATED');
    expect(e.details.lineNo).toBe(rows.length + 2);
    expect(e.message).toContain(`line ${rows.length + 2}`);
  });

  it('a file cut at a line end is rejected: its lines do not add up to total-amount', async () => {
    const rows = usRows();
    const text = v2File({ ...US, total: total(rows) }, rows);
    const lines = text.trimEnd().split('\n');
    const e = await failure(importSettlement(linesOf(lines.slice(0, -3).join('\n')), { options: SANDBOX_OPTIONS }));
    expect(e.code).toBe('SETTLEMENT_TRUNCATED');
    expect(e.details.lineNo).toBe(lines.length - 3);
    expect(e.message).toContain('add up to');
  });

  it('a bad amount in the middle names its line', async () => {
    const rows = usRows();
    rows[3] = { ...rows[3]!, amount: '12.x4' };
    const e = await failure(importSettlement(linesOf(v2File({ ...US, total: '1.00' }, rows)), { options: SANDBOX_OPTIONS }));
    expect([e.code, e.details.lineNo]).toEqual(['AMAZON_SETTLEMENT_MALFORMED', 6]);
  });
});

describe('month end, negative settlements', () => {
  it('a settlement spanning two months is split at the month end; the parts carry the balance to the deposit', async () => {
    const nov = usRows('2026-11-28').slice(0, 10);
    const dec = usRows('2026-12-02').slice(10);
    const rows = [...nov, ...dec];
    const r = await importSettlement(linesOf(v2File({ ...US, start: '2026-11-25 00:00:00 UTC', end: '2026-12-09 00:00:00 UTC', deposit: '2026-12-11 00:00:00 UTC', total: total(rows) }, rows)), { options: SANDBOX_OPTIONS });
    expect(r.journal.entries.map((e) => [e.REF, e.ACCDAT, e.month, e.net])).toEqual([
      [`${US.id}.1`, '20261130', '2026-11', total(nov)],
      [`${US.id}.2`, '20261211', '2026-12', total(dec)],
    ]);
    expect(r.journal.balanced).toBe(true);
    expect(r.difference).toBe('0.00');
  });

  it('a negative settlement posts its net as money owed to Amazon', async () => {
    const rows: Row[] = [
      { type: 'Refund', order: '113-9', item: '1', amountType: 'ItemPrice', description: 'Principal', amount: '-120.00', posted: at('2026-11-05') },
      { type: 'ServiceFee', amountType: 'other-transaction', description: 'Subscription Fee', amount: '-39.99', posted: at('2026-11-05') },
      { type: 'Order', order: '113-8', item: '1', amountType: 'ItemPrice', description: 'Principal', amount: '20.00', posted: at('2026-11-06') },
    ];
    const r = await importSettlement(linesOf(v2File({ ...US, total: total(rows) }, rows)), { options: SANDBOX_OPTIONS });
    expect(r.totalAmount).toBe('-139.99');
    const owed = r.journal.lines.find((l) => l.ACC === '467200');
    expect(owed).toMatchObject({ SNS: -1, AMTCUR: '139.99', DES: 'Owed to Amazon' });
    expect(r.journal.lines.some((l) => l.ACC === '512100')).toBe(false);
    expect(r.difference).toBe('0.00');
  });
});
