// Flows as data (decision 0005): stored flow versions and deployment state, step checkpoints saved
// with a retry, snapshots for `diff` steps, claims that serialise find-or-create per key, and the
// flow version each run used.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('flow_versions')
    .addColumn('flow_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('flow_versions_pk', ['flow_id', 'version'])
    .execute();
  await db.schema
    .createTable('flow_state')
    .addColumn('flow_id', 'text', (c) => c.primaryKey())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('pinned_version', 'integer')
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('step_checkpoints')
    .addColumn('job_id', big, (c) => c.primaryKey())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('snapshots')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('snapshots_pk', ['scope', 'key'])
    .execute();
  await db.schema
    .createTable('lookup_claims')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('expires_at', big, (c) => c.notNull())
    .execute();
  await db.schema.alterTable('runs').addColumn('flow_version', 'integer').execute();
  await db.schema.alterTable('runs').addColumn('note', 'text').execute();
  void sql;
}
