// /api/products and /api/products/{id}/variants (XC55 `XLite\Model\Product`, XC/ProductVariants;
// specs §1.3). Stock is `amount`, tracked only when `inventory_traceable`. No SKU filter exists in
// core: the only filters are `order[name|price|arrivalDate]`.
import type { FastifyInstance } from 'fastify';
import { Decimal } from 'decimal.js';
import { isoDate, money } from '../model.js';
import type { Product, Variant, XcartStore } from '../store.js';
import { ApiError, jsonBody, pageParams, sendCollection, sendItem, type Format } from '../http.js';
import { readInput, throwIfViolations, validate, type FieldRule } from '../input.js';

// From XC55 `XLite\API\Endpoint\Product\DTO\Input` and XC/ProductVariants `ProductVariantInput`.
const PRODUCT_RULES: Record<string, FieldRule> = {
  sku: { type: 'string', notBlank: true, min: 1, max: 32 },
  name: { type: 'string', notBlank: true, min: 1, max: 255 },
  description: { type: 'string' },
  brief_description: { type: 'string' },
  meta_tags: { type: 'string' },
  meta_description_type: { type: 'string', choice: ['A', 'C'] },
  meta_description: { type: 'string' },
  meta_title: { type: 'string' },
  price: { type: 'float', positiveOrZero: true },
  enabled: { type: 'bool' },
  weight: { type: 'float', positiveOrZero: true },
  separate_box: { type: 'bool' },
  width: { type: 'float', positiveOrZero: true },
  length: { type: 'float', positiveOrZero: true },
  height: { type: 'float', positiveOrZero: true },
  free_shipping: { type: 'bool' },
  taxable: { type: 'bool' },
  arrival_date: { type: 'nullable-string', date: true },
  inventory_traceable: { type: 'bool' },
  amount: { type: 'int', positiveOrZero: true },
  product_class: { type: 'nullable-string' },
  tax_class: { type: 'nullable-string' },
  memberships: { type: 'string[]' },
  clean_url: { type: 'string' },
};

const VARIANT_RULES: Record<string, FieldRule> = {
  price: { type: 'float' },
  default_price: { type: 'bool' },
  amount: { type: 'int' },
  default_amount: { type: 'bool' },
  weight: { type: 'float', positiveOrZero: true },
  default_weight: { type: 'bool' },
  default_variant: { type: 'bool' },
  sku: { type: 'nullable-string' },
  attribute_checkbox_values: { type: 'int[]' },
  attribute_select_values: { type: 'int[]' },
};

/** Classifiers the seeded store knows; the @ProductClass/@TaxClass/@Memberships constraints check names against them. */
export const PRODUCT_CLASSES = ['Apparel', 'Gear', 'Electronics'];
export const TAX_CLASSES = ['Default', 'Reduced', 'Exempt'];
export const MEMBERSHIPS = ['Wholesaler', 'VIP'];
const named = (list: string[], name: string | null) => (name === null ? null : { id: list.indexOf(name) + 1, name });

/** Product dates are strings built by the output transformer; DateTime::ATOM assumed [I]. */
const atom = (unix: number) => `${new Date(unix * 1000).toISOString().slice(0, 19)}+00:00`;

export function productOutput(p: Product) {
  return {
    id: p.id,
    sku: p.sku,
    name: p.name,
    description: p.description,
    brief_description: p.brief_description,
    meta_tags: p.meta_tags,
    meta_description: p.meta_description,
    meta_title: p.meta_title,
    price: money(p.price),
    enabled: p.enabled,
    weight: money(p.weight),
    separate_box: p.separate_box,
    width: money(p.width),
    length: money(p.length),
    height: money(p.height),
    free_shipping: p.free_shipping,
    taxable: p.taxable,
    create_date: atom(p.create_date),
    update_date: atom(p.update_date),
    arrival_date: atom(p.arrival_date),
    inventory_traceable: p.inventory_traceable,
    amount: p.amount,
    product_class: named(PRODUCT_CLASSES, p.product_class),
    tax_class: named(TAX_CLASSES, p.tax_class),
    memberships: p.memberships.map((m) => named(MEMBERSHIPS, m)),
    clean_url: p.clean_url,
    images: p.images,
  };
}

export function variantOutput(v: Variant) {
  return {
    id: v.id,
    price: money(v.price),
    default_price: v.default_price,
    amount: v.amount,
    default_amount: v.default_amount,
    weight: money(v.weight),
    default_weight: v.default_weight,
    default_variant: v.default_variant,
    sku: v.sku,
    image: null,
    attribute_checkbox_values: [],
    attribute_select_values: v.attribute_select_values,
  };
}

/** The constraints that check names against the store's own lists. */
function classifierViolations(dto: Record<string, unknown>): Array<{ propertyPath: string; message: string }> {
  const out: Array<{ propertyPath: string; message: string }> = [];
  if (typeof dto.product_class === 'string' && dto.product_class !== '' && !PRODUCT_CLASSES.includes(dto.product_class)) out.push({ propertyPath: 'product_class', message: `Product class "${dto.product_class}" not found` });
  if (typeof dto.tax_class === 'string' && dto.tax_class !== '' && !TAX_CLASSES.includes(dto.tax_class)) out.push({ propertyPath: 'tax_class', message: `Tax class "${dto.tax_class}" not found` });
  for (const m of Array.isArray(dto.memberships) ? (dto.memberships as string[]) : []) {
    if (!MEMBERSHIPS.includes(m)) out.push({ propertyPath: 'memberships', message: `Membership "${m}" not found` });
  }
  return out;
}

/** SKUs are unique across products and variants; the transformer says so with a 400. */
function assertSkuFree(store: XcartStore, sku: string, self: Product | Variant | null): void {
  const product = store.productsBySku.get(sku);
  const sellable = store.sellableBySku.get(sku);
  const holder = product ?? sellable?.variant ?? null;
  if (holder && holder !== self) throw new ApiError(400, `Input validations failed: SKU ${sku} is not unique`);
}

function applyProduct(p: Product, v: Record<string, unknown>, now: number): void {
  const dec = (x: unknown) => new Decimal(x as number);
  for (const [k, val] of Object.entries(v)) {
    switch (k) {
      case 'price': case 'weight': case 'width': case 'length': case 'height':
        (p as unknown as Record<string, Decimal>)[k] = dec(val);
        break;
      case 'arrival_date':
        p.arrival_date = val === null || val === '' ? now : Math.floor(Date.parse(String(val).replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) / 1000);
        break;
      case 'meta_description_type':
        break;
      default:
        (p as unknown as Record<string, unknown>)[k] = val;
    }
  }
  p.update_date = now;
}

export function registerCatalogRoutes(app: FastifyInstance, store: XcartStore, fmt: (req: unknown) => Format, onProductChange?: (p: Product) => void): void {
  const iri = (id: number) => `/api/products/${id}`;
  const find = (raw: string): Product => {
    const p = /^\d+$/.test(raw) ? store.products.get(Number(raw)) : undefined;
    if (!p) throw new ApiError(404, 'Not Found');
    return p;
  };
  const one = (reply: import('fastify').FastifyReply, req: unknown, p: Product, status = 200) =>
    sendItem(reply, fmt(req), JSON.stringify(productOutput(p)), iri(p.id), 'Product', '/api/contexts/Product', status);

  app.get('/api/products', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const page = pageParams(q);
    let list = [...store.products.values()];
    for (const [k, v] of Object.entries(q)) {
      const m = /^order\[(name|price|arrivalDate)\]$/.exec(k);
      const dir = String(v).toLowerCase();
      if (!m || (dir !== 'asc' && dir !== 'desc')) continue;
      const sign = dir === 'asc' ? 1 : -1;
      const key = m[1]!;
      list = list.sort((a, b) => {
        const c = key === 'name' ? a.name.localeCompare(b.name) : key === 'price' ? a.price.comparedTo(b.price) : a.arrival_date - b.arrival_date;
        return sign * c || a.id - b.id;
      });
      break;
    }
    const start = (page.page - 1) * page.perPage;
    return sendCollection(reply, req, fmt(req), {
      iri, type: 'Product', context: '/api/contexts/Product', page, hasNext: start + page.perPage < list.length, total: list.length,
      items: list.slice(start, start + page.perPage).map((p) => ({ id: p.id, json: JSON.stringify(productOutput(p)) })),
    });
  });

  app.get<{ Params: { id: string } }>('/api/products/:id', async (req, reply) => one(reply, req, find(req.params.id)));

  app.post('/api/products', async (req, reply) => {
    const { values } = readInput(jsonBody(req), PRODUCT_RULES);
    // Input defaults of the DTO: amount 1000, enabled, taxable, traceable (specs §1.3).
    const dto = { sku: '', name: '', price: 0, amount: 1000, enabled: true, taxable: true, inventory_traceable: true, ...values };
    throwIfViolations([...validate(dto, PRODUCT_RULES), ...classifierViolations(dto)]);
    assertSkuFree(store, String(dto.sku), null);
    const now = store.clock.now();
    const p: Product = {
      id: store.next('product'), sku: '', name: '', description: '', brief_description: '', meta_tags: '', meta_description: '', meta_title: '',
      price: new Decimal(0), enabled: true, weight: new Decimal(0), width: new Decimal(0), length: new Decimal(0), height: new Decimal(0),
      free_shipping: false, taxable: true, arrival_date: now, inventory_traceable: true, amount: 1000, product_class: null, tax_class: null,
      memberships: [], clean_url: '', create_date: now, update_date: now, images: [], variants: [], separate_box: false,
    };
    applyProduct(p, dto, now);
    if (!p.clean_url) p.clean_url = p.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    store.indexProduct(p);
    onProductChange?.(p);
    return one(reply, req, p, 201);
  });

  app.put<{ Params: { id: string } }>('/api/products/:id', async (req, reply) => {
    const p = find(req.params.id);
    const { values } = readInput(jsonBody(req), PRODUCT_RULES);
    // PUT pre-fills the DTO from the entity, so omitted fields keep their values (specs §1.3).
    const dto = { ...productOutput(p), product_class: p.product_class, tax_class: p.tax_class, memberships: p.memberships, ...values } as Record<string, unknown>;
    throwIfViolations([...validate(dto, PRODUCT_RULES), ...classifierViolations(dto)]);
    if (values.sku !== undefined && values.sku !== p.sku) assertSkuFree(store, String(values.sku), p);
    store.unindexProduct(p);
    applyProduct(p, values, store.clock.now());
    store.indexProduct(p);
    onProductChange?.(p);
    return one(reply, req, p);
  });

  app.delete<{ Params: { id: string } }>('/api/products/:id', async (req, reply) => {
    const p = find(req.params.id);
    store.unindexProduct(p);
    return reply.code(204).send();
  });

  // Variants (XC/ProductVariants).
  const viri = (pid: number, id: number) => `/api/products/${pid}/variants/${id}`;
  const findVariant = (p: Product, raw: string): Variant => {
    const v = /^\d+$/.test(raw) ? p.variants.find((x) => x.id === Number(raw)) : undefined;
    if (!v) throw new ApiError(404, 'Not Found');
    return v;
  };
  const vOne = (reply: import('fastify').FastifyReply, req: unknown, p: Product, v: Variant, status = 200) =>
    sendItem(reply, fmt(req), JSON.stringify(variantOutput(v)), viri(p.id, v.id), 'ProductVariant', '/api/contexts/ProductVariant', status);
  const applyVariant = (v: Variant, values: Record<string, unknown>) => {
    for (const [k, val] of Object.entries(values)) {
      if (k === 'price' || k === 'weight') v[k] = new Decimal(val as number);
      else if (k !== 'attribute_checkbox_values') (v as unknown as Record<string, unknown>)[k] = val;
    }
  };

  app.get<{ Params: { id: string } }>('/api/products/:id/variants', async (req, reply) => {
    const p = find(req.params.id);
    const page = pageParams(req.query as Record<string, unknown>);
    const start = (page.page - 1) * page.perPage;
    return sendCollection(reply, req, fmt(req), {
      iri: (id) => viri(p.id, id), type: 'ProductVariant', context: '/api/contexts/ProductVariant', page,
      hasNext: start + page.perPage < p.variants.length, total: p.variants.length,
      items: p.variants.slice(start, start + page.perPage).map((v) => ({ id: v.id, json: JSON.stringify(variantOutput(v)) })),
    });
  });
  app.get<{ Params: { id: string; vid: string } }>('/api/products/:id/variants/:vid', async (req, reply) => {
    const p = find(req.params.id);
    return vOne(reply, req, p, findVariant(p, req.params.vid));
  });
  app.post<{ Params: { id: string } }>('/api/products/:id/variants', async (req, reply) => {
    const p = find(req.params.id);
    const { values } = readInput(jsonBody(req), VARIANT_RULES);
    // ProductVariantInput defaults: every default_* false, sku null (specs: XC/ProductVariants DTO).
    const dto = { sku: null, price: 0, amount: 0, weight: 0, default_price: false, default_amount: false, default_weight: false, default_variant: false, ...values };
    throwIfViolations(validate(dto, VARIANT_RULES));
    if (typeof dto.sku === 'string' && dto.sku !== '') assertSkuFree(store, dto.sku, null);
    const v: Variant = { id: store.next('variant'), sku: null, price: new Decimal(0), amount: 0, weight: new Decimal(0), default_price: false, default_amount: false, default_weight: false, default_variant: false, attribute_select_values: [], attributes: {} };
    applyVariant(v, dto);
    store.unindexProduct(p);
    p.variants.push(v);
    p.update_date = store.clock.now();
    store.indexProduct(p);
    onProductChange?.(p);
    return vOne(reply, req, p, v, 201);
  });
  app.put<{ Params: { id: string; vid: string } }>('/api/products/:id/variants/:vid', async (req, reply) => {
    const p = find(req.params.id);
    const v = findVariant(p, req.params.vid);
    const { values } = readInput(jsonBody(req), VARIANT_RULES);
    throwIfViolations(validate({ ...variantOutput(v), ...values }, VARIANT_RULES));
    if (typeof values.sku === 'string' && values.sku !== v.sku && values.sku !== '') assertSkuFree(store, values.sku, v);
    store.unindexProduct(p);
    applyVariant(v, values);
    p.update_date = store.clock.now();
    store.indexProduct(p);
    onProductChange?.(p);
    return vOne(reply, req, p, v);
  });
  app.delete<{ Params: { id: string; vid: string } }>('/api/products/:id/variants/:vid', async (req, reply) => {
    const p = find(req.params.id);
    const v = findVariant(p, req.params.vid);
    store.unindexProduct(p);
    p.variants = p.variants.filter((x) => x !== v);
    store.indexProduct(p);
    return reply.code(204).send();
  });
}
