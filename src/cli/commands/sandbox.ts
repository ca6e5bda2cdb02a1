import type { Command } from 'commander';
import { sandboxes } from '../../sandboxes/index.js';
import { readFaultsOption } from '../../sandboxes/shared/faults.js';
import { readFeaturesOption } from '../../sandboxes/shared/features.js';

export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description(`start one simulated system: ${Object.keys(sandboxes).join(', ')}`)
    .argument('<name>', 'which sandbox')
    .option('-p, --port <port>', 'port to listen on (default: the sandbox\'s own)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--faults <json|file>', 'fault-injection rules, inline JSON or a JSON file')
    .option('--features <json|file>', 'which real server to play (version, capabilities, optional modules), inline JSON or a JSON file; see docs/connectors/NAME.md')
    .option('--seed <n>', 'seed for the generated catalog', '1')
    .option('--time-scale <x>', 'run the sandbox clock this many times faster', '1')
    .option('--credentials <json>', 'override the credentials clients must present (JSON object)')
    .option('--json', 'print one JSON line {"url", "credentials"} once listening')
    .action(async (name: string, opts: { port?: string; host: string; faults?: string; features?: string; seed: string; timeScale: string; credentials?: string; json?: boolean }) => {
      const entry = sandboxes[name];
      if (!entry) {
        console.error(`unknown sandbox "${name}"; choose one of: ${Object.keys(sandboxes).join(', ')}`);
        process.exit(2);
      }
      const start = await entry.load();
      const sandbox = await start({
        port: opts.port === undefined ? entry.defaultPort : Number(opts.port),
        host: opts.host,
        faults: await readFaultsOption(opts.faults),
        features: await readFeaturesOption(opts.features),
        seed: Number(opts.seed),
        timeScale: Number(opts.timeScale),
        ...(opts.credentials ? { credentials: JSON.parse(opts.credentials) as Record<string, string> } : {}),
      });
      if (opts.json) console.log(JSON.stringify({ url: sandbox.url, credentials: sandbox.credentials }));
      else {
        console.log(`${name} sandbox listening on ${sandbox.url}`);
        console.log(`credentials: ${JSON.stringify(sandbox.credentials)}`);
        console.log('fault injection: GET/PUT /__sandbox/faults; features: GET/PUT /__sandbox/features');
      }
      const stop = async () => {
        await sandbox.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
