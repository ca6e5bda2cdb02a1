// X-Cart order trigger by polling alone: X-Cart core has no outbound webhooks (specs §1.6).
//
// Two passes per poll, one durable cursor:
//  A. New orders: `date[after]=<d>&order[date]=asc`, paged. `date` is in whole seconds and many
//     orders share a second, so the boundary is inclusive and the cursor keeps the ids already
//     emitted at second `d` (and the page reached inside that second when one second fills pages).
//  B. Updates: there is no filter on `lastRenewDate`, only a sort (specs §1.3), so we sweep
//     `order[lastRenewDate]=desc` from the top down to the watermark `w`. The next watermark is the
//     top of the first page, read before anything below it: an order changed during the sweep gets
//     a lastRenewDate ≥ that top, so the next sweep finds it even if the page shift hid it now.
//     Orders at exactly second `w` are remembered with a content fingerprint, so a second change
//     within the same second is emitted (with a higher revision) and an unchanged one is not.
//     Once the server's clock (HTTP Date, less a skew allowance) is past that second, no change
//     can land in it any more, and the watermark moves to the next second: a quiet store costs one
//     page per sweep, and a bulk of orders stamped in one second is not re-read poll after poll.
//     While nothing is newer than `w` (the probe's top is `w`), a poll stops at the probe unless the
//     server's Date has moved on from the last sweep down to `w` (second `s`) by a second, and by as
//     long as `s` was past `w` (sweeps at w+1, w+2, w+4, …, and the closing one). All such a sweep
//     could find is a change landing in second `w` after the last one: the first sweep with a Date
//     past `w` reads every change PHP stamped `w`, and the later ones are for the skew allowance,
//     a Date running ahead of PHP's clock. Re-reading the open second on every poll was ~12 listed
//     orders per delivered order in the engine bench (issue 12), polls every 100 ms during a bulk.
// What the list cannot show, no poller can see: OrderOutput has no payment transactions, so a change
// that alters nothing in it (a second partial refund while the status is already PP) within the very
// second of the version last read is indistinguishable from no change. X-Cart moves the payment status
// on every refund (P → PP → R), which keeps the usual cases visible; the rest is in docs/connectors/xcart.md.
//
// B only emits orders A has already passed; A emits each order once. So an order placed while a
// poll runs is either emitted by A in this poll or found by A in the next, never lost, never twice.
//
// Event version: `<lastRenewDate, 12-digit zero-padded seconds>.<revision, 4 digits>` — sorts
// correctly as a string; the revision orders several changes that fall in one second.
import { createHash } from 'node:crypto';
import { declareVersionScheme } from '../../core/versions.js';
import { bugError, userError } from '../../core/errors.js';
import type { IncomingEvent, Poller, PollResult } from '../../core/triggers.js';
import { parseResponse, type XcartClient } from './client.js';
import { dateInput, dateMs, orderSchema, type XcartOrder } from './schemas.js';

export interface OrderPollerOptions {
  /** Stable id keying the stored cursor, e.g. "xcart-main:orders". */
  id: string;
  /** Unix seconds to start from when there is no cursor yet (0 = every order the store has). */
  since?: number;
  /** Pages pass A reads per poll before answering `more: true` (keeps one poll short). */
  maxPagesPerPoll?: number;
  /** Page size; defaults to the client's (max 100). */
  itemsPerPage?: number;
  /**
   * How far the HTTP `Date` header may be ahead of the clock PHP stamps `lastRenewDate` with
   * (a proxy or CDN in front of the store). Once the server's time is past the newest
   * `lastRenewDate` by more than this, that second is closed and the next sweep starts after it
   * instead of re-reading it. `null` never trusts the header (always re-read the newest second).
   */
  serverDateSkewS?: number | null;
}

interface Cursor {
  v: 1;
  /** Pass A: creation second reached (inclusive), the ids emitted at it, the page inside it. */
  d: number;
  seen: number[];
  p: number;
  /** Pass B: lastRenewDate watermark (inclusive) and, for orders at exactly `w`, [fingerprint, revision]. */
  w: number;
  b: Record<string, [string, number]>;
  /** Server Date second (the probe's) of the last sweep that read down to `w`; absent in older cursors. */
  s?: number;
}

/** An order as it came over the wire, with the two dates the cursor needs already read. */
interface RawOrder {
  id: number;
  created: number;
  renew: number;
  raw: Record<string, unknown>;
}

/**
 * One page of raw orders. Only the ids and dates are read here; the full schema is applied to the
 * orders actually emitted, so a sweep that reads past the watermark pays for JSON.parse only.
 */
async function listRaw(client: XcartClient, query: Record<string, string | number | undefined>): Promise<{ orders: RawOrder[]; serverNow: number | null }> {
  const res = await client.http.request({ operation: 'listOrders', method: 'GET', path: 'api/orders', query, headers: { accept: 'application/json' } });
  if (!Array.isArray(res.body)) throw bugError('XCART_UNEXPECTED_RESPONSE', 'listOrders: X-Cart did not answer with a JSON array', { details: { operation: 'listOrders' } });
  const date = Date.parse(String(res.headers.date ?? ''));
  const serverNow = Number.isNaN(date) ? null : Math.floor(date / 1000);
  const orders = res.body.map((o: unknown) => {
    const r = o as Record<string, unknown>;
    const created = typeof r?.create_date === 'string' ? dateMs(r.create_date) : null;
    const renew = typeof r?.update_date === 'string' ? dateMs(r.update_date) : null;
    if (!Number.isInteger(r?.id) || created === null || renew === null) {
      throw bugError('XCART_UNEXPECTED_RESPONSE', 'listOrders: an order lacks id, create_date or update_date', { details: { operation: 'listOrders', sample: JSON.stringify(o).slice(0, 200) } });
    }
    return { id: r.id as number, created: Math.floor(created / 1000), renew: Math.floor(renew / 1000), raw: r };
  });
  return { orders, serverNow };
}

const isoOf = (seconds: number) => dateInput.parse(seconds);
/** Orders in the first read of a sweep (see pass B). */
const SWEEP_PROBE = 5;

const pad = (n: number, width: number) => String(n).padStart(width, '0');
export const orderVersion = (lastRenewSeconds: number, revision: number) => `${pad(lastRenewSeconds, 12)}.${pad(revision, 4)}`;
const fingerprint = (raw: unknown) => createHash('sha1').update(JSON.stringify(raw)).digest('hex').slice(0, 16);

/** Same JSON value (key order aside): an order emitted by pass A against its read in pass B, no hashing. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

function readCursor(raw: string | null, since: number): Cursor {
  if (raw === null) return { v: 1, d: since, seen: [], p: 1, w: since, b: {} };
  let c: Cursor;
  try {
    c = JSON.parse(raw) as Cursor;
  } catch {
    throw userError('XCART_BAD_CURSOR', 'the X-Cart order cursor is not JSON', { details: { sample: raw.slice(0, 100) } });
  }
  const ok = c && c.v === 1 && Number.isInteger(c.d) && Array.isArray(c.seen) && Number.isInteger(c.p) && c.p >= 1 && Number.isInteger(c.w) && typeof c.b === 'object' && c.b !== null && (c.s === undefined || Number.isInteger(c.s));
  if (!ok) throw userError('XCART_BAD_CURSOR', 'the X-Cart order cursor has an unknown shape', { details: { sample: raw.slice(0, 100) } });
  return c;
}

export function createOrderPoller(client: XcartClient, options: OrderPollerOptions): Poller {
  const maxPages = options.maxPagesPerPoll ?? 20;
  const perPage = options.itemsPerPage ?? client.itemsPerPage;
  const since = options.since ?? 0;
  const skew = options.serverDateSkewS === undefined ? 5 : options.serverDateSkewS;
  /**
   * The watermark after a sweep whose newest change is at second `top`. A change not yet seen gets
   * a lastRenewDate no earlier than the query ran; the response's Date (`now`) is no earlier than
   * that, so when now − 1 − skew is past `top`, second `top` can receive no more changes.
   */
  const nextWatermark = (top: number, now: number | null) => (skew !== null && now !== null && now - 1 - skew >= top + 1 ? top + 1 : top);

  return {
    id: options.id,
    async poll(raw: string | null): Promise<PollResult> {
      const c = readCursor(raw, since);
      if (raw === null && since === 0) {
        // First poll of a full backfill: pass A emits every order's current state, so updates only
        // matter from the top lastRenewDate as it stands now, read before pass A reads anything.
        // (With `since` > 0, orders created earlier but changed since are pass B's from `since` on.)
        const head = await listRaw(client, { 'order[lastRenewDate]': 'desc', page: 1, itemsPerPage: 1 });
        if (head.orders.length) c.w = nextWatermark(head.orders[0]!.renew, head.serverNow);
      }
      const events: IncomingEvent[] = [];
      /**
       * What this poll emitted, with the order as read: pass B compares its own read with it directly,
       * and the fingerprint is hashed only for an order the next cursor remembers (at the watermark).
       */
      const emitted = new Map<number, { order: RawOrder; fp: string | undefined; rev: number }>();
      const emit = (o: RawOrder, fp: string | undefined, rev: number) => {
        const payload: XcartOrder = parseResponse(orderSchema, o.raw, 'listOrders');
        emitted.set(o.id, { order: o, fp, rev });
        events.push({ system: 'xcart', entity: 'order', id: String(o.id), version: orderVersion(o.renew, rev), payload });
      };

      // Pass A: new orders in creation order.
      let d = c.d;
      let seen = new Set(c.seen);
      let page = c.p;
      let more = false;
      for (let pages = 0; ; pages++) {
        if (pages >= maxPages) {
          more = true;
          break;
        }
        const dAtQuery = d;
        const { orders, serverNow: now } = await listRaw(client, { 'date[after]': isoOf(d), 'order[date]': 'asc', page, itemsPerPage: perPage });
        const mayHaveMore = orders.length === perPage;
        for (const o of orders) {
          const created = o.created;
          if (created < d || (created === d && seen.has(o.id))) continue;
          emit(o, undefined, 0);
          if (created > d) {
            d = created;
            seen = new Set([o.id]);
          } else seen.add(o.id);
        }
        // A page entirely inside one second cannot move the `date[after]` boundary: page deeper.
        // A short page stays where it is, so the next poll re-reads it for late arrivals.
        if (d !== dAtQuery) page = 1;
        else if (mayHaveMore) page++;
        if (!mayHaveMore) {
          // Once the server's clock is past second d (as for pass B's watermark), no order can be
          // created in it any more: the boundary moves past it instead of re-reading that second's
          // orders on every poll until a newer one comes (a bulk's last second was up to a page per poll).
          if (nextWatermark(d, now) > d) {
            d += 1;
            seen = new Set();
            page = 1;
          }
          break;
        }
      }
      const passedByA = (o: RawOrder) => o.created < d || (o.created === d && seen.has(o.id));

      // Pass B: sweep lastRenewDate from the top down to the watermark. Each order is judged as its
      // page arrives and only a changed one keeps its record: a sweep over a bulk of orders stamped
      // in one second held every one of them until the poll ended (issue 12, demo memory).
      let top: number | null = null;
      let serverNow: number | null = null;
      const changed = new Map<number, { renew: number; update?: { order: RawOrder; fp: string | undefined; rev: number } }>();
      let deferred = false;
      // The first read is a short page: on a quiet store the top and the watermark below it are all a
      // sweep needs (a full page of orders read per poll for nothing). Past it, full pages from page 1
      // again; the probe's orders come again there and are skipped as repeats.
      const probe = Math.min(perPage, SWEEP_PROBE);
      for (let p = 1, size = probe, first = true; ; first = false) {
        const { orders, serverNow: now } = await listRaw(client, { 'order[lastRenewDate]': 'desc', page: p, itemsPerPage: size });
        if (first) {
          top = orders.length ? orders[0]!.renew : null;
          serverNow = now;
          // Nothing newer than the watermark, which a sweep read not long enough ago (above).
          if (top === c.w && now !== null && c.s !== undefined && now >= c.s && now < c.s + Math.max(1, c.s - c.w) && nextWatermark(top, now) === top) {
            deferred = true;
            break;
          }
        }
        let reached = false;
        for (const o of orders) {
          if (o.renew < c.w) {
            reached = true;
            break;
          }
          // Desc order: the first sighting is the newest; a repeat after a page shift is older.
          // Not yet passed by A: pass A emits it, in this poll or a later one. Newer than the first
          // read's top: changed since (the probe's page read again), the next sweep's, as always.
          if (changed.has(o.id) || !passedByA(o) || (top !== null && o.renew > top)) continue;
          const renew = o.renew;
          const mine = emitted.get(o.id);
          const kept = !mine && renew === c.w ? c.b[o.id] : undefined;
          const fp = kept ? fingerprint(o.raw) : undefined;
          const prior = mine ? { renew: mine.order.renew, rev: mine.rev } : kept ? { renew, rev: kept[1] } : null;
          const same = mine ? mine.order.renew === renew && sameJson(mine.order.raw, o.raw) : kept !== undefined && kept[0] === fp;
          changed.set(o.id, same ? { renew } : { renew, update: { order: o, fp, rev: prior && prior.renew === renew ? prior.rev + 1 : 0 } });
        }
        if (reached || orders.length < size) break;
        if (size < perPage) {
          size = perPage;
          p = 1;
        } else p++;
      }
      const updates = [...changed.values()].flatMap((e) => (e.update ? [e.update] : [])).sort((a, b) => a.order.renew - b.order.renew || a.order.id - b.order.id);
      for (const u of updates) emit(u.order, u.fp, u.rev);

      // Next watermark and the orders remembered at it.
      const w = Math.max(c.w, top === null ? c.w : nextWatermark(top, serverNow));
      const b: Record<string, [string, number]> = {};
      if (w === c.w) {
        // Keep only orders still sitting at the watermark; the others moved up and can't match again.
        // A deferred sweep saw none of them move: nothing was newer than the watermark.
        for (const [id, entry] of Object.entries(c.b)) {
          const o = changed.get(Number(id));
          if (deferred || (o && o.renew === w)) b[id] = entry;
        }
      }
      for (const [id, e] of emitted) if (e.order.renew === w) b[id] = [e.fp ?? fingerprint(e.order.raw), e.rev];
      const next: Cursor = { v: 1, d, seen: [...seen], p: page, w, b, ...(deferred ? (c.s === undefined ? {} : { s: c.s }) : serverNow === null ? {} : { s: serverNow }) };
      return { events, cursor: JSON.stringify(next), more };
    },
  };
}

// One version scheme per source entity (issue 10): poller and any other path must produce this, so
// versions compare correctly as strings; anything else is refused at intake.
declareVersionScheme('xcart', 'order', { describe: 'the X-Cart order scheme `<lastRenewDate: 12-digit zero-padded seconds>.<4-digit revision>`', pattern: /^\d{12}\.\d{4}$/ });
