// `syncline agent …`: on the hub, one-time enrolment tokens, the list of agents and revocation; on the
// ERP's host, enrolment and the agent itself (docs/decisions/0009-agent-and-scale-out.md).
import path from 'node:path';
import type { Command } from 'commander';

async function hubStore(o: { config: string }) {
  const [{ loadConfig }, { openStore, storeOptionsFromUrl }, { CertificateAuthority }] = await Promise.all([import('../../config.js'), import('../../core/db/database.js'), import('../../agent/ca.js')]);
  const config = await loadConfig(o.config);
  const dataDir = path.resolve(config.dataDir);
  const store = await openStore(storeOptionsFromUrl(config.database ?? `sqlite:${path.join(dataDir, 'syncline.db')}`));
  const ca = await CertificateAuthority.open(path.join(dataDir, 'agent-ca'));
  return { store, ca, config };
}

export function registerAgent(program: Command): void {
  const agent = program.command('agent').description('on-premise agents: enrol, run, tokens, list, revoke');

  agent
    .command('token')
    .description('(hub) a one-time enrolment token for an agent of GROUP (shown once)')
    .argument('<create>', 'create')
    .requiredOption('--group <group>', 'the agent group, as connections name it in agentGroup')
    .requiredOption('--config <file>', 'the hub\'s configuration (its store and data directory)')
    .option('--ttl-hours <n>', 'how long the token stays valid', '24')
    .option('--json', 'machine-readable output')
    .action(async (_create: string, o: { group: string; config: string; ttlHours: string; json?: boolean }) => {
      const { createEnrolmentToken } = await import('../../agent/hub.js');
      const { store, ca } = await hubStore(o);
      try {
        const { token, expiresAt } = await createEnrolmentToken(store.db, ca, o.group, Number(o.ttlHours) * 3_600_000);
        if (o.json) console.log(JSON.stringify({ token, group: o.group, expiresAt: new Date(expiresAt).toISOString() }));
        else console.log(`${token}\n(valid once, until ${new Date(expiresAt).toISOString()}; it also pins this hub's CA)`);
      } finally {
        await store.close();
      }
    });

  agent
    .command('list')
    .description('(hub) enrolled agents')
    .requiredOption('--config <file>', 'the hub\'s configuration')
    .option('--json', 'machine-readable output')
    .action(async (o: { config: string; json?: boolean }) => {
      const { store } = await hubStore(o);
      try {
        const rows = await store.db.selectFrom('agents').selectAll().orderBy('enrolled_at').execute();
        if (o.json) return console.log(JSON.stringify(rows));
        for (const r of rows) console.log(`${r.id}\tgroup ${r.agent_group}\t${r.revoked_at ? 'REVOKED' : 'active'}\tlast seen ${r.last_seen_at ? new Date(r.last_seen_at).toISOString() : 'never'}`);
      } finally {
        await store.close();
      }
    });

  agent
    .command('revoke')
    .description('(hub) revoke an agent: its certificate is refused from now on, live links are cut')
    .argument('<id>')
    .requiredOption('--config <file>', 'the hub\'s configuration')
    .action(async (id: string, o: { config: string }) => {
      const { revokeAgent } = await import('../../agent/hub.js');
      const { store } = await hubStore(o);
      try {
        if (!(await revokeAgent(store.db, id))) throw new Error(`no active agent "${id}"`);
        console.log(`revoked ${id}`);
      } finally {
        await store.close();
      }
    });

  agent
    .command('enrol')
    .description('(ERP host) make this agent\'s key and get its certificate from the hub with a one-time token')
    .requiredOption('--hub <url>', 'wss://HOST:PORT of the hub')
    .requiredOption('--token <token>', 'from `syncline agent token create` on the hub')
    .requiredOption('--dir <dir>', 'where the key, certificate and CA are kept (the agent config\'s stateDir)')
    .option('--name <name>', 'a name for this agent (lower-case, digits, dashes)')
    .option('--hub-socket <path>', 'reach the hub through this Unix socket')
    .action(async (o: { hub: string; token: string; dir: string; name?: string; hubSocket?: string }) => {
      const { enrolAgent } = await import('../../agent/agent.js');
      const state = await enrolAgent({ hub: o.hub, token: o.token, stateDir: path.resolve(o.dir), name: o.name, hubSocket: o.hubSocket });
      console.log(JSON.stringify({ agentId: state.agentId, group: state.group }));
    });

  agent
    .command('run')
    .description('(ERP host) run the agent: dial the hub and execute the calls its allow-list permits')
    .requiredOption('--config <file>', 'the agent\'s configuration (hub, stateDir, allow)')
    .action(async (o: { config: string }) => {
      const [{ loadAgentConfig, OnPremAgent }, { createLogger }] = await Promise.all([import('../../agent/agent.js'), import('../../main.js')]);
      const config = await loadAgentConfig(o.config);
      const logger = createLogger();
      const running = new OnPremAgent(config, logger);
      running.start();
      logger.info({ agent: running.id, hub: config.hub }, 'agent started');
      const stop = async () => {
        await running.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
