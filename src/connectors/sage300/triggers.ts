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
import { customerOut, invoiceOut, itemOut, shipmentOut, stockOut } from './schemas.js';

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
}

/** The next version after `v` within the same millisecond: "…000Z" → "…000Z.000001" → "…000Z.000002". */
function bump(v: string): string {
  const m = /^(.{24})(?:\.(\d{6}))?$/.exec(v);
  if (!m) return `${v}.000001`;
  return `${m[1]}.${String(Number(m[2] ?? 0) + 1).padStart(6, '0')}`;
}

function stableHash(row: unknown): string {
  return createHash('sha1').update(JSON.stringify(row, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : v))).digest('base64url').slice(0, 16);
}

function stampPoller<S extends z.ZodType>(client: Sage300Client, opts: PollerOptions, spec: {
  name: string; module: string; resource: string; stampField: string; entity: string; schema: S; id: (row: z.output<S>) => string;
  /** How far behind the newest stamp each pass re-reads: one day for date-only stamps. */
  windowMs: number;
}): Poller {
  const gate = throttle(opts);
  const now = opts.now ?? Date.now;
  return {
    id: `${opts.connection}:${spec.name}`,
    async poll(raw: string | null): Promise<PollResult> {
      if (!gate.ready()) return { events: [], cursor: raw };
      const origin = opts.startAt ?? '1900-01-01T00:00:00Z';
      const cur: StampCursor = raw ? (JSON.parse(raw) as StampCursor) : { since: origin, skip: 0, newest: origin, seen: {}, lastVersion: '' };
      const max = opts.maxPerPoll ?? DEFAULT_MAX;
      const filter = `${spec.stampField} ge datetime'${cur.since.replace(/Z$/, '').replace(/\.\d+$/, '')}'`;
      // $skip continues a pass that stopped at maxPerPoll; rows entering mid-pass are caught by the window.
      const rows: Array<z.output<S>> = [];
      let more = false;
      const query = { filter, skip: cur.skip, limit: max + 1 };
      for await (const page of client.pages(`poll:${spec.name}`, spec.module, spec.resource, spec.schema, query)) {
        for (const row of page) {
          if (rows.length < max) rows.push(row);
          else more = true;
        }
        if (more) break;
      }
      const events: IncomingEvent[] = [];
      let newest = cur.newest;
      let version = cur.lastVersion;
      const observed = new Date(now()).toISOString();
      for (const row of rows) {
        const r = row as Record<string, unknown>;
        const stamp = String(r[spec.stampField] ?? '');
        if (stamp > newest) newest = stamp;
        const id = spec.id(row);
        const hash = stableHash(row);
        if (cur.seen[id]?.[0] === hash) continue;
        cur.seen[id] = [hash, stamp];
        version = observed > version ? observed : bump(version);
        events.push({ system: 'sage300', entity: spec.entity, id, version, payload: row });
      }
      let next: StampCursor;
      if (more) next = { ...cur, skip: cur.skip + rows.length, newest, lastVersion: version };
      else {
        const since = new Date(Math.max(Date.parse(newest) - spec.windowMs, Date.parse(cur.since))).toISOString();
        // Hashes older than the window can no longer be re-read: drop them to keep the cursor small.
        const seen = Object.fromEntries(Object.entries(cur.seen).filter(([, [, stamp]]) => stamp >= since));
        next = { since, skip: 0, newest, seen, lastVersion: version };
      }
      gate.mark(more);
      return { events, cursor: JSON.stringify(next), ...(more ? { more } : {}) };
    },
  };
}

/** OE shipments (extension resource OE/OEShipments, see docs): carrier and tracking go back to the shop. */
export function createShipmentPoller(client: Sage300Client, opts: PollerOptions): Poller {
  return sequencePoller(client, opts, { name: 'shipments', module: 'OE', resource: 'OEShipments', keyField: 'ShipmentUniquifier', entity: 'shipment', schema: shipmentOut, id: (r) => r.ShipmentNumber });
}

/** OE invoices, in the order Sage produced them. */
export function createInvoicePoller(client: Sage300Client, opts: PollerOptions): Poller {
  return sequencePoller(client, opts, { name: 'invoices', module: 'OE', resource: 'OEInvoices', keyField: 'InvoiceUniquifier', entity: 'invoice', schema: invoiceOut, id: (r) => r.InvoiceNumber });
}

/** Item quantities per location (ICILOC extension, stamp to the millisecond). */
export function createStockPoller(client: Sage300Client, opts: PollerOptions & { windowMs?: number }): Poller {
  return stampPoller(client, opts, { name: 'stock', module: 'IC', resource: 'ICLocationDetails', stampField: 'DateLastMaintained', entity: 'stock', schema: stockOut, id: (r) => `${r.ItemNumber}@${r.Location}`, windowMs: opts.windowMs ?? 10 * 60_000 });
}

/** Customers (ARCUS DateLastMaintained is a date: the window is a day). */
export function createCustomerPoller(client: Sage300Client, opts: PollerOptions): Poller {
  return stampPoller(client, opts, { name: 'customers', module: 'AR', resource: 'ARCustomers', stampField: 'DateLastMaintained', entity: 'customer', schema: customerOut, id: (r) => r.CustomerNumber, windowMs: 24 * 3_600_000 });
}

/** Items (ICITEM DateLastMaintained is a date: the window is a day). */
export function createItemPoller(client: Sage300Client, opts: PollerOptions): Poller {
  return stampPoller(client, opts, { name: 'items', module: 'IC', resource: 'ICItems', stampField: 'DateLastMaintained', entity: 'item', schema: itemOut, id: (r) => r.ItemNumber, windowMs: 24 * 3_600_000 });
}
