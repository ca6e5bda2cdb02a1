// Reports API 2021-06-30: https://developer-docs.amazon.com/sp-api/docs/reports-api-v2021-06-30-reference
// Settlement reports (GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2) cannot be requested: Amazon
// generates them when a settlement period closes, and clients discover them with getReports.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AmazonSandbox, ReportRecord, StoredDocument } from '../context.js';
import { isoMillis, isoSeconds } from '../clock.js';
import { SpApiError, invalidInput, list, parseBody, parseDate, spRoute } from '../http.js';
import { docId, presign } from './documents.js';
import { readNextToken } from './orders.js';
import { settlementLines, syntheticSettlement } from '../settlement.js';
import type { EventGroup } from '../marketplace.js';

export const SETTLEMENT_TYPE = 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2';
/** FBA customer returns; columns as Amazon's FBA Customer Concessions reports attributes list them. */
export const RETURNS_TYPE = 'GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA';
const SYSTEM_ONLY = [SETTLEMENT_TYPE, 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE', 'GET_V2_SETTLEMENT_REPORT_DATA_XML'];
const REQUESTABLE = ['GET_MERCHANT_LISTINGS_ALL_DATA', 'GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA', 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL', 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL', RETURNS_TYPE];
const STATUSES = ['CANCELLED', 'DONE', 'FATAL', 'IN_PROGRESS', 'IN_QUEUE'];

export function renderReport(r: ReportRecord) {
  return {
    reportType: r.reportType, reportId: r.reportId, marketplaceIds: r.marketplaceIds, processingStatus: r.processingStatus, createdTime: isoMillis(r.createdTime),
    ...(r.dataStartTime !== undefined ? { dataStartTime: isoMillis(r.dataStartTime) } : {}),
    ...(r.dataEndTime !== undefined ? { dataEndTime: isoMillis(r.dataEndTime) } : {}),
    ...(r.processingStartTime ? { processingStartTime: isoMillis(r.processingStartTime) } : {}),
    ...(r.processingEndTime ? { processingEndTime: isoMillis(r.processingEndTime) } : {}),
    ...(r.reportDocumentId ? { reportDocumentId: r.reportDocumentId } : {}),
  };
}

function* tsv(rows: Iterable<Array<string | number>>): Generator<string> {
  for (const r of rows) yield `${r.join('\t')}\n`;
}

/** Flat-file contents of the requestable reports, from the sandbox's own state. */
function reportLines(sb: AmazonSandbox, r: ReportRecord): () => AsyncIterable<string> {
  const m = sb.market;
  return async function* () {
    if (r.reportType === 'GET_MERCHANT_LISTINGS_ALL_DATA') {
      yield* tsv([['item-name', 'seller-sku', 'price', 'quantity', 'asin1', 'fulfillment-channel', 'status']]);
      yield* tsv([...m.listings.values()].filter((l) => !l.deleted).map((l) => [l.title, l.sku, l.price, l.channel === 'MFN' ? l.mfnQuantity : '', l.asin, l.channel === 'AFN' ? 'AMAZON_NA' : 'DEFAULT', 'Active']));
    } else if (r.reportType === RETURNS_TYPE) {
      const from = r.dataStartTime ?? 0;
      const to = r.dataEndTime ?? r.createdTime;
      yield* tsv([['return-date', 'order-id', 'sku', 'asin', 'fnsku', 'product-name', 'quantity', 'fulfillment-center-id', 'detailed-disposition', 'reason', 'status', 'license-plate-number', 'customer-comments']]);
      yield* tsv(m.returns.filter((x) => x.returnDate >= from && x.returnDate <= to).map((x) => [isoSeconds(x.returnDate), x.orderId, x.sku, x.asin, x.fnSku, x.title, x.quantity, x.fc, x.disposition, x.reason, x.status, x.lpn, '']));
    } else if (r.reportType === 'GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA') {
      yield* tsv([['sku', 'fnsku', 'asin', 'product-name', 'condition', 'your-price', 'afn-fulfillable-quantity', 'afn-unsellable-quantity', 'afn-reserved-quantity', 'afn-total-quantity']]);
      yield* tsv([...m.listings.values()].filter((l) => l.channel === 'AFN' && !l.deleted).map((l) => [l.sku, l.fnSku, l.asin, l.title, 'New', l.price, l.fba.fulfillable, l.fba.unfulfillable, l.fba.pendingCustomerOrder, l.fba.fulfillable + l.fba.unfulfillable + l.fba.pendingCustomerOrder]));
    } else {
      const byUpdate = r.reportType.includes('LAST_UPDATE');
      yield* tsv([['amazon-order-id', 'merchant-order-id', 'purchase-date', 'last-updated-date', 'order-status', 'fulfillment-channel', 'sales-channel', 'sku', 'asin', 'quantity', 'currency', 'item-price', 'item-tax', 'shipping-price', 'shipping-tax', 'item-promotion-discount']]);
      for (const o of m.orders) {
        const t = byUpdate ? o.lastUpdate : o.purchaseDate;
        if ((r.dataStartTime !== undefined && t < r.dataStartTime) || (r.dataEndTime !== undefined && t > r.dataEndTime)) continue;
        yield* tsv(o.items.map((i) => [o.id, o.sellerOrderId, isoSeconds(o.purchaseDate), isoSeconds(o.lastUpdate), o.status, o.channel === 'AFN' ? 'Amazon' : 'Merchant', 'Amazon.com', i.sku, i.asin, i.qty, 'USD', i.itemPrice, i.itemTax, i.shippingPrice, i.shippingTax, i.promotionDiscount]));
      }
    }
  };
}

export function registerReports(app: FastifyInstance, sb: AmazonSandbox): void {
  const base = '/reports/2021-06-30';
  const pages = new Map<string, { ids: string[]; offset: number; size: number }>();

  const addDocument = (producer: () => AsyncIterable<string>): StoredDocument => {
    const doc: StoredDocument = { id: docId('report'), kind: 'report', contentType: 'text/tab-separated-values; charset=UTF-8', producer, gzip: true, createdAt: sb.clock.now(), urlExpiresAt: 0 };
    sb.documents.set(doc.id, doc);
    return doc;
  };

  // A closed settlement period becomes a DONE settlement report, as Amazon publishes it.
  sb.market.onSettlement = (g: EventGroup) => {
    const doc = addDocument(() => settlementLines(g));
    const r: ReportRecord = {
      reportId: sb.nextId(), reportType: SETTLEMENT_TYPE, marketplaceIds: [sb.creds.marketplaceId], dataStartTime: g.start, dataEndTime: g.end,
      createdTime: sb.clock.now(), processingStatus: 'DONE', processingStartTime: sb.clock.now(), processingEndTime: sb.clock.now(), reportDocumentId: doc.id, settlement: g,
    };
    sb.reports.set(r.reportId, r);
    sb.onMarketEvent('REPORT_PROCESSING_FINISHED', r);
  };
  sb.publishSyntheticSettlement = (n: number) => {
    const end = sb.clock.now();
    const start = end - 14 * 86_400_000;
    const settlementId = String(10_000_000_000 + Number(sb.nextId()));
    const synth = syntheticSettlement(n, n, start, end, settlementId);
    const doc = addDocument(() => synth.lines());
    const r: ReportRecord = { reportId: sb.nextId(), reportType: SETTLEMENT_TYPE, marketplaceIds: [sb.creds.marketplaceId], dataStartTime: start, dataEndTime: end, createdTime: end, processingStatus: 'DONE', processingStartTime: end, processingEndTime: end, reportDocumentId: doc.id };
    sb.reports.set(r.reportId, r);
    sb.onMarketEvent('REPORT_PROCESSING_FINISHED', r);
    return { reportId: r.reportId, reportDocumentId: doc.id, settlementId, total: synth.total };
  };

  spRoute(app, sb, 'POST', `${base}/reports`, 'createReport', ({ req, reply }) => {
    const b = parseBody(req);
    if (typeof b.reportType !== 'string' || !b.reportType) throw invalidInput('reportType is required.');
    if (SYSTEM_ONLY.includes(b.reportType)) throw invalidInput(`Report type ${b.reportType} cannot be requested. Amazon generates settlement reports automatically; find them with getReports.`);
    if (!REQUESTABLE.includes(b.reportType)) throw invalidInput(`Invalid reportType: ${b.reportType}`);
    if (!Array.isArray(b.marketplaceIds) || b.marketplaceIds.length < 1 || b.marketplaceIds.length > 25) throw invalidInput('marketplaceIds must hold 1 to 25 marketplace ids.');
    const start = parseDate('dataStartTime', b.dataStartTime);
    const end = parseDate('dataEndTime', b.dataEndTime);
    if (start !== undefined && end !== undefined && end < start) throw invalidInput('dataEndTime must not be before dataStartTime.');
    const r: ReportRecord = { reportId: sb.nextId(), reportType: b.reportType, marketplaceIds: b.marketplaceIds, dataStartTime: start, dataEndTime: end, createdTime: sb.clock.now(), processingStatus: 'IN_QUEUE' };
    sb.reports.set(r.reportId, r);
    sb.market.at(r.createdTime + 3_000, () => {
      if (r.processingStatus !== 'IN_QUEUE') return;
      r.processingStatus = 'IN_PROGRESS';
      r.processingStartTime = sb.clock.now();
    });
    sb.market.at(r.createdTime + 8_000, () => {
      if (r.processingStatus !== 'IN_PROGRESS') return;
      r.reportDocumentId = addDocument(reportLines(sb, r)).id;
      r.processingStatus = 'DONE';
      r.processingEndTime = sb.clock.now();
      sb.onMarketEvent('REPORT_PROCESSING_FINISHED', r);
    });
    reply.code(202);
    return { reportId: r.reportId };
  });

  spRoute(app, sb, 'GET', `${base}/reports/:reportId`, 'getReport', ({ params }) => {
    const r = sb.reports.get(params.reportId!);
    if (!r) throw new SpApiError(404, 'NotFound', `Report ${params.reportId} was not found.`);
    return renderReport(r);
  });

  spRoute(app, sb, 'DELETE', `${base}/reports/:reportId`, 'cancelReport', ({ params }) => {
    const r = sb.reports.get(params.reportId!);
    if (!r) throw new SpApiError(404, 'NotFound', `Report ${params.reportId} was not found.`);
    if (r.processingStatus !== 'IN_QUEUE') throw invalidInput(`Report ${r.reportId} is ${r.processingStatus}; only IN_QUEUE reports can be cancelled.`);
    r.processingStatus = 'CANCELLED';
    return undefined;
  });

  spRoute(app, sb, 'GET', `${base}/reports`, 'getReports', ({ query, rawQuery }) => {
    const page = readNextToken(rawQuery, 'nextToken', pages, 'The nextToken you provided is invalid or has expired.');
    if (page) {
      if (Object.keys(query).some((k) => k !== 'nextToken')) throw invalidInput('When nextToken is given, no other parameter may be given.');
      return renderPage(page);
    }
    const types = list(query.reportTypes);
    if (!types.length) throw invalidInput('Either reportTypes or nextToken must be provided.');
    if (types.length > 10) throw invalidInput('reportTypes accepts at most 10 values.');
    const statuses = list(query.processingStatuses);
    for (const s of statuses) if (!STATUSES.includes(s)) throw invalidInput(`Invalid processingStatuses value: ${s}`);
    const size = query.pageSize === undefined ? 10 : Number(query.pageSize);
    if (!Number.isInteger(size) || size < 1 || size > 100) throw invalidInput('pageSize must be an integer from 1 to 100.');
    const now = sb.clock.now();
    // Reports are kept 90 days; createdSince defaults to 90 days ago.
    const since = parseDate('createdSince', query.createdSince) ?? now - 90 * 86_400_000;
    const until = parseDate('createdUntil', query.createdUntil) ?? now;
    const ids = [...sb.reports.values()]
      .filter((r) => types.includes(r.reportType) && (!statuses.length || statuses.includes(r.processingStatus)) && r.createdTime >= since && r.createdTime <= until && r.createdTime >= now - 90 * 86_400_000)
      .sort((a, b) => b.createdTime - a.createdTime || Number(b.reportId) - Number(a.reportId))
      .map((r) => r.reportId);
    return renderPage({ ids, offset: 0, size });
  });

  function renderPage(p: { ids: string[]; offset: number; size: number }) {
    const reports = p.ids.slice(p.offset, p.offset + p.size).map((id) => renderReport(sb.reports.get(id)!));
    if (p.offset + p.size >= p.ids.length) return { reports };
    const t = randomBytes(40).toString('base64');
    pages.set(t, { ...p, offset: p.offset + p.size });
    return { reports, nextToken: t };
  }

  spRoute(app, sb, 'GET', `${base}/documents/:reportDocumentId`, 'getReportDocument', ({ params }) => {
    const doc = sb.documents.get(params.reportDocumentId!);
    if (!doc || doc.kind !== 'report') throw new SpApiError(404, 'NotFound', `Report document ${params.reportDocumentId} was not found.`);
    return { reportDocumentId: doc.id, url: presign(sb, doc, false), ...(doc.gzip ? { compressionAlgorithm: 'GZIP' } : {}) };
  });
}
