// The PostgreSQL limiter is shared: two limiters on two separate pools (as two worker processes would
// have) together never exceed the bucket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
