// Report and feed documents: downloaded from their pre-signed URL as a stream, gunzipped on the fly
// and split into lines, so a million-line settlement never sits in memory. The V2 settlement flat
// file is read by header name, its summary row (row 2) checked against the sum of its lines.
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decimal } from 'decimal.js';
import { transientError, userError, SynclineError } from '../../core/errors.js';
import type { SpApiClient } from './client.js';

export interface DocumentRef {
  url: string;
  compressionAlgorithm?: 'GZIP';
}

/** The document's bytes, decompressed if Amazon says GZIP. A broken gzip surfaces as AMAZON_DOCUMENT_UNREADABLE. */
export async function openDocument(client: SpApiClient, doc: DocumentRef): Promise<Readable> {
  const raw = await client.download(doc.url);
  if (doc.compressionAlgorithm !== 'GZIP') return raw;
  // Small buffers on both sides: zlib inflates a whole input chunk at once, so bound what it may queue.
  const gunzip = createGunzip({ chunkSize: 16 * 1024, readableHighWaterMark: 16 * 1024, writableHighWaterMark: 16 * 1024 } as never);
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

function unreadable(e: unknown): SynclineError {
  if (e instanceof SynclineError) return e;
  return transientError('AMAZON_DOCUMENT_UNREADABLE', `document download or decompression failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/**
 * Lines of a text stream (LF or CRLF), without the line ends, in batches (one per chunk): a million
 * lines cost a few thousand awaits instead of a million.
 */
export async function* readLineBatches(stream: Readable): AsyncGenerator<string[]> {
  stream.setEncoding('utf8');
  // A stream may hand over a large chunk at once (zlib inflates a whole input chunk); cutting it in
  // windows keeps each batch — and everything a consumer builds from it — small.
  const WINDOW = 64 * 1024;
  const split = (text: string): string[] => {
    const parts = text.split('\n');
    for (let i = 0; i < parts.length; i++) if (parts[i]!.endsWith('\r')) parts[i] = parts[i]!.slice(0, -1);
    return parts;
  };
  let rest = '';
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const buf = rest + chunk;
      let start = 0;
      for (;;) {
        const limit = start + WINDOW;
        let cut = buf.length - start > WINDOW ? buf.lastIndexOf('\n', limit) : buf.lastIndexOf('\n');
        if (cut < start) cut = buf.indexOf('\n', limit);
        if (cut < start) break;
        yield split(buf.slice(start, cut));
        start = cut + 1;
      }
      rest = buf.slice(start);
    }
  } catch (e) {
    throw unreadable(e);
  }
  if (rest !== '') yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}

/** Lines of a text stream, one at a time. */
export async function* readLines(stream: Readable): AsyncGenerator<string> {
  for await (const batch of readLineBatches(stream)) yield* batch;
}

/** A small document (processing report, JSON) read whole, refusing anything beyond `maxBytes`. */
export async function readDocumentText(client: SpApiClient, doc: DocumentRef, maxBytes = 64 * 1024 * 1024): Promise<string> {
  const s = await openDocument(client, doc);
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of s as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        s.destroy();
        throw userError('AMAZON_INVALID_INPUT', `document is larger than ${maxBytes} bytes; stream it with openDocument instead`);
      }
      parts.push(chunk);
    }
  } catch (e) {
    throw unreadable(e);
  }
  return Buffer.concat(parts).toString('utf8');
}

// ---- V2 settlement flat file -------------------------------------------------------------------

export const SETTLEMENT_V2_COLUMNS = [
  'settlement-id', 'settlement-start-date', 'settlement-end-date', 'deposit-date', 'total-amount', 'currency', 'transaction-type',
  'order-id', 'merchant-order-id', 'adjustment-id', 'shipment-id', 'marketplace-name', 'amount-type', 'amount-description', 'amount',
  'fulfillment-id', 'posted-date', 'posted-date-time', 'order-item-code', 'merchant-order-item-id', 'merchant-adjustment-item-id',
  'sku', 'quantity-purchased', 'promotion-id',
] as const;
/** Columns a file must have for us to post it; the rest are read when present. */
const REQUIRED = ['settlement-id', 'settlement-start-date', 'settlement-end-date', 'total-amount', 'currency', 'transaction-type', 'amount-type', 'amount-description', 'amount'];

export interface SettlementSummary {
  settlementId: string;
  /** ISO 8601 UTC. */
  startDate: string;
  endDate: string;
  depositDate?: string;
  /** Net payout, decimal string. */
  totalAmount: string;
  currency: string;
}

export interface SettlementLine {
  /** 1-based line number in the file (header = 1, summary = 2). */
  lineNo: number;
  transactionType: string;
  orderId?: string;
  merchantOrderId?: string;
  adjustmentId?: string;
  shipmentId?: string;
  marketplaceName?: string;
  amountType: string;
  amountDescription: string;
  /** Signed decimal string (fees negative). */
  amount: string;
  fulfillmentId?: string;
  /** ISO 8601 UTC, from posted-date-time (or posted-date). */
  postedAt?: string;
  orderItemCode?: string;
  merchantOrderItemId?: string;
  merchantAdjustmentItemId?: string;
  sku?: string;
  quantityPurchased?: number;
  promotionId?: string;
}

/**
 * An amount as printed in a settlement: `-12.34`, `1,234.56`, or the decimal comma some EU files use
 * (`1.234,56`, `-12,34`). The separator printed last with 1–2 digits after it is the decimal mark.
 */
export function parseSettlementAmount(raw: string): string | undefined {
  // Fast path, the form of nearly every line: no work, no garbage.
  if (PLAIN_AMOUNT.test(raw)) return raw;
  const s = raw.trim().replace(/\s/g, '');
  if (!/^[-+]?[\d.,]+$/.test(s) || !/\d/.test(s)) return undefined;
  const lastDot = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  let normal: string;
  if (lastDot >= 0 && lastComma >= 0) normal = lastComma > lastDot ? s.replace(/\./g, '').replace(',', '.') : s.replace(/,/g, '');
  else if (lastComma >= 0) normal = /,\d{1,2}$/.test(s) && s.indexOf(',') === lastComma ? s.replace(',', '.') : s.replace(/,/g, '');
  else if ((s.match(/\./g) ?? []).length > 1) normal = s.replace(/\./g, '');
  else normal = s;
  try {
    return new Decimal(normal).toFixed();
  } catch {
    return undefined;
  }
}

const PLAIN_AMOUNT = /^-?\d+(\.\d{1,2})?$/;

/** Settlement dates: `2026-11-22 14:03:11 UTC`, ISO 8601 with offset, or `DD.MM.YYYY[ HH:MM:SS UTC]`. */
export function parseSettlementDate(raw: string): string | undefined {
  const s = raw.trim();
  if (!s) return undefined;
  let m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)? ?(UTC|GMT|Z)?$/.exec(s);
  if (m) return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)).toISOString();
  m = /^(\d{2})\.(\d{2})\.(\d{4})(?: (\d{2}):(\d{2}):(\d{2})(?: UTC)?)?$/.exec(s);
  if (m) return new Date(Date.UTC(+m[3]!, +m[2]! - 1, +m[1]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0))).toISOString();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return new Date(`${s}T00:00:00Z`).toISOString();
  const t = Date.parse(s);
  return /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(t) ? new Date(t).toISOString() : undefined;
}

const OPTIONAL_COLUMNS: Array<[keyof SettlementLine, string]> = [
  ['orderId', 'order-id'], ['merchantOrderId', 'merchant-order-id'], ['adjustmentId', 'adjustment-id'], ['shipmentId', 'shipment-id'], ['marketplaceName', 'marketplace-name'],
  ['fulfillmentId', 'fulfillment-id'], ['orderItemCode', 'order-item-code'], ['merchantOrderItemId', 'merchant-order-item-id'], ['merchantAdjustmentItemId', 'merchant-adjustment-item-id'],
  ['sku', 'sku'], ['promotionId', 'promotion-id'],
];

export interface SettlementReader {
  summary: SettlementSummary;
  /** Transaction lines in file order. Ends by checking that they add up to `summary.totalAmount`. */
  lines: AsyncIterable<SettlementLine>;
  /** The same lines in batches (one await per batch, for million-line files). Use either, not both. */
  batches: AsyncIterable<SettlementLine[]>;
  /** After `lines` is drained: how many lines, and their sum. */
  result(): { lineCount: number; sum: string };
}

/** Reads a V2 settlement flat file from its lines (see `streamSettlementReport` for the download). */
export async function parseSettlement(input: AsyncIterable<string | string[]>): Promise<SettlementReader> {
  const src = input[Symbol.asyncIterator]();
  let pending: string[] = [];
  const take = async (): Promise<string | undefined> => {
    while (!pending.length) {
      const r = await src.next();
      if (r.done) return undefined;
      pending = typeof r.value === 'string' ? [r.value] : r.value.slice();
    }
    return pending.shift();
  };
  const malformed = (message: string, lineNo: number, extra: Record<string, unknown> = {}) => userError('AMAZON_SETTLEMENT_MALFORMED', `settlement file, line ${lineNo}: ${message}`, { details: { lineNo, ...extra } });
  const head = await take();
  if (head === undefined) throw malformed('the file is empty', 1);
  const header = head.replace(/^\uFEFF/, '').split('\t').map((h) => h.trim().toLowerCase());
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length) throw malformed(`not a V2 settlement file: missing columns ${missing.join(', ')}`, 1, { header });
  const col = Object.fromEntries(header.map((h, i) => [h, i])) as Record<string, number>;
  const get = (cells: string[], name: string) => {
    const i = col[name];
    const v = i === undefined ? undefined : cells[i]?.trim();
    return v === '' ? undefined : v;
  };
  const sumRow = await take();
  if (sumRow === undefined) throw malformed('the summary row (row 2) is missing', 2);
  const sc = sumRow.split('\t');
  const total = parseSettlementAmount(get(sc, 'total-amount') ?? '');
  const settlementId = get(sc, 'settlement-id');
  const startDate = parseSettlementDate(get(sc, 'settlement-start-date') ?? '');
  const endDate = parseSettlementDate(get(sc, 'settlement-end-date') ?? '');
  const currency = get(sc, 'currency');
  if (!settlementId || total === undefined || !startDate || !endDate || !currency || get(sc, 'transaction-type')) {
    throw malformed('row 2 is not a settlement summary (settlement-id, dates, total-amount and currency filled; no transaction-type)', 2, { row: sumRow.slice(0, 300) });
  }
  const depositRaw = get(sc, 'deposit-date');
  const summary: SettlementSummary = { settlementId, startDate, endDate, ...(depositRaw ? { depositDate: parseSettlementDate(depositRaw) } : {}), totalAmount: total, currency };
  let lineCount = 0;
  // Amounts with at most 2 decimals are summed as integer cents (exact below 2^53, i.e. ±90 trillion);
  // anything else goes through Decimal. A million Decimal objects per file is garbage we can avoid.
  let cents = 0;
  let rest = new Decimal(0);
  const total0 = () => rest.plus(new Decimal(cents).div(100));
  let lastPostedRaw: string | undefined;
  let lastPosted: string | undefined;
  let drained = false;
  let lineNo = 2;
  const parse = (raw: string[]): SettlementLine[] => {
    const out: SettlementLine[] = [];
    for (const text of raw) {
      lineNo++;
      if (text.trim() === '') continue;
      const c = text.split('\t');
      const rawAmount = get(c, 'amount');
      const amount = rawAmount === undefined ? undefined : parseSettlementAmount(rawAmount);
      const transactionType = get(c, 'transaction-type');
      if (!transactionType || amount === undefined) throw malformed(`a transaction line needs transaction-type and a readable amount (got ${JSON.stringify(rawAmount ?? '')})`, lineNo);
      const rawPosted = get(c, 'posted-date-time') ?? get(c, 'posted-date');
      // Lines of one posting share a timestamp: parse each distinct one once.
      if (rawPosted !== lastPostedRaw) {
        lastPostedRaw = rawPosted;
        lastPosted = rawPosted === undefined ? undefined : parseSettlementDate(rawPosted);
      }
      const postedAt = lastPosted;
      if (rawPosted !== undefined && postedAt === undefined) throw malformed(`unreadable posted date ${JSON.stringify(rawPosted)}`, lineNo);
      const qty = get(c, 'quantity-purchased');
      if (qty !== undefined && !/^-?\d+$/.test(qty)) throw malformed(`unreadable quantity-purchased ${JSON.stringify(qty)}`, lineNo);
      if (PLAIN_AMOUNT.test(amount)) {
        const dot = amount.indexOf('.');
        const whole = dot < 0 ? amount : amount.slice(0, dot);
        const frac = dot < 0 ? '' : amount.slice(dot + 1);
        const neg = whole.startsWith('-');
        const c100 = Math.abs(Number(whole)) * 100 + Number((frac + '00').slice(0, 2));
        cents += neg ? -c100 : c100;
      } else rest = rest.plus(amount);
      lineCount++;
      const line: SettlementLine = { lineNo, transactionType, amountType: get(c, 'amount-type') ?? '', amountDescription: get(c, 'amount-description') ?? '', amount };
      for (const [k, name] of OPTIONAL_COLUMNS) {
        const v = get(c, name);
        if (v !== undefined) (line as unknown as Record<string, unknown>)[k] = v;
      }
      if (postedAt) line.postedAt = postedAt;
      if (qty !== undefined) line.quantityPurchased = Number(qty);
      out.push(line);
    }
    return out;
  };
  async function* batches(): AsyncGenerator<SettlementLine[]> {
    if (pending.length) yield parse(pending);
    pending = [];
    for (;;) {
      const r = await src.next();
      if (r.done) break;
      const parsed = parse(typeof r.value === 'string' ? [r.value] : r.value);
      if (parsed.length) yield parsed;
    }
    drained = true;
    const sum = total0();
    if (!sum.equals(total!)) {
      throw userError('AMAZON_SETTLEMENT_TOTAL_MISMATCH', `settlement ${settlementId}: the ${lineCount} lines add up to ${sum.toFixed(2)}, but total-amount says ${total}`, {
        details: { settlementId, lineCount, sum: sum.toFixed(2), totalAmount: total },
      });
    }
  }
  const batchIterable = batches();
  async function* lines(): AsyncGenerator<SettlementLine> {
    for await (const b of batchIterable) yield* b;
  }
  return {
    summary,
    batches: batchIterable,
    lines: lines(),
    result() {
      if (!drained) throw new Error('settlement lines not drained yet');
      return { lineCount, sum: total0().toFixed(2) };
    },
  };
}

/** Batches of lines of any (gzip) document, streamed. */
export async function* documentLineBatches(client: SpApiClient, doc: DocumentRef): AsyncGenerator<string[]> {
  yield* readLineBatches(await openDocument(client, doc));
}

/** Lines of any (gzip) document, streamed. */
export async function* documentLines(client: SpApiClient, doc: DocumentRef): AsyncGenerator<string> {
  yield* readLines(await openDocument(client, doc));
}

export { Readable };
