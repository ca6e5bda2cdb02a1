// Multi-row statements of the hot path without the query builder. Kysely parses every value of a
// `.values([...])` into operation nodes and compiles the tree again on every call; for the engine's
// per-batch inserts (events, jobs, runs, run steps, xref links, applied versions) that cost more CPU
// than SQLite spent running them (issue 12). Here the text is built once per (statement, row count)
// and the values are bound as they are; the statements stay plain SQL both dialects run.
import { CompiledQuery, PostgresAdapter, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

/** Rows per statement: 500 rows of up to 12 columns stay under SQLite's 32,766 bound parameters. */
export const ROWS_PER_STATEMENT = 500;

const texts = new Map<string, string>();
const postgres = new WeakMap<object, boolean>();

function isPostgres(db: Db): boolean {
  const adapter = db.getExecutor().adapter;
  let pg = postgres.get(adapter);
  if (pg === undefined) postgres.set(adapter, (pg = adapter instanceof PostgresAdapter));
  return pg;
}

/**
 * `insert into TABLE (COLUMNS) values (…), (…) TAIL` with `rows` (each row's values in `columns`'
 * order) bound as parameters; TAIL is the rest of the statement (on conflict, returning). One
 * statement per ROWS_PER_STATEMENT rows; the results' rows concatenated.
 */
export async function insertRows<R = unknown>(db: Db, table: string, columns: readonly string[], rows: readonly unknown[][], tail = ''): Promise<R[]> {
  const out: R[] = [];
  const pg = isPostgres(db);
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const part = rows.slice(i, i + ROWS_PER_STATEMENT);
    const key = `${pg ? 'pg' : 'lite'}\u0000${table}\u0000${columns.join(',')}\u0000${part.length}\u0000${tail}`;
    let text = texts.get(key);
    if (text === undefined) {
      let n = 0;
      const row = () => `(${columns.map(() => (pg ? `$${++n}` : '?')).join(', ')})`;
      text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${part.map(row).join(', ')} ${tail}`;
      // Bounded: row counts run 1..500 per statement shape, and the shapes are the few of the hot path.
      if (texts.size > 5_000) texts.clear();
      texts.set(key, text);
    }
    const result = (await db.executeQuery(CompiledQuery.raw(text, part.flat()))) as QueryResult<R>;
    for (const r of result.rows) out.push(r);
  }
  return out;
}
