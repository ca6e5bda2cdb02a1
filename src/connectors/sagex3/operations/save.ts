// CAdxWebServiceXmlCC.save: create a record of a published object.
// https://online-help.sageerpx3.com/erp/12/wp-static-content/static-pages/en_US/V7DEV/api-guide_soap-web-services.html
import { z } from 'zod';
import { SOAP_DOCS } from '../client.js';
import { createSchemas, x3Record, type X3Record } from '../schemas.js';
import { defineX3Operation, fromResult, toPayload } from './define.js';

export const saveInput = z.discriminatedUnion('object', [
  z.object({ object: z.literal('SOH'), data: createSchemas.SOH }),
  z.object({ object: z.literal('ITM'), data: createSchemas.ITM }),
  z.object({ object: z.literal('BPC'), data: createSchemas.BPC }),
  z.object({ object: z.literal('SIH'), data: createSchemas.SIH }),
  z.object({ object: z.literal('GAS'), data: createSchemas.GAS }),
]);

export const save = defineX3Operation<z.input<typeof saveInput>, X3Record>({
  id: 'save',
  docs: SOAP_DOCS,
  input: saveInput as unknown as z.ZodType<z.input<typeof saveInput>>,
  output: x3Record as unknown as z.ZodType<X3Record>,
  async run(client, input) {
    const payload = toPayload(client, input.object, input.data as Record<string, unknown>, 'create');
    const r = await client.call('save', { publicName: client.publication(input.object), payload });
    return fromResult(input.object, r.resultXml);
  },
});
