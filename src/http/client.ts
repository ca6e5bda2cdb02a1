// The one HTTP client every connector uses (DESIGN.md): auth, rate limiting, Retry-After, timeouts,
// a circuit breaker per connection and error classification live here once, never in a connector.
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { ConsecutiveBreaker, BrokenCircuitError, CircuitState, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import { SynclineError, transientError, userError, toSynclineError } from '../core/errors.js';
import { authFailing, connectionSignals, isAuthFailure, type CircuitStateName } from '../core/connection-health.js';
import { withClientSpan } from '../telemetry/index.js';
import { backoffDelay, inlineWaitLimit, parseRetryAfter } from '../core/policies.js';
import type { RateLimit, RateLimiter } from '../core/rate-limit.js';
import { transportFor } from './transport.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Query = Record<string, string | number | boolean | undefined | null | Array<string | number>>;

export interface HttpRequest {
  /** Names the API operation: keys the rate-limit bucket, labels metrics and errors. */
  operation: string;
  method: HttpMethod;
  /** Path below the base URL, or an absolute URL (e.g. a pre-signed document URL). */
  path: string;
  query?: Query;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string or Buffer as is (set content-type yourself). */
  body?: unknown;
  /** How to read the body: parsed JSON (default), text, raw bytes, or the stream itself (caller drains it). */
  responseType?: 'json' | 'text' | 'buffer' | 'stream';
  /** Safe to repeat when the outcome is unknown. Defaults to true for GET/PUT/DELETE. */
  idempotent?: boolean;
  /** Override the client's default timeout for this call. */
  timeoutMs?: number;
  /** Don't throw for these statuses; return the response (e.g. 404 on a lookup). */
  acceptStatus?: number[];
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

export interface AuthProvider {
  /** Adds credentials to the outgoing headers (may fetch/refresh a token). */
  apply(req: HttpRequest, headers: Record<string, string>): void | Promise<void>;
  /** Called once after a 401/403: drop cached tokens so the retry gets a fresh one (`req` says which call failed). */
  invalidate?(req: HttpRequest): void;
}

export interface HttpClientOptions {
  /** Connection id: keys the circuit breaker and rate-limit buckets. */
  connection: string;
  baseUrl: string;
  auth?: AuthProvider;
  timeoutMs?: number;
  rateLimiter?: RateLimiter;
  /** Published limits per operation; operations not listed use `defaultRateLimit` (if any). */
  rateLimits?: Record<string, RateLimit>;
  defaultRateLimit?: RateLimit;
  /** Connector-specific error reading: return an error for a response the default would misjudge. */
  classify?: (res: HttpResponse, req: HttpRequest) => SynclineError | undefined;
  /** Observe every response (e.g. adjust a bucket from x-amzn-RateLimit-Limit). */
  onResponse?: (res: HttpResponse, req: HttpRequest, client: HttpClient) => void | Promise<void>;
  /** Attempts inside one call for retryable failures. The engine retries again, across jobs, with longer waits. */
  maxAttempts?: number;
  /** A Retry-After longer than this is not slept through inside the call: the error goes to the engine. */
  maxInlineWaitMs?: number;
  /** Breaker: opens after this many consecutive transient failures, probes again after `halfOpenAfterMs`. */
  breaker?: { consecutiveFailures: number; halfOpenAfterMs: number } | false;
  dispatcher?: Dispatcher;
  userAgent?: string;
}

const sharedAgent = new Agent({ connections: 128, keepAliveTimeout: 30_000, pipelining: 1 });

/**
 * A connection's circuit is two breakers, one for reads and one for writes. With one breaker, the
 * successful look-up before each create reset the count, so an ERP refusing every write but
 * answering reads never opened the circuit. Each kind now counts its own consecutive failures; the
 * connection's circuit is open while either is.
 */
interface CircuitPair {
  read: CircuitBreakerPolicy;
  write: CircuitBreakerPolicy;
  reported: CircuitStateName;
  /** Per kind: when the failures its breaker counts began (cleared by a success or the breaker closing). */
  failingSince: { read?: number; write?: number };
}
const breakers = new Map<string, CircuitPair>();

const STATE_NAME = { [CircuitState.Closed]: 'closed', [CircuitState.Open]: 'open', [CircuitState.HalfOpen]: 'half-open', [CircuitState.Isolated]: 'isolated' } as const;

function combined(pair: Pick<CircuitPair, 'read' | 'write'>): CircuitStateName {
  const states = [STATE_NAME[pair.read.state], STATE_NAME[pair.write.state]];
  for (const s of ['isolated', 'open', 'half-open'] as const) if (states.includes(s)) return s;
  return 'closed';
}

/** Circuit breakers are per connection, shared by every client of that connection in this process. */
export function breakerFor(connection: string, opts: { consecutiveFailures: number; halfOpenAfterMs: number }): CircuitPair {
  let pair = breakers.get(connection);
  if (!pair) {
    const make = () =>
      circuitBreaker(
        // A record lock says nothing about the system's health: connectors mark such errors `recordLevel`.
        handleWhen((e) => e instanceof SynclineError && e.kind === 'transient' && e.code !== 'HTTP_RATE_LIMITED' && e.code !== 'HTTP_CONFLICT' && e.details.recordLevel !== true),
        { halfOpenAfter: opts.halfOpenAfterMs, breaker: new ConsecutiveBreaker(opts.consecutiveFailures) },
      );
    const created: CircuitPair = { read: make(), write: make(), reported: 'closed', failingSince: {} };
    // The failure that opened it, so the warn line and /readyz say why (e.g. "createOrder failed with 503").
    let lastFailure: string | undefined;
    // Report changes of the combined state only: a warn line when the circuit opens and when it closes.
    const report = () => {
      const state = combined(created);
      if (state === created.reported) return;
      created.reported = state;
      // `probeAt`: when the breaker lets a call through again; until then the worker claims none of the connection's jobs.
      const probeAt = state === 'open' ? Date.now() + opts.halfOpenAfterMs : undefined;
      connectionSignals.emit('circuit', { connection, state, ...(probeAt !== undefined ? { probeAt } : {}), ...(state === 'open' && lastFailure ? { reason: lastFailure } : {}) });
    };
    for (const kind of ['read', 'write'] as const) {
      const b = created[kind];
      b.onBreak((r) => {
        const error = 'error' in r ? r.error : undefined;
        if (error instanceof Error) lastFailure = error.message;
      });
      // The streak of failures the breaker counts: the outage began at its first, not when the circuit opened.
      b.onFailure(({ handled }) => {
        if (handled) created.failingSince[kind] ??= Date.now();
      });
      b.onSuccess(() => delete created.failingSince[kind]);
      b.onStateChange((s) => {
        if (s === CircuitState.Closed) delete created.failingSince[kind];
        queueMicrotask(report);
      });
    }
    breakers.set(connection, created);
    pair = created;
  }
  return pair;
}

/** Consecutive failures (of reads, or of writes) that open a circuit when a client does not say (config `health.circuitFailures`). */
let defaultCircuitFailures = 5;
export function setDefaultCircuitFailures(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`circuitFailures must be a whole number ≥ 1, got ${n}`);
  defaultCircuitFailures = n;
}

export function circuitState(connection: string): CircuitStateName {
  const pair = breakers.get(connection);
  return pair ? combined(pair) : 'unknown';
}

/**
 * Since when the connection has been down (epoch ms), or undefined when it is not: while a circuit
 * of it (reads or writes) is open or probing, the first of the failed calls that opened it. The
 * open circuit says the failures are an outage, not a blip; the clock starts at the first of them.
 */
export function downSince(connection: string): number | undefined {
  const pair = breakers.get(connection);
  if (!pair) return undefined;
  const since = (['read', 'write'] as const).filter((k) => pair[k].state !== CircuitState.Closed).map((k) => pair.failingSince[k] ?? Date.now());
  return since.length ? Math.min(...since) : undefined;
}

export class HttpClient {
  readonly connection: string;
  private readonly base: URL;
  private readonly opts: HttpClientOptions;
  private readonly breaker?: CircuitPair;
  private readonly halfOpenAfterMs: number;

  constructor(opts: HttpClientOptions) {
    if (!opts.connection) throw new TypeError('HttpClient: connection is required');
    this.base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
    this.connection = opts.connection;
    this.opts = opts;
    const breakerOpts = opts.breaker === false ? undefined : (opts.breaker ?? { consecutiveFailures: defaultCircuitFailures, halfOpenAfterMs: 5_000 });
    this.halfOpenAfterMs = breakerOpts?.halfOpenAfterMs ?? 0;
    if (breakerOpts) this.breaker = breakerFor(opts.connection, breakerOpts);
    if (opts.rateLimiter) {
      for (const [op, limit] of Object.entries(opts.rateLimits ?? {})) void opts.rateLimiter.setLimit(this.bucketKey(op), limit);
    }
  }

  bucketKey(operation: string): string {
    return `${this.connection}:${operation}`;
  }

  async setRateLimit(operation: string, limit: RateLimit): Promise<void> {
    await this.opts.rateLimiter?.setLimit(this.bucketKey(operation), limit);
  }

  /** One connector call: a child span of the active step (when tracing is on), with every attempt inside it. */
  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    return withClientSpan(
      `${req.method} ${req.operation}`,
      () => {
        const url = this.urlOf(req);
        return {
          'http.request.method': req.method,
          'url.full': `${url.origin}${url.pathname}`,
          'server.address': url.hostname,
          'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
          'syncline.connection': this.connection,
          'syncline.operation': req.operation,
        };
      },
      async (span) => {
        const stats = { rateLimitWaitMs: 0, attempts: 0, status: undefined as number | undefined };
        try {
          const res = await this.requestWithRetries<T>(req, stats);
          if (authFailing.has(this.connection)) {
            authFailing.delete(this.connection);
            connectionSignals.emit('recovered', { connection: this.connection });
          }
          return res;
        } catch (e) {
          const err = toSynclineError(e);
          if (isAuthFailure(err)) {
            // Say which connection refused: the worker holds the job and the connection is paused.
            err.details.connection ??= this.connection;
            connectionSignals.emit('auth', { connection: this.connection, error: err });
          }
          if (span) span.setAttribute('error.type', typeof err.details.status === 'number' ? String(err.details.status) : err.code);
          throw err;
        } finally {
          if (span) {
            span.setAttribute('syncline.rate_limit.wait_ms', Math.round(stats.rateLimitWaitMs * 10) / 10);
            if (stats.attempts > 1) span.setAttribute('http.request.resend_count', stats.attempts - 1);
            if (stats.status !== undefined) span.setAttribute('http.response.status_code', stats.status);
          }
        }
      },
    );
  }

  private urlOf(req: HttpRequest): URL {
    return /^https?:\/\//.test(req.path) ? new URL(req.path) : new URL(req.path.replace(/^\//, ''), this.base);
  }

  private async requestWithRetries<T>(req: HttpRequest, stats: { rateLimitWaitMs: number; attempts: number; status?: number }): Promise<HttpResponse<T>> {
    const maxAttempts = this.opts.maxAttempts ?? 3;
    // Inside a job, shorter: a long wait is handed back to the queue instead of holding a worker slot.
    const maxInlineWaitMs = inlineWaitLimit(this.opts.maxInlineWaitMs ?? 5_000);
    const idempotent = req.idempotent ?? (req.method === 'GET' || req.method === 'PUT' || req.method === 'DELETE');
    let authRetried = false;
    for (let attempt = 1; ; attempt++) {
      try {
        stats.attempts++;
        return await this.once<T>(req, stats);
      } catch (raw) {
        const err = toSynclineError(raw);
        if (err.code === 'HTTP_AUTH_FAILED' && this.opts.auth?.invalidate && !authRetried) {
          authRetried = true;
          this.opts.auth.invalidate(req);
          attempt--;
          continue;
        }
        // A 429 or an open circuit means the request was not processed, so even a create may repeat.
        // A reset after the request went out is not "not processed": a create may have happened.
        const notProcessed = err.code === 'HTTP_RATE_LIMITED' || err.code === 'CIRCUIT_OPEN' || (err.code === 'HTTP_UNAVAILABLE' && err.details.outcomeUnknown !== true);
        const retryable = err.kind !== 'user' && (idempotent || notProcessed) && attempt < maxAttempts;
        if (!retryable) throw err;
        const wait = err.retryAfterMs ?? backoffDelay(attempt, { baseMs: 100, capMs: 2_000 });
        if (wait > maxInlineWaitMs) throw err;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private async once<T>(req: HttpRequest, stats: { rateLimitWaitMs: number; status?: number }): Promise<HttpResponse<T>> {
    if (this.breaker) {
      const write = req.method !== 'GET';
      // A write waits while either breaker is open (the system is down); a read only for reads.
      if (write && this.breaker.read.state === CircuitState.Open && this.breaker.write.state !== CircuitState.Open) {
        throw transientError('CIRCUIT_OPEN', `${this.connection} is failing repeatedly; calls are paused and resume by themselves`, {
          retryAfterMs: this.halfOpenAfterMs,
          details: { connection: this.connection, operation: req.operation },
        });
      }
      try {
        return await (write ? this.breaker.write : this.breaker.read).execute(() => this.send<T>(req, stats));
      } catch (e) {
        if (e instanceof BrokenCircuitError) {
          throw transientError('CIRCUIT_OPEN', `${this.connection} is failing repeatedly; calls are paused and resume by themselves`, {
            retryAfterMs: this.halfOpenAfterMs,
            details: { connection: this.connection, operation: req.operation },
          });
        }
        throw e;
      }
    }
    return this.send<T>(req, stats);
  }

  private async send<T>(req: HttpRequest, stats: { rateLimitWaitMs: number; status?: number }): Promise<HttpResponse<T>> {
    if (this.opts.rateLimiter) {
      const t0 = performance.now();
      await this.opts.rateLimiter.acquire(this.bucketKey(req.operation));
      stats.rateLimitWaitMs += performance.now() - t0;
    }
    const url = this.urlOf(req);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) url.searchParams.set(k, v.join(','));
      else url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.opts.userAgent ?? 'Syncline/0.1', ...req.headers };
    let body: string | Buffer | undefined;
    if (req.body !== undefined) {
      if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) body = req.body;
      else {
        body = JSON.stringify(req.body);
        headers['content-type'] ??= 'application/json';
      }
    }
    await this.opts.auth?.apply(req, headers);
    const timeoutMs = req.timeoutMs ?? this.opts.timeoutMs ?? 30_000;
    const idempotent = req.idempotent ?? (req.method === 'GET' || req.method === 'PUT' || req.method === 'DELETE');
    let raw: Dispatcher.ResponseData;
    // A connection routed through an on-premise agent group sends its calls over the agent tunnel (src/http/transport.ts).
    const transport = transportFor(this.connection);
    // The call's deadline, from sending to the last byte of the body, as AbortSignal.timeout gave it —
    // but cleared when the body has been read: AbortSignal.timeout's timer is never cleared, so every
    // call left one behind for its whole timeout (15–30 s; ~1,500 calls/s in the demo: tens of thousands
    // of live timers and signals, promoted to the old generation, and CPU in the timer list; issue 12).
    const deadline = transport ? undefined : new Deadline(timeoutMs);
    try {
      raw = transport
        ? ((await transport.request({ url, method: req.method, headers, body, timeoutMs, idempotent, operation: req.operation })) as unknown as Dispatcher.ResponseData)
        : await undiciRequest(url, {
            method: req.method,
            headers,
            body,
            dispatcher: this.opts.dispatcher ?? sharedAgent,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
            signal: deadline!.signal,
          });
    } catch (e) {
      deadline?.clear();
      if (transport && e instanceof SynclineError) throw e;
      throw networkError(e, req, this.connection, idempotent);
    }
    stats.status = raw.statusCode;
    const res: HttpResponse<unknown> = { status: raw.statusCode, headers: raw.headers, body: undefined };
    const ok = (raw.statusCode >= 200 && raw.statusCode < 300) || req.acceptStatus?.includes(raw.statusCode);
    try {
      if (ok && req.responseType === 'stream') {
        res.body = raw.body;
        // A streamed body keeps its deadline until the caller has read it (or dropped it).
        if (deadline) raw.body.once('close', () => deadline.clear());
      } else res.body = await readBody(raw, ok && req.responseType !== 'stream' ? (req.responseType ?? 'json') : 'auto');
    } catch (e) {
      if (e instanceof SynclineError) throw e;
      throw networkError(e, req, this.connection, idempotent);
    } finally {
      if (req.responseType !== 'stream' || !ok) deadline?.clear();
    }
    await this.opts.onResponse?.(res, req, this);
    if (ok) return res as HttpResponse<T>;
    throw this.opts.classify?.(res, req) ?? classifyResponse(res, req, this.connection);
  }
}

/** Aborts its signal with a TimeoutError (as AbortSignal.timeout does) unless cleared first. */
class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  constructor(ms: number) {
    this.timer = setTimeout(() => this.controller.abort(new DOMException(`The operation was aborted due to timeout (${ms} ms)`, 'TimeoutError')), ms);
    // Like AbortSignal.timeout's, it does not keep the process alive.
    this.timer.unref();
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  clear(): void {
    clearTimeout(this.timer);
  }
}

async function readBody(raw: Dispatcher.ResponseData, type: 'json' | 'text' | 'buffer' | 'auto'): Promise<unknown> {
  if (type === 'buffer') return Buffer.from(await raw.body.arrayBuffer());
  const text = await raw.body.text();
  const ct = String(raw.headers['content-type'] ?? '');
  if (type === 'text' || (type === 'auto' && !/json/.test(ct))) return text;
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    if (type === 'auto') return text;
    throw transientError('HTTP_BAD_RESPONSE', `expected JSON, got ${text.length} bytes that do not parse`, {
      details: { status: raw.statusCode, sample: text.slice(0, 200) },
    });
  }
}

function networkError(e: unknown, req: HttpRequest, connection: string, idempotent: boolean): SynclineError {
  const name = e instanceof Error ? e.name : '';
  const code = (e as { code?: string })?.code ?? '';
  const details = { connection, operation: req.operation, method: req.method, cause: code || name };
  if (name === 'TimeoutError' || name === 'AbortError' || /TIMEOUT/.test(code)) {
    // A create that timed out may or may not have happened: the caller must look it up before retrying.
    return transientError('HTTP_TIMEOUT', `${req.operation} timed out`, { details: { ...details, outcomeUnknown: !idempotent } });
  }
  // A reset after the request was sent leaves a create's outcome unknown too.
  const afterSend = code === 'UND_ERR_SOCKET' || code === 'ECONNRESET';
  return transientError('HTTP_UNAVAILABLE', `${req.operation}: ${e instanceof Error ? e.message : String(e)}`, {
    details: { ...details, outcomeUnknown: afterSend && !idempotent },
  });
}

/** Default reading of an error status; connectors refine it with `classify` when their bodies say more. */
export function classifyResponse(res: HttpResponse, req: HttpRequest, connection: string): SynclineError {
  const details = { connection, operation: req.operation, status: res.status, body: res.body };
  const s = res.status;
  const summary = bodySummary(res.body);
  if (s === 429) {
    return transientError('HTTP_RATE_LIMITED', `${req.operation} was rate-limited`, { details, retryAfterMs: parseRetryAfter(res.headers['retry-after']) ?? 1_000 });
  }
  if (s >= 500) return transientError('HTTP_SERVER_ERROR', `${req.operation} failed with ${s}${summary}`, { details, retryAfterMs: parseRetryAfter(res.headers['retry-after']) });
  if (s === 408) return transientError('HTTP_TIMEOUT', `${req.operation} timed out (408)`, { details: { ...details, outcomeUnknown: req.method === 'POST' } });
  if (s === 409) return transientError('HTTP_CONFLICT', `${req.operation}: record in use${summary}`, { details });
  if (s === 401 || s === 403) return userError('HTTP_AUTH_FAILED', `${connection} refused the credentials (${s})${summary}`, { details });
  if (s === 404) return userError('HTTP_NOT_FOUND', `${req.operation}: not found${summary}`, { details });
  return userError('HTTP_REJECTED', `${req.operation} was rejected (${s})${summary}`, { details });
}

function bodySummary(body: unknown): string {
  if (body === undefined || body === null || body === '') return '';
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return `: ${text.slice(0, 300)}`;
}
