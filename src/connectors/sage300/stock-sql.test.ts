// The stock trigger's SQL source (issue 16, point 6): what this machine can test of it. The SQL text
// Kysely's SQL Server dialect generates (compiled, never sent: there is no SQL Server here), and the
// change detection on the same table shape (ICILOC + ICITEM) in the embedded SQLite store: rows
// change, the trigger emits exactly the changed ones. What cannot be tested here is listed in
// docs/connectors/sage300.md.
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createStockPoller, fromAuditStamp, iclocChangesQuery, iclocSource, mssqlDialect, sage300Connector, toAuditStamp, type IclocTables } from './index.js';

const client = sage300Connector.createClient({ baseUrl: 'http://127.0.0.1:9', company: 'SAMLTD', user: 'WEBAPI', password: '' }, { connection: 'sql-stock' });

describe('ICILOC over SQL Server: the generated SQL', () => {
  it('is one parameterised read-only SELECT in stamp order, paged with OFFSET … FETCH', async () => {
    const db = new Kysely<IclocTables>({ dialect: await mssqlDialect({ server: 'sage-db', database: 'SAMLTD', user: 'syncline_ro', password: 'x' }) });
    const q = iclocChangesQuery(db, '2026-03-04T05:06:07.890Z', 200, 100, 'offset-fetch').compile();
    expect(q.sql).toBe(
      'select "l"."ITEMNO", "i"."FMTITEMNO", "l"."LOCATION", "l"."QTYONHAND", "l"."QTYCOMMIT", "l"."QTYSALORDR", "l"."AUDTDATE", "l"."AUDTTIME" ' +
      'from "ICILOC" as "l" left join "ICITEM" as "i" on "i"."ITEMNO" = "l"."ITEMNO" ' +
      'where ("l"."AUDTDATE" > @1 or ("l"."AUDTDATE" = @2 and "l"."AUDTTIME" >= @3)) ' +
      'order by "l"."AUDTDATE", "l"."AUDTTIME", "l"."ITEMNO", "l"."LOCATION" offset @4 rows fetch next @5 rows only',
    );
    expect(q.parameters).toEqual([20260304, 20260304, 5060789, 200, 101]);
    await db.destroy();
  });

  it('converts audit stamps (AUDTDATE YYYYMMDD, AUDTTIME HHMMSSss) both ways', () => {
    expect(toAuditStamp('2026-12-31T23:59:58.990Z')).toEqual({ date: 20261231, time: 23595899 });
    expect(fromAuditStamp(20261231, 23595899)).toBe('2026-12-31T23:59:58.990Z');
    expect(fromAuditStamp(20260101, 5)).toBe('2026-01-01T00:00:00.050Z');
  });

  it('refuses incomplete SQL settings with a user error', async () => {
    await expect(mssqlDialect({ server: '', database: 'SAMLTD', user: 'u', password: 'p' })).rejects.toMatchObject({ code: 'SAGE300_INVALID_CONFIG' });
  });
});

describe('ICILOC change detection on the embedded SQLite store (same table shape)', () => {
  let handle: SqliteDatabase.Database | undefined;
  afterEach(() => handle?.close());

  function company(items: number) {
    handle = new SqliteDatabase(':memory:');
    handle.exec(`
      CREATE TABLE ICITEM (ITEMNO CHAR(24) PRIMARY KEY, FMTITEMNO CHAR(24));
      CREATE TABLE ICILOC (ITEMNO CHAR(24), LOCATION CHAR(6), QTYONHAND DECIMAL(19,4), QTYCOMMIT DECIMAL(19,4), QTYSALORDR DECIMAL(19,4),
        AUDTDATE DECIMAL(9,0), AUDTTIME DECIMAL(9,0), PRIMARY KEY (ITEMNO, LOCATION));`);
    const item = handle.prepare('INSERT INTO ICITEM VALUES (?, ?)');
    const loc = handle.prepare('INSERT INTO ICILOC VALUES (?, ?, ?, ?, 0, 20260101, 10000000)');
    for (let i = 0; i < items; i++) {
      // Sage pads CHAR columns with blanks; the source trims them.
      const unf = `A1${String(i).padStart(4, '0')}`.padEnd(24, ' ');
      item.run(unf, `A1-${String(i).padStart(4, '0')}`.padEnd(24, ' '));
      loc.run(unf, '1     ', 10 + i, i % 3);
      loc.run(unf, '2     ', 5, 0);
    }
    const db = new Kysely<IclocTables>({ dialect: new SqliteDialect({ database: handle }) });
    return { db, change: handle.prepare('UPDATE ICILOC SET QTYONHAND = ?, QTYCOMMIT = ?, AUDTDATE = ?, AUDTTIME = ? WHERE ITEMNO = ? AND LOCATION = ?') };
  }

  async function drain(poller: ReturnType<typeof createStockPoller>, cursor: string | null) {
    const events: Array<{ id: string; version: string; payload: unknown }> = [];
    for (;;) {
      const r = await poller.poll(cursor);
      events.push(...r.events);
      cursor = r.cursor;
      if (!r.more) return { events, cursor };
    }
  }

  it('emits every row once on the first pass, then exactly the rows that changed', async () => {
    const { db, change } = company(150);
    let clock = Date.parse('2026-01-01T02:00:00Z');
    const poller = createStockPoller(client, { connection: 'c', minIntervalMs: 0, maxPerPoll: 64, now: () => clock++, sql: iclocSource(db, 'limit-offset') });
    const first = await drain(poller, null);
    expect(first.events).toHaveLength(300);
    expect(first.events[0]).toMatchObject({ id: 'A1-0000@1', payload: { UnformattedItemNumber: 'A10000', ItemNumber: 'A1-0000', Location: '1', QuantityOnHand: '10', QuantityCommitted: '0', QuantityAvailable: '10', DateLastMaintained: '2026-01-01T10:00:00.000Z' } });
    expect((await drain(poller, first.cursor)).events).toEqual([]);

    // Three quantities change (stamped later); one row is re-stamped with the same quantities.
    const pad = (s: string, n: number) => s.padEnd(n, ' ');
    change.run(3, 1, 20260101, 11000000, pad('A10007', 24), pad('1', 6));
    change.run(0, 0, 20260101, 11000001, pad('A10100', 24), pad('2', 6));
    change.run(12.5, 2, 20260102, 900, pad('A10149', 24), pad('1', 6));
    change.run(5, 0, 20260101, 11000002, pad('A10042', 24), pad('2', 6));
    const second = await drain(poller, first.cursor);
    expect(second.events.map((e) => e.id)).toEqual(['A1-0007@1', 'A1-0100@2', 'A1-0149@1']);
    expect(second.events[2]!.payload).toMatchObject({ QuantityOnHand: '12.5', QuantityCommitted: '2', QuantityAvailable: '10.5' });
    expect(second.events.every((e) => e.version > first.events.at(-1)!.version)).toBe(true);
    expect((await drain(poller, second.cursor)).events).toEqual([]);
    await db.destroy();
  });

  it('takes its source from the connection configuration (stockSource: sql) when none is handed in', () => {
    const configured = sage300Connector.createClient({ baseUrl: 'http://127.0.0.1:9', company: 'SAMLTD', user: 'WEBAPI', password: '', stockSource: { source: 'sql', sql: { server: 'sage-db', database: 'SAMLTD', user: 'ro', password: 'x' } } }, { connection: 'cfg' });
    expect(configured.config.stockSource).toMatchObject({ source: 'sql', sql: { server: 'sage-db', port: 1433, encrypt: true } });
    // Building the poller opens nothing: tedious is loaded and connects on the first poll only.
    expect(createStockPoller(configured, { connection: 'cfg' }).id).toBe('cfg:stock');
    expect(() => sage300Connector.createClient({ baseUrl: 'http://127.0.0.1:9', company: 'SAMLTD', user: 'WEBAPI', password: '', stockSource: { source: 'sql' } } as never, { connection: 'bad' })).toThrow(/stockSource/);
  });
});
