// The token buckets of rate-limit.ts, held in PostgreSQL so every worker process on every host
// draws from the same bucket per (connection, operation). One atomic UPDATE refills by elapsed time
// and reserves the tokens; the database's clock is used, so hosts with skewed clocks still share
// one notion of "elapsed".
//
// A bucket more than half full lends the drawing process a few tokens more (at most a tenth of a
// second's rate and a quarter of the burst), spent locally within ALLOWANCE_MS: a busy worker then
// pays one round trip per batch of calls instead of one per call. The tokens are taken from the
// shared bucket when lent, so the only effect on the limit is that a draw may be spent up to
// ALLOWANCE_MS after it was made: in any window, at most rate × ALLOWANCE_MS more than the bucket
// alone allows. A bucket lends only while more than half full, so one in debt (callers waiting)
// lends nothing and queues its callers exactly as before.
import { sql, type Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import { validateLimit, type BucketView, type RateLimit, type RateLimiter } from './rate-limit.js';

const NOW_MS = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** How long lent tokens may be spent after their draw. */
export const ALLOWANCE_MS = 100;

export class PgRateLimiter implements RateLimiter {
  /** setLimit calls apply in call order (a connector's defaults, then the configured overrides). */
  private settings: Promise<unknown> = Promise.resolve();
  /** Tokens lent to this process by key, and the local time until which they may be spent. */
  private readonly allowance = new Map<string, { tokens: number; until: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  setLimit(key: string, limit: RateLimit): Promise<void> {
    validateLimit(key, limit);
    this.allowance.delete(key);
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
    const lent = this.allowance.get(key);
    if (lent && lent.tokens >= cost && performance.now() < lent.until) {
      lent.tokens -= cost;
      return;
    }
    const sent = performance.now();
    // Committed without waiting for the WAL flush (synchronous_commit off for this statement's own
    // transaction): the row lock is held for the UPDATE, not for an fsync, so the callers of one hot
    // bucket in every process no longer queue ~8 ms each behind the disk, and an order's 3–4 calls
    // stop costing 3–4 fsyncs. What a database crash can lose is the last moments of draws, i.e.
    // a few tokens granted twice — the API's own 429 handling covers that.
    const { rows } = await sql<{ tokens: number; rate_per_sec: number; lent: number }>`
      with async_commit as (select set_config('synchronous_commit', 'off', true)),
      b as (
        select key, least(burst, tokens + (${NOW_MS} - updated_at) / 1000.0 * rate_per_sec) - ${cost} as left_after,
          greatest(0, floor(least(rate_per_sec * ${ALLOWANCE_MS / 1000}, burst / 4.0,
            least(burst, tokens + (${NOW_MS} - updated_at) / 1000.0 * rate_per_sec) - ${cost} - burst / 2.0))) as lend
        from rate_buckets where key = ${key} for update)
      update rate_buckets r
      set tokens = b.left_after - b.lend, updated_at = ${NOW_MS}
      from b, async_commit
      where r.key = b.key
      returning r.tokens, r.rate_per_sec, b.lend as lent`.execute(this.db);
    const row = rows[0];
    if (!row) return; // no limit configured for this key
    const lend = Number(row.lent);
    // Counted from before the draw was sent: the database drew them no earlier.
    if (lend > 0) this.allowance.set(key, { tokens: lend, until: sent + ALLOWANCE_MS });
    const tokens = Number(row.tokens) + lend;
    if (tokens < 0) await this.sleep(Math.ceil((-tokens / Number(row.rate_per_sec)) * 1000));
  }
}
