// `syncline flow list|show|validate|test`: flow documents from the terminal (decision 0005).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import YAML from 'yaml';
import { toSynclineError } from '../../core/errors.js';
import { formatFlowCaseReport, runFlowCases } from '../../flows/cases.js';
import { loadFlowFile, shippedFlows, resolveFlow } from '../../flows/index.js';

export function registerFlow(program: Command): void {
  const cmd = program.command('flow').description('flow documents: list, show, validate, test');

  cmd.command('list').description('the shipped flows').option('--json', 'one JSON document').action((opts: { json?: boolean }) => {
    const rows = [...shippedFlows()].sort(([a], [b]) => a.localeCompare(b)).map(([id, file]) => {
      try {
        const d = loadFlowFile(file);
        return { id, version: d.version, title: d.title ?? '', trigger: d.trigger.kind === 'schedule' ? `schedule ${d.trigger.cron ?? `every ${d.trigger.everyMs} ms`}` : `${d.trigger.kind} ${d.trigger.role}.${d.trigger.entity}`, steps: d.steps.length, file: path.relative(process.cwd(), file) };
      } catch (e) {
        return { id, error: toSynclineError(e).message, file: path.relative(process.cwd(), file) };
      }
    });
    if (opts.json) return console.log(JSON.stringify({ flows: rows }));
    for (const r of rows) console.log('error' in r ? `${r.id}  INVALID: ${r.error}` : `${r.id.padEnd(36)} v${r.version}  ${r.trigger.padEnd(28)} ${r.steps} steps  ${r.title}`);
  });

  cmd.command('show').description('a flow document, checked').argument('<flow>', 'a flow id or file').option('--json', 'as JSON').action((flow: string, opts: { json?: boolean }) => {
    const { doc } = resolveFlow(flow);
    console.log(opts.json ? JSON.stringify(doc) : YAML.stringify(doc));
  });

  cmd.command('validate').description('check a flow document against flows/flow.schema.json and what exists; every problem at once').argument('<file>').action((file: string) => {
    try {
      const doc = loadFlowFile(file);
      console.log(`OK ${doc.id} v${doc.version}: ${doc.steps.length} steps`);
    } catch (e) {
      const err = toSynclineError(e);
      console.error(`INVALID ${file}`);
      for (const p of (err.details.problems as string[] | undefined) ?? [err.message]) console.error(`  ${p}`);
      process.exitCode = 1;
    }
  });

  cmd
    .command('test')
    .description('run the *.cases.yaml beside a flow (or every shipped flow with --all); exits 1 on any failure')
    .argument('[file]', 'a flow or its .cases.yaml')
    .option('--all', 'every flow under flows/')
    .action(async (file: string | undefined, opts: { all?: boolean }) => {
      let files: string[];
      if (opts.all) {
        files = [];
        for (const [id, f] of shippedFlows()) {
          const c = f.replace(/\.ya?ml$/, '.cases.yaml');
          if (existsSync(c)) files.push(c);
          else console.log(`WARN ${id} has no .cases.yaml`);
        }
      } else if (file) files = [/\.cases\.ya?ml$/.test(file) ? file : file.replace(/\.ya?ml$/, '.cases.yaml')];
      else {
        console.error('name a flow or cases file, or pass --all');
        process.exit(2);
      }
      let failed = 0;
      let total = 0;
      for (const f of files) {
        try {
          const r = await runFlowCases(f);
          total += r.cases.length;
          failed += r.cases.filter((c) => !c.ok).length;
          console.log(formatFlowCaseReport(r));
        } catch (e) {
          failed++;
          console.log(`FAIL ${f}\n  ${toSynclineError(e).message}`);
        }
      }
      console.log(`${total - failed} of ${total} cases passed`);
      if (failed) process.exitCode = 1;
    });
}
