// PostgreSQL for tests: a schema of its own per test, dropped afterwards. CI guarantees the server
// (.ci/run fails loudly when it is down), so these tests never skip silently.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/core/db/database.js';

export const PG_URL = process.env.SYNCLINE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function uniqueSchema(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export async function openPgStore(schema: string, poolSize = 10): Promise<Store> {
  return openStore({ dialect: 'postgres', url: PG_URL, schema, poolSize });
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}
