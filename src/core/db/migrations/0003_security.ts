// Numbered and immutable: a shipped migration is never edited; changes go in a new file.
// Least privilege (decision 0006): every API token carries a role. Tokens minted before roles existed
// become `viewer`: an upgrade must not leave a leaked old token able to create tokens or connections
// (issue 10). An operator re-creates the tokens automation needs with `syncline token create --role`.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_tokens').addColumn('role', 'text', (c) => c.notNull().defaultTo('viewer')).execute();
}
