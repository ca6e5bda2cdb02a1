// Sage 300 stock from the company database: the Web API has no item-quantity resource (Endpoint
// Reference, Aug 2022), so a real site reads table ICILOC (item × location) — "secure database
// access" in the seed. Read-only SQL, written once with Kysely: SQL Server through tedious + tarn
// (run beside the database, through the on-premise agent once it exists), and the same query on any
// dialect with the same table shape (the tests use the embedded SQLite store).
//
// ICILOC columns used: ITEMNO (unformatted, char 24, blank-padded), LOCATION (char 6), QTYONHAND,
// QTYCOMMIT, QTYSALORDR (decimal 19,4), AUDTDATE (YYYYMMDD) and AUDTTIME (HHMMSSss, hundredths), the
// audit stamp every Sage 300 table carries. ICITEM gives the formatted number (FMTITEMNO).
import { Decimal } from 'decimal.js';
import { Kysely, MssqlDialect, type Dialect } from 'kysely';
import { z } from 'zod';
import { userError } from '../../core/errors.js';
import type { StockOut } from './schemas.js';

export interface IclocTables {
  ICILOC: { ITEMNO: string; LOCATION: string; QTYONHAND: number | string; QTYCOMMIT: number | string; QTYSALORDR: number | string; AUDTDATE: number; AUDTTIME: number };
  ICITEM: { ITEMNO: string; FMTITEMNO: string };
}

/** Connection settings for the SQL source (a login with read access to ICILOC and ICITEM only). */
export const iclocSqlConfigSchema = z.strictObject({
  server: z.string().min(1),
  port: z.number().int().positive().default(1433),
  /** The company database, e.g. SAMLTD. */
  database: z.string().min(1),
  user: z.string().min(1),
  password: z.string(),
  encrypt: z.boolean().default(true),
  trustServerCertificate: z.boolean().default(false),
  timeoutMs: z.number().int().positive().default(30_000),
});
export type IclocSqlConfig = z.input<typeof iclocSqlConfigSchema>;

/** A stock source the stock poller reads (triggers.ts): rows stamped at or after `since`. */
export interface IclocSource {
  read(since: string, skip: number, limit: number): Promise<{ rows: StockOut[]; more: boolean }>;
  close(): Promise<void>;
}

/** ISO instant → Sage's audit stamp pair (hundredths of a second are dropped to the lower bound). */
export function toAuditStamp(iso: string): { date: number; time: number } {
  const d = new Date(iso);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return {
    date: Number(`${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}`),
    time: Number(`${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}${p(Math.floor(d.getUTCMilliseconds() / 10))}`),
  };
}

/** Sage's audit stamp pair → ISO instant (read as UTC; see docs/connectors/sage300.md, unconfirmed). */
export function fromAuditStamp(date: number, time: number): string {
  const ds = String(Math.trunc(Number(date))).padStart(8, '0');
  const ts = String(Math.trunc(Number(time))).padStart(8, '0');
  return `${ds.slice(0, 4)}-${ds.slice(4, 6)}-${ds.slice(6, 8)}T${ts.slice(0, 2)}:${ts.slice(2, 4)}:${ts.slice(4, 6)}.${ts.slice(6, 8)}0Z`;
}

/**
 * The one query: ICILOC rows stamped at or after `since`, with the formatted item number, in stamp
 * order (then key order, so pages are stable). `paging` differs by dialect: SQL Server has no LIMIT.
 */
export function iclocChangesQuery(db: Kysely<IclocTables>, since: string, skip: number, limit: number, paging: 'offset-fetch' | 'limit-offset') {
  const s = toAuditStamp(since);
  const q = db
    .selectFrom('ICILOC as l')
    .leftJoin('ICITEM as i', 'i.ITEMNO', 'l.ITEMNO')
    .select(['l.ITEMNO', 'i.FMTITEMNO', 'l.LOCATION', 'l.QTYONHAND', 'l.QTYCOMMIT', 'l.QTYSALORDR', 'l.AUDTDATE', 'l.AUDTTIME'])
    .where((eb) => eb.or([eb('l.AUDTDATE', '>', s.date), eb.and([eb('l.AUDTDATE', '=', s.date), eb('l.AUDTTIME', '>=', s.time)])]))
    .orderBy('l.AUDTDATE').orderBy('l.AUDTTIME').orderBy('l.ITEMNO').orderBy('l.LOCATION');
  // One row more than asked tells whether there are more.
  return paging === 'offset-fetch' ? q.offset(skip).fetch(limit + 1) : q.limit(limit + 1).offset(skip);
}

type IclocRow = { ITEMNO: string; FMTITEMNO: string | null; LOCATION: string; QTYONHAND: number | string; QTYCOMMIT: number | string; QTYSALORDR: number | string; AUDTDATE: number; AUDTTIME: number };

/** A row in the shape the Web API extension serves (available = on hand − committed), so flows need not care. */
export function stockRow(r: IclocRow): StockOut {
  const onHand = new Decimal(r.QTYONHAND);
  const committed = new Decimal(r.QTYCOMMIT);
  const unformatted = String(r.ITEMNO).trimEnd();
  return {
    UnformattedItemNumber: unformatted,
    ItemNumber: r.FMTITEMNO ? String(r.FMTITEMNO).trimEnd() : unformatted,
    Location: String(r.LOCATION).trimEnd(),
    QuantityOnHand: onHand.toFixed(),
    QuantityCommitted: committed.toFixed(),
    QuantityOnSalesOrder: new Decimal(r.QTYSALORDR).toFixed(),
    QuantityAvailable: onHand.minus(committed).toFixed(),
    DateLastMaintained: fromAuditStamp(r.AUDTDATE, r.AUDTTIME),
  };
}

/** A stock source over any Kysely instance holding ICILOC/ICITEM (SQL Server in production). */
export function iclocSource(db: Kysely<IclocTables>, paging: 'offset-fetch' | 'limit-offset'): IclocSource {
  return {
    async read(since, skip, limit) {
      const rows = (await iclocChangesQuery(db, since, skip, limit, paging).execute()) as IclocRow[];
      return { rows: rows.slice(0, limit).map(stockRow), more: rows.length > limit };
    },
    close: () => db.destroy(),
  };
}

/**
 * Kysely's SQL Server dialect over tedious + tarn, with ApplicationIntent=ReadOnly (routed to a
 * readable secondary where there is one). Nothing connects until the first read.
 */
export async function mssqlDialect(config: IclocSqlConfig): Promise<Dialect> {
  const parsed = iclocSqlConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw userError('SAGE300_INVALID_CONFIG', `Sage 300 stock SQL settings: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  const c = parsed.data;
  const [Tedious, Tarn] = await Promise.all([import('tedious'), import('tarn')]);
  return new MssqlDialect({
    tarn: { ...Tarn, options: { min: 0, max: 2 } },
    tedious: {
      ...Tedious,
      connectionFactory: () => new Tedious.Connection({
        server: c.server,
        authentication: { type: 'default', options: { userName: c.user, password: c.password } },
        options: { port: c.port, database: c.database, encrypt: c.encrypt, trustServerCertificate: c.trustServerCertificate, readOnlyIntent: true, requestTimeout: c.timeoutMs, connectTimeout: c.timeoutMs },
      }),
    },
  });
}

/** The SQL Server source for `createStockPoller(client, { sql })`; tedious is loaded on the first read. */
export function mssqlIclocSource(config: IclocSqlConfig): IclocSource {
  let inner: Promise<IclocSource> | undefined;
  const open = () => (inner ??= mssqlDialect(config).then((dialect) => iclocSource(new Kysely<IclocTables>({ dialect }), 'offset-fetch')));
  return {
    read: async (since, skip, limit) => (await open()).read(since, skip, limit),
    close: async () => { if (inner) await (await inner).close(); },
  };
}
