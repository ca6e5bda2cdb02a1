// In-memory state of the simulated X-Cart store: products (with variants), profiles (with
// addresses) and orders, plus the indexes that keep list queries fast at 100,000 orders:
// orders sorted by (date, id) and by (lastRenewDate, id), so date ranges and the
// `order[lastRenewDate]=desc` sweep integrators use are binary searches, not scans.
import { Decimal } from 'decimal.js';
import { generateCatalog, type Catalog } from '../shared/catalog.js';
import { NONE, type Address, type Order, type TrackingNumber } from './model.js';

export interface Variant {
  id: number;
  sku: string | null;
  price: Decimal;
  amount: number;
  weight: Decimal;
  default_price: boolean;
  default_amount: boolean;
  default_weight: boolean;
  default_variant: boolean;
  attribute_select_values: number[];
  /** e.g. { Colour: 'Black' } — shown for humans; not part of the XC55 output. */
  attributes: Record<string, string>;
}

export interface Product {
  id: number;
  sku: string;
  name: string;
  description: string;
  brief_description: string;
  meta_title: string;
  meta_description: string;
  meta_tags: string;
  price: Decimal;
  enabled: boolean;
  weight: Decimal;
  separate_box: boolean;
  width: Decimal;
  length: Decimal;
  height: Decimal;
  free_shipping: boolean;
  taxable: boolean;
  arrival_date: number;
  inventory_traceable: boolean;
  amount: number;
  /** Names, as the input DTO takes them. */
  product_class: string | null;
  tax_class: string | null;
  memberships: string[];
  clean_url: string;
  create_date: number;
  update_date: number;
  images: Array<{ id: number; url: string; alt: string }>;
  variants: Variant[];
}

export interface Profile {
  id: number;
  login: string;
  /** A = admin, C = customer (X-Cart access levels 100 / 0). */
  access_level: number;
  create_date: number;
  first_login_date: number;
  last_login_date: number;
  status: 'E' | 'D';
  status_comment: string;
  referer: string;
  language: string;
  membership_id: number | null;
  pending_membership_id: number | null;
  force_change_password: boolean;
  role_ids: number[];
  addresses: Address[];
  /** Anonymous profile created for a guest checkout (X-Cart keeps one per order). */
  anonymous: boolean;
}

/**
 * The store's clock in Unix seconds. X-Cart stores `date` and `lastRenewDate` as integer seconds,
 * so many orders share a second; the clock can be moved forward by tests (never backward).
 */
export class StoreClock {
  private readonly startReal = Date.now();
  private offsetS = 0;
  private last = 0;
  constructor(private readonly timeScale = 1, private readonly epoch = Math.floor(Date.now() / 1000)) {}
  now(): number {
    const t = this.epoch + Math.floor(((Date.now() - this.startReal) * this.timeScale) / 1000) + this.offsetS;
    this.last = Math.max(this.last, t);
    return this.last;
  }
  advance(seconds: number): number {
    if (!(seconds >= 0)) throw new RangeError('the clock only moves forward');
    this.offsetS += Math.floor(seconds);
    return this.now();
  }
}

type Key = (o: Order) => number;

/** Orders kept sorted by (key, id); insert/remove are binary searches plus one splice. */
class SortedOrders {
  readonly list: Order[] = [];
  constructor(private readonly key: Key) {}
  /** First index whose (key, id) >= (k, id). */
  lowerBound(k: number, id = -Infinity): number {
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const o = this.list[mid]!;
      const ok = this.key(o);
      if (ok < k || (ok === k && o.id < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /** First index whose key > k. */
  upperBound(k: number): number {
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.key(this.list[mid]!) <= k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  insert(o: Order): void {
    const n = this.list.length;
    // Fast path: new orders almost always sort last.
    if (n === 0 || this.key(this.list[n - 1]!) < this.key(o) || (this.key(this.list[n - 1]!) === this.key(o) && this.list[n - 1]!.id < o.id)) {
      this.list.push(o);
      return;
    }
    this.list.splice(this.lowerBound(this.key(o), o.id), 0, o);
  }
  remove(o: Order, keyValue: number): void {
    const i = this.lowerBound(keyValue, o.id);
    if (this.list[i] === o) this.list.splice(i, 1);
    else {
      const j = this.list.indexOf(o);
      if (j >= 0) this.list.splice(j, 1);
    }
  }
}

export class XcartStore {
  readonly catalog: Catalog;
  readonly clock: StoreClock;
  readonly products = new Map<number, Product>();
  readonly productsBySku = new Map<string, Product>();
  /** Variant (or simple product) by the SKU a shopper buys: the ERP's formatted item number. */
  readonly sellableBySku = new Map<string, { product: Product; variant: Variant | null }>();
  readonly profiles = new Map<number, Profile>();
  readonly profilesByLogin = new Map<string, Profile>();
  readonly orders = new Map<number, Order>();
  readonly ordersByNumber = new Map<string, Order>();
  readonly trackingById = new Map<number, { t: TrackingNumber; order: Order }>();
  /** Every order by id, ascending (ids are assigned in creation order). */
  readonly orderList: Order[] = [];
  readonly byDate = new SortedOrders((o) => o.date);
  readonly byRenew = new SortedOrders((o) => o.lastRenewDate);
  /** Status codes added by a custom-statuses module (XC/CustomOrderStatuses), with their names. */
  readonly customStatuses = { payment: new Map<string, string>(), shipping: new Map<string, string>() };
  private seq = { order: 0, orderNumber: 0, item: 0, product: 0, variant: 0, profile: 0, address: 0, surcharge: 0, txn: 0, history: 0, tracking: 0, detail: 0 };

  constructor(seed = 1, timeScale = 1) {
    this.catalog = generateCatalog(seed);
    this.clock = new StoreClock(timeScale);
    this.seed();
  }

  next(kind: keyof XcartStore['seq']): number {
    return ++this.seq[kind];
  }

  private seed(): void {
    const now = this.clock.now();
    // Admin profile first, as in a fresh X-Cart install (profile_id 1).
    this.addProfile({ login: 'admin@example.com', access_level: 100, addresses: [], anonymous: false, created: now - 86_400 * 365 });
    for (const c of this.catalog.customers) {
      this.addProfile({
        login: c.email,
        access_level: 0,
        anonymous: false,
        created: now - 86_400 * 90,
        addresses: [
          {
            id: 0, is_billing: true, is_shipping: true, type: 'R', title: '', firstname: c.firstName, lastname: c.lastName, phone: c.phone,
            street: c.address.street2 ? `${c.address.street}\n${c.address.street2}` : c.address.street,
            zipcode: c.address.zip, city: c.address.city, country_code: c.address.country, state: null, state_name: c.address.state, custom_fields: [],
          },
        ],
      });
    }
    // One product per style; several colours become variants whose SKUs are the ERP item numbers.
    const byStyle = new Map<string, typeof this.catalog.items>();
    for (const item of this.catalog.items) {
      const key = `${item.segments[0]}-${item.segments[1]}`;
      byStyle.set(key, [...(byStyle.get(key) ?? []), item]);
    }
    for (const [style, items] of byStyle) {
      const first = items[0]!;
      const stockOf = (i: typeof first) => Object.values(i.stock).reduce((a, b) => a + b, 0);
      const name = first.description.replace(/\s+\S+$/, '');
      const p: Product = {
        id: this.next('product'),
        sku: items.length === 1 ? first.itemNo : style,
        name: items.length === 1 ? first.description : name,
        description: `<p>${name}: ${first.category.toLowerCase()} for the trail.</p>`,
        brief_description: name,
        meta_title: name,
        meta_description: '',
        meta_tags: '',
        price: new Decimal(first.price),
        enabled: true,
        weight: new Decimal(first.weightLb),
        separate_box: false,
        width: new Decimal(0),
        length: new Decimal(0),
        height: new Decimal(0),
        free_shipping: false,
        taxable: true,
        arrival_date: now - 86_400 * 120,
        inventory_traceable: true,
        amount: items.length === 1 ? stockOf(first) : 0,
        product_class: first.category === 'Electronics' ? 'Electronics' : first.category === 'Apparel' || first.category === 'Footwear' ? 'Apparel' : 'Gear',
        tax_class: 'Default',
        memberships: [],
        clean_url: style.toLowerCase(),
        create_date: now - 86_400 * 120,
        update_date: now - 86_400 * 120,
        images: [],
        variants: [],
      };
      if (items.length > 1) {
        for (const i of items) {
          p.variants.push({
            id: this.next('variant'),
            sku: i.itemNo,
            price: new Decimal(i.price),
            amount: stockOf(i),
            weight: new Decimal(i.weightLb),
            default_price: true,
            default_amount: false,
            default_weight: true,
            default_variant: p.variants.length === 0,
            attribute_select_values: [],
            attributes: { Colour: i.description.split(' ').pop()! },
          });
        }
      }
      this.indexProduct(p);
    }
  }

  /** Bumped on every catalog change, so caches of the sellable SKUs know when to refresh. */
  catalogVersion = 0;

  indexProduct(p: Product): void {
    this.catalogVersion++;
    this.products.set(p.id, p);
    this.productsBySku.set(p.sku, p);
    if (p.variants.length === 0) this.sellableBySku.set(p.sku, { product: p, variant: null });
    for (const v of p.variants) if (v.sku) this.sellableBySku.set(v.sku, { product: p, variant: v });
  }

  unindexProduct(p: Product): void {
    this.catalogVersion++;
    this.products.delete(p.id);
    if (this.productsBySku.get(p.sku) === p) this.productsBySku.delete(p.sku);
    for (const [sku, s] of this.sellableBySku) if (s.product === p) this.sellableBySku.delete(sku);
  }

  addProfile(spec: { login: string; access_level: number; addresses: Address[]; anonymous: boolean; created?: number }): Profile {
    const now = this.clock.now();
    const p: Profile = {
      id: this.next('profile'),
      login: spec.login,
      access_level: spec.access_level,
      create_date: spec.created ?? now,
      first_login_date: spec.anonymous ? 0 : (spec.created ?? now),
      last_login_date: spec.anonymous ? 0 : (spec.created ?? now),
      status: 'E',
      status_comment: '',
      referer: '',
      language: 'en',
      membership_id: null,
      pending_membership_id: null,
      force_change_password: false,
      role_ids: spec.access_level >= 100 ? [1] : NONE,
      addresses: spec.addresses.map((a) => ({ ...a, id: this.next('address') })),
      anonymous: spec.anonymous,
    };
    this.profiles.set(p.id, p);
    // Anonymous (guest) profiles share logins with registered ones; only registered ones index.
    if (!spec.anonymous) this.profilesByLogin.set(p.login.toLowerCase(), p);
    return p;
  }

  addOrder(o: Order): void {
    this.orders.set(o.id, o);
    this.ordersByNumber.set(o.order_number, o);
    this.orderList.push(o);
    this.byDate.insert(o);
    this.byRenew.insert(o);
  }

  /** Every change to an order goes through here: it bumps lastRenewDate and keeps the index sorted. */
  touchOrder(o: Order): void {
    const now = this.clock.now();
    if (now === o.lastRenewDate) return;
    this.byRenew.remove(o, o.lastRenewDate);
    o.lastRenewDate = now;
    this.byRenew.insert(o);
  }

  nextOrderNumber(): string {
    return String(this.next('orderNumber'));
  }

  /** Stock of what a shopper buys (variant amount unless it inherits the product's). */
  stockOf(s: { product: Product; variant: Variant | null }): number {
    return s.variant && !s.variant.default_amount ? s.variant.amount : s.product.amount;
  }

  adjustStock(s: { product: Product; variant: Variant | null }, delta: number): void {
    if (!s.product.inventory_traceable) return;
    if (s.variant && !s.variant.default_amount) s.variant.amount += delta;
    else s.product.amount += delta;
    s.product.update_date = this.clock.now();
  }
}
