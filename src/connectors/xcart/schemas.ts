// Shapes of X-Cart 5.5 API responses as the connector hands them on. Written from the XC55 output
// DTOs (specs/xcart-sage300.md §1.3), independently of the sandbox. Two normalisations, so nothing
// downstream ever touches a float or a PHP date:
//   money  PHP floats on the wire (123.45) → decimal strings ("123.45"), via decimal.js;
//   dates  DateTime::ISO8601 ("2024-05-01T12:00:00+0000") → RFC 3339 UTC ("2024-05-01T12:00:00Z").
// Objects are loose: fields a module adds pass through untouched. Status codes are plain strings,
// because XC/CustomOrderStatuses lets a store add its own.
import { Decimal } from 'decimal.js';
import { z } from 'zod';

export const money = z.union([z.number(), z.string()]).transform((v, ctx) => {
  // A finite number's own text is what decimal.js would write (it parses that very text): no Decimal
  // per amount on the poller's path (issue 12).
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  try {
    const d = new Decimal(v);
    if (!d.isFinite()) throw new Error('not finite');
    return d.toString();
  } catch {
    ctx.addIssue({ code: 'custom', message: `not a decimal amount: ${String(v)}` });
    return z.NEVER;
  }
});

// The last text each of these read and what it gave: an order's create, update and item dates are
// mostly the same text, read one after the other, and so are a bulk's orders (issue 12: normalizeDate
// was 1.6% of the engine's CPU; the poller reads two dates of every order it lists).
const lastMs = { in: '', out: null as number | null };
const lastIso = { in: '', out: null as string | null };

/** PHP ISO8601 (offset without colon) or RFC 3339 → epoch milliseconds; null when it is neither. */
export function dateMs(v: string): number | null {
  if (v === lastMs.in) return lastMs.out;
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(v.trim());
  const zone = !m ? '' : !m[4] || m[4] === 'Z' ? 'Z' : m[4].includes(':') ? m[4] : `${m[4].slice(0, 3)}:${m[4].slice(3)}`;
  const ms = m ? Date.parse(`${m[1]}T${m[2]}${zone}`) : NaN;
  lastMs.in = v;
  lastMs.out = Number.isNaN(ms) ? null : ms;
  return lastMs.out;
}

/** Parses PHP ISO8601 (offset without colon), RFC 3339, or Unix seconds into RFC 3339 UTC. */
export function normalizeDate(v: string | number): string | null {
  if (typeof v === 'number') return Number.isFinite(v) ? new Date(v * 1000).toISOString().replace('.000Z', 'Z') : null;
  if (v === lastIso.in) return lastIso.out;
  const ms = dateMs(v);
  lastIso.in = v;
  lastIso.out = ms === null ? null : new Date(ms).toISOString().replace('.000Z', 'Z');
  return lastIso.out;
}

export const date = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const d = normalizeDate(v);
  if (d === null) {
    ctx.addIssue({ code: 'custom', message: `not a date: ${String(v)}` });
    return z.NEVER;
  }
  return d;
});

/** RFC 3339 UTC string → Unix seconds (X-Cart's own resolution). */
export const epochSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

export const statusSchema = z.looseObject({ id: z.number().int().nullish(), code: z.string(), name: z.string().nullish(), customer_name: z.string().nullish() });

/**
 * A status code to PUT. X-Cart checks no transitions and takes a numeric code as a status *id*
 * (XLite\Model\Order::setPaymentStatus), so a digit string would silently pick some status: refused here.
 */
export const statusCodeInput = z.string().min(1).max(4).refine((c) => !/^\d+$/.test(c), 'a status code such as "P" or "S", not a number (X-Cart would take a number as a status id)');

export const surchargeSchema = z.looseObject({
  id: z.number().int(),
  type: z.string(),
  code: z.string(),
  class: z.string().nullish(),
  include: z.boolean().nullish(),
  available: z.boolean().nullish(),
  value: money,
  name: z.string().nullish(),
  /** Sort weight of the modifier (XC55 OrderSurchargeOutput). */
  weight: z.number().nullish(),
});

// XC55 AddressOutput: `country_code` is '' (not null) when unset; read either, as older modules differ.
export const addressSchema = z.looseObject({
  id: z.number().int(),
  is_billing: z.boolean().nullish(),
  is_shipping: z.boolean().nullish(),
  is_work: z.boolean().nullish(),
  type: z.string().nullish(),
  title: z.string().nullish(),
  firstname: z.string().nullish(),
  lastname: z.string().nullish(),
  phone: z.string().nullish(),
  street: z.string().nullish(),
  zipcode: z.string().nullish(),
  city: z.string().nullish(),
  country_code: z.string().nullish(),
  state: z.number().int().nullish(),
  state_name: z.string().nullish(),
  custom_fields: z.array(z.unknown()).nullish(),
});

export const orderItemSchema = z.looseObject({
  id: z.number().int(),
  product_id: z.number().int().nullish(),
  sku: z.string(),
  update_date: date.nullish(),
  name: z.string(),
  price: money,
  item_net_price: money.nullish(),
  discounted_subtotal: money.nullish(),
  amount: z.number().int(),
  backordered_amount: z.number().int().nullish(),
  surcharges: z.array(surchargeSchema).default([]),
});

export const trackingNumberSchema = z.looseObject({ id: z.number().int(), date: date.nullish(), value: z.string() });

export const orderSchema = z.looseObject({
  id: z.number().int().positive(),
  order_number: z.string().nullish(),
  total: money,
  sub_total: money,
  email: z.string(),
  items: z.array(orderItemSchema),
  billing_address: addressSchema.nullish(),
  shipping_address: addressSchema.nullish(),
  create_date: date,
  update_date: date,
  payment_status: statusSchema.nullish(),
  shipping_status: statusSchema.nullish(),
  customer_id: z.number().int().nullish(),
  order_profile_id: z.number().int().nullish(),
  shipping_id: z.number().int().nullish(),
  shipping_method_name: z.string().nullish(),
  notes: z.string().nullish(),
  admin_notes: z.string().nullish(),
  currency: z.string(),
  stock_status: z.string().nullish(),
  surcharges: z.array(surchargeSchema).default([]),
  tracking_numbers: z.array(trackingNumberSchema).default([]),
});
export type XcartOrder = z.output<typeof orderSchema>;

export const orderDetailSchema = z.looseObject({ id: z.number().int(), name: z.string(), value: z.string().nullish() });
export const orderHistorySchema = z.looseObject({
  id: z.number().int(),
  date: date,
  code: z.string().nullish(),
  description: z.string().nullish(),
  comment: z.string().nullish(),
});
export const backendTransactionSchema = z.looseObject({ id: z.number().int(), type: z.string(), date: date.nullish(), status: z.string(), value: money });
export const paymentTransactionSchema = z.looseObject({
  id: z.number().int(),
  public_id: z.string().nullish(),
  public_txn_id: z.string().nullish(),
  method_id: z.number().int().nullish(),
  type: z.string().nullish(),
  date: date.nullish(),
  status: z.string(),
  name: z.string().nullish(),
  currency: z.string().nullish(),
  value: money,
  note: z.string().nullish(),
  data: z.array(z.unknown()).default([]),
  backend_transactions: z.array(backendTransactionSchema).default([]),
});

/** Date filter values: Unix seconds, a Date, or an ISO string (sent as RFC 3339 UTC). */
export const dateInput = z.union([z.number().int().nonnegative(), z.date(), z.string()]).transform((v, ctx) => {
  const iso = v instanceof Date ? (Number.isNaN(v.getTime()) ? null : v.toISOString().replace(/\.\d{3}Z$/, 'Z')) : normalizeDate(v);
  if (iso === null) {
    ctx.addIssue({ code: 'custom', message: `not a date: ${String(v)}` });
    return z.NEVER;
  }
  return iso;
});

export const pagingInput = {
  page: z.number().int().min(1).default(1),
  /** X-Cart caps this at 100; asking for more is a mistake we report rather than silently shrink. */
  itemsPerPage: z.number().int().min(1).max(100).optional(),
};

/** Decimal input (string or number) sent as the JSON number X-Cart's float fields expect. */
export const decimalInput = z.union([z.string().regex(/^-?\d{1,12}(\.\d{1,4})?$/, 'a decimal with at most 4 places, e.g. "19.99"'), z.number().finite()]).transform((v) => Number(v));

export const productSchema = z.looseObject({
  id: z.number().int().positive(),
  sku: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  brief_description: z.string().nullish(),
  price: money,
  enabled: z.boolean(),
  weight: money.nullish(),
  free_shipping: z.boolean().nullish(),
  taxable: z.boolean().nullish(),
  arrival_date: date.nullish(),
  /** Stock is tracked (and `amount` meaningful) only when this is true. */
  inventory_traceable: z.boolean(),
  /** Stock on hand. */
  amount: z.number().int(),
  clean_url: z.string().nullish(),
  create_date: date.nullish(),
  update_date: date.nullish(),
  images: z.array(z.unknown()).default([]),
});
export type XcartProduct = z.output<typeof productSchema>;

export const productInput = z.strictObject({
  sku: z.string().min(1).max(32),
  name: z.string().min(1).max(255),
  description: z.string().optional(),
  brief_description: z.string().optional(),
  meta_tags: z.string().optional(),
  meta_description_type: z.enum(['A', 'C']).optional(),
  meta_description: z.string().optional(),
  meta_title: z.string().optional(),
  price: decimalInput.refine((n) => n >= 0, 'price must be ≥ 0').optional(),
  enabled: z.boolean().optional(),
  weight: decimalInput.refine((n) => n >= 0, 'weight must be ≥ 0').optional(),
  separate_box: z.boolean().optional(),
  width: decimalInput.optional(),
  length: decimalInput.optional(),
  height: decimalInput.optional(),
  free_shipping: z.boolean().optional(),
  taxable: z.boolean().optional(),
  arrival_date: dateInput.nullable().optional(),
  inventory_traceable: z.boolean().optional(),
  amount: z.number().int().min(0).optional(),
  /** Names as the store defines them (e.g. "Fashion"), not ids. */
  product_class: z.string().nullable().optional(),
  tax_class: z.string().nullable().optional(),
  memberships: z.array(z.string().min(1)).optional(),
  clean_url: z.string().optional(),
});

export const variantSchema = z.looseObject({
  id: z.number().int().positive(),
  price: money,
  amount: z.number().int(),
  weight: money.nullish(),
  /** Null: the variant sells under the product's SKU. */
  sku: z.string().nullable(),
  /** When true the variant inherits the product's price / stock / weight. */
  default_price: z.boolean(),
  default_amount: z.boolean(),
  default_weight: z.boolean(),
  default_variant: z.boolean().nullish(),
});
export type XcartVariant = z.output<typeof variantSchema>;

// X-Cart defaults every default_* flag to false and price/amount to 0, so a variant created with
// only a SKU sells at 0 with no stock: send price (or default_price: true) and amount.
export const variantInput = z.strictObject({
  sku: z.string().min(1).max(32).nullable().optional(),
  price: decimalInput.refine((n) => n >= 0, 'price must be ≥ 0').optional(),
  amount: z.number().int().min(0).optional(),
  weight: decimalInput.refine((n) => n >= 0, 'weight must be ≥ 0').optional(),
  default_price: z.boolean().optional(),
  default_amount: z.boolean().optional(),
  default_weight: z.boolean().optional(),
  default_variant: z.boolean().optional(),
  attribute_select_values: z.array(z.number().int()).optional(),
});

export const profileSchema = z.looseObject({
  id: z.number().int().positive(),
  login: z.string(),
  access_level: z.number().int().nullish(),
  create_date: date.nullish(),
  first_login_date: date.nullish(),
  last_login_date: date.nullish(),
  status: z.string().nullish(),
  language: z.string().nullish(),
  membership_id: z.number().int().nullish(),
  role_ids: z.array(z.number().int()).default([]),
});
export type XcartProfile = z.output<typeof profileSchema>;

export const profileInput = z.strictObject({
  login: z.email().min(5).max(128),
  password: z.string().min(8).max(128).nullable().optional(),
  /** 0 customer, 100 administrator. */
  access_level: z.union([z.literal(0), z.literal(100)]).optional(),
  status: z.enum(['E', 'D']).optional(),
  status_comment: z.string().optional(),
  referer: z.string().optional(),
  language: z.string().max(2).optional(),
  membership_id: z.number().int().positive().nullable().optional(),
  pending_membership_id: z.number().int().positive().nullable().optional(),
  force_change_password: z.boolean().optional(),
  role_ids: z.array(z.number().int()).optional(),
});

export const addressInput = z.strictObject({
  is_billing: z.boolean().optional(),
  is_shipping: z.boolean().optional(),
  is_work: z.boolean().optional(),
  /** R residential, C commercial. */
  type: z.enum(['R', 'C']).optional(),
  title: z.string().optional(),
  firstname: z.string().min(1).max(255),
  lastname: z.string().min(1).max(255),
  phone: z.string().max(32).optional(),
  street: z.string().min(1).max(255),
  zipcode: z.string().max(32).optional(),
  city: z.string().min(1).max(255),
  country_code: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code, e.g. "US"'),
  state: z.number().int().min(0).nullable().optional(),
  state_name: z.string().optional(),
});
export type XcartAddress = z.output<typeof addressSchema>;

export const legacyTrackingNumberSchema = z.looseObject({
  tracking_id: z.number().int(),
  value: z.string(),
  creationDate: z.number().int().nullish(),
  order: z.looseObject({ order_id: z.number().int() }).nullish(),
});
