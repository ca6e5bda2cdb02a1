// Opens the store: SQLite (embedded default, one process) or PostgreSQL (scale-out, many processes).
// One Kysely schema and one migration set serve both.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { Database } from './schema.js';
import type { PayloadCodec } from '../payload-codec.js';
import { prepareSqliteFile, restrictSqliteFiles } from './file-modes.js';
import { userError } from '../errors.js';
import * as m0001 from './migrations/0001_initial.js';
import * as m0002 from './migrations/0002_flows.js';
import * as m0003 from './migrations/0003_security.js';
import * as m0004 from './migrations/0004_console.js';
import * as m0005 from './migrations/0005_agents_and_leases.js';
import * as m0006 from './migrations/0006_settlements.js';
import * as m0008 from './migrations/0008_operations.js';
import * as m0013 from './migrations/0013_reconciliations.js';
import * as m0014 from './migrations/0014_mapping_versions.js';
import * as m0016 from './migrations/0016_order_holds.js';
import * as m0017 from './migrations/0017_order_risk_history.js';

export type Dialect = 'sqlite' | 'postgres';

export type StoreOptions =
  | {
      dialect: 'sqlite';
      /** File path, or ':memory:' (tests only: nothing survives the process). */
      file: string;
      /**
       * 'normal' (default): with WAL a commit survives a process crash (kill -9) but the last
       * transactions may be lost on power failure. 'full': fsync every commit, survives power loss.
       */
      synchronous?: 'normal' | 'full';
      /** Read commands: the file must exist; nothing is created, migrated or written. */
      readonly?: boolean;
    }
  | {
      dialect: 'postgres';
      url: string;
      /** Schema to use (created if missing); lets tests and tenants share one database. */
      schema?: string;
      poolSize?: number;
      /** Read commands: no schema creation, no migrations, read-only transactions. */
      readonly?: boolean;
    };

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The raw better-sqlite3 handle (sqlite only), for the few hot paths that batch statements. */
  sqlite?: SqliteDatabase.Database;
  pool?: pg.Pool;
  /** How event and job payloads are written and read: sealed with the master key once main.ts sets it (src/core/payload-codec.ts). */
  payloadCodec?: PayloadCodec;
  close(): Promise<void>;
}

// BIGINT columns hold epoch milliseconds and ids, all far below 2^53: read them as numbers.
pg.types.setTypeParser(20, (v) => Number(v));

const migrations: Array<{ name: string; up: (db: Kysely<any>, dialect: Dialect) => Promise<void> }> = [
  { name: '0001_initial', up: m0001.up },
  { name: '0002_flows', up: m0002.up },
  { name: '0003_security', up: m0003.up },
  { name: '0004_console', up: m0004.up },
  { name: '0005_agents_and_leases', up: m0005.up },
  { name: '0006_settlements', up: m0006.up },
  { name: '0008_operations', up: m0008.up },
  { name: '0013_reconciliations', up: m0013.up },
  { name: '0014_mapping_versions', up: m0014.up },
  { name: '0016_order_holds', up: m0016.up },
  { name: '0017_order_risk_history', up: m0017.up },
];

export async function openStore(options: StoreOptions): Promise<Store> {
  let store: Store;
  if (options.dialect === 'sqlite' && options.readonly) {
    if (options.file === ':memory:' || !existsSync(options.file)) throw userError('STORE_MISSING', `no store at ${path.resolve(options.file)}: check --db or --config (nothing was created)`);
    const handle = new SqliteDatabase(options.file, { readonly: true, fileMustExist: true });
    handle.pragma('busy_timeout = 5000');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: handle }) });
    return { db, dialect: 'sqlite', sqlite: handle, close: () => db.destroy() };
  }
  if (options.dialect === 'postgres' && options.readonly) {
    const pool = new pg.Pool({ connectionString: options.url, max: 2, options: `-c default_transaction_read_only=on${options.schema ? ` -c search_path=${options.schema}` : ''}` });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', pool, close: () => db.destroy() };
  }
  if (options.dialect === 'sqlite') {
    if (options.file !== ':memory:') prepareSqliteFile(options.file);
    const handle = new SqliteDatabase(options.file);
    handle.pragma('journal_mode = WAL');
    if (options.file !== ':memory:') restrictSqliteFiles(options.file);
    handle.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    handle.pragma('busy_timeout = 5000');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(handle) }) });
    store = { db, dialect: 'sqlite', sqlite: handle, close: () => db.destroy() };
  } else {
    const schema = options.schema;
    if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new TypeError(`invalid schema name "${schema}"`);
    if (schema) {
      const admin = new pg.Client({ connectionString: options.url });
      await admin.connect();
      try {
        await admin.query(`create schema if not exists ${schema}`);
      } finally {
        await admin.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    store = { db, dialect: 'postgres', pool, close: () => db.destroy() };
  }
  await migrate(store);
  return store;
}

async function migrate(store: Store): Promise<void> {
  const db = store.db as unknown as Kysely<any>;
  await db.schema
    .createTable('syncline_migrations')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', store.dialect === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
    .execute();
  for (const m of migrations) {
    await db.transaction().execute(async (trx) => {
      // Many processes may start at once on PostgreSQL: serialise migrations with an advisory lock.
      if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(7355608)`.execute(trx);
      const done = await trx.selectFrom('syncline_migrations').select('name').where('name', '=', m.name).executeTakeFirst();
      if (done) return;
      await m.up(trx, store.dialect);
      await trx.insertInto('syncline_migrations').values({ name: m.name, applied_at: Date.now() }).execute();
    });
  }
}

/** Parses a store URL from configuration: `sqlite:./data/syncline.db` or `postgres://…`. */
export function storeOptionsFromUrl(url: string): StoreOptions {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { dialect: 'postgres', url };
  if (url.startsWith('sqlite:')) return { dialect: 'sqlite', file: url.slice('sqlite:'.length) || './data/syncline.db' };
  throw new TypeError(`unsupported database URL "${url}": use sqlite:PATH or postgres://…`);
}

/**
 * Kysely prepares every statement anew; on the hot path (claim, ack, inbox insert, runs) the same few
 * hundred SQL strings repeat, and SQLite's prepare was ~6 % of the skeleton's CPU. Statements are
 * reusable once run, so cache them by SQL text (bounded, in case queries are built dynamically).
 */
function withStatementCache(handle: SqliteDatabase.Database): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return new Proxy(handle, {
    get(target, prop, receiver) {
      if (prop === 'prepare') {
        return (source: string) => {
          let stmt = cache.get(source);
          if (!stmt) {
            if (cache.size >= 500) cache.delete(cache.keys().next().value!);
            stmt = target.prepare(source);
            cache.set(source, stmt);
          }
          return stmt;
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
