// What every SP-API route shares: the x-amz-access-token check with Amazon's 403 bodies, the token
// bucket per (seller, operation) with 429 QuotaExceeded, x-amzn-RequestId on every answer and
// x-amzn-RateLimit-Limit on 200/400/404 (as the models document; not on the operations sellers see
// it missing on, features.ts), and `{"errors":[…]}` bodies.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AmazonSandbox, AccessToken, RestrictedResource } from './context.js';
import { sendsRateHeader } from './features.js';

export class SpApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: string,
    /** v0 APIs answer errors inside their response envelope; the `errors` array is the same. */
  ) {
    super(message);
  }
}

export const invalidInput = (message: string, details?: string) => new SpApiError(400, 'InvalidInput', message, details);
export const notFound = (message: string) => new SpApiError(404, 'NotFound', message);

/** A real 429: x-amzn-ErrorType TooManyRequestsException and an error without `details`. */
export function throttledBody() {
  return errorBody('QuotaExceeded', 'You exceeded your quota for the requested resource.');
}

export function errorBody(code: string, message: string, details?: string) {
  return { errors: [{ code, message, ...(details !== undefined ? { details } : {}) }] };
}

export interface SpCall {
  req: FastifyRequest;
  reply: FastifyReply;
  token: AccessToken;
  query: Record<string, string | undefined>;
  params: Record<string, string>;
  /** Raw (still percent-encoded) query values, to check what the client really sent. */
  rawQuery: Map<string, string>;
}

/** One request/answer pair, for tests that check the sandbox (and its clients) against Amazon's models. */
export interface Exchange {
  operation: string;
  method: string;
  route: string;
  path: string;
  query: Record<string, unknown>;
  requestBody: unknown;
  status: number;
  headers: Record<string, unknown>;
  body: unknown;
}

export type SpHandler = (call: SpCall) => unknown | Promise<unknown>;

export interface RouteOptions {
  /** Notifications destination operations take a client_credentials (grantless) token. */
  grantless?: boolean;
}

function rawQueryOf(url: string): Map<string, string> {
  const q = url.indexOf('?');
  const m = new Map<string, string>();
  if (q < 0) return m;
  for (const part of url.slice(q + 1).split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) m.set(part, '');
    else m.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return m;
}

export function spRoute(app: FastifyInstance, sb: AmazonSandbox, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, operation: string, handler: SpHandler, opts: RouteOptions = {}): void {
  app.route({
    method,
    url: path,
    handler: async (req, reply) => {
      reply.header('x-amzn-RequestId', randomUUID());
      const record = (body: unknown) => {
        sb.recorder?.({ operation, method, route: path, path: req.url.split('?')[0]!, query: req.query as Record<string, unknown>, requestBody: req.body, status: reply.statusCode, headers: reply.getHeaders(), body });
        return reply.send(body);
      };
      const plan = sb.buckets.plan(operation);
      const rateHeader = () => {
        // The rate in real requests per second: with --time-scale the sandbox grants `scale` times
        // the published rate, and a client that paces by this header stays exactly within it.
        if (plan && sendsRateHeader(sb.features.current, operation)) reply.header('x-amzn-RateLimit-Limit', String(+(plan.rate * sb.clock.scale).toPrecision(6)));
      };
      const raw = req.headers['x-amz-access-token'];
      const tokenValue = Array.isArray(raw) ? raw[0] : raw;
      if (!tokenValue) {
        reply.code(403);
        return record(errorBody('Unauthorized', 'Access to requested resource is denied.', 'Access token is missing in the request header.'));
      }
      const token = sb.tokens.get(tokenValue);
      if (!token || (opts.grantless ? token.kind !== 'grantless' : token.kind === 'grantless')) {
        reply.code(403);
        return record(errorBody('Unauthorized', 'Access to requested resource is denied.', 'The access token you provided is revoked, malformed or invalid.'));
      }
      if (token.expiresAt <= sb.clock.now()) {
        reply.code(403);
        return record(errorBody('Unauthorized', 'Access to requested resource is denied.', 'The access token you provided has expired.'));
      }
      // An RDT opens only the resources it was issued for.
      if (token.kind === 'rdt' && !rdtAllows(token.resources, method, req.url.split('?')[0]!)) {
        reply.code(403);
        return record(errorBody('Unauthorized', 'Access to requested resource is denied.', 'The access token you provided is not valid for this resource.'));
      }
      if (!sb.buckets.take(token.sellerId, operation)) {
        sb.stats.throttled++;
        reply.code(429).header('x-amzn-ErrorType', 'TooManyRequestsException');
        return record(throttledBody());
      }
      sb.stats.calls[operation] = (sb.stats.calls[operation] ?? 0) + 1;
      sb.market.tick();
      try {
        const result = await handler({ req, reply, token, query: normaliseQuery(req.query), params: req.params as Record<string, string>, rawQuery: rawQueryOf(req.url) });
        const status = reply.statusCode;
        if ((status >= 200 && status < 300) || status === 400 || status === 404) rateHeader();
        if (result === undefined) {
          sb.recorder?.({ operation, method, route: path, path: req.url.split('?')[0]!, query: req.query as Record<string, unknown>, requestBody: req.body, status: reply.statusCode, headers: reply.getHeaders(), body: undefined });
          return reply.send();
        }
        return record(result);
      } catch (e) {
        if (e instanceof SpApiError) {
          reply.code(e.status);
          if (e.status === 400 || e.status === 404) rateHeader();
          return record(errorBody(e.code, e.message, e.details));
        }
        throw e;
      }
    },
  });
}

function normaliseQuery(q: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries((q ?? {}) as Record<string, unknown>)) out[k] = Array.isArray(v) ? v.join(',') : v === undefined ? undefined : String(v);
  return out;
}

/** Comma-separated query arrays, as Amazon's SDKs send them (`MarketplaceIds=A,B`). */
export const list = (v: string | undefined): string[] => (v === undefined || v === '' ? [] : v.split(',').map((s) => s.trim()).filter(Boolean));

export function requireParam(query: Record<string, string | undefined>, name: string): string {
  const v = query[name];
  if (v === undefined || v === '') throw invalidInput(`Missing required parameter: ${name}`);
  return v;
}

/** ISO 8601 date-time in a query parameter; a bad value is Amazon's 400 InvalidInput. */
export function parseDate(name: string, v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}(T|$)/.test(v) || Number.isNaN(t)) throw invalidInput(`Invalid ${name}: ${v}. It must be in ISO 8601 date-time format.`);
  return t;
}

export function parseBody(req: FastifyRequest): Record<string, any> {
  const b = req.body;
  if (b === undefined || b === null || typeof b !== 'object' || Array.isArray(b)) throw invalidInput('The request body is missing or is not a JSON object.');
  return b as Record<string, any>;
}

/** Does this RDT cover `path` (with `{orderId}`-style placeholders or a concrete id) and `element`? */
export function rdtAllows(resources: RestrictedResource[] | undefined, method: string, path: string, element?: string): boolean {
  if (!resources) return false;
  return resources.some((r) => {
    if (r.method !== method) return false;
    const re = new RegExp(`^${r.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (!re.test(path)) return false;
    return element === undefined || (r.dataElements ?? []).includes(element);
  });
}
