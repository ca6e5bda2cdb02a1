// Categories (X-Cart 5.5 `XLite\Model\Category` @ApiResource; github iidevv/xc55): find one by name
// under a parent, create one, put a product in one. The catalog flow keeps Sage 300 category code →
// X-Cart category id in the xref, so these run once per category, not per item.
import { z } from 'zod';
import { SynclineError } from '../../../core/errors.js';
import { allPages, listPage } from '../client.js';
import { xcartOperation } from './define.js';

const DOCS = 'https://github.com/iidevv/xc55/blob/master/classes/XLite/Model/Category.php';

export const categorySchema = z.looseObject({ id: z.number().int(), name: z.string(), parent: z.number().int().nullish(), enabled: z.boolean().nullish() });

const listCategories = xcartOperation({
  id: 'listCategories',
  docs: DOCS,
  input: z.strictObject({ page: z.number().int().min(1).default(1), parent: z.number().int().positive().optional() }),
  output: z.object({ items: z.array(categorySchema), page: z.number(), itemsPerPage: z.number(), mayHaveMore: z.boolean() }),
  run: (client, input) => listPage(client, { operation: 'listCategories', path: 'api/categories', query: { parent: input.parent }, page: input.page }, categorySchema),
});

/** `[]` or `[category]`: the category of that name (case and spaces ignored) under `parent` (omitted: any). */
export const findCategory = xcartOperation({
  id: 'findCategory',
  docs: DOCS,
  input: z.strictObject({ name: z.string().min(1).max(255), parent: z.number().int().positive().optional() }),
  output: z.array(categorySchema),
  async run(client, { name, parent }) {
    const want = name.trim().toLowerCase();
    for await (const c of allPages(listCategories, client, parent ? { parent } : {})) if (c.name.trim().toLowerCase() === want) return [c];
    return [];
  },
});

export const createCategory = xcartOperation({
  id: 'createCategory',
  docs: DOCS,
  input: z.strictObject({ name: z.string().min(1).max(255), parent: z.number().int().positive().nullable().optional(), enabled: z.boolean().optional(), description: z.string().optional() }),
  output: categorySchema,
  run: (client, input) => client.call({ operation: 'createCategory', method: 'POST', path: 'api/categories', body: input }, categorySchema),
});

/** POST /api/categories/{id}/products {product_id}, unless the product is in the category already. */
export const addProductToCategory = xcartOperation({
  id: 'addProductToCategory',
  docs: DOCS,
  input: z.strictObject({ categoryId: z.number().int().positive(), productId: z.number().int().positive() }),
  output: z.object({ added: z.boolean() }),
  async run(client, { categoryId, productId }) {
    const linked = z.looseObject({ product_id: z.number().int().optional(), id: z.number().int().optional() });
    for (let page = 1; ; page++) {
      const res = await listPage(client, { operation: 'addProductToCategory', path: `api/categories/${categoryId}/products`, page }, linked);
      if (res.items.some((p) => (p.product_id ?? p.id) === productId)) return { added: false };
      if (!res.mayHaveMore) break;
    }
    try {
      await client.call({ operation: 'addProductToCategory', method: 'POST', path: `api/categories/${categoryId}/products`, body: { product_id: productId } }, z.unknown());
    } catch (e) {
      // Added by an earlier attempt whose answer was lost: the store says so with a 400.
      if (e instanceof SynclineError && /already/i.test(e.message)) return { added: false };
      throw e;
    }
    return { added: true };
  },
});
