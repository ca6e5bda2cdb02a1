// The one place that reads the environment and wires everything: store, secrets, connections,
// connector clients, flows, pollers, the engine and the server.
import { createRequire } from 'node:module';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { connectors } from './connectors/index.js';
import { secretLogPaths, systemSettings } from './connectors/settings.js';
import { ConnectionStore } from './core/connections.js';
import { openStore, storeOptionsFromUrl, type Store } from './core/db/database.js';
import { Engine, type BoundFlow } from './core/engine.js';
import { Metrics } from './core/metrics.js';
import { userError } from './core/errors.js';
import { MemoryRateLimiter, type RateLimiter } from './core/rate-limit.js';
import { PollerLease } from './core/poller-lease.js';
import { AgentHub } from './agent/hub.js';
import { routeConnection } from './http/transport.js';
import { PgRateLimiter } from './core/rate-limit-pg.js';
import { SecretBox } from './core/secrets.js';
import { sealedCodec } from './core/payload-codec.js';
import { ApiTokenStore } from './core/tokens.js';
import { ConnectionHealthRegistry } from './core/connection-health.js';
import { LiveConnections } from './live-connections.js';
import { setDefaultCircuitFailures } from './http/client.js';
import { currentTraceId, startTelemetry, type Telemetry } from './telemetry/index.js';
import { deployFlows, FlowVersionStore, parseFlowDocument, type Binding, type DeployedFlows } from './flows/index.js';
import { startSchedules } from './flows/schedule.js';
import { flowPalette } from './flows/palette.js';
import { reconcilersFor } from './reconcile/pairs.js';
import { buildServer } from './server/index.js';
import { acceptedMappingsFile, type SynclineConfig } from './config.js';

export interface Runtime {
  config: SynclineConfig;
  store: Store;
  engine: Engine;
  connections: ConnectionStore;
  tokens: ApiTokenStore;
  clients: Record<string, unknown>;
  /** Connection clients (rebuilt live after an API edit), tests, and the retest timer. */
  live: LiveConnections;
  /** Health of each connection: /readyz, metrics, alerts (`health.onAlert`), paused work. */
  health: ConnectionHealthRegistry;
  server: FastifyInstance;
  /** Base URL of the server once listening. */
  url: string;
  logger: Logger;
  /** The on-premise agents' hub, when `agentHub` is configured. */
  agentHub?: AgentHub;
  stop(): Promise<void>;
}


/**
 * Logs go to stderr, so stdout carries only a command's own output (one JSON document under --json).
 * Format: `--log-format` ($SYNCLINE_LOG_FORMAT) over the file's `log.format`; `auto` is coloured,
 * human-readable lines on a terminal and JSON lines when piped. Level: $SYNCLINE_LOG_LEVEL over `log.level`.
 */
export function createLogger(opts: { format?: 'auto' | 'pretty' | 'json'; level?: string } = {}): Logger {
  const envFormat = process.env.SYNCLINE_LOG_FORMAT;
  const format = envFormat === 'json' || envFormat === 'pretty' ? envFormat : (opts.format ?? 'auto');
  const pretty = format === 'pretty' || (format === 'auto' && process.stderr.isTTY === true);
  const options: pino.LoggerOptions = {
    level: process.env.SYNCLINE_LOG_LEVEL ?? opts.level ?? 'info',
    // Belt and braces: credentials never reach a log line even if someone logs a config object.
    redact: { paths: ['*.password', '*.token', '*.secret', '*.secrets', '*.authorization', '*.headers.authorization', 'config.password', 'config.token', ...secretLogPaths()], censor: '[redacted]' },
    // The trace of the run a line belongs to (when tracing is on): from a log line to the trace.
    mixin: () => {
      const traceId = currentTraceId();
      return traceId ? { traceId } : {};
    },
  };
  if (!pretty) return pino(options, pino.destination({ fd: 2, sync: false }));
  // Loaded only for a terminal: piped and JSON runs do not pay for it.
  const pinoPretty = createRequire(import.meta.url)('pino-pretty') as (o: Record<string, unknown>) => NodeJS.WritableStream;
  return pino(options, pinoPretty({ colorize: process.stderr.isTTY === true, destination: 2, sync: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' }));
}

/**
 * What this process does (`syncline start --role`): `intake` serves webhooks and the admin API and
 * runs no jobs; `worker` runs jobs and pollers and serves nothing; `all` (default) does both.
 * Many intake and worker processes may share one PostgreSQL store.
 */
export type Role = 'intake' | 'worker' | 'all';

export async function startSyncline(config: SynclineConfig, opts: { logger?: Logger; listen?: boolean; rateLimiter?: RateLimiter; role?: Role } = {}): Promise<Runtime> {
  const role = opts.role ?? 'all';
  const logger = opts.logger ?? createLogger({ format: config.log?.format, level: config.log?.level });
  const dataDir = path.resolve(config.dataDir);
  const storeUrl = config.database ?? `sqlite:${path.join(dataDir, 'syncline.db')}`;
  logger.info({ store: storeUrl.replace(/\/\/[^@/]*@/, '//…@'), from: config.source ? `${config.source} (database/dataDir)` : 'the configuration' }, 'store');
  const storeOptions = storeOptionsFromUrl(storeUrl);
  const store = await openStore(storeOptions.dialect === 'sqlite' ? { ...storeOptions, synchronous: config.sqliteSynchronous } : storeOptions);
  const telemetry: Telemetry | undefined = config.telemetry?.enabled ? await startTelemetry(config.telemetry) : undefined;
  const secretBox = SecretBox.load(dataDir, process.env, config.masterKeyFile);
  // Event and job payloads are whole orders with personal data: sealed at rest (decision 0006).
  store.payloadCodec = sealedCodec(secretBox);
  const connections = new ConnectionStore(store.db, secretBox);
  connections.systems = systemSettings;
  const tokens = new ApiTokenStore(store.db);
  // On PostgreSQL every worker process of the deployment draws from the same buckets.
  const rateLimiter = opts.rateLimiter ?? (store.dialect === 'postgres' ? new PgRateLimiter(store.db) : new MemoryRateLimiter());

  // Connections: the file seeds the store (all checked first, nothing written if one is invalid;
  // an entry unchanged in the file keeps API edits), then every client is built from the store and
  // tested. src/live-connections.ts, decision 0007.
  const metrics = new Metrics();
  if (config.health?.circuitFailures) setDefaultCircuitFailures(config.health.circuitFailures);
  const health = new ConnectionHealthRegistry({ logger, registry: metrics.registry, holdMs: Math.min(config.health?.retestMs ?? 30_000, 30_000) });
  const live = new LiveConnections({
    connections,
    db: store.db,
    health,
    rateLimiter,
    logger,
    retestMs: config.health?.retestMs,
    rateLimits: Object.fromEntries(config.connections.map((c) => [c.id, c.rateLimits ?? {}])),
    split(c) {
      // The store splits by the connector's schema (what it marks secret is sealed): decision 0006.
      return { config: c.config, secrets: c.webhookSecret ? { webhookSecret: c.webhookSecret } : {} };
    },
  });
  await live.seed(config.connections);
  const clients: Record<string, unknown> = {};
  for (const c of config.connections) {
    if (!connectors[c.system]) throw userError('CONFIG_INVALID', `connection ${c.id}: no connector for system "${c.system}" is wired yet`);
    await live.build(c.id);
    clients[c.id] = live.client(c.id);
  }

  // Flows are documents (decision 0005): stored as versions, compiled against their bound connections.
  // A binding reads its client from `live` on each call, so an API edit of a connection applies at once.
  const bindings: Record<string, Binding> = Object.fromEntries(
    config.connections.map((c) => [c.id, { id: c.id, system: c.system, get client() { return live.client(c.id); } }]),
  );
  const deployed: DeployedFlows = await deployFlows({ entries: config.flows, db: store.db, connections: bindings, ...(config.lookupsDir ? { lookupsDir: config.lookupsDir } : {}) });
  for (let i = 0; i < deployed.flows.length; i++) health.setFlowConnections(deployed.flows[i]!.id, Object.values(config.flows[i]!.connections));
  const flowVersions = new FlowVersionStore(store.db);
  let stopSchedules = (): void => {};

  const engine = new Engine({
    store,
    flows: deployed.flows,
    logger,
    redaction: { enabled: config.redactPii },
    metrics,
    // Jobs of a flow whose connection is paused (credentials refused) wait instead of dead-lettering.
    worker: { concurrency: config.worker.concurrency, leaseMs: config.worker.leaseMs, pollMs: config.worker.pollMs, pause: health },
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
    flowOps: { versions: flowVersions, parse: parseFlowDocument, recompile: (doc) => deployed.recompile(doc), palette: flowPalette },
    ...(config.lookupsDir ? { lookupsDir: config.lookupsDir } : {}),
    // Beside the store, not in the working directory: `mapping suggest --config` reads the same file.
    acceptedStore: acceptedMappingsFile(dataDir),
    rateLimiter,
    reconcilers: reconcilersFor(config.connections, (id) => live.client(id)),
    connectionOps: {
      health,
      test: (id) => live.test(id),
      changed: (id) => live.reload(id),
      usedBy: (id) => health.flowsUsing(id),
    },
  });
  health.queueSource = () => engine.flows.map((f) => f.id);
  // A test at start: logged, never fatal (a system that is down degrades; refused credentials pause).
  if (config.health?.testAtStart !== false) await live.testAll();
  live.startRetest();
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
  // Disabled flows first (every role: an intake process enqueues their jobs paused), then the paused
  // jobs of flows enabled meanwhile are released.
  for (const id of deployed.disabled) await engine.setEnabled(id, false);
  await engine.releaseEnabled();
  if (role !== 'intake') {
    engine.start();
    for (const p of deployed.pollers) engine.startPoller(p.poller, p.intervalMs, p.connection, pollerLease);
    stopSchedules = startSchedules(engine, deployed.schedules, logger);
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
    live,
    health,
    server,
    url,
    logger,
    agentHub,
    async stop() {
      if (stopped) return;
      stopped = true;
      live.stop();
      stopSchedules();
      await server.close();
      await engine.stop();
      await pollerLease?.stop();
      for (const c of routed) routeConnection(c.id, undefined);
      await agentHub?.stop();
      await store.close();
      health.close();
      await telemetry?.shutdown();
    },
  };
}
