// The X-Cart 5.5 entities the sandbox keeps in memory, and their API Platform output shapes.
// Written from the XC55 DTOs (classes/XLite/API/Endpoint/**/DTO/*Output.php) as summarised in
// specs/xcart-sage300.md §1.3: money is a PHP float on the wire, dates are DateTime::ISO8601
// ("2024-05-01T12:00:00+0000", no colon in the offset), ids are integers, order numbers strings.
import type { Decimal } from 'decimal.js';

export const PAYMENT_STATUSES: Record<string, string> = {
  Q: 'Awaiting payment', A: 'Authorized', PP: 'Partially paid', P: 'Paid', D: 'Declined', C: 'Canceled', R: 'Refunded',
};
export const SHIPPING_STATUSES: Record<string, string> = {
  N: 'New', P: 'Processing', S: 'Shipped', D: 'Delivered', WND: 'Will not deliver', R: 'Returned',
  WFA: 'Awaiting approval', NBA: 'New / Back-ordered',
};

// PUT …/payment_status and …/shipping_status check no transitions in XC55 (the InputTransformer
// sets any known code; a numeric one is a status id): see storefront.ts setPaymentStatus.

/**
 * The empty list of a record that has none (an item's surcharges, a transaction's data, an address's
 * custom fields, a customer's roles): one frozen array shared by all, as nothing pushes into these;
 * an empty array each was 1.7 MB of a 10,000-order demo (issue 12).
 */
export const NONE = Object.freeze([]) as never[];

export interface StatusRef {
  id: number;
  code: string;
  name: string;
  customer_name: string;
}

export interface Address {
  id: number;
  is_billing: boolean;
  is_shipping: boolean;
  /** XC55 AddressOutput has it (a work address); absent internally = false. */
  is_work?: boolean;
  type: string;
  title: string;
  firstname: string;
  lastname: string;
  phone: string;
  street: string;
  zipcode: string;
  city: string;
  country_code: string | null;
  state: number | null;
  state_name: string;
  custom_fields: Array<{ name: string; value: string }>;
}

export interface Surcharge {
  id: number;
  /** shipping | tax | discount | handling (X-Cart Modifier types). */
  type: string;
  code: string;
  class: string;
  include: boolean;
  available: boolean;
  value: Amount;
  name: string;
  /** Sort weight of the modifier (XC55 OrderSurchargeOutput has `weight`); absent = by type. */
  weight?: number;
}

/**
 * An amount in the order's currency, rounded to the cent: a PHP float, as X-Cart keeps and sends it.
 * A Decimal per amount (object + digit array, ~120 bytes, nine an order) was 11 MB of a 10,000-order
 * demo (issue 12); the storefront computes in Decimal and stores the rounded result (`cents`).
 */
export type Amount = number;

export interface OrderItem {
  id: number;
  product_id: number;
  sku: string;
  update_date: number;
  name: string;
  price: Amount;
  item_net_price: Amount;
  discounted_subtotal: Amount;
  amount: number;
  backordered_amount: number;
  surcharges: Surcharge[];
  variant_id: number | null;
}

export interface BackendTransaction {
  id: number;
  type: string;
  date: number;
  status: string;
  value: Amount;
}

export interface PaymentTransaction {
  id: number;
  public_id: string;
  public_txn_id: string;
  method_id: number;
  type: string;
  date: number;
  status: string;
  name: string;
  currency: string;
  value: Amount;
  note: string;
  data: Array<{ name: string; label: string; value: string }>;
  backend_transactions: BackendTransaction[];
}

export interface HistoryEvent {
  id: number;
  date: number;
  code: string;
  description: string;
  comment: string;
  author_name: string;
}

export interface TrackingNumber {
  id: number;
  date: number;
  value: string;
}

export interface Order {
  id: number;
  order_number: string;
  /** Unix seconds, set when the order is placed (X-Cart `date`). */
  date: number;
  /** Unix seconds of the last change (X-Cart `lastRenewDate`). */
  lastRenewDate: number;
  email: string;
  customer_id: number | null;
  order_profile_id: number;
  items: OrderItem[];
  billing_address: Address;
  shipping_address: Address;
  payment_status: string;
  shipping_status: string;
  shipping_id: number | null;
  shipping_method_name: string | null;
  notes: string;
  admin_notes: string;
  currency: string;
  stock_status: string;
  surcharges: Surcharge[];
  tracking_numbers: TrackingNumber[];
  sub_total: Amount;
  total: Amount;
  details: Array<{ id: number; name: string; value: string }>;
  history: HistoryEvent[];
  payment_transactions: PaymentTransaction[];
  /**
   * Fields the real API serialises as null for this order (XC55 OrderOutput types them nullable: an
   * order made in the back office without addresses, or without a status yet).
   */
  nullFields?: Array<'billing_address' | 'shipping_address' | 'payment_status' | 'shipping_status'>;
}

/** PHP DateTime::ISO8601: `Y-m-d\TH:i:sO`, in UTC as the sandbox's server timezone. */
export function isoDate(unixSeconds: number): string {
  // An order's dates mostly fall in one second: remember the last one rather than format it again.
  if (unixSeconds !== lastIso.unix) lastIso = { unix: unixSeconds, text: `${new Date(unixSeconds * 1000).toISOString().slice(0, 19)}+0000` };
  return lastIso.text;
}
let lastIso = { unix: NaN, text: '' };

/** PHP floats: decimals are serialized as JSON numbers (the real API does the same). */
export const money = (d: Decimal | Amount): number => (typeof d === 'number' ? d : cents(d));
/** Rounded to the cent, half up (decimal.js's default rounding), as an Amount. */
export const cents = (d: Decimal): Amount => Number(d.toFixed(2));

export function statusRef(kind: 'payment' | 'shipping', code: string): StatusRef {
  const table = kind === 'payment' ? PAYMENT_STATUSES : SHIPPING_STATUSES;
  const codes = Object.keys(table);
  const idx = codes.indexOf(code);
  const name = table[code] ?? code;
  return { id: idx >= 0 ? idx + 1 : 100 + code.charCodeAt(0), code, name, customer_name: name };
}

// Modifier weights of the core order modifiers (shipping, then tax, then discounts) [I: values assumed].
const SURCHARGE_WEIGHT: Record<string, number> = { shipping: 100, handling: 150, tax: 200, discount: 300 };

/** A numeric code in PUT …/payment_status is taken as a status id (XLite\\Model\\Order::setPaymentStatus). */
export function statusCodeById(kind: 'payment' | 'shipping', id: number): string | undefined {
  const codes = Object.keys(kind === 'payment' ? PAYMENT_STATUSES : SHIPPING_STATUSES);
  return codes[id - 1];
}

export function surchargeOutput(s: Surcharge) {
  return { id: s.id, type: s.type, code: s.code, class: s.class, include: s.include, available: s.available, value: money(s.value), name: s.name, weight: s.weight ?? SURCHARGE_WEIGHT[s.type] ?? 0 };
}

/** XC55 AddressOutput: `is_work` always there; `country_code` a string, '' when the address has none (never null). */
export function addressOutput(a: Address) {
  return {
    id: a.id, is_billing: a.is_billing, is_shipping: a.is_shipping, is_work: a.is_work ?? false, type: a.type, title: a.title, firstname: a.firstname, lastname: a.lastname,
    phone: a.phone, street: a.street, zipcode: a.zipcode, city: a.city, country_code: a.country_code ?? '', state: a.state, state_name: a.state_name, custom_fields: a.custom_fields,
  };
}

export function orderOutput(o: Order, customStatusName?: (kind: 'payment' | 'shipping', code: string) => string | undefined) {
  const ref = (kind: 'payment' | 'shipping', code: string) => {
    const r = statusRef(kind, code);
    const custom = customStatusName?.(kind, code);
    return custom ? { ...r, name: custom, customer_name: custom } : r;
  };
  return {
    id: o.id,
    order_number: o.order_number,
    total: money(o.total),
    sub_total: money(o.sub_total),
    email: o.email,
    items: o.items.map((i) => ({
      id: i.id,
      product_id: i.product_id,
      sku: i.sku,
      update_date: isoDate(i.update_date),
      name: i.name,
      price: money(i.price),
      item_net_price: money(i.item_net_price),
      discounted_subtotal: money(i.discounted_subtotal),
      amount: i.amount,
      backordered_amount: i.backordered_amount,
      surcharges: i.surcharges.map(surchargeOutput),
    })),
    billing_address: o.nullFields?.includes('billing_address') ? null : addressOutput(o.billing_address),
    shipping_address: o.nullFields?.includes('shipping_address') ? null : addressOutput(o.shipping_address),
    create_date: isoDate(o.date),
    update_date: isoDate(o.lastRenewDate),
    payment_status: o.nullFields?.includes('payment_status') ? null : ref('payment', o.payment_status),
    shipping_status: o.nullFields?.includes('shipping_status') ? null : ref('shipping', o.shipping_status),
    customer_id: o.customer_id,
    order_profile_id: o.order_profile_id,
    shipping_id: o.shipping_id,
    shipping_method_name: o.shipping_method_name,
    notes: o.notes,
    admin_notes: o.admin_notes,
    currency: o.currency,
    stock_status: o.stock_status,
    surcharges: o.surcharges.map(surchargeOutput),
    tracking_numbers: o.tracking_numbers.map((t) => ({ id: t.id, date: isoDate(t.date), value: t.value })),
  };
}

export function transactionOutput(t: PaymentTransaction) {
  return {
    id: t.id,
    public_id: t.public_id,
    public_txn_id: t.public_txn_id,
    method_id: t.method_id,
    type: t.type,
    date: isoDate(t.date),
    status: t.status,
    name: t.name,
    currency: t.currency,
    value: money(t.value),
    note: t.note,
    data: t.data,
    backend_transactions: t.backend_transactions.map((b) => ({ id: b.id, type: b.type, date: isoDate(b.date), status: b.status, value: money(b.value) })),
  };
}
