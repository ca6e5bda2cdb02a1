import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { SynclineError } from '../../core/errors.js';
import { findSpecFiles, loadMapping } from '../../mapping/index.js';
import { formatCaseReport, runCaseFile } from '../../mapping/cases.js';
import { registerMappingSuggest } from './suggest.js';

const DEFAULT_DIR = 'mappings';

async function caseFilesUnder(dir: string): Promise<string[]> {
  const specs = await findSpecFiles(dir);
  const out: string[] = [];
  for (const s of specs) {
    const c = s.replace(/\.ya?ml$/, '.cases.yaml');
    try {
      await stat(c);
      out.push(c);
    } catch {
      /* a spec without cases is reported below */
    }
  }
  return out;
}

export function registerMapping(program: Command): void {
  const cmd = program.command('mapping').description('test and preview mapping specs (mappings/**.yaml)');
  registerMappingSuggest(cmd);

  cmd
    .command('test')
    .description('run the *.cases.yaml beside a spec (or every spec with --all); exits 1 on any failure')
    .argument('[file]', 'a spec or its .cases.yaml')
    .option('--all', `every spec under ${DEFAULT_DIR}/`)
    .option('--dir <dir>', 'folder searched by --all', DEFAULT_DIR)
    .option('--verbose', 'also list expressions that run through jsonata rather than compiled JS')
    .action(async (file: string | undefined, opts: { all?: boolean; dir: string; verbose?: boolean }) => {
      let files: string[];
      if (opts.all) {
        const specs = await findSpecFiles(opts.dir);
        files = await caseFilesUnder(opts.dir);
        const missing = specs.filter((s) => !files.includes(s.replace(/\.ya?ml$/, '.cases.yaml')));
        for (const m of missing) console.log(`WARN ${path.relative(process.cwd(), m)} has no .cases.yaml`);
      } else if (file) {
        files = [/\.cases\.ya?ml$/.test(file) ? file : file.replace(/\.ya?ml$/, '.cases.yaml')];
      } else {
        console.error('name a spec or cases file, or pass --all');
        process.exit(2);
      }
      let failed = 0;
      let total = 0;
      for (const f of files) {
        try {
          const r = await runCaseFile(f);
          total += r.cases.length;
          failed += r.cases.filter((c) => !c.ok).length;
          console.log(formatCaseReport(r));
          if (opts.verbose) for (const fb of r.mapping?.fallbacks ?? []) console.log(`      via jsonata: ${fb.where}: ${fb.reason}`);
        } catch (e) {
          failed++;
          console.log(`FAIL ${f}\n  ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      console.log(`\n${total - failed >= 0 ? total - failed : 0} passed, ${failed} failed, ${files.length} file(s)`);
      process.exit(failed ? 1 : 0);
    });

  cmd
    .command('preview')
    .description('map one sample record and print the output with every warning and validation error')
    .argument('<spec>', 'mapping spec file')
    .argument('<sample>', 'JSON file with the source record')
    .option('--json', 'print one JSON object {"output", "warnings", "errors", "rates"}')
    .option('--options <json>', 'override the spec\'s options (JSON object)')
    .option('--now <iso>', 'fixed "now" (ISO 8601)')
    .action(async (spec: string, sample: string, opts: { json?: boolean; options?: string; now?: string }) => {
      try {
        const m = await loadMapping(spec);
        let input: unknown;
        try {
          input = JSON.parse(await readFile(sample, 'utf8'));
        } catch (e) {
          console.error(`${sample}: not readable JSON: ${(e as Error).message}`);
          process.exit(2);
        }
        const r = await m.run(input, {
          ...(opts.options ? { options: JSON.parse(opts.options) as Record<string, unknown> } : {}),
          ...(opts.now ? { now: new Date(opts.now) } : {}),
        });
        if (opts.json) {
          console.log(JSON.stringify({ output: r.output, warnings: r.warnings, errors: r.errors, rates: r.rates }));
        } else {
          console.log(`${m.id} v${m.version}`);
          console.log(JSON.stringify(r.output, null, 2));
          for (const w of r.warnings) console.log(`warning  ${w.path}: ${w.message}`);
          for (const e of r.errors) console.log(`error    ${e.path}: ${e.message}`);
          for (const x of r.rates) console.log(`rate     ${x.from}→${x.to} ${x.rate} (effective ${x.effective})`);
          if (!r.errors.length) console.log('valid: ready to deliver');
        }
        process.exit(r.errors.length ? 1 : 0);
      } catch (e) {
        if (e instanceof SynclineError) {
          if (opts.json) console.log(JSON.stringify({ output: null, warnings: [], errors: [{ path: '', message: e.message }], rates: [] }));
          else console.error(e.message);
          process.exit(1);
        }
        throw e;
      }
    });
}
