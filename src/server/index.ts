// The Syncline server: health, Prometheus metrics, the admin API (OpenAPI, token auth) and webhook
// intake. It returns the Fastify instance without listening; the CLI decides host and port.
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import cookie from '@fastify/cookie';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { ConnectionStore } from '../core/connections.js';
import type { ConnectionOps } from '../core/connection-health.js';
import type { Engine } from '../core/engine.js';
import { transientError, userError } from '../core/errors.js';
import type { ApiTokenStore } from '../core/tokens.js';
import { adminRoutes } from './admin.js';
import { consoleApiRoutes, consoleStatic } from './console/routes.js';
import { UserStore } from './console/users.js';
import { installAudit, sessionResolver } from './console/session-auth.js';
import { consoleFlowRoutes, type FlowOps } from './console/flows.js';
import { consoleAlertRoutes } from './console/alerts.js';
import { consoleMappingRoutes } from './console/mappings.js';
import { Reconciliations } from './console/reconcile.js';
import type { RateLimiter } from '../core/rate-limit.js';
import type { Reconciler } from '../reconcile/pairs.js';
import { intelligenceRoutes } from '../intelligence/routes.js';
import { bearerTokenResolver, installAuthorization, resolvePrincipal, type PrincipalResolver } from './auth.js';
import { serverMetrics } from './metrics.js';
import { makeErrorHandler, problemSchema, withStatus } from './problem.js';
import { webhookRoutes, type WebhookMapper } from './webhooks.js';

export { signWebhook, SIGNATURE_HEADER } from './signature.js';
export { defaultWebhookMapper, type WebhookMapper } from './webhooks.js';
export { requireRole, mayRevealPii, type Principal, type PrincipalResolver } from './auth.js';

export interface ServerOptions {
  engine: Engine<any>;
  connections: ConnectionStore;
  tokens: ApiTokenStore;
  /**
   * More ways to know who is calling, tried after the bearer API token (e.g. the console's session
   * cookie): each returns the principal, undefined when its credential is absent, or throws 401.
   */
  principalResolvers?: PrincipalResolver[];
  /** Flow documents, versions and state for the console's flow designer (main.ts wires src/flows in). */
  flowOps?: FlowOps;
  /** The configuration's lookupsDir (the merchant's own tables), for the mapping designer. */
  lookupsDir?: string;
  /** The token buckets the connections draw from (the dashboard shows their headroom). */
  rateLimiter?: RateLimiter;
  /** The pairs this deployment can reconcile from the API (src/reconcile/pairs.ts). */
  reconcilers?: Record<string, Reconciler>;
  /** The signing secret of a connection's webhooks; undefined: the connection takes none (404). */
  webhookSecrets: (connectionId: string) => string | undefined | Promise<string | undefined>;
  /** Largest request body accepted, webhooks and API alike (default 1 MiB); larger gets 413. */
  bodyLimitBytes?: number;
  /** How far a webhook's signed timestamp may be from now (default 300 s). */
  signatureToleranceSec?: number;
  logger?: Logger;
  /** Turns a webhook body into events; default: the body is an event or an array of them. */
  mapWebhook?: WebhookMapper;
  /** Connection tests, live reloads after an API edit, in-use checks and health (main.ts wires them). */
  connectionOps?: ConnectionOps;
  /** Where accepted and rejected mapping suggestions are kept (default: the CLI's .syncline/accepted-mappings.json). */
  acceptedStore?: string;
  /** How long /readyz waits for the database (default 2 s). */
  readyTimeoutMs?: number;
}

export function buildServer(options: ServerOptions): FastifyInstance {
  const bodyLimit = options.bodyLimitBytes ?? 1024 * 1024;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1) throw new TypeError(`bodyLimitBytes must be a positive integer, got ${options.bodyLimitBytes}`);
  const tolerance = options.signatureToleranceSec ?? 300;
  if (!(tolerance > 0)) throw new TypeError(`signatureToleranceSec must be positive, got ${options.signatureToleranceSec}`);
  const { engine } = options;

  // requestTimeout: a client that trickles a body (slowloris) must not hold a socket forever.
  const common = { bodyLimit, requestTimeout: 30_000 };
  const app = (options.logger ? Fastify({ ...common, loggerInstance: options.logger }) : Fastify({ ...common, logger: false })) as unknown as FastifyInstance;

  // Response schemas document the API; they must never silently drop a field from an answer.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler(makeErrorHandler(bodyLimit));
  app.setNotFoundHandler((req) => {
    throw withStatus(userError('API_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`), 404);
  });

  const metrics = serverMetrics(engine.metrics.registry);
  // Before any route: every /api route must declare its role, and every call to one is checked.
  // Console users sign in with a session cookie (src/server/console), after tokens and any given resolver.
  const users = new UserStore(engine.store.db);
  app.register(cookie);
  installAuthorization(app, resolvePrincipal([bearerTokenResolver(options.tokens), ...(options.principalResolvers ?? []), sessionResolver(users)]));
  installAudit(app, engine.store.db);

  app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Syncline admin API',
        version: '1',
        description: 'Runs, dead letters, connections, queue and flows of a Syncline engine, plus webhook intake. Errors are `{code, message, details}`; codes are listed in docs/errors.md.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token (`syncline token create NAME --role viewer|operator|admin`), stored hashed. Each operation names the least role it needs in `x-syncline-role`; too little right is 403 API_FORBIDDEN.' } } },
      security: [{ bearerAuth: [] }],
    },
  });

  app.get('/api/docs/json', { config: { role: 'public' }, schema: { hide: true } }, async () => app.swagger());

  // Inside a plugin so they are registered after swagger and appear in the OpenAPI document.
  app.register(async (scope) => {
    // Probes and scrapes arrive every few seconds: logging each would drown the log.
    const ops = { logLevel: 'warn' as const, schema: { tags: ['operations'], security: [] as never[] } };
    scope.get('/healthz', { logLevel: ops.logLevel, schema: { ...ops.schema, operationId: 'healthz', summary: 'The process is alive', response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } }, async () => ({ status: 'ok' }));

    scope.get<{ Querystring: { strict?: boolean } }>(
      '/readyz',
      {
        logLevel: ops.logLevel,
        schema: {
          ...ops.schema,
          operationId: 'readyz',
          summary: 'Ready: the database answers (503 otherwise). `status` is `degraded` while a connection is degraded or paused, with the reason; `?strict=true` answers 503 then too.',
          querystring: { type: 'object', properties: { strict: { type: 'boolean', default: false } } },
          response: {
            200: { type: 'object', properties: { status: { type: 'string', enum: ['ready', 'degraded'] }, connections: { type: 'array', items: { type: 'object', additionalProperties: true } } } },
            503: problemSchema,
          },
        },
      },
      async (req) => {
        const timeout = options.readyTimeoutMs ?? 2000;
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            sql`select 1`.execute(engine.store.db),
            new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout))),
          ]);
        } catch (e) {
          throw transientError('SERVER_NOT_READY', `the database does not answer: ${(e as Error).message}`, { cause: e });
        } finally {
          clearTimeout(timer);
        }
        // The process can take and store work while an ERP is down, so a degraded connection does not
        // make it unready (a load balancer would only stop webhooks); it says so, with the reason.
        const connections = options.connectionOps?.health.list() ?? [];
        const bad = connections.filter((c) => c.state === 'degraded' || c.state === 'paused');
        if (bad.length && req.query.strict) {
          throw transientError('SERVER_NOT_READY', `degraded: ${bad.map((c) => `${c.connection} ${c.state}${c.reason ? ` (${c.reason})` : ''}`).join('; ')}`, { details: { connections: bad } });
        }
        return { status: bad.length ? 'degraded' : 'ready', connections };
      },
    );

    scope.get('/metrics', { logLevel: ops.logLevel, schema: { ...ops.schema, operationId: 'metrics', summary: 'Prometheus metrics (text exposition format)', produces: ['text/plain'] } }, async (_req, reply) => {
      // Depth is read from the database on each scrape, so it is right even with many processes.
      engine.metrics.setQueueDepth(await engine.queue.counts());
      const registry = engine.metrics.registry;
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  });

  app.register(adminRoutes, { prefix: '/api', engine, connections: options.connections, tokens: options.tokens, ...(options.connectionOps ? { connectionOps: options.connectionOps } : {}) });
  app.register(consoleApiRoutes, { prefix: '/api', engine, connections: options.connections, tokens: options.tokens, users, reconciliations: new Reconciliations(options.reconcilers ?? {}, engine.store.db), ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}) });
  if (options.flowOps) app.register(consoleFlowRoutes, { prefix: '/api', engine, flows: options.flowOps });
  app.register(consoleAlertRoutes, { prefix: '/api', engine, connections: options.connections });
  const accepted = options.acceptedStore ? { acceptedStore: options.acceptedStore } : {};
  app.register(consoleMappingRoutes, { prefix: '/api', engine, ...(options.flowOps ? { flows: options.flowOps } : {}), ...(options.lookupsDir ? { lookupsDir: options.lookupsDir } : {}), ...accepted });
  app.register(intelligenceRoutes, { prefix: '/api', engine, ...accepted });
  app.register(consoleStatic);
  app.register(webhookRoutes, {
    engine,
    connections: options.connections,
    webhookSecrets: options.webhookSecrets,
    ...(options.mapWebhook ? { mapWebhook: options.mapWebhook } : {}),
    bodyLimitBytes: bodyLimit,
    signatureToleranceSec: tolerance,
    metrics,
  });
  return app;
}
