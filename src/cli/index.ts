// The `syncline` command. Commands are loaded on demand: the table below names each top-level
// command, its one-line description and the module that registers it, and only the module of the
// command being run is imported (`syncline --help` imports none), so a call does not pay for the
// connectors, the server and the sandboxes it does not use. A command file registers itself with
// `register(program)`; add a row here for a new one.
import { Command } from 'commander';

interface CommandEntry {
  description: string;
  load: () => Promise<(program: Command) => void>;
}

const commands: Record<string, CommandEntry> = {
  start: { description: 'run the engine, pollers and server from a configuration file', load: async () => (await import('./commands/admin.js')).registerStart },
  demo: { description: 'run the X-Cart and Sage 300 sandboxes, the engine and the server in one process (SQLite)', load: async () => (await import('./commands/demo.js')).registerDemo },
  sandbox: { description: 'start one simulated system: xcart, sage300, amazon, sagex3', load: async () => (await import('./commands/sandbox.js')).registerSandbox },
  runs: { description: "list recent runs (each event's history through its flow); `runs show ID`", load: async () => (await import('./commands/admin.js')).registerRuns },
  dlq: { description: 'dead letters: list, show, edit, replay, discard', load: async () => (await import('./commands/admin.js')).registerDlq },
  token: { description: 'admin API tokens', load: async () => (await import('./commands/admin.js')).registerToken },
  privacy: { description: "personal data: erase one customer's (`privacy erase --email ADDRESS`)", load: async () => (await import('./commands/privacy.js')).registerPrivacy },
  config: { description: 'check a configuration file (every problem at once)', load: async () => (await import('./commands/config.js')).registerConfig },
  connection: { description: 'test a connection with its current settings', load: async () => (await import('./commands/connection.js')).registerConnection },
  flow: { description: 'flow documents: list, show, validate, test their cases', load: async () => (await import('./commands/flow.js')).registerFlow },
  mapping: { description: 'test and preview mapping specs (mappings/**.yaml)', load: async () => (await import('./commands/mapping.js')).registerMapping },
  settlement: { description: 'Amazon settlement file → reconciled Sage X3 journal entries (`settlement import FILE`)', load: async () => (await import('./commands/settlement.js')).registerSettlement },
  agent: { description: 'on-premise agents: token create, list, revoke (hub); enrol, run (beside the ERP)', load: async () => (await import('./commands/agent.js')).registerAgent },
  reconcile: { description: 'compare Amazon with Sage X3 over their APIs, every difference with its amount (`reconcile amazon-x3`)', load: async () => (await import('./commands/reconcile.js')).registerReconcile },
  holds: { description: "orders held for review by a flow's risk check: list, release, cancel", load: async () => (await import('../intelligence/cli.js')).registerHolds },
};

const argv = process.argv.slice(2);

// `--log-format json|pretty|auto` anywhere on the line: read here so every command's logger sees it.
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  const value = a === '--log-format' ? argv[i + 1] : a.startsWith('--log-format=') ? a.slice('--log-format='.length) : undefined;
  if (value === undefined) continue;
  if (!['json', 'pretty', 'auto'].includes(value)) {
    console.error(`--log-format must be json, pretty or auto, got "${value}"`);
    process.exit(2);
  }
  process.env.SYNCLINE_LOG_FORMAT = value;
}

const program = new Command('syncline')
  .description('Syncline: keep e-commerce channels and ERPs in step, exactly once in effect.')
  .option('--log-format <format>', 'log lines: pretty (coloured, on a terminal), json (piped), or auto', 'auto')
  .showHelpAfterError()
  .exitOverride((err) => {
    process.exit(err.exitCode);
  });

const table = commands;
// The command word: the first argument that is not an option (or the value of --log-format).
const word = argv.find((a, i) => !a.startsWith('-') && argv[i - 1] !== '--log-format');
const entry = word ? table[word] : undefined;

if (entry) (await entry.load())(program);
else {
  // Help, a version question or a typo: describe every command without loading any of them.
  for (const [name, e] of Object.entries(table)) program.command(name).description(e.description).allowUnknownOption().helpOption(false);
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const err = e as { code?: string; message?: string };
  const coded = Boolean(err?.code && /^[A-Z0-9_]+$/.test(err.code));
  console.error(coded ? `${err.code}: ${err.message}` : e instanceof Error ? e.message : e);
  // Under --json, stdout is one JSON document even when the command fails.
  if (argv.includes('--json')) console.log(JSON.stringify({ error: { code: coded ? err.code : 'CLI_ERROR', message: err?.message ?? String(e) } }));
  process.exit(1);
}
