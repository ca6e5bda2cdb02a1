// Authorization for every /api route, in one place (decision 0006). Each route declares the least
// role it needs in its options (`config: { role: 'viewer' | 'operator' | 'admin' | 'public' }`); a
// route under /api/ that declares none is refused to everyone, so a new route cannot ship open by
// accident. One onRequest hook then answers 401 (no or bad credentials) or 403 (too little
// right) before the body is even read.
//
// Who is calling is decided by principal resolvers, tried in order: the bearer API token first, then
// whatever the server was given (the console's session cookie). A resolver returns undefined when its
// kind of credential is absent, and throws 401 when it is present but wrong: a bad token must not fall
// through to a weaker credential.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { userError } from '../core/errors.js';
import { isRole, roleAllows, ROLES, type Role } from '../core/roles.js';
import type { ApiTokenStore } from '../core/tokens.js';
import { withStatus } from './problem.js';

/** The role a route needs; `public` routes need no credential (the OpenAPI document). */
export type RouteRole = Role | 'public';

export interface Principal {
  /** What authenticated the caller. */
  kind: 'token' | 'session';
  /** Token id or user id, as text (for audit lines). */
  id: string;
  name: string;
  role: Role;
}

/** Decides who a request speaks for: undefined when its kind of credential is absent; throws 401 when present but invalid. */
export type PrincipalResolver = (req: FastifyRequest) => Promise<Principal | undefined>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Least role allowed to call the route (checked by installAuthorization). */
    role?: RouteRole;
  }
  interface FastifyRequest {
    /** Set once the request is authenticated (routes that declare a role). */
    principal?: Principal;
  }
}

export const API_PREFIX = '/api/';
/** Where the required role is shown in the OpenAPI document, per operation. */
export const ROLE_EXTENSION = 'x-syncline-role';

export const unauthorized = (message: string) => withStatus(userError('API_UNAUTHORIZED', message), 401);

/** `Authorization: Bearer syn_…` against the API token store. */
export function bearerTokenResolver(tokens: ApiTokenStore): PrincipalResolver {
  return async (req) => {
    const header = req.headers.authorization;
    if (header === undefined) return undefined;
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) throw unauthorized('send Authorization: Bearer <token> (create one with `syncline token create NAME --role ROLE`)');
    const found = await tokens.authenticate(m[1]);
    if (!found) throw unauthorized('the API token is unknown or revoked');
    return { kind: 'token', id: String(found.id), name: found.name, role: found.role };
  };
}

/** The first resolver that recognises a credential wins. */
export function resolvePrincipal(resolvers: PrincipalResolver[]): PrincipalResolver {
  return async (req) => {
    for (const r of resolvers) {
      const p = await r(req);
      if (p) return p;
    }
    return undefined;
  };
}

/**
 * A preHandler (or onRequest hook) that authenticates with `resolve` and demands `role`: for routes
 * outside /api/ that want the same rules (the console's own endpoints, if any).
 */
export function requireRole(role: Role, resolve: PrincipalResolver) {
  return async (req: FastifyRequest, _reply?: FastifyReply): Promise<void> => {
    const principal = req.principal ?? (await resolve(req));
    if (!principal) throw unauthorized('this needs a signed-in user or `Authorization: Bearer <token>` (create one with `syncline token create NAME --role ROLE`)');
    req.principal = principal;
    if (!roleAllows(principal.role, role)) {
      throw withStatus(
        userError('API_FORBIDDEN', `this needs the ${role} role; ${principal.kind} "${principal.name}" is ${principal.role}`, { details: { required: role, held: principal.role } }),
        403,
      );
    }
  };
}

/** True when the caller may see personal data unmasked: operator or admin, and asked for it. */
export function mayRevealPii(req: FastifyRequest, asked: boolean): boolean {
  return asked && req.principal !== undefined && roleAllows(req.principal.role, 'operator');
}

/**
 * Installs the rules on the root instance, before any route is registered: every route under /api/
 * must declare `config.role`, and every request to one is checked. A route that declares none is
 * refused to everyone (403, fail closed), logged when registered, and fails the route-by-route test
 * (src/server/auth.test.ts reads `x-syncline-role` from the OpenAPI document).
 */
export function installAuthorization(app: FastifyInstance, resolve: PrincipalResolver): void {
  const checks = new Map<Role, ReturnType<typeof requireRole>>(ROLES.map((r) => [r, requireRole(r, resolve)]));
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith(API_PREFIX)) return;
    const role = route.config?.role;
    if (role !== 'public' && !isRole(role)) {
      app.log.error({ method: route.method, url: route.url }, "an /api route declares no role and refuses everyone: add config: { role: 'viewer' | 'operator' | 'admin' | 'public' } (decision 0006)");
      return;
    }
    // Shown per operation in the OpenAPI document, so a client can tell what its token may call.
    if (route.schema) (route.schema as Record<string, unknown>)[ROLE_EXTENSION] = role;
  });
  app.addHook('onRequest', async (req) => {
    if (req.is404) return;
    const url = req.routeOptions.url ?? '';
    const role = req.routeOptions.config?.role;
    if (role === 'public') return;
    if (role === undefined || !isRole(role)) {
      // Routes outside /api/ (health, metrics, webhooks with their own signature) need no token.
      if (!url.startsWith(API_PREFIX)) return;
      throw withStatus(userError('API_FORBIDDEN', `route ${url} declares no role, so nobody may call it`), 403);
    }
    await checks.get(role)!(req);
  });
}
