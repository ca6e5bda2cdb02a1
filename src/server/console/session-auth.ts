// The console's session cookie as one more way to know who calls /api (a PrincipalResolver for
// src/server/auth.ts, which checks each route's role), and the audit log of every write.
// Sessions are CSRF-safe: the cookie is HttpOnly + SameSite=Strict, and every write made with it
// must echo the session's CSRF token in X-CSRF-Token (synchronizer token) and, when the browser
// sends Origin, come from this server's own origin. Bearer requests carry no ambient credential.
import { fastifyCookie } from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../core/db/schema.js';
import { userError } from '../../core/errors.js';
import { redact } from '../../core/redact.js';
import type { PrincipalResolver } from '../auth.js';
import { unauthorized } from '../auth.js';
import { withStatus } from '../problem.js';
import { SESSION_COOKIE, type UserStore } from './users.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** What a write changes, as it was before (set by the route, for the audit log). */
    auditBefore?: unknown;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const csrfOf = new WeakMap<FastifyRequest, string>();

/** The CSRF token of the session a request came with (undefined for bearer tokens). */
export const sessionCsrf = (req: FastifyRequest): string | undefined => csrfOf.get(req);

/** The session cookie's value. Parsed here from the header: authorization runs before @fastify/cookie's own hook. */
export function sessionCookie(req: FastifyRequest): string | undefined {
  const parsed = (req as FastifyRequest & { cookies?: Record<string, string | undefined> }).cookies;
  if (parsed) return parsed[SESSION_COOKIE];
  const header = req.headers.cookie;
  return typeof header === 'string' ? fastifyCookie.parse(header)[SESSION_COOKIE] : undefined;
}

export function sessionResolver(users: UserStore): PrincipalResolver {
  return async (req) => {
    const cookie = sessionCookie(req);
    if (!cookie) return undefined;
    const p = await users.sessionPrincipal(cookie);
    if (!p) throw unauthorized('the console session has ended (signed out, expired, or the user was changed); sign in again with a new link');
    if (!SAFE.has(req.method)) {
      const origin = req.headers.origin;
      if (typeof origin === 'string' && origin !== 'null') {
        let host: string | undefined;
        try {
          host = new URL(origin).host;
        } catch {
          host = undefined;
        }
        if (host !== req.headers.host) throw withStatus(userError('CONSOLE_CSRF_REJECTED', `a write from origin ${origin.slice(0, 100)} is not accepted with a session cookie`), 403);
      }
      if (req.headers['x-csrf-token'] !== p.csrf) throw withStatus(userError('CONSOLE_CSRF_REJECTED', "a write with a session cookie must carry the session's X-CSRF-Token header"), 403);
    }
    csrfOf.set(req, p.csrf!);
    return { kind: 'session', id: String(p.id), name: p.name, role: p.role };
  };
}

/** Secrets never reach the audit log; personal data is redacted like everywhere else. */
export function auditSafe(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object') return v;
  const copy = JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
  if (copy && typeof copy === 'object' && !Array.isArray(copy)) {
    if (copy.secrets && typeof copy.secrets === 'object') copy.secrets = Object.fromEntries(Object.keys(copy.secrets as object).map((k) => [k, '••••']));
    for (const k of ['token', 'password', 'signinToken']) if (k in copy) copy[k] = '••••';
  }
  return redact(copy);
}

/**
 * Records every write to /api (who, when, what, before and after) once it is answered, whether it
 * succeeded or was refused: a refused write by a viewer is worth seeing too. Installed on the root.
 */
export function installAudit(app: FastifyInstance, db: Kysely<Database>): void {
  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    if (SAFE.has(req.method) || !req.principal) return;
    const route = req.routeOptions.url ?? req.url.split('?')[0]!;
    // Signing in and out, and dry-run validation, change nothing.
    if (!route.startsWith('/api/') || route === '/api/session' || route === '/api/session/signin' || route.endsWith('/validate')) return;
    try {
      await db
        .insertInto('audit_log')
        .values({
          at: Date.now(),
          actor: `${req.principal.kind === 'session' ? 'user' : 'token'}:${req.principal.name}`,
          action: `${req.method} ${route}`,
          target: JSON.stringify({ params: req.params ?? {}, query: req.query ?? {} }),
          before: req.auditBefore === undefined ? null : JSON.stringify(auditSafe(req.auditBefore)),
          after: req.body === undefined ? null : JSON.stringify(auditSafe(req.body)),
          status: reply.statusCode,
        })
        .execute();
    } catch (e) {
      req.log.error({ err: e, action: route }, 'audit log write failed');
    }
  });
}
