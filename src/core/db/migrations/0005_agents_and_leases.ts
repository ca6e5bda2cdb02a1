// Numbered and immutable: a shipped migration is never edited; changes go in a new file.
// Scale-out and the on-premise agent (issue 15): poller leases, enrolled agents and their one-time
// enrolment tokens.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';

  // One row per poller: which worker owns it until when. A worker polls only while it holds the
  // lease; a dead owner's lease runs out and another worker takes the poller over.
  await db.schema
    .createTable('poller_leases')
    .addColumn('poller_id', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('lease_until', big, (c) => c.notNull())
    // Bumped on every change of owner: a stale owner's renewal names the old epoch and fails.
    .addColumn('epoch', 'integer', (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();

  // Agents enrolled with the hub's CA. The certificate itself lives on the agent; the hub keeps its
  // SHA-256 fingerprint (the identity checked on every connection) and whether it was revoked.
  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('agent_group', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull().unique())
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('enrolled_at', big, (c) => c.notNull())
    .addColumn('expires_at', big, (c) => c.notNull())
    .addColumn('revoked_at', big)
    .addColumn('last_seen_at', big)
    .execute();

  // One-time tokens: SHA-256 only, so a copy of the database enrols nobody.
  await db.schema
    .createTable('agent_enrolments')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('agent_group', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('expires_at', big, (c) => c.notNull())
    .addColumn('used_at', big)
    .addColumn('agent_id', 'text')
    .execute();
}
