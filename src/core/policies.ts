// Retry policy shared by the queue (between attempts of a job) and the HTTP client (inside one call).
import { AsyncLocalStorage } from 'node:async_hooks';
import { SynclineError } from './errors.js';

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 300_000 };

/**
 * Exponential backoff with full jitter: delay = random(0, min(cap, base · 2^(attempt−1))).
 * Full jitter spreads a herd of failed jobs evenly instead of retrying them in lock-step.
 * Upper bounds with the defaults (ms), attempts 1…11: 500, 1000, 2000, 4000, 8000, 16000, 32000,
 * 64000, 128000, 256000, 300000 (capped from there on; the mean is half the bound).
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be an integer ≥ 1, got ${attempt}`);
  const exponent = Math.min(attempt - 1, 52);
  const bound = Math.min(options.capMs, options.baseMs * 2 ** exponent);
  return Math.floor(random() * bound);
}

/** When to try again after `err`, or null when it must not be retried (a `user` error, or attempts used up). */
export function nextRetryDelay(err: SynclineError, attempt: number, maxAttempts: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number | null {
  if (err.kind === 'user') return null;
  if (attempt >= maxAttempts) return null;
  // The other side told us how long to wait (Retry-After, rate-limit headers): do exactly that.
  if (err.retryAfterMs !== undefined) return err.retryAfterMs;
  return backoffDelay(attempt, options, random);
}

/** Parses a Retry-After header: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The longest a call made by a job sleeps in place before retrying (a Retry-After, an open circuit's wait). */
export const JOB_INLINE_WAIT_MS = 1_000;
const inJob = new AsyncLocalStorage<true>();

/** Runs a job's handler (the worker): the calls it makes wait at most JOB_INLINE_WAIT_MS in place. */
export function runAsJob<T>(fn: () => T): T {
  return inJob.run(true, fn);
}

/**
 * How long a retryable call may sleep before its next try, given its client's own limit. Inside a
 * job, a longer wait (5 s for each retry through an open circuit) held the worker slot while the
 * system was down, and the jobs waiting for one ERP starved every other flow: the error goes to the
 * worker instead, which puts the job back in the queue for that long and frees the slot.
 */
export function inlineWaitLimit(clientLimitMs: number): number {
  return inJob.getStore() ? Math.min(clientLimitMs, JOB_INLINE_WAIT_MS) : clientLimitMs;
}
