// The Feeds and Reports workflows as Amazon documents them, and settlement discovery/streaming.
// Feeds:   createFeedDocument → PUT the bytes (same Content-Type) → createFeed → getFeed until done
//          → processing report (gzip JSON) → classified errors for FATAL / rejected messages.
// Reports: createReport → getReport until done → getReportDocument → stream (gunzip) lines.
import { SynclineError, transientError, userError } from '../../core/errors.js';
import type { SpApiClient } from './client.js';
import { createFeedDocument } from './operations/createFeedDocument.js';
import { createFeed } from './operations/createFeed.js';
import { getFeed } from './operations/getFeed.js';
import { getFeedDocument } from './operations/getFeedDocument.js';
import { createReport } from './operations/createReport.js';
import { getReport } from './operations/getReport.js';
import { getReports } from './operations/getReports.js';
import { getReportDocument } from './operations/getReportDocument.js';
import type { AmazonFeed, AmazonReport } from './schemas.js';
import { documentLineBatches, parseSettlement, readDocumentText, type SettlementReader } from './documents.js';

export interface WaitOptions {
  /** Give up (AMAZON_PROCESSING_TIMEOUT, transient) after this long. */
  timeoutMs?: number;
  /** Pause between status polls (getFeed 2/s, getReport 2/s allow this to be short). */
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TERMINAL = ['DONE', 'FATAL', 'CANCELLED'];

export async function submitFeed(client: SpApiClient, feed: { feedType: string; content: string | Buffer; contentType?: string; marketplaceIds?: string[] }): Promise<{ feedId: string; feedDocumentId: string }> {
  const contentType = feed.contentType ?? 'application/json; charset=UTF-8';
  const doc = await createFeedDocument.call(client, { contentType });
  await client.upload(doc.url, contentType, feed.content);
  const { feedId } = await createFeed.call(client, { feedType: feed.feedType, inputFeedDocumentId: doc.feedDocumentId, marketplaceIds: feed.marketplaceIds });
  return { feedId, feedDocumentId: doc.feedDocumentId };
}

export async function waitForFeed(client: SpApiClient, feedId: string, opts: WaitOptions = {}): Promise<AmazonFeed> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15 * 60_000);
  for (;;) {
    const f = await getFeed.call(client, { feedId });
    if (TERMINAL.includes(f.processingStatus)) return f;
    if (Date.now() >= deadline) throw transientError('AMAZON_PROCESSING_TIMEOUT', `feed ${feedId} is still ${f.processingStatus}`, { details: { feedId, status: f.processingStatus } });
    await sleep(opts.pollMs ?? 30_000);
  }
}

export interface ProcessingReport {
  header: { sellerId: string; version: string; feedId: string };
  issues: Array<{ messageId?: number; sku?: string; code: string; severity: 'ERROR' | 'WARNING' | 'INFO'; message: string; attributeName?: string }>;
  summary: { errors: number; warnings: number; messagesProcessed: number; messagesAccepted: number; messagesInvalid: number };
}

/** The processing report of a finished feed; FATAL and CANCELLED become classified errors. */
export async function feedResult(client: SpApiClient, feed: AmazonFeed): Promise<ProcessingReport> {
  if (feed.processingStatus === 'CANCELLED') throw userError('AMAZON_FEED_CANCELLED', `feed ${feed.feedId} was cancelled`, { details: { feedId: feed.feedId } });
  let report: ProcessingReport | undefined;
  if (feed.resultFeedDocumentId) {
    const doc = await getFeedDocument.call(client, { feedDocumentId: feed.resultFeedDocumentId });
    const text = await readDocumentText(client, doc);
    try {
      report = JSON.parse(text) as ProcessingReport;
    } catch {
      report = undefined;
      if (feed.processingStatus === 'DONE') throw transientError('AMAZON_DOCUMENT_UNREADABLE', `the processing report of feed ${feed.feedId} is not JSON`, { details: { sample: text.slice(0, 200) } });
    }
  }
  if (feed.processingStatus === 'FATAL') {
    const issues = report?.issues ?? [];
    throw userError('AMAZON_FEED_FATAL', `Amazon rejected feed ${feed.feedId} (${feed.feedType}) as a whole: ${issues.map((i) => i.message).join('; ') || 'no processing report'}`, { details: { feedId: feed.feedId, feedType: feed.feedType, issues } });
  }
  if (!report || !report.summary) throw transientError('AMAZON_DOCUMENT_UNREADABLE', `feed ${feed.feedId} finished without a processing report`, { details: { feedId: feed.feedId } });
  return report;
}

export interface ListingsFeedMessage {
  messageId: number;
  sku: string;
  operationType: 'UPDATE' | 'PARTIAL_UPDATE' | 'PATCH' | 'DELETE';
  productType?: string;
  attributes?: Record<string, unknown>;
  patches?: Array<{ op: 'add' | 'replace' | 'merge' | 'delete'; path: string; value?: unknown[] }>;
}

/** PATCH messages setting merchant-fulfilled quantities (FBA quantities belong to Amazon). */
export function inventoryMessages(items: Array<{ sku: string; quantity: number; productType?: string }>, firstMessageId = 1): ListingsFeedMessage[] {
  return items.map((it, i) => ({
    messageId: firstMessageId + i,
    sku: it.sku,
    operationType: 'PATCH',
    productType: it.productType ?? 'PRODUCT',
    patches: [{ op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: it.quantity }] }],
  }));
}

/**
 * Sends a JSON_LISTINGS_FEED and waits for its report. With `requireAccepted` (default), any invalid
 * or failed message makes the whole call an AMAZON_FEED_REJECTED_MESSAGES user error listing them.
 */
export async function sendListingsFeed(client: SpApiClient, messages: ListingsFeedMessage[], opts: WaitOptions & { requireAccepted?: boolean } = {}): Promise<{ feedId: string; report: ProcessingReport }> {
  if (messages.length < 1 || messages.length > 25_000) throw userError('AMAZON_INPUT_INVALID', `a listings feed holds 1 to 25000 messages, got ${messages.length}`);
  const body = JSON.stringify({ header: { sellerId: client.config.sellerId, version: '2.0', issueLocale: 'en_US' }, messages });
  const { feedId } = await submitFeed(client, { feedType: 'JSON_LISTINGS_FEED', content: body });
  const feed = await waitForFeed(client, feedId, opts);
  const report = await feedResult(client, feed);
  if ((opts.requireAccepted ?? true) && (report.summary.messagesInvalid > 0 || report.summary.errors > 0)) {
    const errors = report.issues.filter((i) => i.severity === 'ERROR');
    throw userError('AMAZON_FEED_REJECTED_MESSAGES', `feed ${feedId}: ${report.summary.messagesAccepted} of ${report.summary.messagesProcessed} messages accepted; ${errors.map((e) => `#${e.messageId ?? '?'} ${e.sku ?? ''}: ${e.message}`).join('; ')}`, {
      details: { feedId, summary: report.summary, issues: report.issues },
    });
  }
  return { feedId, report };
}

export async function waitForReport(client: SpApiClient, reportId: string, opts: WaitOptions = {}): Promise<AmazonReport> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30 * 60_000);
  for (;;) {
    const r = await getReport.call(client, { reportId });
    if (r.processingStatus === 'DONE') return r;
    if (r.processingStatus === 'FATAL') throw transientError('AMAZON_REPORT_FATAL', `Amazon could not generate report ${reportId} (${r.reportType})`, { details: { reportId, reportDocumentId: r.reportDocumentId } });
    if (r.processingStatus === 'CANCELLED') throw userError('AMAZON_REPORT_CANCELLED', `report ${reportId} was cancelled or had no data`, { details: { reportId } });
    if (Date.now() >= deadline) throw transientError('AMAZON_PROCESSING_TIMEOUT', `report ${reportId} is still ${r.processingStatus}`, { details: { reportId } });
    await sleep(opts.pollMs ?? 30_000);
  }
}

/** Streams a report document's lines in batches; a URL that expired before the download is fetched afresh once. */
export async function* reportLineBatches(client: SpApiClient, reportDocumentId: string): AsyncGenerator<string[]> {
  for (let attempt = 1; ; attempt++) {
    const doc = await getReportDocument.call(client, { reportDocumentId });
    let started = false;
    try {
      for await (const batch of documentLineBatches(client, doc)) {
        started = true;
        yield batch;
      }
      return;
    } catch (e) {
      if (attempt === 1 && !started && e instanceof SynclineError && e.code === 'AMAZON_DOCUMENT_EXPIRED') continue;
      throw e;
    }
  }
}

/** Streams a report document's lines. */
export async function* reportLines(client: SpApiClient, reportDocumentId: string): AsyncGenerator<string> {
  for await (const batch of reportLineBatches(client, reportDocumentId)) yield* batch;
}

export async function requestReport(client: SpApiClient, spec: { reportType: string; dataStartTime?: string; dataEndTime?: string; marketplaceIds?: string[] }, opts: WaitOptions = {}): Promise<AmazonReport> {
  const { reportId } = await createReport.call(client, spec);
  return waitForReport(client, reportId, opts);
}

export const SETTLEMENT_REPORT_TYPE = 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2';

/** Settlement reports created since `createdSince`, oldest first, following nextToken. */
export async function listSettlementReports(client: SpApiClient, createdSince?: string): Promise<AmazonReport[]> {
  const out: AmazonReport[] = [];
  let page = await getReports.call(client, { reportTypes: [SETTLEMENT_REPORT_TYPE], processingStatuses: ['DONE'], pageSize: 100, ...(createdSince ? { createdSince } : {}) });
  out.push(...page.reports);
  while (page.nextToken) {
    page = await getReports.call(client, { nextToken: page.nextToken });
    out.push(...page.reports);
  }
  return out.sort((a, b) => a.createdTime.localeCompare(b.createdTime) || a.reportId.localeCompare(b.reportId));
}

/** Opens a settlement report for streaming: summary first, then lines, checked against the total at the end. */
export async function streamSettlementReport(client: SpApiClient, reportDocumentId: string): Promise<SettlementReader> {
  return parseSettlement(reportLineBatches(client, reportDocumentId));
}
