// The token buckets of rate-limit.ts, held in PostgreSQL so every worker process on every host
// draws from the same bucket per (connection, operation). One atomic UPDATE per acquisition refills
// by elapsed time and reserves the tokens; the database's clock is used, so hosts with skewed
// clocks still share one notion of "elapsed".
import { sql, type Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import { validateLimit, type BucketView, type RateLimit, type RateLimiter } from './rate-limit.js';

const NOW_MS = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

export class PgRateLimiter implements RateLimiter {
  /** setLimit calls apply in call order (a connector's defaults, then the configured overrides). */
  private settings: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  setLimit(key: string, limit: RateLimit): Promise<void> {
    validateLimit(key, limit);
    const next = this.settings.then(() => this.write(key, limit));
    this.settings = next.catch(() => {});
    return next;
  }

  private async write(key: string, limit: RateLimit): Promise<void> {
    await sql`
      insert into rate_buckets (key, tokens, rate_per_sec, burst, updated_at)
      values (${key}, ${limit.burst}, ${limit.ratePerSec}, ${limit.burst}, ${NOW_MS})
      on conflict (key) do update set rate_per_sec = excluded.rate_per_sec, burst = excluded.burst,
        tokens = least(rate_buckets.tokens, excluded.burst)`.execute(this.db);
  }

  async headroom(): Promise<BucketView[]> {
    const { rows } = await sql<{ key: string; tokens: number; rate_per_sec: number; burst: number }>`
      select key, least(burst, tokens + (${NOW_MS} - updated_at) / 1000.0 * rate_per_sec) as tokens, rate_per_sec, burst
      from rate_buckets order by key`.execute(this.db);
    return rows.map((r) => ({ key: r.key, tokens: Number(r.tokens), ratePerSec: Number(r.rate_per_sec), burst: Number(r.burst) }));
  }

  async acquire(key: string, cost = 1): Promise<void> {
    await this.settings;
    const { rows } = await sql<{ tokens: number; rate_per_sec: number }>`
      update rate_buckets
      set tokens = least(burst, tokens + (${NOW_MS} - updated_at) / 1000.0 * rate_per_sec) - ${cost},
          updated_at = ${NOW_MS}
      where key = ${key}
      returning tokens, rate_per_sec`.execute(this.db);
    const row = rows[0];
    if (!row) return; // no limit configured for this key
    const tokens = Number(row.tokens);
    if (tokens < 0) await this.sleep(Math.ceil((-tokens / Number(row.rate_per_sec)) * 1000));
  }
}
