// A thin in-house SP-API client over the shared HttpClient (the public SDKs hard-code Amazon's hosts,
// see specs/amazon-sp-api.md §11). It adds what SP-API needs on top of the shared client:
// - Login with Amazon: refresh-token grant, cached and refreshed 60 s before expiry, single-flight;
//   a 403 "expired" drops the cache and the call is repeated once with a fresh token.
// - Restricted Data Tokens for PII, cached per (method, path, dataElements).
// - Token buckets seeded from the published usage plans and re-set from x-amzn-RateLimit-Limit.
// - Amazon's `{"errors":[…]}` bodies read into classified errors.
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { secret } from '../secret-fields.js';
import { HttpClient, type HttpMethod, type HttpRequest, type HttpResponse, type Query } from '../../http/client.js';
import { MemoryRateLimiter, type RateLimit, type RateLimiter } from '../../core/rate-limit.js';
import { SynclineError, transientError, userError } from '../../core/errors.js';
import { parseRetryAfter } from '../../core/policies.js';
import type { ConnectorDeps } from '../types.js';
import { AMAZON_RATE_LIMITS } from './limits.js';

export const amazonConfigSchema = z.strictObject({
  /** SP-API base URL, e.g. https://sellingpartnerapi-na.amazon.com (or a sandbox). */
  endpoint: z.url({ protocol: /^https?$/ }),
  /** Login with Amazon token endpoint. */
  lwaUrl: z.url({ protocol: /^https?$/ }).default('https://api.amazon.com/auth/o2/token'),
  clientId: z.string().min(1, 'the LWA client id of the SP-API app is required'),
  clientSecret: secret(z.string().min(1, 'the LWA client secret of the SP-API app is required')),
  refreshToken: secret(z.string().min(1, 'the refresh token from the seller\'s authorisation is required')),
  sellerId: z.string().min(1, 'the selling partner id (merchant token) is required'),
  marketplaceIds: z.array(z.string().min(1)).min(1).default(['ATVPDKIKX0DER']),
  /**
   * Where report and feed documents are fetched and uploaded. Amazon answers pre-signed S3 URLs; set
   * this to send them through another origin (an egress proxy, the on-premise agent, a sandbox) —
   * the path and signature query are kept, only scheme, host and port change.
   */
  documentsBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** SQS queue URL of the notification destination (optional: polling works without it). */
  sqsQueueUrl: z.url({ protocol: /^https?$/ }).optional(),
  timeoutMs: z.number().int().positive().default(30_000),
  /**
   * Tokens of Amazon's burst we never spend. Our bucket and Amazon's refill at the same rate, so the
   * ones left in Amazon's absorb network jitter (a call arriving early) at the full granted rate;
   * shaving the rate instead (0.97) left 3 % of the quota unused.
   */
  burstReserve: z.number().int().min(0).default(2),
  /** Share of the granted rate we use (below 1 only for an account whose bucket refills slower than it says). */
  rateSafety: z.number().min(0.5).max(1).default(1),
});
export type AmazonConfig = z.output<typeof amazonConfigSchema>;
export type AmazonConfigInput = z.input<typeof amazonConfigSchema>;

export interface SpError {
  code: string;
  message: string;
  details?: string;
}

export function spErrors(body: unknown): SpError[] {
  const errors = (body as { errors?: unknown })?.errors;
  return Array.isArray(errors) ? (errors as SpError[]).filter((e) => e && typeof e === 'object') : [];
}

export interface RestrictedResource {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  dataElements?: Array<'buyerInfo' | 'shippingAddress' | 'buyerTaxInformation'>;
}

export interface SpRequest {
  method?: HttpMethod;
  query?: Query;
  body?: unknown;
  /** Call with a Restricted Data Token for this resource (PII) instead of the LWA token. */
  restricted?: RestrictedResource;
  /** Use a grantless (client_credentials) token: Notifications destination operations. */
  grantless?: boolean;
  acceptStatus?: number[];
  idempotent?: boolean;
}

interface CachedToken {
  value: string;
  /** Local clock ms after which we refresh (60 s before Amazon's expiry). */
  refreshAt: number;
}

const REFRESH_SKEW_MS = 60_000;

export class SpApiClient {
  readonly config: AmazonConfig;
  readonly http: HttpClient;
  private readonly lwaHttp: HttpClient;
  private readonly limiter: RateLimiter;
  /** Current (granted) limits by operation, before the safety factor. */
  readonly limits = new Map<string, RateLimit>();
  private lwa?: CachedToken;
  private lwaPending?: Promise<string>;
  private readonly grantless = new Map<string, CachedToken>();
  private readonly rdts = new Map<string, CachedToken>();
  /** Which token a request needs (RDT, grantless), looked up by the auth provider. */
  private readonly authKinds = new WeakMap<HttpRequest, { restricted?: RestrictedResource; grantless?: boolean }>();
  /** Counters for tests and metrics. */
  readonly stats = { lwaRefreshes: 0, rdtIssued: 0, throttled: 0, limitUpdates: 0 };

  constructor(config: AmazonConfigInput, deps: ConnectorDeps & { maxAttempts?: number; maxInlineWaitMs?: number }) {
    const parsed = amazonConfigSchema.safeParse(config);
    if (!parsed.success) {
      throw userError('AMAZON_CONFIG_INVALID', `Amazon connection configuration is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, {
        details: { issues: parsed.error.issues },
      });
    }
    this.config = parsed.data;
    this.limiter = deps.rateLimiter ?? new MemoryRateLimiter();
    for (const [op, l] of Object.entries(AMAZON_RATE_LIMITS)) this.limits.set(op, l);
    this.http = new HttpClient({
      connection: deps.connection,
      baseUrl: this.config.endpoint,
      timeoutMs: this.config.timeoutMs,
      rateLimiter: this.limiter,
      rateLimits: Object.fromEntries([...this.limits].map(([op, l]) => [op, this.paced(l)])),
      maxAttempts: deps.maxAttempts,
      maxInlineWaitMs: deps.maxInlineWaitMs,
      auth: {
        apply: async (req, headers) => {
          // Pre-signed document URLs carry their own signature.
          if (/^https?:\/\//.test(req.path)) return;
          const kind = this.authKinds.get(req);
          if (kind?.restricted) headers['x-amz-access-token'] = await this.restrictedToken(kind.restricted);
          else if (kind?.grantless) headers['x-amz-access-token'] = await this.grantlessToken();
          else headers['x-amz-access-token'] = await this.accessToken();
        },
        // Drop only the token the failed call used: an expired RDT says nothing about the LWA token.
        invalidate: (req) => {
          const kind = this.authKinds.get(req);
          if (kind?.restricted) this.rdts.delete(rdtKey(kind.restricted));
          else if (kind?.grantless) this.grantless.clear();
          else this.lwa = undefined;
        },
      },
      classify: (res, req) => this.classify(res, req),
      onResponse: (res, req) => this.adjustLimit(res, req),
    });
    this.lwaHttp = new HttpClient({ connection: `${deps.connection}:lwa`, baseUrl: this.config.lwaUrl, timeoutMs: this.config.timeoutMs, classify: (res) => lwaError(res) });
  }

  /** An LWA access token (cached; refreshed 60 s before expiry; one refresh at a time). */
  async accessToken(): Promise<string> {
    if (this.lwa && Date.now() < this.lwa.refreshAt) return this.lwa.value;
    this.lwaPending ??= this.fetchToken({ grant_type: 'refresh_token', refresh_token: this.config.refreshToken }).then(
      (t) => {
        this.lwa = t;
        this.lwaPending = undefined;
        this.stats.lwaRefreshes++;
        return t.value;
      },
      (e) => {
        this.lwaPending = undefined;
        throw e;
      },
    );
    return this.lwaPending;
  }

  private async grantlessToken(scope = 'sellingpartnerapi::notifications'): Promise<string> {
    const cached = this.grantless.get(scope);
    if (cached && Date.now() < cached.refreshAt) return cached.value;
    const t = await this.fetchToken({ grant_type: 'client_credentials', scope });
    this.grantless.set(scope, t);
    return t.value;
  }

  private async fetchToken(grant: Record<string, string>): Promise<CachedToken> {
    const form = new URLSearchParams({ ...grant, client_id: this.config.clientId, client_secret: this.config.clientSecret });
    const res = await this.lwaHttp.request<{ access_token?: string; expires_in?: number }>({
      operation: 'lwaToken',
      method: 'POST',
      path: this.config.lwaUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: form.toString(),
      // Asking for a token twice is harmless.
      idempotent: true,
    });
    const token = res.body?.access_token;
    const ttl = Number(res.body?.expires_in);
    if (typeof token !== 'string' || !token || !(ttl > 0)) {
      throw transientError('AMAZON_LWA_UNAVAILABLE', 'Login with Amazon answered without an access_token/expires_in', { details: { sample: JSON.stringify(res.body).slice(0, 200) } });
    }
    return { value: token, refreshAt: Date.now() + Math.max(ttl * 1000 - REFRESH_SKEW_MS, (ttl * 1000) / 2) };
  }

  /** A Restricted Data Token for one resource (cached until 60 s before it expires). */
  async restrictedToken(resource: RestrictedResource): Promise<string> {
    const key = rdtKey(resource);
    const cached = this.rdts.get(key);
    if (cached && Date.now() < cached.refreshAt) return cached.value;
    const res = await this.http.request<{ restrictedDataToken?: string; expiresIn?: number }>({
      operation: 'createRestrictedDataToken',
      method: 'POST',
      path: '/tokens/2021-03-01/restrictedDataToken',
      body: { restrictedResources: [resource] },
      idempotent: true,
    });
    const value = res.body?.restrictedDataToken;
    const ttl = Number(res.body?.expiresIn);
    if (typeof value !== 'string' || !(ttl > 0)) throw unexpected('createRestrictedDataToken', [{ message: 'restrictedDataToken/expiresIn missing' }]);
    this.stats.rdtIssued++;
    this.rdts.set(key, { value, refreshAt: Date.now() + Math.max(ttl * 1000 - REFRESH_SKEW_MS, (ttl * 1000) / 2) });
    return value;
  }

  /** One SP-API call. Returns the parsed body; errors are classified SynclineErrors. */
  async call<T = unknown>(operation: string, path: string, req: SpRequest = {}): Promise<HttpResponse<T>> {
    const http: HttpRequest = {
      operation, method: req.method ?? 'GET', path, query: req.query, body: req.body,
      ...(req.acceptStatus ? { acceptStatus: req.acceptStatus } : {}), ...(req.idempotent !== undefined ? { idempotent: req.idempotent } : {}),
    };
    if (req.restricted || req.grantless) this.authKinds.set(http, { restricted: req.restricted, grantless: req.grantless });
    return this.http.request<T>(http);
  }

  /** A pre-signed document URL, moved to `documentsBaseUrl` when one is configured. */
  documentUrl(url: string): string {
    if (!this.config.documentsBaseUrl) return url;
    const from = new URL(url);
    const to = new URL(this.config.documentsBaseUrl);
    const basePath = to.pathname.replace(/\/$/, '');
    return `${to.origin}${basePath}${from.pathname}${from.search}`;
  }

  /** Streams a pre-signed document (report, processing report). The caller decompresses. */
  async download(url: string, operation = 'downloadDocument'): Promise<Readable> {
    const res = await this.http.request<Readable>({ operation, method: 'GET', path: this.documentUrl(url), responseType: 'stream', headers: { accept: '*/*' }, timeoutMs: Math.max(this.config.timeoutMs, 300_000) });
    return res.body;
  }

  /** Uploads a feed document to its pre-signed URL with the exact content type it was created with. */
  async upload(url: string, contentType: string, content: string | Buffer): Promise<void> {
    await this.http.request({ operation: 'uploadDocument', method: 'PUT', path: this.documentUrl(url), headers: { 'content-type': contentType, accept: '*/*' }, body: content, responseType: 'text' });
  }

  private classify(res: HttpResponse, req: HttpRequest): SynclineError | undefined {
    const errors = spErrors(res.body);
    const first = errors[0];
    const text = first ? `${first.message}${first.details ? ` (${first.details})` : ''}` : '';
    const details = { operation: req.operation, status: res.status, errors };
    if (/^https?:\/\//.test(req.path) && typeof res.body === 'string') {
      // S3-style XML from a pre-signed URL.
      if (/expired/i.test(res.body)) return transientError('AMAZON_DOCUMENT_EXPIRED', `${req.operation}: the pre-signed URL expired`, { details: { status: res.status } });
      if (res.status === 403) return userError('AMAZON_INVALID_INPUT', `${req.operation}: the document store refused the request (${res.body.match(/<Code>([^<]+)/)?.[1] ?? res.status}); for an upload, the Content-Type must equal the one given to createFeedDocument`, { details: { status: res.status, body: res.body.slice(0, 300) } });
      return undefined;
    }
    if (res.status === 429) {
      this.stats.throttled++;
      const l = this.limits.get(req.operation);
      // Amazon sends no Retry-After: one token's refill time is the earliest a retry can pass. A
      // proxy or gateway that does send one knows better.
      const after = parseRetryAfter(res.headers['retry-after']);
      return transientError('HTTP_RATE_LIMITED', `Amazon throttled ${req.operation} (QuotaExceeded)`, { details, retryAfterMs: after ?? (l ? Math.ceil(1000 / l.ratePerSec) : 1_000) });
    }
    if (res.status === 403) return userError('HTTP_AUTH_FAILED', `Amazon refused the access token for ${req.operation}: ${text || 'Unauthorized'}`, { details });
    if (res.status === 404 && errors.length) return userError('AMAZON_NOT_FOUND', `${req.operation}: ${text}`, { details });
    if (res.status === 400 || res.status === 409 || res.status === 413 || res.status === 415) {
      if (/next ?token/i.test(text)) return userError('AMAZON_NEXT_TOKEN_REJECTED', `${req.operation}: Amazon rejected the NextToken: ${text}`, { details });
      return userError('AMAZON_INVALID_INPUT', `${req.operation} was rejected: ${text || `status ${res.status}`}`, { details });
    }
    return undefined;
  }

  private async adjustLimit(res: HttpResponse, req: HttpRequest): Promise<void> {
    const raw = res.headers['x-amzn-ratelimit-limit'];
    const v = Number(Array.isArray(raw) ? raw[0] : raw);
    if (!(v > 0)) return;
    const current = this.limits.get(req.operation);
    if (current && Math.abs(current.ratePerSec - v) < 1e-9) return;
    const next = { ratePerSec: v, burst: current?.burst ?? 1 };
    this.limits.set(req.operation, next);
    this.stats.limitUpdates++;
    await this.http.setRateLimit(req.operation, this.paced(next));
  }

  /** The bucket we pace by for a granted limit: its rate (× rateSafety), its burst less the reserve. */
  private paced(l: RateLimit): RateLimit {
    return { ratePerSec: l.ratePerSec * this.config.rateSafety, burst: Math.max(1, l.burst - this.config.burstReserve) };
  }
}

const rdtKey = (r: RestrictedResource) => `${r.method} ${r.path} ${(r.dataElements ?? []).slice().sort().join(',')}`;

function lwaError(res: HttpResponse): SynclineError | undefined {
  const b = res.body as { error?: string; error_description?: string } | undefined;
  const details = { status: res.status, error: b?.error, description: b?.error_description };
  if (res.status >= 500 || res.status === 429) return transientError('AMAZON_LWA_UNAVAILABLE', `Login with Amazon failed with ${res.status}`, { details });
  return userError('AMAZON_LWA_REJECTED', `Login with Amazon refused the credentials: ${b?.error ?? res.status}${b?.error_description ? ` — ${b.error_description}` : ''}`, { details });
}

export function unexpected(operation: string, issues: unknown[]): SynclineError {
  return new SynclineError('AMAZON_UNEXPECTED_RESPONSE', 'bug', `${operation}: Amazon's answer does not match the published model`, { details: { operation, issues } });
}
