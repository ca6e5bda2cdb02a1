// GET IC/ICCategories('A1') — an item category's description (the catalog flow names the shop's
// category after it; the xref then keeps the code → category id, so this runs once per category).
import { z } from 'zod';
import { sage300Operation, SAMPLES, WEBAPI_DOCS } from './define.js';

const categoryOut = z.looseObject({ CategoryCode: z.string(), Description: z.string().optional() });

export const getCategory = sage300Operation({
  id: 'getCategory',
  docs: `${WEBAPI_DOCS} (ICCategories GET by key); sample ${SAMPLES}/IC/ICCategories.txt`,
  input: z.strictObject({ categoryCode: z.string().min(1).max(6) }),
  output: categoryOut.nullable(),
  run: async (client, { categoryCode }) => (await client.get('getCategory', 'IC', 'ICCategories', categoryCode, categoryOut)) ?? null,
});
