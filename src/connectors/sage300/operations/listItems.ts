// GET IC/ICItems — the item master, paged through @odata.nextLink; optionally only items maintained
// since a date (DateLastMaintained is a date in Sage, so "since" includes that whole day).
import { z } from 'zod';
import { literal } from '../client.js';
import { itemOut } from '../schemas.js';
import { sage300Operation, WEBAPI_DOCS } from './define.js';

export const listItems = sage300Operation({
  id: 'listItems',
  docs: `${WEBAPI_DOCS} (ICItems)`,
  input: z.strictObject({
    modifiedSince: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'a date such as 2024-05-31').optional(),
    itemNumberStartsWith: z.string().min(1).max(24).optional(),
    category: z.string().min(1).max(6).optional(),
    limit: z.number().int().positive().max(1_000_000).optional(),
  }).default({}),
  output: z.array(itemOut),
  run: (client, input) => {
    const terms: string[] = [];
    if (input.modifiedSince) terms.push(`DateLastMaintained ge datetime'${input.modifiedSince.slice(0, 10)}T00:00:00'`);
    if (input.itemNumberStartsWith) terms.push(`startswith(ItemNumber,${literal(input.itemNumberStartsWith)})`);
    if (input.category) terms.push(`Category eq ${literal(input.category)}`);
    return client.list('listItems', 'IC', 'ICItems', itemOut, { ...(terms.length ? { filter: terms.join(' and ') } : {}), ...(input.limit ? { limit: input.limit } : {}) });
  },
});
