// One pass over a V2 settlement flat file that keeps only sums: per (transaction-type, amount-type,
// amount-description) and month, and per order (drill-down); order items are handed to a callback
// (the fee check) as soon as their lines end, so a million-line file costs a few Maps, never a
// million objects (bench: `npm run bench -- amazon-x3`). Reading an Amazon document is the
// connector's job; src/settlement builds the journals from what this returns. Columns are found by
// header name; amounts may use a decimal comma and dates `DD.MM.YYYY` (documents.ts parsers). The
// hot loop finds the tabs itself and cuts out only the columns it needs: splitting all 24 cells of
// every line was half the time and most of the garbage.
import { Decimal } from 'decimal.js';
import { userError } from '../../core/errors.js';
import { parseSettlementAmount, parseSettlementDate, type SettlementSummary } from './documents.js';

const REQUIRED = ['settlement-id', 'settlement-start-date', 'settlement-end-date', 'total-amount', 'currency', 'transaction-type', 'amount-type', 'amount-description', 'amount'];

/** A signed amount as integer cents, plus what does not fit in cents (amounts with > 2 decimals, rare). */
export interface Sum {
  cents: number;
  extra?: Decimal;
}

export interface TypeSum extends Sum {
  transactionType: string;
  amountType: string;
  amountDescription: string;
  lines: number;
  firstLine: number;
}

/**
 * One order item's charges (cents), for the fee check and the per-order invoices: the lines of one
 * item are consecutive in a V2 file. `refund` marks a Refund transaction's item (principal negative,
 * quantity usually absent: V2 fills quantity-purchased on the Order principal line only).
 */
export interface ItemCharges {
  orderId: string;
  refund?: true;
  adjustmentId?: string;
  sku?: string;
  quantity: number;
  principal: number;
  shipping: number;
  /** ItemPrice/Tax, ItemPrice/ShippingTax, Promotion/* (negative on an Order, positive on a Refund: reversed), any other ItemPrice (gift wrap, restocking fee…). */
  tax: number;
  shippingTax: number;
  promotion: number;
  other: number;
  commission: number;
  fba: number;
  hasCommission: boolean;
  hasFba: boolean;
}

export interface SettlementTotals {
  summary: SettlementSummary;
  /** Transaction lines (the header and summary rows excluded). */
  lineCount: number;
  /** Last line number read (1-based, header = 1). */
  lastLineNo: number;
  /** Key `transaction-type/amount-type/amount-description` as first spelt in the file. */
  byType: Map<string, TypeSum>;
  /** Month (`YYYY-MM`, UTC, from posted-date-time) → key → sum. */
  byMonth: Map<string, Map<string, TypeSum>>;
  /** Order id → the sum of its lines in cents (drill-down); `orderExtra` holds sub-cent remainders. */
  orders: Map<string, number>;
  orderExtra: Map<string, Decimal>;
  /** Lines without an order id (subscription, storage, reserves, advertising, lending…). */
  other: Sum;
  sum: Sum;
}

const PLAIN = /^-?\d+(\.\d{1,2})?$/;

/** `-12.3` → -1230; undefined when the text is not a plain amount with ≤ 2 decimals. */
function plainCents(s: string): number | undefined {
  if (!PLAIN.test(s)) return undefined;
  const dot = s.indexOf('.');
  const whole = dot < 0 ? s : s.slice(0, dot);
  const frac = dot < 0 ? '' : s.slice(dot + 1);
  const c = Math.abs(Number(whole)) * 100 + (frac.length === 0 ? 0 : frac.length === 1 ? Number(frac) * 10 : Number(frac));
  return whole.charCodeAt(0) === 45 ? -c : c;
}

/** Same as plainCents, reading text[s, e) in place (no substring): NaN when not a plain amount. */
function centsAt(text: string, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (text.charCodeAt(i) === 45) {
    neg = true;
    i++;
  }
  let whole = 0;
  let digits = 0;
  let c = 0;
  for (; i < e; i++) {
    c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    whole = whole * 10 + (c - 48);
    digits++;
  }
  if (digits === 0 || digits > 13) return NaN;
  let frac = 0;
  if (i < e) {
    if (c !== 46 || e - i - 1 < 1 || e - i - 1 > 2) return NaN;
    for (let j = i + 1; j < e; j++) {
      const d = text.charCodeAt(j);
      if (d < 48 || d > 57) return NaN;
      frac = frac * 10 + (d - 48);
    }
    if (e - i - 1 === 1) frac *= 10;
  }
  const v = whole * 100 + frac;
  return neg ? -v : v;
}

export function addTo(sum: Sum, cents: number, extra: Decimal | undefined): void {
  if (extra) sum.extra = (sum.extra ?? new Decimal(0)).plus(extra);
  else sum.cents += cents;
}

export function toDecimal(s: Sum): Decimal {
  const d = new Decimal(s.cents).div(100);
  return s.extra ? d.plus(s.extra) : d;
}

/** A sum as a decimal string with at least 2 decimals (`-12.30`). */
export function sumString(s: Sum): string {
  return toDecimal(s).toFixed(Math.max(2, s.extra ? s.extra.decimalPlaces() : 2));
}

/** One month's part of a settlement: its summed lines, oldest month first (what journal entries are built from). */
export interface MonthPart {
  month: string;
  /** 1-based; `parts` in all; `last` marks the final one (dated the deposit date, the others their month end). */
  part: number;
  parts: number;
  last: boolean;
  /** The month's last day, ISO. */
  monthEnd: string;
  net: string;
  /** `firstLine`: the triple's first line in the file (absent from hand-written cases). */
  lines: Array<{ transactionType: string; amountType: string; amountDescription: string; amount: string; lines: number; firstLine?: number }>;
}

/** The settlement split at month ends (the getSettlementTotals operation and src/settlement share it). */
export function monthParts(t: Pick<SettlementTotals, 'byMonth'>): MonthPart[] {
  const months = [...t.byMonth.keys()].sort();
  return months.map((month, idx) => {
    const byType = t.byMonth.get(month)!;
    const net: Sum = { cents: 0 };
    for (const b of byType.values()) {
      net.cents += b.cents;
      if (b.extra) net.extra = (net.extra ?? new Decimal(0)).plus(b.extra);
    }
    const [y, m] = month.split('-').map(Number) as [number, number];
    return {
      month, part: idx + 1, parts: months.length, last: idx === months.length - 1, monthEnd: new Date(Date.UTC(y, m, 0)).toISOString(), net: sumString(net),
      lines: [...byType.values()].map((b) => ({ transactionType: b.transactionType, amountType: b.amountType, amountDescription: b.amountDescription, amount: sumString(b), lines: b.lines, firstLine: b.firstLine })),
    };
  });
}

/**
 * A copy that does not point into the line it was cut from: V8 keeps a substring as a view of its
 * parent, so a Map key cut from a line would keep the whole 64 KB batch alive.
 */
const own = (s: string) => (' ' + s).slice(1);

export interface ParseOptions {
  /** Called once per batch with the line number reached. */
  onLines?: (lineNo: number) => void;
  /** Called with each order item's charges when its lines end (the fee check). */
  onItem?: (item: ItemCharges) => void;
}

const malformed = (message: string, lineNo: number, extra: Record<string, unknown> = {}) =>
  userError('AMAZON_SETTLEMENT_MALFORMED', `settlement file, line ${lineNo}: ${message}`, { details: { lineNo, ...extra } });

/**
 * Reads the whole file from its lines (strings or batches of strings, as the connector's
 * readLineBatches gives them) and returns the sums. Throws AMAZON_SETTLEMENT_MALFORMED with the
 * line number for an unreadable line, SETTLEMENT_TRUNCATED when the file ends early (a cut last
 * line, or lines that do not add up to total-amount).
 */
export async function readSettlement(input: AsyncIterable<string | string[]>, opts: ParseOptions = {}): Promise<SettlementTotals> {
  let lineNo = 0;
  let header: string[] | undefined;
  let ncols = 0;
  let starts = new Int32Array(1);
  let summary: SettlementSummary | undefined;
  let iTT = 0, iAT = 0, iAD = 0, iAmt = 0, iOrder = -1, iItem = -1, iSku = -1, iQty = -1, iAdj = -1, iPostedDT = -1, iPosted = -1;
  const byMonth = new Map<string, Map<string, Map<string, TypeSum>>>();
  const orders = new Map<string, number>();
  const orderExtra = new Map<string, Decimal>();
  const other: Sum = { cents: 0 };
  const sum: Sum = { cents: 0 };
  let lineCount = 0;
  let lastCells = 0;
  let lastLine = 0;
  let cutLine: unknown;
  const onItem = opts.onItem;

  // Cells of the current line: column k is text[starts[k], starts[k + 1] - 1).
  let cells = 0;
  const scan = (text: string) => {
    starts[0] = 0;
    let k = 1;
    let i = -1;
    while (k < ncols && (i = text.indexOf('\t', i + 1)) !== -1) starts[k++] = i + 1;
    cells = k;
    const j = k === ncols ? text.indexOf('\t', starts[k - 1]!) : -1;
    starts[k] = (j === -1 ? text.length : j) + 1;
  };
  const cell = (text: string, c: number): string | undefined => {
    if (c < 0 || c >= cells) return undefined;
    const s = starts[c]!;
    const e = starts[c + 1]! - 1;
    if (e <= s) return undefined;
    // V2 cells are not padded; a padded one is trimmed (slow path).
    if (text.charCodeAt(s) !== 32 && text.charCodeAt(e - 1) !== 32) return text.slice(s, e);
    const t = text.slice(s, e).trim();
    return t === '' ? undefined : t;
  };

  // Lines of one posting share a day, and a settlement spans a few weeks: parse a date once per day.
  const monthOfDay = new Map<string, string>();
  let defaultMonth = '';
  let lastDay = '';
  let lastMonth = '';
  const monthAt = (text: string, c: number): string => {
    if (c < 0 || c >= cells) return defaultMonth;
    const s = starts[c]!;
    const e = starts[c + 1]! - 1;
    if (e <= s) return defaultMonth;
    // `YYYY-MM-DD[ hh:mm:ss][ UTC]`, `…Z` and `DD.MM.YYYY[ …]` are UTC: the day decides the month.
    const utc = e - s <= 10 || text.startsWith('UTC', e - 3) || text.startsWith('GMT', e - 3) || text.charCodeAt(e - 1) === 90 || (e - s === 19 && text.charCodeAt(s + 10) === 32);
    if (utc && lastDay !== '' && text.startsWith(lastDay, s)) return lastMonth;
    const raw = text.slice(s, e).trim();
    const key = utc ? raw.slice(0, 10) : raw;
    let m = monthOfDay.get(key);
    if (m === undefined) {
      const iso = parseSettlementDate(raw);
      if (!iso) throw malformed(`unreadable posted date ${JSON.stringify(raw)}`, lineNo);
      m = iso.slice(0, 7);
      if (monthOfDay.size > 10_000) monthOfDay.clear();
      monthOfDay.set(own(key), m);
    }
    if (utc) {
      lastDay = own(raw.slice(0, 10));
      lastMonth = m;
    }
    return m;
  };

  // The running order and order item: their lines are consecutive, so most lines add to a number.
  let curOrder = '';
  let curCents = 0;
  let item: ItemCharges | undefined;
  let itemKey = '';
  const flushOrder = () => {
    if (curOrder !== '') orders.set(curOrder, (orders.get(curOrder) ?? 0) + curCents);
    curOrder = '';
    curCents = 0;
  };
  const flushItem = () => {
    if (item && onItem) onItem(item);
    item = undefined;
    itemKey = '';
  };

  const onHeader = (text: string) => {
    header = text.replace(/^\uFEFF/, '').split('\t').map((h) => h.trim().toLowerCase());
    const missing = REQUIRED.filter((c) => !header!.includes(c));
    if (missing.length) throw malformed(`not a V2 settlement file: missing columns ${missing.join(', ')}`, 1, { header });
    ncols = header.length;
    starts = new Int32Array(ncols + 1);
    const at = (n: string) => header!.indexOf(n);
    iTT = at('transaction-type'); iAT = at('amount-type'); iAD = at('amount-description'); iAmt = at('amount');
    iOrder = at('order-id'); iItem = at('order-item-code'); iSku = at('sku'); iQty = at('quantity-purchased'); iAdj = at('adjustment-id');
    iPostedDT = at('posted-date-time'); iPosted = at('posted-date');
  };
  const onSummary = (text: string) => {
    scan(text);
    const get = (n: string) => cell(text, header!.indexOf(n));
    const total = parseSettlementAmount(get('total-amount') ?? '');
    const settlementId = get('settlement-id');
    const startDate = parseSettlementDate(get('settlement-start-date') ?? '');
    const endDate = parseSettlementDate(get('settlement-end-date') ?? '');
    const currency = get('currency');
    if (!settlementId || total === undefined || !startDate || !endDate || !currency || get('transaction-type')) {
      throw malformed('row 2 is not a settlement summary (settlement-id, dates, total-amount and currency filled; no transaction-type)', 2, { row: text.slice(0, 300) });
    }
    const depositRaw = get('deposit-date');
    const depositDate = depositRaw ? parseSettlementDate(depositRaw) : undefined;
    if (depositRaw && !depositDate) throw malformed(`unreadable deposit-date ${JSON.stringify(depositRaw)}`, 2);
    summary = { settlementId: own(settlementId), startDate, endDate, ...(depositDate ? { depositDate } : {}), totalAmount: total, currency: own(currency) };
    defaultMonth = endDate.slice(0, 7);
  };

  // The last transaction type's map and its text: most lines repeat it.
  let lastTT = '';
  let lastTypes: Map<string, TypeSum> | undefined;
  let lastMonthMap: Map<string, Map<string, TypeSum>> | undefined;
  let lastMonthKey = '';
  const contiguous = () => iAD === iAT + 1;

  const onLine = (text: string) => {
    const ts = iTT < cells ? starts[iTT]! : 0;
    const te = iTT < cells ? starts[iTT + 1]! - 1 : 0;
    const as = iAmt < cells ? starts[iAmt]! : 0;
    const ae = iAmt < cells ? starts[iAmt + 1]! - 1 : 0;
    if (te <= ts || ae <= as) throw malformed(`a transaction line needs transaction-type and amount (got ${JSON.stringify(cell(text, iAmt) ?? '')})`, lineNo, { cells });
    let cents = centsAt(text, as, ae);
    let extra: Decimal | undefined;
    if (Number.isNaN(cents)) {
      const rawAmount = cell(text, iAmt) ?? '';
      const norm = parseSettlementAmount(rawAmount);
      if (norm === undefined) throw malformed(`unreadable amount ${JSON.stringify(rawAmount)}`, lineNo);
      const c = plainCents(norm);
      if (c === undefined) {
        extra = new Decimal(norm);
        cents = 0;
      } else cents = c;
    }
    const month = monthAt(text, iPostedDT >= 0 && iPostedDT < cells && starts[iPostedDT + 1]! - 1 > starts[iPostedDT]! ? iPostedDT : iPosted);
    let perMonth = lastMonthMap;
    if (month !== lastMonthKey || !perMonth) {
      perMonth = byMonth.get(month);
      if (!perMonth) byMonth.set(month, (perMonth = new Map()));
      lastMonthMap = perMonth;
      lastMonthKey = month;
      lastTT = '';
    }
    let perType: Map<string, TypeSum>;
    if (lastTT !== '' && te - ts === lastTT.length && text.startsWith(lastTT, ts)) perType = lastTypes!;
    else {
      const tt = text.slice(ts, te).trim();
      let m = perMonth.get(tt);
      if (!m) perMonth.set(own(tt), (m = new Map()));
      perType = m;
      lastTT = own(tt);
      lastTypes = m;
    }
    // amount-type TAB amount-description, cut in one piece when the columns are neighbours (V2 order).
    const sub = contiguous() && iAD < cells ? text.slice(starts[iAT]!, starts[iAD + 1]! - 1) : `${cell(text, iAT) ?? ''}\t${cell(text, iAD) ?? ''}`;
    let b = perType.get(sub);
    if (!b) {
      const at = cell(text, iAT) ?? '';
      const ad = cell(text, iAD) ?? '';
      perType.set(own(sub), (b = { transactionType: lastTT, amountType: own(at), amountDescription: own(ad), cents: 0, lines: 0, firstLine: lineNo }));
    }
    if (extra) b.extra = (b.extra ?? new Decimal(0)).plus(extra);
    else b.cents += cents;
    b.lines++;
    addTo(sum, cents, extra);
    const tt = b.transactionType;
    const at = b.amountType;
    const ad = b.amountDescription;

    const os = iOrder >= 0 && iOrder < cells ? starts[iOrder]! : -1;
    const oe = os >= 0 ? starts[iOrder + 1]! - 1 : -1;
    if (os >= 0 && oe > os) {
      if (oe - os !== curOrder.length || !text.startsWith(curOrder, os)) {
        flushOrder();
        curOrder = own(text.slice(os, oe).trim());
      }
      if (extra) orderExtra.set(curOrder, (orderExtra.get(curOrder) ?? new Decimal(0)).plus(extra));
      else curCents += cents;
      if (onItem && (tt === 'Order' || tt === 'Refund') && !extra && (at === 'ItemPrice' || at === 'ItemFees' || at === 'Promotion')) {
        const code = cell(text, iItem) ?? cell(text, iSku) ?? '';
        const adj = tt === 'Refund' ? cell(text, iAdj) : undefined;
        const key = `${tt}\t${curOrder}\t${code}\t${adj ?? ''}`;
        if (key !== itemKey) {
          flushItem();
          itemKey = key;
          item = { orderId: curOrder, quantity: 0, principal: 0, shipping: 0, tax: 0, shippingTax: 0, promotion: 0, other: 0, commission: 0, fba: 0, hasCommission: false, hasFba: false };
          if (tt === 'Refund') {
            item.refund = true;
            if (adj) item.adjustmentId = own(adj);
          }
        }
        const it = item!;
        if (it.sku === undefined) {
          const sku = cell(text, iSku);
          if (sku) it.sku = own(sku);
        }
        if (at === 'ItemPrice' && ad === 'Principal') {
          it.principal += cents;
          const q = cell(text, iQty);
          if (q !== undefined) {
            if (!/^-?\d+$/.test(q)) throw malformed(`unreadable quantity-purchased ${JSON.stringify(q)}`, lineNo);
            it.quantity += Number(q);
          }
        } else if (at === 'ItemPrice') {
          if (ad === 'Shipping') it.shipping += cents;
          else if (ad === 'Tax') it.tax += cents;
          else if (ad === 'ShippingTax') it.shippingTax += cents;
          else it.other += cents;
        } else if (at === 'Promotion') it.promotion += cents;
        else if (ad === 'Commission') {
          it.commission += cents;
          it.hasCommission = true;
        } else if (ad === 'FBAPerUnitFulfillmentFee') {
          it.fba += cents;
          it.hasFba = true;
        }
      }
    } else addTo(other, cents, extra);
    lineCount++;
  };

  for await (const chunk of input) {
    const batch = typeof chunk === 'string' ? [chunk] : chunk;
    for (const text of batch) {
      lineNo++;
      if (lineNo === 1) {
        onHeader(text);
        continue;
      }
      if (text.length === 0 || text.trim() === '') continue;
      if (lineNo === 2) {
        onSummary(text);
        continue;
      }
      if (!summary) throw malformed('the summary row (row 2) is missing', 2);
      // A cut line followed by more lines is malformed; a cut last line is a truncated download.
      if (cutLine) throw cutLine;
      lastLine = lineNo;
      scan(text);
      lastCells = cells;
      try {
        onLine(text);
      } catch (e) {
        if (cells >= ncols) throw e;
        cutLine = e;
      }
    }
    opts.onLines?.(lineNo);
  }
  flushOrder();
  flushItem();
  if (!header) throw malformed('the file is empty', 1);
  if (!summary) throw malformed('the summary row (row 2) is missing', 2);
  const truncated = (why: string) =>
    userError('SETTLEMENT_TRUNCATED', `settlement ${summary!.settlementId}: the file ends at line ${lastLine || lineNo}: ${why}; nothing is posted — fetch the report again`, {
      details: { settlementId: summary!.settlementId, lineNo: lastLine || lineNo, lineCount },
    });
  // Every V2 line carries all columns (trailing ones empty): a shorter last line was cut off.
  if (lastLine && lastCells < ncols) throw truncated(`its last line has ${lastCells} of ${ncols} columns`);
  const net = toDecimal(sum);
  if (!net.equals(summary.totalAmount)) throw truncated(`its ${lineCount} lines add up to ${net.toFixed(2)}, but total-amount says ${summary.totalAmount}`);

  const flat = new Map<string, Map<string, TypeSum>>();
  const byType = new Map<string, TypeSum>();
  for (const [month, perMonth] of [...byMonth].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const m = new Map<string, TypeSum>();
    flat.set(month, m);
    for (const perType of perMonth.values()) {
      for (const b of perType.values()) {
        const k = `${b.transactionType}/${b.amountType}/${b.amountDescription}`;
        m.set(k, b);
        let t = byType.get(k);
        if (!t) byType.set(k, (t = { ...b, cents: 0, lines: 0, extra: undefined }));
        // A triple's month sum may hold both cents and a sub-cent remainder: keep both.
        t.cents += b.cents;
        if (b.extra) t.extra = (t.extra ?? new Decimal(0)).plus(b.extra);
        t.lines += b.lines;
        t.firstLine = Math.min(t.firstLine, b.firstLine);
      }
    }
  }
  // byType in file order (first line), the order a reader expects.
  const ordered = new Map([...byType].sort((a, b) => a[1].firstLine - b[1].firstLine));
  return { summary, lineCount, lastLineNo: lineNo, byType: ordered, byMonth: flat, orders, orderExtra, other, sum };
}
