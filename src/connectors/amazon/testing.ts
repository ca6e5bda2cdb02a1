// Test helpers: a connector client wired to a running sandbox's URLs and credentials.
import { randomUUID } from 'node:crypto';
import { SpApiClient, type AmazonConfigInput } from './client.js';
import { MemoryRateLimiter } from '../../core/rate-limit.js';

export interface SandboxLike {
  url: string;
  credentials: Record<string, unknown>;
}

export function clientFor(sb: SandboxLike, overrides: Partial<AmazonConfigInput> = {}, deps: { maxAttempts?: number; maxInlineWaitMs?: number } = {}): SpApiClient {
  const c = sb.credentials as Record<string, string>;
  return new SpApiClient(
    { endpoint: sb.url, lwaUrl: c.lwaUrl ?? `${sb.url}/auth/o2/token`, clientId: c.clientId!, clientSecret: c.clientSecret!, refreshToken: c.refreshToken!, sellerId: c.sellerId!, sqsQueueUrl: c.sqsQueueUrl, ...overrides },
    { connection: `amazon-test-${randomUUID()}`, rateLimiter: new MemoryRateLimiter(), ...deps },
  );
}
