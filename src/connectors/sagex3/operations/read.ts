// CAdxWebServiceXmlCC.read: one record by its key (objectKeys).
// https://online-help.sageerpx3.com/erp/12/wp-static-content/static-pages/en_US/V7DEV/api-guide_soap-web-services.html
import { z } from 'zod';
import { SOAP_DOCS } from '../client.js';
import { x3Record, type X3Record } from '../schemas.js';
import { defineX3Operation, fromResult, keySchema, objectSchema, toKeys } from './define.js';

export const readInput = z.object({ object: objectSchema, key: keySchema });

export const read = defineX3Operation<z.input<typeof readInput>, X3Record>({
  id: 'read',
  docs: SOAP_DOCS,
  input: readInput,
  output: x3Record as unknown as z.ZodType<X3Record>,
  async run(client, input) {
    const r = await client.call('read', { publicName: client.publication(input.object), keys: toKeys(client, input.object, input.key) });
    return fromResult(input.object, r.resultXml);
  },
});
