// CAdxWebServiceXmlCC.modify: update a record by key. Only the fields sent change; a line with `line`
// n updates line n, a line without it is added.
// https://online-help.sageerpx3.com/erp/12/wp-static-content/static-pages/en_US/V7DEV/api-guide_soap-web-services.html
import { z } from 'zod';
import { SOAP_DOCS } from '../client.js';
import { patchSchemas, x3Record, type X3Record } from '../schemas.js';
import { defineX3Operation, fromResult, keySchema, toKeys, toPayload } from './define.js';

export const modifyInput = z.discriminatedUnion('object', [
  z.object({ object: z.literal('SOH'), key: keySchema, data: patchSchemas.SOH }),
  z.object({ object: z.literal('ITM'), key: keySchema, data: patchSchemas.ITM }),
  z.object({ object: z.literal('BPC'), key: keySchema, data: patchSchemas.BPC }),
  z.object({ object: z.literal('SIH'), key: keySchema, data: patchSchemas.SIH }),
  z.object({ object: z.literal('GAS'), key: keySchema, data: patchSchemas.GAS }),
]);

export const modify = defineX3Operation<z.input<typeof modifyInput>, X3Record>({
  id: 'modify',
  docs: SOAP_DOCS,
  input: modifyInput as unknown as z.ZodType<z.input<typeof modifyInput>>,
  output: x3Record as unknown as z.ZodType<X3Record>,
  async run(client, input) {
    const payload = toPayload(client, input.object, input.data as Record<string, unknown>, 'modify');
    const r = await client.call('modify', { publicName: client.publication(input.object), keys: toKeys(client, input.object, input.key), payload });
    return fromResult(input.object, r.resultXml);
  },
});
