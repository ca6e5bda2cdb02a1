// Numbered and immutable: a shipped migration is never edited; changes go in a new file.
// Amazon settlements posted to Sage X3 (issue 9, src/settlement): one row per settlement and currency,
// so a re-import is recognised, a crash between entries resumes, and a mapping change reverses and
// reposts (decision 0010).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('settlements')
    .addColumn('settlement_id', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    // held | posting | posted | failed
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('total_amount', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    // sha-256 of the entries as posted (accounts, amounts, dates): another hash means the mapping changed.
    .addColumn('journal_hash', 'text')
    // JSON: the entries of the current revision, each with REF and, once posted, X3's TYP/NUM.
    .addColumn('entries', 'text', (c) => c.notNull().defaultTo('[]'))
    // JSON: unmapped triples with their amounts while held; the last error when failed.
    .addColumn('problems', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('settlements_pk', ['settlement_id', 'currency'])
    .execute();
}
