// HTTP face of the simulated Sage 300 Web API: {base}/Sage300WebApi/v1.0/-/{Company}/{Module}/{Resource}
// with Basic auth, mandatory JSON content type, OData reads, key addressing and the error body
// {"error":{"code","message":{"lang","value"}}} (SDK DeveloperReference; spec §2.1–2.4).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FaultInjector } from '../shared/faults.js';
import type { Company, Method, Resource } from './company.js';
import { SageApiError, errorBody, invalidParameters, notFound } from './errors.js';
import { parseQueryOptions, project, type Row } from './odata.js';
import { defaults } from './schema.js';
import type { Sage300Features } from './features.js';

export const PREFIX = '/Sage300WebApi/v1.0/-';
export const PAGE_SIZE = 100;

export interface ApiOptions {
  company: Company;
  user: string;
  password: string;
  faults: FaultInjector;
  /** Read on every request, so PUT /__sandbox/features applies at once. */
  features: () => Sage300Features;
}

/** Resource name → the extension switch that serves it (off: the resource does not exist, as on a real server). */
const EXTENSION_SWITCH: Record<string, keyof Sage300Features['extensions']> = { 'IC/ICLocationDetails': 'stock', 'OE/OEShipments': 'shipments' };

/** `'$process'` as Sage's samples write it, or `$process` as the Endpoint Reference does: both are taken. */
function special(keyText: string | undefined): '$process' | '$template' | undefined {
  if (keyText === undefined) return undefined;
  const bare = keyText.trim().replace(/^'(.*)'$/s, '$1');
  return bare === '$process' || bare === '$template' ? bare : undefined;
}

export function renderSageError(status: number): unknown {
  if (status === 429) return errorBody('TooManyRequests', 'Too many requests. Try again later.');
  if (status === 503) return errorBody('InternalServerError', 'The service is unavailable.');
  return errorBody('InternalServerError', 'An error has occurred.');
}

export function installApi(app: FastifyInstance, opts: ApiOptions): void {
  const { company } = opts;
  const goodAuth = new Set<string>();
  const checkAuth = (header: string | undefined): boolean => {
    if (!header) return false;
    if (goodAuth.has(header)) return true;
    const m = /^Basic\s+(.+)$/i.exec(header);
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return false;
    // Sage 300 user ids are stored upper-case, so "webapi" signs in as WEBAPI.
    const ok = decoded.slice(0, i).toUpperCase() === opts.user.toUpperCase() && decoded.slice(i + 1) === opts.password;
    if (ok && goodAuth.size < 1000) goodAuth.add(header);
    return ok;
  };

  // Runs before the body is parsed: the real API answers 500 to any request without a JSON content type.
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith(PREFIX)) return;
    const ct = req.headers['content-type'];
    if (!ct || !/^application\/json\b/i.test(ct)) {
      reply.code(500);
      return reply.send(errorBody('InternalServerError', 'An error has occurred. The request Content-Type must be application/json.'));
    }
    if (!checkAuth(req.headers.authorization)) {
      reply.code(401).header('www-authenticate', 'Basic realm="Sage300WebApi"');
      return reply.send(errorBody('Unauthorized', 'Authorization has been denied for this request.'));
    }
  });

  // Clients send the mandatory content type on GET and DELETE too, with no body: that is not an error.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text as string));
    } catch (e) {
      done(new SageApiError(400, 'InvalidPayload', `The request payload is not valid JSON: ${(e as Error).message}`), undefined);
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err instanceof SageApiError) return reply.code(err.status).send(errorBody(err.code, err.message));
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err.statusCode === 400 && /JSON/i.test(err.message))) {
      return reply.code(400).send(errorBody('InvalidPayload', `The request payload is not valid JSON: ${err.message}`));
    }
    if (err.statusCode === 413) return reply.code(413).send(errorBody('InvalidPayload', 'The request payload is too large.'));
    return reply.code(500).send(errorBody('InternalServerError', `An error has occurred. ${err.message}`));
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send(errorBody('ResourceNotFound', `No resource was found that matches the request URI '${req.url}'.`)));

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const { company: co, module, resource: segment } = req.params as { company: string; module: string; resource: string };
    if (co.toUpperCase() !== company.id.toUpperCase()) throw new SageApiError(401, 'SessionError', `Unable to open a session for company ${co}. Check the company ID and the user's access to it.`);
    const method = req.method as Method;
    const m = /^([A-Za-z0-9_$]+)(?:\((.*)\))?$/s.exec(segment);
    if (!m) throw new SageApiError(404, 'ResourceNotFound', `No resource was found that matches the request URI '${req.url}'.`);
    const name = m[1]!;
    const keyText = m[2];
    const mod = module.toUpperCase();
    const features = opts.features();
    if (name === '$metadata' && method === 'GET') return reply.type('application/xml').send(metadata(company, mod, features));
    const action = special(keyText);
    if (action === '$process') {
      const proc = company.processes.get(`${mod}/${name}`);
      if (!proc) throw new SageApiError(404, 'ResourceNotFound', `No process ${mod}/${name} exists.`);
      if (method !== 'POST') throw new SageApiError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`);
      lock(req);
      return proc.run(readObject(req.body));
    }
    const res = company.resources.get(`${mod}/${name}`);
    if (!res || !served(res, features)) throw new SageApiError(404, 'ResourceNotFound', `No resource was found that matches the request URI '${req.url}'.`);
    if (res.extension) reply.header('x-sandbox-extension', `${res.module}/${res.name}: not in the Sage 300 Web API (${res.extension})`);
    const allowed = methodsOf(res, features);
    if (!allowed.has(method)) {
      reply.header('allow', [...allowed].join(', '));
      throw new SageApiError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`);
    }
    if (action === '$template') return defaults(res.schema);
    const base = `${req.protocol}://${req.headers.host}${PREFIX}/${co}/${module}`;
    if (keyText === undefined) {
      if (method === 'GET') return list(res, req, base, features.countFormat);
      if (method !== 'POST') throw new SageApiError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}' without a key.`);
      lock(req);
      const created = res.create(company.readBody(res, req.body));
      return reply.code(201).header('location', `${base}/${name}(${keyLiteral(res, created)})`).send(created);
    }
    const row = lookup(res, keyText);
    if (method === 'GET') {
      const opts = parseQueryOptions(rawQuery(req.url), res.fields, res.schema.type);
      return project(row, opts.select);
    }
    // A POST to a key other than '$template' / '$process' is an action the API does not know.
    if (method === 'POST') throw new SageApiError(400, 'InvalidAction', `The action (${keyText}) is not valid for ${res.name}. POST creates a record when sent to the collection; actions are '$template' and '$process'.`);
    lock(req);
    if (method === 'DELETE') {
      res.remove(row);
      return reply.code(204).send();
    }
    const body = company.readBody(res, req.body);
    for (const k of res.table.keys) {
      if (body[k] !== undefined && String(body[k]) !== String(row[k])) throw new SageApiError(400, 'InvalidEntityKey', `The key in the payload (${k}=${String(body[k])}) does not match the key in the URI.`);
    }
    const next = res.update(row, body, method === 'PUT' ? 'put' : 'patch');
    for (const k of res.table.keys) next[k] = row[k];
    res.table.replace(next);
    return next;
  };

  /** The record-in-use view error, injected with faults `{"custom":{"lock":p}}`. */
  const lock = (req: FastifyRequest) => {
    if (opts.faults.roll(req.method, req.url, 'lock')) throw new SageApiError(409, 'General', 'The record is in use by another user. Try again later.');
  };

  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    app.route({ method, url: `${PREFIX}/:company/:module/:resource`, handler });
  }
}

function readObject(body: unknown): Row {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new SageApiError(400, 'InvalidPayload', 'The request payload must be a JSON object. The Web API accepts one record per request.');
  return body as Row;
}

function rawQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
}

function list(res: Resource, req: FastifyRequest, base: string, countFormat: Sage300Features['countFormat']): Row {
  const opts = parseQueryOptions(rawQuery(req.url), res.fields, res.schema.type);
  let rows = res.table.rows();
  for (const [field, value] of opts.eq) {
    const hit = res.table.byIndex(field, value);
    if (hit) { rows = hit; break; }
  }
  const limit = opts.top === undefined ? Infinity : opts.top;
  const pageLen = Math.min(PAGE_SIZE, limit);
  const page: Row[] = [];
  let matched = 0;
  let more = false;
  const f = opts.filter;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (f && !f(r)) continue;
    matched++;
    if (matched <= opts.skip) continue;
    if (page.length < pageLen) page.push(project(r, opts.select));
    else if (matched - opts.skip <= limit) {
      more = true;
      if (!opts.count) break;
    }
  }
  const out: Row = { '@odata.context': `${base}/$metadata#${res.name}` };
  // The Developer Reference prints the count as "odata.count":"625" (a string, no @).
  if (opts.count) {
    if (countFormat === 'v4') out['@odata.count'] = matched;
    else out['odata.count'] = String(matched);
  }
  out.value = page;
  if (more) {
    const params: string[] = [];
    for (const [k, v] of Object.entries(opts.raw)) {
      if (k === '$skip' || k === '$top') continue;
      params.push(`${k}=${encodeURIComponent(v)}`);
    }
    if (opts.top !== undefined) params.push(`$top=${opts.top - page.length}`);
    params.push(`$skip=${opts.skip + page.length}`);
    out['@odata.nextLink'] = `${base}/${res.name}?${params.join('&')}`;
  }
  return out;
}

/** `('1200')`, `(1200)`, `(CustomerNumber='1200')`, `(BatchRecordType='CA', BatchNumber=65)`. */
export function parseKey(res: Resource, text: string): string[] {
  const parts: Array<{ name?: string; value: string }> = [];
  let i = 0;
  const bad = (): never => { throw new SageApiError(400, 'InvalidEntityKey', `The key (${text}) is not valid for ${res.name}. Keys: ${res.table.keys.join(', ')}.`); };
  while (i < text.length) {
    while (text[i] === ' ') i++;
    let name: string | undefined;
    const nm = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*/.exec(text.slice(i));
    if (nm) { name = nm[1]; i += nm[0].length; }
    let value: string;
    if (text[i] === "'") {
      let j = i + 1; value = '';
      for (;;) {
        if (j >= text.length) bad();
        if (text[j] === "'") { if (text[j + 1] === "'") { value += "'"; j += 2; continue; } break; }
        value += text[j]; j++;
      }
      i = j + 1;
    } else {
      const num = /^-?\d+(\.\d+)?[mM]?/.exec(text.slice(i));
      if (!num) bad();
      value = num![0].replace(/[mM]$/, '');
      i += num![0].length;
    }
    parts.push({ ...(name ? { name } : {}), value });
    while (text[i] === ' ') i++;
    if (i < text.length) { if (text[i] !== ',') bad(); i++; }
  }
  const keys = res.table.keys;
  if (parts.length !== keys.length) bad();
  if (parts.length === 1 && !parts[0]!.name) return [parts[0]!.value];
  const byName = new Map(parts.map((p) => [p.name, p.value]));
  return keys.map((k) => byName.get(k) ?? bad());
}

function lookup(res: Resource, keyText: string): Row {
  const values = parseKey(res, keyText);
  const row = res.table.get(res.table.keyFrom(values));
  if (!row) throw notFound();
  return row;
}

function keyLiteral(res: Resource, row: Row): string {
  const lit = (k: string) => (res.table.numericKeys.has(k) ? String(row[k]) : `'${String(row[k]).replace(/'/g, "''")}'`);
  return res.table.keys.length === 1 ? lit(res.table.keys[0]!) : res.table.keys.map((k) => `${k}=${lit(k)}`).join(',');
}

function served(res: Resource, features: Sage300Features): boolean {
  const sw = EXTENSION_SWITCH[`${res.module}/${res.name}`];
  return sw === undefined || features.extensions[sw];
}

function methodsOf(res: Resource, features: Sage300Features): ReadonlySet<Method> {
  if (res.module === 'OE' && res.name === 'OEOrders' && features.oeOrderPatch) return new Set([...res.methods, 'PATCH']);
  return res.methods;
}

function metadata(company: Company, mod: string, features: Sage300Features): string {
  const ns = `Sage.CA.SBS.ERP.Sage300.${mod}.WebApi.Models`;
  const edm = { string: 'Edm.String', number: 'Edm.Decimal', boolean: 'Edm.Boolean', date: 'Edm.DateTimeOffset', enum: 'Edm.String' } as const;
  const types: string[] = [];
  const sets: string[] = [];
  for (const res of company.resources.values()) {
    if (res.module !== mod || !served(res, features)) continue;
    const typeName = res.schema.type.split('.').pop()!;
    const props = Object.entries(res.schema.fields).map(([k, f]) => (f.t === 'collection' ? `<Property Name="${k}" Type="Collection(${f.of.type})"/>` : `<Property Name="${k}" Type="${edm[f.t]}"/>`));
    types.push(`<EntityType Name="${typeName}"${res.schema.open ? ' OpenType="true"' : ''}><Key>${res.table.keys.map((k) => `<PropertyRef Name="${k}"/>`).join('')}</Key>${props.join('')}</EntityType>`);
    // Extensions say so in the document itself (an OData annotation a client may read).
    const label = res.extension ? `<Annotation Term="Org.OData.Core.V1.Description" String="EXTENSION (not in the Sage 300 Web API): ${res.extension.replace(/[<&"]/g, '')}"/>` : '';
    sets.push(`<EntitySet Name="${res.name}" EntityType="${ns}.${typeName}">${label}</EntitySet>`);
  }
  if (!sets.length) throw invalidParameters(`Module ${mod} is not available.`);
  return `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="${ns}" xmlns="http://docs.oasis-open.org/odata/ns/edm">${types.join('')}<EntityContainer Name="Container">${sets.join('')}</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
}
