// GET IC/ICLocationDetails — item quantities per location with ICILOC semantics (on hand, committed,
// on sales order; available = on hand − committed). EXTENSION: the 2022 Web API has no such
// resource; a partner endpoint (Partner Web API) must expose it under this name on a real server.
import { z } from 'zod';
import { literal } from '../client.js';
import { stockOut } from '../schemas.js';
import { sage300Operation, WEBAPI_DOCS } from './define.js';

export const getStock = sage300Operation({
  id: 'getStock',
  docs: `${WEBAPI_DOCS} (no official resource; ICILOC view, see docs/connectors/sage300.md)`,
  input: z.strictObject({ itemNumber: z.string().min(1).max(24), location: z.string().min(1).max(6).optional() }),
  output: z.array(stockOut),
  run: (client, { itemNumber, location }) => {
    const byNumber = /[^A-Za-z0-9]/.test(itemNumber) ? `ItemNumber eq ${literal(itemNumber)}` : `UnformattedItemNumber eq ${literal(itemNumber.toUpperCase())}`;
    return client.list('getStock', 'IC', 'ICLocationDetails', stockOut, { filter: location ? `${byNumber} and Location eq ${literal(location)}` : byNumber });
  },
});
