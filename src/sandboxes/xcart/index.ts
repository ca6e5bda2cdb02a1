// The X-Cart 5.5 sandbox (`syncline sandbox xcart`, port 4101): the API Platform REST API under
// /api with X-Auth-Token auth, the storefront simulation under /__sandbox/storefront, fault
// injection under /__sandbox/faults. Written from specs/xcart-sage300.md §1 and §3 alone.
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createSandboxApp, listen } from '../shared/server.js';
import type { RunningSandbox, SandboxOptions } from '../shared/types.js';
import type { FaultInjector } from '../shared/faults.js';
import { XcartStore } from './store.js';
import { Storefront, StorefrontError, type OrderSpec } from './storefront.js';
import { ApiError, negotiate, renderFault, sendError, type Format } from './http.js';
import { registerOrderRoutes, orderJson } from './routes/orders.js';
import { registerCatalogRoutes, productOutput } from './routes/catalog.js';
import { registerProfileRoutes } from './routes/profiles.js';
import { registerTaxonomyRoutes } from './routes/taxonomy.js';
import { registerLegacyRoutes } from './routes/legacy.js';
import { WebhookPusher, webhookConfigSchema, type WebhookConfig } from './webhooks.js';
import type { Order } from './model.js';
import { SandboxFeatures } from '../shared/features.js';
import { xcartFeaturesSchema, type XcartFeatures } from './features.js';

export { xcartFeaturesSchema, type XcartFeatures } from './features.js';

export interface XcartSandbox extends RunningSandbox {
  /** 5.5 API tokens, plus the legacy REST API keys (tracking numbers only). */
  credentials: { readToken: string; writeToken: string; legacyKey: string; legacyReadKey: string };
  store: XcartStore;
  /** EXTENSION: signed webhook pushes (core X-Cart has none). */
  webhooks: { configure(config: WebhookConfig | null): void; flush(): Promise<void>; stats: WebhookPusher['stats'] };
  storefront: XcartStorefrontHandle;
  faults: FaultInjector;
  /** Which store it plays (features.ts): e.g. `trackingModule: 'legacy-rest'`; `set` applies at once. */
  features: { readonly current: XcartFeatures; set(raw: unknown): XcartFeatures };
  /** Set `record` to log every request that reaches the API (tests check rate limits with it). */
  traffic: { record: boolean; log: Array<{ t: number; method: string; url: string }> };
}

/** What tests and the demo drive in-process (the same actions exist over HTTP). */
export interface XcartStorefrontHandle {
  placeOrder(spec?: OrderSpec): Order;
  placeOrders(n: number, spec?: OrderSpec): Order[];
  pay(orderId: number): Order;
  refund(orderId: number, amount?: string): Order;
  cancel(orderId: number): Order;
  ship(orderId: number, trackingNumber?: string): Order;
  setAdminNotes(orderId: number, notes: string): Order;
  /** Moves the store clock forward (dates are whole seconds, as in X-Cart). */
  advanceClock(seconds: number): number;
  now(): number;
  /** The order as the API would serialise it. */
  orderJson(orderId: number): unknown;
}

const ALLOWED_METHODS: Array<[RegExp, string[]]> = [
  [/^\/api\/orders\/?$/, ['GET']],
  [/^\/api\/orders\/\d+$/, ['GET']],
  [/^\/api\/orders\/by_number\/\w+$/, ['GET']],
  [/^\/api\/orders\/\d+\/(payment|shipping)_status$/, ['GET', 'PUT']],
  [/^\/api\/orders\/\d+\/(details|history|payment_transactions)$/, ['GET']],
  [/^\/api\/(products|profiles)\/?$/, ['GET', 'POST']],
  [/^\/api\/(products|profiles)\/\d+$/, ['GET', 'PUT', 'DELETE']],
  [/^\/api\/products\/\d+\/variants\/?$/, ['GET', 'POST']],
  [/^\/api\/products\/\d+\/variants\/\d+$/, ['GET', 'PUT', 'DELETE']],
  [/^\/api\/profiles\/\d+\/addresses\/?$/, ['GET', 'POST']],
  [/^\/api\/profiles\/\d+\/addresses\/\d+$/, ['GET', 'PUT', 'DELETE']],
];

const formatOf = (req: unknown): Format => ((req as { xcFormat?: Format }).xcFormat ?? 'json');

export async function start(options: SandboxOptions = {}): Promise<XcartSandbox> {
  const credentials = {
    readToken: options.credentials?.readToken ?? 'xc-read-' + randomBytes(8).toString('hex'),
    writeToken: options.credentials?.writeToken ?? 'xc-write-' + randomBytes(8).toString('hex'),
    legacyKey: options.credentials?.legacyKey ?? 'xc-legacy-' + randomBytes(8).toString('hex'),
    legacyReadKey: options.credentials?.legacyReadKey ?? 'xc-legacy-read-' + randomBytes(8).toString('hex'),
  };
  const store = new XcartStore(options.seed ?? 1, options.timeScale ?? 1);
  const storefront = new Storefront(store, options.seed ?? 1);
  const features = new SandboxFeatures(xcartFeaturesSchema, options.features);
  const { app, faults } = createSandboxApp({
    faults: options.faults,
    renderError: (status, reply) => renderFault(status, reply),
    // API Platform also routes every resource as `.{_format}` (/api/orders.json, /api/orders/5.jsonld):
    // the suffix picks the format over Accept.
    fastify: { rewriteUrl: (req) => formatSuffix(req) },
  });
  features.install(app);

  // Bodies are read as text so malformed JSON gets X-Cart's own 400, not Fastify's.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/ld+json', 'application/merge-patch+json'], { parseAs: 'string' }, (req, body, done) => {
    // The shared admin routes (/__sandbox/faults) expect a parsed body; X-Cart routes parse their own.
    if (!req.url.startsWith('/__sandbox') || body === '') return done(null, body);
    try {
      done(null, JSON.parse(String(body)));
    } catch {
      done(new ApiError(400, 'Syntax error'), undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
    if (req.url.startsWith('/__sandbox') || req.url.startsWith('/admin.php')) return done(null, body);
    done(new ApiError(415, `The content-type "${String(req.headers['content-type'])}" is not supported. Supported MIME types are "application/ld+json", "application/json".`), undefined);
  });

  const traffic: XcartSandbox['traffic'] = { record: false, log: [] };
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.url.startsWith('/api/')) return;
    // The server's Date follows the store clock (PHP stamps dates with the same host clock), also
    // when tests move that clock forward.
    reply.header('date', new Date(store.clock.now() * 1000).toUTCString());
    const format = negotiate(req);
    (req as unknown as { xcFormat: Format }).xcFormat = format ?? 'json';
    // Symfony firewall (security.yaml): token authenticator first; no header falls to the JWT entry point.
    const token = req.headers['x-auth-token'];
    if (token === undefined) {
      return reply.code(401).header('content-type', 'application/json').send('{"code":401,"message":"JWT Token not found"}');
    }
    const role = token === credentials.writeToken ? 'ROLE_ADMIN' : token === credentials.readToken ? 'ROLE_USER' : null;
    if (!role) return reply.code(401).header('content-type', 'application/json').send('{"message":"Invalid credentials."}');
    // access_control: GET for ROLE_USER and ROLE_ADMIN, everything else needs ROLE_ADMIN.
    if (req.method !== 'GET' && req.method !== 'HEAD' && role !== 'ROLE_ADMIN') return sendError(reply, format ?? 'json', 403, 'Access Denied.');
    if (!format) return sendError(reply, 'json', 406, `Requested format "${String(req.headers.accept)}" is not supported. Supported MIME types are "application/ld+json", "application/json".`);
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const format = formatOf(req);
    if (err instanceof ApiError) return sendError(reply, format, err.status, err.message, err.violations);
    if (err instanceof StorefrontError) return sendError(reply, format, err.status, err.message, err.violations);
    if (err.statusCode && err.statusCode < 500) return sendError(reply, format, err.statusCode, err.message);
    return sendError(reply, format, 500, 'Internal Server Error');
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    // A known resource asked with a method it lacks is Symfony's 405, not a 404 (orders are read-only).
    const allow = ALLOWED_METHODS.find(([re]) => re.test(path))?.[1];
    if (allow) return sendError(reply.header('allow', allow.join(', ')), formatOf(req), 405, `No route found for "${req.method} ${path}": Method Not Allowed (Allow: ${allow.join(', ')})`);
    return sendError(reply, formatOf(req), 404, `No route found for "${req.method} ${path}"`);
  });

  const webhooks = new WebhookPusher(faults, () => store.clock.now());
  storefront.onChange = (o, event) => webhooks.enabled && webhooks.push(event === 'created' ? 'order.created' : 'order.updated', JSON.parse(orderJson(store, o)));
  // `--credentials '{"webhookUrl": …, "webhookSecret": …}'` turns the push extension on at start.
  if (options.credentials?.webhookUrl && options.credentials.webhookSecret) {
    webhooks.configure({ url: options.credentials.webhookUrl, secret: options.credentials.webhookSecret });
  }

  registerOrderRoutes(app, store, storefront, formatOf);
  registerCatalogRoutes(app, store, formatOf, (p) => webhooks.enabled && webhooks.push('product.updated', productOutput(p)));
  registerProfileRoutes(app, store, formatOf);
  registerTaxonomyRoutes(app, store, formatOf);
  registerLegacyRoutes(app, store, storefront, credentials, () => features.current.trackingModule === 'legacy-rest');
  registerStorefrontRoutes(app, store, storefront);
  app.get('/__sandbox/webhooks', async () => ({ config: webhooks.current, stats: webhooks.stats }));
  app.put('/__sandbox/webhooks', async (req) => {
    const raw = req.body === undefined || req.body === '' || req.body === null ? null : req.body;
    if (raw === null) {
      webhooks.configure(null);
      return { config: null };
    }
    const parsed = webhookConfigSchema.safeParse(raw);
    if (!parsed.success) throw new ApiError(400, `invalid webhook config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    webhooks.configure(parsed.data);
    return { config: webhooks.current };
  });

  // On the raw server, so requests that fault injection answers (or swallows) are counted too.
  app.server.on('request', (req: import('node:http').IncomingMessage) => {
    if (traffic.record && !req.url?.startsWith('/__sandbox')) traffic.log.push({ t: performance.now(), method: req.method ?? '', url: req.url ?? '' });
  });
  const url = await listen(app, options.port ?? 0, options.host ?? '127.0.0.1');
  const handle: XcartStorefrontHandle = {
    placeOrder: (spec) => storefront.placeOrder(spec),
    placeOrders: (n, spec) => storefront.placeOrders(n, spec),
    pay: (id) => storefront.pay(id),
    refund: (id, amount) => storefront.refund(id, amount),
    cancel: (id) => storefront.cancel(id),
    ship: (id, tn) => storefront.ship(id, tn),
    setAdminNotes: (id, notes) => storefront.setAdminNotes(id, notes),
    advanceClock: (s) => store.clock.advance(s),
    now: () => store.clock.now(),
    orderJson: (id) => JSON.parse(orderJson(store, storefront.order(id))),
  };
  return {
    name: 'xcart',
    url,
    credentials,
    store,
    storefront: handle,
    faults,
    features,
    traffic,
    webhooks: { configure: (c) => webhooks.configure(c), flush: () => webhooks.flush(), stats: webhooks.stats },
    close: async () => {
      const closing = app.close();
      // Requests held open by an injected timeout would otherwise keep close() waiting forever.
      app.server.closeAllConnections();
      await closing;
    },
  };
}

const SUFFIX_FORMATS: Record<string, string> = { json: 'application/json', jsonld: 'application/ld+json' };

/** `/api/orders.json?x` → `/api/orders?x` with the format's media type as Accept. */
function formatSuffix(req: import('node:http').IncomingMessage): string {
  const url = req.url ?? '/';
  const m = /^(\/api\/[^?]*?)\.(json|jsonld)(\?.*)?$/.exec(url);
  if (!m) return url;
  req.headers.accept = SUFFIX_FORMATS[m[2]!]!;
  return `${m[1]}${m[3] ?? ''}`;
}

/** The storefront simulation over HTTP: /__sandbox/storefront/... (no auth; a test harness, not X-Cart). */
function registerStorefrontRoutes(app: import('fastify').FastifyInstance, store: XcartStore, storefront: Storefront): void {
  const body = (req: FastifyRequest): Record<string, unknown> => {
    const raw = req.body;
    if (raw === undefined || raw === null || raw === '') return {};
    try {
      const v = typeof raw === 'string' ? JSON.parse(raw) : raw;
      return v && typeof v === 'object' ? v : {};
    } catch {
      throw new ApiError(400, 'Syntax error');
    }
  };
  // The order's cached API JSON goes out as is: no parse and re-serialise per request.
  const out = (reply: FastifyReply, o: Order, status = 200) => reply.code(status).header('content-type', 'application/json; charset=utf-8').send(orderJson(store, o));
  app.post('/__sandbox/storefront/orders', async (req, reply) => out(reply, storefront.placeOrder(body(req) as OrderSpec), 201));
  app.post('/__sandbox/storefront/orders/bulk', async (req) => {
    const b = body(req);
    const n = Number(b.count ?? 1);
    if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new ApiError(400, 'count must be an integer in 1..100000');
    const orders = storefront.placeOrders(n, (b.spec ?? {}) as OrderSpec);
    return { count: orders.length, firstId: orders[0]!.id, lastId: orders[orders.length - 1]!.id };
  });
  const action = (name: string, fn: (id: number, b: Record<string, unknown>) => Order) => {
    app.post<{ Params: { id: string } }>(`/__sandbox/storefront/orders/:id/${name}`, async (req, reply) => out(reply, fn(Number(req.params.id), body(req))));
  };
  action('pay', (id) => storefront.pay(id));
  action('refund', (id, b) => storefront.refund(id, b.amount === undefined ? undefined : String(b.amount)));
  action('cancel', (id) => storefront.cancel(id));
  action('ship', (id, b) => storefront.ship(id, b.trackingNumber === undefined ? undefined : String(b.trackingNumber)));
  action('notes', (id, b) => storefront.setAdminNotes(id, String(b.notes ?? '')));
  app.post('/__sandbox/clock/advance', async (req) => {
    const s = Number(body(req).seconds);
    if (!(s >= 0)) throw new ApiError(400, 'seconds must be ≥ 0');
    return { now: store.clock.advance(s) };
  });
  app.get('/__sandbox/clock', async () => ({ now: store.clock.now() }));
}
