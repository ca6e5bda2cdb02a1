// CAdxWebServiceXmlCC.query: the object's left list, filtered by criteria on its columns (objectKeys),
// at most listSize rows. https://online-help.sageerpx3.com/erp/12/wp-static-content/static-pages/en_US/V7DEV/api-guide_soap-web-services.html
import { z } from 'zod';
import { SOAP_DOCS } from '../client.js';
import { decodeRows, type FlatRow } from '../payload.js';
import { defineX3Operation, objectSchema } from './define.js';

export const queryInput = z.object({
  object: objectSchema,
  /** Column → value; a trailing `*` matches a prefix. Empty: the whole left list. */
  criteria: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), z.string()).default({}),
  listSize: z.number().int().min(1).max(10_000).default(100),
});

export const query = defineX3Operation<z.input<typeof queryInput>, FlatRow[]>({
  id: 'query',
  docs: SOAP_DOCS,
  input: queryInput,
  output: z.array(z.record(z.string(), z.union([z.string(), z.array(z.string())]))),
  async run(client, input) {
    const i = queryInput.parse(input);
    const keys = Object.entries(i.criteria).map(([key, value]) => ({ key, value }));
    const r = await client.call('query', { publicName: client.publication(i.object), keys, listSize: i.listSize });
    return decodeRows(r.resultXml);
  },
});
