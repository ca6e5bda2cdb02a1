// Settlement reconciliation (issue 9, flow 4; decision 0010): an Amazon V2 settlement flat file →
// sums by (transaction-type, amount-type, amount-description) → GL accounts → balanced X3 journal
// entries whose net is the deposit, posted exactly once, or held with every unmapped line's amount.
//   const report = await importSettlement(fileLines('settlement.txt'), { post: { db, ledger: x3Ledger(client) } });
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import YAML from 'yaml';
import { Decimal } from 'decimal.js';
import type { Database } from '../core/db/schema.js';
import { loadLookupTable, loadMapping, type CompiledMapping, type LookupTable } from '../mapping/index.js';
import { buildJournal, byTypeStrings, categorise, drillDown, feeChecker, orderCharges, type DrillDown, type FeeCheck, type FeeSchedule, type JournalLine, type Unmapped } from './journal.js';
import { lineBatches } from './lines.js';
import { monthParts, readSettlement, type ItemCharges, type SettlementTotals } from './parse.js';
import { postSettlement, type Ledger, type PlannedEntry, type PostOptions } from './post.js';
import { invoiceSettledOrders, orderCollector, type InvoiceReport } from './invoices.js';
import type { SageX3Client } from '../connectors/sagex3/client.js';

export { readSettlement, type SettlementTotals } from './parse.js';
export { lineBatches } from './lines.js';
export { buildJournal, categorise, drillDown, feeChecker, entryRef, orderCharges, type FeeSchedule, type Journal, type JournalEntry } from './journal.js';
export { postSettlement, settlementRow, type Ledger, type PostResult } from './post.js';
export { x3Ledger } from './x3.js';
export { invoiceRef, invoiceSettledOrders, orderCollector, orderPage, settledOrderInput, summarise, type InvoiceReport, type SettledOrder } from './invoices.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const DEFAULT_TEMPLATE = path.join(ROOT, 'mappings/amazon-sagex3/settlement-to-journal.yaml');
export const DEFAULT_TABLE = path.join(ROOT, 'mappings/lookups/settlement-accounts.yaml');

export interface ImportOptions {
  /** The journal template (default the shipped settlement-to-journal.yaml). */
  template?: string;
  /** The settlement-accounts table: a loaded table or its file (default the shipped one). */
  table?: LookupTable | string;
  /** Overrides of the template's options (entryType, site, journal, clearingAccount, clearingPartner, owedAccount). */
  options?: Record<string, unknown>;
  fees?: FeeSchedule;
  /** Called per batch with the line number reached. */
  onLines?: (lineNo: number) => void;
  /** Post to a ledger; without it the import is a dry run. */
  post?: PostOptions & { db: Kysely<Database>; ledger: Ledger };
  /** Include every order's sum in the report (large for big settlements). */
  orders?: boolean;
  /** Off by default: per settled order an SIH invoice (tied to its SOH) and a credit note for its refunds, once the journal stands (invoices.ts). */
  invoices?: SageX3Client;
  /** The credit notes' invoice type (default CRN, as the returns flow's). */
  creditType?: string;
}

export interface SettlementReport {
  settlementId: string;
  currency: string;
  startDate: string;
  endDate: string;
  depositDate?: string;
  totalAmount: string;
  /** Transaction lines (the summary row excluded). */
  lines: number;
  byType: Record<string, string>;
  unmapped: Array<{ description: string; amount: string; lines: number; firstLine: number }>;
  journal: { balanced: boolean; lines: JournalLine[]; entries: Array<{ REF: string; ACCDAT: string; CUR: string; month: string; net: string; lines: JournalLine[] }> };
  /** Journal net − total-amount (when held: minus the unmapped amounts the journal would miss). */
  difference: string;
  drillDown: DrillDown;
  fees: FeeCheck;
  orders?: Array<{ orderId: string; amount: string }>;
  /** dry-run, held, posted, already-posted, reposted. */
  status: string;
  posted?: { revision: number; created: string[]; found: string[]; entries: Array<Pick<PlannedEntry, 'ref' | 'TYP' | 'NUM'>> };
  invoices?: InvoiceReport;
}

const templates = new Map<string, Promise<{ mapping: CompiledMapping; defaults: Record<string, unknown> }>>();

/** The compiled template and its default options (read once per file). */
export function journalTemplate(file = DEFAULT_TEMPLATE): Promise<{ mapping: CompiledMapping; defaults: Record<string, unknown> }> {
  let p = templates.get(file);
  if (!p) {
    p = (async () => {
      const spec = YAML.parse(await readFile(file, 'utf8')) as { options?: Record<string, unknown> };
      return { mapping: await loadMapping(file), defaults: spec.options ?? {} };
    })();
    templates.set(file, p);
    p.catch(() => templates.delete(file));
  }
  return p;
}

/** Line batches of a settlement file on disk; `onBytes` sees the bytes read so far (progress). */
export function fileLines(file: string, onBytes?: (bytes: number) => void): AsyncIterable<string[]> {
  const stream = createReadStream(file, { highWaterMark: 256 * 1024 });
  if (onBytes) {
    let n = 0;
    stream.on('data', (c) => onBytes((n += c.length)));
  }
  return lineBatches(stream);
}

/** Everything the journal and checks need, from the sums; no I/O. */
export async function reconcile(t: SettlementTotals, opts: Omit<ImportOptions, 'post' | 'onLines'> = {}) {
  const { mapping, defaults } = await journalTemplate(opts.template);
  const table = typeof opts.table === 'object' ? opts.table : await loadLookupTable(opts.table ?? DEFAULT_TABLE);
  const options = { ...defaults, ...opts.options };
  const parts = monthParts(t);
  const { unmapped } = categorise(parts, table);
  const journal = unmapped.length ? undefined : await buildJournal(t.summary, parts, mapping, table, options);
  return { unmapped, journal, options };
}

export async function importSettlement(source: AsyncIterable<string | string[]>, opts: ImportOptions = {}): Promise<SettlementReport> {
  const fees = feeChecker(opts.fees);
  const sales = opts.invoices ? orderCollector() : undefined;
  const onItem = opts.fees && sales ? (it: ItemCharges) => (fees.add(it), sales.add(it)) : opts.fees ? fees.add : sales?.add;
  const t = await readSettlement(source, { ...(opts.onLines ? { onLines: opts.onLines } : {}), ...(onItem ? { onItem } : {}) });
  const { unmapped, journal } = await reconcile(t, opts);
  const missing = unmapped.reduce((s, u: Unmapped) => s.plus(u.amount), new Decimal(0));
  const report: SettlementReport = {
    settlementId: t.summary.settlementId,
    currency: t.summary.currency,
    startDate: t.summary.startDate,
    endDate: t.summary.endDate,
    ...(t.summary.depositDate ? { depositDate: t.summary.depositDate } : {}),
    totalAmount: t.summary.totalAmount,
    lines: t.lineCount,
    byType: byTypeStrings(t),
    unmapped,
    journal: journal
      ? { balanced: journal.balanced, lines: journal.entries.flatMap((e) => e.lines), entries: journal.entries.map((e) => ({ REF: e.REF, ACCDAT: e.ACCDAT, CUR: e.CUR, month: e.month, net: e.net, lines: e.lines })) }
      : { balanced: false, lines: [], entries: [] },
    difference: journal ? journal.difference : missing.neg().toFixed(2),
    drillDown: drillDown(t),
    fees: fees.result(),
    ...(opts.orders ? { orders: orderCharges(t) } : {}),
    status: unmapped.length ? 'held' : 'dry-run',
  };
  if (opts.post) {
    const { db, ledger, ...postOpts } = opts.post;
    const emptyJournal = { entries: [], balanced: false, net: '0.00', difference: report.difference, hash: '' };
    const r = await postSettlement(db, ledger, t.summary, journal ?? emptyJournal, unmapped, postOpts);
    report.status = r.status;
    report.posted = { revision: r.revision, created: r.created.map((p) => p.ref), found: r.found.map((p) => p.ref), entries: r.entries.map((p) => ({ ref: p.ref, ...(p.TYP ? { TYP: p.TYP } : {}), ...(p.NUM ? { NUM: p.NUM } : {}) })) };
    // Invoices and credit notes only for a settlement whose journal stands (a held one has invoiced nothing).
    if (opts.invoices && r.status !== 'held') report.invoices = await invoiceSettledOrders(opts.invoices, t.summary.settlementId, sales!.orders(), { ...(opts.creditType ? { creditType: opts.creditType } : {}) });
  }
  return report;
}
