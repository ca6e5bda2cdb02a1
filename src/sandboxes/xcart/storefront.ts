// Storefront simulation: what shoppers and the back office do to orders, so tests, benchmarks and
// the demo see realistic traffic. Guest and registered checkouts, several lines, coupons, shipping
// and tax surcharges, several currencies; then pay, refund, cancel, ship. Every change bumps
// `lastRenewDate` and writes order history, as X-Cart does.
import { Decimal } from 'decimal.js';
import { Random } from '../shared/random.js';
import {
  NONE, PAYMENT_STATUSES, SHIPPING_STATUSES, cents, statusCodeById,
  type Address, type Order, type OrderItem, type PaymentTransaction, type Surcharge,
} from './model.js';
import type { Product, Variant, XcartStore } from './store.js';

/** Display currencies (MultiCurrency): rate from the store's USD base, rounded per line like X-Cart. */
export const CURRENCY_RATES: Record<string, string> = { USD: '1', EUR: '0.92', GBP: '0.79', CAD: '1.36' };
const SHIPPING_METHODS = [
  { id: 1, name: 'Ground', rate: '9.99' },
  { id: 2, name: 'Express', rate: '24.99' },
  { id: 3, name: 'Local pickup', rate: '0' },
];
const COUPONS: Record<string, { percent?: string; amount?: string }> = { SAVE10: { percent: '10' }, TAKE5: { amount: '5' }, WELCOME15: { percent: '15' } };
const TAX_RATES: Record<string, string> = { WA: '10.1', TX: '8.25', IL: '10.25', CO: '8.81', MA: '6.25', OR: '0', BC: '12', ON: '13' };
const PAYMENT_METHODS = [
  { id: 1, name: 'Credit Card (Stripe)' },
  { id: 2, name: 'PayPal' },
  { id: 3, name: 'Phone Ordering' },
];

export class StorefrontError extends Error {
  constructor(readonly status: number, message: string, readonly violations?: Array<{ propertyPath: string; message: string }>) {
    super(message);
  }
}

export interface OrderSpec {
  /** Registered shopper by profile id, or by login (email). Omitted: a guest unless `guest: false`. */
  profileId?: number;
  login?: string;
  /** Guest checkout with this email (X-Cart creates an anonymous order profile). */
  guestEmail?: string;
  guest?: boolean;
  lines?: Array<{ sku: string; qty: number }>;
  currency?: string;
  coupon?: string;
  shippingMethod?: string;
  paymentMethod?: string;
  /** Pay at checkout (card capture); otherwise the order waits in Queued. */
  paid?: boolean;
  notes?: string;
  address?: Partial<Pick<Address, 'firstname' | 'lastname' | 'street' | 'city' | 'zipcode' | 'state_name' | 'country_code' | 'phone'>>;
  /** Serialise these as null, as XC55 does for an order without them (made in the back office, say). */
  nullFields?: Order['nullFields'];
}

const round2 = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

/**
 * An array filled by push keeps room for 16 more elements (V8 grows capacity to n + n/2 + 16): ~1 KB
 * an order over its eight arrays, 10 MB of a 10,000-order demo (issue 12). A placed order's arrays
 * are copied to their exact length once; a later change (ship, refund) grows just that one again.
 */
function trimArrays(o: Order): void {
  o.items = o.items.slice();
  o.surcharges = o.surcharges.slice();
  o.details = o.details.slice();
  o.history = o.history.slice();
  o.payment_transactions = o.payment_transactions.slice();
  for (const t of o.payment_transactions) t.backend_transactions = t.backend_transactions.slice();
}

export class Storefront {
  private readonly random: Random;
  private skus?: { version: number; list: string[] };
  private customers?: Array<ReturnType<XcartStore['profilesByLogin']['get']> & object>;
  /** Called after every change; the webhook extension listens here. */
  onChange?: (order: Order, event: 'created' | 'updated') => void;

  constructor(private readonly store: XcartStore, seed = 1) {
    this.random = new Random(seed * 7919 + 13);
  }

  private surcharge(type: string, code: string, name: string, value: Decimal, cls: string): Surcharge {
    return { id: this.store.next('surcharge'), type, code: this.intern(code), class: cls, include: false, available: true, value: cents(value), name: this.intern(name) };
  }

  /**
   * One string per distinct line name and surcharge code/name (from the catalog and the tax and coupon
   * tables, so bounded): each order built its own concatenated copies, ~3 MB of 10,000 orders kept
   * for the life of the demo (issue 12).
   */
  private readonly interned = new Map<string, string>();
  private intern(s: string): string {
    const hit = this.interned.get(s);
    if (hit !== undefined) return hit;
    this.interned.set(s, s);
    return s;
  }

  private history(o: Order, code: string, description: string, comment = ''): void {
    o.history.push({ id: this.store.next('history'), date: this.store.clock.now(), code, description: this.intern(description), comment, author_name: 'system' });
  }

  placeOrder(spec: OrderSpec = {}): Order {
    const s = this.store;
    const rnd = this.random;
    const currency = (spec.currency ?? rnd.pick(['USD', 'USD', 'USD', 'EUR', 'GBP', 'CAD'])).toUpperCase();
    const rate = CURRENCY_RATES[currency];
    if (!rate) throw new StorefrontError(422, `Currency ${currency} is not enabled`, [{ propertyPath: 'currency', message: `Currency ${currency} is not enabled in this store.` }]);
    const ship = spec.shippingMethod ? SHIPPING_METHODS.find((m) => m.name.toLowerCase() === spec.shippingMethod!.toLowerCase()) : rnd.pick(SHIPPING_METHODS);
    if (!ship) throw new StorefrontError(422, `Unknown shipping method ${spec.shippingMethod}`, [{ propertyPath: 'shippingMethod', message: 'This shipping method is not available.' }]);
    const coupon = spec.coupon ?? (rnd.chance(0.25) ? rnd.pick(Object.keys(COUPONS)) : undefined);
    if (coupon && !COUPONS[coupon.toUpperCase()]) throw new StorefrontError(422, `Coupon ${coupon} is not valid`, [{ propertyPath: 'coupon', message: 'There is no such coupon code.' }]);
    const payment = spec.paymentMethod ? PAYMENT_METHODS.find((m) => m.name === spec.paymentMethod) : rnd.pick(PAYMENT_METHODS);
    if (!payment) throw new StorefrontError(422, `Unknown payment method ${spec.paymentMethod}`, [{ propertyPath: 'paymentMethod', message: 'This payment method is not available.' }]);

    // Who is buying: a registered profile, or a guest with an anonymous order profile.
    let registered = null as ReturnType<XcartStore['profiles']['get']> | null;
    if (spec.profileId !== undefined) {
      registered = s.profiles.get(spec.profileId) ?? null;
      if (!registered || registered.anonymous) throw new StorefrontError(422, `Profile ${spec.profileId} not found`, [{ propertyPath: 'profileId', message: 'No such customer.' }]);
    } else if (spec.login) {
      registered = s.profilesByLogin.get(spec.login.toLowerCase()) ?? null;
      if (!registered) throw new StorefrontError(422, `Profile ${spec.login} not found`, [{ propertyPath: 'login', message: 'No such customer.' }]);
    } else if (!spec.guestEmail && spec.guest !== true && rnd.chance(0.6)) {
      this.customers ??= [...s.profilesByLogin.values()].filter((p) => p.access_level === 0);
      registered = rnd.pick(this.customers);
    }
    const template = registered?.addresses[0] ?? this.randomAddress();
    const given: Address = { ...template, ...(spec.address ?? {}), is_billing: true, is_shipping: true };
    if (!given.street || !given.city || !given.country_code) {
      throw new StorefrontError(422, 'Address is incomplete', [{ propertyPath: 'address', message: 'Street, city and country are required.' }]);
    }
    const email = registered?.login ?? spec.guestEmail ?? `guest${s.orders.size + 1}@example.net`;
    const orderProfile = s.addProfile({ login: email, access_level: 0, addresses: [given], anonymous: true });
    // The order's address is its order profile's (X-Cart: Order::getProfile()->getBillingAddress()),
    // one record rather than a copy per order.
    const addr = orderProfile.addresses[0]!;

    // Lines: given, or 1–4 random sellable SKUs.
    const lines = spec.lines ?? this.randomLines();
    if (lines.length === 0) throw new StorefrontError(422, 'The cart is empty', [{ propertyPath: 'items', message: 'The cart is empty.' }]);
    const now = s.clock.now();
    const items: OrderItem[] = [];
    const merged = new Map<string, number>();
    for (const l of lines) {
      if (!Number.isInteger(l.qty) || l.qty <= 0) throw new StorefrontError(422, `Quantity for ${l.sku} must be a positive integer`, [{ propertyPath: `items[${l.sku}].amount`, message: 'This value should be positive.' }]);
      merged.set(l.sku, (merged.get(l.sku) ?? 0) + l.qty);
    }
    for (const [sku, qty] of merged) {
      const sellable = s.sellableBySku.get(sku);
      if (!sellable || !sellable.product.enabled) throw new StorefrontError(422, `Product ${sku} is not available`, [{ propertyPath: 'items', message: `Product with SKU ${sku} is not available.` }]);
      const usd = sellable.variant && !sellable.variant.default_price ? sellable.variant.price : sellable.product.price;
      const price = round2(usd.mul(rate));
      const inStock = s.stockOf(sellable);
      const backordered = sellable.product.inventory_traceable ? Math.max(0, qty - Math.max(0, inStock)) : 0;
      items.push({
        id: s.next('item'), product_id: sellable.product.id, sku, update_date: now,
        name: sellable.variant ? this.intern(`${sellable.product.name} (${Object.values(sellable.variant.attributes).join(', ')})`) : sellable.product.name,
        price: cents(price), item_net_price: cents(price), discounted_subtotal: cents(round2(price.mul(qty))), amount: qty, backordered_amount: backordered, surcharges: NONE,
        variant_id: sellable.variant?.id ?? null,
      });
    }
    const subTotal = items.reduce((a, i) => a.add(new Decimal(i.price).mul(i.amount)), new Decimal(0));
    const surcharges: Surcharge[] = [];
    // Coupon: a percentage or a fixed amount (in store currency, converted), spread over the lines.
    let discount = new Decimal(0);
    if (coupon) {
      const c = COUPONS[coupon.toUpperCase()]!;
      discount = c.percent ? round2(subTotal.mul(c.percent).div(100)) : Decimal.min(subTotal, round2(new Decimal(c.amount!).mul(rate)));
      if (discount.gt(0)) {
        surcharges.push(this.surcharge('discount', 'DCOUPON', `Coupon ${coupon.toUpperCase()}`, discount.neg(), 'XLite\\Module\\CDev\\Coupons\\Logic\\Order\\Modifier\\Discount'));
        let left = discount;
        items.forEach((it, idx) => {
          const lineTotal = new Decimal(it.price).mul(it.amount);
          const share = idx === items.length - 1 ? left : round2(discount.mul(lineTotal).div(subTotal));
          left = left.sub(share);
          it.discounted_subtotal = cents(lineTotal.sub(share));
        });
      }
    }
    const shippingCost = round2(new Decimal(ship.rate).mul(rate));
    if (ship.rate !== '0') surcharges.push(this.surcharge('shipping', 'SHIPPING', 'Shipping cost', shippingCost, 'XLite\\Logic\\Order\\Modifier\\Shipping'));
    const taxRate = TAX_RATES[addr.state_name] ?? '0';
    const taxable = subTotal.sub(discount);
    const tax = round2(taxable.mul(taxRate).div(100));
    if (tax.gt(0)) surcharges.push(this.surcharge('tax', `${addr.country_code}_${addr.state_name}_SALES_TAX`, `Sales tax ${taxRate}%`, tax, 'XLite\\Module\\CDev\\SalesTax\\Logic\\Order\\Modifier\\Tax'));
    const total = subTotal.sub(discount).add(ship.rate === '0' ? 0 : shippingCost).add(tax);

    const id = s.next('order');
    const order: Order = {
      id,
      order_number: s.nextOrderNumber(),
      date: now,
      lastRenewDate: now,
      email,
      customer_id: registered?.id ?? null,
      order_profile_id: orderProfile.id,
      items,
      billing_address: addr,
      shipping_address: addr,
      ...(spec.nullFields?.length ? { nullFields: [...spec.nullFields] } : {}),
      payment_status: 'Q',
      shipping_status: 'N',
      shipping_id: ship.id,
      shipping_method_name: ship.name,
      notes: spec.notes ?? '',
      admin_notes: '',
      currency,
      stock_status: items.some((i) => i.backordered_amount > 0) ? 'backordered' : 'in stock',
      surcharges,
      tracking_numbers: [],
      sub_total: cents(subTotal),
      total: cents(total),
      details: [],
      history: [],
      payment_transactions: [],
    };
    if (payment.id === 1) {
      order.details.push({ id: s.next('detail'), name: 'cc_type', value: rnd.pick(['VISA', 'MC', 'AMEX']) });
      order.details.push({ id: s.next('detail'), name: 'cc_last4', value: String(rnd.int(1000, 9999)) });
    }
    const txn: PaymentTransaction = {
      id: s.next('txn'),
      public_id: `XC${String(id).padStart(8, '0')}`,
      public_txn_id: '',
      method_id: payment.id,
      type: 'sale',
      date: now,
      status: 'I',
      name: payment.name,
      currency,
      value: order.total,
      note: '',
      data: NONE,
      backend_transactions: [],
    };
    order.payment_transactions.push(txn);
    for (const it of items) {
      const sellable = s.sellableBySku.get(it.sku)!;
      s.adjustStock(sellable, -it.amount);
    }
    this.history(order, 'PLACE ORDER', 'Order placed');
    if (order.stock_status === 'backordered') order.shipping_status = 'NBA';
    s.addOrder(order);
    if (spec.paid ?? rnd.chance(0.7)) this.pay(order.id);
    else this.onChange?.(order, 'created');
    trimArrays(order);
    return order;
  }

  placeOrders(n: number, spec: OrderSpec = {}): Order[] {
    const out: Order[] = [];
    for (let i = 0; i < n; i++) out.push(this.placeOrder(spec));
    return out;
  }

  private randomLines(): Array<{ sku: string; qty: number }> {
    if (this.skus?.version !== this.store.catalogVersion) this.skus = { version: this.store.catalogVersion, list: [...this.store.sellableBySku.keys()] };
    const skus = this.skus.list;
    const n = this.random.int(1, 4);
    const lines: Array<{ sku: string; qty: number }> = [];
    for (let i = 0; i < n; i++) lines.push({ sku: this.random.pick(skus), qty: this.random.int(1, 3) });
    return lines;
  }

  private randomAddress(): Address {
    const c = this.random.pick(this.store.catalog.customers);
    return {
      id: 0, is_billing: true, is_shipping: true, type: 'R', title: '', firstname: c.firstName, lastname: c.lastName, phone: c.phone,
      street: c.address.street, zipcode: c.address.zip, city: c.address.city, country_code: c.address.country, state: null, state_name: c.address.state, custom_fields: NONE,
    };
  }

  order(id: number): Order {
    const o = this.store.orders.get(id);
    if (!o) throw new StorefrontError(404, `Order with ID ${id} not found`);
    return o;
  }

  /** Capture the whole open amount (card settlement / PayPal IPN). */
  pay(id: number): Order {
    const o = this.order(id);
    if (!['Q', 'A', 'PP'].includes(o.payment_status)) throw new StorefrontError(400, `Order ${o.order_number} cannot be paid in status ${o.payment_status}`);
    const txn = o.payment_transactions[0]!;
    txn.status = 'S';
    txn.public_txn_id ||= `ch_${o.id.toString(36)}${this.random.int(100000, 999999)}`;
    txn.backend_transactions.push({ id: this.store.next('txn'), type: 'sale', date: this.store.clock.now(), status: 'S', value: txn.value });
    this.changePayment(o, 'P', 'Payment captured');
    return o;
  }

  /** Refund all (amount omitted) or part of what was paid. A full refund restocks the items. */
  refund(id: number, amount?: string): Order {
    const o = this.order(id);
    if (!['P', 'PP'].includes(o.payment_status)) throw new StorefrontError(400, `Order ${o.order_number} cannot be refunded in status ${o.payment_status}`);
    const txn = o.payment_transactions[0]!;
    const refunded = txn.backend_transactions.filter((b) => b.type.startsWith('refund')).reduce((a, b) => a.add(b.value), new Decimal(0));
    const open = new Decimal(o.total).sub(refunded);
    let value: Decimal;
    try {
      value = amount === undefined ? open : new Decimal(amount);
    } catch {
      throw new StorefrontError(400, `Refund amount '${amount}' is not a number`);
    }
    if (value.lte(0) || value.gt(open)) throw new StorefrontError(400, `Refund amount ${value.toFixed(2)} must be > 0 and ≤ ${open.toFixed(2)}`);
    const full = value.eq(open);
    txn.backend_transactions.push({ id: this.store.next('txn'), type: full && refunded.eq(0) ? 'refund' : full ? 'refundMulti' : 'refundPart', date: this.store.clock.now(), status: 'S', value: cents(value) });
    if (full) {
      for (const it of o.items) {
        const s = this.store.sellableBySku.get(it.sku);
        if (s) this.store.adjustStock(s, it.amount);
      }
      this.changePayment(o, 'R', `Refunded ${value.toFixed(2)} ${o.currency}`);
    } else {
      // X-Cart sets "Partially paid" (PP) after a partial refund: the core's backend-transaction
      // handling re-derives the status from what is still paid (the AvaTax module's refund hook,
      // XC\AvaTax\Model\Payment\Base\Processor::doTransaction, tests for STATUS_PART_PAID after a
      // refund for exactly this reason). The status change is also what makes the refund visible to a
      // poller: OrderOutput carries no payment transactions.
      this.changePayment(o, 'PP', `Partial refund ${value.toFixed(2)} ${o.currency}`);
    }
    return o;
  }

  /** Cancel an unpaid order (payment C) and put its items back in stock. */
  cancel(id: number): Order {
    const o = this.order(id);
    if (!['Q', 'A', 'D'].includes(o.payment_status)) throw new StorefrontError(400, `Order ${o.order_number} cannot be canceled in status ${o.payment_status}; refund it instead`);
    o.payment_transactions[0]!.status = 'C';
    for (const it of o.items) {
      const s = this.store.sellableBySku.get(it.sku);
      if (s) this.store.adjustStock(s, it.amount);
    }
    this.changePayment(o, 'C', 'Order canceled');
    return o;
  }

  /** Back office: mark shipped, optionally with a tracking number. */
  ship(id: number, trackingNumber?: string): Order {
    const o = this.order(id);
    if (trackingNumber) this.addTracking(o, trackingNumber);
    this.setShippingStatus(o, 'S');
    return o;
  }

  addTracking(o: Order, value: string): void {
    const t = { id: this.store.next('tracking'), date: this.store.clock.now(), value };
    o.tracking_numbers.push(t);
    this.store.trackingById.set(t.id, { t, order: o });
    this.history(o, 'TRACKING', `Tracking number ${value} added`);
    this.store.touchOrder(o);
    this.onChange?.(o, 'updated');
  }

  private changePayment(o: Order, code: string, comment: string): void {
    const from = o.payment_status;
    o.payment_status = code;
    this.history(o, 'CHANGE PAYMENT STATUS ORDER', `Payment status changed from ${from} to ${code}`, comment);
    this.store.touchOrder(o);
    this.onChange?.(o, 'updated');
  }

  /**
   * PUT /api/orders/{id}/payment_status as XC55 does it (OrderPaymentStatus InputTransformer): any
   * known code is set, with no transition check; a numeric code is taken as a status id; an unknown
   * one is 400 "Status code 'X' is invalid". Side effects of the status itself (stock back on
   * cancel/decline) still happen, as the model's setter does them.
   */
  setPaymentStatus(o: Order, raw: string): void {
    const code = this.resolveStatus('payment', raw);
    if (!code) throw new StorefrontError(400, `Status code '${raw}' is invalid`);
    this.clearNull(o, 'payment_status');
    if (code === o.payment_status) return;
    if ((code === 'C' || code === 'D') && ['Q', 'A'].includes(o.payment_status)) {
      for (const it of o.items) {
        const s = this.store.sellableBySku.get(it.sku);
        if (s) this.store.adjustStock(s, it.amount);
      }
    }
    this.changePayment(o, code, 'Changed through the API');
  }

  /** PUT /api/orders/{id}/shipping_status: the same, and the shipping transformer says "is wrong". */
  setShippingStatus(o: Order, raw: string): void {
    const code = this.resolveStatus('shipping', raw);
    if (!code) throw new StorefrontError(400, `Status code '${raw}' is wrong`);
    this.clearNull(o, 'shipping_status');
    if (code === o.shipping_status) return;
    const from = o.shipping_status;
    o.shipping_status = code;
    this.history(o, 'CHANGE SHIPPING STATUS ORDER', `Shipping status changed from ${from} to ${code}`);
    this.store.touchOrder(o);
    this.onChange?.(o, 'updated');
  }

  private resolveStatus(kind: 'payment' | 'shipping', raw: string): string | undefined {
    const table = kind === 'payment' ? PAYMENT_STATUSES : SHIPPING_STATUSES;
    if (raw in table || this.store.customStatuses[kind].has(raw)) return raw;
    return /^\d+$/.test(raw) ? statusCodeById(kind, Number(raw)) : undefined;
  }

  private clearNull(o: Order, field: 'payment_status' | 'shipping_status'): void {
    if (!o.nullFields?.includes(field)) return;
    o.nullFields = o.nullFields.filter((f) => f !== field);
    this.store.touchOrder(o);
  }

  /** Back office edits a note: a change that bumps lastRenewDate without any status move. */
  setAdminNotes(id: number, notes: string): Order {
    const o = this.order(id);
    o.admin_notes = notes;
    this.history(o, 'ORDER EDITED', 'Staff note changed');
    this.store.touchOrder(o);
    this.onChange?.(o, 'updated');
    return o;
  }
}

export type { Product, Variant };
