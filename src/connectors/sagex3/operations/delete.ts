// CAdxWebServiceXmlCC.delete: delete a record by key (X3 refuses when the record is in use).
// https://online-help.sageerpx3.com/erp/12/wp-static-content/static-pages/en_US/V7DEV/api-guide_soap-web-services.html
import { z } from 'zod';
import { SOAP_DOCS } from '../client.js';
import { defineX3Operation, keySchema, objectSchema, toKeys } from './define.js';

export const deleteInput = z.object({ object: objectSchema, key: keySchema });

export const deleteRecord = defineX3Operation<z.input<typeof deleteInput>, { deleted: true }>({
  id: 'delete',
  docs: SOAP_DOCS,
  input: deleteInput,
  output: z.object({ deleted: z.literal(true) }),
  async run(client, input) {
    await client.call('delete', { publicName: client.publication(input.object), keys: toKeys(client, input.object, input.key) });
    return { deleted: true as const };
  },
});
