// The hold step's scorer state in the store (migration 0017): each order a scorer records is saved,
// and the first use of a scope in a process rebuilds its scorer from what is stored, so a restart
// keeps velocity per buyer, e-mail and address, known buyers and the anomaly baselines. Bounded: the
// orders of the last two days (velocity looks back 24 h), at least the newest `window`; keys not seen
// for a year are forgotten (such a buyer counts as new again).
import type { Kysely } from 'kysely';
import type { Database } from '../core/db/schema.js';
import { OrderScorer, SCORER_WINDOW, type RecordedOrder } from './holds.js';
import { batchLoader } from '../core/batch-loader.js';
import { insertRows } from '../core/db/rows.js';

const DAY = 86_400_000;
const KEEP_ORDERS_FOR = 2 * DAY;
const KEEP_KEYS_FOR = 365 * DAY;
/** Prune a scope every this many saves (a delete per order would double the writes). */
const PRUNE_EVERY = 256;

// Per store (a test or a process may open several) and scope (flow|connection): loaded once.
const scorers = new WeakMap<Kysely<Database>, Map<string, Promise<OrderScorer>>>();
const saves = new Map<string, number>();

/** The scorer of one flow and connection, rebuilt from the store on its first use in this process. */
export function storedScorer(db: Kysely<Database>, scope: string): Promise<OrderScorer> {
  let byScope = scorers.get(db);
  if (!byScope) scorers.set(db, (byScope = new Map()));
  let s = byScope.get(scope);
  if (!s) {
    s = load(db, scope);
    // A failed load (store down) is retried by the next order, not remembered.
    s.catch(() => byScope.delete(scope));
    byScope.set(scope, s);
  }
  return s;
}

async function load(db: Kysely<Database>, scope: string): Promise<OrderScorer> {
  const scorer = new OrderScorer();
  const keys = await db.selectFrom('risk_keys').select(['key', 'first_at']).where('scope', '=', scope).execute();
  const rows = await db.selectFrom('risk_orders').selectAll().where('scope', '=', scope).orderBy('at', 'desc').limit(scorer.window * 4).execute();
  const newest = rows.length ? Number(rows[0]!.at) : 0;
  const recent = rows.filter((r, i) => i < scorer.window || Number(r.at) >= newest - KEEP_ORDERS_FOR).reverse();
  scorer.restore(
    keys.map((k) => ({ key: k.key, first: Number(k.first_at) })),
    recent.map((r) => ({ id: r.order_id, at: Number(r.at), keys: JSON.parse(r.keys) as string[], total: r.total, observations: JSON.parse(r.observations) as RecordedOrder['observations'] })),
  );
  return scorer;
}

// Saves gathered per turn of the event loop (the orders of a claimed batch reach the hold step
// together): two statements for all of them instead of two per order (issue 12).
const writers = new WeakMap<Kysely<Database>, Map<string, (r: RecordedOrder) => Promise<unknown>>>();

/** Stores what one order added to its scope's scorer (idempotent: a replayed order is stored once). */
export async function saveRecorded(db: Kysely<Database>, scope: string, r: RecordedOrder): Promise<void> {
  let byScope = writers.get(db);
  if (!byScope) writers.set(db, (byScope = new Map()));
  let write = byScope.get(scope);
  if (!write) {
    write = batchLoader<RecordedOrder, never>(async (records) => {
      await saveMany(db, scope, records);
      return new Map<RecordedOrder, never>();
    });
    byScope.set(scope, write);
  }
  await write(r);
}

async function saveMany(db: Kysely<Database>, scope: string, records: RecordedOrder[]): Promise<void> {
  // Two statements in one transaction: one commit for a turn's orders instead of two (on SQLite each
  // statement alone was a write transaction of its own). One row per key and order in a statement
  // (PostgreSQL refuses to update a row twice in one INSERT … ON CONFLICT).
  const keys = new Map<string, { first: number; last: number }>();
  const orders = new Map<string, RecordedOrder>();
  for (const r of records) {
    if (!orders.has(r.id)) orders.set(r.id, r);
    for (const key of r.keys) {
      const k = keys.get(key);
      if (!k) keys.set(key, { first: r.at, last: r.at });
      else {
        k.first = Math.min(k.first, r.at);
        k.last = Math.max(k.last, r.at);
      }
    }
  }
  await db.transaction().execute(async (trx) => {
    await insertRows(
      trx,
      'risk_keys',
      ['scope', 'key', 'first_at', 'last_at'],
      [...keys].map(([key, k]) => [scope, key, k.first, k.last]),
      // min/max of two values in both dialects (SQLite has no least/greatest, PostgreSQL no scalar min).
      `on conflict ("scope", "key") do update set
         "first_at" = case when excluded.first_at < risk_keys.first_at then excluded.first_at else risk_keys.first_at end,
         "last_at" = case when excluded.last_at > risk_keys.last_at then excluded.last_at else risk_keys.last_at end`,
    );
    await insertRows(
      trx,
      'risk_orders',
      ['scope', 'order_id', 'at', 'keys', 'total', 'observations'],
      [...orders.values()].map((r) => [scope, r.id, r.at, JSON.stringify(r.keys), r.total, JSON.stringify(r.observations)]),
      'on conflict ("scope", "order_id") do nothing',
    );
  });
  const n = (saves.get(scope) ?? 0) + records.length;
  saves.set(scope, n % PRUNE_EVERY);
  if (n >= PRUNE_EVERY) await prune(db, scope, Math.max(...records.map((r) => r.at)));
}

/** Drops orders older than two days beyond the newest `window`, and keys unseen for a year. */
export async function prune(db: Kysely<Database>, scope: string, now: number, window = SCORER_WINDOW): Promise<void> {
  const edge = await db.selectFrom('risk_orders').select('at').where('scope', '=', scope).orderBy('at', 'desc').offset(window).limit(1).executeTakeFirst();
  if (edge) await db.deleteFrom('risk_orders').where('scope', '=', scope).where('at', '<=', Number(edge.at)).where('at', '<', now - KEEP_ORDERS_FOR).execute();
  await db.deleteFrom('risk_keys').where('scope', '=', scope).where('last_at', '<', now - KEEP_KEYS_FOR).execute();
}
