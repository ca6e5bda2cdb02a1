// GET IC/ICLocationDetails for every item (optionally only some locations): the whole ICILOC
// picture the stock read-back compares the shop with. Same EXTENSION as getStock — the 2022 Web
// API has no item-quantity resource (docs/connectors/sage300.md).
import { z } from 'zod';
import { literal } from '../client.js';
import { stockOut } from '../schemas.js';
import { sage300Operation, WEBAPI_DOCS } from './define.js';

export const listStock = sage300Operation({
  id: 'listStock',
  docs: `${WEBAPI_DOCS} (no official resource; ICILOC view, see docs/connectors/sage300.md)`,
  input: z.strictObject({ locations: z.array(z.string().min(1).max(6)).max(50).optional() }).default({}),
  output: z.array(stockOut),
  run: (client, { locations }) =>
    client.list('listStock', 'IC', 'ICLocationDetails', stockOut, locations?.length ? { filter: locations.map((l) => `Location eq ${literal(l)}`).join(' or ') } : {}),
});
