// Fidelity: every SP-API answer of the sandbox, and every request our connector sends, checked
// against Amazon's official models (shared/specs/amazon-models) with ajv. The scenario drives every
// operation the connector has through the connector itself, plus a few raw calls for the error
// answers (403, 429) a well-behaved client never provokes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { start, type RunningAmazonSandbox } from './index.js';
import { Models, jsonSchemaValidator } from './models.testkit.js';
import { describeWithSpecs, specsFolder } from '../shared/specs.testkit.js';
import { RATE_HEADER_MISSING } from './features.js';
import type { Exchange } from './http.js';
import { clientFor } from '../../connectors/amazon/testing.js';
import * as ops from '../../connectors/amazon/operations/index.js';
import { SpApiClient, sendListingsFeed, submitFeed, waitForFeed, feedResult, inventoryMessages, requestReport, reportLines, listSettlementReports, allOrderItems } from '../../connectors/amazon/index.js';
import { SynclineError } from '../../core/errors.js';

let sb: RunningAmazonSandbox;
let client: SpApiClient;
const exchanges: Exchange[] = [];
const notifications: string[] = [];
const feedDocs: Buffer[] = [];
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
let models: Models;
const MODELS = specsFolder('amazon-models');
const wait = { pollMs: 20, timeoutMs: 20_000 };

beforeAll(async () => {
  if (!MODELS.present) return; // the suite below is skipped (or fails under CI) without the models
  models = new Models();
  sb = await start({ seed: 3, timeScale: 50, historicalOrders: 80 });
  sb.sandbox.recorder = (x) => exchanges.push(x);
  client = clientFor(sb);
});
afterAll(async () => sb?.close());

async function expectError(p: Promise<unknown>, code: string): Promise<SynclineError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e, `expected ${code}`).toBeInstanceOf(SynclineError);
  expect((e as SynclineError).code).toBe(code);
  return e as SynclineError;
}

describeWithSpecs('amazon-models', 'amazon sandbox fidelity against the official models', () => {
  it('drives every operation through the connector', async () => {
    const market = sb.sandbox.market;
    const now = () => sb.sandbox.clock.now();
    // Notifications: destination (grantless) and a subscription per SQS type; capture what is sent.
    const dest = await ops.createDestination.call(client, { name: 'syncline', sqsArn: 'arn:aws:sqs:us-east-1:000000000000:syncline-notifications' });
    expect((await ops.getDestinations.call(client, {})).map((d) => d.destinationId)).toContain(dest.destinationId);
    for (const t of ['ORDER_CHANGE', 'FBA_INVENTORY_AVAILABILITY_CHANGES', 'FULFILLMENT_ORDER_STATUS', 'FEED_PROCESSING_FINISHED', 'REPORT_PROCESSING_FINISHED'] as const) {
      await ops.createSubscription.call(client, { notificationType: t, destinationId: dest.destinationId });
    }
    const sub = await ops.getSubscription.call(client, { notificationType: 'ORDER_CHANGE' });
    const q = sb.sandbox.queue('syncline-notifications');
    const send = q.send.bind(q);
    q.send = (body, o) => (notifications.push(body), send(body, o));

    // Orders.
    const first = await ops.getOrders.call(client, { createdAfter: iso(now() - 30 * DAY), maxResultsPerPage: 20, orderStatuses: ['Shipped', 'Unshipped'], fulfillmentChannels: ['AFN', 'MFN'] });
    expect(first.orders.length).toBe(20);
    await ops.getOrders.call(client, { nextToken: first.nextToken! });
    await ops.getOrders.call(client, { lastUpdatedAfter: iso(now() - 30 * DAY), lastUpdatedBefore: iso(now() - DAY), pii: true });
    await expectError(ops.getOrders.call(client, { nextToken: 'garbage==' }), 'AMAZON_NEXT_TOKEN_REJECTED');
    await expectError(ops.getOrders.call(client, { createdAfter: iso(now() - DAY), createdBefore: iso(now()) }), 'AMAZON_INVALID_INPUT');
    const placed = market.placeOrder({ channel: 'MFN', purchaseDate: now() - 3_600_000 });
    for (const pii of [false, true]) await ops.getOrder.call(client, { orderId: placed.id, pii });
    await allOrderItems(client, placed.id);
    await ops.getOrderAddress.call(client, { orderId: placed.id });
    await ops.getOrderBuyerInfo.call(client, { orderId: placed.id });
    await ops.confirmShipment.call(client, { orderId: placed.id, packageReferenceId: '1', carrierCode: 'USPS', trackingNumber: '9400100000000000000000', shipDate: iso(now() - 60_000), items: placed.items.map((i) => ({ orderItemId: i.orderItemId, quantity: i.qty })) });
    await expectError(ops.confirmShipment.call(client, { orderId: placed.id, packageReferenceId: '2', carrierCode: 'USPS', trackingNumber: '9400100000000000000001', shipDate: iso(now() - 60_000), items: [{ orderItemId: placed.items[0]!.orderItemId, quantity: 1 }] }), 'AMAZON_INVALID_INPUT');
    await expectError(ops.getOrder.call(client, { orderId: '111-0000000-0000000' }), 'AMAZON_NOT_FOUND');
    await ops.createRestrictedDataToken.call(client, { restrictedResources: [{ method: 'GET', path: '/orders/v0/orders/{orderId}/address' }] });
    await expectError(ops.createRestrictedDataToken.call(client, { restrictedResources: [{ method: 'GET', path: '/orders/v0/orders', dataElements: ['creditCard'] }] }), 'AMAZON_INVALID_INPUT');

    // Listings.
    const mfn = [...market.listings.values()].find((l) => l.channel === 'MFN')!;
    const afn = [...market.listings.values()].find((l) => l.channel === 'AFN')!;
    await ops.getListingsItem.call(client, { sku: mfn.sku, includedData: ['summaries', 'attributes', 'issues', 'offers', 'fulfillmentAvailability'] });
    await expectError(ops.getListingsItem.call(client, { sku: 'NO-SUCH-SKU' }), 'AMAZON_NOT_FOUND');
    const preview = await ops.patchListingsItem.call(client, { sku: mfn.sku, productType: 'PRODUCT', patches: [{ op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 7 }] }], validationPreview: true });
    expect(preview.status).toBe('VALID');
    expect(mfn.mfnQuantity).not.toBe(7);
    const bad = await ops.patchListingsItem.call(client, { sku: afn.sku, productType: 'PRODUCT', patches: [{ op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 3 }] }] });
    expect(bad.status).toBe('INVALID');
    await ops.putListingsItem.call(client, { sku: 'NEW-SKU-1', productType: 'PRODUCT', attributes: { item_name: [{ value: 'New thing', marketplace_id: 'ATVPDKIKX0DER' }], purchasable_offer: [{ currency: 'USD', our_price: [{ schedule: [{ value_with_tax: 12.5 }] }] }] }, validationPreview: true });
    await ops.putListingsItem.call(client, { sku: 'NEW-SKU-1', productType: 'PRODUCT', attributes: { item_name: [{ value: 'New thing', marketplace_id: 'ATVPDKIKX0DER' }], purchasable_offer: [{ currency: 'USD', our_price: [{ schedule: [{ value_with_tax: 12.5 }] }] }] } });
    await ops.deleteListingsItem.call(client, { sku: 'NEW-SKU-1' });

    // Feeds: a listings feed with one invalid message, a retired feed type, a cancelled feed, listings.
    const sent = JSON.stringify({ header: { sellerId: client.config.sellerId, version: '2.0', issueLocale: 'en_US' }, messages: [...inventoryMessages([{ sku: mfn.sku, quantity: 11 }])] });
    feedDocs.push(Buffer.from(sent));
    const ok = await sendListingsFeed(client, inventoryMessages([{ sku: mfn.sku, quantity: 11 }]), wait);
    expect(ok.report.summary.messagesAccepted).toBe(1);
    expect(mfn.mfnQuantity).toBe(11);
    await expectError(sendListingsFeed(client, [...inventoryMessages([{ sku: mfn.sku, quantity: 12 }]), { messageId: 2, sku: mfn.sku, operationType: 'PATCH', productType: 'PRODUCT' }], wait), 'AMAZON_FEED_REJECTED_MESSAGES');
    const retired = await submitFeed(client, { feedType: 'POST_INVENTORY_AVAILABILITY_DATA', content: '<?xml version="1.0"?><AmazonEnvelope/>', contentType: 'text/xml; charset=UTF-8' });
    await expectError(feedResult(client, await waitForFeed(client, retired.feedId, wait)), 'AMAZON_FEED_FATAL');
    const toCancel = await submitFeed(client, { feedType: 'JSON_LISTINGS_FEED', content: sent });
    await ops.cancelFeed.call(client, { feedId: toCancel.feedId });
    const feedsPage = await ops.getFeeds.call(client, { feedTypes: ['JSON_LISTINGS_FEED'], pageSize: 1 });
    expect(feedsPage.nextToken).toBeTruthy();
    await ops.getFeeds.call(client, { nextToken: feedsPage.nextToken! });
    const fd = await ops.getFeedDocument.call(client, { feedDocumentId: toCancel.feedDocumentId });
    expect(fd.url).toMatch(/^http/);

    // Reports: a requested one, a cancelled one, settlements discovered and read.
    const rep = await requestReport(client, { reportType: 'GET_MERCHANT_LISTINGS_ALL_DATA' }, wait);
    let n = 0;
    for await (const _ of reportLines(client, rep.reportDocumentId!)) n++;
    expect(n).toBeGreaterThan(100);
    const { reportId } = await ops.createReport.call(client, { reportType: 'GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA' });
    await ops.cancelReport.call(client, { reportId });
    await expectError(ops.createReport.call(client, { reportType: 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2' }), 'AMAZON_INVALID_INPUT');
    market.returnItems(market.orders.find((o) => o.status === 'Shipped')!.id);
    market.reimburse(afn.sku, 1);
    market.closeSettlement();
    const settlements = await listSettlementReports(client);
    expect(settlements.length).toBeGreaterThanOrEqual(1);
    await ops.getReport.call(client, { reportId: settlements[0]!.reportId });

    // FBA inventory with paging.
    let page = await ops.getInventorySummaries.call(client, { details: true });
    while (page.nextToken) page = await ops.getInventorySummaries.call(client, { nextToken: page.nextToken, details: true });
    await ops.getInventorySummaries.call(client, { startDateTime: iso(now() - DAY), details: false });

    // MCF: create, progress to shipped, track; create and cancel another.
    const mcfBase = {
      displayableOrderId: 'WEB-1001', displayableOrderDate: iso(now()), displayableOrderComment: 'Thank you for your order', shippingSpeedCategory: 'Standard' as const,
      destinationAddress: { name: 'Ada Lovelace', addressLine1: '1 Main Street', city: 'Portland', stateOrRegion: 'OR', postalCode: '97205', countryCode: 'US' },
      items: [{ sellerSku: afn.sku, sellerFulfillmentOrderItemId: 'L1', quantity: 1, perUnitDeclaredValue: { currencyCode: 'USD', value: '19.99' } }],
    };
    await ops.createFulfillmentOrder.call(client, { ...mcfBase, sellerFulfillmentOrderId: 'MCF-1' });
    await ops.createFulfillmentOrder.call(client, { ...mcfBase, sellerFulfillmentOrderId: 'MCF-2' });
    await ops.cancelFulfillmentOrder.call(client, { sellerFulfillmentOrderId: 'MCF-2' });
    await expectError(ops.createFulfillmentOrder.call(client, { ...mcfBase, sellerFulfillmentOrderId: 'MCF-1' }), 'AMAZON_INVALID_INPUT');
    await ops.getFulfillmentOrder.call(client, { sellerFulfillmentOrderId: 'MCF-1' });
    sb.sandbox.clock.advance(3 * 3_600_000);
    market.tick();
    const done = await ops.getFulfillmentOrder.call(client, { sellerFulfillmentOrderId: 'MCF-1' });
    expect(done.fulfillmentOrder.fulfillmentOrderStatus).toBe('Complete');
    const pkg = done.fulfillmentShipments![0]!.fulfillmentShipmentPackage![0]!;
    expect(pkg.trackingNumber).toBeTruthy();
    await ops.getPackageTrackingDetails.call(client, { packageNumber: pkg.packageNumber });
    await ops.listAllFulfillmentOrders.call(client, { queryStartDate: iso(now() - DAY) });

    // Finances.
    const groups = await ops.listFinancialEventGroups.call(client, { startedAfter: iso(now() - 60 * DAY), maxResultsPerPage: 10 });
    expect(groups.groups.length).toBeGreaterThanOrEqual(2);
    await ops.listFinancialEventsByGroupId.call(client, { eventGroupId: groups.groups[0]!.FinancialEventGroupId! });
    await ops.listFinancialEventsByOrderId.call(client, { orderId: market.orders.find((o) => o.status === 'Shipped')!.id });
    const ev = await ops.listFinancialEvents.call(client, { postedAfter: iso(now() - 30 * DAY), maxResultsPerPage: 5 });
    if (ev.nextToken) await ops.listFinancialEvents.call(client, { postedAfter: iso(now() - 30 * DAY), maxResultsPerPage: 5, nextToken: ev.nextToken });

    await ops.deleteSubscriptionById.call(client, { notificationType: 'ORDER_CHANGE', subscriptionId: sub.subscriptionId });
  }, 60_000);

  it('answers 403 and 429 with the documented error bodies', async () => {
    const r1 = await fetch(`${sb.url}/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER&CreatedAfter=2026-01-01T00:00:00Z`);
    expect(r1.status).toBe(403);
    const token = await client.accessToken();
    // A near-empty bucket, so the 429 does not depend on how fast this machine is today.
    sb.sandbox.buckets.override('getInventorySummaries', { rate: 0.001, burst: 2 });
    let throttled = 0;
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`${sb.url}/fba/inventory/v1/summaries?granularityType=Marketplace&granularityId=ATVPDKIKX0DER&marketplaceIds=ATVPDKIKX0DER`, { headers: { 'x-amz-access-token': token } });
      if (r.status === 429) throttled++;
      await r.arrayBuffer();
    }
    expect(throttled).toBe(4);
    sb.sandbox.buckets.override('getInventorySummaries', { rate: 2, burst: 2 });
  });

  it('every recorded answer matches its operation\'s response schema, with the documented headers', () => {
    const ops = new Set(exchanges.map((x) => x.operation));
    expect(ops.size).toBeGreaterThanOrEqual(36);
    const statuses = new Set(exchanges.map((x) => x.status));
    for (const s of [200, 201, 202, 400, 403, 404, 429]) expect(statuses.has(s), `status ${s} exercised`).toBe(true);
    const problems = exchanges.flatMap((x) => models.checkResponse(x.operation, x.status, x.body, x.headers));
    // The one documented divergence, on purpose (issue 16): the models promise x-amzn-RateLimit-Limit
    // on every 200/400/404, but sellers see it missing on these operations, so by default the sandbox
    // leaves it out there (features.ts). Nothing else may differ.
    const missingHeader = /^(\w+) \d+: x-amzn-RateLimit-Limit header missing$/;
    expect(problems.filter((p) => !(missingHeader.test(p) && RATE_HEADER_MISSING.has(missingHeader.exec(p)![1]!)))).toEqual([]);
    expect(new Set(problems.map((p) => missingHeader.exec(p)?.[1]))).toEqual(new Set(['getOrderItems', 'getOrderAddress', 'getOrderBuyerInfo']));
  });

  it('every request the connector sent matches its operation\'s parameters and body schema', () => {
    const problems = exchanges.flatMap((x) => models.checkRequest(x.operation, x.query, x.requestBody));
    expect(problems).toEqual([]);
  });

  it('every notification matches its published JSON Schema', () => {
    const byType: Record<string, string> = {
      ORDER_CHANGE: 'OrderChangeNotification.json',
      FBA_INVENTORY_AVAILABILITY_CHANGES: 'FBAInventoryAvailabilityChangeNotification.json',
      FULFILLMENT_ORDER_STATUS: 'FulfillmentOrderStatusNotification.json',
      FEED_PROCESSING_FINISHED: 'FeedProcessingFinishedNotification.json',
      REPORT_PROCESSING_FINISHED: 'ReportProcessingFinishedNotification.json',
    };
    const validators = Object.fromEntries(Object.entries(byType).map(([t, f]) => [t, jsonSchemaValidator(f)]));
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const raw of notifications) {
      const n = JSON.parse(raw);
      const type = n.NotificationType ?? n.notificationType;
      seen.add(type);
      const v = validators[type];
      if (!v) problems.push(`unexpected type ${type}`);
      else if (!v(n)) problems.push(`${type}: ${JSON.stringify(v.errors)}`);
    }
    expect(problems).toEqual([]);
    expect([...seen].sort()).toEqual(Object.keys(byType).sort());
  });

  it('feed documents and processing reports match the listings feed schemas', async () => {
    const feedV = jsonSchemaValidator('listings-feed-schema-v2.json');
    for (const d of feedDocs) expect(feedV(JSON.parse(d.toString())), JSON.stringify(feedV.errors)).toBe(true);
    const reportV = jsonSchemaValidator('listings-feed-processing-report-schema-v2.json');
    const results = [...sb.sandbox.documents.values()].filter((d) => d.kind === 'feedResult');
    expect(results.length).toBeGreaterThanOrEqual(3);
    for (const d of results) {
      const report = JSON.parse(gunzipSync(d.content!).toString());
      expect(reportV(report), JSON.stringify(reportV.errors)).toBe(true);
    }
  });
});
