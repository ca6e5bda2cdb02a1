// Feeds API 2021-06-30: https://developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-reference
// createFeedDocument → PUT upload → createFeed → getFeed (IN_QUEUE → IN_PROGRESS → DONE|FATAL|CANCELLED)
// → result document. JSON_LISTINGS_FEED is applied message by message with a processing report
// (listings-feed-processing-report-schema-v2); the retired XML / flat-file feed types end FATAL.
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { AmazonSandbox, FeedRecord, StoredDocument } from '../context.js';
import { isoMillis } from '../clock.js';
import { SpApiError, invalidInput, list, parseBody, parseDate, spRoute } from '../http.js';
import { applyChange, validateMessage, type Issue } from '../listing-ops.js';
import { docId, presign } from './documents.js';
import { readNextToken } from './orders.js';
import { randomBytes } from 'node:crypto';

export const RETIRED_FEED_TYPES = [
  'POST_INVENTORY_AVAILABILITY_DATA', 'POST_PRODUCT_DATA', 'POST_PRODUCT_PRICING_DATA', 'POST_PRODUCT_OVERRIDES_DATA', 'POST_PRODUCT_IMAGE_DATA',
  'POST_PRODUCT_RELATIONSHIP_DATA', 'POST_FLAT_FILE_LISTINGS_DATA', 'POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA', 'POST_FLAT_FILE_INVLOADER_DATA',
  'POST_FLAT_FILE_BOOKLOADER_DATA', 'POST_FLAT_FILE_CONVERGENCE_LISTINGS_DATA', 'POST_UIEE_BOOKLOADER_DATA',
];
const KNOWN_FEED_TYPES = ['JSON_LISTINGS_FEED', 'POST_ORDER_FULFILLMENT_DATA', 'POST_FLAT_FILE_FULFILLMENT_DATA', ...RETIRED_FEED_TYPES];
const STATUSES = ['CANCELLED', 'DONE', 'FATAL', 'IN_PROGRESS', 'IN_QUEUE'];

export function renderFeed(f: FeedRecord) {
  return {
    feedId: f.feedId, feedType: f.feedType, marketplaceIds: f.marketplaceIds, createdTime: isoMillis(f.createdTime), processingStatus: f.processingStatus,
    ...(f.processingStartTime ? { processingStartTime: isoMillis(f.processingStartTime) } : {}),
    ...(f.processingEndTime ? { processingEndTime: isoMillis(f.processingEndTime) } : {}),
    ...(f.resultFeedDocumentId ? { resultFeedDocumentId: f.resultFeedDocumentId } : {}),
  };
}

function processListingsFeed(sb: AmazonSandbox, f: FeedRecord, content: Buffer | undefined): { status: 'DONE' | 'FATAL'; report: unknown } {
  const header = { sellerId: sb.creds.sellerId, version: '2.0', feedId: f.feedId };
  const fatal = (message: string) => ({ status: 'FATAL' as const, report: { header, issues: [{ code: 'FEED_REJECTED', severity: 'ERROR', message }], summary: { errors: 1, warnings: 0, messagesProcessed: 0, messagesAccepted: 0, messagesInvalid: 0 } } });
  if (!content?.length) return fatal('The feed document is empty: no content was uploaded for inputFeedDocumentId.');
  let doc: any;
  try {
    doc = JSON.parse(content.toString('utf8'));
  } catch (e) {
    return fatal(`The feed document is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || typeof doc.header !== 'object' || doc.header === null) return fatal("The feed is missing its 'header' object.");
  if (doc.header.version !== '2.0') return fatal(`Unsupported header.version ${JSON.stringify(doc.header.version)}: it must be "2.0".`);
  if (doc.header.sellerId !== sb.creds.sellerId) return fatal(`header.sellerId ${JSON.stringify(doc.header.sellerId)} does not match the selling partner submitting the feed.`);
  if (!Array.isArray(doc.messages) || doc.messages.length < 1 || doc.messages.length > 25_000) return fatal("'messages' must be an array of 1 to 25000 messages.");
  const issues: Issue[] = [];
  let accepted = 0;
  let invalid = 0;
  let errors = 0;
  let warnings = 0;
  const seen = new Set<number>();
  for (const m of doc.messages as Array<Record<string, any>>) {
    const id = Number.isInteger(m?.messageId) && m.messageId >= 1 ? (m.messageId as number) : undefined;
    const sku = typeof m?.sku === 'string' && m.sku ? (m.sku as string) : undefined;
    let found = validateMessage(m);
    if (!found.length && seen.has(id!)) found = [{ code: 'DUPLICATE_MESSAGE_ID', severity: 'ERROR', message: `messageId ${id} is used more than once in this feed.` }];
    if (found.length) {
      invalid++;
    } else {
      seen.add(id!);
      found = applyChange(sb.market, { sku: m.sku, operationType: m.operationType, productType: m.productType, attributes: m.attributes, patches: m.patches }, false);
      if (!found.some((i) => i.severity === 'ERROR')) accepted++;
    }
    for (const i of found) {
      if (i.severity === 'ERROR') errors++;
      if (i.severity === 'WARNING') warnings++;
      issues.push({ ...(id ? { messageId: id } : {}), ...(sku ? { sku } : {}), code: i.code, severity: i.severity, message: i.message, ...(i.attributeName ? { attributeName: i.attributeName } : {}) });
    }
  }
  return { status: 'DONE', report: { header, issues, summary: { errors, warnings, messagesProcessed: doc.messages.length, messagesAccepted: accepted, messagesInvalid: invalid } } };
}

export function registerFeeds(app: FastifyInstance, sb: AmazonSandbox): void {
  const base = '/feeds/2021-06-30';
  const pages = new Map<string, { ids: string[]; offset: number; size: number }>();

  const finish = (f: FeedRecord) => {
    if (f.processingStatus === 'CANCELLED') return;
    const input = sb.documents.get(f.inputFeedDocumentId);
    let result: { status: 'DONE' | 'FATAL'; report: unknown };
    if (RETIRED_FEED_TYPES.includes(f.feedType)) {
      result = { status: 'FATAL', report: { header: { sellerId: sb.creds.sellerId, version: '2.0', feedId: f.feedId }, issues: [{ code: 'FEED_TYPE_RETIRED', severity: 'ERROR', message: `Feed type ${f.feedType} has been retired. Use JSON_LISTINGS_FEED or the Listings Items API.` }], summary: { errors: 1, warnings: 0, messagesProcessed: 0, messagesAccepted: 0, messagesInvalid: 0 } } };
    } else if (f.feedType === 'JSON_LISTINGS_FEED') {
      result = processListingsFeed(sb, f, input?.content);
    } else {
      result = { status: input?.content?.length ? 'DONE' : 'FATAL', report: { header: { sellerId: sb.creds.sellerId, version: '2.0', feedId: f.feedId }, issues: [], summary: { errors: 0, warnings: 0, messagesProcessed: 0, messagesAccepted: 0, messagesInvalid: 0 } } };
    }
    const out: StoredDocument = { id: docId('feedresult'), kind: 'feedResult', contentType: 'application/json', content: gzipSync(JSON.stringify(result.report)), gzip: true, createdAt: sb.clock.now(), urlExpiresAt: 0 };
    sb.documents.set(out.id, out);
    f.processingStatus = result.status;
    f.processingEndTime = sb.clock.now();
    f.resultFeedDocumentId = out.id;
    sb.onMarketEvent('FEED_PROCESSING_FINISHED', f);
  };

  spRoute(app, sb, 'POST', `${base}/documents`, 'createFeedDocument', ({ req, reply }) => {
    const b = parseBody(req);
    if (typeof b.contentType !== 'string' || !b.contentType.trim()) throw invalidInput('contentType is required.');
    const doc: StoredDocument = { id: docId('feed'), kind: 'feed', contentType: b.contentType, gzip: false, createdAt: sb.clock.now(), urlExpiresAt: 0 };
    sb.documents.set(doc.id, doc);
    reply.code(201);
    return { feedDocumentId: doc.id, url: presign(sb, doc, true) };
  });

  spRoute(app, sb, 'POST', `${base}/feeds`, 'createFeed', ({ req, reply }) => {
    const b = parseBody(req);
    if (typeof b.feedType !== 'string' || !b.feedType) throw invalidInput('feedType is required.');
    if (!KNOWN_FEED_TYPES.includes(b.feedType)) throw invalidInput(`Invalid feedType: ${b.feedType}`);
    if (!Array.isArray(b.marketplaceIds) || b.marketplaceIds.length < 1 || b.marketplaceIds.length > 25) throw invalidInput('marketplaceIds must hold 1 to 25 marketplace ids.');
    if (typeof b.inputFeedDocumentId !== 'string') throw invalidInput('inputFeedDocumentId is required.');
    const doc = sb.documents.get(b.inputFeedDocumentId);
    // A feed document id stays valid for 2 days.
    if (!doc || doc.kind !== 'feed' || sb.clock.now() - doc.createdAt > 2 * 86_400_000) throw invalidInput(`Invalid inputFeedDocumentId: ${b.inputFeedDocumentId}`);
    const f: FeedRecord = { feedId: sb.nextId(), feedType: b.feedType, marketplaceIds: b.marketplaceIds, createdTime: sb.clock.now(), processingStatus: 'IN_QUEUE', inputFeedDocumentId: doc.id };
    sb.feeds.set(f.feedId, f);
    sb.market.at(f.createdTime + 2_000, () => {
      if (f.processingStatus !== 'IN_QUEUE') return;
      f.processingStatus = 'IN_PROGRESS';
      f.processingStartTime = sb.clock.now();
    });
    sb.market.at(f.createdTime + 5_000, () => finish(f));
    reply.code(202);
    return { feedId: f.feedId };
  });

  spRoute(app, sb, 'GET', `${base}/feeds/:feedId`, 'getFeed', ({ params }) => {
    const f = sb.feeds.get(params.feedId!);
    if (!f) throw new SpApiError(404, 'NotFound', `Feed ${params.feedId} was not found.`);
    return renderFeed(f);
  });

  spRoute(app, sb, 'DELETE', `${base}/feeds/:feedId`, 'cancelFeed', ({ params }) => {
    const f = sb.feeds.get(params.feedId!);
    if (!f) throw new SpApiError(404, 'NotFound', `Feed ${params.feedId} was not found.`);
    if (f.processingStatus !== 'IN_QUEUE') throw invalidInput(`Feed ${f.feedId} is ${f.processingStatus}; only IN_QUEUE feeds can be cancelled.`);
    f.processingStatus = 'CANCELLED';
    f.processingEndTime = sb.clock.now();
    sb.onMarketEvent('FEED_PROCESSING_FINISHED', f);
    return undefined;
  });

  spRoute(app, sb, 'GET', `${base}/feeds`, 'getFeeds', ({ query, rawQuery }) => {
    const page = readNextToken(rawQuery, 'nextToken', pages, 'The nextToken you provided is invalid or has expired.');
    if (page) {
      if (Object.keys(query).some((k) => k !== 'nextToken')) throw invalidInput('When nextToken is given, no other parameter may be given.');
      return renderFeedsPage(page);
    }
    const types = list(query.feedTypes);
    if (!types.length) throw invalidInput('Either feedTypes or nextToken must be provided.');
    if (types.length > 10) throw invalidInput('feedTypes accepts at most 10 values.');
    const statuses = list(query.processingStatuses);
    for (const s of statuses) if (!STATUSES.includes(s)) throw invalidInput(`Invalid processingStatuses value: ${s}`);
    const size = query.pageSize === undefined ? 10 : Number(query.pageSize);
    if (!Number.isInteger(size) || size < 1 || size > 100) throw invalidInput('pageSize must be an integer from 1 to 100.');
    const since = parseDate('createdSince', query.createdSince) ?? sb.clock.now() - 90 * 86_400_000;
    const until = parseDate('createdUntil', query.createdUntil) ?? sb.clock.now();
    const ids = [...sb.feeds.values()]
      .filter((f) => types.includes(f.feedType) && (!statuses.length || statuses.includes(f.processingStatus)) && f.createdTime >= since && f.createdTime <= until)
      .sort((a, b) => b.createdTime - a.createdTime)
      .map((f) => f.feedId);
    return renderFeedsPage({ ids, offset: 0, size });
  });

  function renderFeedsPage(p: { ids: string[]; offset: number; size: number }) {
    const feeds = p.ids.slice(p.offset, p.offset + p.size).map((id) => renderFeed(sb.feeds.get(id)!));
    if (p.offset + p.size >= p.ids.length) return { feeds };
    const t = randomBytes(40).toString('base64');
    pages.set(t, { ...p, offset: p.offset + p.size });
    return { feeds, nextToken: t };
  }

  spRoute(app, sb, 'GET', `${base}/documents/:feedDocumentId`, 'getFeedDocument', ({ params }) => {
    const doc = sb.documents.get(params.feedDocumentId!);
    if (!doc || (doc.kind !== 'feed' && doc.kind !== 'feedResult')) throw new SpApiError(404, 'NotFound', `Feed document ${params.feedDocumentId} was not found.`);
    return { feedDocumentId: doc.id, url: presign(sb, doc, false), ...(doc.gzip ? { compressionAlgorithm: 'GZIP' } : {}) };
  });
}
