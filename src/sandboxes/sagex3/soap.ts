// SOAP 1.1 RPC/encoded envelopes of CAdxWebServiceXmlCC, as X3's Axis-style stack writes and reads
// them: parameters by name inside `wss:<op>`, `href`/`multiRef` indirection accepted on input (Axis
// clients send arrays that way) and used on output for messages, SOAP Faults for what is not SOAP.
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

export const WSS_NS = 'http://www.adonix.com/WSS';
export const OPERATIONS = ['run', 'save', 'read', 'query', 'modify', 'delete', 'getDescription', 'actionObject', 'actionObjectKeys', 'getDataXmlSchema', 'insertLines', 'deleteLines'] as const;
export type SoapOperation = (typeof OPERATIONS)[number];

export interface CallContext {
  codeLang: string;
  poolAlias: string;
  poolId: string;
  requestConfig: Record<string, string>;
}
export interface SoapCall {
  operation: SoapOperation;
  context: CallContext | undefined;
  publicName: string;
  /** objectXml (save, modify, actionObject) or inputXml (run). */
  payload: string;
  keys: Array<{ key: string; value: string }>;
  listSize: number;
}

export class SoapFault extends Error {
  constructor(readonly faultcode: string, message: string) {
    super(message);
  }
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => name === 'multiRef' || name === 'CAdxParamKeyValue',
});

type Node = Record<string, unknown>;
const textOf = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'object' ? String((v as Node)['#text'] ?? '') : String(v));

export function parseRequest(xml: string): SoapCall {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new SoapFault('soapenv:Server.userException', `org.xml.sax.SAXParseException; lineNumber: ${valid.err.line}; columnNumber: ${valid.err.col}; ${valid.err.msg}`);
  }
  const doc = parser.parse(xml) as Node;
  const env = doc['Envelope'] as Node | undefined;
  if (!env || typeof env !== 'object') throw new SoapFault('soapenv:Client', 'No SOAP Envelope found in the request (SOAP 1.1 expected)');
  const body = env['Body'] as Node | undefined;
  if (!body || typeof body !== 'object') throw new SoapFault('soapenv:Client', 'No SOAP Body found in the request');
  const refs = new Map<string, Node>();
  for (const m of (body['multiRef'] as Node[] | undefined) ?? []) refs.set(textOf(m['@_id']), m);
  const deref = (n: unknown): unknown => {
    if (n && typeof n === 'object' && !Array.isArray(n)) {
      const href = (n as Node)['@_href'];
      if (typeof href === 'string' && href.startsWith('#')) return refs.get(href.slice(1)) ?? n;
    }
    return n;
  };
  const opName = Object.keys(body).find((k) => k !== 'multiRef' && !k.startsWith('@_') && k !== '#text');
  if (!opName) throw new SoapFault('soapenv:Client', 'Empty SOAP Body');
  if (!(OPERATIONS as readonly string[]).includes(opName)) throw new SoapFault('soapenv:Client', `No such operation '${opName}'`);
  const op = (deref(body[opName]) ?? {}) as Node;
  const param = (name: string) => deref(typeof op === 'object' ? op[name] : undefined);

  const cc = param('callContext') as Node | undefined;
  const context: CallContext | undefined = cc && typeof cc === 'object'
    ? {
        codeLang: textOf(deref(cc['codeLang'])),
        poolAlias: textOf(deref(cc['poolAlias'])),
        poolId: textOf(deref(cc['poolId'])),
        requestConfig: parseRequestConfig(textOf(deref(cc['requestConfig']))),
      }
    : undefined;

  const keys: Array<{ key: string; value: string }> = [];
  const ok = param('objectKeys');
  if (ok && typeof ok === 'object') {
    const kv = ok as Node;
    const items: unknown[] = [];
    // Item elements come named CAdxParamKeyValue, or (Axis) after the array itself, often as hrefs.
    for (const name of ['CAdxParamKeyValue', 'objectKeys', 'item']) {
      const v = kv[name];
      if (v !== undefined) items.push(...(Array.isArray(v) ? v : [v]));
    }
    for (const it of items.map(deref)) {
      if (it && typeof it === 'object') keys.push({ key: textOf((it as Node)['key']), value: textOf((it as Node)['value']) });
    }
    // Some clients put <key>/<value> pairs straight under objectKeys.
    if (kv['key'] !== undefined) {
      const ks = ([] as unknown[]).concat(kv['key']);
      const vs = ([] as unknown[]).concat(kv['value'] ?? []);
      ks.forEach((k, i) => keys.push({ key: textOf(k), value: textOf(vs[i]) }));
    }
  }
  const listSizeText = textOf(param('listSize'));
  const listSize = listSizeText === '' ? 0 : Number(listSizeText);
  if (!Number.isInteger(listSize)) throw new SoapFault('soapenv:Server.userException', `java.lang.NumberFormatException: For input string: "${listSizeText}"`);
  return {
    operation: opName as SoapOperation,
    context,
    publicName: textOf(param('publicName')),
    payload: textOf(param('objectXml') ?? param('inputXml') ?? param('lineXml')),
    keys,
    listSize,
  };
}

export function parseRequestConfig(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.replace(/&amp;/g, '&').split('&')) {
    if (!part.trim()) continue;
    const i = part.indexOf('=');
    out[(i < 0 ? part : part.slice(0, i)).trim()] = i < 0 ? '' : part.slice(i + 1).trim();
  }
  return out;
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', cdataPropName: '__cdata', suppressEmptyNode: true, suppressBooleanAttributes: false, processEntities: true });

const ENV_ATTRS = {
  '@_xmlns:soapenv': 'http://schemas.xmlsoap.org/soap/envelope/',
  '@_xmlns:xsd': 'http://www.w3.org/2001/XMLSchema',
  '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
  '@_xmlns:soapenc': 'http://schemas.xmlsoap.org/soap/encoding/',
};
const ENC = 'http://schemas.xmlsoap.org/soap/encoding/';

export interface Timings {
  poolWaitMs: number;
  execMs: number;
  totalMs: number;
  poolEntryIdx: number;
}

export function resultEnvelope(op: string, r: { status: 0 | 1; messages: Array<{ type: string; message: string }>; resultXml?: string }, t: Timings): string {
  const typed = (type: string, v: string | number | boolean) => ({ '@_xsi:type': type, '#text': typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v) });
  const result: Record<string, unknown> = {
    '@_xsi:type': 'wss:CAdxResultXml',
    messages: r.messages.length
      ? { '@_xsi:type': 'soapenc:Array', '@_soapenc:arrayType': `wss:CAdxMessage[${r.messages.length}]`, messages: r.messages.map((_, i) => ({ '@_href': `#id${i}` })) }
      : { '@_xsi:type': 'soapenc:Array', '@_soapenc:arrayType': 'wss:CAdxMessage[0]' },
    resultXml: r.resultXml === undefined
      ? { '@_xsi:type': 'xsd:string', '@_xsi:nil': 'true' }
      // CDATA cannot hold "]]>"; such a result travels entity-escaped instead.
      : r.resultXml.includes(']]>') ? typed('xsd:string', r.resultXml) : { '@_xsi:type': 'xsd:string', __cdata: r.resultXml },
    status: typed('xsd:int', r.status),
    technicalInfos: {
      '@_xsi:type': 'wss:CAdxTechnicalInfos',
      busy: typed('xsd:boolean', false),
      changeLanguage: typed('xsd:boolean', false),
      changeUserId: typed('xsd:boolean', false),
      flushAdx: typed('xsd:boolean', false),
      loadWebsDuration: typed('xsd:double', 0),
      nbDistributionCycle: typed('xsd:int', -1),
      poolDistribDuration: typed('xsd:double', 0),
      poolEntryIdx: typed('xsd:int', t.poolEntryIdx),
      poolExecDuration: typed('xsd:double', t.execMs),
      poolRequestDuration: typed('xsd:double', t.totalMs),
      poolWaitDuration: typed('xsd:double', t.poolWaitMs),
      processReport: { '@_xsi:type': 'xsd:string', '@_xsi:nil': 'true' },
      processReportSize: typed('xsd:int', -1),
      reloadWebs: typed('xsd:boolean', false),
      resumitAfterDBOpen: typed('xsd:boolean', false),
      rowInDistribStack: typed('xsd:int', -1),
      totalDuration: typed('xsd:double', t.totalMs),
      traceRequest: { '@_xsi:type': 'xsd:string', '@_xsi:nil': 'true' },
      traceRequestSize: typed('xsd:int', -1),
    },
  };
  return `<?xml version="1.0" encoding="utf-8"?>${builder.build({
    'soapenv:Envelope': {
      ...ENV_ATTRS,
      'soapenv:Body': {
        [`wss:${op}Response`]: {
          '@_soapenv:encodingStyle': ENC,
          '@_xmlns:wss': WSS_NS,
          [`${op}Return`]: result,
        },
        multiRef: r.messages.map((m, i) => ({
          '@_id': `id${i}`,
          '@_soapenc:root': '0',
          '@_soapenv:encodingStyle': ENC,
          '@_xsi:type': 'wss:CAdxMessage',
          '@_xmlns:soapenc': ENC,
          '@_xmlns:wss': WSS_NS,
          message: typed('xsd:string', m.message),
          type: typed('xsd:string', m.type),
        })),
      },
    },
  })}`;
}

export function faultEnvelope(faultcode: string, faultstring: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>${builder.build({
    'soapenv:Envelope': {
      ...ENV_ATTRS,
      'soapenv:Body': {
        'soapenv:Fault': {
          faultcode,
          faultstring,
          detail: { 'ns1:hostname': { '@_xmlns:ns1': 'http://xml.apache.org/axis/', '#text': 'x3-sandbox' } },
        },
      },
    },
  })}`;
}
