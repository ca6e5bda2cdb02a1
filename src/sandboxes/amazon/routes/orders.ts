// Orders API v0: https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference
// Model: amazon-models/ordersV0.json. PII (names, addresses) only with a Restricted Data Token that
// covers the resource and data element; otherwise stripped without an error, as Amazon does.
import { randomBytes } from 'node:crypto';
import { Decimal } from 'decimal.js';
import type { FastifyInstance } from 'fastify';
import type { AmazonSandbox, AccessToken } from '../context.js';
import { isoSeconds } from '../clock.js';
import { CURRENCY, DAY, HOUR, MARKETPLACE_NAME, money2, type Order, type OrderItem } from '../marketplace.js';
import { SpApiError, invalidInput, list, parseBody, rdtAllows, spRoute } from '../http.js';

const GENERIC = 'The input you have submitted is not valid. Please check your input and try again.';
const TOO_RECENT =
  'The input you have submitted is not valid. Note that the error may be due to a systematic delay in data retrieval. The most updated data is 2 minutes after an order is created or last updated. If you set the CreatedBefore or LastUpdatedBefore parameters, please provide a date that is at least 2 minutes before current time and try again.';
const BAD_TOKEN = 'We could not decode your NextToken. Possible reasons include: a transmission error, improper quoting or a truncation problem.';
const STATUSES = ['PendingAvailability', 'Pending', 'Unshipped', 'PartiallyShipped', 'Shipped', 'InvoiceUnconfirmed', 'Canceled', 'Unfulfillable'];
const ORDER_ID = /^\d{3}-\d{7}-\d{7}$/;

interface Page {
  ids: string[];
  offset: number;
  size: number;
  bound: { CreatedBefore?: string; LastUpdatedBefore?: string };
}

const notFound = (id: string) => new SpApiError(404, 'NotFound', `Invalid AmazonOrderId: ${id}`);

/** Opaque, base64 with `+/=` like Amazon's, so a client that forgets to URL-encode it fails here too. */
function newToken(): string {
  let t = '';
  while (!/[+/]/.test(t)) t = randomBytes(64).toString('base64') + randomBytes(1).toString('base64');
  return t;
}

/** Checks the raw (still encoded) NextToken: `+`, `/` or `=` sent bare means it was not URL-encoded. */
export function readNextToken<T>(raw: Map<string, string>, name: string, store: Map<string, T>, message = BAD_TOKEN): T | undefined {
  const encoded = raw.get(name);
  if (encoded === undefined || encoded === '') return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(encoded);
  } catch {
    throw invalidInput(message);
  }
  if (/[+/=]/.test(encoded) || !store.has(decoded)) throw invalidInput(message);
  return store.get(decoded);
}

export function renderAddress(o: Order, full: boolean): Record<string, unknown> {
  const a = o.address;
  if (!full) return { City: a.city, StateOrRegion: a.state, PostalCode: a.postalCode, CountryCode: a.country };
  return {
    Name: a.name, AddressLine1: a.line1, ...(a.line2 ? { AddressLine2: a.line2 } : {}), City: a.city, StateOrRegion: a.state,
    PostalCode: a.postalCode, CountryCode: a.country, Phone: a.phone, AddressType: a.type,
  };
}

const m = (amount: string) => ({ CurrencyCode: CURRENCY, Amount: amount });

export function orderTotal(o: Order): string {
  return money2(o.items.reduce((s, i) => s.plus(i.itemPrice).plus(i.itemTax).plus(i.shippingPrice).plus(i.shippingTax).minus(i.promotionDiscount), new Decimal(0)));
}

const rendered = new WeakMap<Order, { key: string; views: Map<string, Record<string, unknown>> }>();

/**
 * Renders are cached per order state (every change moves LastUpdateDate): a GET of an unchanged
 * order costs a map lookup, not decimal sums and date formatting.
 */
export function renderOrder(o: Order, pii: { address: boolean; buyer: boolean }): Record<string, unknown> {
  const key = `${o.lastUpdate}|${o.status}`;
  let entry = rendered.get(o);
  if (!entry || entry.key !== key) {
    entry = { key, views: new Map() };
    rendered.set(o, entry);
  }
  const view = `${pii.address ? 1 : 0}${pii.buyer ? 1 : 0}`;
  let out = entry.views.get(view);
  if (!out) {
    out = renderOrderNow(o, pii);
    entry.views.set(view, out);
  }
  return out;
}

function renderOrderNow(o: Order, pii: { address: boolean; buyer: boolean }): Record<string, unknown> {
  const shipped = o.items.reduce((s, i) => s + i.qtyShipped, 0);
  const total = o.items.reduce((s, i) => s + i.qty, 0);
  const shipBy = o.purchaseDate + (o.channel === 'AFN' ? 1 : 2) * DAY;
  const days = o.category === 'NextDay' ? 1 : o.category === 'SecondDay' ? 2 : o.category === 'Expedited' ? 3 : 5;
  return {
    AmazonOrderId: o.id,
    SellerOrderId: o.sellerOrderId,
    PurchaseDate: isoSeconds(o.purchaseDate),
    LastUpdateDate: isoSeconds(o.lastUpdate),
    OrderStatus: o.status,
    FulfillmentChannel: o.channel,
    SalesChannel: MARKETPLACE_NAME,
    ShipServiceLevel: o.shipServiceLevel,
    // Amazon omits the total of a cancelled order.
    ...(o.status === 'Canceled' ? {} : { OrderTotal: m(orderTotal(o)) }),
    NumberOfItemsShipped: o.status === 'Canceled' ? 0 : shipped,
    NumberOfItemsUnshipped: o.status === 'Canceled' ? 0 : total - shipped,
    PaymentMethod: 'Other',
    PaymentMethodDetails: ['Standard'],
    MarketplaceId: 'ATVPDKIKX0DER',
    ShipmentServiceLevelCategory: o.category,
    OrderType: 'StandardOrder',
    EarliestShipDate: isoSeconds(o.purchaseDate + HOUR),
    LatestShipDate: isoSeconds(shipBy),
    EarliestDeliveryDate: isoSeconds(shipBy + (days - 1) * DAY),
    LatestDeliveryDate: isoSeconds(shipBy + days * DAY),
    IsBusinessOrder: o.isBusiness,
    IsPrime: o.isPrime,
    IsPremiumOrder: false,
    IsGlobalExpressEnabled: false,
    IsReplacementOrder: false,
    IsSoldByAB: false,
    IsISPU: false,
    IsAccessPointOrder: false,
    HasRegulatedItems: false,
    ShippingAddress: renderAddress(o, pii.address),
    // The anonymised e-mail is PII too (the buyerInfo data element; Orders v2026 lists buyerEmail as PII).
    BuyerInfo: pii.buyer ? { BuyerEmail: o.buyerEmail, BuyerName: o.buyerName, ...(o.buyerCompany && o.isBusiness ? { BuyerTaxInfo: { CompanyLegalName: o.buyerCompany } } : {}) } : {},
  };
}

export function renderItem(it: OrderItem, status: Order['status']): Record<string, unknown> {
  const zero = '0.00';
  return {
    ASIN: it.asin,
    SellerSKU: it.sku,
    OrderItemId: it.orderItemId,
    Title: it.title,
    QuantityOrdered: it.qty,
    QuantityShipped: it.qtyShipped,
    ProductInfo: { NumberOfItems: '1' },
    ...(status === 'Canceled'
      ? {}
      : {
          ItemPrice: m(it.itemPrice),
          ShippingPrice: m(it.shippingPrice),
          ItemTax: m(it.itemTax),
          ShippingTax: m(it.shippingTax),
          ShippingDiscount: m(zero),
          ShippingDiscountTax: m(zero),
          PromotionDiscount: m(it.promotionDiscount),
          PromotionDiscountTax: m(zero),
        }),
    PromotionIds: it.promotionIds,
    IsGift: 'false',
    ConditionId: 'New',
    ConditionSubtypeId: 'New',
    IsTransparency: false,
    SerialNumberRequired: false,
    TaxCollection: { Model: 'MarketplaceFacilitator', ResponsibleParty: 'Amazon Services, Inc.' },
  };
}

function pii(token: AccessToken, path: string) {
  return {
    address: token.kind === 'rdt' && rdtAllows(token.resources, 'GET', path, 'shippingAddress'),
    buyer: token.kind === 'rdt' && rdtAllows(token.resources, 'GET', path, 'buyerInfo'),
  };
}

export function registerOrders(app: FastifyInstance, sb: AmazonSandbox): void {
  const pages = new Map<string, Page>();
  const itemPages = new Map<string, { orderId: string; offset: number }>();
  const mustOrder = (id: string) => {
    const o = sb.market.ordersById.get(id);
    if (!o) throw notFound(id);
    return o;
  };

  spRoute(app, sb, 'GET', '/orders/v0/orders', 'getOrders', ({ query, rawQuery, token }) => {
    const marketplaceIds = list(query.MarketplaceIds);
    if (marketplaceIds.length === 0) throw invalidInput(GENERIC, 'MarketplaceIds is required.');
    if (marketplaceIds.length > 50) throw invalidInput(GENERIC, 'MarketplaceIds accepts at most 50 values.');
    const piiFlags = pii(token, '/orders/v0/orders');
    const page = readNextToken(rawQuery, 'NextToken', pages);
    const render = (p: Page) => {
      const ids = p.ids.slice(p.offset, p.offset + p.size);
      const orders = ids.map((id) => renderOrder(sb.market.ordersById.get(id)!, piiFlags));
      const next: Record<string, unknown> = {};
      if (p.offset + p.size < p.ids.length) {
        const t = newToken();
        pages.set(t, { ...p, offset: p.offset + p.size });
        next.NextToken = t;
      }
      return { payload: { Orders: orders, ...next, ...p.bound } };
    };
    if (page) return render(page);

    const now = sb.clock.now();
    const dates: Record<string, number | undefined> = {};
    const badDates: string[] = [];
    for (const name of ['CreatedAfter', 'CreatedBefore', 'LastUpdatedAfter', 'LastUpdatedBefore']) {
      const v = query[name];
      if (v === undefined || v === '') continue;
      const t = Date.parse(v);
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) || Number.isNaN(t)) badDates.push(name[0]!.toLowerCase() + name.slice(1));
      else dates[name] = t;
    }
    if (badDates.length) throw new SpApiError(400, 'InvalidInput', 'This is an invalid input', `Invalid date-time field(s) [${badDates.join(', ')}].`);
    const created = dates.CreatedAfter !== undefined;
    const updated = dates.LastUpdatedAfter !== undefined;
    if (created === updated) throw invalidInput(GENERIC, created ? 'CreatedAfter and LastUpdatedAfter cannot both be specified.' : 'Either CreatedAfter or LastUpdatedAfter must be specified.');
    if ((created && dates.LastUpdatedBefore !== undefined) || (updated && dates.CreatedBefore !== undefined)) {
      throw invalidInput(GENERIC, 'CreatedBefore pairs with CreatedAfter and LastUpdatedBefore with LastUpdatedAfter; they cannot be mixed.');
    }
    const after = (created ? dates.CreatedAfter : dates.LastUpdatedAfter)!;
    const beforeGiven = created ? dates.CreatedBefore : dates.LastUpdatedBefore;
    const latest = now - 2 * 60_000;
    if (beforeGiven !== undefined && beforeGiven > latest) throw invalidInput(TOO_RECENT, '');
    if (after > latest) throw invalidInput(GENERIC, `${created ? 'CreatedAfter' : 'LastUpdatedAfter'} must be at least 2 minutes before the current time.`);
    const before = beforeGiven ?? latest;
    if (before < after) throw invalidInput(GENERIC, `${created ? 'CreatedBefore' : 'LastUpdatedBefore'} must be later than ${created ? 'CreatedAfter' : 'LastUpdatedAfter'}.`);
    const statuses = list(query.OrderStatuses);
    for (const s of statuses) if (!STATUSES.includes(s)) throw invalidInput(GENERIC, `Invalid OrderStatuses value: ${s}`);
    const channels = list(query.FulfillmentChannels);
    for (const c of channels) if (c !== 'AFN' && c !== 'MFN') throw invalidInput(GENERIC, `Invalid FulfillmentChannels value: ${c}`);
    const methods = list(query.PaymentMethods);
    for (const p of methods) if (!['COD', 'CVS', 'Other'].includes(p)) throw invalidInput(GENERIC, `Invalid PaymentMethods value: ${p}`);
    const orderIds = list(query.AmazonOrderIds);
    if (orderIds.length > 50) throw invalidInput(GENERIC, 'AmazonOrderIds accepts at most 50 values.');
    for (const id of orderIds) if (!ORDER_ID.test(id)) throw invalidInput(GENERIC, `Invalid AmazonOrderIds value: ${id}`);
    let size = 100;
    if (query.MaxResultsPerPage !== undefined) {
      size = Number(query.MaxResultsPerPage);
      if (!Number.isInteger(size) || size < 1 || size > 100) throw invalidInput(GENERIC, 'MaxResultsPerPage must be an integer from 1 to 100.');
    }
    const key = created ? (o: Order) => o.purchaseDate : (o: Order) => o.lastUpdate;
    const idSet = new Set(orderIds);
    // Amazon keeps two years of order history.
    const horizon = now - 730 * DAY;
    const match = sb.market.orders
      .filter((o) => {
        const t = key(o);
        if (t < after || t > before || o.purchaseDate < horizon) return false;
        if (!marketplaceIds.includes('ATVPDKIKX0DER')) return false;
        if (statuses.length && !statuses.includes(o.status)) return false;
        if (channels.length && !channels.includes(o.channel)) return false;
        if (methods.length && !methods.includes('Other')) return false;
        if (idSet.size && !idSet.has(o.id)) return false;
        if (query.SellerOrderId && o.sellerOrderId !== query.SellerOrderId) return false;
        if (query.BuyerEmail && o.buyerEmail !== query.BuyerEmail) return false;
        return true;
      })
      .sort((a, b) => key(a) - key(b) || (a.id < b.id ? -1 : 1))
      .map((o) => o.id);
    return render({ ids: match, offset: 0, size, bound: created ? { CreatedBefore: isoSeconds(before) } : { LastUpdatedBefore: isoSeconds(before) } });
  });

  spRoute(app, sb, 'GET', '/orders/v0/orders/:orderId', 'getOrder', ({ params, token, req }) => {
    const o = mustOrder(params.orderId!);
    return { payload: renderOrder(o, pii(token, req.url.split('?')[0]!)) };
  });

  spRoute(app, sb, 'GET', '/orders/v0/orders/:orderId/orderItems', 'getOrderItems', ({ params, rawQuery }) => {
    const o = mustOrder(params.orderId!);
    const PAGE = 50;
    const page = readNextToken(rawQuery, 'NextToken', itemPages);
    const offset = page && page.orderId === o.id ? page.offset : 0;
    const items = o.items.slice(offset, offset + PAGE).map((i) => renderItem(i, o.status));
    const payload: Record<string, unknown> = { AmazonOrderId: o.id, OrderItems: items };
    if (offset + PAGE < o.items.length) {
      const t = newToken();
      itemPages.set(t, { orderId: o.id, offset: offset + PAGE });
      payload.NextToken = t;
    }
    return { payload };
  });

  spRoute(app, sb, 'GET', '/orders/v0/orders/:orderId/address', 'getOrderAddress', ({ params, token }) => {
    const o = mustOrder(params.orderId!);
    const full = token.kind === 'rdt';
    return { payload: { AmazonOrderId: o.id, ...(o.buyerCompany && full ? { BuyerCompanyName: o.buyerCompany } : {}), ShippingAddress: renderAddress(o, full) } };
  });

  spRoute(app, sb, 'POST', '/orders/v0/orders/:orderId/shipmentConfirmation', 'confirmShipment', ({ params, req, reply }) => {
    const o = mustOrder(params.orderId!);
    const b = parseBody(req);
    const p = b.packageDetail;
    if (typeof b.marketplaceId !== 'string' || !b.marketplaceId) throw invalidInput('marketplaceId is required.');
    if (typeof p !== 'object' || p === null) throw invalidInput('packageDetail is required.');
    for (const f of ['packageReferenceId', 'carrierCode', 'trackingNumber', 'shipDate']) if (typeof p[f] !== 'string' || !p[f]) throw invalidInput(`packageDetail.${f} is required.`);
    if (Number.isNaN(Date.parse(p.shipDate))) throw invalidInput(`Invalid packageDetail.shipDate: ${p.shipDate}`);
    if (!Array.isArray(p.orderItems) || p.orderItems.length === 0) throw invalidInput('packageDetail.orderItems must list at least one item.');
    try {
      sb.market.confirmPackage(o.id, (p.orderItems as Array<{ orderItemId: string; quantity: number }>).map((i) => ({ orderItemId: String(i?.orderItemId), quantity: Number(i?.quantity) })), Math.min(Date.parse(p.shipDate), sb.clock.now()));
    } catch (e) {
      if (e instanceof RangeError) throw invalidInput(e.message);
      throw e;
    }
    reply.code(204);
    return undefined;
  });

  spRoute(app, sb, 'GET', '/orders/v0/orders/:orderId/buyerInfo', 'getOrderBuyerInfo', ({ params, token }) => {
    const o = mustOrder(params.orderId!);
    const full = token.kind === 'rdt';
    return { payload: { AmazonOrderId: o.id, ...(full ? { BuyerEmail: o.buyerEmail, BuyerName: o.buyerName } : {}) } };
  });
}
