// From a settlement's sums to X3 journal entries (GACCENTRY): every triple categorised through the
// settlement-accounts table, one entry per month the settlement's lines fall in (split at the month
// end), each built by the shipped mapping template settlement-to-journal.yaml from the summed lines,
// so an analyst edits accounts and entry fields as data. Also the two checks no journal shows:
// per-order drill-down and referral/FBA fee drift.
import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { userError } from '../core/errors.js';
import { formatIssue, type CompiledMapping, type LookupTable } from '../mapping/index.js';
import { sumString, toDecimal, type ItemCharges, type MonthPart, type SettlementTotals, type Sum } from './parse.js';

export const SETTLEMENT_TABLE = 'settlement-accounts';

export interface Unmapped {
  /** `transaction-type/amount-type/amount-description`. */
  description: string;
  amount: string;
  lines: number;
  firstLine: number;
}

export interface JournalLine {
  ACC: string;
  SNS: number;
  AMTCUR: string;
  DES?: string;
  BPR?: string;
}

export interface JournalEntry {
  TYP: string;
  FCY: string;
  JOU: string;
  ACCDAT: string;
  CUR: string;
  REF: string;
  DES: string;
  lines: JournalLine[];
  /** Not sent to X3: the month this part covers and its net. */
  month: string;
  net: string;
}

export interface Journal {
  entries: JournalEntry[];
  balanced: boolean;
  /** Net of the clearing / owed lines over all entries (debit positive): the deposit. */
  net: string;
  /** net − total-amount. */
  difference: string;
  /** Hash of what would be posted (accounts, amounts, dates): a different hash after posting means the mapping changed. */
  hash: string;
}

export function byTypeStrings(t: SettlementTotals): Record<string, string> {
  return Object.fromEntries([...t.byType].map(([k, b]) => [k, sumString(b)]));
}

/** Each triple → its account; the ones the table does not know, with their amounts (summed over the month parts). */
export function categorise(parts: Array<Pick<MonthPart, 'lines'>>, table: LookupTable): { accounts: Map<string, string>; unmapped: Unmapped[] } {
  const accounts = new Map<string, string>();
  const missing = new Map<string, { amount: Decimal; lines: number; firstLine: number }>();
  for (const l of parts.flatMap((p) => p.lines)) {
    const k = `${l.transactionType}/${l.amountType}/${l.amountDescription}`;
    const acc = table.get(k);
    if (typeof acc === 'string' && acc !== '') {
      accounts.set(k, acc);
      continue;
    }
    const u = missing.get(k) ?? { amount: new Decimal(0), lines: 0, firstLine: Infinity };
    missing.set(k, { amount: u.amount.plus(l.amount), lines: u.lines + l.lines, firstLine: Math.min(u.firstLine, l.firstLine ?? 0) });
  }
  const unmapped = [...missing].map(([description, u]) => ({ description, amount: u.amount.toFixed(Math.max(2, u.amount.decimalPlaces())), lines: u.lines, firstLine: u.firstLine }));
  unmapped.sort((a, b) => a.firstLine - b.firstLine);
  return { accounts, unmapped };
}

/** X3 REF (20 characters) of part `part` (1-based) of revision `rev`; `reversal` for the entry undoing it. */
export function entryRef(settlementId: string, parts: number, part: number, rev = 1, reversal = false): string {
  const ref = reversal ? `${settlementId}:R${rev}.${part}` : rev === 1 ? (parts === 1 ? settlementId : `${settlementId}.${part}`) : `${settlementId}:${rev}.${part}`;
  if (ref.length > 20) {
    throw userError('SETTLEMENT_INVALID', `settlement id ${settlementId} is too long for X3's 20-character REF once suffixed (${ref})`, { details: { settlementId, ref } });
  }
  return ref;
}

/**
 * One entry per month part (monthParts), oldest first; each but the last is dated its month's last
 * day, the last keeps the template's date (deposit date, else end date). Each part's net goes to the
 * clearing account (or the owed account when the settlement is negative), so the parts' nets carry
 * the balance across the month end and add up to total-amount. `options` are the template's options
 * with overrides applied (the clearing and owed accounts are read from them to compute the net).
 */
export async function buildJournal(summary: SettlementTotals['summary'], parts: MonthPart[], mapping: CompiledMapping, table: LookupTable, options: Record<string, unknown> = {}, rev = 1): Promise<Journal> {
  const entries: JournalEntry[] = [];
  // Owed or paid out is decided for the whole settlement, so a split one uses one account for its net.
  const owed = new Decimal(summary.totalAmount).isNegative();
  for (const p of parts) {
    const partSummary = p.last ? { ...summary, totalAmount: p.net } : { ...summary, totalAmount: p.net, depositDate: p.monthEnd, endDate: p.monthEnd };
    const lines = p.lines.map((l) => ({ transactionType: l.transactionType, amountType: l.amountType, amountDescription: l.amountDescription, amount: l.amount }));
    const r = await mapping.run({ summary: partSummary, lines }, { options: { ...options, owed }, lookups: { [SETTLEMENT_TABLE]: table } });
    if (r.errors.length) {
      throw userError('SETTLEMENT_INVALID', `settlement ${summary.settlementId}: the journal mapping reported ${r.errors.map(formatIssue).join('; ')}`, { details: { settlementId: summary.settlementId, month: p.month, errors: r.errors } });
    }
    const out = r.output as Omit<JournalEntry, 'month' | 'net' | 'REF'> & { REF?: string };
    // An option set to null (e.g. no clearing partner) leaves the field out rather than sending null.
    const entryLines = out.lines.map((l) => Object.fromEntries(Object.entries(l).filter(([, v]) => v !== null && v !== undefined && v !== '')) as unknown as JournalLine);
    entries.push({ ...out, lines: entryLines, REF: entryRef(summary.settlementId, parts.length, p.part, rev), month: p.month, net: p.net });
  }
  const clearing = new Set([options.clearingAccount, options.owedAccount].filter(Boolean).map(String));
  let net = new Decimal(0);
  let balanced = true;
  for (const e of entries) {
    let bal = new Decimal(0);
    for (const l of e.lines) {
      const signed = new Decimal(l.AMTCUR).times(Number(l.SNS));
      bal = bal.plus(signed);
      if (clearing.has(l.ACC)) net = net.plus(signed);
    }
    if (!bal.isZero()) balanced = false;
  }
  const hash = createHash('sha256')
    .update(JSON.stringify(entries.map((e) => [e.TYP, e.FCY, e.JOU, e.ACCDAT, e.CUR, e.lines.map((l) => [l.ACC, l.SNS, l.AMTCUR, l.BPR ?? ''])])))
    .digest('hex');
  return { entries, balanced, net: net.toFixed(2), difference: net.minus(summary.totalAmount).toFixed(2), hash };
}

/** The entry as X3 takes it (the part's month and net stay with us). */
export function toX3(e: JournalEntry): Record<string, unknown> {
  const { month: _m, net: _n, ...rest } = e;
  return { ...rest, lines: e.lines.map((l) => ({ ...l, SNS: l.SNS })) };
}

/** The entry undoing `e`: the same lines on the other side, same date (its period's figures stay right). */
export function reversalOf(e: JournalEntry, ref: string): JournalEntry {
  return { ...e, REF: ref, DES: `Reversal ${e.REF}`.slice(0, 30), lines: e.lines.map((l) => ({ ...l, SNS: -l.SNS })) };
}

// ---- drill-down and fee drift ------------------------------------------------------------------

export interface DrillDown {
  orders: number;
  /** Sum of the lines that carry an order id. */
  orderCharges: string;
  /** Sum of the others (subscription, storage, reserves, advertising, lending…). */
  otherCharges: string;
  /** orderCharges + otherCharges − total-amount: zero when the orders sum back to the deposit. */
  difference: string;
  sumsBack: boolean;
}

export function drillDown(t: SettlementTotals): DrillDown {
  let cents = 0;
  for (const c of t.orders.values()) cents += c;
  const orderSum: Sum = { cents };
  for (const x of t.orderExtra.values()) orderSum.extra = (orderSum.extra ?? new Decimal(0)).plus(x);
  const diff = toDecimal(orderSum).plus(toDecimal(t.other)).minus(t.summary.totalAmount);
  return { orders: t.orders.size, orderCharges: sumString(orderSum), otherCharges: sumString(t.other), difference: diff.toFixed(2), sumsBack: diff.isZero() };
}

/** Per-order sums (drill-down), largest first. */
export function orderCharges(t: SettlementTotals): Array<{ orderId: string; amount: string }> {
  return [...t.orders]
    .map(([orderId, cents]) => ({ orderId, amount: sumString({ cents, ...(t.orderExtra.has(orderId) ? { extra: t.orderExtra.get(orderId)! } : {}) }) }))
    .sort((a, b) => new Decimal(b.amount).abs().comparedTo(new Decimal(a.amount).abs()) || (a.orderId < b.orderId ? -1 : 1));
}

/** Expected fees: referral rate on item price + shipping (with a minimum per item), FBA fee per unit by SKU. */
export interface FeeSchedule {
  referral?: { rate: string; minimum?: string; bySku?: Record<string, string> };
  fba?: { bySku: Record<string, string> };
  /** Allowed difference per item (default 0.01). */
  tolerance?: string;
}

export interface FeeDrift {
  orderId: string;
  sku?: string;
  fee: 'referral' | 'fba';
  charged: string;
  expected: string;
  difference: string;
}

export interface FeeCheck {
  checked: number;
  drifted: number;
  /** The first 1,000 drifts found, largest first. */
  items: FeeDrift[];
}

/** A fee check fed item by item while the file streams (readSettlement's `onItem`). */
export function feeChecker(schedule: FeeSchedule | undefined): { add: (it: ItemCharges) => void; result: () => FeeCheck } {
  const out: FeeDrift[] = [];
  let checked = 0;
  let drifted = 0;
  const tol = Math.round(Number(schedule?.tolerance ?? '0.01') * 100);
  const refRate = schedule?.referral ? new Decimal(schedule.referral.rate) : undefined;
  const minimum = schedule?.referral?.minimum ? Math.round(Number(schedule.referral.minimum) * 100) : 0;
  const cents = (c: number) => new Decimal(c).div(100).toFixed(2);
  const keep = (d: FeeDrift) => {
    drifted++;
    if (out.length < 1000) out.push(d);
  };
  return {
    add(it) {
      // A refund's fees are Amazon's charges returned, not a new charge at a rate.
      if (!schedule || it.refund) return;
      if (refRate && it.hasCommission && it.principal > 0) {
        checked++;
        const bySku = it.sku ? schedule.referral!.bySku?.[it.sku] : undefined;
        const rate = bySku ? new Decimal(bySku) : refRate;
        const expected = Math.max(minimum, new Decimal(it.principal + it.shipping).times(rate).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber());
        const charged = -it.commission;
        if (Math.abs(charged - expected) > tol) keep({ orderId: it.orderId, ...(it.sku ? { sku: it.sku } : {}), fee: 'referral', charged: cents(charged), expected: cents(expected), difference: cents(charged - expected) });
      }
      const perUnit = it.sku ? schedule.fba?.bySku[it.sku] : undefined;
      if (perUnit !== undefined && it.hasFba && it.quantity > 0) {
        checked++;
        const expected = new Decimal(perUnit).times(100).times(it.quantity).toNumber();
        const charged = -it.fba;
        if (Math.abs(charged - expected) > tol) keep({ orderId: it.orderId, sku: it.sku!, fee: 'fba', charged: cents(charged), expected: cents(expected), difference: cents(charged - expected) });
      }
    },
    result() {
      out.sort((a, b) => Math.abs(Number(b.difference)) - Math.abs(Number(a.difference)));
      return { checked, drifted, items: out };
    },
  };
}
