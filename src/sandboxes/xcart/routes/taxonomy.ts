// Categories and global textarea attributes with their per-product values — what a catalog sync needs
// of X-Cart 5.5's API (XC55 `XLite\Model\Category` and `XLite\Model\Attribute` /
// `AttributeValue\AttributeValueText` @ApiResource annotations, DTOs under
// `XLite\API\Endpoint\{Category,Attribute\Text,AttributeValue\Text}\DTO`; github iidevv/xc55, e.g.
// https://github.com/iidevv/xc55/blob/master/classes/XLite/Model/Category.php):
//   GET|POST /api/categories (filter `parent`), GET|PUT|DELETE /api/categories/{id},
//   GET|POST /api/categories/{id}/products ({product_id}), DELETE /api/categories/{id}/products/{product_id};
//   GET|POST /api/attributes_text ({name, position, groupId}), GET|PUT|DELETE /api/attributes_text/{id};
//   GET|POST|PUT|DELETE /api/products/{product_id}/attributes_text/{attribute_id}/values ({value, editable}).
// Simulated: names, parents, enabled, position, product links, text values. Not simulated: select,
// checkbox and hidden attributes, product classes, memberships, images, moving a category.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { XcartStore } from '../store.js';
import { ApiError, jsonBody, pageParams, sendCollection, sendItem, type Format } from '../http.js';
import { readInput, throwIfViolations, validate, type FieldRule } from '../input.js';

const CATEGORY_RULES: Record<string, FieldRule> = {
  enabled: { type: 'bool' }, show_title: { type: 'bool' }, position: { type: 'int' }, memberships: { type: 'string[]' }, parent: { type: 'nullable-int' },
  clean_url: { type: 'string' }, name: { type: 'string', notBlank: true, min: 1, max: 255 }, description: { type: 'string' }, meta_tags: { type: 'string' },
  meta_description_type: { type: 'string', choice: ['A', 'C'] }, meta_description: { type: 'string' }, meta_title: { type: 'string' },
};
const ATTRIBUTE_RULES: Record<string, FieldRule> = { groupId: { type: 'nullable-int', positiveOrZero: true }, position: { type: 'int' }, name: { type: 'string', notBlank: true, min: 1, max: 255 } };
const VALUE_RULES: Record<string, FieldRule> = { value: { type: 'string' }, editable: { type: 'bool' } };

interface Category { id: number; enabled: boolean; show_title: boolean; position: number; parent: number | null; clean_url: string; name: string; description: string; meta_tags: string; meta_description: string; meta_title: string; products: number[] }
interface TextAttribute { id: number; name: string; position: number; groupId: number | null }

export interface Taxonomy {
  categories: Map<number, Category>;
  attributes: Map<number, TextAttribute>;
  /** `${productId}/${attributeId}` → value. */
  values: Map<string, { value: string; editable: boolean }>;
}

const categoryOutput = (c: Category) => ({
  id: c.id, enabled: c.enabled, show_title: c.show_title, position: c.position, memberships: [], parent: c.parent, clean_url: c.clean_url, name: c.name,
  description: c.description, meta_tags: c.meta_tags, meta_description: c.meta_description, meta_title: c.meta_title, icon: null, banner: null,
});

export function registerTaxonomyRoutes(app: FastifyInstance, store: XcartStore, fmt: (req: unknown) => Format): Taxonomy {
  const t: Taxonomy = { categories: new Map(), attributes: new Map(), values: new Map() };
  // The root category (X-Cart's tree has one; id 1) is not listed, as in the admin's top level.
  const seq = { category: 1, attribute: 0 };
  const idOf = (raw: string, map: Map<number, unknown>) => {
    const id = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!map.has(id)) throw new ApiError(404, 'Not Found');
    return id;
  };
  const product = (raw: string) => {
    const p = /^\d+$/.test(raw) ? store.products.get(Number(raw)) : undefined;
    if (!p) throw new ApiError(404, 'Not Found');
    return p;
  };
  const cOne = (reply: FastifyReply, req: unknown, c: Category, status = 200) => sendItem(reply, fmt(req), JSON.stringify(categoryOutput(c)), `/api/categories/${c.id}`, 'Category', '/api/contexts/Category', status);
  const aOne = (reply: FastifyReply, req: unknown, a: TextAttribute, status = 200) => sendItem(reply, fmt(req), JSON.stringify(a), `/api/attributes_text/${a.id}`, 'Textarea Attribute', '/api/contexts/Attribute', status);
  const page = <T extends { id: number }>(req: import('fastify').FastifyRequest, reply: FastifyReply, list: T[], type: string, iri: (id: number) => string, out: (x: T) => unknown) => {
    const p = pageParams(req.query as Record<string, unknown>);
    const start = (p.page - 1) * p.perPage;
    return sendCollection(reply, req, fmt(req), { iri, type, context: `/api/contexts/${type}`, page: p, hasNext: start + p.perPage < list.length, total: list.length, items: list.slice(start, start + p.perPage).map((x) => ({ id: x.id, json: JSON.stringify(out(x)) })) });
  };
  const parentOk = (parent: unknown) => {
    if (parent !== null && parent !== undefined && !t.categories.has(Number(parent))) throw new ApiError(400, `Category with ID ${String(parent)} not found`);
  };

  app.get('/api/categories', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    let list = [...t.categories.values()];
    if (q.parent !== undefined) list = list.filter((c) => String(c.parent ?? '') === String(q.parent));
    return page(req, reply, list.sort((a, b) => a.position - b.position || a.id - b.id), 'Category', (id) => `/api/categories/${id}`, categoryOutput);
  });
  app.get<{ Params: { id: string } }>('/api/categories/:id', async (req, reply) => cOne(reply, req, t.categories.get(idOf(req.params.id, t.categories))!));
  app.post('/api/categories', async (req, reply) => {
    const { values } = readInput(jsonBody(req), CATEGORY_RULES);
    const dto = { enabled: true, show_title: true, position: 0, parent: null, clean_url: '', name: '', description: '', meta_tags: '', meta_description: '', meta_title: '', ...values };
    throwIfViolations(validate(dto, CATEGORY_RULES));
    parentOk(dto.parent);
    const c: Category = { ...(dto as Omit<Category, 'id' | 'products'>), id: ++seq.category, products: [] };
    if (!c.clean_url) c.clean_url = c.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    t.categories.set(c.id, c);
    return cOne(reply, req, c, 201);
  });
  app.put<{ Params: { id: string } }>('/api/categories/:id', async (req, reply) => {
    const c = t.categories.get(idOf(req.params.id, t.categories))!;
    const { values } = readInput(jsonBody(req), CATEGORY_RULES);
    throwIfViolations(validate({ ...categoryOutput(c), ...values }, CATEGORY_RULES));
    if ('parent' in values) parentOk(values.parent);
    Object.assign(c, values);
    return cOne(reply, req, c);
  });
  app.delete<{ Params: { id: string } }>('/api/categories/:id', async (req, reply) => {
    t.categories.delete(idOf(req.params.id, t.categories));
    return reply.code(204).send();
  });
  app.get<{ Params: { id: string } }>('/api/categories/:id/products', async (req, reply) => {
    const c = t.categories.get(idOf(req.params.id, t.categories))!;
    const list = c.products.map((pid) => ({ id: pid }));
    return page(req, reply, list, 'CategoryProduct', (id) => `/api/products/${id}`, (x) => ({ product_id: x.id }));
  });
  app.post<{ Params: { id: string } }>('/api/categories/:id/products', async (req, reply) => {
    const c = t.categories.get(idOf(req.params.id, t.categories))!;
    const { values } = readInput(jsonBody(req), { product_id: { type: 'int' } });
    const p = product(String(values.product_id ?? ''));
    if (c.products.includes(p.id)) throw new ApiError(400, `Product with ID ${p.id} is already in category ${c.id}`);
    c.products.push(p.id);
    return sendItem(reply, fmt(req), JSON.stringify(categoryOutput(c)), `/api/categories/${c.id}`, 'Category', '/api/contexts/Category', 201);
  });
  app.delete<{ Params: { id: string; pid: string } }>('/api/categories/:id/products/:pid', async (req, reply) => {
    const c = t.categories.get(idOf(req.params.id, t.categories))!;
    const pid = Number(req.params.pid);
    if (!c.products.includes(pid)) throw new ApiError(404, 'Not Found');
    c.products = c.products.filter((x) => x !== pid);
    return reply.code(204).send();
  });

  app.get('/api/attributes_text', async (req, reply) => page(req, reply, [...t.attributes.values()], 'Textarea Attribute', (id) => `/api/attributes_text/${id}`, (a) => a));
  app.get<{ Params: { id: string } }>('/api/attributes_text/:id', async (req, reply) => aOne(reply, req, t.attributes.get(idOf(req.params.id, t.attributes))!));
  app.post('/api/attributes_text', async (req, reply) => {
    const { values } = readInput(jsonBody(req), ATTRIBUTE_RULES);
    const dto = { groupId: null, position: 0, name: '', ...values };
    throwIfViolations(validate(dto, ATTRIBUTE_RULES));
    const a: TextAttribute = { ...(dto as Omit<TextAttribute, 'id'>), id: ++seq.attribute };
    t.attributes.set(a.id, a);
    return aOne(reply, req, a, 201);
  });
  app.put<{ Params: { id: string } }>('/api/attributes_text/:id', async (req, reply) => {
    const a = t.attributes.get(idOf(req.params.id, t.attributes))!;
    const { values } = readInput(jsonBody(req), ATTRIBUTE_RULES);
    throwIfViolations(validate({ ...a, ...values }, ATTRIBUTE_RULES));
    Object.assign(a, values);
    return aOne(reply, req, a);
  });
  app.delete<{ Params: { id: string } }>('/api/attributes_text/:id', async (req, reply) => {
    const id = idOf(req.params.id, t.attributes);
    t.attributes.delete(id);
    for (const k of [...t.values.keys()]) if (k.endsWith(`/${id}`)) t.values.delete(k);
    return reply.code(204).send();
  });

  type ValueParams = { Params: { pid: string; aid: string } };
  const valueKey = (req: { params: { pid: string; aid: string } }) => `${product(req.params.pid).id}/${idOf(req.params.aid, t.attributes)}`;
  const vOne = (reply: FastifyReply, req: unknown, key: string, status = 200) => {
    const v = t.values.get(key);
    if (!v) throw new ApiError(404, 'Not Found');
    return sendItem(reply, fmt(req), JSON.stringify({ id: Number(key.split('/')[1]), value: v.value, editable: v.editable }), `/api/products/${key.split('/')[0]}/attributes_text/${key.split('/')[1]}/values`, 'Textarea Attribute Value', '/api/contexts/AttributeValueText', status);
  };
  const readValue = (req: import('fastify').FastifyRequest) => {
    const { values } = readInput(jsonBody(req), VALUE_RULES);
    const dto = { value: '', editable: false, ...values };
    throwIfViolations(validate(dto, VALUE_RULES));
    return dto as { value: string; editable: boolean };
  };
  app.get<ValueParams>('/api/products/:pid/attributes_text/:aid/values', async (req, reply) => vOne(reply, req, valueKey(req)));
  app.post<ValueParams>('/api/products/:pid/attributes_text/:aid/values', async (req, reply) => {
    const key = valueKey(req);
    if (t.values.has(key)) throw new ApiError(400, 'The product already has a value of this attribute');
    t.values.set(key, readValue(req));
    return vOne(reply, req, key, 201);
  });
  app.put<ValueParams>('/api/products/:pid/attributes_text/:aid/values', async (req, reply) => {
    const key = valueKey(req);
    if (!t.values.has(key)) throw new ApiError(404, 'Not Found');
    t.values.set(key, readValue(req));
    return vOne(reply, req, key);
  });
  app.delete<ValueParams>('/api/products/:pid/attributes_text/:aid/values', async (req, reply) => {
    const key = valueKey(req);
    if (!t.values.delete(key)) throw new ApiError(404, 'Not Found');
    return reply.code(204).send();
  });
  return t;
}
