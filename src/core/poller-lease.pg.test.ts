// Scale-out: one poller, many worker processes on PostgreSQL. Only the lease holder polls; when it
// is killed (SIGKILL, no goodbye) another process takes the poller over within seconds.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from './db/database.js';
import { PollerLease } from './poller-lease.js';
import { PG_URL, dropSchema, openPgStore, uniqueSchema } from '../../test/support/pg.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PollerLease on PostgreSQL', () => {
  const schema = uniqueSchema('lease');
  let store: Store;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    store = await openPgStore(schema, 4);
    await sql`create table poll_log (owner text not null, at bigint not null)`.execute(store.db);
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await store.close();
    await dropSchema(schema);
  });

  it('one owner at a time; renewal keeps it; a lease that ran out is taken over with a new epoch; release frees it at once', async () => {
    const a = new PollerLease({ db: store.db, dialect: 'postgres', owner: 'a', ttlMs: 600 });
    const b = new PollerLease({ db: store.db, dialect: 'postgres', owner: 'b', ttlMs: 600 });
    expect(await a.acquire('p1')).toBe(true);
    expect(await b.acquire('p1')).toBe(false);
    await sleep(900); // past the ttl: only a's renewals (every 200 ms) keep it
    expect(await b.acquire('p1')).toBe(false);
    expect(a.holds('p1')).toBe(true);
    a.abandon(); // as if killed: no renewal, no release
    await sleep(700);
    expect(await b.acquire('p1')).toBe(true);
    const row = await store.db.selectFrom('poller_leases').selectAll().where('poller_id', '=', 'p1').executeTakeFirstOrThrow();
    expect([row.owner, row.epoch]).toEqual(['b', 2]);
    await b.release('p1');
    const c = new PollerLease({ db: store.db, dialect: 'postgres', owner: 'c', ttlMs: 600 });
    expect(await c.acquire('p1')).toBe(true);
    await c.stop();
    await b.stop();
  });

  it('two worker processes: only the owner polls; SIGKILL the owner and the other polls on within 3 s', async () => {
    const start = (owner: string) =>
      new Promise<ChildProcess>((resolve, reject) => {
        const child = fork(path.join(import.meta.dirname, 'poller-lease.child.ts'), [PG_URL, schema, owner], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        child.once('message', () => resolve(child));
        child.once('exit', (code) => reject(new Error(`worker ${owner} exited (${code})`)));
      });
    const procs = { w1: await start('w1'), w2: await start('w2') };
    await sleep(1_500);
    const before = await store.db.selectFrom('poll_log' as never).select(['owner' as never, 'at' as never]).orderBy('at' as never).execute() as unknown as Array<{ owner: string; at: number }>;
    const owners = new Set(before.map((r) => r.owner));
    expect(owners.size).toBe(1);
    expect(before.length).toBeGreaterThan(10); // polled every 50 ms
    const owner = [...owners][0] as 'w1' | 'w2';
    const killedAt = Date.now();
    procs[owner].kill('SIGKILL');
    let takeover: number | undefined;
    for (let i = 0; i < 60 && takeover === undefined; i++) {
      await sleep(100);
      const r = (await sql<{ at: number }>`select min(at) as at from poll_log where owner <> ${owner} and at > ${killedAt}`.execute(store.db)).rows[0];
      if (r?.at) takeover = Number(r.at) - killedAt;
    }
    expect(takeover).toBeDefined();
    expect(takeover!).toBeLessThan(3_000);
    // Never both at once: sorted by time, the owner changes exactly once.
    const all = (await sql<{ owner: string }>`select owner from poll_log order by at`.execute(store.db)).rows.map((r) => r.owner);
    const switches = all.filter((o, i) => i > 0 && o !== all[i - 1]).length;
    expect(switches).toBe(1);
    console.log(`poller taken over ${takeover} ms after SIGKILL of its owner (ttl 900 ms)`);
  }, 30_000);
});
