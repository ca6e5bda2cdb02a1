// GET IC/ICItems('A11002BLK') — the key is the unformatted number; a formatted one (A1-1002-BLK, what
// shops use as SKU) is resolved with $filter=ItemNumber eq '…', since only Sage knows the structure.
import { z } from 'zod';
import { literal } from '../client.js';
import { itemOut } from '../schemas.js';
import { sage300Operation, WEBAPI_DOCS } from './define.js';

export const getItem = sage300Operation({
  id: 'getItem',
  docs: `${WEBAPI_DOCS} (ICItems)`,
  input: z.strictObject({ itemNumber: z.string().min(1).max(24) }),
  output: itemOut.nullable(),
  run: async (client, { itemNumber }) => {
    if (/^[A-Za-z0-9]+$/.test(itemNumber)) {
      const hit = await client.get('getItem', 'IC', 'ICItems', itemNumber.toUpperCase(), itemOut);
      if (hit) return hit;
    }
    const [hit] = await client.list('getItem', 'IC', 'ICItems', itemOut, { filter: `ItemNumber eq ${literal(itemNumber)}`, limit: 1 });
    return hit ?? null;
  },
});
