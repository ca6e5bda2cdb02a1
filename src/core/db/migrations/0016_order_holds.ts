// Numbered and immutable: a shipped migration is never edited; changes go in a new file.
// Orders a flow's `hold` step parked for review (src/flows/steps/hold.ts, src/intelligence/holds.ts):
// one row per flow and source record, with the score's reasons and what a person decided — released
// (the replay passes the hold) or cancelled (discarded with a reason).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('order_holds')
    .addColumn('flow', 'text', (c) => c.notNull())
    // system:entity:id of the source record (the same key runs use)
    .addColumn('record_key', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    // held | released | cancelled
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('threshold', 'integer', (c) => c.notNull())
    // JSON array of texts: the score's reasons and any anomaly flagged
    .addColumn('reasons', 'text', (c) => c.notNull())
    .addColumn('job_id', big)
    .addColumn('held_at', big, (c) => c.notNull())
    .addColumn('decided_at', big)
    .addColumn('decided_by', 'text')
    .addColumn('decision_reason', 'text')
    .addPrimaryKeyConstraint('order_holds_pk', ['flow', 'record_key'])
    .execute();
  await db.schema.createIndex('order_holds_status').on('order_holds').columns(['status', 'held_at']).execute();
}
