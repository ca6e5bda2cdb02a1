// Numbered and immutable: a shipped migration is never edited; changes go in a new file.
// Mapping templates and lookup tables saved from the console keep their full version history, like
// flows (migration 0002): the newest stored text is what new events run (src/mapping/versions.ts).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('template_versions')
    // 'mapping' (id like xcart-sage300/order-to-oe-order) or 'lookup' (a table name like sku)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addPrimaryKeyConstraint('template_versions_pk', ['kind', 'name', 'version'])
    .execute();
}
