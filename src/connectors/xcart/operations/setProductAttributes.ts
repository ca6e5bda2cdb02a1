// A product's textarea attributes by name (X-Cart 5.5 `XLite\Model\Attribute` text type and
// `AttributeValue\AttributeValueText`; github iidevv/xc55): the global attribute of each name is
// found or created (GET|POST /api/attributes_text), then the product's value is created or changed
// (POST|PUT /api/products/{product_id}/attributes_text/{attribute_id}/values) only where it differs.
// Repeatable: a second call with the same values sends nothing but reads.
import { z } from 'zod';
import { SynclineError } from '../../../core/errors.js';
import { allPages, listPage } from '../client.js';
import { xcartOperation } from './define.js';

const DOCS = 'https://github.com/iidevv/xc55/blob/master/classes/XLite/Model/Attribute.php';
const attribute = z.looseObject({ id: z.number().int(), name: z.string() });
const value = z.looseObject({ value: z.string().nullish() });

const listTextAttributes = xcartOperation({
  id: 'listTextAttributes',
  docs: DOCS,
  input: z.strictObject({ page: z.number().int().min(1).default(1) }),
  output: z.object({ items: z.array(attribute), page: z.number(), itemsPerPage: z.number(), mayHaveMore: z.boolean() }),
  run: (client, input) => listPage(client, { operation: 'listTextAttributes', path: 'api/attributes_text', page: input.page }, attribute),
});

export const setProductAttributes = xcartOperation({
  id: 'setProductAttributes',
  docs: DOCS,
  input: z.strictObject({ productId: z.number().int().positive(), attributes: z.record(z.string().min(1).max(255), z.string()) }),
  output: z.object({ written: z.array(z.string()), unchanged: z.array(z.string()), attributesCreated: z.array(z.string()) }),
  async run(client, { productId, attributes }) {
    const out = { written: [] as string[], unchanged: [] as string[], attributesCreated: [] as string[] };
    const names = Object.keys(attributes);
    if (names.length === 0) return out;
    const byName = new Map<string, number>();
    for await (const a of allPages(listTextAttributes, client, {})) byName.set(a.name.trim().toLowerCase(), a.id);
    for (const name of names) {
      let id = byName.get(name.trim().toLowerCase());
      if (id === undefined) {
        id = (await client.call({ operation: 'setProductAttributes', method: 'POST', path: 'api/attributes_text', body: { name } }, attribute)).id;
        byName.set(name.trim().toLowerCase(), id);
        out.attributesCreated.push(name);
      }
      const path = `api/products/${productId}/attributes_text/${id}/values`;
      const now = await client.call({ operation: 'setProductAttributes', path }, value).catch((e: unknown) => {
        if (e instanceof SynclineError && e.code === 'XCART_NOT_FOUND') return null;
        throw e;
      });
      if (now && (now.value ?? '') === attributes[name]) {
        out.unchanged.push(name);
        continue;
      }
      await client.call({ operation: 'setProductAttributes', method: now ? 'PUT' : 'POST', path, body: { value: attributes[name], editable: false } }, value);
      out.written.push(name);
    }
    return out;
  },
});
