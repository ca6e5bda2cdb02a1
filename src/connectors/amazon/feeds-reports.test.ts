// Feeds, reports and settlements through the connector against the sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { start, type RunningAmazonSandbox } from '../../sandboxes/amazon/index.js';
import { clientFor } from './testing.js';
import * as ops from './operations/index.js';
import { feedResult, inventoryMessages, listSettlementReports, reportLines, requestReport, sendListingsFeed, streamSettlementReport, submitFeed, waitForFeed } from './workflows.js';
import { documentLines, parseSettlement, parseSettlementAmount, parseSettlementDate, SETTLEMENT_V2_COLUMNS } from './documents.js';
import { SynclineError } from '../../core/errors.js';
import { failure } from '../../../test/support/failure.js';

let sb: RunningAmazonSandbox;
const wait = { pollMs: 20, timeoutMs: 20_000 };

beforeAll(async () => {
  // 50× so feeds (5 s) and reports (8 s) finish in a fraction of a real second.
  sb = await start({ timeScale: 50, historicalOrders: 120, seed: 5 });
});
afterAll(async () => sb?.close());


const mfnSkus = () => [...sb.sandbox.market.listings.values()].filter((l) => l.channel === 'MFN').map((l) => l.sku);
const afnSku = () => [...sb.sandbox.market.listings.values()].find((l) => l.channel === 'AFN')!.sku;

describe('amazon connector: feeds', () => {
  it('a JSON_LISTINGS_FEED sets merchant-fulfilled quantities, visible through the Listings API', async () => {
    const client = clientFor(sb);
    const [a, b] = mfnSkus();
    const { report } = await sendListingsFeed(client, inventoryMessages([{ sku: a!, quantity: 17 }, { sku: b!, quantity: 0 }]), wait);
    expect(report.summary).toMatchObject({ messagesProcessed: 2, messagesAccepted: 2, messagesInvalid: 0, errors: 0 });
    const item = await ops.getListingsItem.call(client, { sku: a!, includedData: ['fulfillmentAvailability'] });
    expect(item.fulfillmentAvailability).toEqual([{ fulfillmentChannelCode: 'DEFAULT', quantity: 17 }]);
  });

  it('invalid messages come back per messageId with Amazon\'s report and a classified error', async () => {
    const client = clientFor(sb);
    const [a] = mfnSkus();
    const err = await failure(
      sendListingsFeed(client, [
        ...inventoryMessages([{ sku: a!, quantity: 5 }]),
        { messageId: 2, sku: a!, operationType: 'PATCH', productType: 'PRODUCT' },
        ...inventoryMessages([{ sku: afnSku(), quantity: 3 }], 3),
        ...inventoryMessages([{ sku: a!, quantity: -1 }], 4),
      ], wait),
    );
    expect(err.code).toBe('AMAZON_FEED_REJECTED_MESSAGES');
    expect(err.kind).toBe('user');
    const d = err.details as { summary: Record<string, number>; issues: Array<{ messageId: number; code: string; message: string }> };
    expect(d.summary).toMatchObject({ messagesProcessed: 4, messagesAccepted: 1, messagesInvalid: 1 });
    expect(d.issues.map((i) => i.messageId).sort()).toEqual([2, 3, 4]);
    expect(d.issues.find((i) => i.messageId === 3)!.message).toContain('fulfilled by Amazon');
    expect(err.message).toContain('#2');
    expect(sb.sandbox.market.listings.get(a!)!.mfnQuantity).toBe(5);
  });

  it('a malformed document and a retired feed type end FATAL as AMAZON_FEED_FATAL', async () => {
    const client = clientFor(sb);
    const broken = await submitFeed(client, { feedType: 'JSON_LISTINGS_FEED', content: '{"header": {"sellerId": ' });
    const e1 = await failure(feedResult(client, await waitForFeed(client, broken.feedId, wait)));
    expect(e1.code).toBe('AMAZON_FEED_FATAL');
    expect(e1.message).toContain('not valid JSON');
    const retired = await submitFeed(client, { feedType: 'POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA', content: 'sku\tquantity\nA\t1\n', contentType: 'text/tab-separated-values; charset=UTF-8' });
    const e2 = await failure(feedResult(client, await waitForFeed(client, retired.feedId, wait)));
    expect(e2.code).toBe('AMAZON_FEED_FATAL');
    expect(e2.message).toContain('retired');
  });

  it('an upload with another Content-Type than declared is refused, as S3 does', async () => {
    const client = clientFor(sb);
    const doc = await ops.createFeedDocument.call(client, { contentType: 'application/json; charset=UTF-8' });
    const e = await failure(client.upload(doc.url, 'text/plain', '{}'));
    expect(e.code).toBe('AMAZON_INVALID_INPUT');
    expect(e.message).toContain('Content-Type');
  });

  it('only IN_QUEUE feeds can be cancelled', async () => {
    // Real time here: at 50× a feed leaves IN_QUEUE after 40 ms, less than a cancel takes on a busy machine.
    const realTime = await start({ timeScale: 1, historicalOrders: 0, seed: 6 });
    try {
      const client = clientFor(realTime);
      const f = await submitFeed(client, { feedType: 'JSON_LISTINGS_FEED', content: '{}' });
      await ops.cancelFeed.call(client, { feedId: f.feedId });
      expect((await ops.getFeed.call(client, { feedId: f.feedId })).processingStatus).toBe('CANCELLED');
      const e = await failure(ops.cancelFeed.call(client, { feedId: f.feedId }));
      expect(e.code).toBe('AMAZON_INVALID_INPUT');
    } finally {
      await realTime.close();
    }
  });
});

describe('amazon connector: reports and settlements', () => {
  it('requests a report, waits for it and streams its gzip document line by line', async () => {
    const client = clientFor(sb);
    const r = await requestReport(client, { reportType: 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL' }, wait);
    const lines: string[] = [];
    for await (const l of reportLines(client, r.reportDocumentId!)) lines.push(l);
    expect(lines[0]!.split('\t')[0]).toBe('amazon-order-id');
    const items = sb.sandbox.market.orders.reduce((s, o) => s + o.items.length, 0);
    expect(lines.length - 1).toBe(items);
  });

  it('settlement reports cannot be requested, only discovered', async () => {
    const e = await failure(ops.createReport.call(clientFor(sb), { reportType: 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2' }));
    expect(e.code).toBe('AMAZON_INVALID_INPUT');
    expect(e.message).toContain('cannot be requested');
  });

  it('a settlement from the sandbox\'s own activity: 24 columns, summary row 2, lines adding up to the total', async () => {
    const client = clientFor(sb);
    const m = sb.sandbox.market;
    const shipped = m.orders.filter((o) => o.status === 'Shipped');
    m.returnItems(shipped[0]!.id);
    m.reimburse(afnSku(), 2);
    const g = m.closeSettlement();
    const reports = await listSettlementReports(client);
    const r = reports.find((x) => x.dataEndTime === new Date(g.end!).toISOString())!;
    expect(r).toBeDefined();
    const doc = await ops.getReportDocument.call(client, { reportDocumentId: r.reportDocumentId! });
    expect(doc.compressionAlgorithm).toBe('GZIP');
    const raw: string[] = [];
    for await (const l of documentLines(client, doc)) raw.push(l);
    expect(raw[0]!.split('\t')).toEqual([...SETTLEMENT_V2_COLUMNS]);
    expect(raw.every((l) => l.split('\t').length === 24)).toBe(true);

    const reader = await streamSettlementReport(client, r.reportDocumentId!);
    expect(reader.summary.settlementId).toBe(g.settlementId);
    expect(reader.summary.totalAmount).toBe(new Decimal(g.total!).toFixed());
    const kinds = new Set<string>();
    let principal = new Decimal(0);
    for await (const line of reader.lines) {
      kinds.add(`${line.transactionType}/${line.amountType}/${line.amountDescription}`);
      if (line.transactionType === 'Order' && line.amountDescription === 'Principal' && line.amountType === 'ItemPrice') principal = principal.plus(line.amount);
    }
    const { lineCount, sum } = reader.result();
    expect(lineCount).toBe(g.postings.length);
    expect(new Decimal(sum).equals(g.total!)).toBe(true);
    for (const k of ['Order/ItemPrice/Principal', 'Order/ItemFees/Commission', 'Refund/ItemPrice/Principal', 'other-transaction/FBA Inventory Reimbursement/WAREHOUSE_DAMAGE', 'ServiceFee/other-transaction/Subscription Fee', 'other-transaction/other-transaction/Current Reserve Amount']) {
      expect(kinds, k).toContain(k);
    }
    // Finances agrees with the settlement: the group's total is the settlement's net payout.
    const groups = await ops.listFinancialEventGroups.call(client, { startedAfter: new Date(g.start - 1000).toISOString() });
    const grp = groups.groups.find((x) => x.FinancialEventGroupId === g.id)!;
    expect(grp.ProcessingStatus).toBe('Closed');
    expect(new Decimal(grp.OriginalTotal!.CurrencyAmount!).equals(g.total!)).toBe(true);
    expect(principal.greaterThan(0)).toBe(true);
  });

  it('a settlement whose lines do not add up, or that is not V2, is refused with a classified error', async () => {
    async function* from(lines: string[]) {
      yield* lines;
    }
    const header = SETTLEMENT_V2_COLUMNS.join('\t');
    const summary = ['123', '2026-11-01 00:00:00 UTC', '2026-11-15 00:00:00 UTC', '2026-11-16 00:00:00 UTC', '100.00', 'USD', ...new Array(18).fill('')].join('\t');
    const line = (amount: string) => ['123', '', '', '', '', '', 'Order', '111-1234567-1234567', '', '', '', 'Amazon.com', 'ItemPrice', 'Principal', amount, 'AFN', '2026-11-02', '2026-11-02 10:00:00 UTC', '1', '', '', 'SKU', '1', ''].join('\t');
    const good = await parseSettlement(from([header, summary, line('60.00'), line('40.00')]));
    for await (const _ of good.lines);
    expect(good.result()).toEqual({ lineCount: 2, sum: '100.00' });
    const tampered = await parseSettlement(from([header, summary, line('60.00'), line('39.99')]));
    const e1 = await failure((async () => {
      for await (const _ of tampered.lines);
    })());
    expect(e1.code).toBe('AMAZON_SETTLEMENT_TOTAL_MISMATCH');
    expect(e1.message).toContain('99.99');
    const e2 = await failure(parseSettlement(from(['order-id\tamount', 'x\t1'])));
    expect(e2.code).toBe('AMAZON_SETTLEMENT_MALFORMED');
    const badAmount = await parseSettlement(from([header, summary, line('1,2,3.4.5')]));
    const e3 = await failure((async () => {
      for await (const _ of badAmount.lines);
    })());
    expect(e3.code).toBe('AMAZON_SETTLEMENT_MALFORMED');
    expect(e3.details.lineNo).toBe(3);
  });

  it('reads EU and US number and date forms', () => {
    expect(parseSettlementAmount('-1.234,56')).toBe('-1234.56');
    expect(parseSettlementAmount('1,234.56')).toBe('1234.56');
    expect(parseSettlementAmount('-12,34')).toBe('-12.34');
    expect(parseSettlementAmount('0.10')).toBe('0.10');
    expect(parseSettlementAmount('-0.5')).toBe('-0.5');
    expect(parseSettlementAmount('abc')).toBeUndefined();
    expect(parseSettlementDate('2026-11-22 14:03:11 UTC')).toBe('2026-11-22T14:03:11.000Z');
    expect(parseSettlementDate('2003-10-03T16:00:00-07:00')).toBe('2003-10-03T23:00:00.000Z');
    expect(parseSettlementDate('03.10.2023')).toBe('2023-10-03T00:00:00.000Z');
    expect(parseSettlementDate('yesterday')).toBeUndefined();
  });

  it('documents can be fetched through another origin (documentsBaseUrl), path and signature kept', async () => {
    const { createServer } = await import('node:http');
    let proxied = 0;
    // A minimal forwarding proxy standing in for an egress proxy or the on-premise agent.
    const proxy = createServer(async (req, res) => {
      proxied++;
      const upstream = await fetch(`${sb.url}${req.url}`);
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as { port: number }).port;
    try {
      const client = clientFor(sb, { documentsBaseUrl: `http://127.0.0.1:${port}` });
      const r = await requestReport(client, { reportType: 'GET_MERCHANT_LISTINGS_ALL_DATA' }, wait);
      let n = 0;
      for await (const _ of reportLines(client, r.reportDocumentId!)) n++;
      expect(n).toBeGreaterThan(1);
      expect(proxied).toBe(1);
    } finally {
      proxy.close();
    }
  });

  it('an expired document URL is a classified transient error; reportLines fetches a fresh URL', async () => {
    const client = clientFor(sb);
    const r = await requestReport(client, { reportType: 'GET_MERCHANT_LISTINGS_ALL_DATA' }, wait);
    const doc = await ops.getReportDocument.call(client, { reportDocumentId: r.reportDocumentId! });
    sb.sandbox.clock.advance(6 * 60_000);
    const e = await failure((async () => {
      for await (const _ of documentLines(client, doc));
    })());
    expect(e.code).toBe('AMAZON_DOCUMENT_EXPIRED');
    expect(e.kind).toBe('transient');
    let n = 0;
    for await (const _ of reportLines(client, r.reportDocumentId!)) n++;
    expect(n).toBeGreaterThan(1);
  });
});
