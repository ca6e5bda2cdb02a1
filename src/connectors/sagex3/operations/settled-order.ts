// One settled marketplace order → its X3 invoice and credit note, each created at most once
// (decision 0010; the settlement flow calls it per order, `syncline settlement import --invoices` in a
// loop). X3 has no idempotency key, so both carry `reference` (settlement id + order id) in INVREF —
// the invoice as SIVTYP INV, the credit note as `creditType` — and each is looked up before it is
// saved, and again after a save whose outcome is unknown.
//   - Invoice: the order's sold items against its SOH lines (SOHNUM/SOPLIN, so X3 counts them as
//     invoiced), the SOH found by CUSORDREF.
//   - Credit note: the order's refunded items (one note for all of the order's refunds in this
//     settlement: INVREF's 30 characters leave no room for an adjustment id), SIHORINUM = the order's
//     invoice — this reference's own, else X3's invoice from the order (INVREF = the order id), else
//     an earlier settlement's (INVREF ending in the order id, among the customer's invoices); with
//     none found it is saved untied (`invoice: null`, reported).
//   - Amounts to the cent: a principal that does not divide by the quantity is two lines (q − 1 units
//     at the rounded-down price, one unit at the rest), so the note's net is the report's amount.
//   - An order X3 does not know, or an item its SOH lacks, is flagged with its amount and that
//     document is not saved (`unknownOrder: 'fail'` throws X3_NOT_FOUND instead, for a flow's dead letter).
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
export const settledOrderInput = z.object({
  /** INVREF of the invoice and the credit note: settlement id + order id. */
  reference: z.string().min(1).max(30),
  /** The marketplace order id, the SOH's CUSORDREF. */
  order: z.string().min(1).max(30),
  items: z.array(z.object({ sku: z.string().optional(), quantity: z.number().int().positive(), amount })).default([]),
  refunds: z.array(z.object({ sku: z.string().optional(), amount, adjustmentId: z.string().optional() })).default([]),
  creditType: z.string().min(1).max(5).default('CRN'),
  unknownOrder: z.enum(['flag', 'fail']).default('flag'),
  /** Wait after a save whose outcome is unknown before looking it up (X3 may still be saving it). */
  settleMs: z.number().int().min(0).max(600_000).default(2_000),
});

const doc = z.object({ NUM: z.string(), INVREF: z.string(), net: z.string(), created: z.boolean() });
const flag = z.object({ kind: z.enum(['unknown-order', 'unmatched-item']), of: z.enum(['sale', 'refund']), sku: z.string().nullable(), amount: z.string() });
const settledOrderResult = z.object({
  order: z.string(),
  SOHNUM: z.string().nullable(),
  /** The principal sold and refunded (the report's amounts). */
  sold: z.string(),
  refunded: z.string(),
  invoice: doc.nullable(),
  creditNote: doc.extend({ invoice: z.string().nullable() }).nullable(),
  flagged: z.array(flag),
});
export type SettledOrderResult = z.infer<typeof settledOrderResult>;
type Flag = z.infer<typeof flag>;
type Line = Record<string, string>;

/** `total` for `qty` units as invoice lines whose net is exactly `total` (prices to the cent). */
export function pricedLines(total: Decimal, qty: number): Array<{ QTY: string; GROPRI: string }> {
  const unit = total.div(qty).toDecimalPlaces(2, Decimal.ROUND_DOWN);
  const last = total.minus(unit.times(qty - 1));
  if (last.equals(unit)) return [{ QTY: String(qty), GROPRI: unit.toFixed(2) }];
  return [...(qty > 1 ? [{ QTY: String(qty - 1), GROPRI: unit.toFixed(2) }] : []), { QTY: '1', GROPRI: last.toFixed(2) }];
}

const sum = (xs: Array<{ amount: string }>) => xs.reduce((s, x) => s.plus(x.amount), new Decimal(0));
const lines = (r: X3Record) => (r.lines as Array<Record<string, unknown>> | undefined) ?? [];

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

export const invoiceSettledOrder = defineX3Operation<z.input<typeof settledOrderInput>, SettledOrderResult>({
  id: 'invoiceSettledOrder',
  docs: SOAP_DOCS,
  input: settledOrderInput as unknown as z.ZodType<z.input<typeof settledOrderInput>>,
  output: settledOrderResult,
  async run(client, raw) {
    const i = settledOrderInput.parse(raw);
    const sold = sum(i.items);
    const refunded = sum(i.refunds);
    const r: SettledOrderResult = { order: i.order, SOHNUM: null, sold: sold.toFixed(2), refunded: refunded.toFixed(2), invoice: null, creditNote: null, flagged: [] };
    const inv = i.items.length ? await findDoc(client, 'INV', i.reference) : undefined;
    const crn = i.refunds.length ? await findDoc(client, i.creditType, i.reference) : undefined;
    if (inv) r.invoice = { NUM: String(inv.NUM), INVREF: i.reference, net: new Decimal(String(inv.INVNOT)).toFixed(2), created: false };
    if (crn) r.creditNote = { NUM: String(crn.NUM), INVREF: i.reference, net: new Decimal(String(crn.INVNOT)).toFixed(2), created: false, invoice: String(crn.SIHORINUM ?? '') || null };
    const needInvoice = i.items.length > 0 && !inv;
    const needCredit = i.refunds.length > 0 && !crn;
    if (!needInvoice && !needCredit) return r;

    const soh = await findSalesOrderByReference(client, i.order);
    if (!soh) {
      if (needInvoice) r.flagged.push({ kind: 'unknown-order', of: 'sale', sku: null, amount: sold.toFixed(2) });
      if (needCredit) r.flagged.push({ kind: 'unknown-order', of: 'refund', sku: null, amount: refunded.toFixed(2) });
      if (i.unknownOrder === 'fail') {
        const what = r.flagged.map((f) => `${f.amount} ${f.of === 'sale' ? 'sold' : 'refunded'}`).join(', ');
        throw userError('X3_NOT_FOUND', `order ${i.order} (${what}): no X3 sales order carries it (CUSORDREF); create or import the order, then replay`, { details: { order: i.order, reference: i.reference, flagged: r.flagged } });
      }
      return r;
    }
    r.SOHNUM = String(soh.SOHNUM);
    const header = { SALFCY: String(soh.SALFCY), BPCINV: String(soh.BPCINV || soh.BPCORD), CUR: String(soh.CUR) };

    if (needInvoice) {
      // Each item against an SOH line of the same item with enough left to invoice.
      const left = new Map(lines(soh).map((l) => [String(l.SOPLIN), new Decimal(String(l.QTY ?? 0)).minus(String(l.INVQTY || 0))]));
      const out: Line[] = [];
      const missing: Flag[] = [];
      for (const it of i.items) {
        const line = lines(soh).find((l) => l.ITMREF === it.sku && left.get(String(l.SOPLIN))!.gte(it.quantity));
        if (!line) {
          missing.push({ kind: 'unmatched-item', of: 'sale', sku: it.sku ?? null, amount: it.amount });
          continue;
        }
        left.set(String(line.SOPLIN), left.get(String(line.SOPLIN))!.minus(it.quantity));
        for (const p of pricedLines(new Decimal(it.amount), it.quantity)) out.push({ ITMREF: it.sku!, ...p, SOHNUM: String(soh.SOHNUM), SOPLIN: String(line.SOPLIN) });
      }
      // The whole invoice waits: half an invoice would drill down to nothing anyone can check.
      if (missing.length) r.flagged.push(...missing);
      else r.invoice = await saveOnce(client, 'INV', i.reference, { ...header, lines: out }, i.settleMs);
    }

    if (needCredit) {
      const original = await originalInvoice(client, i.order, header.BPCINV, r.invoice?.NUM);
      const out: Line[] = [];
      const missing: Flag[] = [];
      for (const rf of i.refunds) {
        const total = new Decimal(rf.amount);
        const sohLine = lines(soh).find((l) => l.ITMREF === rf.sku);
        if (!sohLine || !rf.sku) {
          missing.push({ kind: 'unmatched-item', of: 'refund', sku: rf.sku ?? null, amount: rf.amount });
          continue;
        }
        // V2 gives no refunded quantity: whole units at the invoiced (else ordered) unit price when the
        // amount is a multiple of it, else one unit at the amount.
        const unit = new Decimal(String((original ? lines(original).find((l) => l.ITMREF === rf.sku)?.GROPRI : undefined) ?? sohLine.GROPRI ?? 0));
        const n = unit.gt(0) && total.mod(unit).isZero() ? total.div(unit) : undefined;
        const units = n && n.lte(String(sohLine.QTY ?? 0)) ? n.toNumber() : 1;
        for (const p of pricedLines(total, units)) out.push({ ITMREF: rf.sku, ...p });
      }
      if (missing.length) r.flagged.push(...missing);
      else {
        const tie = original && String(original.BPCINV) === header.BPCINV ? { SIHORINUM: String(original.NUM) } : {};
        const saved = await saveOnce(client, i.creditType, i.reference, { ...header, ...tie, lines: out }, i.settleMs);
        r.creditNote = { ...saved, invoice: tie.SIHORINUM ?? null };
      }
    }
    return r;
  },
});
