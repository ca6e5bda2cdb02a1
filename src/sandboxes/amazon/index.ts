// The Amazon SP-API sandbox (`syncline sandbox amazon`, port 4103): LWA, Orders v0 with RDT-gated
// PII, Feeds, Reports (with V2 settlements), FBA Inventory, MCF, Finances, Listings Items,
// Notifications to an SQS-like queue, per-(seller, operation) token buckets and a scaled clock.
// Written from the public models in shared/specs/amazon-models; never imports src/connectors.
import type { FastifyInstance } from 'fastify';
import type { RunningSandbox, SandboxOptions } from '../shared/types.js';
import { createSandboxApp, listen } from '../shared/server.js';
import { AmazonSandbox, type AmazonCredentials } from './context.js';
import { errorBody, throttledBody } from './http.js';
import { registerAuth } from './routes/auth.js';
import { registerOrders } from './routes/orders.js';
import { registerAdmin } from './routes/admin.js';
import { registerDocuments } from './routes/documents.js';
import { registerFeeds } from './routes/feeds.js';
import { registerReports } from './routes/reports.js';
import { registerInventory } from './routes/inventory.js';
import { registerFulfillment } from './routes/fulfillment.js';
import { registerFinances } from './routes/finances.js';
import { registerListings } from './routes/listings.js';
import { registerNotifications } from './routes/notifications.js';
import { registerSqs } from './routes/sqs.js';

export { AmazonSandbox } from './context.js';

export interface AmazonSandboxOptions extends SandboxOptions {
  /** Orders already on the account at start (default 60, over the last 9 days). */
  historicalOrders?: number;
  /** Token buckets on (default) or off (benchmarks of raw throughput). */
  rateLimits?: boolean;
  /** Buyers order by themselves at this many orders per sandbox hour (demo); default none. */
  ordersPerHour?: number;
}

export interface RunningAmazonSandbox extends RunningSandbox {
  sandbox: AmazonSandbox;
  app: FastifyInstance;
}

export async function start(options: AmazonSandboxOptions = {}): Promise<RunningAmazonSandbox> {
  const creds = options.credentials as Partial<Record<keyof AmazonCredentials, string>> | undefined;
  const sb = new AmazonSandbox({
    seed: options.seed,
    timeScale: options.timeScale,
    historicalOrders: options.historicalOrders,
    credentials: creds ? { ...creds, ...(creds.tokenTtlS ? { tokenTtlS: Number(creds.tokenTtlS) } : {}) } as Partial<AmazonCredentials> : undefined,
  });
  if (options.rateLimits === false) sb.buckets.enabled = false;
  if (options.ordersPerHour) sb.market.simulate({ ordersPerHour: options.ordersPerHour });
  const { app, faults } = createSandboxApp({
    faults: options.faults,
    // Event-group ids, document ids and SKUs in paths are longer than Fastify's default 100.
    fastify: { routerOptions: { maxParamLength: 1_000 } },
    renderError: (status, reply) =>
      status === 429
        ? (reply.header('x-amzn-ErrorType', 'TooManyRequestsException'), throttledBody())
        : status === 503
          ? errorBody('ServiceUnavailable', 'Service temporarily unavailable. Please try again.')
          : errorBody('InternalFailure', 'We encountered an internal error. Please try again.'),
  });
  sb.faults = faults;
  sb.features.set(options.features ?? {});
  sb.features.install(app);
  // LWA takes a form (JS SDK) or JSON (Java client).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  registerAuth(app, sb);
  registerOrders(app, sb);
  registerDocuments(app, sb);
  registerFeeds(app, sb);
  registerReports(app, sb);
  registerInventory(app, sb);
  registerFulfillment(app, sb);
  registerFinances(app, sb);
  registerListings(app, sb);
  registerNotifications(app, sb);
  registerSqs(app, sb);
  registerAdmin(app, sb);
  const timer = setInterval(() => sb.market.tick(), 100);
  timer.unref();
  sb.baseUrl = await listen(app, options.port ?? 0, options.host ?? '127.0.0.1');
  return {
    name: 'amazon',
    url: sb.baseUrl,
    credentials: {
      clientId: sb.creds.clientId,
      clientSecret: sb.creds.clientSecret,
      refreshToken: sb.creds.refreshToken,
      sellerId: sb.creds.sellerId,
      marketplaceId: sb.creds.marketplaceId,
      lwaUrl: `${sb.baseUrl}/auth/o2/token`,
      sqsQueueUrl: `${sb.baseUrl}/sqs/000000000000/syncline-notifications`,
    },
    sandbox: sb,
    app,
    close: async () => {
      clearInterval(timer);
      await app.close();
    },
  };
}
