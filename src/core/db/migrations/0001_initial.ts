// Numbered and immutable: a shipped migration is never edited; changes go in a new file.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const id = (t: string) => (dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`);
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  const real = dialect === 'postgres' ? 'double precision' : 'real';

  await db.schema
    .createTable('events')
    .addColumn('id', id('events'))
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('system', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('record_id', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('received_at', big, (c) => c.notNull())
    .addColumn('duplicates', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('events_record').on('events').columns(['system', 'entity', 'record_id']).execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', id('jobs'))
    .addColumn('queue', 'text', (c) => c.notNull())
    .addColumn('ordering_key', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('run_at', big, (c) => c.notNull())
    .addColumn('lease_until', big)
    .addColumn('worker_id', 'text')
    .addColumn('event_id', big)
    .addColumn('history', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('last_error', 'text')
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();
  // The claim query walks queued jobs by run_at, and checks each key's head by (ordering_key, id).
  await db.schema.createIndex('jobs_ready').on('jobs').columns(['state', 'run_at', 'id']).execute();
  await db.schema.createIndex('jobs_key').on('jobs').columns(['ordering_key', 'id']).execute();
  await db.schema.createIndex('jobs_lease').on('jobs').columns(['state', 'lease_until']).execute();

  await db.schema
    .createTable('runs')
    .addColumn('id', id('runs'))
    .addColumn('event_id', big)
    .addColumn('job_id', big, (c) => c.notNull())
    .addColumn('flow', 'text', (c) => c.notNull())
    .addColumn('record_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('started_at', big, (c) => c.notNull())
    .addColumn('finished_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('runs_event').on('runs').columns(['event_id']).execute();
  await db.schema.createIndex('runs_time').on('runs').columns(['finished_at']).execute();
  await db.schema.createIndex('runs_job').on('runs').columns(['job_id']).execute();

  await db.schema
    .createTable('run_steps')
    .addColumn('id', id('run_steps'))
    .addColumn('run_id', big, (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('input', 'text')
    .addColumn('output', 'text')
    .addColumn('error', 'text')
    .addColumn('started_at', big, (c) => c.notNull())
    .addColumn('duration_ms', real, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('run_steps_run').on('run_steps').columns(['run_id', 'seq']).execute();

  await db.schema
    .createTable('xref')
    .addColumn('id', id('xref'))
    .addColumn('a_system', 'text', (c) => c.notNull())
    .addColumn('a_entity', 'text', (c) => c.notNull())
    .addColumn('a_id', 'text', (c) => c.notNull())
    .addColumn('b_system', 'text', (c) => c.notNull())
    .addColumn('b_entity', 'text', (c) => c.notNull())
    .addColumn('b_id', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addUniqueConstraint('xref_a_to_b', ['a_system', 'a_entity', 'a_id', 'b_system', 'b_entity'])
    .execute();
  await db.schema.createIndex('xref_b').on('xref').columns(['b_system', 'b_entity', 'b_id']).execute();

  await db.schema
    .createTable('applied_versions')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('cursors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('cursor', 'text')
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('system', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('secrets', 'text')
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', id('api_tokens'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('last_used_at', big)
    .execute();

  await db.schema
    .createTable('rate_buckets')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('tokens', real, (c) => c.notNull())
    .addColumn('rate_per_sec', real, (c) => c.notNull())
    .addColumn('burst', real, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();
}
