// `syncline settlement import FILE [--dry-run] [--json]`: an Amazon V2 settlement flat file → sums by
// (transaction-type, amount-type, amount-description) → GL accounts → balanced X3 journal entries
// whose net is the deposit (src/settlement, decision 0010). Without --dry-run the entries are posted
// to the configuration's Sage X3 connection, exactly once (a re-import posts nothing).
// Exit: 0 done (dry run, posted, already posted, reposted); 3 held (an unmapped line, nothing
// posted); 1 failed (a truncated or malformed file, X3 refused) — with --json the error is the object.
import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { toSynclineError, userError } from '../../core/errors.js';
import { progressBar } from '../progress.js';

interface ImportCliOptions {
  dryRun?: boolean;
  json?: boolean;
  config?: string;
  connection?: string;
  db?: string;
  options?: string;
  table?: string;
  fees?: string;
  orders?: boolean;
  invoices?: boolean;
  creditType: string;
  settleMs: string;
}

/** Inline JSON or a YAML/JSON file. */
async function jsonOrFile(value: string, what: string): Promise<Record<string, unknown>> {
  const text = value.trim().startsWith('{') ? value : await readFile(value, 'utf8').catch(() => {
    throw userError('CONFIG_INVALID', `${what}: ${value} is neither inline JSON nor a readable file`);
  });
  const YAML = (await import('yaml')).default;
  const v = YAML.parse(text) as unknown;
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw userError('CONFIG_INVALID', `${what} must be an object`);
  return v as Record<string, unknown>;
}

export function registerSettlement(program: Command): void {
  const cmd = program.command('settlement').description('Amazon settlements → Sage X3 journal entries, reconciled to the deposit');
  cmd
    .command('import')
    .description('read a V2 settlement flat file, reconcile it and post it to X3 (one balanced GACCENTRY per settlement and month)')
    .argument('<file>', 'the GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 document (tab-separated)')
    .option('--dry-run', 'reconcile and show the journal; post nothing, write nothing')
    .option('--json', 'print one JSON object (no progress bar)')
    .option('--config <file>', 'configuration naming the Sage X3 connection and the store')
    .option('--connection <id>', 'the Sage X3 connection (default: the configuration\'s only sagex3 connection)')
    .option('--db <url>', 'store URL (default: the configuration\'s, else $SYNCLINE_DATABASE_URL or ./data/syncline.db)')
    .option('--options <json|file>', 'journal template options: entryType, site, journal, clearingAccount, clearingPartner, owedAccount')
    .option('--table <file>', 'settlement-accounts lookup table (default mappings/lookups/settlement-accounts.yaml)')
    .option('--fees <json|file>', 'expected fees for the drift check: {referral: {rate, minimum}, fba: {bySku}, tolerance}')
    .option('--orders', 'list every order\'s sum (drill-down) in the output')
    .option('--invoices', 'also per settled order an SIH invoice tied to its SOH by CUSORDREF, and a credit note for its refunds tied to its invoice (off by default: a site invoicing on shipment would bill twice)')
    .option('--credit-type <type>', 'the credit notes\' invoice type (SIVTYP)', 'CRN')
    .option('--settle-ms <ms>', 'after a save with an unknown outcome, wait this long before looking the entry up', '2000')
    .action(async (file: string, o: ImportCliOptions) => {
      let bar: ReturnType<typeof progressBar> | undefined;
      let close: (() => Promise<void>) | undefined;
      try {
        const { importSettlement, fileLines, x3Ledger } = await import('../../settlement/index.js');
        const size = (await stat(file).catch(() => {
          throw userError('CONFIG_INVALID', `cannot read ${file}`);
        })).size;
        bar = progressBar('settlement', size, o.json === true);
        let lines = 0;
        const options = o.options ? await jsonOrFile(o.options, '--options') : {};
        const fees = o.fees ? await jsonOrFile(o.fees, '--fees') : undefined;
        let post: NonNullable<Parameters<typeof importSettlement>[1]>['post'];
        let invoices: NonNullable<Parameters<typeof importSettlement>[1]>['invoices'];
        if (!o.dryRun) {
          if (!o.config) throw userError('CONFIG_INVALID', 'posting needs --config naming a Sage X3 connection (or use --dry-run)');
          const [{ loadConfig, resolveStoreUrl }, { openStore, storeOptionsFromUrl }, { SageX3Client }] = await Promise.all([
            import('../../config.js'),
            import('../../core/db/database.js'),
            import('../../connectors/sagex3/index.js'),
          ]);
          const config = await loadConfig(o.config);
          const candidates = config.connections.filter((c) => c.system === 'sagex3' && (!o.connection || c.id === o.connection));
          if (candidates.length !== 1) {
            throw userError('CONFIG_INVALID', o.connection ? `${o.config} has no sagex3 connection "${o.connection}"` : `${o.config} has ${candidates.length} sagex3 connections; name one with --connection`);
          }
          const conn = candidates[0]!;
          const client = new SageX3Client(conn.config as never, { connection: conn.id });
          const store = await openStore(storeOptionsFromUrl((await resolveStoreUrl({ ...(o.db ? { db: o.db } : {}), config: o.config })).url));
          close = () => store.close();
          post = { db: store.db, ledger: x3Ledger(client), settleMs: Number(o.settleMs) };
          if (o.invoices) invoices = client;
        } else if (o.invoices) throw userError('CONFIG_INVALID', '--invoices creates X3 invoices; it cannot go with --dry-run');
        const report = await importSettlement(
          fileLines(file, (bytes) => bar!.update(bytes, { lines })),
          { options, ...(o.table ? { table: o.table } : {}), ...(fees ? { fees } : {}), ...(o.orders ? { orders: true } : {}), ...(post ? { post } : {}), ...(invoices ? { invoices, creditType: o.creditType } : {}), onLines: (n) => (lines = n) },
        );
        bar.update(size, { lines });
        bar.stop();
        if (o.json) console.log(JSON.stringify(report));
        else {
          console.log(`settlement ${report.settlementId} (${report.currency}) ${report.startDate.slice(0, 10)} → ${report.endDate.slice(0, 10)}: ${report.lines} lines, total ${report.totalAmount}`);
          for (const [k, v] of Object.entries(report.byType)) console.log(`  ${k.padEnd(72)} ${v.padStart(14)}`);
          for (const u of report.unmapped) console.log(`  UNMAPPED ${u.description} ${u.amount} (${u.lines} lines, first at line ${u.firstLine})`);
          for (const e of report.journal.entries) {
            console.log(`journal ${e.REF} ${e.ACCDAT} ${e.CUR}`);
            for (const l of e.lines) console.log(`  ${l.ACC.padEnd(10)} ${l.SNS === 1 ? 'debit ' : 'credit'} ${l.AMTCUR.padStart(14)}  ${l.DES ?? ''}`);
          }
          console.log(`balanced ${report.journal.balanced}, difference ${report.difference}; orders ${report.drillDown.orders} sum back: ${report.drillDown.sumsBack}; fee drift ${report.fees.drifted} of ${report.fees.checked} checked`);
          console.log(`status ${report.status}${report.posted ? `: created ${report.posted.created.join(', ') || 'nothing'}` : ''}`);
          const inv = report.invoices;
          if (inv) {
            console.log(`invoices: ${inv.created.length} created, ${inv.found.length} found; principal ${inv.principal} = invoiced ${inv.invoiced} + flagged ${inv.flagged} (difference ${inv.difference}); ${inv.unknownOrders.length} orders unknown in X3, ${inv.unmatched.length} items without an SOH line`);
            const cn = inv.creditNotes;
            console.log(`credit notes: ${cn.created.length} created, ${cn.found.length} found; refunded ${cn.principal} = credited ${cn.invoiced} + flagged ${cn.flagged} (difference ${cn.difference}); ${cn.unknownOrders.length} orders unknown in X3, ${cn.unmatched.length} items without an SOH line`);
          }
        }
        if (report.status === 'held') process.exitCode = 3;
      } catch (e) {
        bar?.stop();
        const err = toSynclineError(e);
        if (o.json) console.log(JSON.stringify({ error: err.toJSON() }));
        else console.error(`${err.code}: ${err.message}`);
        process.exitCode = 1;
      } finally {
        await close?.();
      }
    });
}
