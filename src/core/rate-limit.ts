// Token buckets per (connection, operation). A bucket holds at most `burst` tokens and refills at
// `ratePerSec`. Callers reserve tokens up front (the balance may go negative) and sleep until the
// debt is repaid, so concurrent callers queue fairly instead of polling.

export interface RateLimit {
  ratePerSec: number;
  burst: number;
}

export interface RateLimiter {
  /** Waits until `cost` tokens are available under `key`, then takes them. Unknown keys are unlimited. */
  acquire(key: string, cost?: number): Promise<void>;
  /** Sets or changes a bucket's limit (seeded from the API's published limits, adjusted from headers). */
  setLimit(key: string, limit: RateLimit): void | Promise<void>;
  /** Every bucket's tokens now (refilled, not taken), for the dashboard's rate-limit headroom. */
  headroom?(): Promise<BucketView[]>;
}

export interface BucketView extends RateLimit {
  key: string;
  /** Negative while callers wait to repay a reservation. */
  tokens: number;
}

interface Bucket extends RateLimit {
  tokens: number;
  updatedAt: number;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  setLimit(key: string, limit: RateLimit): void {
    validateLimit(key, limit);
    const existing = this.buckets.get(key);
    if (existing) {
      this.refill(existing);
      existing.ratePerSec = limit.ratePerSec;
      existing.burst = limit.burst;
      existing.tokens = Math.min(existing.tokens, limit.burst);
    } else {
      this.buckets.set(key, { ...limit, tokens: limit.burst, updatedAt: this.now() });
    }
  }

  async headroom(): Promise<BucketView[]> {
    return [...this.buckets.entries()].map(([key, b]) => {
      this.refill(b);
      return { key, tokens: b.tokens, ratePerSec: b.ratePerSec, burst: b.burst };
    });
  }

  async acquire(key: string, cost = 1): Promise<void> {
    const bucket = this.buckets.get(key);
    if (!bucket) return;
    this.refill(bucket);
    bucket.tokens -= cost;
    if (bucket.tokens < 0) await this.sleep(Math.ceil((-bucket.tokens / bucket.ratePerSec) * 1000));
  }

  private refill(bucket: Bucket): void {
    const now = this.now();
    bucket.tokens = Math.min(bucket.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * bucket.ratePerSec);
    bucket.updatedAt = now;
  }
}

export function validateLimit(key: string, limit: RateLimit): void {
  if (!(limit.ratePerSec > 0)) throw new RangeError(`rate limit for ${key}: ratePerSec must be > 0, got ${limit.ratePerSec}`);
  if (!(limit.burst >= 1)) throw new RangeError(`rate limit for ${key}: burst must be ≥ 1, got ${limit.burst}`);
}
