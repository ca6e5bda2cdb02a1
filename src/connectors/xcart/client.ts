// The X-Cart connection: one shared HttpClient carrying the X-Auth-Token, X-Cart's error dialect
// (problem+json / hydra:Error, 422 violations) read into classified errors, and response parsing.
import { z } from 'zod';
import { bugError, userError, type SynclineError } from '../../core/errors.js';
import { HttpClient, type HttpRequest, type HttpResponse, type Query } from '../../http/client.js';
import type { ConnectorDeps } from '../types.js';

const zArray = <S extends z.ZodType>(s: S) => z.array(s);

export interface XcartConfig {
  /** Store URL, e.g. https://shop.example.com (the API lives under /api). */
  baseUrl: string;
  /** Admin → Settings → API: `token_all` (read/write) or `token_read` (read-only). */
  token: string;
  /** Page size for list calls and the poller; X-Cart allows at most 100. */
  itemsPerPage?: number;
  timeoutMs?: number;
  /** Legacy REST API key (5.4 add-on), only for tracking numbers; see docs/connectors/xcart.md. */
  legacyKey?: string;
  /**
   * The module this store has for writing tracking numbers. X-Cart 5.5 has no API for it: 'none'
   * (the default) makes addTrackingNumber & co. refuse with XCART_NO_TRACKING_API; 'legacy-rest' is
   * the 5.4 REST API module (XC\RESTAPI, admin.php?target=RESTAPI) with `legacyKey`.
   */
  trackingModule?: 'none' | 'legacy-rest';
}

interface ProblemBody {
  detail?: string;
  title?: string;
  message?: string;
  'hydra:description'?: string;
  violations?: Array<{ propertyPath?: string; message?: string }>;
}

/** Reads X-Cart's error bodies; statuses it has nothing special to say about fall to the defaults. */
export function classifyXcart(res: HttpResponse, req: HttpRequest): SynclineError | undefined {
  const body = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as ProblemBody;
  const detail = body.detail ?? body['hydra:description'] ?? body.message ?? (typeof res.body === 'string' ? res.body.slice(0, 200) : '');
  const details = { operation: req.operation, method: req.method, path: req.path, status: res.status, detail };
  if (req.path.startsWith('admin.php')) {
    // Legacy REST API: the reason travels in the X-REST-Error header, bodies are empty.
    const restError = String(res.headers['x-rest-error'] ?? '');
    if (res.status === 403) return userError('XCART_AUTH_FAILED', `X-Cart's legacy REST API refused the key: ${restError || 'forbidden'}`, { details: { ...details, restError } });
    // 408, 409 and 429 say "not now", not "no": they fall to the defaults (transient, retried).
    if (res.status >= 400 && res.status < 500 && ![408, 409, 429].includes(res.status)) return userError('XCART_LEGACY_API_ERROR', `X-Cart legacy REST API: ${restError || `status ${res.status}`}`, { details: { ...details, restError } });
    return undefined;
  }
  switch (res.status) {
    case 401:
      return userError('XCART_AUTH_FAILED', `X-Cart refused the API token: ${detail || 'unauthorized'}`, { details });
    case 403:
      return userError('XCART_FORBIDDEN', `X-Cart denied ${req.operation}: ${detail || 'forbidden'} (is the token the read-only one?)`, { details });
    case 404:
      return userError('XCART_NOT_FOUND', `${req.operation}: ${req.path} not found in X-Cart`, { details });
    case 422: {
      const violations = (body.violations ?? []).map((v) => ({ propertyPath: v.propertyPath ?? '', message: v.message ?? '' }));
      const list = violations.map((v) => `${v.propertyPath}: ${v.message}`).join('; ');
      return userError('XCART_VALIDATION', `X-Cart rejected ${req.operation}: ${list || detail}`, { details: { ...details, violations } });
    }
    case 400:
      // The status sub-resources answer a missing order with InvalidArgumentException → 400.
      if (/^Order with ID \d+ not found$/.test(detail)) return userError('XCART_NOT_FOUND', `${req.operation}: ${detail}`, { details });
      return userError('XCART_REJECTED', `X-Cart rejected ${req.operation} (${res.status}): ${detail}`, { details });
    case 405:
    case 406:
    case 415:
      return userError('XCART_REJECTED', `X-Cart rejected ${req.operation} (${res.status}): ${detail}`, { details });
    default:
      return undefined;
  }
}

export class XcartClient {
  readonly http: HttpClient;
  readonly itemsPerPage: number;
  readonly config: XcartConfig;

  constructor(config: XcartConfig, deps: ConnectorDeps & { rateLimits?: Record<string, { ratePerSec: number; burst: number }> }) {
    this.config = config;
    this.itemsPerPage = config.itemsPerPage ?? 100;
    this.http = new HttpClient({
      connection: deps.connection,
      baseUrl: config.baseUrl,
      timeoutMs: config.timeoutMs ?? 15_000,
      rateLimiter: deps.rateLimiter,
      rateLimits: deps.rateLimits,
      auth: { apply: (_req, headers) => void (headers['x-auth-token'] = config.token) },
      classify: classifyXcart,
    });
  }

  async call<S extends z.ZodType>(
    req: { operation: string; method?: HttpRequest['method']; path: string; query?: Query; body?: unknown; acceptStatus?: number[] },
    schema: S,
  ): Promise<z.output<S>> {
    const res = await this.http.request({
      operation: req.operation,
      method: req.method ?? 'GET',
      path: req.path,
      query: req.query,
      body: req.body,
      headers: { accept: 'application/json' },
    });
    return parseResponse(schema, res.body, req.operation);
  }
}

/** The page envelope every list operation returns (X-Cart's bare JSON array carries no total). */
export interface Page<T> {
  items: T[];
  page: number;
  itemsPerPage: number;
  /** A full page came back, so the next one may hold more. */
  mayHaveMore: boolean;
}

export async function listPage<S extends z.ZodType>(
  client: XcartClient,
  req: { operation: string; path: string; query?: Query; page?: number; itemsPerPage?: number },
  item: S,
): Promise<Page<z.output<S>>> {
  const page = req.page ?? 1;
  const itemsPerPage = req.itemsPerPage ?? client.itemsPerPage;
  const items = await client.call({ operation: req.operation, path: req.path, query: { ...req.query, page, itemsPerPage } }, zArray(item));
  return { items, page, itemsPerPage, mayHaveMore: items.length === itemsPerPage && itemsPerPage > 0 };
}

/**
 * Every item of a list operation, page by page (X-Cart pages by offset: a record created while
 * this runs may shift the pages; the order poller handles that, plain listings accept it).
 */
export async function* allPages<I extends { page?: number }, T>(
  op: { call(client: XcartClient, input: I): Promise<Page<T>> },
  client: XcartClient,
  input: I,
): AsyncGenerator<T> {
  for (let page = input.page ?? 1; ; page++) {
    const res = await op.call(client, { ...input, page });
    yield* res.items;
    if (!res.mayHaveMore) return;
  }
}

export function parseResponse<S extends z.ZodType>(schema: S, body: unknown, operation: string): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw bugError('XCART_UNEXPECTED_RESPONSE', `${operation}: X-Cart's answer does not match the documented shape`, {
      details: { operation, issues: parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  return parsed.data;
}

/** Turns a zod input failure into a clear user error before any call is made. */
export function invalidInput(operation: string, error: z.ZodError): SynclineError {
  return userError('XCART_VALIDATION', `${operation}: invalid input: ${error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, {
    details: { operation, violations: error.issues.map((i) => ({ propertyPath: i.path.join('.'), message: i.message })) },
  });
}
