// Sage 300 has no webhooks: changes are found by polling with $filter (spec §2.7, §3), throttled so
// a shared IIS is not hammered. Two shapes:
//   • append-only documents (OE shipments, OE invoices) by their uniquifier: `X gt cursor`, in key
//     order, so nothing can slip behind the cursor;
//   • master data and quantities by audit stamp: `DateLastMaintained ge since`. The Web API returns
//     rows in key order, not stamp order, and ARCUS/ICITEM stamps are dates only, so the poller
//     re-reads a safety window behind the newest stamp it has seen and emits a record only when its
//     content hash differs from what it last emitted (hashes of the window ride in the cursor).
//     Event versions are the observation time, so they sort and a stale event is really stale.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { IncomingEvent, Poller, PollResult } from '../../core/triggers.js';
import type { Sage300Client } from './client.js';
import { declareVersionScheme, SEQUENCE12_SCHEME } from '../../core/versions.js';
import { customerOut, invoiceOut, itemOut, itemPricingOut, orderOut, shipmentOut, stockOut, type CustomerOut, type ItemOut, type ItemPricingOut, type OrderOut, type StockOut } from './schemas.js';
import { mssqlIclocSource, type IclocSource } from './stock-sql.js';

export interface PollerOptions {
  /** Prefix of the poller id, usually the connection id ("sage300-main"). */
  connection: string;
  /** Don't call Sage more often than this (a poll before that returns nothing, without a request). */
  minIntervalMs?: number;
  /** Records read per poll at most (pages of the server's page size); `more` says to come back at once. */
  maxPerPoll?: number;
  now?: () => number;
  /**
   * Where a poller without a cursor starts: omitted = from the beginning (an initial full sync, e.g. to
   * seed the shop's stock); an ISO instant = only changes stamped from then on.
   */
  startAt?: string;
}

const DEFAULT_INTERVAL = 15_000;
const DEFAULT_MAX = 1_000;

function throttle(opts: PollerOptions) {
  const now = opts.now ?? Date.now;
  let last = -Infinity;
  return {
    /** True when this poll may call Sage; a poll that reported `more` may go again at once. */
    ready(): boolean {
      return now() - last >= (opts.minIntervalMs ?? DEFAULT_INTERVAL);
    },
    mark(more: boolean): void {
      last = more ? -Infinity : now();
    },
  };
}

/** Append-only documents keyed by a growing uniquifier. Cursor: the last uniquifier emitted. */
function sequencePoller<S extends z.ZodType>(client: Sage300Client, opts: PollerOptions, spec: {
  name: string; module: string; resource: string; keyField: string; entity: string; schema: S; id: (row: z.output<S>) => string;
}): Poller {
  const gate = throttle(opts);
  return {
    id: `${opts.connection}:${spec.name}`,
    async poll(cursor: string | null): Promise<PollResult> {
      if (!gate.ready()) return { events: [], cursor };
      const after = cursor === null ? 0 : Number(cursor);
      const max = opts.maxPerPoll ?? DEFAULT_MAX;
      const rows = await client.list(`poll:${spec.name}`, spec.module, spec.resource, spec.schema, { filter: `${spec.keyField} gt ${after}`, limit: max + 1 });
      const more = rows.length > max;
      const batch = rows.slice(0, max);
      const events: IncomingEvent[] = batch.map((row) => {
        const n = Number((row as Record<string, unknown>)[spec.keyField]);
        return { system: 'sage300', entity: spec.entity, id: spec.id(row), version: String(n).padStart(12, '0'), payload: row };
      });
      const last = batch.length ? Number((batch[batch.length - 1] as Record<string, unknown>)[spec.keyField]) : after;
      gate.mark(more);
      return { events, cursor: String(last), ...(more ? { more } : {}) };
    },
  };
}

interface StampCursor {
  /** Read rows stamped at or after this instant. */
  since: string;
  /** Rows of the current pass already read (the pass continues while `more`). */
  skip: number;
  /** Newest stamp seen in the current pass. */
  newest: string;
  /** id → content hash of what was emitted, for rows stamped inside the window. */
  seen: Record<string, [string, string]>;
  /** Last version handed out (versions must grow even if the clock steps back). */
  lastVersion: string;
  /** When the last pass read (our clock). */
  observed?: string;
}

/** How far Syncline's clock may run ahead of the Sage server's (NTP on both) for the settled rule below. */
const CLOCK_SKEW_MS = 30_000;

/** The next version after `v` within the same millisecond: "…000Z" → "…000Z.000001" → "…000Z.000002". */
function bump(v: string): string {
  const m = /^(.{24})(?:\.(\d{6}))?$/.exec(v);
  if (!m) return `${v}.000001`;
  return `${m[1]}.${String(Number(m[2] ?? 0) + 1).padStart(6, '0')}`;
}

function stableHash(row: unknown): string {
  return createHash('sha1').update(JSON.stringify(row, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : v))).digest('base64url').slice(0, 16);
}

/** Where a stamp poller reads: rows stamped at or after `since`, from `skip` on, at most `limit` (+ whether there are more). */
export type StampSource<R> = (since: string, skip: number, limit: number) => Promise<{ rows: R[]; more: boolean }>;

export interface StampSpec<R> {
  name: string;
  entity: string;
  id: (row: R) => string;
  /** The row's audit stamp as an ISO instant. */
  stamp: (row: R) => string;
  /** What the event carries (default: the row); the change hash is taken over it. */
  payload?: (row: R) => unknown;
  /** What counts as a change (default: the whole payload); e.g. stock: the quantities, not the stamp. */
  changeOf?: (row: R) => unknown;
  /** How far behind the newest stamp each pass re-reads: one day for date-only stamps. */
  windowMs: number;
  /**
   * What one stamp value spans, for stamps precise enough to trust with Syncline's clock (ICILOC's
   * AUDTTIME: 10 ms). Omitted (date-only stamps): only the server's own stamps say a row is settled.
   */
  stampResolutionMs?: number;
  source: StampSource<R>;
}

/** An OData collection filtered by `stampField ge datetime'…'`, paged with $skip. */
export function odataStampSource<S extends z.ZodType>(client: Sage300Client, spec: { name: string; module: string; resource: string; stampField: string; schema: S }): StampSource<z.output<S>> {
  return async (since, skip, limit) => {
    const filter = `${spec.stampField} ge datetime'${since.replace(/Z$/, '').replace(/\.\d+$/, '')}'`;
    const rows: Array<z.output<S>> = [];
    let more = false;
    for await (const page of client.pages(`poll:${spec.name}`, spec.module, spec.resource, spec.schema, { filter, skip, limit: limit + 1 })) {
      for (const row of page) {
        if (rows.length < limit) rows.push(row);
        else more = true;
      }
      if (more) break;
    }
    return { rows, more };
  };
}

export function stampPoller<R>(opts: PollerOptions, spec: StampSpec<R>): Poller {
  const gate = throttle(opts);
  const now = opts.now ?? Date.now;
  // The cursor this poller returned last, parsed: the next poll gets the same string back and need
  // not parse it again (a window of 100,000 rows is a cursor of megabytes).
  let lastOut: { raw: string; cur: StampCursor } | undefined;
  return {
    id: `${opts.connection}:${spec.name}`,
    async poll(raw: string | null): Promise<PollResult> {
      if (!gate.ready()) return { events: [], cursor: raw };
      const origin = opts.startAt ?? '1900-01-01T00:00:00Z';
      const cur: StampCursor = raw ? (lastOut?.raw === raw ? lastOut.cur : (JSON.parse(raw) as StampCursor)) : { since: origin, skip: 0, newest: origin, seen: {}, lastVersion: '' };
      lastOut = undefined;
      // A row still carrying the stamp an earlier pass saw has not changed since when that stamp was
      // already in the past at that pass (a later change would have re-stamped it): older than the
      // newest stamp the pass had seen, or, for precise stamps, than its read time less the stamp's
      // span and a clock skew. Only such rows skip the content hash; the window still re-reads them all.
      const precise = spec.stampResolutionMs !== undefined && cur.observed ? new Date(Date.parse(cur.observed) - CLOCK_SKEW_MS - spec.stampResolutionMs).toISOString() : '';
      const settled = precise > cur.newest ? precise : cur.newest;
      const max = opts.maxPerPoll ?? DEFAULT_MAX;
      // The skip continues a pass that stopped at maxPerPoll; rows entering mid-pass are caught by the window.
      const { rows, more } = await spec.source(cur.since, cur.skip, max);
      const events: IncomingEvent[] = [];
      let newest = cur.newest;
      let version = cur.lastVersion;
      const observed = new Date(now()).toISOString();
      for (const row of rows) {
        const stamp = spec.stamp(row);
        if (stamp > newest) newest = stamp;
        const id = spec.id(row);
        const before = cur.seen[id];
        if (before && before[1] === stamp && stamp < settled) continue;
        const payload = spec.payload ? spec.payload(row) : row;
        const hash = stableHash(spec.changeOf ? spec.changeOf(row) : payload);
        if (before?.[0] === hash) {
          before[1] = stamp;
          continue;
        }
        cur.seen[id] = [hash, stamp];
        version = observed > version ? observed : bump(version);
        events.push({ system: 'sage300', entity: spec.entity, id, version, payload });
      }
      let next: StampCursor;
      if (more) next = { ...cur, skip: cur.skip + rows.length, newest, lastVersion: version, observed };
      else {
        const since = new Date(Math.max(Date.parse(newest) - spec.windowMs, Date.parse(cur.since))).toISOString();
        // Hashes older than the window can no longer be re-read: drop them to keep the cursor small.
        const seen: StampCursor['seen'] = {};
        for (const id in cur.seen) if (cur.seen[id]![1] >= since) seen[id] = cur.seen[id]!;
        next = { since, skip: 0, newest, seen, lastVersion: version, observed };
      }
      gate.mark(more);
      const cursor = JSON.stringify(next);
      lastOut = { raw: cursor, cur: next };
      return { events, cursor, ...(more ? { more } : {}) };
    },
  };
}

const stampOf = (field: string) => (row: unknown) => String((row as Record<string, unknown>)[field] ?? '');

/**
 * Shipments, from one of two sources:
 *  • `orders` (default; the official Web API): OE orders whose LastShipmentDate is in the window.
 *    Each event is the order's last shipment (LastShipmentNumber) with carrier, tracking and the
 *    lines' quantities shipped to date. LastShipmentDate is a date, so the window is a day; two
 *    shipments of one order between polls show as the later one (quantities are cumulative).
 *  • `extension`: OE/OEShipments by ShipmentUniquifier (OE0692 OESHIH). Not in the 2022 Endpoint
 *    Reference: the sandbox serves it as a labelled extension; a real site needs a partner endpoint.
 */
export function createShipmentPoller(client: Sage300Client, opts: PollerOptions & { source?: 'orders' | 'extension' }): Poller {
  // One scheme per connection's shipments: the form this poller writes, so a webhook cannot post the other.
  declareVersionScheme('sage300', 'shipment', opts.source === 'extension' ? EXTENSION_SHIPMENT_SCHEME : STAMP_SCHEME, opts.connection);
  if (opts.source === 'extension') {
    return sequencePoller(client, opts, { name: 'shipments', module: 'OE', resource: 'OEShipments', keyField: 'ShipmentUniquifier', entity: 'shipment', schema: shipmentOut, id: (r) => r.ShipmentNumber });
  }
  return stampPoller<OrderOut>(opts, {
    name: 'shipments', entity: 'shipment', windowMs: 24 * 3_600_000,
    source: odataStampSource(client, { name: 'shipments', module: 'OE', resource: 'OEOrders', stampField: 'LastShipmentDate', schema: orderOut }),
    stamp: stampOf('LastShipmentDate'),
    id: (o) => String(o.LastShipmentNumber),
    payload: orderShipment,
  });
}

/** An order's last shipment in the shape of an OE shipment (what the extension serves), from the order alone. */
export function orderShipment(o: OrderOut): Record<string, unknown> {
  const r = o as Record<string, unknown>;
  return {
    ShipmentNumber: o.LastShipmentNumber, OrderNumber: o.OrderNumber, OrderUniquifier: o.OrderUniquifier, CustomerNumber: o.CustomerNumber,
    PurchaseOrderNumber: o.PurchaseOrderNumber ?? '', OrderReference: o.OrderReference ?? '', ShipmentDate: r.LastShipmentDate ?? null,
    ShipViaCode: o.ShipViaCode ?? '', ShipmentTrackingNumber: o.ShipmentTrackingNumber ?? '', NumberOfShipments: r.NumberOfShipments ?? null,
    InvoiceNumber: o.LastInvoiceNumber ?? '', OrderCompleted: o.OrderCompleted ?? '',
    OrderDetails: (o.OrderDetails ?? []).filter((l) => l.LineType === 'Item').map((l) => ({
      LineNumber: l.LineNumber, Item: l.Item, Location: l.Location, QuantityOrdered: l.QuantityOrdered, QuantityShippedToDate: l.QuantityShippedToDate, QuantityBackordered: l.QuantityBackordered,
    })),
  };
}

/** OE invoices, in the order Sage produced them. */
export function createInvoicePoller(client: Sage300Client, opts: PollerOptions): Poller {
  return sequencePoller(client, opts, { name: 'invoices', module: 'OE', resource: 'OEInvoices', keyField: 'InvoiceUniquifier', entity: 'invoice', schema: invoiceOut, id: (r) => r.InvoiceNumber });
}

/**
 * Item quantities per location (ICILOC). The Web API has none; where they come from is configuration:
 *  • `webapi` (default): the IC/ICLocationDetails extension (the sandbox; a partner endpoint), stamp to the millisecond;
 *  • `sql`: read-only SQL on the company database's ICILOC (stock-sql.ts), through a Kysely instance
 *    (SQL Server via tedious, run beside the database — through the on-premise agent once it exists).
 * Both emit the same events (entity `stock`, id `ITEM@LOCATION`, payload in the extension's shape).
 */
export function createStockPoller(client: Sage300Client, opts: PollerOptions & { windowMs?: number; sql?: IclocSource }): Poller {
  // A re-stamped row whose quantities did not move is no news for the shop.
  const common = { name: 'stock', entity: 'stock', windowMs: opts.windowMs ?? 10 * 60_000, stampResolutionMs: 10, changeOf: (r: StockOut) => [r.QuantityOnHand, r.QuantityCommitted, r.QuantityAvailable] };
  const configured = client.config.stockSource;
  const sql = opts.sql ?? (configured?.source === 'sql' ? mssqlIclocSource(configured.sql) : undefined);
  if (sql) {
    return stampPoller<StockOut>(opts, { ...common, source: (since, skip, limit) => sql.read(since, skip, limit), stamp: stampOf('DateLastMaintained'), id: (r) => `${r.ItemNumber}@${r.Location}`, payload: (r) => r });
  }
  return stampPoller<StockOut>(opts, {
    ...common,
    source: odataStampSource(client, { name: 'stock', module: 'IC', resource: 'ICLocationDetails', stampField: 'DateLastMaintained', schema: stockOut }),
    stamp: stampOf('DateLastMaintained'), id: (r) => `${r.ItemNumber}@${r.Location}`,
  });
}

/** Customers (ARCUS DateLastMaintained is a date: the window is a day). */
export function createCustomerPoller(client: Sage300Client, opts: PollerOptions): Poller {
  return stampPoller<CustomerOut>(opts, {
    name: 'customers', entity: 'customer', windowMs: 24 * 3_600_000, stamp: stampOf('DateLastMaintained'), id: (r) => r.CustomerNumber,
    source: odataStampSource(client, { name: 'customers', module: 'AR', resource: 'ARCustomers', stampField: 'DateLastMaintained', schema: customerOut }),
  });
}

/** Items (ICITEM DateLastMaintained is a date: the window is a day). */
export function createItemPoller(client: Sage300Client, opts: PollerOptions): Poller {
  return stampPoller<ItemOut>(opts, {
    name: 'items', entity: 'item', windowMs: 24 * 3_600_000, stamp: stampOf('DateLastMaintained'), id: (r) => r.ItemNumber,
    source: odataStampSource(client, { name: 'items', module: 'IC', resource: 'ICItems', stampField: 'DateLastMaintained', schema: itemOut }),
  });
}

/**
 * Item prices (IC/ICItemPricing, ICPRIC): one event per item, price list and currency whose prices
 * changed — a price change does not touch ICItems' own fields, so the items poller never sees it.
 * DateLastMaintained is a date: the window is a day, and only a changed price list row is news.
 */
export function createPricePoller(client: Sage300Client, opts: PollerOptions): Poller {
  return stampPoller<ItemPricingOut>(opts, {
    name: 'prices', entity: 'item-price', windowMs: 24 * 3_600_000, stamp: stampOf('DateLastMaintained'),
    id: (r) => `${r.UnformattedItemNumber}/${r.PriceListCode}/${r.CurrencyCode}`,
    changeOf: (r) => (r.ItemPricingDetails ?? []).map((d) => [d.PriceDetailType ?? '', String(d.UnitPrice ?? '')]),
    source: odataStampSource(client, { name: 'prices', module: 'IC', resource: 'ICItemPricing', stampField: 'DateLastMaintained', schema: itemPricingOut }),
  });
}

// One version scheme per source entity (issue 10), so a webhook to a Sage 300 connection cannot post a
// version that outranks every later poll. Stamp pollers: our clock's ISO instant, bumped within one ms.
const STAMP_SCHEME = { describe: 'an ISO-8601 UTC instant with milliseconds, optionally .NNNNNN (YYYY-MM-DDTHH:MM:SS.sssZ[.nnnnnn])', pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z(\.\d{6})?$/ };
for (const entity of ['customer', 'item', 'item-price', 'stock']) declareVersionScheme('sage300', entity, STAMP_SCHEME);
declareVersionScheme('sage300', 'invoice', SEQUENCE12_SCHEME);
// Shipments: the orders' stamps by default (source `orders`); a connection whose shipment poller reads
// the OEShipments extension takes its uniquifier instead (createShipmentPoller declares it).
const EXTENSION_SHIPMENT_SCHEME = { describe: `${SEQUENCE12_SCHEME.describe} (shipments source "extension")`, pattern: SEQUENCE12_SCHEME.pattern };
declareVersionScheme('sage300', 'shipment', STAMP_SCHEME);
