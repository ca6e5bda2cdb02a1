// Cross-references (system, entity, id) ↔ (system, entity, id), and the delivery helper that makes
// creates idempotent in systems without idempotency keys (Sage 300, X3): the source id is written
// into a reference field of the target record, and when an earlier attempt may have created the
// record (timeout, crash, replay), we look it up by that reference before creating again.
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';

export interface Ref {
  system: string;
  entity: string;
  id: string;
}

export class XrefStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The id linked to `from` in `to`'s system and entity, whichever side of the link `from` was stored on. */
  async find(from: Ref, to: { system: string; entity: string }, db: Kysely<Database> = this.db): Promise<string | undefined> {
    // One statement for both directions (issue 12): each half uses its own index (xref's unique key, xref_b).
    const row = await this.lookup(db, 'a', from, to).unionAll(this.lookup(db, 'b', from, to)).limit(1).executeTakeFirst();
    return row?.id;
  }

  private lookup(db: Kysely<Database>, side: 'a' | 'b', from: Ref, to: { system: string; entity: string }) {
    const other = side === 'a' ? 'b' : 'a';
    return db
      .selectFrom('xref')
      .select(`${other}_id as id`)
      .where(`${side}_system`, '=', from.system)
      .where(`${side}_entity`, '=', from.entity)
      .where(`${side}_id`, '=', from.id)
      .where(`${other}_system`, '=', to.system)
      .where(`${other}_entity`, '=', to.entity);
  }

  /** Links a → b; linking the same pair again is a no-op. */
  async link(a: Ref, b: Ref, db: Kysely<Database> = this.db): Promise<void> {
    await db
      .insertInto('xref')
      .values({ a_system: a.system, a_entity: a.entity, a_id: a.id, b_system: b.system, b_entity: b.entity, b_id: b.id, created_at: Date.now() })
      .onConflict((oc) => oc.columns(['a_system', 'a_entity', 'a_id', 'b_system', 'b_entity']).doUpdateSet({ b_id: b.id }))
      .execute();
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
  const link = (id: string): [Ref, Ref] => [o.source, { ...o.target, id }];
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
