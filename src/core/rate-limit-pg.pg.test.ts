// The PostgreSQL limiter is shared: two limiters on two separate pools (as two worker processes would
// have) together never exceed the bucket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Store } from './db/database.js';
import { PgRateLimiter } from './rate-limit-pg.js';
import { dropSchema, openPgStore, uniqueSchema } from '../../test/support/pg.js';

describe('PgRateLimiter (shared by processes)', () => {
  const schema = uniqueSchema('rl');
  let a: Store;
  let b: Store;
  beforeAll(async () => {
    a = await openPgStore(schema, 4);
    b = await openPgStore(schema, 4);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await dropSchema(schema);
  });

  it('two limiters on separate pools share one bucket: burst, then the steady rate across both', async () => {
    const la = new PgRateLimiter(a.db);
    const lb = new PgRateLimiter(b.db);
    await la.setLimit('sage300-main:createOrder', { ratePerSec: 40, burst: 5 });
    const t0 = performance.now();
    const times: number[] = [];
    const fire = (l: PgRateLimiter) => l.acquire('sage300-main:createOrder').then(() => times.push(performance.now() - t0));
    await Promise.all([...Array.from({ length: 30 }, () => fire(la)), ...Array.from({ length: 30 }, () => fire(lb))]);
    times.sort((x, y) => x - y);
    // 60 acquisitions, 5 from the burst, 55 at 40/s: at least 1.375 s in all.
    expect(times[59]!).toBeGreaterThanOrEqual(1_300);
    // In any one-second window, no more than rate + burst acquisitions completed.
    for (const start of times) {
      const inWindow = times.filter((t) => t >= start && t < start + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(40 + 5 + 1);
    }
  });

  it('a key with no configured limit is not limited', async () => {
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) await new PgRateLimiter(a.db).acquire('nobody:nothing');
    expect(performance.now() - t0).toBeLessThan(2_000);
  });
});

describe('PgRateLimiter round trips', () => {
  const schema = uniqueSchema('rlrt');
  let store: Store;
  beforeAll(async () => {
    store = await openPgStore(schema, 4);
    // Counts the draws that reach the table (one UPDATE per round trip to the bucket).
    await sql`create table draws (n int not null); insert into draws values (0);
      create function count_draw() returns trigger language plpgsql as $$ begin update draws set n = n + 1; return new; end $$;
      create trigger count_draw after update on rate_buckets for each row execute function count_draw()`.execute(store.db);
  });
  afterAll(async () => {
    await store.close();
    await dropSchema(schema);
  });

  it('a roomy bucket lends a busy process a batch: 200 calls in well under 200 draws, and within rate × 0.1 s of the limit', async () => {
    const limiter = new PgRateLimiter(store.db);
    await limiter.setLimit('sage300-main:getItem', { ratePerSec: 1_000, burst: 1_000 });
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) await limiter.acquire('sage300-main:getItem');
    const ms = performance.now() - t0;
    const { rows } = await sql<{ n: number }>`select n from draws`.execute(store.db);
    // 100 tokens a draw (a tenth of a second at 1,000/s); more draws only if 100 ms passed between.
    expect(rows[0]!.n).toBeLessThanOrEqual(2 + Math.ceil(ms / 100));
    expect(rows[0]!.n).toBeLessThan(50);
    // What was lent was taken from the shared bucket: 200 spent or lent, refill aside.
    const [b] = await limiter.headroom();
    expect(b!.tokens).toBeLessThanOrEqual(1_000 - 200 + ms + 1);
  });
});
