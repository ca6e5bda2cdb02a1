// Fulfillment Outbound API 2020-07-01 (Multi-Channel Fulfillment):
// https://developer-docs.amazon.com/sp-api/docs/fulfillment-outbound-api-v2020-07-01-reference
// Orders progress Received → Planning → Processing → Complete on the sandbox clock, with a shipment,
// packages, carriers and tracking numbers; cancellation is possible until Processing.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AmazonSandbox } from '../context.js';
import { isoMillis } from '../clock.js';
import { SpApiError, invalidInput, parseBody, parseDate, spRoute } from '../http.js';
import { HOUR, MINUTE, DAY, type McfOrder } from '../marketplace.js';
import { readNextToken } from './orders.js';

const SPEEDS = ['Standard', 'Expedited', 'Priority', 'ScheduledDelivery'];
const CARRIERS = ['UPS', 'USPS', 'AMZL_US'];

function validateCreate(b: Record<string, any>): void {
  const str = (name: string, max: number, v = b[name]) => {
    if (typeof v !== 'string' || v.length === 0) throw invalidInput(`${name} is required.`);
    if (v.length > max) throw invalidInput(`${name} must be at most ${max} characters.`);
  };
  str('sellerFulfillmentOrderId', 40);
  str('displayableOrderId', 40);
  str('displayableOrderComment', 750);
  if (typeof b.displayableOrderDate !== 'string' || Number.isNaN(Date.parse(b.displayableOrderDate))) throw invalidInput('displayableOrderDate is required and must be an ISO 8601 date-time.');
  if (!SPEEDS.includes(b.shippingSpeedCategory)) throw invalidInput(`Invalid shippingSpeedCategory: ${b.shippingSpeedCategory}`);
  const a = b.destinationAddress;
  if (typeof a !== 'object' || a === null) throw invalidInput('destinationAddress is required.');
  for (const f of ['name', 'addressLine1', 'postalCode', 'countryCode']) str(`destinationAddress.${f}`, f === 'countryCode' ? 2 : 60, a[f]);
  if (b.fulfillmentAction !== undefined && !['Ship', 'Hold'].includes(b.fulfillmentAction)) throw invalidInput(`Invalid fulfillmentAction: ${b.fulfillmentAction}`);
  if (b.fulfillmentPolicy !== undefined && !['FillOrKill', 'FillAll', 'FillAllAvailable'].includes(b.fulfillmentPolicy)) throw invalidInput(`Invalid fulfillmentPolicy: ${b.fulfillmentPolicy}`);
  if (!Array.isArray(b.items) || b.items.length === 0) throw invalidInput('items must hold at least one item.');
  const ids = new Set<string>();
  for (const it of b.items) {
    str('items.sellerSku', 50, it?.sellerSku);
    str('items.sellerFulfillmentOrderItemId', 50, it?.sellerFulfillmentOrderItemId);
    if (ids.has(it.sellerFulfillmentOrderItemId)) throw invalidInput(`Duplicate sellerFulfillmentOrderItemId: ${it.sellerFulfillmentOrderItemId}`);
    ids.add(it.sellerFulfillmentOrderItemId);
    if (!Number.isInteger(it.quantity) || it.quantity < 1) throw invalidInput(`items.quantity must be a positive integer (sellerSku ${it.sellerSku}).`);
    for (const mf of ['perUnitDeclaredValue', 'perUnitPrice', 'perUnitTax']) {
      const mv = it[mf];
      if (mv !== undefined && (typeof mv?.currencyCode !== 'string' || typeof mv?.value !== 'string' || !/^-?\d+(\.\d+)?$/.test(mv.value))) throw invalidInput(`items.${mf} must be {currencyCode, value} with value a decimal string.`);
    }
  }
}

export function registerFulfillment(app: FastifyInstance, sb: AmazonSandbox): void {
  const base = '/fba/outbound/2020-07-01';
  const m = sb.market;
  const listPages = new Map<string, { ids: string[]; offset: number }>();

  const setStatus = (o: McfOrder, status: McfOrder['status']) => {
    o.status = status;
    o.statusAt = sb.clock.now();
    sb.onMarketEvent('FULFILLMENT_ORDER_STATUS', o);
  };
  const items = (o: McfOrder) => o.request.items as Array<{ sellerSku: string; sellerFulfillmentOrderItemId: string; quantity: number; perUnitPrice?: unknown; perUnitTax?: unknown; perUnitDeclaredValue?: unknown; giftMessage?: string; displayableComment?: string }>;

  spRoute(app, sb, 'POST', `${base}/fulfillmentOrders`, 'createFulfillmentOrder', ({ req }) => {
    const b = parseBody(req);
    validateCreate(b);
    if (m.mcf.has(b.sellerFulfillmentOrderId)) throw invalidInput(`A fulfillment order with sellerFulfillmentOrderId ${b.sellerFulfillmentOrderId} already exists.`);
    for (const it of b.items) {
      const l = m.listings.get(it.sellerSku);
      if (!l || l.deleted || l.channel !== 'AFN') throw invalidInput(`Invalid sellerSku ${it.sellerSku}: it is not an FBA SKU of this seller.`);
      if (b.fulfillmentPolicy !== 'FillAllAvailable' && l.fba.fulfillable < it.quantity) throw invalidInput(`Insufficient fulfillable quantity for ${it.sellerSku}: ${l.fba.fulfillable} available, ${it.quantity} requested.`);
    }
    const now = sb.clock.now();
    const o: McfOrder = {
      request: b, id: b.sellerFulfillmentOrderId, status: 'Received', receivedAt: now, statusAt: now,
      shipment: {
        amazonShipmentId: `T${randomBytes(5).toString('hex').toUpperCase()}`, fc: 'PHX7', status: 'PENDING',
        packages: [{ packageNumber: Math.floor(Math.random() * 9e8) + 1e8, carrierCode: CARRIERS[now % CARRIERS.length]!, trackingNumber: `1Z${randomBytes(8).toString('hex').toUpperCase()}`, eta: now + 3 * DAY }],
      },
    };
    m.mcf.set(o.id, o);
    for (const it of items(o)) m.moveFba(it.sellerSku, { fulfillable: -it.quantity, fcProcessing: +it.quantity }, now);
    sb.onMarketEvent('FULFILLMENT_ORDER_STATUS', o);
    if (b.fulfillmentAction !== 'Hold') {
      m.at(now + 30_000, () => o.status === 'Received' && setStatus(o, 'Planning'));
      m.at(now + 5 * MINUTE, () => o.status === 'Planning' && setStatus(o, 'Processing'));
      m.at(now + 2 * HOUR, () => {
        if (o.status !== 'Processing') return;
        o.shipment!.status = 'SHIPPED';
        o.shipment!.shippedAt = sb.clock.now();
        for (const it of items(o)) m.moveFba(it.sellerSku, { fcProcessing: -it.quantity });
        setStatus(o, 'Complete');
      });
    }
    return {};
  });

  const render = (o: McfOrder) => {
    const r = o.request;
    const s = o.shipment!;
    return {
      fulfillmentOrder: {
        sellerFulfillmentOrderId: o.id, marketplaceId: r.marketplaceId ?? sb.creds.marketplaceId, displayableOrderId: r.displayableOrderId,
        displayableOrderDate: isoMillis(Date.parse(r.displayableOrderDate)), displayableOrderComment: r.displayableOrderComment,
        shippingSpeedCategory: r.shippingSpeedCategory, destinationAddress: r.destinationAddress, fulfillmentAction: r.fulfillmentAction ?? 'Ship',
        fulfillmentPolicy: r.fulfillmentPolicy ?? 'FillOrKill', receivedDate: isoMillis(o.receivedAt), fulfillmentOrderStatus: o.status,
        statusUpdatedDate: isoMillis(o.statusAt), ...(r.notificationEmails ? { notificationEmails: r.notificationEmails } : {}),
      },
      fulfillmentOrderItems: items(o).map((it) => ({
        sellerSku: it.sellerSku, sellerFulfillmentOrderItemId: it.sellerFulfillmentOrderItemId, quantity: it.quantity,
        ...(it.giftMessage ? { giftMessage: it.giftMessage } : {}), ...(it.displayableComment ? { displayableComment: it.displayableComment } : {}),
        fulfillmentNetworkSku: m.listings.get(it.sellerSku)?.fnSku, orderItemDisposition: 'Sellable',
        cancelledQuantity: o.status === 'Cancelled' ? it.quantity : 0, unfulfillableQuantity: 0,
        estimatedShipDate: isoMillis(o.receivedAt + 2 * HOUR), estimatedArrivalDate: isoMillis(s.packages[0]!.eta),
        ...(it.perUnitPrice ? { perUnitPrice: it.perUnitPrice } : {}), ...(it.perUnitTax ? { perUnitTax: it.perUnitTax } : {}), ...(it.perUnitDeclaredValue ? { perUnitDeclaredValue: it.perUnitDeclaredValue } : {}),
      })),
      fulfillmentShipments: o.status === 'Received' || o.status === 'Cancelled' ? [] : [{
        amazonShipmentId: s.amazonShipmentId, fulfillmentCenterId: s.fc, fulfillmentShipmentStatus: s.status,
        ...(s.shippedAt ? { shippingDate: isoMillis(s.shippedAt) } : {}), estimatedArrivalDate: isoMillis(s.packages[0]!.eta),
        fulfillmentShipmentItem: items(o).map((it) => ({ sellerSku: it.sellerSku, sellerFulfillmentOrderItemId: it.sellerFulfillmentOrderItemId, quantity: it.quantity, packageNumber: s.packages[0]!.packageNumber })),
        ...(s.status === 'SHIPPED' ? { fulfillmentShipmentPackage: s.packages.map((p) => ({ packageNumber: p.packageNumber, carrierCode: p.carrierCode, trackingNumber: p.trackingNumber, estimatedArrivalDate: isoMillis(p.eta) })) } : {}),
      }],
      returnItems: [],
      returnAuthorizations: [],
    };
  };
  const must = (id: string) => {
    const o = m.mcf.get(id);
    if (!o) throw new SpApiError(404, 'NotFound', `The fulfillment order ${id} was not found.`);
    return o;
  };

  spRoute(app, sb, 'GET', `${base}/fulfillmentOrders/:id`, 'getFulfillmentOrder', ({ params }) => ({ payload: render(must(params.id!)) }));

  spRoute(app, sb, 'PUT', `${base}/fulfillmentOrders/:id/cancel`, 'cancelFulfillmentOrder', ({ params }) => {
    const o = must(params.id!);
    if (!['New', 'Received', 'Planning'].includes(o.status)) throw invalidInput(`The fulfillment order ${o.id} is ${o.status} and can no longer be cancelled.`);
    for (const it of items(o)) m.moveFba(it.sellerSku, { fcProcessing: -it.quantity, fulfillable: +it.quantity });
    o.shipment!.status = 'CANCELLED_BY_SELLER';
    setStatus(o, 'Cancelled');
    return {};
  });

  spRoute(app, sb, 'GET', `${base}/fulfillmentOrders`, 'listAllFulfillmentOrders', ({ query, rawQuery }) => {
    let p = readNextToken(rawQuery, 'nextToken', listPages, 'Invalid nextToken.');
    if (!p) {
      const since = parseDate('queryStartDate', query.queryStartDate) ?? sb.clock.now() - 36 * HOUR;
      p = { ids: [...m.mcf.values()].filter((o) => o.statusAt >= since).sort((a, b) => a.receivedAt - b.receivedAt).map((o) => o.id), offset: 0 };
    }
    const ids = p.ids.slice(p.offset, p.offset + 50);
    const out: Record<string, unknown> = { fulfillmentOrders: ids.map((id) => render(m.mcf.get(id)!).fulfillmentOrder) };
    if (p.offset + 50 < p.ids.length) {
      const t = randomBytes(40).toString('base64');
      listPages.set(t, { ...p, offset: p.offset + 50 });
      out.nextToken = t;
    }
    return { payload: out };
  });

  spRoute(app, sb, 'GET', `${base}/tracking`, 'getPackageTrackingDetails', ({ query }) => {
    const n = Number(query.packageNumber);
    if (!Number.isInteger(n)) throw invalidInput('packageNumber is required and must be an integer.');
    for (const o of m.mcf.values()) {
      const p = o.shipment?.packages.find((x) => x.packageNumber === n);
      if (!p || o.shipment!.status !== 'SHIPPED') continue;
      const shipped = o.shipment!.shippedAt!;
      const delivered = sb.clock.now() >= p.eta;
      return {
        payload: {
          packageNumber: n, trackingNumber: p.trackingNumber, carrierCode: p.carrierCode, shipDate: isoMillis(shipped), estimatedArrivalDate: isoMillis(p.eta),
          shipToAddress: { city: o.request.destinationAddress.city, state: o.request.destinationAddress.stateOrRegion, country: o.request.destinationAddress.countryCode },
          currentStatus: delivered ? 'DELIVERED' : 'IN_TRANSIT',
          trackingEvents: [
            { eventDate: isoMillis(shipped), eventAddress: { city: 'Phoenix', state: 'AZ', country: 'US' }, eventCode: 'EVENT_101', eventDescription: 'Carrier picked up the package.' },
            ...(delivered ? [{ eventDate: isoMillis(p.eta), eventAddress: { city: o.request.destinationAddress.city ?? '', state: o.request.destinationAddress.stateOrRegion ?? '', country: o.request.destinationAddress.countryCode }, eventCode: 'EVENT_301', eventDescription: 'Package delivered.' }] : []),
          ],
        },
      };
    }
    throw new SpApiError(404, 'NotFound', `No shipped package with packageNumber ${n}.`);
  });
}
