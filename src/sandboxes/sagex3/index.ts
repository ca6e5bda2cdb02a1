// Sage X3 sandbox: the classic SOAP web service CAdxWebServiceXmlCC (save, read, query, modify, delete,
// run, getDescription) over site-named publications, the api1 REST query interface for reads, a
// connection pool with channels and a queue, and a back office (receive and move stock, deliver and
// invoice orders) in-process and under /__sandbox. Written from Sage's documentation and samples only
// (../shared/specs/sage-x3.md); it never imports a connector.
import type { FastifyReply } from 'fastify';
import { createSandboxApp, listen } from '../shared/server.js';
import type { RunningSandbox, SandboxOptions } from '../shared/types.js';
import { registerApi1 } from './api1.js';
import { decodePayload, GrammarError, renderDescription, renderRecord, renderRows, type RenderOptions, type Row } from './grammar.js';
import { closeSubprogram, layouts, menuLabel, movementSubprogram, stockCountSubprogram, stockSubprogram, type ObjectCode } from './layouts.js';
import { SandboxFeatures } from '../shared/features.js';
import { sagex3FeaturesSchema, type SageX3Features } from './features.js';

export { SAGE_TESTER_PUBLICATIONS, type PublicationDeclaration } from './publications.js';
export { sagex3FeaturesSchema, type SageX3Features } from './features.js';
import { NoChannelsError, Pool, PoolBusyError, type PoolConfig } from './pool.js';
import { faultEnvelope, parseRequest, resultEnvelope, SoapFault, type SoapCall } from './soap.js';
import { X3Error, X3State, type Rec, type X3Message } from './state.js';
import { renderWsdl } from './wsdl.js';

export const SOAP_PATH = '/soap-generic/syracuse/collaboration/syracuse/CAdxWebServiceXmlCC';
export const WSDL_PATH = '/soap-wsdl/syracuse/collaboration/syracuse/CAdxWebServiceXmlCC';

/** What each X3 site names its publications (GESAWE); ours default to Sage's sample names. */
export interface Publications {
  SOH: string;
  ITM: string;
  BPC: string;
  SIH: string;
  GAS: string;
  /** The stock subprogram. */
  STOCK: string;
  /** Sales order closing and stock movements: site subprograms, published only where the site declares them. */
  CLOSE?: string;
  MOVE?: string;
  /** Stock count: a warehouse X3 does not run (Amazon FBA) counted into its site. */
  COUNT?: string;
}
const SITE_SUBPROGRAMS = ['CLOSE', 'MOVE', 'COUNT'] as const;
export const DEFAULT_PUBLICATIONS: Publications = { SOH: 'WSSOH', ITM: 'WSITM', BPC: 'WSBPC', SIH: 'WSSIH', GAS: 'WSGAS', STOCK: 'YSTOCK' };

export interface SageX3SandboxOptions extends SandboxOptions {
  publications?: Partial<Publications>;
  /** Pools by alias (aliases are case-sensitive); the default pool is named by credentials.poolAlias. */
  pools?: Record<string, Partial<PoolConfig>>;
}

export interface SageX3Sandbox extends RunningSandbox {
  state: X3State;
  pools: Map<string, Pool>;
  publications: Publications;
  faults: import('../shared/faults.js').FaultInjector;
  /** What this site publishes beyond the stock screens (`publicationFields`); `set` republishes at once. */
  features: { readonly current: SageX3Features; set(raw: unknown): SageX3Features };
}

const DEFAULT_POOL: PoolConfig = { channels: 4, queueTimeoutMs: 10_000, execMs: 0 };

export async function start(options: SageX3SandboxOptions = {}): Promise<SageX3Sandbox> {
  const creds = {
    user: options.credentials?.user ?? 'SYNCLINE',
    password: options.credentials?.password ?? 'x3-sandbox',
    token: options.credentials?.token ?? 'x3-sandbox-token',
    poolAlias: options.credentials?.poolAlias ?? 'SYNCLINE',
    endpoint: options.credentials?.endpoint ?? 'SEED',
  };
  // From the CLI, `--credentials '{"publications":{"SOH":"YOSOH"},"pools":{"SYNCLINE":{"channels":3}}}'`
  // configures what a site would configure in GESAWE and the pool administration.
  const fromCli = (key: string): Record<string, unknown> | undefined => {
    const v = (options.credentials as Record<string, unknown> | undefined)?.[key];
    if (v === undefined) return undefined;
    const o: unknown = typeof v === 'string' ? JSON.parse(v) : v;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new TypeError(`sagex3 sandbox: credentials.${key} must be an object`);
    return o as Record<string, unknown>;
  };
  const cliPubs = fromCli('publications');
  for (const [k, v] of Object.entries(cliPubs ?? {})) {
    if (!(k in DEFAULT_PUBLICATIONS || (SITE_SUBPROGRAMS as readonly string[]).includes(k)) || typeof v !== 'string' || !v) throw new TypeError(`sagex3 sandbox: publications.${k} must be one of ${[...Object.keys(DEFAULT_PUBLICATIONS), ...SITE_SUBPROGRAMS].join(', ')} with a non-empty name`);
  }
  const publications: Publications = { ...DEFAULT_PUBLICATIONS, ...options.publications, ...(cliPubs as Partial<Publications> | undefined) };
  const named = Object.values(publications).filter((v) => v !== undefined);
  if (new Set(named).size !== named.length) throw new TypeError('sagex3 sandbox: two publications share one name');
  const byName = new Map<string, { kind: 'object'; code: ObjectCode } | { kind: 'subprogram'; program: 'STOCK' | (typeof SITE_SUBPROGRAMS)[number] }>();
  for (const code of ['SOH', 'ITM', 'BPC', 'SIH', 'GAS'] as const) byName.set(publications[code], { kind: 'object', code });
  byName.set(publications.STOCK, { kind: 'subprogram', program: 'STOCK' });
  for (const program of SITE_SUBPROGRAMS) if (publications[program]) byName.set(publications[program]!, { kind: 'subprogram', program });
  const subprograms = { STOCK: stockSubprogram, CLOSE: closeSubprogram, MOVE: movementSubprogram, COUNT: stockCountSubprogram };

  const scale = options.timeScale && options.timeScale > 0 ? options.timeScale : 1;
  const t0 = Date.now();
  const state = new X3State({ seed: options.seed ?? 1, now: () => new Date(t0 + (Date.now() - t0) * scale) });
  // The site's own publication contents (custom fields and tables), declared like the faults.
  const features = new SandboxFeatures(sagex3FeaturesSchema, options.features);
  state.declare(features.current.publicationFields);
  const pools = new Map<string, Pool>();
  const poolConfigs: Record<string, Partial<PoolConfig>> = { ...(options.pools ?? { [creds.poolAlias]: {} }), ...(fromCli('pools') as Record<string, Partial<PoolConfig>> | undefined) };
  if (!poolConfigs[creds.poolAlias]) poolConfigs[creds.poolAlias] = {};
  for (const [alias, cfg] of Object.entries(poolConfigs)) pools.set(alias, new Pool(alias, { ...DEFAULT_POOL, ...cfg }));

  const basic = `Basic ${Buffer.from(`${creds.user}:${creds.password}`).toString('base64')}`;
  const bearer = `Bearer ${creds.token}`;
  const authorize = (h: string | undefined) => h === basic || h === bearer;
  const userOf = (h: string | undefined) => (h === bearer ? 'TOKEN' : creds.user);

  const { app, faults } = createSandboxApp({
    faults: options.faults,
    renderError: (status, reply) => {
      // What sits in front of X3 (Syracuse, a proxy) answers these, not the SOAP stack: plain text.
      reply.header('content-type', 'text/plain; charset=utf-8');
      return status === 429 ? 'Too Many Requests' : status === 503 ? 'Service Unavailable' : 'Internal Server Error';
    },
  });
  app.addContentTypeParser(['text/xml', 'application/xml', 'application/soap+xml'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const sendFault = (reply: FastifyReply, code: string, message: string) =>
    reply.code(500).header('content-type', 'text/xml; charset=utf-8').send(faultEnvelope(code, message));

  app.post(SOAP_PATH, async (req, reply) => {
    const started = performance.now();
    if (!authorize(req.headers.authorization)) {
      return reply.code(401).header('www-authenticate', 'Basic realm="Syracuse"').header('content-type', 'text/plain; charset=utf-8').send('Authentication failed');
    }
    let call: SoapCall;
    try {
      call = parseRequest(typeof req.body === 'string' ? req.body : '');
    } catch (e) {
      if (e instanceof SoapFault) return sendFault(reply, e.faultcode, e.message);
      throw e;
    }
    const respond = (r: { status: 0 | 1; messages: X3Message[]; resultXml?: string }, waitMs = 0, execMs = 0, idx = -1) =>
      reply.code(200).header('content-type', 'text/xml; charset=utf-8').send(resultEnvelope(call.operation, r, { poolWaitMs: waitMs, execMs, totalMs: performance.now() - started, poolEntryIdx: idx }));
    const alias = call.context?.poolAlias ?? '';
    const pool = pools.get(alias);
    if (!pool) return respond({ status: 0, messages: [{ type: '3', message: `No classic web service pool match to '${alias}'` }] });
    let idx: number;
    const queuedAt = performance.now();
    try {
      idx = await pool.acquire();
    } catch (e) {
      if (e instanceof NoChannelsError) return reply.code(500).header('content-type', 'text/plain; charset=utf-8').send('No Web services accepted');
      if (e instanceof PoolBusyError) return sendFault(reply, 'soapenv:Server', e.message);
      throw e;
    }
    const waited = performance.now() - queuedAt;
    try {
      const lang = call.context?.codeLang || 'ENG';
      const execStart = performance.now();
      const result = await execute(call, lang, userOf(req.headers.authorization), pool.config.execMs, idx, req.method, req.url);
      return respond(result, waited, performance.now() - execStart, idx);
    } finally {
      pool.release();
    }
  });

  async function execute(call: SoapCall, lang: string, user: string, execMs: number, channel: number, method: string, url: string): Promise<{ status: 0 | 1; messages: X3Message[]; resultXml?: string }> {
    const json = (call.context?.requestConfig['adxwss.optreturn'] ?? 'XML').toUpperCase() === 'JSON';
    const err = (message: string) => ({ status: 0 as const, messages: [{ type: '3' as const, message }] });
    const pub = byName.get(call.publicName);
    if (!pub) return err(`Web service ${call.publicName || "''"} not published`);
    try {
      if (call.operation === 'getDescription') {
        if (pub.kind === 'subprogram') {
          const sp = subprograms[pub.program];
          return { status: 1, messages: [], resultXml: renderDescription(call.publicName, 'SUBPROG', [], [...sp.input, ...sp.output.filter((b) => b.id !== 'GRP1')], 'subprogram', json) };
        }
        const l = state.site.layouts[pub.code];
        return { status: 1, messages: [], resultXml: renderDescription(call.publicName, pub.code, l.keys, l.blocks, 'object', json) };
      }
      if (pub.kind === 'subprogram') {
        if (call.operation !== 'run') return err(`${call.publicName} : Method ${call.operation} not available for a subprogram`);
        if (execMs > 0) await sleep(execMs);
        if (pub.program === 'CLOSE') return runClose(call.payload, json, lang);
        if (pub.program === 'MOVE') return runMovement(call.payload, json);
        if (pub.program === 'COUNT') return runCount(call.payload, json);
        return runStock(call.payload, json);
      }
      const code = pub.code;
      const l = state.site.layouts[code];
      const optjson = readOptJson(call.context?.requestConfig['adxwss.optjson']);
      if (typeof optjson === 'string') return err(optjson);
      const opts = { json, menuLabel, ...(optjson ? { optjson } : {}) };
      const render = (rec: Rec) => renderRecord(l.blocks, rec.fields, rec.tables, [{ id: 'ADXTEC', fields: { WW_MODSTAMP: modstamp(rec.updated), WW_MODUSER: rec.modUser } }], opts);
      const keyMap = () => {
        const m: Record<string, string> = {};
        for (const k of call.keys) m[k.key] = k.value;
        return m;
      };
      const lockFault = () => faults.roll(method, url, 'lock');
      switch (call.operation) {
        case 'save': {
          const payload = decodePayload(call.payload);
          if (execMs > 0) await sleep(execMs);
          if (lockFault()) throw state.lockMessage(l.keys.map((k) => String(payload.fields[k.name] ?? '')).join('~') || code, lang, 'ADMIN');
          return { status: 1, messages: [], resultXml: render(state.save(code, payload, user)) };
        }
        case 'read': {
          if (execMs > 0) await sleep(execMs);
          return { status: 1, messages: [], resultXml: render(state.get(code, state.keyOf(code, keyMap()))) };
        }
        case 'query': {
          if (execMs > 0) await sleep(execMs);
          const rows = state.query(code, keyMap(), call.listSize > 0 ? call.listSize : 20);
          return { status: 1, messages: [], resultXml: renderRows(l.leftList, rows, opts) };
        }
        case 'modify':
        case 'delete': {
          const key = state.keyOf(code, keyMap());
          const payload = call.operation === 'modify' ? decodePayload(call.payload) : undefined;
          state.get(code, key);
          state.checkLock(code, key, lang);
          if (lockFault()) throw state.lockMessage(key, lang, 'ADMIN');
          if (execMs > 0) {
            // The record stays locked while this channel works on it: a concurrent modify gets X3's lock message.
            state.lock(code, key, execMs + 60_000, `WS channel ${channel}`);
            try {
              await sleep(execMs);
            } finally {
              state.unlock(code, key);
            }
          }
          if (payload) return { status: 1, messages: [], resultXml: render(state.modify(code, key, payload, user, lang)) };
          state.delete(code, key, lang);
          return { status: 1, messages: [] };
        }
        case 'run':
          return err(`${call.publicName} : Method run not available for an object`);
        default:
          return err(`${call.publicName} : Method ${call.operation} not available in this sandbox`);
      }
    } catch (e) {
      if (e instanceof X3Error) return { status: 0, messages: e.messages };
      if (e instanceof GrammarError) return err(e.message);
      throw e;
    }
  }

  function runStock(input: string, json: boolean): { status: 1; messages: X3Message[]; resultXml: string } {
    const s = subprogramInput(input, stockSubprogram);
    const rows = state.stockRows({ site: s('I_PAT_STOFCY'), item: s('I_PAT_ITM'), lot: s('I_PAT_LOT'), sta: s('I_PAT_STA') });
    const dim = stockSubprogram.output[1]!.dim!;
    const out: Row[] = rows.slice(0, dim).map((r) => ({ O_STOFCY: r.STOFCY, O_ITMREF: r.ITMREF, O_LOT: r.LOT, O_LOC: r.LOC, O_STA: r.STA, O_QTYSTU: r.QTYSTU.toString(), O_CUMALLQTY: r.CUMALLQTY.toString(), O_STU: 'UN' }));
    const messages: X3Message[] = rows.length > dim ? [{ type: '2', message: `${rows.length} stock lines match; the first ${dim} are returned` }] : [];
    const fields: Row = { I_PAT_STOFCY: s('I_PAT_STOFCY'), I_PAT_ITM: s('I_PAT_ITM'), I_PAT_LOT: s('I_PAT_LOT'), I_PAT_STA: s('I_PAT_STA'), O_NBLIG: String(out.length) };
    return { status: 1, messages, resultXml: renderRecord(stockSubprogram.output, fields, { GRP2: out }, [], { json, menuLabel }) };
  }

  /** The subprogram's GRP1 inputs, every field checked against its declaration. */
  function subprogramInput(input: string, def: { input: Array<{ fields: Array<{ name: string }> }> }): (k: string) => string {
    const p = decodePayload(input);
    const allowed = new Set(def.input[0]!.fields.map((f) => f.name));
    for (const [k, g] of Object.entries(p.groupOf)) {
      if (g !== 'GRP1') throw new X3Error([{ type: '3', message: `${g} : Unknown group` }]);
      if (!allowed.has(k)) throw new X3Error([{ type: '3', message: `${g}.${k} : Unknown field` }]);
    }
    if (Object.keys(p.tables).length) throw new X3Error([{ type: '3', message: `${Object.keys(p.tables)[0]} : Unknown table` }]);
    return (k: string) => String(p.fields[k] ?? '').trim();
  }

  function runClose(input: string, json: boolean, lang: string): { status: 1; messages: X3Message[]; resultXml: string } {
    const s = subprogramInput(input, closeSubprogram);
    if (!s('I_SOHNUM')) throw new X3Error([{ type: '3', message: 'I_SOHNUM : Mandatory field' }]);
    const { rec, closed } = state.closeOrder(s('I_SOHNUM'), lang);
    const f = rec.fields;
    const messages: X3Message[] = closed ? [] : [{ type: '2', message: `${s('I_SOHNUM')} : Order already closed` }];
    const fields: Row = { I_SOHNUM: s('I_SOHNUM'), I_REASON: s('I_REASON'), O_ORDSTA: String(f.ORDSTA), O_ALLSTA: String(f.ALLSTA), O_DLVSTA: String(f.DLVSTA), O_INVSTA: String(f.INVSTA), O_CLOSED: closed ? '1' : '0' };
    return { status: 1, messages, resultXml: renderRecord(closeSubprogram.output, fields, {}, [], { json, menuLabel }) };
  }

  function runMovement(input: string, json: boolean): { status: 1; messages: X3Message[]; resultXml: string } {
    const s = subprogramInput(input, movementSubprogram);
    for (const k of ['I_TRSTYP', 'I_STOFCY', 'I_ITMREF', 'I_QTY', 'I_STA', 'I_REF']) if (!s(k)) throw new X3Error([{ type: '3', message: `${k} : Mandatory field` }]);
    const r = state.stockMovement({ trstyp: s('I_TRSTYP'), site: s('I_STOFCY'), item: s('I_ITMREF'), qty: s('I_QTY'), sta: s('I_STA'), from: s('I_STAFROM'), lot: s('I_LOT'), ref: s('I_REF') });
    const fields: Row = { I_TRSTYP: s('I_TRSTYP'), I_STOFCY: s('I_STOFCY'), I_ITMREF: s('I_ITMREF'), I_QTY: s('I_QTY'), I_STA: s('I_STA'), I_STAFROM: s('I_STAFROM'), I_LOT: s('I_LOT'), I_REF: s('I_REF'), I_TEXT: s('I_TEXT'), O_VCRNUM: r.vcrnum, O_NEW: r.created ? '2' : '1' };
    const messages: X3Message[] = r.created ? [] : [{ type: '1', message: `${s('I_REF')} : Already recorded as ${r.vcrnum}` }];
    return { status: 1, messages, resultXml: renderRecord(movementSubprogram.output, fields, {}, [], { json, menuLabel }) };
  }

  function runCount(input: string, json: boolean): { status: 1; messages: X3Message[]; resultXml: string } {
    const s = subprogramInput(input, stockCountSubprogram);
    for (const k of ['I_STOFCY', 'I_ITMREF', 'I_QTYSTU']) if (!s(k)) throw new X3Error([{ type: '3', message: `${k} : Mandatory field` }]);
    const sta = s('I_STA') || 'A';
    const r = state.countStock({ site: s('I_STOFCY'), item: s('I_ITMREF'), sta, qty: s('I_QTYSTU') });
    const fields: Row = { I_STOFCY: s('I_STOFCY'), I_ITMREF: s('I_ITMREF'), I_STA: sta, I_QTYSTU: s('I_QTYSTU'), O_VCRNUM: r.vcrnum, O_PREQTY: r.before, O_DIFQTY: r.difference };
    return { status: 1, messages: [], resultXml: renderRecord(stockCountSubprogram.output, fields, {}, [], { json, menuLabel }) };
  }

  app.get(WSDL_PATH, async (req, reply) => {
    if (!authorize(req.headers.authorization)) return reply.code(401).header('www-authenticate', 'Basic realm="Syracuse"').send('Authentication failed');
    return reply.header('content-type', 'text/xml; charset=utf-8').send(renderWsdl(`${req.protocol}://${req.headers.host}${SOAP_PATH}`));
  });

  registerApi1(app, state, creds.endpoint, authorize);

  // ---------- back office and admin (/__sandbox) ----------
  const boError = (reply: FastifyReply, e: unknown) => {
    if (e instanceof X3Error) return reply.code(400).send({ status: 0, messages: e.messages });
    throw e;
  };
  app.post('/__sandbox/stock/receive', async (req, reply) => {
    try {
      return state.receiveStock(req.body as never);
    } catch (e) {
      return boError(reply, e);
    }
  });
  app.post('/__sandbox/stock/move', async (req, reply) => {
    try {
      return state.moveStock(req.body as never);
    } catch (e) {
      return boError(reply, e);
    }
  });
  app.post('/__sandbox/orders/:sohnum/deliver', async (req, reply) => {
    try {
      return state.deliverOrder((req.params as { sohnum: string }).sohnum);
    } catch (e) {
      return boError(reply, e);
    }
  });
  app.post('/__sandbox/orders/:sohnum/invoice', async (req, reply) => {
    try {
      const rec = state.invoiceOrder((req.params as { sohnum: string }).sohnum);
      return { num: rec.fields.NUM, invnot: rec.fields.INVNOT, invati: rec.fields.INVATI };
    } catch (e) {
      return boError(reply, e);
    }
  });
  app.post('/__sandbox/locks', async (req, reply) => {
    const b = (req.body ?? {}) as { object?: string; key?: string; ms?: number; user?: string };
    if (!b.object || !(b.object in layouts) || !b.key) return reply.code(400).send({ error: 'object (SOH|ITM|BPC|SIH|GAS) and key are required' });
    state.lock(b.object as ObjectCode, b.key, b.ms ?? 60_000, b.user ?? 'OPERATOR');
    return { locked: `${b.object}:${b.key}` };
  });
  app.delete('/__sandbox/locks', async (req) => {
    const q = req.query as { object?: string; key?: string };
    if (q.object && q.key) state.unlock(q.object as ObjectCode, q.key);
    else state.locks.clear();
    return { locks: state.locks.size };
  });
  app.get('/__sandbox/pool', async () => [...pools.values()].map((p) => p.stats()));
  app.put('/__sandbox/pool', async (req, reply) => {
    const b = (req.body ?? {}) as { alias?: string } & Partial<PoolConfig>;
    const alias = b.alias ?? creds.poolAlias;
    const cfg = { ...(pools.get(alias)?.config ?? DEFAULT_POOL) };
    for (const k of ['channels', 'queueTimeoutMs', 'execMs'] as const) {
      const v = b[k];
      if (v !== undefined) {
        if (typeof v !== 'number' || v < 0) return reply.code(400).send({ error: `${k} must be a number ≥ 0` });
        cfg[k] = v;
      }
    }
    const existing = pools.get(alias);
    if (existing) existing.config = cfg;
    else pools.set(alias, new Pool(alias, cfg));
    return pools.get(alias)!.stats();
  });
  app.get('/__sandbox/publications', async () => publications);
  features.install(app, (f) => state.declare(f.publicationFields));

  const url = await listen(app, options.port ?? 0, options.host ?? '127.0.0.1');
  return {
    name: 'sagex3',
    url,
    credentials: { ...creds, soapPath: SOAP_PATH, publications },
    state,
    pools,
    publications,
    faults,
    features: {
      get current() { return features.current; },
      set(raw: unknown) {
        const next = features.set(raw);
        state.declare(next.publicationFields);
        return next;
      },
    },
    close: async () => {
      // Requests held open by the timeout fault would keep close() waiting forever.
      const closing = app.close();
      setTimeout(() => app.server.closeAllConnections(), 100).unref();
      await closing;
    },
  };
}

/** `adxwss.optjson={"OPTIONS":["nolabels"],"INCLUDEGRP":[…],…}`; a string result is X3's complaint. */
function readOptJson(raw: string | undefined): RenderOptionsJson | string | undefined {
  if (raw === undefined || raw === '') return undefined;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(decodeURIComponent(raw)) as Record<string, unknown>;
  } catch {
    return `adxwss.optjson : Invalid JSON (${raw.slice(0, 60)})`;
  }
  const list = (k: string) => (Array.isArray(o[k]) ? (o[k] as unknown[]).map(String) : undefined);
  const options = list('OPTIONS') ?? [];
  return {
    nolabels: options.includes('nolabels'),
    ...(list('INCLUDEGRP') ? { includeGrp: list('INCLUDEGRP') } : {}),
    ...(list('EXCLUDEGRP') ? { excludeGrp: list('EXCLUDEGRP') } : {}),
    ...(list('INCLUDEFLD') ? { includeFld: list('INCLUDEFLD') } : {}),
    ...(list('EXCLUDEFLD') ? { excludeFld: list('EXCLUDEFLD') } : {}),
  };
}
type RenderOptionsJson = NonNullable<RenderOptions['optjson']>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const modstamp = (iso: string) => iso.replace(/[-:T]/g, '').slice(0, 14);
