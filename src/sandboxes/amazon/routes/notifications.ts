// Notifications API v1 (destinations, subscriptions) and the delivery of notifications to SQS
// destinations. https://developer-docs.amazon.com/sp-api/docs/notifications-api-v1-reference
// Payload shapes follow amazon-models/schemas/*Notification.json (PascalCase for the older types,
// camelCase with version 2020-09-04 for feed/report processing).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AmazonSandbox, FeedRecord, ReportRecord } from '../context.js';
import { isoMillis, isoSeconds } from '../clock.js';
import { DAY, MARKETPLACE_ID, type Listing, type McfOrder, type Order } from '../marketplace.js';
import { SpApiError, invalidInput, parseBody, spRoute } from '../http.js';

export const SQS_TYPES = ['ORDER_CHANGE', 'FBA_INVENTORY_AVAILABILITY_CHANGES', 'FULFILLMENT_ORDER_STATUS', 'FBA_OUTBOUND_SHIPMENT_STATUS', 'FEED_PROCESSING_FINISHED', 'REPORT_PROCESSING_FINISHED'];
const APPLICATION_ID = 'amzn1.sellerapps.app.syncline-sandbox';

function orderChange(sb: AmazonSandbox, d: { order: Order; changeType: string; at: number; reason?: string }) {
  const o = d.order;
  const shipped = o.items.reduce((s, i) => s + i.qtyShipped, 0);
  const total = o.items.reduce((s, i) => s + i.qty, 0);
  return {
    NotificationVersion: '1.0', NotificationType: 'ORDER_CHANGE', PayloadVersion: '1.0', EventTime: isoMillis(d.at),
    Payload: {
      OrderChangeNotification: {
        NotificationLevel: 'OrderLevel', SellerId: sb.creds.sellerId, AmazonOrderId: o.id, OrderChangeType: d.changeType,
        OrderChangeTrigger: { TimeOfOrderChange: isoMillis(d.at), ChangeReason: d.reason ?? (o.status === 'Unshipped' && o.lastUpdate === o.purchaseDate ? 'NewOrder' : 'OrderStatusChange') },
        Summary: {
          MarketplaceId: MARKETPLACE_ID, OrderStatus: o.status, PurchaseDate: isoSeconds(o.purchaseDate), DestinationPostalCode: o.address.postalCode,
          FulfillmentType: o.channel, OrderType: 'StandardOrder', NumberOfItemsShipped: shipped, NumberOfItemsUnshipped: o.status === 'Canceled' ? 0 : total - shipped,
          EarliestShipDate: isoSeconds(o.purchaseDate + 3_600_000), LatestShipDate: isoSeconds(o.purchaseDate + DAY),
          OrderPrograms: [], ShippingPrograms: [],
          OrderItems: o.items.map((i) => ({
            OrderItemId: i.orderItemId, SellerSKU: i.sku, SupplySourceId: null, OrderItemStatus: i.qtyShipped >= i.qty ? 'Shipped' : 'Unshipped',
            Quantity: i.qty, QuantityShipped: i.qtyShipped, IsBuyerRequestedCancel: d.changeType === 'BuyerRequestedChange',
          })),
        },
      },
    },
  };
}

function inventoryChange(sb: AmazonSandbox, l: Listing) {
  const f = l.fba;
  return {
    NotificationVersion: '1.0', NotificationType: 'FBA_INVENTORY_AVAILABILITY_CHANGES', PayloadVersion: '1.0', EventTime: isoMillis(f.lastUpdated),
    Payload: {
      SellerId: sb.creds.sellerId, FNSKU: l.fnSku, ASIN: l.asin, SKU: l.sku,
      FulfillmentInventoryByMarketplace: [{
        MarketplaceId: MARKETPLACE_ID, ItemName: l.title,
        FulfillmentInventory: {
          InboundQuantityBreakdown: { Working: f.inboundWorking, Shipped: f.inboundShipped, Receiving: f.inboundReceiving },
          Fulfillable: f.fulfillable, Unfulfillable: f.unfulfillable, Researching: f.researching,
          ReservedQuantityBreakdown: { WarehouseProcessing: f.fcProcessing, WarehouseTransfer: 0, PendingCustomerOrder: f.pendingCustomerOrder },
          FutureSupplyBuyable: 0, PendingCustomerOrderInTransit: 0,
        },
      }],
    },
  };
}

function fulfillmentOrderStatus(sb: AmazonSandbox, o: McfOrder) {
  const s = o.shipment!;
  const first = s.packages[0]!;
  const pkg = { PackageNumber: first.packageNumber, CarrierCode: first.carrierCode, TrackingNumber: first.trackingNumber };
  const item = o.request.items[0] as { sellerSku: string };
  return {
    NotificationVersion: '1.0', NotificationType: 'FULFILLMENT_ORDER_STATUS', PayloadVersion: '1.0', EventTime: isoMillis(o.statusAt),
    Payload: {
      FulfillmentOrderStatusNotification: {
        SellerId: sb.creds.sellerId, EventType: s.status === 'SHIPPED' ? 'Shipment' : 'Order', StatusUpdatedDateTime: isoMillis(o.statusAt),
        SellerFulfillmentOrderId: o.id, FulfillmentOrderStatus: o.status,
        // The published schema requires both blocks on every message; before shipping the shipment
        // is the planned one (PENDING) and a ReturnedQuantity of 0 means "no return".
        FulfillmentShipment: {
          FulfillmentShipmentStatus: s.status, AmazonShipmentId: s.amazonShipmentId, EstimatedArrivalDateTime: isoMillis(first.eta),
          info: pkg, FulfillmentShipmentPackages: s.packages.map((p) => ({ PackageNumber: p.packageNumber, CarrierCode: p.carrierCode, TrackingNumber: p.trackingNumber })),
        },
        FulfillmentReturnItem: { ReceivedDateTime: isoMillis(o.statusAt), ReturnedQuantity: 0, SellerSKU: item.sellerSku },
      },
    },
  };
}

function processingFinished(sb: AmazonSandbox, kind: 'feed' | 'report', r: FeedRecord | ReportRecord) {
  const type = kind === 'feed' ? 'FEED_PROCESSING_FINISHED' : 'REPORT_PROCESSING_FINISHED';
  const inner =
    kind === 'feed'
      ? { feedProcessingFinishedNotification: { sellerId: sb.creds.sellerId, accountId: sb.creds.sellerId, feedId: (r as FeedRecord).feedId, feedType: (r as FeedRecord).feedType, processingStatus: r.processingStatus, ...((r as FeedRecord).resultFeedDocumentId ? { resultFeedDocumentId: (r as FeedRecord).resultFeedDocumentId } : {}) } }
      : { reportProcessingFinishedNotification: { sellerId: sb.creds.sellerId, accountId: sb.creds.sellerId, reportId: (r as ReportRecord).reportId, reportType: (r as ReportRecord).reportType, processingStatus: r.processingStatus, ...((r as ReportRecord).reportDocumentId ? { reportDocumentId: (r as ReportRecord).reportDocumentId } : {}) } };
  return { notificationVersion: '2020-09-04', notificationType: type, payloadVersion: '2020-09-04', eventTime: isoMillis(sb.clock.now()), payload: inner };
}

/** Routes marketplace changes to the subscribed SQS destinations. */
export function installNotifier(sb: AmazonSandbox): void {
  sb.onMarketEvent = (type, data) => {
    const build = (): Record<string, unknown> | undefined => {
      switch (type) {
        case 'ORDER_CHANGE': return orderChange(sb, data as never);
        case 'FBA_INVENTORY_AVAILABILITY_CHANGES': return inventoryChange(sb, (data as { listing: Listing }).listing);
        case 'FULFILLMENT_ORDER_STATUS': return fulfillmentOrderStatus(sb, data as McfOrder);
        case 'FEED_PROCESSING_FINISHED': return processingFinished(sb, 'feed', data as FeedRecord);
        case 'REPORT_PROCESSING_FINISHED': return processingFinished(sb, 'report', data as ReportRecord);
        default: return undefined;
      }
    };
    const subs = [...sb.subscriptions.values()].filter((s) => s.notificationType === type);
    if (!subs.length) return;
    const base = build();
    if (!base) return;
    for (const sub of subs) {
      const dest = sb.destinations.get(sub.destinationId);
      if (!dest) continue;
      const camel = 'notificationVersion' in base;
      const metadata = { applicationId: APPLICATION_ID, subscriptionId: sub.subscriptionId, publishTime: isoMillis(sb.clock.now()), notificationId: randomUUID() };
      const message = camel
        ? { ...base, notificationMetadata: metadata }
        : { ...base, NotificationMetadata: { ApplicationId: metadata.applicationId, SubscriptionId: metadata.subscriptionId, PublishTime: metadata.publishTime, NotificationId: metadata.notificationId } };
      const body = JSON.stringify(message);
      const queue = sb.queue(dest.arn.split(':').pop()!);
      // Faults: SQS delivers at least once and does not keep order.
      const reorder = sb.faults?.roll('POST', '/sqs', 'reorder') ?? false;
      queue.send(body, { front: reorder });
      if (sb.faults?.roll('POST', '/sqs', 'duplicate')) queue.send(body);
    }
  };
}

export function registerNotifications(app: FastifyInstance, sb: AmazonSandbox): void {
  installNotifier(sb);
  const base = '/notifications/v1';
  spRoute(app, sb, 'POST', `${base}/destinations`, 'createDestination', ({ req }) => {
    const b = parseBody(req);
    const arn = b.resourceSpecification?.sqs?.arn;
    if (typeof b.name !== 'string' || !b.name) throw invalidInput('name is required.');
    if (b.resourceSpecification?.eventBridge) throw invalidInput('EventBridge destinations are not simulated; use an SQS destination.');
    if (typeof arn !== 'string' || !/^arn:aws:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/.test(arn)) throw invalidInput(`Invalid SQS ARN: ${arn}`);
    if ([...sb.destinations.values()].some((d) => d.arn === arn)) throw new SpApiError(409, 'Conflict', 'A destination with this ARN already exists.');
    const d = { destinationId: randomUUID(), name: b.name, arn };
    sb.destinations.set(d.destinationId, d);
    sb.queue(arn.split(':').pop()!);
    return { payload: { name: d.name, destinationId: d.destinationId, resource: { sqs: { arn } } } };
  }, { grantless: true });
  spRoute(app, sb, 'GET', `${base}/destinations`, 'getDestinations', () => ({
    payload: [...sb.destinations.values()].map((d) => ({ name: d.name, destinationId: d.destinationId, resource: { sqs: { arn: d.arn } } })),
  }), { grantless: true });

  spRoute(app, sb, 'POST', `${base}/subscriptions/:notificationType`, 'createSubscription', ({ req, params }) => {
    const type = params.notificationType!;
    if (!SQS_TYPES.includes(type)) throw invalidInput(`Notification type ${type} is not supported for SQS destinations in this sandbox.`);
    const b = parseBody(req);
    if (typeof b.payloadVersion !== 'string' || typeof b.destinationId !== 'string') throw invalidInput('payloadVersion and destinationId are required.');
    if (!sb.destinations.has(b.destinationId)) throw new SpApiError(404, 'NotFound', `Destination ${b.destinationId} was not found.`);
    if ([...sb.subscriptions.values()].some((s) => s.notificationType === type)) throw new SpApiError(409, 'Conflict', `A subscription for ${type} already exists.`);
    const s = { subscriptionId: randomUUID(), notificationType: type, payloadVersion: b.payloadVersion, destinationId: b.destinationId };
    sb.subscriptions.set(s.subscriptionId, s);
    return { payload: { subscriptionId: s.subscriptionId, payloadVersion: s.payloadVersion, destinationId: s.destinationId } };
  });
  spRoute(app, sb, 'GET', `${base}/subscriptions/:notificationType`, 'getSubscription', ({ params }) => {
    const s = [...sb.subscriptions.values()].find((x) => x.notificationType === params.notificationType);
    if (!s) throw new SpApiError(404, 'NotFound', `No subscription for ${params.notificationType}.`);
    return { payload: { subscriptionId: s.subscriptionId, payloadVersion: s.payloadVersion, destinationId: s.destinationId } };
  });
  spRoute(app, sb, 'DELETE', `${base}/subscriptions/:notificationType/:subscriptionId`, 'deleteSubscriptionById', ({ params }) => {
    if (!sb.subscriptions.delete(params.subscriptionId!)) throw new SpApiError(404, 'NotFound', `Subscription ${params.subscriptionId} was not found.`);
    return {};
  }, { grantless: true });
}
