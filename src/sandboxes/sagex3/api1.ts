// The Syracuse `api1` REST interface for reads, as integrators use it for polling:
//   GET /api1/x3/erp/{ENDPOINT}/{CLASS}?representation={REPR}.$query&count=20&where=…&orderBy=…&key=gt.…
//   GET /api1/x3/erp/{ENDPOINT}/{CLASS}('K1~K2')?representation={REPR}.$details
// Answers `{"$resources":[…], "$links":{"$next":{"$url":…}}}`; errors are HTTP 4xx with `$diagnoses`.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Row } from './grammar.js';
import { layouts, type ObjectCode } from './layouts.js';
import type { Rec, X3State } from './state.js';

type Resource = Record<string, unknown>;
interface ClassDef {
  key: string[];
  list: () => Resource[];
  /** Child collections shown by `$details`. */
  details?: (r: Resource) => Resource;
}

function recordClass(state: X3State, code: ObjectCode, rename: Record<string, string> = {}, children: Record<string, string> = {}): ClassDef {
  const keys = layouts[code].keys.map((k) => rename[k.name] ?? k.name);
  const flat = (rec: Rec): Resource => {
    const out: Resource = {};
    for (const [k, v] of Object.entries(rec.fields)) out[rename[k] ?? k] = v;
    out.CREDATTIM = rec.created;
    out.UPDDATTIM = rec.updated;
    out.UPDUSR = rec.modUser;
    return out;
  };
  return {
    key: keys,
    list: () => [...state.stores[code].values()].map((rec) => Object.assign(flat(rec), { __rec: rec })),
    details: (r) => {
      const rec = r.__rec as Rec;
      const out: Resource = { ...r };
      for (const [tab, name] of Object.entries(children)) out[name] = (rec.tables[tab] ?? []).map((x: Row) => ({ ...x }));
      return out;
    },
  };
}

export function registerApi1(app: FastifyInstance, state: X3State, endpoint: string, authorize: (h: string | undefined) => boolean): void {
  const classes: Record<string, ClassDef> = {
    SORDER: recordClass(state, 'SOH', {}, { SOH4_1: 'SORDERQ' }),
    ITMMASTER: recordClass(state, 'ITM', { DES1AXX: 'ITMDES1', DES2AXX: 'ITMDES2', DES3AXX: 'ITMDES3' }),
    BPCUSTOMER: recordClass(state, 'BPC', {}, { BPAC_1: 'BPADDRESS' }),
    SINVOICE: recordClass(state, 'SIH', { INVNOT: 'AMTNOT', INVATI: 'AMTATI' }, { SIH4_1: 'SINVOICED' }),
    GACCENTRY: recordClass(state, 'GAS', {}, { HAE1_1: 'GACCENTRYD' }),
    STOCK: {
      key: ['STOCOU'],
      list: () => state.stockRows({}).map((s) => ({ STOCOU: s.STOCOU, STOFCY: s.STOFCY, ITMREF: s.ITMREF, LOT: s.LOT, LOC: s.LOC, STA: s.STA, QTYSTU: s.QTYSTU.toString(), CUMALLQTY: s.CUMALLQTY.toString(), UPDDATTIM: s.UPDDATTIM })),
    },
    STOJOU: { key: ['STOJOUID'], list: () => state.journal.map((j) => ({ ...j })) },
  };

  const diag = (reply: FastifyReply, status: number, message: string) => reply.code(status).send({ $diagnoses: [{ $severity: 'error', $message: message }] });

  app.get('/api1/x3/erp/:endpoint/*', async (req, reply) => {
    if (!authorize(req.headers.authorization)) return reply.code(401).header('www-authenticate', 'Basic realm="Syracuse"').send({ $diagnoses: [{ $severity: 'error', $message: 'Authentication required' }] });
    const { endpoint: ep, '*': rest } = req.params as { endpoint: string; '*': string };
    if (ep !== endpoint) return diag(reply, 404, `Endpoint not found: x3.erp.${ep}`);
    const m = /^([A-Z0-9_]+)(?:\('([^']*)'\))?$/.exec(decodeURIComponent(rest));
    if (!m) return diag(reply, 404, `Invalid path: ${rest}`);
    const cls = classes[m[1]!];
    if (!cls) return diag(reply, 404, `Class not found: ${m[1]}`);
    const q = req.query as Record<string, string | undefined>;
    const repr = q.representation ?? '';
    const rm = /^([A-Z0-9_]+)\.\$(query|details)$/.exec(repr);
    if (!rm) return diag(reply, 400, `Invalid representation parameter: '${repr}' (expected {REPRESENTATION}.$query or .$details)`);
    const keyOf = (r: Resource) => cls.key.map((k) => String(r[k] ?? '')).join('~');

    if (m[2] !== undefined) {
      if (rm[2] !== 'details') return diag(reply, 400, 'A single resource is read with the $details facet');
      const found = cls.list().find((r) => keyOf(r) === m[2]);
      if (!found) return diag(reply, 404, `Resource not found: ${m[1]}('${m[2]}')`);
      const out = cls.details ? cls.details(found) : found;
      delete out.__rec;
      return { $uuid: uuidOf(m[1]!, m[2]!), $etag: String(out.UPDDATTIM ?? ''), $key: m[2], ...out };
    }
    if (rm[2] !== 'query') return diag(reply, 400, 'A list is read with the $query facet');
    const count = q.count === undefined ? 20 : Number(q.count);
    if (!Number.isInteger(count) || count < 1 || count > 1000) return diag(reply, 400, `Invalid count parameter: ${q.count}`);
    let filter: (r: Resource) => boolean = () => true;
    if (q.where) {
      try {
        filter = compileWhere(q.where);
      } catch (e) {
        return diag(reply, 400, `Invalid where parameter: ${(e as Error).message}`);
      }
    }
    let order: Array<{ f: string; desc: boolean }> = cls.key.map((f) => ({ f, desc: false }));
    if (q.orderBy) {
      order = q.orderBy.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
        const [f, dir] = s.split(/\s+/);
        return { f: f!, desc: dir?.toLowerCase() === 'desc' };
      });
      // The key breaks ties, so paging by key is stable.
      for (const k of cls.key) if (!order.some((o) => o.f === k)) order.push({ f: k, desc: false });
    }
    let rows = cls.list().filter(filter).sort((a, b) => {
      for (const o of order) {
        const c = compare(a[o.f], b[o.f]);
        if (c !== 0) return o.desc ? -c : c;
      }
      return 0;
    });
    if (q.key) {
      const km = /^gt\.(.*)$/.exec(q.key);
      if (!km) return diag(reply, 400, `Invalid key parameter: ${q.key}`);
      const at = rows.findIndex((r) => keyOf(r) === km[1]);
      // The record we paged after may have moved (updated): fall back to comparing keys.
      rows = at >= 0 ? rows.slice(at + 1) : rows.filter((r) => compare(keyOf(r), km[1]) > 0);
    }
    const page = rows.slice(0, count);
    const resources = page.map((r) => {
      const { __rec: _omit, ...rest } = r;
      return { $uuid: uuidOf(m[1]!, keyOf(r)), $key: keyOf(r), ...rest };
    });
    const links: Record<string, unknown> = {};
    if (rows.length > count) {
      const next = new URL(`${req.protocol}://${req.headers.host}${req.url}`);
      next.searchParams.set('key', `gt.${keyOf(page[page.length - 1]!)}`);
      links.$next = { $url: next.toString() };
    }
    return { $itemsPerPage: count, $resources: resources, $links: links };
  });
}

function uuidOf(cls: string, key: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (const ch of `${cls}:${key}`) {
    h1 = Math.imul(h1 ^ ch.charCodeAt(0), 16777619) >>> 0;
    h2 = Math.imul(h2 ^ ch.charCodeAt(0), 2246822519) >>> 0;
  }
  const hex = (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).repeat(2);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function compare(a: unknown, b: unknown): number {
  const sa = a === undefined || a === null ? '' : String(a);
  const sb = b === undefined || b === null ? '' : String(b);
  if (/^-?\d+(\.\d+)?$/.test(sa) && /^-?\d+(\.\d+)?$/.test(sb)) return Number(sa) - Number(sb);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** SData-style where: `FIELD op value` joined by and/or with parentheses; op eq ne gt ge lt le like. */
export function compileWhere(src: string): (r: Resource) => boolean {
  const tokens = src.match(/\s*(\(|\)|'(?:[^']|'')*'|@[^@]*@|[^\s()]+)/g)?.map((t) => t.trim()) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const take = () => {
    const t = tokens[i++];
    if (t === undefined) throw new Error('unexpected end of expression');
    return t;
  };
  const value = (t: string): string => {
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (t.startsWith('@')) return t.slice(1, -1);
    return t;
  };
  type Fn = (r: Resource) => boolean;
  const factor = (): Fn => {
    if (peek() === '(') {
      take();
      const e = expr();
      if (take() !== ')') throw new Error('missing )');
      return e;
    }
    const field = take();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) throw new Error(`field name expected, found ${field}`);
    const op = take().toLowerCase();
    const v = value(take());
    const cmp = (r: Resource) => compare(r[field], v);
    switch (op) {
      case 'eq': return (r) => cmp(r) === 0;
      case 'ne': return (r) => cmp(r) !== 0;
      case 'gt': return (r) => cmp(r) > 0;
      case 'ge': return (r) => cmp(r) >= 0;
      case 'lt': return (r) => cmp(r) < 0;
      case 'le': return (r) => cmp(r) <= 0;
      case 'like': {
        const re = new RegExp(`^${v.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*')}$`);
        return (r) => re.test(String(r[field] ?? ''));
      }
      default: throw new Error(`unknown operator ${op}`);
    }
  };
  const term = (): Fn => {
    let f = factor();
    while (peek()?.toLowerCase() === 'and') {
      take();
      const a = f, b = factor();
      f = (r) => a(r) && b(r);
    }
    return f;
  };
  const expr = (): Fn => {
    let f = term();
    while (peek()?.toLowerCase() === 'or') {
      take();
      const a = f, b = term();
      f = (r) => a(r) || b(r);
    }
    return f;
  };
  const fn = expr();
  if (i < tokens.length) throw new Error(`unexpected ${tokens[i]}`);
  return fn;
}

