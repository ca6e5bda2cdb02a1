// The one place that reads the environment and wires everything: store, secrets, connections,
// connector clients, flows, pollers, the engine and the server.
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { connectors } from './connectors/index.js';
import { secretLogPaths, systemSettings } from './connectors/settings.js';
import { ConnectionStore, joinSecrets } from './core/connections.js';
import { openStore, storeOptionsFromUrl, type Store } from './core/db/database.js';
import { Engine, type BoundFlow } from './core/engine.js';
import { userError } from './core/errors.js';
import { MemoryRateLimiter, type RateLimiter } from './core/rate-limit.js';
import { PollerLease } from './core/poller-lease.js';
import { AgentHub } from './agent/hub.js';
import { routeConnection } from './http/transport.js';
import { PgRateLimiter } from './core/rate-limit-pg.js';
import { SecretBox } from './core/secrets.js';
import { sealedCodec } from './core/payload-codec.js';
import { ApiTokenStore } from './core/tokens.js';
import { flowTemplates } from './flows/index.js';
import { buildServer } from './server/index.js';
import type { SynclineConfig } from './config.js';

export interface Runtime {
  config: SynclineConfig;
  store: Store;
  engine: Engine;
  connections: ConnectionStore;
  tokens: ApiTokenStore;
  clients: Record<string, unknown>;
  server: FastifyInstance;
  /** Base URL of the server once listening. */
  url: string;
  logger: Logger;
  /** The on-premise agents' hub, when `agentHub` is configured. */
  agentHub?: AgentHub;
  stop(): Promise<void>;
}

export function createLogger(): Logger {
  return pino({
    level: process.env.SYNCLINE_LOG_LEVEL ?? 'info',
    // Belt and braces: credentials never reach a log line even if someone logs a config object.
    redact: { paths: ['*.password', '*.token', '*.secret', '*.secrets', '*.authorization', '*.headers.authorization', 'config.password', 'config.token', ...secretLogPaths()], censor: '[redacted]' },
  });
}

/**
 * What this process does (`syncline start --role`): `intake` serves webhooks and the admin API and
 * runs no jobs; `worker` runs jobs and pollers and serves nothing; `all` (default) does both.
 * Many intake and worker processes may share one PostgreSQL store.
 */
export type Role = 'intake' | 'worker' | 'all';

export async function startSyncline(config: SynclineConfig, opts: { logger?: Logger; listen?: boolean; rateLimiter?: RateLimiter; role?: Role } = {}): Promise<Runtime> {
  const role = opts.role ?? 'all';
  const logger = opts.logger ?? createLogger();
  const dataDir = path.resolve(config.dataDir);
  const storeOptions = storeOptionsFromUrl(config.database ?? `sqlite:${path.join(dataDir, 'syncline.db')}`);
  const store = await openStore(storeOptions.dialect === 'sqlite' ? { ...storeOptions, synchronous: config.sqliteSynchronous } : storeOptions);
  const secretBox = SecretBox.load(dataDir);
  // Event and job payloads are whole orders with personal data: sealed at rest (decision 0006).
  store.payloadCodec = sealedCodec(secretBox);
  const connections = new ConnectionStore(store.db, secretBox);
  connections.systems = systemSettings;
  const tokens = new ApiTokenStore(store.db);
  // On PostgreSQL every worker process of the deployment draws from the same buckets.
  const rateLimiter = opts.rateLimiter ?? (store.dialect === 'postgres' ? new PgRateLimiter(store.db) : new MemoryRateLimiter());

  // Connections from the file are stored (secrets sealed), then every client is built from the store.
  for (const c of config.connections) {
    // The store splits by the connector's schema (what it marks secret is sealed): decision 0006.
    await connections.upsert({ id: c.id, system: c.system, config: c.config, secrets: c.webhookSecret ? { webhookSecret: c.webhookSecret } : {} });
  }
  const clients: Record<string, unknown> = {};
  for (const c of config.connections) {
    const stored = (await connections.get(c.id))!;
    const connector = connectors[c.system];
    if (!connector) throw userError('CONFIG_INVALID', `connection ${c.id}: no connector for system "${c.system}" is wired yet`);
    const { webhookSecret: _webhookSecret, ...secrets } = stored.secrets;
    clients[c.id] = connector.createClient(joinSecrets(stored.config, secrets), { connection: c.id, rateLimiter });
    for (const [op, limit] of Object.entries(c.rateLimits ?? {})) await rateLimiter.setLimit(`${c.id}:${op}`, limit);
  }

  const bound: BoundFlow[] = [];
  const pollers: Array<{ poller: import('./core/triggers.js').Poller; intervalMs: number; connection: string }> = [];
  for (const f of config.flows) {
    const template = flowTemplates[f.use];
    if (!template) throw userError('CONFIG_INVALID', `unknown flow "${f.use}"; known: ${Object.keys(flowTemplates).join(', ')}`);
    const roleClients: Record<string, unknown> = {};
    for (const [role, system] of Object.entries(template.roles)) {
      const id = f.connections[role];
      const conn = config.connections.find((c) => c.id === id);
      if (!id || !conn) throw userError('CONFIG_INVALID', `flow ${f.use} needs a connection for role "${role}" (a ${system} connection)`);
      if (conn.system !== system) throw userError('CONFIG_INVALID', `flow ${f.use}: role "${role}" needs a ${system} connection, ${id} is ${conn.system}`);
      roleClients[role] = clients[id];
    }
    const built = await template.build({ clients: roleClients, connectionIds: f.connections, mapping: f.mapping, mappingOptions: f.mappingOptions, pollIntervalMs: f.pollIntervalMs });
    bound.push(built.bound);
    pollers.push(...built.pollers);
  }

  const engine = new Engine({
    store,
    flows: bound,
    logger,
    redaction: { enabled: config.redactPii },
    worker: { concurrency: config.worker.concurrency, leaseMs: config.worker.leaseMs, pollMs: config.worker.pollMs },
    runRetentionMs: config.runRetentionDays * 24 * 3600_000,
    recordPayloads: config.recordPayloads,
  });
  const server = buildServer({
    engine,
    connections,
    tokens,
    // Read from the store on each request (cached briefly), so a connection added over the API takes webhooks at once.
    webhookSecrets: (id) => connections.webhookSecret(id),
    bodyLimitBytes: config.server.bodyLimitBytes,
    logger: logger.child({ component: 'server' }),
  });
  if (role !== 'all' && store.dialect !== 'postgres') throw userError('CONFIG_INVALID', `--role ${role} needs the store on PostgreSQL: SQLite is one process`);
  // On PostgreSQL several workers may run the same pollers: each poller polls only in the process
  // holding its lease (src/core/poller-lease.ts). SQLite is one process: no lease needed.
  const pollerLease = store.dialect === 'postgres' ? new PollerLease({ db: store.db, dialect: store.dialect }) : undefined;
  // On-premise agents (src/agent/): the hub listens for agents dialling out; a connection configured
  // "through agent group G" sends its calls over the tunnel to an agent of G.
  const agentHub = config.agentHub && role !== 'intake' ? await AgentHub.start({ db: store.db, caDir: path.join(path.resolve(config.dataDir), 'agent-ca'), ...config.agentHub, logger: logger.child({ component: 'agent-hub' }) }) : undefined;
  const routed = config.connections.filter((c) => c.agentGroup !== undefined);
  for (const c of routed) {
    if (role === 'intake') continue;
    if (!agentHub) throw userError('CONFIG_INVALID', `connection ${c.id} goes through agent group "${c.agentGroup}", but the configuration has no agentHub`);
    routeConnection(c.id, agentHub.transport(c.agentGroup!));
  }
  if (role !== 'intake') {
    engine.start();
    for (const p of pollers) engine.startPoller(p.poller, p.intervalMs, p.connection, pollerLease);
  }
  let url = '';
  if (opts.listen !== false && role !== 'worker') {
    await server.listen({ host: config.server.host, port: config.server.port });
    const address = server.server.address();
    url = `http://${config.server.host}:${typeof address === 'object' && address ? address.port : config.server.port}`;
  } else await server.ready();

  let stopped = false;
  return {
    config,
    store,
    engine,
    connections,
    tokens,
    clients,
    server,
    url,
    logger,
    agentHub,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await engine.stop();
      await pollerLease?.stop();
      for (const c of routed) routeConnection(c.id, undefined);
      await agentHub?.stop();
      await store.close();
    },
  };
}
