// One settled marketplace order → its X3 invoice and credit notes, and one marketplace refund → its
// credit note, each created at most once (decisions 0010 and 0019). X3 has no idempotency key, so each
// document carries a deterministic reference in INVREF, is looked up by it before it is saved, and
// again after a save whose outcome is unknown.
//   - Invoice (invoiceSettledOrder): INVREF = settlement id + order id; the order's whole charge as the
//     settlement reports it: per sold SKU the principal less the promotion, against its SOH line
//     (SOHNUM/SOPLIN, so X3 counts it as invoiced; the SOH found by CUSORDREF), then one line per charge
//     item (chargeItems, as on the credit notes) for the shipping, tax, shipping tax and other item
//     prices charged, so its net is what the buyer paid, to the cent, like a credit note's is what the
//     buyer got back.
//   - Credit note: one per refund, INVREF = refundReference(order id, the refund's adjustment id), the
//     refund's own identity, which the settlement (adjustment-id) and the Finances API the returns flow
//     reads (OrderAdjustmentItemId) both give: so whichever of amazon-settlement-to-sagex3 and
//     amazon-return-to-sagex3 sees a refund first credits it, and the other finds that note
//     (creditOrderRefund is the returns flow's way in). A refund without an adjustment id (hand-made
//     reports) keeps the settlement's key, settlement id + order id, as before 0019; a credit note saved
//     under that key for the order is found as well.
//   - A credit note carries the whole refund: per SKU the principal less the promotion reversed, and one
//     line per charge item (options chargeItems: shipping, tax, shipping tax, other), so its net is
//     what the buyer got back, to the cent. SIHORINUM = the order's invoice — this settlement's, else
//     X3's invoice from the order (INVREF = the order id), else an earlier settlement's (INVREF ending
//     in the order id, among the customer's invoices); with none found it is saved untied
//     (`invoice: null`, reported), or, with requireInvoice (the returns flow), refused.
//   - Amounts to the cent: a principal that does not divide by the quantity is two lines (q − 1 units
//     at the rounded-down price, one unit at the rest), so the note's net is the report's amount.
//   - An order X3 does not know, an item its SOH lacks, or a negative part of a refund is flagged with
//     its amount and that document is not saved (`unknownOrder: 'fail'` throws X3_NOT_FOUND for an
//     unknown order, `unmatched: 'fail'` X3_INPUT_INVALID for the rest, for a flow's dead letter).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Decimal } from 'decimal.js';
import { SynclineError, outcomeUnknown, userError } from '../../../core/errors.js';
import { SOAP_DOCS, type SageX3Client } from '../client.js';
import { findSalesOrderByReference } from '../lookup.js';
import type { X3Record } from '../schemas.js';
import { defineX3Operation } from './define.js';
import { query } from './query.js';
import { read } from './read.js';
import { save } from './save.js';

const amount = z.string().regex(/^\d+(\.\d{1,2})?$/, 'a positive amount with at most 2 decimals');
const signed = z.string().regex(/^-?\d+(\.\d{1,2})?$/, 'an amount with at most 2 decimals');
/** One SKU of one refund, as credited amounts: the buyer got back amount + tax + shipping + shippingTax + other − promotion. */
export const refundItem = z.object({
  sku: z.string().optional(),
  /** The principal refunded. */
  amount: signed,
  adjustmentId: z.string().min(1).optional(),
  tax: signed.optional(),
  shipping: signed.optional(),
  shippingTax: signed.optional(),
  /** The promotion reversed: part of the principal (then shipping) the buyer had not paid. */
  promotion: signed.optional(),
  /** Any other item price refunded (gift wrap and its tax; a restocking fee kept is negative). */
  other: signed.optional(),
});
/** The X3 items (non-stock, service) a credit note's charge lines are booked on; shippingTax defaults to tax. */
const chargeItems = z.object({ shipping: z.string().min(1).default('AMZSHIP'), tax: z.string().min(1).default('AMZTAX'), shippingTax: z.string().min(1).optional(), other: z.string().min(1).default('AMZOTHER') }).default({ shipping: 'AMZSHIP', tax: 'AMZTAX', other: 'AMZOTHER' });
const common = {
  creditType: z.string().min(1).max(5).default('CRN'),
  chargeItems,
  unknownOrder: z.enum(['flag', 'fail']).default('flag'),
  unmatched: z.enum(['flag', 'fail']).default('flag'),
  /** Wait after a save whose outcome is unknown before looking it up (X3 may still be saving it). */
  settleMs: z.number().int().min(0).max(600_000).default(2_000),
};
export const settledOrderInput = z.object({
  /** INVREF of the invoice (and of the credit note of refunds without an adjustment id): settlement id + order id. */
  reference: z.string().min(1).max(30),
  /** The marketplace order id, the SOH's CUSORDREF. */
  order: z.string().min(1).max(30),
  /** Sold items: the buyer paid amount + tax + shipping + shippingTax + other − promotion. */
  items: z.array(z.object({ sku: z.string().optional(), quantity: z.number().int().positive(), amount, tax: signed.optional(), shipping: signed.optional(), shippingTax: signed.optional(), promotion: signed.optional(), other: signed.optional() })).default([]),
  refunds: z.array(refundItem).default([]),
  ...common,
});
export const orderRefundInput = z.object({
  order: z.string().min(1).max(30),
  /** The refund's identity: the settlement's adjustment-id, Finances' OrderAdjustmentItemId. */
  adjustmentId: z.string().min(1),
  items: z.array(refundItem.omit({ adjustmentId: true })).min(1),
  /** No credit note without the order's invoice to tie it to (X3_NOT_FOUND, replay once invoiced). */
  requireInvoice: z.boolean().default(false),
  ...common,
});

const doc = z.object({ NUM: z.string(), INVREF: z.string(), net: z.string(), created: z.boolean() });
const creditDoc = doc.extend({ invoice: z.string().nullable(), adjustmentId: z.string().nullable(), refunded: z.string() });
const flag = z.object({ kind: z.enum(['unknown-order', 'unmatched-item', 'negative']), of: z.enum(['sale', 'refund']), sku: z.string().nullable(), amount: z.string() });
const settledOrderResult = z.object({
  order: z.string(),
  SOHNUM: z.string().nullable(),
  /** Everything charged for the items sold, and everything refunded (the report's amounts). */
  sold: z.string(),
  refunded: z.string(),
  invoice: doc.nullable(),
  creditNotes: z.array(creditDoc),
  flagged: z.array(flag),
});
const orderRefundResult = z.object({ order: z.string(), SOHNUM: z.string().nullable(), refunded: z.string(), creditNote: creditDoc.nullable(), flagged: z.array(flag) });
export type SettledOrderResult = z.infer<typeof settledOrderResult>;
export type OrderRefundResult = z.infer<typeof orderRefundResult>;
type Flag = z.infer<typeof flag>;
type Line = Record<string, string>;
type RefundItem = z.infer<typeof refundItem>;
type Common = { creditType: string; chargeItems: z.infer<typeof chargeItems>; unknownOrder: 'flag' | 'fail'; unmatched: 'flag' | 'fail'; settleMs: number };

/**
 * `total` for `qty` units as invoice lines whose net is exactly `total`: the unit price rounded down
 * once to the currency's minor unit (`scale` decimals), the rest on the last unit.
 */
export function pricedLines(total: Decimal, qty: number, scale = 2): Array<{ QTY: string; GROPRI: string }> {
  const unit = total.div(qty).toDecimalPlaces(scale, Decimal.ROUND_DOWN);
  const last = total.minus(unit.times(qty - 1));
  if (last.equals(unit)) return [{ QTY: String(qty), GROPRI: unit.toFixed(scale) }];
  return [...(qty > 1 ? [{ QTY: String(qty - 1), GROPRI: unit.toFixed(scale) }] : []), { QTY: '1', GROPRI: last.toFixed(scale) }];
}

/** Decimals of a currency's minor unit (ISO 4217 through Intl: USD 2, JPY 0); 2 when unknown. */
export function currencyScale(cur: string | undefined): number {
  try {
    return cur ? new Intl.NumberFormat('en', { style: 'currency', currency: cur }).resolvedOptions().maximumFractionDigits ?? 2 : 2;
  } catch {
    return 2;
  }
}

/**
 * The INVREF of one refund's credit note (decision 0019): `<order id>-<adjustment id>` when that fits
 * X3's 30 characters, else `<order id>~<code>`: a numeric adjustment id in base 36 (reversible), any
 * other a SHA-256 digest in base 36, cut to what is left. Both refund paths compute it from the refund alone.
 */
export function refundReference(orderId: string, adjustmentId: string): string {
  const plain = `${orderId}-${adjustmentId}`;
  if (plain.length <= 30) return plain;
  const room = 30 - orderId.length - 1;
  if (room < 8) throw userError('X3_INPUT_INVALID', `order id ${orderId} leaves no room for a refund's identity in X3's 30-character INVREF`, { details: { orderId, adjustmentId } });
  const code = /^\d+$/.test(adjustmentId) ? BigInt(adjustmentId).toString(36).toUpperCase() : '';
  if (code && code.length <= room) return `${orderId}~${code}`;
  const digest = BigInt(`0x${createHash('sha256').update(adjustmentId).digest('hex')}`).toString(36).toUpperCase();
  return `${orderId}~${digest.slice(0, room)}`;
}

const lines = (r: X3Record) => (r.lines as Array<Record<string, unknown>> | undefined) ?? [];
const d = (v: string | undefined) => new Decimal(v ?? 0);
/** What the buyer got back for one refunded SKU. */
export const refundTotal = (r: Omit<RefundItem, 'adjustmentId'>) => d(r.amount).plus(d(r.tax)).plus(d(r.shipping)).plus(d(r.shippingTax)).plus(d(r.other)).minus(d(r.promotion));
/** What the buyer paid for one sold item (the same sum). */
export const saleTotal = refundTotal;

async function findDoc(client: SageX3Client, type: string, ref: string): Promise<Record<string, unknown> | undefined> {
  // Compared exactly afterwards: the left list matches a trailing * as a prefix.
  const rows = (await query.call(client, { object: 'SIH', criteria: { INVREF: ref, SIVTYP: type }, listSize: 5 })).filter((x) => x.INVREF === ref && x.SIVTYP === type);
  if (rows.length > 1) throw userError('X3_DUPLICATE', `${type} documents ${rows.map((r) => String(r.NUM)).join(', ')} all carry reference ${ref}; keep one and replay`, { details: { ref, documents: rows.map((r) => r.NUM) } });
  return rows[0];
}

/** Looked up, else saved; after a save whose outcome is unknown, looked up again before failing. */
async function saveOnce(client: SageX3Client, type: string, ref: string, data: Record<string, unknown>, settleMs: number): Promise<{ NUM: string; INVREF: string; net: string; created: boolean }> {
  const out = (r: Record<string, unknown>, created: boolean) => ({ NUM: String(r.NUM), INVREF: ref, net: new Decimal(String(r.INVNOT)).toFixed(2), created });
  try {
    return out(await save.call(client, { object: 'SIH', data: { ...data, SIVTYP: type, INVREF: ref } as never }), true);
  } catch (e) {
    if (e instanceof SynclineError && outcomeUnknown(e)) {
      await new Promise((r) => setTimeout(r, settleMs));
      const after = await findDoc(client, type, ref);
      if (after) return out(after, true);
    }
    throw e;
  }
}

/** The invoice a credit note for `order` credits (see the header). */
async function originalInvoice(client: SageX3Client, order: string, customer: string, own: string | undefined): Promise<X3Record | undefined> {
  let num = own ?? (await findDoc(client, 'INV', order))?.NUM;
  if (!num) {
    const rows = await query.call(client, { object: 'SIH', criteria: { BPCINV: customer, SIVTYP: 'INV' }, listSize: 1000 });
    num = rows.find((r) => r.SIVTYP === 'INV' && String(r.INVREF).endsWith(order))?.NUM as string | undefined;
  }
  return num ? read.call(client, { object: 'SIH', key: String(num) }) : undefined;
}

const found = (r: Record<string, unknown>, ref: string, adjustmentId: string | null, refunded: Decimal) => ({
  NUM: String(r.NUM), INVREF: ref, net: new Decimal(String(r.INVNOT)).toFixed(2), created: false, invoice: String(r.SIHORINUM ?? '') || null, adjustmentId, refunded: refunded.toFixed(2),
});

/** Refunds grouped by adjustment id (one credit note each); those without one form the `null` group. */
function byAdjustment(refunds: RefundItem[]): Map<string | null, RefundItem[]> {
  const m = new Map<string | null, RefundItem[]>();
  for (const r of refunds) {
    const k = r.adjustmentId ?? null;
    m.set(k, [...(m.get(k) ?? []), r]);
  }
  return m;
}

/**
 * One refund's credit note lines: per SKU the principal less the promotion reversed (whole units at the
 * invoiced, else ordered, unit price when the amount is a multiple of it, else one unit), then one line
 * per charge item. What cannot be a line is flagged with its amount.
 */
function creditLines(soh: X3Record, original: X3Record | undefined, items: RefundItem[], charges: Common['chargeItems']): { lines: Line[]; missing: Flag[] } {
  const out: Line[] = [];
  const missing: Flag[] = [];
  const charge = new Map<string, Decimal>();
  const add = (code: string, v: Decimal) => charge.set(code, (charge.get(code) ?? new Decimal(0)).plus(v));
  for (const rf of items) {
    let principal = d(rf.amount).minus(d(rf.promotion));
    let shipping = d(rf.shipping);
    // A promotion larger than the principal (free shipping reversed) comes off the shipping.
    if (principal.isNegative()) {
      shipping = shipping.plus(principal);
      principal = new Decimal(0);
    }
    const sohLine = lines(soh).find((l) => l.ITMREF === rf.sku);
    if (principal.gt(0) && (!sohLine || !rf.sku)) {
      missing.push({ kind: 'unmatched-item', of: 'refund', sku: rf.sku ?? null, amount: refundTotal(rf).toFixed(2) });
      continue;
    }
    if (principal.gt(0)) {
      const unit = new Decimal(String((original ? lines(original).find((l) => l.ITMREF === rf.sku)?.GROPRI : undefined) ?? sohLine!.GROPRI ?? 0));
      const n = unit.gt(0) && principal.mod(unit).isZero() ? principal.div(unit) : undefined;
      const units = n && n.lte(String(sohLine!.QTY ?? 0)) ? n.toNumber() : 1;
      for (const p of pricedLines(principal, units)) out.push({ ITMREF: rf.sku!, ...p });
    }
    add(charges.shipping, shipping);
    add(charges.tax, d(rf.tax));
    add(charges.shippingTax ?? charges.tax, d(rf.shippingTax));
    add(charges.other, d(rf.other));
  }
  for (const [code, v] of charge) {
    if (v.isZero()) continue;
    if (v.isNegative()) missing.push({ kind: 'negative', of: 'refund', sku: code, amount: v.toFixed(2) });
    else out.push({ ITMREF: code, QTY: '1', GROPRI: v.toFixed(2) });
  }
  return { lines: out, missing };
}

function failFlags(order: string, flags: Flag[], what: string): never {
  const list = flags.map((f) => `${f.sku ?? 'no SKU'} ${f.amount}${f.kind === 'negative' ? ' (negative)' : ''}`).join(', ');
  const notFound = flags.some((f) => f.kind === 'unmatched-item');
  throw userError(notFound ? 'X3_NOT_FOUND' : 'X3_INPUT_INVALID', `order ${order}: ${what} cannot be credited whole: ${list}${notFound ? ' (no line of its SOH carries the item)' : ''}; fix the SOH or the charge items, then replay`, { details: { order, flagged: flags } });
}

interface CreditContext { client: SageX3Client; order: string; soh: X3Record; header: Record<string, string>; original: X3Record | undefined; i: Common }

/** Saves one refund's credit note once (the caller looked it up first), or flags what keeps it from X3. */
async function creditRefund(c: CreditContext, ref: string, adjustmentId: string | null, items: RefundItem[], flagged: Flag[]): Promise<z.infer<typeof creditDoc> | null> {
  const refunded = items.reduce((s, x) => s.plus(refundTotal(x)), new Decimal(0));
  const { lines: out, missing } = creditLines(c.soh, c.original, items, c.i.chargeItems);
  if (missing.length) {
    if (c.i.unmatched === 'fail') failFlags(c.order, missing, `refund ${adjustmentId ?? ref}`);
    flagged.push(...missing);
    return null;
  }
  if (!out.length) return null;
  const tie = c.original && String(c.original.BPCINV) === c.header.BPCINV ? { SIHORINUM: String(c.original.NUM) } : {};
  const saved = await saveOnce(c.client, c.i.creditType, ref, { ...c.header, ...tie, lines: out }, c.i.settleMs);
  return { ...saved, invoice: tie.SIHORINUM ?? null, adjustmentId, refunded: refunded.toFixed(2) };
}

/** A document's header from the order's SOH: its sales site, bill-to customer and currency. */
const headerOf = (soh: X3Record) => ({ SALFCY: String(soh.SALFCY), BPCINV: String(soh.BPCINV || soh.BPCORD), CUR: String(soh.CUR) });

function unknown(order: string, reference: string, flags: Flag[]): never {
  const what = flags.map((f) => `${f.amount} ${f.of === 'sale' ? 'sold' : 'refunded'}`).join(', ');
  throw userError('X3_NOT_FOUND', `order ${order} (${what}): no X3 sales order carries it (CUSORDREF); create or import the order, then replay`, { details: { order, reference, flagged: flags } });
}

export const invoiceSettledOrder = defineX3Operation<z.input<typeof settledOrderInput>, SettledOrderResult>({
  id: 'invoiceSettledOrder',
  docs: SOAP_DOCS,
  input: settledOrderInput as unknown as z.ZodType<z.input<typeof settledOrderInput>>,
  output: settledOrderResult,
  async run(client, raw) {
    const i = settledOrderInput.parse(raw);
    const sold = i.items.reduce((s, x) => s.plus(saleTotal(x)), new Decimal(0));
    const refunded = i.refunds.reduce((s, x) => s.plus(refundTotal(x)), new Decimal(0));
    const r: SettledOrderResult = { order: i.order, SOHNUM: null, sold: sold.toFixed(2), refunded: refunded.toFixed(2), invoice: null, creditNotes: [], flagged: [] };
    const inv = i.items.length ? await findDoc(client, 'INV', i.reference) : undefined;
    if (inv) r.invoice = { NUM: String(inv.NUM), INVREF: i.reference, net: new Decimal(String(inv.INVNOT)).toFixed(2), created: false };
    // Each refund's credit note, looked up by its own reference first; a note saved under this
    // settlement's reference (before decision 0019) stands for all of the order's refunds here.
    const groups = byAdjustment(i.refunds);
    const legacy = i.refunds.length ? await findDoc(client, i.creditType, i.reference) : undefined;
    const toCredit: Array<[string, string | null, RefundItem[]]> = [];
    if (legacy) r.creditNotes.push(found(legacy, i.reference, null, refunded));
    else {
      // Refunds without an adjustment id last: their note's key is also the pre-0019 one, so a crash
      // between notes must not leave it standing for the others.
      for (const [adj, items] of [...groups].sort(([a], [b]) => (a === null ? 1 : 0) - (b === null ? 1 : 0))) {
        const ref = adj === null ? i.reference : refundReference(i.order, adj);
        const had = await findDoc(client, i.creditType, ref);
        if (had) r.creditNotes.push(found(had, ref, adj, items.reduce((s, x) => s.plus(refundTotal(x)), new Decimal(0))));
        else toCredit.push([ref, adj, items]);
      }
    }
    const needInvoice = i.items.length > 0 && !inv;
    if (!needInvoice && !toCredit.length) return r;

    const soh = await findSalesOrderByReference(client, i.order);
    if (!soh) {
      if (needInvoice) r.flagged.push({ kind: 'unknown-order', of: 'sale', sku: null, amount: sold.toFixed(2) });
      if (toCredit.length) r.flagged.push({ kind: 'unknown-order', of: 'refund', sku: null, amount: toCredit.reduce((s, [, , items]) => items.reduce((t, x) => t.plus(refundTotal(x)), s), new Decimal(0)).toFixed(2) });
      if (i.unknownOrder === 'fail') unknown(i.order, i.reference, r.flagged);
      return r;
    }
    r.SOHNUM = String(soh.SOHNUM);
    const header = headerOf(soh);

    if (needInvoice) {
      // Each item against an SOH line of the same item with enough left to invoice.
      const left = new Map(lines(soh).map((l) => [String(l.SOPLIN), new Decimal(String(l.QTY ?? 0)).minus(String(l.INVQTY || 0))]));
      const out: Line[] = [];
      const missing: Flag[] = [];
      const scale = currencyScale(header.CUR);
      const charge = new Map<string, Decimal>();
      const add = (code: string, v: Decimal) => charge.set(code, (charge.get(code) ?? new Decimal(0)).plus(v));
      for (const it of i.items) {
        const line = lines(soh).find((l) => l.ITMREF === it.sku && left.get(String(l.SOPLIN))!.gte(it.quantity));
        if (!line) {
          missing.push({ kind: 'unmatched-item', of: 'sale', sku: it.sku ?? null, amount: saleTotal(it).toFixed(2) });
          continue;
        }
        left.set(String(line.SOPLIN), left.get(String(line.SOPLIN))!.minus(it.quantity));
        // The principal the buyer paid; a promotion larger than it (free shipping) comes off the shipping.
        let principal = d(it.amount).minus(d(it.promotion));
        let shipping = d(it.shipping);
        if (principal.isNegative()) {
          shipping = shipping.plus(principal);
          principal = new Decimal(0);
        }
        for (const p of pricedLines(principal, it.quantity, scale)) out.push({ ITMREF: it.sku!, ...p, SOHNUM: String(soh.SOHNUM), SOPLIN: String(line.SOPLIN) });
        add(i.chargeItems.shipping, shipping);
        add(i.chargeItems.tax, d(it.tax));
        add(i.chargeItems.shippingTax ?? i.chargeItems.tax, d(it.shippingTax));
        add(i.chargeItems.other, d(it.other));
      }
      for (const [code, v] of charge) {
        if (v.isZero()) continue;
        if (v.isNegative()) missing.push({ kind: 'negative', of: 'sale', sku: code, amount: v.toFixed(2) });
        else out.push({ ITMREF: code, QTY: '1', GROPRI: v.toFixed(scale) });
      }
      // The whole invoice waits: half an invoice would drill down to nothing anyone can check.
      if (missing.length) r.flagged.push(...missing);
      else r.invoice = await saveOnce(client, 'INV', i.reference, { ...header, lines: out }, i.settleMs);
    }

    if (toCredit.length) {
      const c: CreditContext = { client, order: i.order, soh, header, original: await originalInvoice(client, i.order, header.BPCINV, r.invoice?.NUM), i };
      for (const [ref, adj, items] of toCredit) {
        const note = await creditRefund(c, ref, adj, items, r.flagged);
        if (note) r.creditNotes.push(note);
      }
    }
    return r;
  },
});

/** One refund (the returns flow's way in): its credit note, found or saved once under refundReference. */
export const creditOrderRefund = defineX3Operation<z.input<typeof orderRefundInput>, OrderRefundResult>({
  id: 'creditOrderRefund',
  docs: SOAP_DOCS,
  input: orderRefundInput as unknown as z.ZodType<z.input<typeof orderRefundInput>>,
  output: orderRefundResult,
  async run(client, raw) {
    const i = orderRefundInput.parse(raw);
    const refunded = i.items.reduce((s, x) => s.plus(refundTotal(x)), new Decimal(0));
    const ref = refundReference(i.order, i.adjustmentId);
    const r: OrderRefundResult = { order: i.order, SOHNUM: null, refunded: refunded.toFixed(2), creditNote: null, flagged: [] };
    const had = await findDoc(client, i.creditType, ref);
    if (had) return { ...r, creditNote: found(had, ref, i.adjustmentId, refunded) };
    const soh = await findSalesOrderByReference(client, i.order);
    if (!soh) {
      r.flagged.push({ kind: 'unknown-order', of: 'refund', sku: null, amount: refunded.toFixed(2) });
      if (i.unknownOrder === 'fail') unknown(i.order, ref, r.flagged);
      return r;
    }
    r.SOHNUM = String(soh.SOHNUM);
    const header = headerOf(soh);
    const original = await originalInvoice(client, i.order, header.BPCINV, undefined);
    if (!original && i.requireInvoice) throw userError('X3_NOT_FOUND', `refund ${i.adjustmentId} of order ${i.order} (${refunded.toFixed(2)}): X3 has no invoice of the order to credit; invoice the order, then replay`, { details: { order: i.order, adjustmentId: i.adjustmentId, reference: ref, refunded: refunded.toFixed(2) } });
    r.creditNote = await creditRefund({ client, order: i.order, soh, header, original, i }, ref, i.adjustmentId, i.items, r.flagged);
    return r;
  },
});
