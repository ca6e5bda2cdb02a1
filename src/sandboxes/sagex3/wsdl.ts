// The WSDL X3 serves at /soap-wsdl/syracuse/collaboration/syracuse/CAdxWebServiceXmlCC?wsdl: SOAP 1.1,
// RPC/encoded, namespace http://www.adonix.com/WSS, service CAdxWebServiceXmlCCService. Generated
// from the operation list below (parameter order as X3's parameterOrder), so stub generators
// (Axis, .NET, node-soap) can be pointed at the sandbox as they are at X3.
import { esc } from '../../xml/xml.js';

const KEYS = ['objectKeys', 'impl:ArrayOfCAdxParamKeyValue'] as const;
const STR = (n: string) => [n, 'xsd:string'] as const;
export const WSDL_OPERATIONS: Array<[string, ReadonlyArray<readonly [string, string]>]> = [
  ['run', [STR('publicName'), STR('inputXml')]],
  ['save', [STR('publicName'), STR('objectXml')]],
  ['delete', [STR('publicName'), KEYS]],
  ['read', [STR('publicName'), KEYS]],
  ['query', [STR('publicName'), KEYS, ['listSize', 'xsd:int']]],
  ['getDescription', [STR('publicName')]],
  ['modify', [STR('publicName'), KEYS, STR('objectXml')]],
  ['actionObject', [STR('publicName'), STR('actionCode'), STR('objectXml')]],
  ['actionObjectKeys', [STR('publicName'), STR('actionCode'), KEYS]],
  ['getDataXmlSchema', [STR('publicName')]],
  ['insertLines', [STR('publicName'), KEYS, STR('blocKey'), STR('lineKey'), STR('lineXml')]],
  ['deleteLines', [STR('publicName'), KEYS, STR('blocKey'), ['lineKeys', 'impl:ArrayOf_xsd_string']]],
];

const seq = (fields: Array<[string, string, boolean]>) =>
  `<xsd:sequence>${fields.map(([n, t, nil]) => `<xsd:element name="${n}"${nil ? ' nillable="true"' : ''} type="${t}"/>`).join('')}</xsd:sequence>`;
const arrayOf = (name: string, item: string) =>
  `<xsd:complexType name="${name}"><xsd:complexContent><xsd:restriction base="soapenc:Array"><xsd:attribute ref="soapenc:arrayType" wsdl:arrayType="${item}[]"/></xsd:restriction></xsd:complexContent></xsd:complexType>`;

export function renderWsdl(address: string): string {
  const s = (n: string) => [n, 'xsd:string', true] as [string, string, boolean];
  const types =
    `<xsd:complexType name="CAdxCallContext">${seq(['codeLang', 'codeUser', 'password', 'poolAlias', 'poolId', 'requestConfig'].map(s))}</xsd:complexType>` +
    `<xsd:complexType name="CAdxMessage">${seq([s('message'), s('type')])}</xsd:complexType>` +
    arrayOf('ArrayOfCAdxMessage', 'impl:CAdxMessage') +
    `<xsd:complexType name="CAdxTechnicalInfos">${seq([
      ['busy', 'xsd:boolean', false], ['changeLanguage', 'xsd:boolean', false], ['changeUserId', 'xsd:boolean', false], ['flushAdx', 'xsd:boolean', false],
      ['loadWebsDuration', 'xsd:double', false], ['nbDistributionCycle', 'xsd:int', false], ['poolDistribDuration', 'xsd:double', false], ['poolEntryIdx', 'xsd:int', false],
      ['poolExecDuration', 'xsd:double', false], ['poolRequestDuration', 'xsd:double', false], ['poolWaitDuration', 'xsd:double', false], ['processReport', 'xsd:string', true],
      ['processReportSize', 'xsd:int', false], ['reloadWebs', 'xsd:boolean', false], ['resumitAfterDBOpen', 'xsd:boolean', false], ['rowInDistribStack', 'xsd:int', false],
      ['totalDuration', 'xsd:double', false], ['traceRequest', 'xsd:string', true], ['traceRequestSize', 'xsd:int', false],
    ])}</xsd:complexType>` +
    `<xsd:complexType name="CAdxResultXml">${seq([['messages', 'impl:ArrayOfCAdxMessage', true], s('resultXml'), ['status', 'xsd:int', false], ['technicalInfos', 'impl:CAdxTechnicalInfos', true]])}</xsd:complexType>` +
    `<xsd:complexType name="CAdxParamKeyValue">${seq([s('key'), s('value')])}</xsd:complexType>` +
    arrayOf('ArrayOfCAdxParamKeyValue', 'impl:CAdxParamKeyValue') +
    arrayOf('ArrayOf_xsd_string', 'xsd:string');
  const messages = WSDL_OPERATIONS.map(
    ([op, params]) =>
      `<wsdl:message name="${op}Request"><wsdl:part name="callContext" type="impl:CAdxCallContext"/>${params.map(([n, t]) => `<wsdl:part name="${n}" type="${t}"/>`).join('')}</wsdl:message>` +
      `<wsdl:message name="${op}Response"><wsdl:part name="${op}Return" type="impl:CAdxResultXml"/></wsdl:message>`,
  ).join('');
  const portType = WSDL_OPERATIONS.map(
    ([op, params]) =>
      `<wsdl:operation name="${op}" parameterOrder="callContext ${params.map(([n]) => n).join(' ')}"><wsdl:input name="${op}Request" message="impl:${op}Request"/><wsdl:output name="${op}Response" message="impl:${op}Response"/></wsdl:operation>`,
  ).join('');
  const body = '<wsdlsoap:body use="encoded" namespace="http://www.adonix.com/WSS" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/>';
  const binding = WSDL_OPERATIONS.map(
    ([op]) => `<wsdl:operation name="${op}"><wsdlsoap:operation soapAction=""/><wsdl:input name="${op}Request">${body}</wsdl:input><wsdl:output name="${op}Response">${body}</wsdl:output></wsdl:operation>`,
  ).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<wsdl:definitions targetNamespace="http://www.adonix.com/WSS" xmlns:apachesoap="http://xml.apache.org/xml-soap" xmlns:impl="http://www.adonix.com/WSS" xmlns:intf="http://www.adonix.com/WSS" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:wsdlsoap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xsd="http://www.w3.org/2001/XMLSchema">' +
    `<wsdl:types><xsd:schema targetNamespace="http://www.adonix.com/WSS" xmlns="http://www.w3.org/2001/XMLSchema"><xsd:import namespace="http://schemas.xmlsoap.org/soap/encoding/"/>${types}</xsd:schema></wsdl:types>` +
    messages +
    `<wsdl:portType name="CAdxWebServiceXmlCC">${portType}</wsdl:portType>` +
    `<wsdl:binding name="CAdxWebServiceXmlCCSoapBinding" type="impl:CAdxWebServiceXmlCC"><wsdlsoap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>${binding}</wsdl:binding>` +
    `<wsdl:service name="CAdxWebServiceXmlCCService"><wsdl:port binding="impl:CAdxWebServiceXmlCCSoapBinding" name="CAdxWebServiceXmlCC"><wsdlsoap:address location="${esc(address)}"/></wsdl:port></wsdl:service>` +
    '</wsdl:definitions>'
  );
}
