// The API Platform dialect shared by every X-Cart route: content negotiation (bare JSON arrays or
// JSON-LD/Hydra by Accept), pagination (`page`, `itemsPerPage` ≤ 100, default 30), and errors as
// problem+json (or hydra:Error for JSON-LD), 422 with `violations`. Per specs/xcart-sage300.md §1.2.
import type { FastifyReply, FastifyRequest } from 'fastify';

export type Format = 'json' | 'jsonld';
export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;
const PROBLEM_TYPE = 'https://tools.ietf.org/html/rfc2616#section-10';

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly violations?: Array<{ propertyPath: string; message: string }>) {
    super(message);
  }
}

/** Content negotiation. `*\/*` or no Accept gets plain JSON [I: the XC55 format order is unconfirmed]. */
export function negotiate(req: FastifyRequest): Format | null {
  const accept = String(req.headers.accept ?? '*/*').toLowerCase();
  if (accept.includes('application/ld+json')) return 'jsonld';
  if (accept.includes('application/json') || accept.includes('*/*') || accept.includes('application/*')) return 'json';
  return null;
}

export function sendError(reply: FastifyReply, format: Format, status: number, detail: string, violations?: Array<{ propertyPath: string; message: string }>): FastifyReply {
  const v = violations?.map((x) => ({ propertyPath: x.propertyPath, message: x.message, code: null }));
  if (format === 'jsonld') {
    const body = violations
      ? { '@context': '/api/contexts/ConstraintViolationList', '@type': 'ConstraintViolationList', 'hydra:title': 'An error occurred', 'hydra:description': detail, violations: v }
      : { '@context': '/api/contexts/Error', '@type': 'hydra:Error', 'hydra:title': 'An error occurred', 'hydra:description': detail };
    return reply.code(status).header('content-type', 'application/ld+json; charset=utf-8').send(JSON.stringify(body));
  }
  const body = { type: PROBLEM_TYPE, title: 'An error occurred', detail, ...(v ? { violations: v } : {}) };
  return reply.code(status).header('content-type', 'application/problem+json; charset=utf-8').send(JSON.stringify(body));
}

/** Renders an injected fault in X-Cart's own dialect. */
export function renderFault(status: number, reply: FastifyReply): string {
  reply.header('content-type', 'application/problem+json; charset=utf-8');
  return JSON.stringify({ type: PROBLEM_TYPE, title: 'An error occurred', detail: status === 429 ? 'Too Many Requests' : 'Service Unavailable' });
}

export interface PageParams {
  page: number;
  perPage: number;
}

/** API Platform semantics: page < 1 → 400; itemsPerPage < 0 → 400; above the maximum → capped. */
export function pageParams(q: Record<string, unknown>): PageParams {
  const rawPage = q.page;
  const rawPer = q.itemsPerPage;
  const page = rawPage === undefined ? 1 : phpInt(rawPage);
  if (page < 1) throw new ApiError(400, 'Page should not be less than 1');
  let perPage = rawPer === undefined ? DEFAULT_PER_PAGE : phpInt(rawPer);
  if (perPage < 0) throw new ApiError(400, 'Item per page parameter should not be less than 0');
  perPage = Math.min(perPage, MAX_PER_PAGE);
  return { page, perPage };
}

/** PHP's (int) cast: leading digits, else 0. */
function phpInt(v: unknown): number {
  const s = Array.isArray(v) ? String(v[0]) : String(v);
  const m = /^\s*(-?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/**
 * Sends a collection. Items are JSON strings (cached per record) so a 100-item page is a join, not
 * a serialisation. For JSON-LD each item gets its `@id`/`@type`, and the Hydra view links pages.
 */
export function sendCollection(
  reply: FastifyReply,
  req: FastifyRequest,
  format: Format,
  opts: { iri: (id: number) => string; type: string; context: string; items: Array<{ id: number; json: string }>; page: PageParams; hasNext: boolean; total?: number },
): FastifyReply {
  if (format === 'json') {
    const parts = ['['];
    opts.items.forEach((i, n) => parts.push(n ? ',' : '', i.json));
    parts.push(']');
    return reply.header('content-type', 'application/json; charset=utf-8').send(utf8(parts));
  }
  const type = JSON.stringify(opts.type);
  const path = req.url.split('?')[0]!;
  const params = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
  const link = (p: number) => {
    params.set('page', String(p));
    return `${path}?${params.toString()}`;
  };
  const view: Record<string, unknown> = { '@id': link(opts.page.page), '@type': 'hydra:PartialCollectionView' };
  if (opts.total !== undefined && opts.page.perPage > 0) {
    view['hydra:first'] = link(1);
    view['hydra:last'] = link(Math.max(1, Math.ceil(opts.total / opts.page.perPage)));
  }
  if (opts.page.page > 1) view['hydra:previous'] = link(opts.page.page - 1);
  if (opts.hasNext) view['hydra:next'] = link(opts.page.page + 1);
  const head = JSON.stringify({ '@context': opts.context, '@id': path, '@type': 'hydra:Collection' });
  const tail = JSON.stringify({ 'hydra:totalItems': opts.total ?? 0, 'hydra:view': view });
  const parts = [`${head.slice(0, -1)},"hydra:member":[`];
  opts.items.forEach((i, n) => parts.push(n ? ',' : '', `{"@id":${JSON.stringify(opts.iri(i.id))},"@type":${type},`, i.json.slice(1)));
  parts.push(`],${tail.slice(1)}`);
  return reply.header('content-type', 'application/ld+json; charset=utf-8').send(utf8(parts));
}

/**
 * The body of a page, written part by part into one Buffer. A page of 100 orders is ~250 KB of
 * JSON: joined into one string, V8 allocates it straight in the old generation (large-object space,
 * past 128 KB) for every page read, 500+ pages in a 10,000-order demo (issue 12). A Buffer's bytes
 * live outside the JS heap and go with the reply.
 */
function utf8(parts: string[]): Buffer {
  let size = 0;
  for (const p of parts) size += Buffer.byteLength(p);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const p of parts) at += out.write(p, at);
  return out;
}

export function sendItem(reply: FastifyReply, format: Format, json: string, iri: string, type: string, context: string, status = 200): FastifyReply {
  if (format === 'json') return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(json);
  return reply
    .code(status)
    .header('content-type', 'application/ld+json; charset=utf-8')
    .send(`{"@context":${JSON.stringify(context)},"@id":${JSON.stringify(iri)},"@type":${JSON.stringify(type)},${json.slice(1)}`);
}

/** PHP DateTime-ish parsing of filter values: ISO-8601 (UTC when no zone), `Y-m-d`, or `@<unix>`. */
export function parseFilterDate(v: string): number | null {
  const s = v.trim();
  if (/^@-?\d+$/.test(s)) return Number(s.slice(1));
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return null;
  let iso = s.replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += 'T00:00:00Z';
  else if (!/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) iso += 'Z';
  iso = iso.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

/** A JSON request body, read as text so malformed JSON gets X-Cart's 400 rather than Fastify's. */
export function jsonBody(req: FastifyRequest): Record<string, unknown> {
  const raw = req.body;
  if (raw === undefined || raw === null || raw === '') throw new ApiError(400, 'Syntax error');
  let parsed: unknown;
  try {
    parsed = typeof raw === 'string' ? JSON.parse(raw) : raw;
  } catch {
    throw new ApiError(400, 'Syntax error');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ApiError(400, 'The input data is misformatted.');
  return parsed as Record<string, unknown>;
}
