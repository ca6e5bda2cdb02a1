// The X3 SOAP client (CAdxWebServiceXmlCC, SOAP 1.1 RPC/encoded) and the api1 REST reader, both over
// the shared HttpClient (auth, timeouts, retries of safe calls, circuit breaker live there). Envelopes
// are written with every value escaped (esc, CDATA only where it cannot be cut short) and read with the
// strict reader of src/xml, which refuses what is not well-formed; every answer is judged here once: HTTP 200 with status 0 or a type-3 message is an error, classified by its text.
// Docs: https://online-help.sageerpx3.com/erp/12/wp-static-content/static-pages/en_US/V7DEV/api-guide_soap-web-services.html
import { z } from 'zod';
import { secret } from '../secret-fields.js';
import { SynclineError, bugError, transientError, userError } from '../../core/errors.js';
import type { RateLimiter } from '../../core/rate-limit.js';
import { HttpClient, type AuthProvider, type HttpResponse } from '../../http/client.js';
import { DEFAULT_LAYOUTS, type X3Object } from './layouts.js';
import { decodeDescription, type Layout } from './payload.js';
import { child, children, esc, parseXml, type XmlElement } from '../../xml/xml.js';

export const SOAP_PATH = '/soap-generic/syracuse/collaboration/syracuse/CAdxWebServiceXmlCC';
export const SOAP_DOCS = 'https://online-help.sageerpx3.com/erp/12/wp-static-content/static-pages/en_US/V7DEV/api-guide_soap-web-services.html';
const WSS = 'http://www.adonix.com/WSS';
const ENC = 'http://schemas.xmlsoap.org/soap/encoding/';

const layoutSchema = z.object({ keys: z.array(z.string()), groups: z.record(z.string(), z.string()), tables: z.record(z.string(), z.array(z.string())) });

// Strict: a key the schema does not know (a credential under a made-up name) is refused, not dropped.
export const sagex3ConfigSchema = z.strictObject({
  /** Syracuse server, e.g. https://x3.example.com:8124 */
  baseUrl: z.string().url(),
  auth: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('basic'), user: z.string().min(1), password: secret(z.string()) }),
    z.strictObject({ type: z.literal('bearer'), token: secret(z.string().min(1)) }),
  ]),
  /** Classic web-service pool alias; case-sensitive. */
  poolAlias: z.string().min(1),
  /** Pins one channel (debugging only). */
  poolId: z.string().default(''),
  codeLang: z.string().min(2).default('ENG'),
  /** Format of the PARAM we send (X3 detects it) and of the RESULT we ask for. */
  payloadFormat: z.enum(['XML', 'JSON']).default('XML'),
  returnFormat: z.enum(['XML', 'JSON']).default('XML'),
  /** Publication names as this site published them (GESAWE). */
  publications: z
    .object({ SOH: z.string(), ITM: z.string(), BPC: z.string(), SIH: z.string(), GAS: z.string(), STOCK: z.string(), COUNT: z.string(), CLOSE: z.string(), MOVE: z.string() })
    .partial()
    .default({}),
  /** Per-object layouts overriding the defaults (or run `discoverLayout`). */
  layouts: z.partialRecord(z.enum(['SOH', 'ITM', 'BPC', 'SIH', 'GAS']), layoutSchema).optional(),
  /**
   * How to find a sales order by CUSORDREF before creating it: the SOAP left list (`query`, needs
   * CUSORDREF among the publication's left-list columns) or an api1 query on SORDER.
   */
  orderLookup: z.enum(['query', 'api1']).default('query'),
  /** X3 endpoint (folder) for api1 reads, e.g. SEED. */
  endpoint: z.string().min(1).default('SEED'),
  soapPath: z.string().default(SOAP_PATH),
  /** Calls in flight at once; keep it at or below the pool's channels so calls do not queue in X3. */
  maxConcurrent: z.number().int().positive().default(4),
  timeoutMs: z.number().int().positive().default(60_000),
});
export type SageX3Config = z.input<typeof sagex3ConfigSchema>;
type ParsedConfig = z.output<typeof sagex3ConfigSchema>;

export const DEFAULT_PUBLICATIONS = { SOH: 'WSSOH', ITM: 'WSITM', BPC: 'WSBPC', SIH: 'WSSIH', GAS: 'WSGAS', STOCK: 'YSTOCK' } as const;

export type SoapMethod = 'run' | 'save' | 'read' | 'query' | 'modify' | 'delete' | 'getDescription';

export interface X3Message {
  type: '1' | '2' | '3' | string;
  message: string;
}
export interface SoapResult {
  status: number;
  messages: X3Message[];
  resultXml: string | undefined;
  technicalInfos: Record<string, string>;
}

export interface SoapParams {
  publicName: string;
  /** objectXml (save/modify) or inputXml (run). */
  payload?: string;
  keys?: Array<{ key: string; value: string }>;
  listSize?: number;
}

/** Character data of an element, trimmed ('' when absent), as X3's answers are read. */
const text = (el: XmlElement | undefined): string => (el ? el.text.trim() : '');
/** xsd:string in CDATA (what X3 clients send for payloads), escaped text where CDATA would be cut short. */
const cdata = (v: string) => (v.includes(']]>') ? esc(v) : `<![CDATA[${v}]]>`);
const ENVELOPE_OPEN = `<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soapenc="${ENC}" xmlns:wss="${WSS}"><soapenv:Header></soapenv:Header><soapenv:Body>`;
/** Counts calls in flight; waiters are served in order. */
class Gate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

export class SageX3Client {
  readonly config: ParsedConfig;
  readonly http: HttpClient;
  /** COUNT (stock count), CLOSE (order closing), MOVE (stock movements): only where the site publishes them. */
  readonly publications: Record<X3Object | 'STOCK', string> & { COUNT?: string; CLOSE?: string; MOVE?: string };
  private readonly discovered = new Map<X3Object, Layout>();
  private readonly gate: Gate;

  constructor(config: SageX3Config, deps: { connection: string; rateLimiter?: RateLimiter; breaker?: { consecutiveFailures: number; halfOpenAfterMs: number } | false; maxAttempts?: number }) {
    const parsed = sagex3ConfigSchema.safeParse(config);
    if (!parsed.success) {
      throw userError('X3_CONFIG_INVALID', `Sage X3 connection ${deps.connection}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ')}`, { details: { issues: parsed.error.issues } });
    }
    this.config = parsed.data;
    this.publications = { ...DEFAULT_PUBLICATIONS, ...this.config.publications };
    this.gate = new Gate(this.config.maxConcurrent);
    const auth: AuthProvider = {
      apply: (_req, headers) => {
        const a = this.config.auth;
        headers.authorization = a.type === 'basic' ? `Basic ${Buffer.from(`${a.user}:${a.password}`).toString('base64')}` : `Bearer ${a.token}`;
      },
    };
    this.http = new HttpClient({
      connection: deps.connection,
      baseUrl: this.config.baseUrl,
      auth,
      timeoutMs: this.config.timeoutMs,
      ...(deps.rateLimiter ? { rateLimiter: deps.rateLimiter } : {}),
      ...(deps.breaker !== undefined ? { breaker: deps.breaker } : {}),
      ...(deps.maxAttempts !== undefined ? { maxAttempts: deps.maxAttempts } : {}),
      userAgent: 'Syncline/0.1 (Sage X3 SOAP)',
      classify: (res) => classifyHttp(res),
    });
  }

  /** Sends one SOAP call and returns the raw result (status 0 included); `call` is what operations use. */
  async soap(method: SoapMethod, p: SoapParams): Promise<SoapResult> {
    const body = this.envelope(method, p);
    const safe = method === 'read' || method === 'query' || method === 'getDescription';
    const res = await this.gate.run(() =>
      this.http.request<string>({
        operation: `soap.${method}`,
        method: 'POST',
        path: this.config.soapPath,
        headers: { 'content-type': 'text/xml; charset=utf-8', accept: 'text/xml', soapaction: '""' },
        body,
        responseType: 'text',
        // A save or modify whose answer was lost may have happened: never repeat it blindly.
        // Reading stock, or counting it (the same count posts nothing the second time), is safe to repeat;
        // so are closing an order (closing a closed one changes nothing) and a movement by its reference.
        idempotent: safe || (method === 'run' && [this.publications.STOCK, this.publications.COUNT, this.publications.CLOSE, this.publications.MOVE].includes(p.publicName)),
      }),
    );
    return parseResponse(method, res.body);
  }

  /** A SOAP call whose failure (status 0, or any type-3 message) becomes a classified error. */
  async call(method: SoapMethod, p: SoapParams): Promise<SoapResult & { resultXml: string }> {
    const r = await this.soap(method, p);
    const errors = r.messages.filter((m) => m.type === '3');
    if (r.status !== 1 || errors.length) throw classifyMessages(errors.length ? errors : r.messages, { method, publicName: p.publicName, keys: p.keys });
    return { ...r, resultXml: r.resultXml ?? '' };
  }

  private envelope(method: SoapMethod, p: SoapParams): string {
    const str = (name: string, v: string) => `<${name} xsi:type="xsd:string">${esc(v)}</${name}>`;
    const c = this.config;
    let params = `<callContext xsi:type="wss:CAdxCallContext">${str('codeLang', c.codeLang)}${str('poolAlias', c.poolAlias)}${str('poolId', c.poolId)}<requestConfig xsi:type="xsd:string">${cdata(`adxwss.optreturn=${c.returnFormat}`)}</requestConfig></callContext>${str('publicName', p.publicName)}`;
    // Parameter order follows the WSDL's parameterOrder.
    if (method === 'read' || method === 'query' || method === 'modify' || method === 'delete') {
      const keys = p.keys ?? [];
      params += `<objectKeys xsi:type="wss:ArrayOfCAdxParamKeyValue" soapenc:arrayType="wss:CAdxParamKeyValue[${keys.length}]">`;
      for (const k of keys) params += `<CAdxParamKeyValue xsi:type="wss:CAdxParamKeyValue">${str('key', k.key)}${str('value', k.value)}</CAdxParamKeyValue>`;
      params += '</objectKeys>';
    }
    if (method === 'query') params += `<listSize xsi:type="xsd:int">${esc(String(p.listSize ?? 20))}</listSize>`;
    if (method === 'save' || method === 'modify') params += `<objectXml xsi:type="xsd:string">${cdata(p.payload ?? '')}</objectXml>`;
    if (method === 'run') params += `<inputXml xsi:type="xsd:string">${cdata(p.payload ?? '')}</inputXml>`;
    return `${ENVELOPE_OPEN}<wss:${method} soapenv:encodingStyle="${ENC}">${params}</wss:${method}></soapenv:Body></soapenv:Envelope>`;
  }

  publication(object: X3Object | 'STOCK'): string {
    return this.publications[object];
  }

  /** The layout to encode an object with: configured, else discovered, else Sage's sample layout. */
  layout(object: X3Object): Layout {
    return this.config.layouts?.[object] ?? this.discovered.get(object) ?? DEFAULT_LAYOUTS[object];
  }

  /** Reads the publication's keys and groups with getDescription and uses them from now on. */
  async discoverLayout(object: X3Object): Promise<Layout & { blocks: Array<{ id: string; kind: 'GRP' | 'TAB'; fields: string[] }> }> {
    const r = await this.call('getDescription', { publicName: this.publication(object) });
    const d = decodeDescription(r.resultXml);
    this.discovered.set(object, { keys: d.keys, groups: d.groups, tables: d.tables });
    return d;
  }

  /** GET on the api1 REST interface (`/api1/x3/erp/{endpoint}/{class}`) or a `$next` URL. */
  async api1<T = unknown>(pathOrUrl: string, query?: Record<string, string | number | undefined>): Promise<T> {
    const path = /^https?:/.test(pathOrUrl) ? pathOrUrl : `/api1/x3/erp/${encodeURIComponent(this.config.endpoint)}/${pathOrUrl}`;
    const res = await this.gate.run(() => this.http.request<T>({ operation: 'api1.query', method: 'GET', path, ...(query ? { query } : {}), responseType: 'json' }));
    return res.body;
  }
}

/** Reads a CAdxResultXml out of a `<{op}Response>`, resolving Axis `multiRef` messages. */
export function parseResponse(method: string, xml: string): SoapResult {
  // No separate well-formedness pass: the reader refuses what is malformed, a body cut short fails in
  // undici (content-length), and anything without an Envelope/Body/Return below is refused just the same.
  let doc: XmlElement | undefined;
  try {
    doc = typeof xml === 'string' && xml.trim().startsWith('<') ? parseXml(xml) : undefined;
  } catch (e) {
    throw transientError('X3_BAD_RESPONSE', `X3 ${method}: the answer is not XML`, { details: { sample: String(xml).slice(0, 300), error: (e as Error).message } });
  }
  const body = doc?.name === 'Envelope' ? child(doc, 'Body') : undefined;
  if (!body) throw transientError('X3_BAD_RESPONSE', `X3 ${method}: no SOAP Body in the answer`, { details: { sample: String(xml).slice(0, 300) } });
  const fault = child(body, 'Fault');
  if (fault) throw faultError(fault);
  const ret = child(child(body, `${method}Response`), `${method}Return`);
  if (!ret) throw transientError('X3_BAD_RESPONSE', `X3 ${method}: no ${method}Return in the answer`, { details: { sample: xml.slice(0, 300) } });
  const refs = new Map<string, XmlElement>();
  for (const m of children(body, 'multiRef')) refs.set(m.attrs['id'] ?? '', m);
  const messages = children(child(ret, 'messages'), 'messages').map((m) => {
    const href = m.attrs['href'] ?? '';
    const n = href.startsWith('#') ? refs.get(href.slice(1)) : m;
    return { type: text(child(n, 'type')), message: text(child(n, 'message')) };
  });
  const rx = child(ret, 'resultXml');
  const technicalInfos: Record<string, string> = {};
  for (const t of child(ret, 'technicalInfos')?.children ?? []) technicalInfos[t.name] = text(t);
  const status = Number(text(child(ret, 'status')));
  if (!Number.isInteger(status)) throw transientError('X3_BAD_RESPONSE', `X3 ${method}: status is not an integer`, { details: { sample: xml.slice(0, 300) } });
  return { status, messages, resultXml: !rx || rx.attrs['nil'] === 'true' ? undefined : text(rx), technicalInfos };
}

function faultError(fault: XmlElement): SynclineError {
  const faultcode = text(child(fault, 'faultcode'));
  const faultstring = text(child(fault, 'faultstring'));
  if (/no channel free|queue timeout|pool .*busy/i.test(faultstring)) {
    return transientError('X3_POOL_BUSY', `X3 pool busy: ${faultstring}`, { details: { faultcode, faultstring } });
  }
  return bugError('X3_SOAP_FAULT', `X3 SOAP Fault ${faultcode}: ${faultstring}`, { details: { faultcode, faultstring } });
}

/** Non-2xx answers: SOAP Faults and X3's own plain-text refusals; anything else falls to the default. */
function classifyHttp(res: HttpResponse): SynclineError | undefined {
  const body = typeof res.body === 'string' ? res.body : '';
  if (res.status >= 500 && /No Web services accepted/i.test(body)) {
    return transientError('X3_NO_WEB_SERVICES', 'X3 accepts no web services (no web-service child process on the host)', { details: { status: res.status } });
  }
  if (res.status >= 500 && /<(\w+:)?Fault\b/.test(body)) {
    try {
      const doc = parseXml(body);
      const fault = doc.name === 'Envelope' ? child(child(doc, 'Body'), 'Fault') : undefined;
      if (fault) return faultError(fault);
    } catch {
      // fall through to the default classification
    }
  }
  return undefined;
}

// X3's message texts, English and French (codeLang decides). Order matters: a lock message mentions the record.
const PATTERNS: Array<[RegExp, string]> = [
  [/No classic web service pool match/i, 'X3_POOL_NOT_FOUND'],
  [/locked|bloqu|en cours de modification|being modified/i, 'X3_LOCKED'],
  [/not published|non publi/i, 'X3_NOT_PUBLISHED'],
  [/Invalid (XML|JSON)|parsing error|Unknown (group|field|table)|groupe inconnu|champ inconnu/i, 'X3_PAYLOAD_REJECTED'],
  [/already exists|already recorded|existe déjà|déjà enregistr|já registad/i, 'X3_DUPLICATE'],
  [/does not exist|inexistant|n'existe pas|not found/i, 'X3_NOT_FOUND'],
];

export function classifyMessages(messages: X3Message[], ctx: { method: string; publicName: string; keys?: Array<{ key: string; value: string }> }): SynclineError {
  const first = messages[0]?.message ?? 'status 0 without a message';
  let code = 'X3_INVALID';
  for (const [re, c] of PATTERNS) {
    if (messages.some((m) => re.test(m.message))) {
      code = c;
      break;
    }
  }
  const details = { publication: ctx.publicName, method: ctx.method, messages, ...(ctx.keys?.length ? { keys: ctx.keys } : {}) };
  const text = `X3 ${ctx.method} ${ctx.publicName}: ${messages.map((m) => m.message).join(' | ') || first}`;
  return code === 'X3_LOCKED' ? transientError('X3_LOCKED', text, { details }) : userError(code, text, { details });
}
