// The simulated Amazon marketplace behind the sandbox: listings (from the shared catalog, seller SKU =
// formatted item number), buyers placing AFN and MFN orders, Amazon shipping FBA orders, returns and
// refunds, FBA inventory, MCF orders, financial events and periodic settlements. Everything is
// plain in-memory state driven by the sandbox clock; every change that Amazon would announce emits
// a notification through `emit`.
import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { generateCatalog, type CatalogCustomer } from '../shared/catalog.js';
import { Random } from '../shared/random.js';
import type { SandboxClock } from './clock.js';

export const MARKETPLACE_ID = 'ATVPDKIKX0DER';
export const MARKETPLACE_NAME = 'Amazon.com';
export const CURRENCY = 'USD';
const TAX_RATE = new Decimal('0.0825');
const COMMISSION_RATE = new Decimal('0.15');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type Channel = 'AFN' | 'MFN';
export type OrderStatus = 'Pending' | 'Unshipped' | 'PartiallyShipped' | 'Shipped' | 'Canceled' | 'Unfulfillable' | 'InvoiceUnconfirmed' | 'PendingAvailability';

export interface FbaStock {
  fulfillable: number;
  inboundWorking: number;
  inboundShipped: number;
  inboundReceiving: number;
  pendingCustomerOrder: number;
  fcProcessing: number;
  unfulfillable: number;
  customerDamaged: number;
  researching: number;
  lastUpdated: number;
}

export interface Listing {
  sku: string;
  asin: string;
  fnSku: string;
  title: string;
  /** Decimal string, USD. */
  price: string;
  channel: Channel;
  weightLb: string;
  productType: string;
  attributes: Record<string, unknown>;
  /** Merchant-fulfilled quantity (fulfillment_availability DEFAULT). */
  mfnQuantity: number;
  fba: FbaStock;
  createdAt: number;
  updatedAt: number;
  deleted: boolean;
}

export interface OrderItem {
  orderItemId: string;
  sku: string;
  asin: string;
  title: string;
  qty: number;
  qtyShipped: number;
  /** Decimal strings. ItemPrice is unit price × quantity (Orders v0 semantics). */
  unitPrice: string;
  itemPrice: string;
  itemTax: string;
  shippingPrice: string;
  shippingTax: string;
  promotionDiscount: string;
  promotionIds: string[];
  refundedQty: number;
}

export interface Order {
  id: string;
  sellerOrderId: string;
  purchaseDate: number;
  lastUpdate: number;
  status: OrderStatus;
  channel: Channel;
  shipServiceLevel: string;
  category: 'Standard' | 'Expedited' | 'NextDay' | 'SecondDay';
  isPrime: boolean;
  isBusiness: boolean;
  buyerName: string;
  buyerEmail: string;
  buyerCompany: string | null;
  address: { name: string; line1: string; line2: string | null; city: string; state: string; postalCode: string; country: string; phone: string; type: 'Residential' | 'Commercial' };
  items: OrderItem[];
  shippedAt?: number;
}

export interface Money {
  amount: string;
}

/** One posted money movement, the common ground of Finances v0 events and settlement lines. */
export interface Posting {
  postedAt: number;
  transactionType: 'Order' | 'Refund' | 'other-transaction' | 'ServiceFee';
  amountType: string;
  amountDescription: string;
  /** Signed decimal string: what the seller is credited (fees negative). */
  amount: string;
  orderId?: string;
  orderItemId?: string;
  sku?: string;
  quantity?: number;
  fulfillment?: Channel;
  shipmentId?: string;
  adjustmentId?: string;
  promotionId?: string;
  groupId: string;
}

export interface EventGroup {
  id: string;
  start: number;
  end?: number;
  status: 'Open' | 'Closed';
  fundTransferStatus: 'Unknown' | 'Processing' | 'Succeeded';
  total?: string;
  settlementId?: string;
  postings: Posting[];
  reserveHeld: string;
}

/** A unit an FBA buyer sent back, as the FBA customer returns report lists it. */
export const RETURN_DISPOSITIONS = ['SELLABLE', 'DEFECTIVE', 'CUSTOMER_DAMAGED', 'CARRIER_DAMAGED', 'DISTRIBUTOR_DAMAGED', 'DAMAGED', 'EXPIRED'] as const;
export type ReturnDisposition = (typeof RETURN_DISPOSITIONS)[number];
export interface CustomerReturn {
  returnDate: number;
  orderId: string;
  sku: string;
  asin: string;
  fnSku: string;
  title: string;
  quantity: number;
  fc: string;
  disposition: ReturnDisposition;
  reason: string;
  status: string;
  lpn: string;
}

export interface McfOrder {
  request: Record<string, any>;
  id: string;
  status: 'New' | 'Received' | 'Planning' | 'Processing' | 'Cancelled' | 'Complete' | 'CompletePartialled' | 'Unfulfillable' | 'Invalid';
  receivedAt: number;
  statusAt: number;
  shipment?: { amazonShipmentId: string; fc: string; status: 'PENDING' | 'SHIPPED' | 'CANCELLED_BY_SELLER'; shippedAt?: number; packages: Array<{ packageNumber: number; carrierCode: string; trackingNumber: string; eta: number }> };
}

export type Emit = (type: string, data: unknown) => void;

function hashCode(s: string, alphabet: string, len: number): string {
  let out = '';
  for (let round = 0; out.length < len; round++) {
    const h = createHash('sha256').update(`${round}:${s}`).digest();
    for (let i = 0; i < h.length && out.length < len; i++) out += alphabet[h[i]! % alphabet.length];
  }
  return out;
}
const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const money2 = (d: Decimal.Value) => new Decimal(d).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);

interface Scheduled {
  at: number;
  run: () => void;
}

export class Marketplace {
  readonly listings = new Map<string, Listing>();
  readonly orders: Order[] = [];
  readonly ordersById = new Map<string, Order>();
  readonly groups: EventGroup[] = [];
  readonly mcf = new Map<string, McfOrder>();
  /** FBA customer returns (GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA). */
  readonly returns: CustomerReturn[] = [];
  readonly customers: CatalogCustomer[];
  private readonly rnd: Random;
  private schedule: Scheduled[] = [];
  private seq = 0;
  /** Sandbox days between settlements (Amazon: about 14). */
  settlementDays = 14;
  nextSettlementAt: number;
  /** Called after a settlement closes, with its group; the sandbox turns it into a report. */
  onSettlement: (g: EventGroup) => void = () => {};

  constructor(
    readonly sellerId: string,
    private readonly clock: SandboxClock,
    private readonly emit: Emit,
    seed = 1,
    opts: { historicalOrders?: number } = {},
  ) {
    const catalog = generateCatalog(seed);
    this.customers = catalog.customers;
    this.rnd = new Random(seed * 7919 + 13);
    const now = clock.now();
    catalog.items.forEach((item, i) => {
      const channel: Channel = i % 2 === 0 ? 'AFN' : 'MFN';
      const listing: Listing = {
        sku: item.itemNo,
        asin: `B0${hashCode(`asin:${item.itemNo}`, ALNUM, 8)}`,
        fnSku: `X00${hashCode(`fnsku:${item.itemNo}`, ALNUM, 7)}`,
        title: item.description,
        price: item.price,
        channel,
        weightLb: item.weightLb,
        productType: 'PRODUCT',
        attributes: {
          item_name: [{ value: item.description, language_tag: 'en_US', marketplace_id: MARKETPLACE_ID }],
          purchasable_offer: [{ currency: CURRENCY, our_price: [{ schedule: [{ value_with_tax: Number(item.price) }] }], marketplace_id: MARKETPLACE_ID }],
          fulfillment_availability: [channel === 'MFN' ? { fulfillment_channel_code: 'DEFAULT', quantity: item.stock['1'] ?? 0 } : { fulfillment_channel_code: 'AMAZON_NA' }],
        },
        mfnQuantity: channel === 'MFN' ? (item.stock['1'] ?? 0) : 0,
        fba: {
          fulfillable: channel === 'AFN' ? (item.stock['2'] ?? 0) : 0,
          inboundWorking: 0, inboundShipped: 0, inboundReceiving: 0, pendingCustomerOrder: 0, fcProcessing: 0,
          unfulfillable: 0, customerDamaged: 0, researching: 0, lastUpdated: now - 30 * DAY,
        },
        createdAt: now - 400 * DAY,
        updatedAt: now - 30 * DAY,
        deleted: false,
      };
      this.listings.set(listing.sku, listing);
    });
    this.groups.push(this.newGroup(now - 10 * DAY));
    this.nextSettlementAt = this.groups[0]!.start + this.settlementDays * DAY;
    this.at(this.nextSettlementAt, () => this.scheduledSettlement());
    const n = opts.historicalOrders ?? 60;
    if (n > 0) this.generateOrders(n, { from: now - 9 * DAY, to: now - 10 * MINUTE });
  }

  // ---- scheduler ---------------------------------------------------------------------------------

  at(when: number, run: () => void): void {
    const s = { at: when, run };
    const i = this.schedule.findIndex((x) => x.at > when);
    if (i < 0) this.schedule.push(s);
    else this.schedule.splice(i, 0, s);
  }

  /** Runs every scheduled change that is due. Cheap when nothing is (one comparison). */
  tick(): void {
    const now = this.clock.now();
    while (this.schedule.length && this.schedule[0]!.at <= now) this.schedule.shift()!.run();
  }

  private newGroup(start: number): EventGroup {
    return { id: this.opaqueId('grp', 43), start, status: 'Open', fundTransferStatus: 'Unknown', postings: [], reserveHeld: '0.00' };
  }

  get openGroup(): EventGroup {
    return this.groups[this.groups.length - 1]!;
  }

  private opaqueId(prefix: string, len: number): string {
    return hashCode(`${prefix}:${this.sellerId}:${++this.seq}:${this.rnd.next()}`, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_', len);
  }

  private digits(n: number): string {
    let s = String(this.rnd.int(1, 9));
    while (s.length < n) s += String(this.rnd.int(0, 9));
    return s;
  }

  // ---- orders ------------------------------------------------------------------------------------

  private pickListings(channel: Channel, count: number): Listing[] {
    const pool = [...this.listings.values()].filter((l) => l.channel === channel && !l.deleted);
    const out: Listing[] = [];
    while (out.length < count && pool.length) out.push(pool.splice(this.rnd.int(0, pool.length - 1), 1)[0]!);
    return out;
  }

  /** A buyer places an order. Lines default to 1–3 random listings of the channel. */
  placeOrder(opts: { channel?: Channel; lines?: Array<{ sku: string; quantity: number }>; purchaseDate?: number; status?: OrderStatus; promotion?: boolean; /** the buyer (a customer number of the catalog); default: one at random */ buyer?: string } = {}): Order {
    const now = this.clock.now();
    let lines: Array<{ listing: Listing; quantity: number }>;
    if (opts.lines?.length) {
      lines = opts.lines.map((l) => {
        const listing = this.listings.get(l.sku);
        if (!listing || listing.deleted) throw new RangeError(`unknown SKU ${l.sku}`);
        if (!Number.isInteger(l.quantity) || l.quantity < 1) throw new RangeError(`quantity must be a positive integer for ${l.sku}`);
        return { listing, quantity: l.quantity };
      });
    } else {
      const channel = opts.channel ?? (this.rnd.chance(0.6) ? 'AFN' : 'MFN');
      lines = this.pickListings(channel, this.rnd.int(1, 3)).map((listing) => ({ listing, quantity: this.rnd.int(1, 3) }));
    }
    const channel = opts.channel ?? lines[0]!.listing.channel;
    const customer = opts.buyer === undefined ? this.rnd.pick(this.customers) : this.customers.find((c) => c.number === opts.buyer);
    if (!customer) throw new RangeError(`unknown buyer ${opts.buyer}`);
    const purchaseDate = opts.purchaseDate ?? now;
    const category = channel === 'AFN' ? this.rnd.pick(['Standard', 'SecondDay', 'NextDay'] as const) : this.rnd.pick(['Standard', 'Expedited'] as const);
    const promo = opts.promotion ?? this.rnd.chance(0.15);
    const items: OrderItem[] = lines.map(({ listing, quantity }, i) => {
      const itemPrice = new Decimal(listing.price).times(quantity);
      const shipping = channel === 'MFN' && i === 0 ? new Decimal(category === 'Expedited' ? '9.99' : '4.99') : new Decimal(0);
      const discount = promo && i === 0 ? itemPrice.times('0.10').toDecimalPlaces(2, Decimal.ROUND_HALF_UP) : new Decimal(0);
      return {
        orderItemId: this.digits(14),
        sku: listing.sku,
        asin: listing.asin,
        title: listing.title,
        qty: quantity,
        qtyShipped: 0,
        unitPrice: money2(listing.price),
        itemPrice: money2(itemPrice),
        itemTax: money2(itemPrice.minus(discount).times(TAX_RATE)),
        shippingPrice: money2(shipping),
        shippingTax: money2(shipping.times(TAX_RATE)),
        promotionDiscount: money2(discount),
        promotionIds: discount.isZero() ? [] : [`PROMO-${listing.sku}-10OFF`],
        refundedQty: 0,
      };
    });
    const order: Order = {
      id: `${this.rnd.int(111, 114)}-${this.digits(7)}-${this.digits(7)}`,
      sellerOrderId: '',
      purchaseDate,
      lastUpdate: purchaseDate,
      status: 'Unshipped',
      channel,
      shipServiceLevel: channel === 'AFN' ? `${category}` : category === 'Expedited' ? 'Exp US D2D Dom' : 'Std US D2D Dom',
      category,
      isPrime: channel === 'AFN',
      isBusiness: customer.company !== null && this.rnd.chance(0.5),
      buyerName: `${customer.firstName} ${customer.lastName}`,
      buyerEmail: `${hashCode(`buyer:${customer.number}`, 'abcdefghijklmnopqrstuvwxyz0123456789', 16)}@marketplace.amazon.com`,
      buyerCompany: customer.company,
      address: {
        name: `${customer.firstName} ${customer.lastName}`, line1: customer.address.street, line2: customer.address.street2,
        city: customer.address.city, state: customer.address.state, postalCode: customer.address.zip, country: customer.address.country,
        phone: customer.phone, type: customer.company ? 'Commercial' : 'Residential',
      },
      items,
    };
    order.sellerOrderId = order.id;
    this.orders.push(order);
    this.ordersById.set(order.id, order);
    if (channel === 'AFN') for (const it of items) this.moveFba(it.sku, { fulfillable: -it.qty, pendingCustomerOrder: +it.qty }, purchaseDate);
    else for (const it of items) this.adjustMfn(it.sku, -it.qty);
    this.emit('ORDER_CHANGE', { order, changeType: 'OrderStatusChange', at: purchaseDate });
    const target = opts.status;
    if (target === 'Shipped') this.shipOrder(order.id, purchaseDate + 6 * HOUR);
    else if (target === 'Canceled') this.cancelOrder(order.id, purchaseDate + HOUR);
    else if (channel === 'AFN') {
      // Amazon ships FBA orders by itself, a few (sandbox) hours after purchase.
      this.at(purchaseDate + 4 * HOUR, () => {
        if (order.status === 'Unshipped') this.shipOrder(order.id);
      });
    }
    return order;
  }

  /** Historical orders spread evenly over [from, to], mostly shipped, as an account that has been selling. */
  generateOrders(count: number, range: { from: number; to: number }): Order[] {
    const out: Order[] = [];
    const span = Math.max(1, range.to - range.from);
    for (let i = 0; i < count; i++) {
      const at = range.from + Math.floor((span * (i + 0.5)) / count);
      const status: OrderStatus = at < this.clock.now() - 2 * DAY ? (this.rnd.chance(0.03) ? 'Canceled' : 'Shipped') : this.rnd.chance(0.5) ? 'Shipped' : 'Unshipped';
      out.push(this.placeOrder({ purchaseDate: at, status }));
    }
    return out;
  }

  private touch(order: Order, status: OrderStatus, at: number, changeType = 'OrderStatusChange', reason?: string): void {
    order.status = status;
    order.lastUpdate = Math.max(order.lastUpdate + 1000, at);
    this.emit('ORDER_CHANGE', { order, changeType, at: order.lastUpdate, reason });
  }

  shipOrder(orderId: string, at = this.clock.now()): Order {
    const order = this.mustOrder(orderId);
    if (order.status !== 'Unshipped' && order.status !== 'PartiallyShipped' && order.status !== 'Pending') throw new RangeError(`order ${orderId} is ${order.status} and cannot ship`);
    order.shippedAt = at;
    const shipmentId = `${this.rnd.pick(['D', 'T', 'G'])}${this.digits(3)}${hashCode(`${orderId}:ship`, ALNUM, 6)}`;
    for (const it of order.items) {
      it.qtyShipped = it.qty;
      if (order.channel === 'AFN') this.moveFba(it.sku, { pendingCustomerOrder: -it.qty }, at);
      this.postSale(order, it, shipmentId, at);
    }
    this.touch(order, 'Shipped', at);
    return order;
  }

  /**
   * The seller confirms a merchant-fulfilled package (confirmShipment): the listed units ship; the
   * order is Shipped when every unit has, PartiallyShipped before.
   */
  confirmPackage(orderId: string, lines: Array<{ orderItemId: string; quantity: number }>, at = this.clock.now()): Order {
    const order = this.mustOrder(orderId);
    if (order.channel !== 'MFN') throw new RangeError(`order ${orderId} is fulfilled by Amazon; only merchant-fulfilled orders take shipment confirmations`);
    if (order.status !== 'Unshipped' && order.status !== 'PartiallyShipped') throw new RangeError(`order ${orderId} is ${order.status} and cannot take a shipment confirmation`);
    for (const l of lines) {
      const it = order.items.find((i) => i.orderItemId === l.orderItemId);
      if (!it) throw new RangeError(`order ${orderId} has no item ${l.orderItemId}`);
      if (!Number.isInteger(l.quantity) || l.quantity < 1 || it.qtyShipped + l.quantity > it.qty) throw new RangeError(`quantity ${l.quantity} for item ${l.orderItemId} exceeds the ${it.qty - it.qtyShipped} unshipped`);
    }
    const shipmentId = `${this.rnd.pick(['D', 'T', 'G'])}${this.digits(3)}${hashCode(`${orderId}:${at}:ship`, ALNUM, 6)}`;
    for (const l of lines) {
      const it = order.items.find((i) => i.orderItemId === l.orderItemId)!;
      it.qtyShipped += l.quantity;
      if (it.qtyShipped === it.qty) this.postSale(order, it, shipmentId, at);
    }
    const done = order.items.every((i) => i.qtyShipped === i.qty);
    if (done) order.shippedAt = at;
    this.touch(order, done ? 'Shipped' : 'PartiallyShipped', at);
    return order;
  }

  private simulation?: { ordersPerHour: number; returnRate: number };

  /**
   * Buyers keep ordering: `ordersPerHour` (sandbox time) AFN and MFN orders, and a share of shipped
   * orders come back. 0 stops it.
   */
  simulate(opts: { ordersPerHour: number; returnRate?: number }): void {
    const active = this.simulation !== undefined;
    this.simulation = opts.ordersPerHour > 0 ? { ordersPerHour: opts.ordersPerHour, returnRate: opts.returnRate ?? 0.05 } : undefined;
    if (!this.simulation || active) return;
    // Each buyer arrives at its own scheduled time, so a clock jump (advance) replays every arrival.
    const step = (at: number) => {
      const sim = this.simulation;
      if (!sim) return;
      this.placeOrder({ purchaseDate: at });
      if (this.rnd.chance(sim.returnRate)) {
        const shipped = this.orders.filter((o) => o.status === 'Shipped' && o.items.some((i) => i.refundedQty < i.qty));
        if (shipped.length) {
          const o = this.rnd.pick(shipped);
          const it = o.items.find((i) => i.refundedQty < i.qty)!;
          this.returnItems(o.id, it.sku, 1, at);
        }
      }
      // Exponential gaps: a Poisson stream of buyers.
      const next = at + (-Math.log(1 - this.rnd.next()) * 3_600_000) / sim.ordersPerHour;
      this.at(next, () => step(next));
    };
    const first = this.clock.now() + 3_600_000 / this.simulation.ordersPerHour;
    this.at(first, () => step(first));
  }

  cancelOrder(orderId: string, at = this.clock.now()): Order {
    const order = this.mustOrder(orderId);
    if (order.status === 'Shipped' || order.status === 'Canceled') throw new RangeError(`order ${orderId} is ${order.status} and cannot be cancelled`);
    for (const it of order.items) {
      if (order.channel === 'AFN') this.moveFba(it.sku, { pendingCustomerOrder: -it.qty, fulfillable: +it.qty }, at);
      else this.adjustMfn(it.sku, it.qty);
    }
    this.touch(order, 'Canceled', at, 'BuyerRequestedChange', 'Buyer Requested Cancel');
    return order;
  }

  /**
   * A customer returns units; Amazon refunds principal and tax and keeps part of the commission. An
   * FBA return lands at the fulfilment centre with a disposition: sellable units go back to
   * fulfillable stock, others to unfulfillable, and the FBA customer returns report lists it.
   */
  returnItems(orderId: string, sku?: string, quantity?: number, at = this.clock.now(), disposition: ReturnDisposition = 'SELLABLE'): Posting[] {
    const order = this.mustOrder(orderId);
    if (!RETURN_DISPOSITIONS.includes(disposition)) throw new RangeError(`disposition must be one of ${RETURN_DISPOSITIONS.join(', ')}`);
    if (order.status !== 'Shipped') throw new RangeError(`order ${orderId} is ${order.status}; only shipped orders can be returned`);
    const item = sku ? order.items.find((i) => i.sku === sku) : order.items[0];
    if (!item) throw new RangeError(`order ${orderId} has no item ${sku}`);
    const qty = quantity ?? item.qty - item.refundedQty;
    if (!Number.isInteger(qty) || qty < 1 || qty > item.qty - item.refundedQty) throw new RangeError(`cannot return ${qty} of ${item.sku}: ${item.qty - item.refundedQty} left`);
    item.refundedQty += qty;
    const share = new Decimal(qty).div(item.qty);
    const principal = new Decimal(item.itemPrice).minus(item.promotionDiscount).times(share);
    const tax = new Decimal(item.itemTax).times(share);
    const commission = new Decimal(item.itemPrice).times(share).times(COMMISSION_RATE).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    // Amazon keeps 20% of the refunded commission, capped at $5 (the "RefundCommission" fee).
    const refundCommission = Decimal.min(commission.times('0.20'), 5).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    const adjustmentId = this.digits(14);
    const base = { postedAt: at, transactionType: 'Refund' as const, orderId: order.id, orderItemId: item.orderItemId, sku: item.sku, quantity: qty, fulfillment: order.channel, adjustmentId, groupId: this.openGroup.id };
    const postings: Posting[] = [
      { ...base, amountType: 'ItemPrice', amountDescription: 'Principal', amount: money2(principal.neg()) },
      { ...base, amountType: 'ItemPrice', amountDescription: 'Tax', amount: money2(tax.neg()) },
      { ...base, amountType: 'ItemWithheldTax', amountDescription: 'MarketplaceFacilitatorTax-Principal', amount: money2(tax) },
      { ...base, amountType: 'ItemFees', amountDescription: 'Commission', amount: money2(commission) },
      { ...base, amountType: 'ItemFees', amountDescription: 'RefundCommission', amount: money2(refundCommission.neg()) },
    ];
    this.openGroup.postings.push(...postings);
    if (order.channel === 'AFN') {
      this.moveFba(item.sku, disposition === 'SELLABLE' ? { fulfillable: +qty } : { unfulfillable: +qty, customerDamaged: +qty }, at);
      const l = this.listings.get(item.sku);
      this.returns.push({
        returnDate: at, orderId: order.id, sku: item.sku, asin: l?.asin ?? '', fnSku: l?.fnSku ?? '', title: l?.title ?? item.sku, quantity: qty, fc: 'PHX7', disposition,
        reason: disposition === 'SELLABLE' ? 'UNWANTED_ITEM' : 'DEFECTIVE', status: disposition === 'SELLABLE' ? 'Unit returned to inventory' : 'Unit returned to inventory (unsellable)', lpn: `LPN${this.digits(10)}`,
      });
    }
    return postings;
  }

  private postSale(order: Order, it: OrderItem, shipmentId: string, at: number): void {
    const base = { postedAt: at, transactionType: 'Order' as const, orderId: order.id, orderItemId: it.orderItemId, sku: it.sku, quantity: it.qty, fulfillment: order.channel, shipmentId, groupId: this.openGroup.id };
    const listing = this.listings.get(it.sku);
    const commission = new Decimal(it.itemPrice).plus(it.shippingPrice).times(COMMISSION_RATE).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    const rows: Posting[] = [
      { ...base, amountType: 'ItemPrice', amountDescription: 'Principal', amount: it.itemPrice },
      { ...base, amountType: 'ItemPrice', amountDescription: 'Tax', amount: it.itemTax },
    ];
    if (!new Decimal(it.shippingPrice).isZero()) {
      rows.push({ ...base, amountType: 'ItemPrice', amountDescription: 'Shipping', amount: it.shippingPrice });
      rows.push({ ...base, amountType: 'ItemPrice', amountDescription: 'ShippingTax', amount: it.shippingTax });
    }
    // Amazon collects US sales tax as marketplace facilitator: it passes through and is withheld again.
    rows.push({ ...base, amountType: 'ItemWithheldTax', amountDescription: 'MarketplaceFacilitatorTax-Principal', amount: money2(new Decimal(it.itemTax).neg()) });
    if (!new Decimal(it.shippingTax).isZero()) rows.push({ ...base, amountType: 'ItemWithheldTax', amountDescription: 'MarketplaceFacilitatorTax-Shipping', amount: money2(new Decimal(it.shippingTax).neg()) });
    if (!new Decimal(it.promotionDiscount).isZero()) rows.push({ ...base, amountType: 'Promotion', amountDescription: 'Principal', amount: money2(new Decimal(it.promotionDiscount).neg()), promotionId: it.promotionIds[0] });
    rows.push({ ...base, amountType: 'ItemFees', amountDescription: 'Commission', amount: money2(commission.neg()) });
    if (order.channel === 'AFN') {
      const lb = Math.max(1, Math.ceil(Number(listing?.weightLb ?? '1')));
      const perUnit = new Decimal('3.22').plus(new Decimal('0.38').times(lb - 1));
      rows.push({ ...base, amountType: 'ItemFees', amountDescription: 'FBAPerUnitFulfillmentFee', amount: money2(perUnit.times(it.qty).neg()) });
    }
    this.openGroup.postings.push(...rows);
  }

  mustOrder(orderId: string): Order {
    const o = this.ordersById.get(orderId);
    if (!o) throw new RangeError(`unknown order ${orderId}`);
    return o;
  }

  // ---- inventory ---------------------------------------------------------------------------------

  moveFba(sku: string, delta: Partial<Record<keyof Omit<FbaStock, 'lastUpdated'>, number>>, at = this.clock.now()): void {
    const l = this.listings.get(sku);
    if (!l) return;
    for (const [k, v] of Object.entries(delta)) {
      const key = k as keyof Omit<FbaStock, 'lastUpdated'>;
      l.fba[key] = Math.max(0, l.fba[key] + (v ?? 0));
    }
    l.fba.lastUpdated = Math.max(at, l.fba.lastUpdated + 1);
    this.emit('FBA_INVENTORY_AVAILABILITY_CHANGES', { listing: l });
  }

  adjustMfn(sku: string, delta: number): void {
    const l = this.listings.get(sku);
    if (!l) return;
    this.setMfnQuantity(l, Math.max(0, l.mfnQuantity + delta));
  }

  setMfnQuantity(l: Listing, qty: number): void {
    l.mfnQuantity = qty;
    l.attributes.fulfillment_availability = [{ fulfillment_channel_code: 'DEFAULT', quantity: qty }];
    l.updatedAt = this.clock.now();
  }

  /** Amazon receives an inbound shipment at the FC (sandbox helper: FBA stock grows). */
  receiveFba(sku: string, quantity: number): Listing {
    const l = this.listings.get(sku);
    if (!l) throw new RangeError(`unknown SKU ${sku}`);
    if (l.channel !== 'AFN') throw new RangeError(`${sku} is merchant-fulfilled; FBA stock applies to AFN listings only`);
    this.moveFba(sku, { fulfillable: quantity });
    return l;
  }

  /** Amazon lost or damaged units in its warehouse and reimburses the seller. */
  reimburse(sku: string, quantity: number, at = this.clock.now()): Posting {
    const l = this.listings.get(sku);
    if (!l) throw new RangeError(`unknown SKU ${sku}`);
    const p: Posting = {
      postedAt: at, transactionType: 'other-transaction', amountType: 'FBA Inventory Reimbursement', amountDescription: 'WAREHOUSE_DAMAGE',
      amount: money2(new Decimal(l.price).times('0.55').times(quantity)), sku, quantity, adjustmentId: this.digits(14), groupId: this.openGroup.id, fulfillment: 'AFN',
    };
    this.openGroup.postings.push(p);
    this.moveFba(sku, { fulfillable: -quantity });
    return p;
  }

  // ---- settlements -------------------------------------------------------------------------------

  private scheduledSettlement(): void {
    this.closeSettlement(this.nextSettlementAt);
    this.nextSettlementAt += this.settlementDays * DAY;
    this.at(this.nextSettlementAt, () => this.scheduledSettlement());
  }

  /**
   * Closes the open period at `end`: adds the period's subscription fee and reserve movements, fixes
   * the net total, opens the next period. Returns the closed group (a settlement).
   */
  closeSettlement(end = this.clock.now()): EventGroup {
    const g = this.openGroup;
    const prevReserve = new Decimal(g.reserveHeld);
    const base = { postedAt: end - 1000, transactionType: 'other-transaction' as const, amountType: 'other-transaction', groupId: g.id };
    g.postings.push({ ...base, transactionType: 'ServiceFee', amountDescription: 'Subscription Fee', amount: '-39.99' });
    g.postings.push({ ...base, amountDescription: 'Storage Fee', amount: money2(new Decimal(-0.75).times(1 + (g.postings.length % 7))) });
    if (!prevReserve.isZero()) g.postings.push({ ...base, amountDescription: 'Previous Reserve Amount Balance', amount: money2(prevReserve) });
    const sales = g.postings.filter((p) => p.transactionType === 'Order' && p.amountType === 'ItemPrice').reduce((s, p) => s.plus(p.amount), new Decimal(0));
    // Amazon holds back part of recent sales against future refunds and releases it next period.
    const reserve = sales.times('0.05').toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    if (!reserve.isZero()) g.postings.push({ ...base, amountDescription: 'Current Reserve Amount', amount: money2(reserve.neg()) });
    g.end = end;
    g.status = 'Closed';
    g.fundTransferStatus = 'Succeeded';
    g.total = money2(g.postings.reduce((s, p) => s.plus(p.amount), new Decimal(0)));
    g.settlementId = this.digits(11);
    const next = this.newGroup(end);
    next.reserveHeld = money2(reserve);
    this.groups.push(next);
    this.onSettlement(g);
    return g;
  }
}

export { DAY, HOUR, MINUTE, money2 };
