// X3 changes, polled through api1 (X3 has no outbound webhooks for classic objects). Each poller keeps
// a durable keyset cursor — the last (UPDDATTIM, key) it emitted — so a page boundary inside a burst
// of records stamped the same instant neither skips nor repeats one. The stock poller follows the
// stock journal (STOJOU), which only grows, and reports current levels for each item it saw move.
import type { IncomingEvent, Poller, PollResult } from '../../core/triggers.js';
import { userError } from '../../core/errors.js';
import type { SageX3Client } from './client.js';
import { declareVersionScheme, SEQUENCE12_SCHEME } from '../../core/versions.js';
import { api1Query } from './operations/api1-query.js';
import { getStock, available } from './operations/get-stock.js';

export interface Api1PollerOptions {
  /** Stable id, keys the stored cursor (e.g. "x3-main:salesOrders"). */
  id: string;
  /** api1 class, e.g. SORDER, SINVOICE, ITMMASTER, BPCUSTOMER, GACCENTRY. */
  cls: string;
  representation?: string;
  entity: string;
  /** Key columns of the class, in order (composite keys are joined with `~` in event ids). */
  keys: string[];
  stampField?: string;
  pageSize?: number;
  /** Without a cursor, start after this stamp (ISO) instead of at the first record (initial sync). */
  since?: string;
}

interface StampCursor {
  t: string;
  k: string[];
}

const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;

/** `(K1 gt v1) or (K1 eq v1 and ((K2 gt v2) or …))`: strictly after a composite key. */
function afterKey(names: string[], values: string[]): string {
  const [n, ...restN] = names;
  const [v, ...restV] = values;
  if (!n) return '';
  const tail = afterKey(restN, restV);
  return tail ? `(${n} gt ${quote(v!)} or (${n} eq ${quote(v!)} and ${tail}))` : `${n} gt ${quote(v!)}`;
}

export function api1Poller(client: SageX3Client, o: Api1PollerOptions): Poller {
  const stamp = o.stampField ?? 'UPDDATTIM';
  const pageSize = o.pageSize ?? 100;
  if (o.keys.length === 0) throw userError('X3_CONFIG_INVALID', `poller ${o.id}: keys are required`);
  return {
    id: o.id,
    async poll(cursor: string | null): Promise<PollResult> {
      let c: StampCursor | null = null;
      if (cursor) {
        try {
          c = JSON.parse(cursor) as StampCursor;
        } catch {
          throw userError('X3_CONFIG_INVALID', `poller ${o.id}: stored cursor is not ours: ${cursor.slice(0, 80)}`);
        }
      }
      const where = c ? `(${stamp} gt ${quote(c.t)} or (${stamp} eq ${quote(c.t)} and ${afterKey(o.keys, c.k)}))` : o.since ? `${stamp} gt ${quote(o.since)}` : undefined;
      const page = await api1Query.call(client, {
        class: o.cls,
        ...(o.representation ? { representation: o.representation } : {}),
        ...(where ? { where } : {}),
        orderBy: [stamp, ...o.keys].join(','),
        count: pageSize,
      });
      const events: IncomingEvent[] = page.resources.map((r) => ({
        system: 'sagex3',
        entity: o.entity,
        id: o.keys.map((k) => String(r[k] ?? '')).join('~'),
        version: String(r[stamp] ?? ''),
        payload: r,
      }));
      const last = page.resources[page.resources.length - 1];
      const next = last ? JSON.stringify({ t: String(last[stamp] ?? ''), k: o.keys.map((k) => String(last[k] ?? '')) }) : cursor;
      return { events, cursor: next, more: page.next !== undefined };
    },
  };
}

export const salesOrderPoller = (client: SageX3Client, id: string) => api1Poller(client, { id, cls: 'SORDER', entity: 'salesOrder', keys: ['SOHNUM'] });
export const invoicePoller = (client: SageX3Client, id: string) => api1Poller(client, { id, cls: 'SINVOICE', entity: 'salesInvoice', keys: ['NUM'] });
export const itemPoller = (client: SageX3Client, id: string, since?: string) => api1Poller(client, { id, cls: 'ITMMASTER', entity: 'item', keys: ['ITMREF'], ...(since ? { since } : {}) });
export const customerPoller = (client: SageX3Client, id: string) => api1Poller(client, { id, cls: 'BPCUSTOMER', entity: 'customer', keys: ['BPCNUM'] });
export const journalEntryPoller = (client: SageX3Client, id: string) => api1Poller(client, { id, cls: 'GACCENTRY', entity: 'journalEntry', keys: ['TYP', 'NUM'] });

/**
 * Stock levels: one event per (site, item) that moved since the cursor, carrying the movements and,
 * unless `withLevels` is false, the item's stock lines and available quantity read right after.
 * Version = the highest journal id seen for that item, zero-padded so it sorts as a string.
 */
export function stockPoller(client: SageX3Client, id: string, opts: { pageSize?: number; withLevels?: boolean } = {}): Poller {
  return {
    id,
    async poll(cursor: string | null): Promise<PollResult> {
      const after = cursor === null ? 0 : Number(cursor);
      if (!Number.isInteger(after) || after < 0) throw userError('X3_CONFIG_INVALID', `poller ${id}: stored cursor is not a journal id: ${cursor}`);
      const page = await api1Query.call(client, { class: 'STOJOU', where: `STOJOUID gt ${after}`, orderBy: 'STOJOUID', count: opts.pageSize ?? 200 });
      const byItem = new Map<string, { site: string; item: string; last: number; movements: Array<Record<string, unknown>> }>();
      let max = after;
      for (const r of page.resources) {
        const jid = Number(r.STOJOUID);
        max = Math.max(max, jid);
        const k = `${r.STOFCY}|${r.ITMREF}`;
        const e = byItem.get(k) ?? { site: String(r.STOFCY), item: String(r.ITMREF), last: 0, movements: [] };
        e.last = Math.max(e.last, jid);
        e.movements.push(r);
        byItem.set(k, e);
      }
      const events: IncomingEvent[] = [];
      for (const [k, e] of byItem) {
        let levels: Record<string, unknown> = {};
        if (opts.withLevels !== false) {
          const lines = await getStock.call(client, { site: e.site, item: e.item });
          levels = { lines, available: available(lines).get(k) ?? '0' };
        }
        events.push({ system: 'sagex3', entity: 'stock', id: k, version: String(e.last).padStart(12, '0'), payload: { site: e.site, item: e.item, movements: e.movements, ...levels } });
      }
      return { events, cursor: String(max), more: page.next !== undefined };
    },
  };
}

// One version scheme per source entity (issue 10). api1 pollers: the record's UPDDATTIM, an ISO-8601
// UTC instant (the fraction as X3 gives it); the stock poller: its 12-digit movement counter.
const X3_STAMP = { describe: 'an ISO-8601 UTC instant (YYYY-MM-DDTHH:MM:SS[.fff]Z), the record\'s UPDDATTIM', pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/ };
for (const entity of ['salesOrder', 'salesInvoice', 'item', 'customer', 'journalEntry']) declareVersionScheme('sagex3', entity, X3_STAMP);
declareVersionScheme('sagex3', 'stock', SEQUENCE12_SCHEME);
