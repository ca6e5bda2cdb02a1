// `syncline config check FILE`: every problem of a configuration at once — unknown keys (with the
// nearest known one), bad values, missing ${ENV} variables, connections named by flows that do not
// exist, connector settings — each with its path and connection id. Writes nothing, starts nothing.
import path from 'node:path';
import type { Command } from 'commander';
import { checkConfig, readConfigFile, resolvePaths } from '../../config.js';
import { colour } from '../output.js';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('check a configuration file (every problem at once)');
  config
    .command('check')
    .description('validate a configuration: schema, ${ENV} references, connections and flows; exit 1 on any problem')
    .argument('<file>', 'YAML or JSON configuration')
    .option('--json', 'one JSON document: {"ok", "problems", "store", "connections", "flows"}')
    .action(async (file: string, o: { json?: boolean }) => {
      const source = path.resolve(file);
      const { config: parsed, problems } = await checkConfig(await readConfigFile(source), { baseDir: path.dirname(source) });
      const resolved = parsed ? resolvePaths(parsed, path.dirname(source)) : undefined;
      const summary = {
        ok: problems.length === 0,
        file: source,
        problems,
        ...(resolved
          ? {
              store: resolved.database,
              dataDir: resolved.dataDir,
              masterKey: process.env.SYNCLINE_MASTER_KEY ? '$SYNCLINE_MASTER_KEY' : resolved.masterKeyFile,
              connections: resolved.connections.map((c) => ({ id: c.id, system: c.system })),
              flows: resolved.flows.map((f) => ({ use: f.use, connections: f.connections, since: f.since ?? null })),
            }
          : {}),
      };
      if (o.json) console.log(JSON.stringify(summary));
      else if (problems.length) {
        console.log(colour.red(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`));
        for (const p of problems) console.log(`  ${colour.bold(p.path)}: ${p.message}`);
      } else {
        console.log(colour.green(`${file}: ok`));
        console.log(`  store        ${summary.store}`);
        console.log(`  master key   ${summary.masterKey}`);
        for (const c of summary.connections ?? []) console.log(`  connection   ${c.id} (${c.system})`);
        for (const f of summary.flows ?? []) {
          console.log(`  flow         ${f.use}: ${Object.entries(f.connections).map(([r, id]) => `${r}=${id}`).join(', ')}${f.since ? `, since ${f.since}` : ''}`);
        }
      }
      if (problems.length) process.exitCode = 1;
    });
}
