// Reading X3 answers as X3 writes them: the Axis multiRef shape of a real error response (the SIH
// save fixture quoted in ../shared/specs/sage-x3.md §1), inline messages, and status 1 with a type-3.
import { describe, expect, it } from 'vitest';
import { classifyMessages, parseResponse } from './client.js';

const ENV = 'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:wss="http://www.adonix.com/WSS"';
const tech = '<technicalInfos xsi:type="wss:CAdxTechnicalInfos"><busy xsi:type="xsd:boolean">false</busy><processReportSize xsi:type="xsd:int">-1</processReportSize></technicalInfos>';

describe('parseResponse', () => {
  it('reads the real SIH error response: status 0, the type-3 message from multiRef → X3_DUPLICATE', () => {
    const xml = `<soapenv:Envelope ${ENV}><soapenv:Body>
 <wss:saveResponse soapenv:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">
  <saveReturn xsi:type="wss:CAdxResultXml">
   <messages xsi:type="soapenc:Array" soapenc:arrayType="wss:CAdxMessage[1]"><messages href="#id0"/></messages>
   <resultXml xsi:type="xsd:string" xsi:nil="true"/>
   <status xsi:type="xsd:int">0</status>${tech}
  </saveReturn></wss:saveResponse>
 <multiRef id="id0" soapenc:root="0" soapenv:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" xsi:type="wss:CAdxMessage">
  <type>3</type><message>Nº Fatura NAU já registada no documento: FAC-0001</message></multiRef>
</soapenv:Body></soapenv:Envelope>`;
    const r = parseResponse('save', xml);
    expect(r.status).toBe(0);
    expect(r.resultXml).toBeUndefined();
    expect(r.messages).toEqual([{ type: '3', message: 'Nº Fatura NAU já registada no documento: FAC-0001' }]);
    expect(r.technicalInfos.processReportSize).toBe('-1');
    const e = classifyMessages(r.messages, { method: 'save', publicName: 'WSSIH' });
    expect([e.code, e.kind]).toEqual(['X3_DUPLICATE', 'user']);
  });

  it('reads inline messages and a CDATA result; a type-3 message with status 1 is still an error', () => {
    const xml = `<soapenv:Envelope ${ENV}><soapenv:Body><wss:readResponse><readReturn xsi:type="wss:CAdxResultXml">
      <messages xsi:type="soapenc:Array" soapenc:arrayType="wss:CAdxMessage[2]">
        <messages xsi:type="wss:CAdxMessage"><message>Stock insuffisant</message><type>2</type></messages>
        <messages xsi:type="wss:CAdxMessage"><message>Fiche en cours de modification &amp; bloquée</message><type>3</type></messages>
      </messages>
      <resultXml xsi:type="xsd:string"><![CDATA[<?xml version="1.0" encoding="UTF-8"?><RESULT/>]]></resultXml>
      <status xsi:type="xsd:int">1</status>${tech}</readReturn></wss:readResponse></soapenv:Body></soapenv:Envelope>`;
    const r = parseResponse('read', xml);
    expect(r.status).toBe(1);
    expect(r.resultXml).toBe('<?xml version="1.0" encoding="UTF-8"?><RESULT/>');
    expect(r.messages.map((m) => m.type)).toEqual(['2', '3']);
    const e = classifyMessages(r.messages.filter((m) => m.type === '3'), { method: 'read', publicName: 'WSSOH' });
    expect([e.code, e.kind]).toEqual(['X3_LOCKED', 'transient']);
  });

  it('refuses what is not an X3 answer', () => {
    for (const body of ['<html><body>Proxy error</body></html>', 'not xml at all', `<soapenv:Envelope ${ENV}><soapenv:Body><wss:saveResponse/></soapenv:Body></soapenv:Envelope>`]) {
      expect(() => parseResponse('save', body)).toThrowError(expect.objectContaining({ code: 'X3_BAD_RESPONSE', kind: 'transient' }));
    }
  });
});
