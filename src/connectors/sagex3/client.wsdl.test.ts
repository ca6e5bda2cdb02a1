// Every envelope the connector builds names and orders its parameters as X3's WSDL declares them
// (RPC/encoded servers read parameters by position as well as by name).
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { WSDL_OPERATIONS } from '../../sandboxes/sagex3/wsdl.js';
import { SageX3Client, type SoapMethod, type SoapParams } from './client.js';

describe('SOAP envelopes follow the WSDL', () => {
  const client = new SageX3Client({ baseUrl: 'http://127.0.0.1:1', auth: { type: 'basic', user: 'U', password: 'P' }, poolAlias: 'P1', codeLang: 'FRA', returnFormat: 'JSON' }, { connection: 'wsdl-check' });
  const build = (m: SoapMethod, p: SoapParams) => (client as unknown as { envelope(m: SoapMethod, p: SoapParams): string }).envelope(m, p);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', removeNSPrefix: true, preserveOrder: true });
  const methods: SoapMethod[] = ['run', 'save', 'read', 'query', 'modify', 'delete', 'getDescription'];

  it.each(methods)('%s', (method) => {
    const xml = build(method, { publicName: 'WSSOH', payload: '<PARAM><GRP ID="A"><FLD NAME="X">]]>&</FLD></GRP></PARAM>', keys: [{ key: 'SOHNUM', value: 'S1' }], listSize: 10 });
    const doc = parser.parse(xml) as Array<Record<string, any>>;
    const env = doc.find((n) => n.Envelope)!.Envelope as Array<Record<string, any>>;
    const body = env.find((n) => n.Body)!.Body as Array<Record<string, any>>;
    const op = body.find((n) => n[method])!;
    expect(op[':@']['@_encodingStyle']).toBe('http://schemas.xmlsoap.org/soap/encoding/');
    const names = (op[method] as Array<Record<string, unknown>>).map((n) => Object.keys(n).find((k) => k !== ':@'));
    const wsdl = WSDL_OPERATIONS.find(([name]) => name === method)![1].map(([n]) => n);
    expect(names).toEqual(['callContext', ...wsdl]);
  });

  it('call context carries language, pool alias and requestConfig; payloads survive CDATA edge cases', () => {
    const xml = build('save', { publicName: 'WSSOH', payload: '<PARAM><GRP ID="A"><FLD NAME="X">a]]>b &amp; c</FLD></GRP></PARAM>' });
    const doc = new XMLParser({ removeNSPrefix: true, parseTagValue: false }).parse(xml) as Record<string, any>;
    const save = doc.Envelope.Body.save;
    expect(save.callContext.codeLang).toBe('FRA');
    expect(save.callContext.poolAlias).toBe('P1');
    expect(save.callContext.requestConfig).toBe('adxwss.optreturn=JSON');
    expect(save.objectXml).toBe('<PARAM><GRP ID="A"><FLD NAME="X">a]]>b &amp; c</FLD></GRP></PARAM>');
  });
});
