// Typed views of the records the operations return. X3 answers every value as a string and statuses
// as local-menu numbers; a flow wants `order.status.delivery === 'delivered'` and decimal strings it
// can trust. A record that does not fit (a site layout without a field we rely on) is refused here
// with the field named, rather than turning into `undefined` somewhere downstream.
import { z } from 'zod';
import { userError } from '../../core/errors.js';
import type { X3Record } from './schemas.js';

const s = z.string();
const dec = z.string().regex(/^-?\d+(\.\d+)?$/);
const optDec = z.union([dec, z.literal('')]).transform((v) => (v === '' ? '0' : v));
const menu = <const T extends readonly string[]>(labels: T) =>
  z.string().transform((v, ctx) => {
    const i = Number(v) - 1;
    if (!Number.isInteger(i) || i < 0 || i >= labels.length) {
      ctx.addIssue({ code: 'custom', message: `local menu value ${v} is not one of 1…${labels.length}` });
      return z.NEVER;
    }
    return labels[i]! as T[number];
  });

// Local menus 415–418 (sales order statuses).
const ORDSTA = ['open', 'closed'] as const;
const LEVEL = ['none', 'partial', 'complete'] as const;

export const salesOrderView = z
  .object({
    SOHNUM: s.min(1), SALFCY: s, SOHTYP: s, CUSORDREF: s.default(''), ORDDAT: s, BPCORD: s, CUR: s,
    ORDSTA: menu(ORDSTA), ALLSTA: menu(LEVEL), DLVSTA: menu(LEVEL), INVSTA: menu(LEVEL),
    ORDINVNOT: dec, ORDINVATI: dec,
    lines: z.array(z.object({ ITMREF: s, QTY: dec, GROPRI: dec, NETPRI: dec, SOPLIN: s.default(''), ALLQTY: optDec.default('0'), DLVQTY: optDec.default('0'), INVQTY: optDec.default('0') }).loose()),
  })
  .loose()
  .transform((o) => ({
    number: o.SOHNUM, site: o.SALFCY, type: o.SOHTYP, reference: o.CUSORDREF, date: o.ORDDAT, customer: o.BPCORD, currency: o.CUR,
    status: { order: o.ORDSTA, allocation: o.ALLSTA, delivery: o.DLVSTA, invoice: o.INVSTA },
    totalExclTax: o.ORDINVNOT, totalInclTax: o.ORDINVATI,
    lines: o.lines.map((l) => ({ line: l.SOPLIN, item: l.ITMREF, quantity: l.QTY, grossPrice: l.GROPRI, netPrice: l.NETPRI, allocated: l.ALLQTY, delivered: l.DLVQTY, invoiced: l.INVQTY })),
    raw: o,
  }));
export type SalesOrder = z.output<typeof salesOrderView>;

export const itemView = z
  .object({ ITMREF: s.min(1), DES1AXX: s, TCLCOD: s, ITMSTA: menu(['active', 'in development', 'on shortage', 'not renewed', 'obsolete', 'not usable'] as const), BASPRI: optDec.default('0'), STU: s.default(''), SAU: s.default('') })
  .loose()
  .transform((o) => ({ item: o.ITMREF, description: o.DES1AXX, category: o.TCLCOD, status: o.ITMSTA, basePrice: o.BASPRI, stockUnit: o.STU, salesUnit: o.SAU, raw: o }));
export type Item = z.output<typeof itemView>;

export const customerView = z
  .object({
    BPCNUM: s.min(1), BPCNAM: s, BCGCOD: s, BPCSTA: menu(['inactive', 'active'] as const), CRY: s, CUR: s,
    addresses: z.array(z.object({ CODADR: s, BPACRY: s, ADDLIG1: s.default(''), ADDLIG2: s.default(''), POSCOD: s.default(''), CTY: s.default(''), SAT: s.default(''), BPAADDFLG: s }).loose()),
  })
  .loose()
  .transform((o) => ({
    customer: o.BPCNUM, name: o.BPCNAM, category: o.BCGCOD, status: o.BPCSTA, country: o.CRY, currency: o.CUR,
    addresses: o.addresses.map((a) => ({ code: a.CODADR, country: a.BPACRY, lines: [a.ADDLIG1, a.ADDLIG2].filter(Boolean), postalCode: a.POSCOD, city: a.CTY, state: a.SAT, isDefault: a.BPAADDFLG === '2' })),
    raw: o,
  }));
export type Customer = z.output<typeof customerView>;

export const invoiceView = z
  .object({ NUM: s.min(1), SIVTYP: s, SALFCY: s, BPCINV: s, INVDAT: s, INVREF: s.default(''), CUR: s, INVNOT: dec, INVATI: dec, lines: z.array(z.object({ ITMREF: s, QTY: dec, NETPRI: dec, SOHNUM: s.default(''), SOPLIN: s.default('') }).loose()) })
  .loose()
  .transform((o) => ({
    number: o.NUM, type: o.SIVTYP, site: o.SALFCY, customer: o.BPCINV, date: o.INVDAT, reference: o.INVREF, currency: o.CUR, totalExclTax: o.INVNOT, totalInclTax: o.INVATI,
    lines: o.lines.map((l) => ({ item: l.ITMREF, quantity: l.QTY, netPrice: l.NETPRI, order: l.SOHNUM, orderLine: l.SOPLIN })),
    raw: o,
  }));
export type Invoice = z.output<typeof invoiceView>;

export const journalEntryView = z
  .object({ TYP: s, NUM: s.min(1), FCY: s, JOU: s, ACCDAT: s, CUR: s, REF: s.default(''), DES: s.default(''), lines: z.array(z.object({ ACC: s, SNS: z.enum(['1', '-1']), AMTCUR: dec, BPR: s.default('') }).loose()) })
  .loose()
  .transform((o) => ({
    type: o.TYP, number: o.NUM, site: o.FCY, journal: o.JOU, date: o.ACCDAT, currency: o.CUR, reference: o.REF, description: o.DES,
    lines: o.lines.map((l) => ({ account: l.ACC, side: l.SNS === '1' ? ('debit' as const) : ('credit' as const), amount: l.AMTCUR, partner: l.BPR })),
    raw: o,
  }));
export type JournalEntry = z.output<typeof journalEntryView>;

function view<T>(schema: z.ZodType<T>, what: string, rec: X3Record): T {
  const r = schema.safeParse(rec);
  if (r.success) return r.data;
  throw userError('X3_LAYOUT', `X3 ${what} does not have the fields Syncline relies on: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { details: { issues: r.error.issues } });
}

export const asSalesOrder = (rec: X3Record): SalesOrder => view(salesOrderView, 'sales order', rec);
export const asItem = (rec: X3Record): Item => view(itemView, 'product', rec);
export const asCustomer = (rec: X3Record): Customer => view(customerView, 'customer', rec);
export const asInvoice = (rec: X3Record): Invoice => view(invoiceView, 'invoice', rec);
export const asJournalEntry = (rec: X3Record): JournalEntry => view(journalEntryView, 'journal entry', rec);
