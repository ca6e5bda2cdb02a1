// The console's own part of the admin API: sign-in and sessions, users, the audit log, the
// dashboard (one snapshot, and live over Server-Sent Events) and dead letters grouped by class.
// Everything here is documented in the OpenAPI document like the rest of /api; the console uses
// nothing else. The built console (console/dist) is served at `/`.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { sql } from 'kysely';
import type { ConnectionStore } from '../../core/connections.js';
import type { Engine } from '../../core/engine.js';
import { userError } from '../../core/errors.js';
import { ROLES, type Role } from '../../core/roles.js';
import type { ApiTokenStore } from '../../core/tokens.js';
import { circuitState } from '../../http/client.js';
import { problemSchema, withStatus } from '../problem.js';
import { sessionCookie, sessionCsrf } from './session-auth.js';
import { duplicateRoutes } from './duplicates.js';
import { reconcileRoutes, type Reconciliations } from './reconcile.js';
import type { RateLimiter } from '../../core/rate-limit.js';
import { SESSION_COOKIE, type UserStore } from './users.js';

export interface ConsoleOptions {
  engine: Engine<any>;
  connections: ConnectionStore;
  tokens: ApiTokenStore;
  users: UserStore;
  /** How often the live dashboard stream sends a snapshot (default 2 s). */
  streamEveryMs?: number;
  /** The token buckets calls draw from: the dashboard shows each connection's headroom. */
  rateLimiter?: RateLimiter;
  /** Each pair's last reconciliation (src/server/console/reconcile.ts). */
  reconciliations?: Reconciliations;
}

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema } as const;
const idParam = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } as const;
const userView = { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, role: { type: 'string', enum: [...ROLES] }, createdAt: { type: 'integer' }, disabled: { type: 'boolean' } } } as const;
const sessionView = {
  type: 'object',
  properties: {
    user: { type: 'object', properties: { kind: { type: 'string', enum: ['session', 'token'] }, id: { type: 'integer' }, name: { type: 'string' }, role: { type: 'string', enum: [...ROLES] } } },
    csrf: { type: ['string', 'null'], description: 'echo in X-CSRF-Token on every write made with the session cookie' },
  },
} as const;

/** The session cookie: HttpOnly (no script reads it), SameSite=Strict (no cross-site request carries it). */
function cookieOptions(req: FastifyRequest) {
  return { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: req.protocol === 'https', maxAge: 12 * 3600 };
}

export async function consoleApiRoutes(app: FastifyInstance, opts: ConsoleOptions): Promise<void> {
  const { engine, users } = opts;
  const db = engine.store.db;

  // Sign-in needs no credential: the one-time token in the body is the credential. It travels in a
  // body (never a query string), so it reaches no access log.
  app.post<{ Body: { token: string } }>(
    '/session/signin',
    {
      config: { role: 'public' },
      schema: {
        tags: ['console'], operationId: 'signIn', summary: 'Exchange a one-time sign-in token for a session cookie', security: [],
        body: { type: 'object', additionalProperties: false, required: ['token'], properties: { token: { type: 'string', maxLength: 200 } } },
        response: { 200: sessionView, ...errors },
      },
    },
    async (req, reply) => {
      const got = await users.exchange(req.body.token);
      if (!got) throw withStatus(userError('CONSOLE_SIGNIN_INVALID', 'this sign-in link is unknown, used already or expired; ask an admin for a new one (or restart `syncline demo`)'), 401);
      reply.setCookie(SESSION_COOKIE, got.session, cookieOptions(req));
      const { csrf, ...user } = got.principal;
      return { user: { ...user, kind: 'session' }, csrf };
    },
  );

  app.register(async (scope) => {

    scope.get('/session', { config: { role: 'viewer' }, schema: { tags: ['console'], operationId: 'getSession', summary: 'Who is signed in, with which role', response: { 200: sessionView, ...errors } } }, async (req) => {
      const p = req.principal!;
      return { user: { kind: p.kind, id: Number(p.id), name: p.name, role: p.role }, csrf: sessionCsrf(req) ?? null };
    });

    scope.delete('/session', { config: { role: 'viewer' }, schema: { tags: ['console'], operationId: 'signOut', summary: 'End the session', response: { 204: { type: 'null' }, ...errors } } }, async (req, reply) => {
      await users.endSession(sessionCookie(req));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    });

    // ---- users (admins)
    scope.get('/users', { config: { role: 'admin' }, schema: { tags: ['users'], operationId: 'listUsers', summary: 'Console users', response: { 200: { type: 'object', properties: { users: { type: 'array', items: userView } } }, ...errors } } }, async (req) => {
      return { users: await users.list() };
    });

    const linkView = { type: 'object', properties: { user: userView, signinToken: { type: 'string', description: 'one-time; open /#signin=<token> to sign in (valid 24 h)' } } } as const;
    scope.post<{ Body: { name: string; role?: Role } }>(
      '/users',
      {
        config: { role: 'admin' },
        schema: {
          tags: ['users'], operationId: 'createUser', summary: 'Create a console user and a one-time sign-in link for them',
          body: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', maxLength: 64 }, role: { type: 'string', enum: [...ROLES] } } },
          response: { 201: linkView, ...errors },
        },
      },
      async (req, reply) => {
        const user = await users.create(req.body.name, req.body.role ?? 'viewer');
        return reply.code(201).send({ user, signinToken: await users.createSigninLink(user.id) });
      },
    );

    scope.post<{ Params: { id: number } }>(
      '/users/:id/signin-link',
      { config: { role: 'admin' }, schema: { tags: ['users'], operationId: 'createSigninLink', summary: 'A new one-time sign-in link for a user', params: idParam, response: { 201: linkView, ...errors } } },
      async (req, reply) => {
        const user = await users.get(req.params.id);
        if (!user) throw withStatus(userError('API_NOT_FOUND', `user ${req.params.id} does not exist`), 404);
        return reply.code(201).send({ user, signinToken: await users.createSigninLink(user.id) });
      },
    );

    scope.patch<{ Params: { id: number }; Body: { role?: Role; disabled?: boolean } }>(
      '/users/:id',
      {
        config: { role: 'admin' },
        schema: {
          tags: ['users'], operationId: 'updateUser', summary: "Change a user's role or disable them (their sessions end at once)",
          params: idParam,
          body: { type: 'object', additionalProperties: false, properties: { role: { type: 'string', enum: [...ROLES] }, disabled: { type: 'boolean' } } },
          response: { 200: userView, ...errors },
        },
      },
      async (req) => {
        req.auditBefore = await users.get(req.params.id);
        if (!req.auditBefore) throw withStatus(userError('API_NOT_FOUND', `user ${req.params.id} does not exist`), 404);
        return users.update(req.params.id, req.body);
      },
    );

    // ---- audit log (admins)
    scope.get<{ Querystring: { limit: number; offset: number } }>(
      '/audit',
      {
        config: { role: 'admin' },
        schema: {
          tags: ['users'], operationId: 'listAudit', summary: 'Every change: who, when, what, before and after (newest first)',
          querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }, offset: { type: 'integer', minimum: 0, default: 0 } } },
          response: {
            200: {
              type: 'object',
              properties: {
                entries: {
                  type: 'array',
                  items: { type: 'object', properties: { id: { type: 'integer' }, at: { type: 'integer' }, actor: { type: 'string' }, action: { type: 'string' }, target: {}, before: {}, after: {}, status: { type: 'integer' } } },
                },
              },
            },
            ...errors,
          },
        },
      },
      async (req) => {
        const rows = await db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(req.query.limit).offset(req.query.offset).execute();
        return {
          entries: rows.map((r) => ({ id: Number(r.id), at: Number(r.at), actor: r.actor, action: r.action, target: JSON.parse(r.target), before: r.before === null ? null : JSON.parse(r.before), after: r.after === null ? null : JSON.parse(r.after), status: r.status })),
        };
      },
    );

    // ---- dashboard
    scope.get('/dashboard', { config: { role: 'viewer' }, schema: { tags: ['console'], operationId: 'getDashboard', summary: 'Connection health, queue depth, dead letters by class and per-flow throughput, latency and errors (last hour by minute, last day by hour)', response: { 200: { type: 'object', additionalProperties: true }, ...errors } } }, async () => dashboard(opts));

    const streams = new Set<FastifyReply>();
    scope.addHook('preClose', async () => {
      for (const r of streams) r.raw.end();
    });
    scope.get(
      '/stream',
      { logLevel: 'warn', config: { role: 'viewer' }, schema: { tags: ['console'], operationId: 'streamDashboard', summary: 'The dashboard, live: Server-Sent Events, one `dashboard` event (the getDashboard body) every 2 s', produces: ['text/event-stream'] } },
      async (req, reply) => {
        reply.hijack();
        reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
        streams.add(reply);
        let busy = false;
        const send = async () => {
          if (busy) return;
          busy = true;
          try {
            reply.raw.write(`event: dashboard\ndata: ${JSON.stringify(await dashboard(opts))}\n\n`);
          } catch (e) {
            req.log.warn({ err: e }, 'dashboard stream snapshot failed');
          } finally {
            busy = false;
          }
        };
        const timer = setInterval(send, opts.streamEveryMs ?? 2000);
        reply.raw.on('close', () => {
          clearInterval(timer);
          streams.delete(reply);
        });
        await send();
      },
    );

    // ---- dead letters resolved as duplicates by business key; reconciliation of each pair
    scope.register(duplicateRoutes, { engine });
    if (opts.reconciliations) scope.register(reconcileRoutes, { reconciliations: opts.reconciliations });

    // ---- dead letters grouped by class
    scope.get<{ Querystring: { flow?: string } }>(
      '/dead-letters/groups',
      {
        config: { role: 'viewer' },
        schema: {
          tags: ['dead letters'], operationId: 'groupDeadLetters', summary: 'Dead letters grouped by flow, error kind and code, with counts and the ids of each group',
          querystring: { type: 'object', additionalProperties: false, properties: { flow: { type: 'string' } } },
          response: {
            200: {
              type: 'object',
              properties: {
                groups: {
                  type: 'array',
                  items: { type: 'object', properties: { flow: { type: 'string' }, kind: { type: 'string' }, code: { type: 'string' }, count: { type: 'integer' }, example: { type: 'string' }, ids: { type: 'array', items: { type: 'integer' } }, oldest: { type: 'integer' }, newest: { type: 'integer' } } },
                },
              },
            },
            ...errors,
          },
        },
      },
      async (req) => ({ groups: await deadLetterGroups(opts, req.query.flow) }),
    );
  });
}

interface Group { flow: string; kind: string; code: string; count: number; example: string; ids: number[]; oldest: number; newest: number }

async function deadLetterGroups(opts: ConsoleOptions, flow?: string): Promise<Group[]> {
  let q = opts.engine.store.db.selectFrom('jobs').select(['id', 'queue', 'last_error', 'updated_at']).where('state', '=', 'dead');
  if (flow) q = q.where('queue', '=', flow);
  const rows = await q.orderBy('id').limit(20_000).execute();
  const groups = new Map<string, Group>();
  for (const r of rows) {
    const err = r.last_error ? (JSON.parse(r.last_error) as { code?: string; kind?: string; message?: string }) : {};
    const code = err.code ?? 'UNKNOWN';
    const kind = err.kind ?? 'bug';
    const key = `${r.queue}|${kind}|${code}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { flow: r.queue, kind, code, count: 0, example: err.message ?? '', ids: [], oldest: Number(r.updated_at), newest: Number(r.updated_at) }));
    g.count++;
    g.ids.push(Number(r.id));
    g.oldest = Math.min(g.oldest, Number(r.updated_at));
    g.newest = Math.max(g.newest, Number(r.updated_at));
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

type Series = Array<{ t: number; ok: number; failed: number; p50Ms: number | null; maxMs: number | null }>;

/** Runs per flow in time buckets: throughput, failures and latency (event received → run finished). */
async function flowSeries(opts: ConsoleOptions, since: number, bucketMs: number): Promise<Record<string, Series>> {
  const db = opts.engine.store.db;
  const rows = await sql<{ flow: string; b: number; status: string; n: number; avg_ms: number | null; max_ms: number | null }>`
    select r.flow as flow, (r.finished_at / ${bucketMs}) as b, r.status as status, count(*) as n,
           avg(r.finished_at - e.received_at) as avg_ms, max(r.finished_at - e.received_at) as max_ms
    from runs r left join events e on e.id = r.event_id
    where r.finished_at >= ${since}
    group by r.flow, (r.finished_at / ${bucketMs}), r.status`.execute(db);
  const out: Record<string, Map<number, Series[number]>> = {};
  for (const r of rows.rows) {
    const t = Math.floor(Number(r.b)) * bucketMs;
    const m = (out[r.flow] ??= new Map());
    let p = m.get(t);
    if (!p) m.set(t, (p = { t, ok: 0, failed: 0, p50Ms: null, maxMs: null }));
    const n = Number(r.n);
    if (r.status === 'succeeded' || r.status === 'skipped') {
      p.ok += n;
      // avg of the succeeded runs stands in for a median: the store has no percentile function on SQLite.
      if (r.avg_ms !== null) p.p50Ms = Math.round(Number(r.avg_ms));
      if (r.max_ms !== null) p.maxMs = Number(r.max_ms);
    } else p.failed += n;
  }
  const result: Record<string, Series> = {};
  const first = Math.floor(since / bucketMs) * bucketMs;
  for (const f of opts.engine.flows) out[f.id] ??= new Map();
  for (const [flow, m] of Object.entries(out)) {
    const series: Series = [];
    for (let t = first; t <= Date.now(); t += bucketMs) series.push(m.get(t) ?? { t, ok: 0, failed: 0, p50Ms: null, maxMs: null });
    result[flow] = series;
  }
  return result;
}

export async function dashboard(opts: ConsoleOptions) {
  const { engine, connections } = opts;
  const db = engine.store.db;
  const now = Date.now();
  const counts = await engine.queue.counts();
  const queue = { queued: 0, running: 0, dead: 0, paused: 0 } as Record<string, number>;
  for (const c of counts) queue[c.state] = (queue[c.state] ?? 0) + c.count;
  const groups = await deadLetterGroups(opts);
  const byClass = new Map<string, number>();
  for (const g of groups) byClass.set(`${g.kind}:${g.code}`, (byClass.get(`${g.kind}:${g.code}`) ?? 0) + g.count);

  // Health of a connection: its circuit, and transient failures of runs of flows bound to it in the last 5 minutes.
  const recent = await db.selectFrom('runs').select(['flow', 'status', 'error', 'finished_at']).where('finished_at', '>=', now - 5 * 60_000).where('status', 'in', ['retrying', 'dead']).orderBy('id', 'desc').limit(200).execute();
  const conns = await connections.list();
  const buckets = (await opts.rateLimiter?.headroom?.()) ?? [];
  const health = conns.map((c) => {
    const circuit = circuitState(c.id);
    const flows = engine.flows.filter((f) => f.connection === c.id || f.source.system === c.system || f.target.system === c.system).map((f) => f.id);
    const failures = recent.filter((r) => flows.includes(r.flow) && r.error && (JSON.parse(r.error) as { kind?: string; code?: string }).code?.startsWith(c.system.toUpperCase()));
    const lastError = failures[0]?.error ? (JSON.parse(failures[0].error) as { code: string; message: string }) : null;
    const status = circuit === 'open' || circuit === 'isolated' ? 'circuit open' : circuit === 'half-open' || failures.length ? 'degraded' : 'up';
    // Rate-limit headroom: the fullest and the emptiest of the connection's buckets (one per operation).
    const own = buckets.filter((b) => b.key.startsWith(`${c.id}:`)).map((b) => ({ operation: b.key.slice(c.id.length + 1), tokens: Math.round(b.tokens * 10) / 10, burst: b.burst, ratePerSec: b.ratePerSec, headroomPct: Math.max(0, Math.round((b.tokens / b.burst) * 100)) }));
    const rateLimit = own.length ? { minHeadroomPct: Math.min(...own.map((b) => b.headroomPct)), buckets: own.sort((a, b) => a.headroomPct - b.headroomPct) } : null;
    return { id: c.id, system: c.system, status, circuit, failuresLast5m: failures.length, lastError: lastError ? { code: lastError.code, message: lastError.message, at: Number(failures[0]!.finished_at) } : null, rateLimit };
  });

  return {
    at: now,
    connections: health,
    queue: { totals: queue, byFlow: counts.map((c) => ({ flow: c.queue, state: c.state, count: c.count })) },
    deadLettersByClass: [...byClass.entries()].map(([k, n]) => ({ kind: k.split(':')[0], code: k.split(':').slice(1).join(':'), count: n })),
    flows: engine.flows.map((f) => ({ id: f.id, description: f.description })),
    lastHour: await flowSeries(opts, now - 3600_000, 60_000),
    lastDay: await flowSeries(opts, now - 24 * 3600_000, 3600_000),
    reconciliation: ((await opts.reconciliations?.list()) ?? []).map(({ differences: _d, ...r }) => r),
  };
}

/** Where the built console lives: console/dist at the package root. */
function consoleDist(): string | undefined {
  let dir = import.meta.dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'console', 'dist');
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

/** Serves the built console at `/`; every non-API path answers index.html so deep links work. */
export async function consoleStatic(app: FastifyInstance): Promise<void> {
  const root = consoleDist();
  if (!root) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/plain').send('The console is not built: run `npm run build:console`.\n'));
    return;
  }
  const index = readFileSync(path.join(root, 'index.html'), 'utf8');
  await app.register(fastifyStatic, { root, prefix: '/', wildcard: false, index: false, maxAge: '1h', immutable: false });
  const page = async (_req: FastifyRequest, reply: FastifyReply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').header('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'").send(index);
  app.get('/', { schema: { hide: true } }, page);
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    const p = req.url.split('?')[0]!;
    if (p.startsWith('/api/') || p.startsWith('/webhooks/') || p.startsWith('/assets/')) throw withStatus(userError('API_NOT_FOUND', `no route ${req.method} ${p}`), 404);
    return page(req, reply);
  });
}
