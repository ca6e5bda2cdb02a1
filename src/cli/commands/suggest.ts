// `syncline mapping suggest --source SYSTEM.ENTITY --target SYSTEM.ENTITY [--sample FILE] [--json]`
// and `syncline mapping accept …`: offline field suggestions (src/intelligence), nothing leaves the
// machine. Knowledge = the shipped templates' pairs + the pairs accepted into the data folder's
// accepted-mappings.json (--config's, as its server keeps them) or --store.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';

const STORE_HELP = 'the accepted-suggestions file (default: in --config\'s data folder, where its server keeps them; else ./data/accepted-mappings.json)';

export function registerMappingSuggest(cmd: Command): void {
  cmd
    .command('suggest')
    .description('ranked target fields for every source field of an entity pair (offline), e.g. --source amazon.Order --target sagex3.SOH')
    .requiredOption('--source <entity>', 'SYSTEM.ENTITY the values come from (xcart.order, amazon.Order, sage300.ARCustomers …)')
    .requiredOption('--target <entity>', 'SYSTEM.ENTITY they go to (sage300.OEOrders, sagex3.SOH, sagex3.BPC …)')
    .option('--sample <file>', 'a JSON source record: its values are profiled (dates, e-mails, currencies, postal codes)')
    .option('--store <file>', STORE_HELP)
    .option('--config <file>', 'configuration whose data folder holds the accepted suggestions')
    .option('--json', 'print {"suggestions":[{"source","candidates":[{"target","confidence","why"}]}]}')
    .option('--rerank-url <url>', 're-rank by a language model at this OpenAI-compatible base URL (off by default; field names are sent, never values)')
    .option('--rerank-model <name>', 'model name for --rerank-url', 'gpt-4o-mini')
    .action(async (opts: { source: string; target: string; sample?: string; store?: string; config?: string; json?: boolean; rerankUrl?: string; rerankModel: string }) => {
      const { suggest } = await import('../../intelligence/suggest.js');
      const { knowledgeFor } = await import('../../intelligence/index.js');
      const store = await (await import('../../config.js')).resolveAcceptedMappings(opts);
      let sample: unknown;
      if (opts.sample) {
        try {
          sample = JSON.parse(await readFile(opts.sample, 'utf8'));
        } catch (e) {
          console.error(`cannot read the sample ${opts.sample}: ${e instanceof Error ? e.message : String(e)}`);
          process.exit(2);
        }
      }
      let suggestions;
      try {
        suggestions = suggest(opts.source, opts.target, { knowledge: knowledgeFor(store), ...(sample !== undefined ? { sample } : {}) });
      } catch (e) {
        console.error(e instanceof Error ? e.message : String(e));
        process.exit(2);
      }
      if (opts.rerankUrl) {
        const { rerank } = await import('../../intelligence/rerank.js');
        // The key comes from the environment only, so it never lands in shell history.
        const r = await rerank(opts.source, opts.target, suggestions, { baseUrl: opts.rerankUrl, model: opts.rerankModel, apiKey: process.env.SYNCLINE_RERANK_API_KEY });
        if (r.error) console.error(r.error);
        suggestions = r.suggestions;
      }
      if (opts.json) {
        console.log(JSON.stringify({ suggestions }));
        return;
      }
      for (const s of suggestions) {
        if (!s.candidates.length) continue;
        console.log(s.source);
        for (const c of s.candidates) console.log(`   ${c.confidence.toFixed(2)}  ${c.target.padEnd(40)} ${c.why}`);
      }
    });

  cmd
    .command('accept')
    .description('store an accepted suggestion (source field → target field); later suggestions learn from it')
    .requiredOption('--source <entity>', 'SYSTEM.ENTITY')
    .requiredOption('--target <entity>', 'SYSTEM.ENTITY')
    .requiredOption('--from <path>', 'source field path (items[].sku)')
    .requiredOption('--to <path>', 'target field path (OrderDetails[].Item)')
    .option('--store <file>', STORE_HELP)
    .option('--config <file>', 'configuration whose data folder holds the accepted suggestions')
    .action(async (opts: { source: string; target: string; from: string; to: string; store?: string; config?: string }) => {
      const { acceptPair } = await import('../../intelligence/index.js');
      const store = await (await import('../../config.js')).resolveAcceptedMappings(opts);
      try {
        acceptPair(store, { source: opts.source, sourcePath: opts.from, target: opts.target, targetPath: opts.to });
      } catch (e) {
        console.error(e instanceof Error ? e.message : String(e));
        process.exit(2);
      }
      console.log(`accepted ${opts.source} ${opts.from} → ${opts.target} ${opts.to} (${store})`);
    });
}
