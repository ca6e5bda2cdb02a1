// CAdxWebServiceXmlCC.getDescription: a publication's keys and blocks (groups, tables, fields). Used to
// discover the site's layout instead of assuming Sage's sample one.
// https://online-help.sageerpx3.com/erp/12/wp-static-content/static-pages/en_US/V7DEV/api-guide_soap-web-services.html
import { z } from 'zod';
import { SOAP_DOCS } from '../client.js';
import { defineX3Operation, objectSchema } from './define.js';

const description = z.object({
  keys: z.array(z.string()),
  groups: z.record(z.string(), z.string()),
  tables: z.record(z.string(), z.array(z.string())),
  blocks: z.array(z.object({ id: z.string(), kind: z.enum(['GRP', 'TAB']), fields: z.array(z.string()) })),
});
export type Description = z.infer<typeof description>;

export const getDescription = defineX3Operation<{ object: z.input<typeof objectSchema> }, Description>({
  id: 'getDescription',
  docs: SOAP_DOCS,
  input: z.object({ object: objectSchema }),
  output: description,
  /** Also makes the discovered layout the one the client encodes with from now on. */
  run: (client, input) => client.discoverLayout(input.object),
});
