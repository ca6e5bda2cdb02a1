// Numbered and immutable: a shipped migration is never edited; changes go in a new file.
// Each reconciliation run from the admin API (issue 13): the dashboard shows every pair's last one,
// and it survives a restart (it was kept in the server's memory). Differences are stored masked.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const id = dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('reconciliations')
    .addColumn('id', id)
    .addColumn('pair', 'text', (c) => c.notNull())
    // ok | differences | failed
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('at', big, (c) => c.notNull())
    .addColumn('duration_ms', big, (c) => c.notNull())
    // "user:NAME" or "token:NAME"
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('summary', 'text')
    .addColumn('difference_count', 'integer', (c) => c.notNull())
    // JSON array: the first 50 differences, personal data masked
    .addColumn('differences', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('reconciliations_pair').on('reconciliations').columns(['pair', 'id']).execute();
}
