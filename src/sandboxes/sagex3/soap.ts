// SOAP 1.1 RPC/encoded envelopes of CAdxWebServiceXmlCC, as X3's Axis-style stack writes and reads
// them: parameters by name inside `wss:<op>`, `href`/`multiRef` indirection accepted on input (Axis
// clients send arrays that way) and used on output for messages, SOAP Faults for what is not SOAP.
import { child, children, esc, parseXml, XmlSyntaxError, type XmlElement } from '../../xml/xml.js';

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

export function parseRequest(xml: string): SoapCall {
  let doc: XmlElement;
  try {
    doc = parseXml(xml);
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw new SoapFault('soapenv:Server.userException', `org.xml.sax.SAXParseException; lineNumber: ${e.line}; columnNumber: ${e.column}; ${e.message}`);
    throw e;
  }
  if (doc.name !== 'Envelope') throw new SoapFault('soapenv:Client', 'No SOAP Envelope found in the request (SOAP 1.1 expected)');
  const body = child(doc, 'Body');
  if (!body) throw new SoapFault('soapenv:Client', 'No SOAP Body found in the request');
  const refs = new Map<string, XmlElement>();
  for (const m of children(body, 'multiRef')) refs.set(m.attrs['id'] ?? '', m);
  const deref = (el: XmlElement | undefined): XmlElement | undefined => {
    const href = el?.attrs['href'];
    return href && href.startsWith('#') ? refs.get(href.slice(1)) ?? el : el;
  };
  const opEl = body.children.find((c) => c.name !== 'multiRef');
  if (!opEl) throw new SoapFault('soapenv:Client', 'Empty SOAP Body');
  if (!(OPERATIONS as readonly string[]).includes(opEl.name)) throw new SoapFault('soapenv:Client', `No such operation '${opEl.name}'`);
  const op = deref(opEl)!;
  const param = (name: string) => deref(child(op, name));
  const textOf = (el: XmlElement | undefined) => (el ? el.text.trim() : '');

  const cc = param('callContext');
  const context: CallContext | undefined = cc
    ? {
        codeLang: textOf(deref(child(cc, 'codeLang'))),
        poolAlias: textOf(deref(child(cc, 'poolAlias'))),
        poolId: textOf(deref(child(cc, 'poolId'))),
        requestConfig: parseRequestConfig(textOf(deref(child(cc, 'requestConfig')))),
      }
    : undefined;

  const keys: Array<{ key: string; value: string }> = [];
  const ok = param('objectKeys');
  if (ok) {
    // Items come named CAdxParamKeyValue, or (Axis) after the array itself, often as hrefs; some
    // clients put <key>/<value> pairs straight under objectKeys.
    const items = ok.children.filter((c) => c.name === 'CAdxParamKeyValue' || c.name === 'objectKeys' || c.name === 'item').map(deref);
    for (const it of items) if (it) keys.push({ key: textOf(deref(child(it, 'key'))), value: textOf(deref(child(it, 'value'))) });
    const ks = children(ok, 'key');
    const vs = children(ok, 'value');
    ks.forEach((k, i) => keys.push({ key: textOf(k), value: textOf(vs[i]) }));
  }
  const listSizeText = textOf(param('listSize'));
  const listSize = listSizeText === '' ? 0 : Number(listSizeText);
  if (!Number.isInteger(listSize)) throw new SoapFault('soapenv:Server.userException', `java.lang.NumberFormatException: For input string: "${listSizeText}"`);
  const payloadEl = param('objectXml') ?? param('inputXml') ?? param('lineXml');
  return {
    operation: opEl.name as SoapOperation,
    context,
    publicName: textOf(param('publicName')),
    payload: payloadEl ? payloadEl.text : '',
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

const ENV_OPEN =
  '<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"><soapenv:Body>';
const ENV_CLOSE = '</soapenv:Body></soapenv:Envelope>';
const ENC = 'http://schemas.xmlsoap.org/soap/encoding/';

export interface Timings {
  poolWaitMs: number;
  execMs: number;
  totalMs: number;
  poolEntryIdx: number;
}

const ms = (v: number) => String(Math.round(v * 1000) / 1000);

export function resultEnvelope(op: string, r: { status: 0 | 1; messages: Array<{ type: string; message: string }>; resultXml?: string }, t: Timings): string {
  const msgs = r.messages.length
    ? `<messages xsi:type="soapenc:Array" soapenc:arrayType="wss:CAdxMessage[${r.messages.length}]">${r.messages.map((_, i) => `<messages href="#id${i}"/>`).join('')}</messages>`
    : '<messages xsi:type="soapenc:Array" soapenc:arrayType="wss:CAdxMessage[0]"/>';
  const result = r.resultXml === undefined
    ? '<resultXml xsi:type="xsd:string" xsi:nil="true"/>'
    // CDATA cannot hold "]]>"; such a result travels entity-escaped instead.
    : r.resultXml.includes(']]>') ? `<resultXml xsi:type="xsd:string">${esc(r.resultXml)}</resultXml>` : `<resultXml xsi:type="xsd:string"><![CDATA[${r.resultXml}]]></resultXml>`;
  const tech =
    '<technicalInfos xsi:type="wss:CAdxTechnicalInfos"><busy xsi:type="xsd:boolean">false</busy><changeLanguage xsi:type="xsd:boolean">false</changeLanguage>' +
    '<changeUserId xsi:type="xsd:boolean">false</changeUserId><flushAdx xsi:type="xsd:boolean">false</flushAdx><loadWebsDuration xsi:type="xsd:double">0</loadWebsDuration>' +
    '<nbDistributionCycle xsi:type="xsd:int">-1</nbDistributionCycle><poolDistribDuration xsi:type="xsd:double">0</poolDistribDuration>' +
    `<poolEntryIdx xsi:type="xsd:int">${t.poolEntryIdx}</poolEntryIdx><poolExecDuration xsi:type="xsd:double">${ms(t.execMs)}</poolExecDuration>` +
    `<poolRequestDuration xsi:type="xsd:double">${ms(t.totalMs)}</poolRequestDuration><poolWaitDuration xsi:type="xsd:double">${ms(t.poolWaitMs)}</poolWaitDuration>` +
    '<processReport xsi:type="xsd:string" xsi:nil="true"/><processReportSize xsi:type="xsd:int">-1</processReportSize><reloadWebs xsi:type="xsd:boolean">false</reloadWebs>' +
    '<resumitAfterDBOpen xsi:type="xsd:boolean">false</resumitAfterDBOpen><rowInDistribStack xsi:type="xsd:int">-1</rowInDistribStack>' +
    `<totalDuration xsi:type="xsd:double">${ms(t.totalMs)}</totalDuration><traceRequest xsi:type="xsd:string" xsi:nil="true"/><traceRequestSize xsi:type="xsd:int">-1</traceRequestSize></technicalInfos>`;
  const refs = r.messages
    .map((m, i) => `<multiRef id="id${i}" soapenc:root="0" soapenv:encodingStyle="${ENC}" xsi:type="wss:CAdxMessage" xmlns:wss="${WSS_NS}"><message xsi:type="xsd:string">${esc(m.message)}</message><type xsi:type="xsd:string">${esc(m.type)}</type></multiRef>`)
    .join('');
  return `${ENV_OPEN}<wss:${op}Response soapenv:encodingStyle="${ENC}" xmlns:wss="${WSS_NS}"><${op}Return xsi:type="wss:CAdxResultXml">${msgs}${result}<status xsi:type="xsd:int">${r.status}</status>${tech}</${op}Return></wss:${op}Response>${refs}${ENV_CLOSE}`;
}

export function faultEnvelope(faultcode: string, faultstring: string): string {
  return `${ENV_OPEN}<soapenv:Fault><faultcode>${esc(faultcode)}</faultcode><faultstring>${esc(faultstring)}</faultstring><detail><ns1:hostname xmlns:ns1="http://xml.apache.org/axis/">x3-sandbox</ns1:hostname></detail></soapenv:Fault>${ENV_CLOSE}`;
}
