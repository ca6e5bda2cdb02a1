// Cross-references (system, entity, id) ↔ (system, entity, id), and the delivery helper that makes
// creates idempotent in systems without idempotency keys (Sage 300, X3): the source id is written
// into a reference field of the target record, and when an earlier attempt may have created the
// record (timeout, crash, replay), we look it up by that reference before creating again.
import { sql, type Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import { batchLoader, chunks } from './batch-loader.js';
import { insertRows } from './db/rows.js';

export interface Ref {
  system: string;
  entity: string;
  id: string;
}

export class XrefStore {
  /** Finds outside a transaction, gathered per turn of the event loop: one statement per (source, target) kind. */
  private readonly loaders = new Map<string, (id: string) => Promise<string | undefined>>();

  constructor(private readonly db: Kysely<Database>) {}

  /** The id linked to `from` in `to`'s system and entity, whichever side of the link `from` was stored on. */
  async find(from: Ref, to: { system: string; entity: string }, db: Kysely<Database> = this.db): Promise<string | undefined> {
    if (db !== this.db) return (await this.lookup(db, from, to, [from.id])).get(from.id);
    const kind = `${from.system}\u0000${from.entity}\u0000${to.system}\u0000${to.entity}`;
    let load = this.loaders.get(kind);
    if (!load) {
      load = batchLoader(async (ids: string[]) => {
        const found = new Map<string, string>();
        for (const part of chunks(ids, 400)) for (const [k, v] of await this.lookup(this.db, from, to, part)) found.set(k, v);
        return found;
      });
      this.loaders.set(kind, load);
    }
    return load(from.id);
  }

  /**
   * Links of many source ids in one statement; each half uses its own index (xref's unique key,
   * xref_b). A link stored a → b wins over b → a. Raw SQL: building it with the query builder cost
   * more than running it (issue 12).
   */
  private async lookup(db: Kysely<Database>, from: Omit<Ref, 'id'>, to: { system: string; entity: string }, ids: string[]): Promise<Map<string, string>> {
    const list = sql.join(ids);
    const { rows } = await sql<{ side: 'a' | 'b'; src: string; dst: string }>`
      select 'a' as side, a_id as src, b_id as dst from xref
        where a_system = ${from.system} and a_entity = ${from.entity} and a_id in (${list}) and b_system = ${to.system} and b_entity = ${to.entity}
      union all
      select 'b' as side, b_id as src, a_id as dst from xref
        where b_system = ${from.system} and b_entity = ${from.entity} and b_id in (${list}) and a_system = ${to.system} and a_entity = ${to.entity}`.execute(db);
    const found = new Map<string, string>();
    for (const r of rows) if (r.side === 'a' || !found.has(r.src)) found.set(r.src, r.dst);
    return found;
  }

  /** Links a → b; linking the same pair again is a no-op. */
  async link(a: Ref, b: Ref, db: Kysely<Database> = this.db): Promise<void> {
    await this.linkMany([[a, b]], db);
  }

  /** Many links in one statement; of two links of one source to one kind of target, the later wins. */
  async linkMany(links: Array<[Ref, Ref]>, db: Kysely<Database> = this.db): Promise<void> {
    const unique = new Map<string, [Ref, Ref]>();
    for (const l of links) unique.set(`${l[0].system}\u0000${l[0].entity}\u0000${l[0].id}\u0000${l[1].system}\u0000${l[1].entity}`, l);
    const now = Date.now();
    await insertRows(
      db,
      'xref',
      ['a_system', 'a_entity', 'a_id', 'b_system', 'b_entity', 'b_id', 'created_at'],
      [...unique.values()].map(([a, b]) => [a.system, a.entity, a.id, b.system, b.entity, b.id, now]),
      'on conflict ("a_system", "a_entity", "a_id", "b_system", "b_entity") do update set "b_id" = excluded."b_id"',
    );
  }
}

export interface DeliverOnceOptions<R> {
  xref: XrefStore;
  source: Ref;
  target: { system: string; entity: string };
  /** True when an earlier attempt of this job may have created the record (retry, expired lease, replay). */
  mayHaveRun: boolean;
  /** Finds the target record by the reference field holding the source id; its id or undefined. */
  findByReference: () => Promise<string | undefined>;
  /** Creates the record (with the reference field set); returns its id. */
  create: () => Promise<{ id: string; result?: R }>;
  /** Updates an existing record (PATCH); omitted: an existing record is left as it is. */
  update?: (targetId: string) => Promise<R | void>;
}

export interface Delivery<R> {
  action: 'created' | 'updated' | 'found-existing' | 'unchanged';
  targetId: string;
  result?: R | void;
  /** The xref link to commit with the job's ack. */
  link: [Ref, Ref];
}

export async function deliverOnce<R>(o: DeliverOnceOptions<R>): Promise<Delivery<R>> {
  const known = await o.xref.find(o.source, o.target);
  const link = (id: string): [Ref, Ref] => [o.source, Object.assign({}, o.target, { id })];
  if (known) {
    if (!o.update) return { action: 'unchanged', targetId: known, link: link(known) };
    return { action: 'updated', targetId: known, result: await o.update(known), link: link(known) };
  }
  // No xref: either never created, or created by an attempt that died before committing the xref.
  if (o.mayHaveRun) {
    const existing = await o.findByReference();
    if (existing) {
      const result = o.update ? await o.update(existing) : undefined;
      return { action: 'found-existing', targetId: existing, result, link: link(existing) };
    }
  }
  const created = await o.create();
  return { action: 'created', targetId: created.id, result: created.result, link: link(created.id) };
}
