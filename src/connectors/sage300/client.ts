// The Sage 300 connection: one shared HttpClient with Basic auth and the mandatory JSON content type,
// Sage's error body {"error":{"code","message":{"value"}}} read into classified errors, OData
// paging through @odata.nextLink, and exact conversion of decimal amounts to JSON numbers.
import { Decimal } from 'decimal.js';
import type { z } from 'zod';
import { bugError, transientError, userError, type SynclineError } from '../../core/errors.js';
import { parseRetryAfter } from '../../core/policies.js';
import type { RateLimit } from '../../core/rate-limit.js';
import { HttpClient, type HttpMethod, type HttpRequest, type HttpResponse, type Query } from '../../http/client.js';
import type { ConnectorDeps } from '../types.js';
import type { IclocSqlConfig } from './stock-sql.js';

export interface Sage300Config {
  /** Server root, e.g. https://erp.example.com (the API lives under /Sage300WebApi/v1.0/-/). */
  baseUrl: string;
  /** Company (organisation) id, e.g. SAMLTD. */
  company: string;
  /** A Sage 300 user allowed to use the Web API (ADMIN is blocked unless explicitly allowed). */
  user: string;
  /** Empty when Sage 300 security is off. */
  password: string;
  timeoutMs?: number;
  /**
   * What this server allows, when known in advance; anything left out is found by the connection
   * test (a harmless probe), so a declared value only saves that probe.
   */
  capabilities?: Partial<Sage300Capabilities>;
  /** Where the stock poller reads (index.ts, stock-sql.ts); default the Web API extension. */
  stockSource?: { source: 'webapi' } | { source: 'sql'; sql: IclocSqlConfig };
}

/**
 * What a Sage 300 Web API takes beyond the Aug 2022 Endpoint Reference. That reference lists
 * "OEOrders OE0520 OEORDH x x – – –" (GET and POST only); a later release or a partner endpoint may
 * take PATCH on OE orders, and only then can an existing order be changed or shipped over the API.
 */
export interface Sage300Capabilities {
  oeOrderPatch: boolean;
}

interface SageErrorBody {
  error?: { code?: string; message?: { lang?: string; value?: string } | string };
}

/** View errors whose wording says "someone else has it": worth retrying. */
const IN_USE = /in use|locked|lock |another user|modified by|being (edited|posted|processed)|try again/i;
/** View errors that are business rules about the data: retrying cannot help. */
const BUSINESS_RULE = /incomplete|on hold|out of balance|cannot|can not|does not exist|not allowed|exceeds|must|invalid|already|nothing|required|inactive/i;

/** Reads Sage 300's error body; the code decides, never the HTTP status alone (SDK DeveloperReference). */
export function classifySage300(res: HttpResponse, req: HttpRequest): SynclineError | undefined {
  const body = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as SageErrorBody;
  const code = body.error?.code ?? '';
  const raw = body.error?.message;
  const message = (typeof raw === 'string' ? raw : raw?.value) ?? (typeof res.body === 'string' ? res.body.slice(0, 300) : '');
  const details = { operation: req.operation, method: req.method, path: req.path, status: res.status, sageCode: code, sageMessage: message };
  const say = (what: string) => `${req.operation}: ${what}${message ? `: ${message}` : ''}`;
  if (res.status === 429 || code === 'TooManyRequests') return undefined; // the shared client honours Retry-After
  if (res.status >= 500 || code === 'InternalServerError' || code === 'DBLinkError') {
    const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
    return transientError('SAGE300_SERVER_ERROR', say(`Sage 300 failed (${res.status}${code ? ` ${code}` : ''})`), { details, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
  switch (code) {
    case 'Unauthorized':
    case 'Forbidden':
    case 'SessionError':
      return userError('SAGE300_AUTH_FAILED', say(`Sage 300 refused the credentials or company (${code})`), { details });
    case 'RecordNotFound':
    case 'ResourceNotFound':
      return userError('SAGE300_NOT_FOUND', say('not found in Sage 300'), { details });
    case 'FieldInvalid':
    case 'RecordInvalid':
      return userError('SAGE300_FIELD_INVALID', say('Sage 300 rejected a field'), { details });
    case 'RecordDuplicate':
      return userError('SAGE300_DUPLICATE', say('the record exists already in Sage 300'), { details });
    case 'InvalidPayload':
      return userError('SAGE300_INVALID_PAYLOAD', say('Sage 300 could not read the request'), { details });
    case 'MethodNotAllowed':
      return userError('SAGE300_NOT_SUPPORTED', say(`this Sage 300 Web API does not take ${req.method} on ${req.path.split('(')[0]}${res.headers.allow ? ` (it allows ${String(res.headers.allow)})` : ''}`), { details: { ...details, allow: res.headers.allow } });
    case 'InvalidParameters':
    case 'InvalidEntityKey':
    case 'InvalidAction':
      return userError('SAGE300_INVALID_QUERY', say(`Sage 300 rejected the request (${code})`), { details });
    case 'General':
    default:
      if (res.status === 401 || res.status === 403) return userError('SAGE300_AUTH_FAILED', say(`Sage 300 refused the credentials (${res.status})`), { details });
      if (res.status === 404) return userError('SAGE300_NOT_FOUND', say('not found in Sage 300'), { details });
      if (res.status === 409) {
        // A lock says so; a business rule says what is wrong; an unknown 409 is treated as a conflict
        // (retried a few times, then dead-lettered with Sage's message) rather than lost as "bad data".
        if (IN_USE.test(message) || !BUSINESS_RULE.test(message)) return transientError('SAGE300_RECORD_IN_USE', say('the record is in use in Sage 300'), { details: { ...details, recordLevel: true } });
        return userError('SAGE300_REJECTED', say('Sage 300 refused the change'), { details });
      }
      return userError('SAGE300_REJECTED', say(`Sage 300 rejected the request (${res.status})`), { details });
  }
}

export type Key = string | number | Record<string, string | number>;

/** OData literal: strings quoted with '' escaping, numbers bare. */
export function literal(v: string | number): string {
  return typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`;
}

export function keySegment(key: Key): string {
  if (typeof key !== 'object') return `(${literal(key)})`;
  return `(${Object.entries(key).map(([k, v]) => `${k}=${literal(v)}`).join(',')})`;
}

export interface ListOptions {
  filter?: string;
  select?: readonly string[];
  /** Records to pass over first ($skip). */
  skip?: number;
  /** Stop after this many records in all (paging continues through nextLink until then). */
  limit?: number;
}

export class Sage300Client {
  readonly http: HttpClient;
  readonly config: Sage300Config;
  /** What the server was found (or declared) to allow; filled by the connection test or on first need. */
  readonly capabilities: Partial<Sage300Capabilities>;
  private probing: Promise<Sage300Capabilities> | undefined;
  private readonly root: string;

  constructor(config: Sage300Config, deps: ConnectorDeps & { rateLimits?: Record<string, RateLimit>; maxAttempts?: number }) {
    this.config = config;
    this.capabilities = { ...config.capabilities };
    const base = config.baseUrl.replace(/\/+$/, '');
    this.root = `${base}/Sage300WebApi/v1.0/-/${encodeURIComponent(config.company)}/`;
    const authHeader = `Basic ${Buffer.from(`${config.user}:${config.password}`, 'utf8').toString('base64')}`;
    this.http = new HttpClient({
      connection: deps.connection,
      baseUrl: this.root,
      timeoutMs: config.timeoutMs ?? 30_000,
      rateLimiter: deps.rateLimiter,
      rateLimits: deps.rateLimits,
      maxAttempts: deps.maxAttempts,
      auth: { apply: (_req, headers) => void (headers.authorization = authHeader) },
      classify: classifySage300,
    });
  }

  /**
   * Finds what the server allows. OE orders: `PATCH OEOrders(0)` with an empty body — uniquifiers
   * start at 1, so nothing can change. A server without PATCH answers 405 MethodNotAllowed (before
   * it looks for the record); one with PATCH answers 404 RecordNotFound. Anything else proves
   * nothing, so the capability stays off (never assume a server takes a write it did not show).
   */
  async probeCapabilities(): Promise<Sage300Capabilities> {
    if (this.capabilities.oeOrderPatch !== undefined) return { oeOrderPatch: this.capabilities.oeOrderPatch };
    this.probing ??= (async () => {
      try {
        const res = await this.request({ operation: 'testConnection', method: 'PATCH', path: this.path('OE', 'OEOrders', 0), body: {}, idempotent: true, acceptStatus: [400, 404, 405] });
        const code = (res.body as SageErrorBody | undefined)?.error?.code;
        const oeOrderPatch = res.status === 404 ? code === 'RecordNotFound' || code === undefined : res.status < 300;
        this.capabilities.oeOrderPatch = oeOrderPatch;
        return { oeOrderPatch };
      } finally {
        this.probing = undefined;
      }
    })();
    return this.probing;
  }

  /** True when the server takes this (probed once, on first need, if the connection test did not). */
  async supports(capability: keyof Sage300Capabilities): Promise<boolean> {
    const known = this.capabilities[capability];
    if (known !== undefined) return known;
    return (await this.probeCapabilities())[capability];
  }

  path(module: string, resource: string, key?: Key): string {
    if (key === undefined) return `${module}/${resource}`;
    // Values are percent-encoded one by one, so a key holding "/", "#" or "?" stays one path segment.
    const lit = (v: string | number) => (typeof v === 'number' ? String(v) : `'${encodeURIComponent(v.replace(/'/g, "''"))}'`);
    const inner = typeof key === 'object' ? Object.entries(key).map(([k, v]) => `${k}=${lit(v)}`).join(',') : lit(key);
    return `${module}/${resource}(${inner})`;
  }

  async request<T = unknown>(req: { operation: string; method?: HttpMethod; path: string; query?: Query; body?: unknown; idempotent?: boolean; acceptStatus?: number[] }): Promise<HttpResponse<T>> {
    return this.http.request<T>({
      operation: req.operation,
      method: req.method ?? 'GET',
      path: req.path,
      ...(req.query ? { query: req.query } : {}),
      ...(req.body !== undefined ? { body: req.body } : {}),
      ...(req.idempotent !== undefined ? { idempotent: req.idempotent } : {}),
      ...(req.acceptStatus ? { acceptStatus: req.acceptStatus } : {}),
      // Mandatory on every request, GET included: without it the Web API answers 500.
      headers: { 'content-type': 'application/json', accept: 'application/json' },
    });
  }

  /** One record by key, or undefined when Sage answers RecordNotFound. */
  async get<S extends z.ZodType>(operation: string, module: string, resource: string, key: Key, schema: S, select?: readonly string[]): Promise<z.output<S> | undefined> {
    const res = await this.request({ operation, path: this.path(module, resource, key), ...(select ? { query: { $select: select.join(',') } } : {}), acceptStatus: [404] });
    if (res.status === 404) {
      const code = (res.body as SageErrorBody | undefined)?.error?.code;
      if (code === 'RecordNotFound' || code === undefined) return undefined;
      throw classifySage300(res, { operation, method: 'GET', path: this.path(module, resource, key) })!;
    }
    return parseResponse(schema, res.body, operation);
  }

  /** Pages through a collection by following @odata.nextLink (page size is the server's, 100 by default). */
  async *pages<S extends z.ZodType>(operation: string, module: string, resource: string, schema: S, opts: ListOptions = {}): AsyncGenerator<Array<z.output<S>>> {
    const query: Query = {};
    if (opts.filter) query.$filter = opts.filter;
    if (opts.select?.length) query.$select = opts.select.join(',');
    if (opts.limit !== undefined) query.$top = opts.limit;
    if (opts.skip) query.$skip = opts.skip;
    let next: string | undefined = this.path(module, resource);
    let first = true;
    let seen = 0;
    while (next) {
      const res: HttpResponse<unknown> = await this.request({ operation, path: next, ...(first ? { query } : {}) });
      first = false;
      const body = res.body as { value?: unknown[]; '@odata.nextLink'?: string } | undefined;
      if (!body || !Array.isArray(body.value)) {
        throw bugError('SAGE300_UNEXPECTED_RESPONSE', `${operation}: Sage 300 answered without a "value" array`, { details: { operation, sample: sampleOf(body) } });
      }
      const rows = body.value.map((r) => parseResponse(schema, r, operation));
      seen += rows.length;
      yield rows;
      if (opts.limit !== undefined && seen >= opts.limit) break;
      const link = body['@odata.nextLink'] ? this.sameOrigin(body['@odata.nextLink'], operation) : undefined;
      if (link !== undefined && link === next) {
        throw bugError('SAGE300_UNEXPECTED_RESPONSE', `${operation}: Sage 300 returned the same @odata.nextLink twice; stopping instead of looping`, { details: { operation, link } });
      }
      if (rows.length === 0 && link !== undefined) {
        throw bugError('SAGE300_UNEXPECTED_RESPONSE', `${operation}: Sage 300 returned an empty page with a nextLink`, { details: { operation, link } });
      }
      next = link;
    }
  }

  /**
   * How many records match (`$count=true`, no rows). The Developer Reference prints the answer as
   * `"odata.count":"625"` (a string, no @); OData v4 servers say `"@odata.count":625`. Both are read.
   */
  async count(operation: string, module: string, resource: string, filter?: string): Promise<number> {
    const res = await this.request({ operation, path: this.path(module, resource), query: { ...(filter ? { $filter: filter } : {}), $count: 'true', $top: 0 } });
    const n = readODataCount(res.body);
    if (n === undefined) throw bugError('SAGE300_UNEXPECTED_RESPONSE', `${operation}: Sage 300 answered $count=true without a count`, { details: { operation, sample: sampleOf(res.body) } });
    return n;
  }

  async list<S extends z.ZodType>(operation: string, module: string, resource: string, schema: S, opts: ListOptions = {}): Promise<Array<z.output<S>>> {
    const out: Array<z.output<S>> = [];
    for await (const page of this.pages(operation, module, resource, schema, opts)) out.push(...page);
    return opts.limit !== undefined ? out.slice(0, opts.limit) : out;
  }

  /** Follows nextLink on our own server only: credentials never go to a host the config did not name. */
  private sameOrigin(link: unknown, operation: string): string {
    const url = typeof link === 'string' && URL.canParse(link, this.root) ? new URL(link, this.root) : undefined;
    if (!url) throw bugError('SAGE300_UNEXPECTED_RESPONSE', `${operation}: Sage 300's @odata.nextLink is not a URL`, { details: { operation, link: sampleOf(link) } });
    const root = new URL(this.root);
    if (url.origin === root.origin) return url.href;
    return new URL(`${url.pathname}${url.search}`, root.origin).href;
  }
}

/** The start of an answer, for an error's details (an empty answer included: JSON.stringify gives undefined for it). */
const sampleOf = (body: unknown): string => String(JSON.stringify(body) ?? body).slice(0, 200);

/** `"odata.count":"625"` (as documented) or `"@odata.count":625` (OData v4) → 625. */
export function readODataCount(body: unknown): number | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const raw = b['@odata.count'] ?? b['odata.count'];
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) return raw;
  if (typeof raw === 'string' && /^\d+$/.test(raw)) return Number(raw);
  return undefined;
}

export function parseResponse<S extends z.ZodType>(schema: S, body: unknown, operation: string): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw unexpectedAnswer(operation, parsed.error);
  return parsed.data;
}

/** An answer without the documented shape, wherever an operation read it. */
export function unexpectedAnswer(operation: string, error: z.ZodError): SynclineError {
  return bugError('SAGE300_UNEXPECTED_RESPONSE', `${operation}: Sage 300's answer does not have the documented shape`, {
    details: { operation, issues: error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}

export function invalidInput(operation: string, error: z.ZodError): SynclineError {
  return userError('SAGE300_INVALID_INPUT', `${operation}: invalid input: ${error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, {
    details: { operation, violations: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}

/**
 * The Web API takes amounts as JSON numbers. A decimal string goes out as a number only when the
 * number is exactly that decimal (always true for 2–4 decimal places below 10^11); anything else is
 * refused rather than silently rounded.
 */
export function wireNumber(value: string | number, path: string, operation: string): number {
  // A finite number is its own exact decimal; a string whose number prints back as that very text is
  // that number exactly. Only the rest needs decimal.js (issue 12: two Decimals per amount per order).
  const fast = typeof value === 'number' ? value : Number(value);
  if (Number.isFinite(fast) && (typeof value === 'number' || String(fast) === value)) return fast;
  const d = new Decimal(value);
  const n = d.toNumber();
  if (!Number.isFinite(n) || !new Decimal(n).equals(d)) {
    throw userError('SAGE300_INVALID_INPUT', `${operation}: ${path} = ${String(value)} cannot be sent to Sage 300 exactly`, { details: { operation, violations: [{ path, message: 'not exactly representable' }] } });
  }
  return n;
}
