import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, nextRetryDelay, parseRetryAfter } from './policies.js';
import { transientError, userError } from './errors.js';

describe('backoffDelay (full jitter)', () => {
  it('property: 0 ≤ delay < min(cap, base·2^(attempt−1)) for every attempt, base and cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 3_600_000 }), fc.double({ min: 0, max: 0.9999999, noNaN: true }), (attempt, baseMs, capMs, r) => {
        const d = backoffDelay(attempt, { baseMs, capMs }, () => r);
        const bound = Math.min(capMs, baseMs * 2 ** (attempt - 1));
        return Number.isInteger(d) && d >= 0 && d < bound + 1 && d <= capMs;
      }),
    );
  });

  it('the documented upper bounds: 500, 1000, 2000 … capped at 300000', () => {
    const bounds = Array.from({ length: 12 }, (_, i) => backoffDelay(i + 1, undefined, () => 0.9999999) + 1);
    expect(bounds).toEqual([500, 1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000]);
  });

  it('rejects nonsense attempts', () => {
    expect(() => backoffDelay(0)).toThrow(RangeError);
  });
});

describe('nextRetryDelay', () => {
  it('user errors are never retried; transient ones until attempts run out; Retry-After wins', () => {
    expect(nextRetryDelay(userError('X', 'bad'), 1, 10)).toBeNull();
    expect(nextRetryDelay(transientError('Y', 'down'), 10, 10)).toBeNull();
    expect(nextRetryDelay(transientError('Y', 'limited', { retryAfterMs: 7000 }), 1, 10)).toBe(7000);
    expect(nextRetryDelay(transientError('Y', 'down'), 1, 10, { baseMs: 100, capMs: 100 }, () => 0.5)).toBe(50);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP-dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
