// Typed X3 objects. Input schemas check what we send before X3 sees it (money and quantities are
// decimal strings, dates YYYYMMDD, local menus as their numbers); outputs are the flat records X3
// returns (every value a string, as on the wire), with the lines under `lines` (or `addresses`).
// Field names are X3's own, so a mapping can be checked against getDescription.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { X3Object } from './layouts.js';

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal number as a string, e.g. "12.50"');
// A decimal string is above 0 when it is unsigned and not all zeros (no Decimal per line; and a
// value that is no decimal gets the issue instead of Decimal's throw).
const positive = decimal.refine((s) => s[0] !== '-' && /[1-9]/.test(s), 'must be greater than 0');
const date = z.string().regex(/^(\d{8})?$/, 'a date as YYYYMMDD');
const code = (max: number) => z.string().min(1).max(max);
const fieldValue = z.union([z.string(), z.array(z.string())]);
// Site-specific fields (custom Y and Z fields); each must exist in the publication layout.
const extra = z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an X3 field name'), fieldValue).optional();
// Site tables the publication carries beyond the object's own lines (e.g. ITM3_2, the packaging units
// of Sage's WSITM sample): rows of field values by TAB id; each must be in the connection's layout.
const tables = z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an X3 table (TAB) id'), z.array(z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an X3 field name'), fieldValue))).optional();

export const salesOrderLineInput = z.object({
  ITMREF: code(20),
  QTY: positive,
  GROPRI: decimal.optional(),
  DISCRGVAL1: decimal.optional(),
  SAU: z.string().max(3).optional(),
  DSTOFCY: z.string().max(5).optional(),
  extra,
});
// Invoicing elements (group SOH3_5): INVDTA the element codes the folder has set up (carriage,
// discount …), INVDTAAMT their amounts, slot by slot; X3 adds them to the order's total.
const invoicingElements = {
  INVDTA: z.array(z.string().min(1).max(3)).max(30).optional(),
  INVDTAAMT: z.array(decimal).max(30).optional(),
};
const sameLength = (o: { INVDTA?: string[] | undefined; INVDTAAMT?: string[] | undefined }) => (o.INVDTA?.length ?? 0) === (o.INVDTAAMT?.length ?? 0);
const sameLengthIssue = { message: 'INVDTA and INVDTAAMT go together: one amount per invoicing element', path: ['INVDTAAMT'] };
const salesOrderFields = z.object({
  SALFCY: code(5),
  SOHTYP: z.string().max(5).optional(),
  /** Leave empty: the order type's sequence counter numbers the order. */
  SOHNUM: z.string().max(20).optional(),
  /** The source's order id (e.g. the Amazon order id): the idempotency reference. */
  CUSORDREF: z.string().max(30).optional(),
  ORDDAT: date.optional(),
  BPCORD: code(15),
  CUR: z.string().length(3).optional(),
  BPCINV: z.string().max(15).optional(),
  BPAADD: z.string().max(5).optional(),
  BPDNAM: z.string().max(35).optional(),
  BPDADDLIG1: z.string().max(50).optional(),
  BPDADDLIG2: z.string().max(50).optional(),
  BPDPOSCOD: z.string().max(10).optional(),
  BPDCTY: z.string().max(40).optional(),
  BPDSAT: z.string().max(35).optional(),
  BPDCRY: z.string().max(3).optional(),
  STOFCY: z.string().max(5).optional(),
  DEMDLVDAT: date.optional(),
  SHIDAT: date.optional(),
  BPTNUM: z.string().max(15).optional(),
  ...invoicingElements,
  lines: z.array(salesOrderLineInput).min(1, 'a sales order needs at least one line').max(200),
  extra,
  tables,
});
export const salesOrderInput = salesOrderFields.refine(sameLength, sameLengthIssue);
/** Invoicing elements sent on a modify replace the order's (both lists together). */
export const salesOrderPatch = salesOrderFields
  .omit({ SALFCY: true, BPCORD: true, SOHNUM: true, SOHTYP: true, CUR: true, lines: true })
  .partial()
  .extend({
    /** `line` n updates line n; a line without `line` is added. */
    lines: z.array(salesOrderLineInput.partial().extend({ line: z.number().int().positive().optional() })).optional(),
  })
  .refine(sameLength, sameLengthIssue);

export const itemInput = z.object({
  ITMREF: code(20),
  DES1AXX: code(30),
  TCLCOD: code(5),
  ITMSTA: z.number().int().min(1).max(6).optional(),
  DES2AXX: z.string().max(30).optional(),
  DES3AXX: z.string().max(30).optional(),
  EANCOD: z.string().max(20).optional(),
  STU: z.string().max(3).optional(),
  SAU: z.string().max(3).optional(),
  ITMWEI: decimal.optional(),
  BASPRI: decimal.optional(),
  PURBASPRI: decimal.optional(),
  ACCCOD: z.string().max(10).optional(),
  VACITM: z.array(z.string()).max(3).optional(),
  extra,
  tables,
});
export const itemPatch = itemInput.omit({ ITMREF: true }).partial();

export const addressInput = z.object({
  CODADR: code(5),
  BPADES: z.string().max(30).optional(),
  BPACRY: z.string().length(2),
  ADDLIG1: z.string().max(50).optional(),
  ADDLIG2: z.string().max(50).optional(),
  ADDLIG3: z.string().max(50).optional(),
  POSCOD: z.string().max(10).optional(),
  CTY: z.string().max(40).optional(),
  SAT: z.string().max(35).optional(),
  TEL1: z.string().max(20).optional(),
  WEB1: z.string().max(80).optional(),
  /** Menu 1: 2 = default address. */
  BPAADDFLG: z.union([z.literal(1), z.literal(2)]).optional(),
});
export const customerInput = z.object({
  BPCNUM: z.string().max(15).optional(),
  BPCNAM: code(35),
  BCGCOD: code(5),
  /** Menu 1: 2 = active. */
  BPCSTA: z.union([z.literal(1), z.literal(2)]).optional(),
  BPRSHO: z.string().max(10).optional(),
  BPRNAM: z.array(z.string().max(35)).max(2).optional(),
  CRY: z.string().length(2),
  LAN: z.string().max(3).optional(),
  CUR: z.string().length(3).optional(),
  CRN: z.string().max(20).optional(),
  VACBPR: z.string().max(5).optional(),
  PTE: z.string().max(15).optional(),
  ACCCOD: z.string().max(10).optional(),
  addresses: z.array(addressInput).min(1).max(30),
  extra,
  tables,
});
export const customerPatch = customerInput.omit({ BPCNUM: true, addresses: true }).partial().extend({
  /** Matched by CODADR: an existing code updates that address, a new code adds one. */
  addresses: z.array(addressInput.partial().extend({ CODADR: code(5) })).optional(),
});

export const invoiceLineInput = z.object({
  ITMREF: code(20),
  QTY: positive,
  GROPRI: decimal.optional(),
  DISCRGVAL1: decimal.optional(),
  ITMDES1: z.string().max(30).optional(),
  SAU: z.string().max(3).optional(),
  SOHNUM: z.string().max(20).optional(),
  SOPLIN: z.string().optional(),
  extra,
});
export const invoiceInput = z.object({
  SALFCY: code(5),
  /** INV invoice, CRN credit note (the site's invoice types). */
  SIVTYP: code(5),
  NUM: z.string().max(20).optional(),
  /** External reference (the returns flow's idempotency key); not known to be unique in X3 (docs/connectors/sagex3.md). */
  INVREF: z.string().max(30).optional(),
  INVDAT: date.optional(),
  BPCINV: code(15),
  CUR: z.string().length(3).optional(),
  VACBPR: z.string().max(5).optional(),
  PTE: z.string().max(15).optional(),
  /** For a credit note: the invoice it credits. */
  SIHORINUM: z.string().max(20).optional(),
  lines: z.array(invoiceLineInput).min(1).max(300),
  extra,
});
export const invoicePatch = invoiceInput.pick({ INVREF: true, INVDAT: true, PTE: true }).partial().extend({
  lines: z.array(invoiceLineInput.partial().extend({ line: z.number().int().positive().optional() })).optional(),
});

/** One journal line: a GL account (GACCOUNT), a sign (1 debit, −1 credit) and a positive amount. */
export const entryLineInput = z.object({
  /** A general-ledger account number — not an accounting code (ACCCOD). */
  ACC: code(15),
  SNS: z.union([z.literal(1), z.literal(-1)]),
  // Read from the text (trailing zeros do not count, as Decimal's decimalPlaces): a Decimal of a
  // non-decimal text threw out of zod's parse, since zod runs this refinement after a failed regex.
  AMTCUR: positive.refine((s) => (/\.(\d+)$/.exec(s)?.[1] ?? '').replace(/0+$/, '').length <= 2, 'at most 2 decimals'),
  /** Business partner, required on collective (control) accounts. */
  BPR: z.string().max(15).optional(),
  DES: z.string().max(30).optional(),
  CCE1: z.string().max(15).optional(),
  LEDTYP: z.number().int().optional(),
});
// zod runs this after issues that do not abort (a line's amount that is no decimal): that line has its
// issue already, so the balance is not judged (Decimal would throw out of the parse).
const balanced = (lines: Array<{ SNS: 1 | -1; AMTCUR: string }>) => {
  try {
    return lines.reduce((s, l) => s.plus(new Decimal(l.AMTCUR).mul(l.SNS)), new Decimal(0)).isZero();
  } catch {
    return true;
  }
};
export const journalEntryInput = z
  .object({
    TYP: code(5),
    NUM: z.string().max(20).optional(),
    CPY: z.string().max(5).optional(),
    FCY: code(5),
    JOU: code(5),
    ACCDAT: date.optional(),
    CUR: z.string().length(3).optional(),
    DES: z.string().max(30).optional(),
    REF: z.string().max(20).optional(),
    lines: z.array(entryLineInput).min(2).max(999),
    extra,
  })
  .refine((e) => balanced(e.lines), { message: 'the entry is not balanced: debits (SNS 1) and credits (SNS −1) must be equal', path: ['lines'] });
export const journalEntryPatch = z.object({
  DES: z.string().max(30).optional(),
  REF: z.string().max(20).optional(),
  ACCDAT: date.optional(),
  /** Replaces line n (`line`) or adds a line; X3 checks the balance of the result. */
  lines: z.array(entryLineInput.partial().extend({ line: z.number().int().positive().optional() })).optional(),
});

const row = z.record(z.string(), fieldValue);
export const x3Record = z.object({ lines: z.array(row).optional(), addresses: z.array(row).optional() }).catchall(z.union([fieldValue, z.array(row)]));
export type X3Record = Record<string, string | string[] | Array<Record<string, string | string[]>>> & {
  lines?: Array<Record<string, string | string[]>>;
  addresses?: Array<Record<string, string | string[]>>;
};

export const createSchemas = { SOH: salesOrderInput, ITM: itemInput, BPC: customerInput, SIH: invoiceInput, GAS: journalEntryInput } satisfies Record<X3Object, z.ZodType>;
export const patchSchemas = { SOH: salesOrderPatch, ITM: itemPatch, BPC: customerPatch, SIH: invoicePatch, GAS: journalEntryPatch } satisfies Record<X3Object, z.ZodType>;

export type SalesOrderInput = z.input<typeof salesOrderInput>;
export type ItemInput = z.input<typeof itemInput>;
export type CustomerInput = z.input<typeof customerInput>;
export type InvoiceInput = z.input<typeof invoiceInput>;
export type JournalEntryInput = z.input<typeof journalEntryInput>;
