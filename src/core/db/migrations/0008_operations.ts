// Numbered and immutable: a shipped migration is never edited; changes go in a new file.
// Configuration and operations (decision 0007): which version of each configuration-file entry was
// last written to the store, so the file seeds connections without overwriting later API edits; and
// the trace id of each run, so an operator goes from a dead letter to its trace.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('config_seeds')
    // e.g. "connection:sage300-main"
    .addColumn('key', 'text', (c) => c.primaryKey())
    // sha-256 of the entry as the file gave it (after ${ENV} substitution)
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('applied_at', big, (c) => c.notNull())
    .execute();
  await db.schema.alterTable('runs').addColumn('trace_id', 'text').execute();
}
