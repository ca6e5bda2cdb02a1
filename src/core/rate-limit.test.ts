import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from './rate-limit.js';

describe('MemoryRateLimiter', () => {
  it('lets a burst through at once, then holds the steady rate', async () => {
    const limiter = new MemoryRateLimiter();
    limiter.setLimit('c:getOrders', { ratePerSec: 50, burst: 10 });
    const t0 = performance.now();
    const done: number[] = [];
    await Promise.all(Array.from({ length: 35 }, () => limiter.acquire('c:getOrders').then(() => done.push(performance.now() - t0))));
    done.sort((a, b) => a - b);
    expect(done[9]!).toBeLessThan(40); // the burst of 10
    // 25 more at 50/s need ≥ 500 ms.
    expect(done[34]!).toBeGreaterThanOrEqual(480);
  });

  it('unknown keys are not limited; nonsense limits are refused', async () => {
    const limiter = new MemoryRateLimiter();
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) await limiter.acquire('nobody');
    expect(performance.now() - t0).toBeLessThan(200);
    expect(() => limiter.setLimit('x', { ratePerSec: 0, burst: 1 })).toThrow(/ratePerSec/);
  });
});
