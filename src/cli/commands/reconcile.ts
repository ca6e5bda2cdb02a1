// `syncline reconcile amazon-x3 --config FILE [--json]`: Amazon and Sage X3 compared over their APIs
// (orders by CUSORDREF, settlements by journal REF and account, credit notes by INVREF), every difference with its amount
// (src/settlement/reconcile.ts). Exit 0 whatever the differences (they are the report); 1 on failure.
// Either pair: the result is stored where the console's dashboard shows it (table `reconciliations`,
// as a run from the admin API is) — a run that fails too, as `failed` with its reason, so the
// dashboard does not go on showing the last good run — and a target record carrying a source
// reference twice fires the store's `duplicate-reference` alert rules (src/alerts); a clean run resolves them.
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { toSynclineError, userError } from '../../core/errors.js';
import type { DuplicateFinding } from '../../alerts/alerts.js';
import type { ReconcileOutcome } from '../../reconcile/pairs.js';
import type { ReconcileStatus } from '../../server/console/reconcile.js';

interface Pair {
  /** The admin API's name, under which the dashboard shows it. */
  stored: string;
  /** The subject of its duplicate-reference alert rules. */
  alert: string;
}

const by = () => `cli:${userInfo().username}`;

/**
 * Through the store `--db` or the configuration names (a SQLite file that does not exist is not
 * created): keeps the result where the console's dashboard reads it and, for a run that finished,
 * sends the duplicate-reference alerts (a failed run found nothing, so it resolves nothing). Returns
 * what to tell the operator.
 */
async function record(o: { config: string; db?: string }, pair: Pair, status: ReconcileStatus, found: DuplicateFinding[]): Promise<string[]> {
  const [{ resolveStoreUrl }, { openStore, storeOptionsFromUrl }, { alertDuplicates }, { storeReconciliation }, { existsSync }] = await Promise.all([import('../../config.js'), import('../../core/db/database.js'), import('../../alerts/alerts.js'), import('../../server/console/reconcile.js'), import('node:fs')]);
  const { url } = await resolveStoreUrl({ config: o.config, ...(o.db ? { db: o.db } : {}) });
  const options = storeOptionsFromUrl(url);
  if (options.dialect === 'sqlite' && (options.file === ':memory:' || !existsSync(options.file))) return [`no store at ${url}: the result is not stored${found.length ? ' and the duplicate-reference alert was not sent' : ''}`];
  const store = await openStore(options);
  try {
    const notes: string[] = [];
    await storeReconciliation(store.db, status);
    notes.push(`stored as the last ${pair.stored} reconciliation${status.status === 'failed' ? ', failed' : ''} (${url.replace(/\/\/[^@/]*@/, '//…@')})`);
    if (status.status === 'failed') return notes;
    const sent = await alertDuplicates({ db: store.db }, pair.alert, found);
    const failed = sent.filter((e) => !e.delivered);
    if (failed.length) notes.push(`alert not delivered: ${failed.map((e) => e.error).join('; ')}`);
    else if (sent.length) notes.push(`${sent.length} alert${sent.length === 1 ? '' : 's'} sent (duplicate-reference, ${found.length ? 'firing' : 'resolved'})`);
    return notes;
  } finally {
    await store.close();
  }
}

/** A run that finished: stored, alerts sent, what happened told on stderr. */
async function finished(o: { config: string; db?: string }, pair: Pair, started: number, outcome: ReconcileOutcome, found: DuplicateFinding[]): Promise<void> {
  const { finishedReconciliation } = await import('../../server/console/reconcile.js');
  for (const note of await record(o, pair, finishedReconciliation(pair.stored, started, by(), outcome), found)) console.error(note);
}

/** A run that threw (a system unreachable, credentials refused, a bad configuration): the reason printed and stored as failed. */
async function failed(o: { config: string; db?: string; json?: boolean }, pair: Pair, started: number, e: unknown): Promise<void> {
  const err = toSynclineError(e);
  if (o.json) console.log(JSON.stringify({ error: err.toJSON() }));
  else console.error(`${err.code}: ${err.message}`);
  const { failedReconciliation } = await import('../../server/console/reconcile.js');
  const notes = await record(o, pair, failedReconciliation(pair.stored, started, by(), err), []).catch((f: unknown) => {
    const why = toSynclineError(f);
    return [`the failure is not stored: ${why.code}: ${why.message}`];
  });
  for (const note of notes) console.error(note);
}

interface ReconcileCliOptions {
  config?: string;
  db?: string;
  amazon?: string;
  x3?: string;
  since?: string;
  options?: string;
  table?: string;
  json?: boolean;
  stock?: boolean;
  mfnSite?: string;
  fbaSite?: string;
  reportPollMs?: string;
  creditType?: string;
}

const XCART_SAGE300: Pair = { stored: 'xcart-sage300', alert: 'xcart-sage300' };
const AMAZON_X3: Pair = { stored: 'amazon-sagex3', alert: 'amazon-x3' };

export function registerReconcile(program: Command): void {
  const cmd = program.command('reconcile').description('compare two systems over their APIs and list every difference with its amount');
  cmd
    .command('xcart-sage300')
    .description('X-Cart orders, customers and stock against Sage 300 (exit 1 when there is a difference)')
    .requiredOption('--config <file>', 'configuration naming the X-Cart and Sage 300 connections')
    .option('--xcart <id>', 'the X-Cart connection (default: the only one)')
    .option('--sage300 <id>', 'the Sage 300 connection (default: the only one)')
    .option('--since <iso>', 'orders created since, and as customers their registered buyers (default: every order and registered profile)')
    .option('--parts <list>', 'orders,customers,stock,payments,credit-notes (the default), prices (only when named: the shop\'s prices against Sage 300\'s RTL list)')
    .option('--db <url>', 'store the result is kept in (default: the configuration\'s)')
    .option('--json', 'one JSON object')
    .action(async (o: { config: string; db?: string; xcart?: string; sage300?: string; since?: string; parts?: string; json?: boolean }) => {
      const started = Date.now();
      try {
        const [{ loadConfig }, { connectors }, { reconcileXcartSage300 }] = await Promise.all([import('../../config.js'), import('../../connectors/index.js'), import('../../reconcile/xcart-sage300.js')]);
        const config = await loadConfig(o.config);
        const pick = (system: string, id?: string) => {
          const c = config.connections.filter((x) => x.system === system && (!id || x.id === id));
          if (c.length !== 1) throw userError('CONFIG_INVALID', `${o.config} has ${c.length} ${system} connections${id ? ` named "${id}"` : ''}; name one with --${system}`);
          return c[0]!;
        };
        const x = pick('xcart', o.xcart);
        const s = pick('sage300', o.sage300);
        const report = await reconcileXcartSage300(
          connectors.xcart!.createClient(x.config, { connection: x.id }),
          connectors.sage300!.createClient(s.config, { connection: s.id }),
          { ...(o.since ? { since: o.since } : {}), ...(o.parts ? { parts: o.parts.split(',') as never } : {}) },
        );
        const summary = `orders: ${report.orders.xcart} in X-Cart, ${report.orders.inSage300} in Sage 300 · customers: ${report.customers.xcart} / ${report.customers.inSage300} · stock: ${report.stock.compared} SKUs compared · payments: ${report.payments.xcart} / ${report.payments.inSage300}, refunds: ${report.payments.refunds} / ${report.payments.refundsInSage300} · credit notes: ${report.creditNotes.inSage300}${report.prices ? ` · prices: ${report.prices.compared} SKUs compared` : ''}`;
        const duplicates = report.differences.filter((d) => d.kind.endsWith('-duplicated-in-sage300')).map((d) => ({ reference: d.key, detail: `${d.kind}: ${String(d.sage300)}` }));
        await finished(o, XCART_SAGE300, started, { summary, differences: report.differences }, duplicates);
        if (o.json) console.log(JSON.stringify({ ...report, differenceCount: report.differences.length }));
        else {
          console.log(summary);
          for (const d of report.differences) console.log(`  ${d.kind.padEnd(30)} ${d.key.padEnd(24)} ${d.amount.padStart(12)}  ${d.detail ?? ''}`);
          console.log(`${report.differences.length} difference${report.differences.length === 1 ? '' : 's'}`);
        }
        if (report.differences.length) process.exitCode = 1;
      } catch (e) {
        await failed(o, XCART_SAGE300, started, e);
        process.exitCode = 2;
      }
    });
  cmd
    .command('amazon-x3')
    .description('Amazon orders and settlements against Sage X3 sales orders and journal entries')
    .requiredOption('--config <file>', 'configuration naming the Amazon and Sage X3 connections')
    .option('--amazon <id>', 'the Amazon connection (default: the only one)')
    .option('--x3 <id>', 'the Sage X3 connection (default: the only one)')
    .option('--since <iso>', 'orders created and settlements published since (default 30 days ago)')
    .option('--options <json>', 'journal template options, as for `settlement import`')
    .option('--table <file>', 'settlement-accounts lookup table')
    .option('--stock', 'also compare stock: MFN listings with X3 sellable stock at --mfn-site, FBA inventory with the X3 FBA site per status')
    .option('--mfn-site <site>', 'X3 site whose stock Amazon offers merchant-fulfilled', 'US011')
    .option('--fba-site <site>', 'X3 site that holds the FBA stock', 'US014')
    .option('--report-poll-ms <ms>', 'pause between polls of the listings report', '30000')
    .option('--credit-type <type>', 'invoice type of the returns flow\'s credit notes (its option creditType)', 'CRN')
    .option('--db <url>', 'store the result is kept in (default: the configuration\'s)')
    .option('--json', 'one JSON object')
    .action(async (o: ReconcileCliOptions) => {
      const started = Date.now();
      try {
        const [{ loadConfig }, { SpApiClient }, { SageX3Client }, { reconcileAmazonX3 }] = await Promise.all([
          import('../../config.js'),
          import('../../connectors/amazon/index.js'),
          import('../../connectors/sagex3/index.js'),
          import('../../settlement/reconcile.js'),
        ]);
        const config = await loadConfig(o.config!);
        const pick = (system: string, id?: string) => {
          const c = config.connections.filter((x) => x.system === system && (!id || x.id === id));
          if (c.length !== 1) throw userError('CONFIG_INVALID', `${o.config} has ${c.length} ${system} connections${id ? ` named "${id}"` : ''}; name one with --${system === 'amazon' ? 'amazon' : 'x3'}`);
          return c[0]!;
        };
        const a = pick('amazon', o.amazon);
        const x = pick('sagex3', o.x3);
        const spapi = new SpApiClient(a.config as never, { connection: a.id });
        const x3client = new SageX3Client(x.config as never, { connection: x.id });
        const base = await reconcileAmazonX3(spapi, x3client, {
          ...(o.since ? { since: o.since } : {}),
          ...(o.options ? { options: JSON.parse(o.options) as Record<string, unknown> } : {}),
          ...(o.table ? { table: o.table } : {}),
          creditType: o.creditType!,
        });
        // Stock (src/reconcile/amazon-x3-stock.ts): SKUs through the configuration's sku table, else the shipped one.
        const stock = o.stock ? await (async () => {
          const [{ reconcileAmazonX3Stock }, { loadLookupTable }, { MAPPINGS_DIR }, { existsSync }, path] = await Promise.all([import('../../reconcile/amazon-x3-stock.js'), import('../../mapping/index.js'), import('../../flows/index.js'), import('node:fs'), import('node:path')]);
          const own = config.lookupsDir ? path.join(config.lookupsDir, 'sku.yaml') : undefined;
          const table = await loadLookupTable(own && existsSync(own) ? own : path.join(MAPPINGS_DIR, 'lookups/sku.yaml'));
          return reconcileAmazonX3Stock(spapi, x3client, { mfnSite: o.mfnSite!, fbaSite: o.fbaSite!, reportPollMs: Number(o.reportPollMs), itemOf: (sku) => {
            const v = table.get(sku);
            return typeof v === 'string' ? v : undefined;
          } });
        })() : undefined;
        const report = { ...base, ...(stock ? { stock: stock.stock } : {}), differences: [...base.differences, ...(stock?.differences ?? [])] as Array<(typeof base.differences)[number] | NonNullable<typeof stock>['differences'][number]> };
        const summary = `since ${report.since}: ${report.orders.checked} orders (${report.orders.inX3} in X3), ${report.settlements.checked} settlements (${report.settlements.posted} posted), ${report.creditNotes.checked} credit notes${stock ? `\nstock: ${stock.stock.mfnCompared} MFN and ${stock.stock.fbaCompared} FBA SKUs compared (units, X3 − Amazon)` : ''}`;
        const duplicates = base.differences.filter((d) => d.kind.endsWith('-duplicated-in-x3')).map((d) => ({ reference: d.id, detail: d.detail ?? d.kind }));
        const outcome = { summary, differences: report.differences.map((d) => ({ kind: d.kind, key: d.id, amount: `${d.amount}${'currency' in d && d.currency ? ` ${d.currency}` : ''}`, ...(d.detail ? { detail: d.detail } : {}) })) };
        await finished({ config: o.config!, ...(o.db ? { db: o.db } : {}) }, AMAZON_X3, started, outcome, duplicates);
        if (o.json) console.log(JSON.stringify({ ...report, differenceCount: report.differences.length }));
        else {
          console.log(summary);
          for (const d of report.differences) {
            if ('item' in d) console.log(`  ${d.kind.padEnd(22)} ${d.id.padEnd(22)} ${d.amount.padStart(12)} units  ${d.detail}`);
            else console.log(`  ${d.kind.padEnd(22)} ${d.id.padEnd(22)} ${d.amount.padStart(12)} ${d.currency ?? ''}${d.account ? ` account ${d.account} expected ${d.expected} actual ${d.actual}` : ''}${d.detail ? `  ${d.detail}` : ''}`);
          }
          console.log(`${report.differences.length} difference${report.differences.length === 1 ? '' : 's'}`);
        }
      } catch (e) {
        await failed({ config: o.config!, ...(o.db ? { db: o.db } : {}), ...(o.json ? { json: true } : {}) }, AMAZON_X3, started, e);
        process.exitCode = 1;
      }
    });
}
