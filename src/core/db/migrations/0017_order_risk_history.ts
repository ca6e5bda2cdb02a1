// Numbered and immutable: a shipped migration is never edited; changes go in a new file.
// What a flow's `hold` step scores orders against (src/intelligence/risk-store.ts), so a restart keeps
// velocity, known buyers and the anomaly baselines. Keys are hashes of buyer, e-mail and ship-to
// address (equality is all velocity needs; no address or e-mail in clear).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  // The recent orders (the last two days', at least the last 2,000) per scorer scope (flow|connection).
  await db.schema
    .createTable('risk_orders')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    // the order's own time, epoch ms
    .addColumn('at', big, (c) => c.notNull())
    // JSON array of hashed keys (b:, e:, a: prefixes kept)
    .addColumn('keys', 'text', (c) => c.notNull())
    // decimal text
    .addColumn('total', 'text', (c) => c.notNull())
    // JSON array of [metric, key, value]: the order's anomaly observations
    .addColumn('observations', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('risk_orders_pk', ['scope', 'order_id'])
    .execute();
  await db.schema.createIndex('risk_orders_at').on('risk_orders').columns(['scope', 'at']).execute();
  // Every key's first and last order: a returning buyer is no first-time buyer after a restart.
  await db.schema
    .createTable('risk_keys')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('first_at', big, (c) => c.notNull())
    .addColumn('last_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('risk_keys_pk', ['scope', 'key'])
    .execute();
  await db.schema.createIndex('risk_keys_last').on('risk_keys').columns(['scope', 'last_at']).execute();
}
