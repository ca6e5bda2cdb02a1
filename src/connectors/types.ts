// What a connector is (STYLE.md): data plus small functions. An id, the API version it speaks, a zod
// config schema, its auth with a connection test, its published rate limits, and its operations —
// one file each, each with input/output schemas and a link to the API doc it implements.
import type { z } from 'zod';
import type { HttpClient } from '../http/client.js';
import type { RateLimit, RateLimiter } from '../core/rate-limit.js';

export interface Operation<I, O, C = HttpClient> {
  /** Stable id, also the rate-limit bucket name (e.g. `getOrders`). */
  id: string;
  /** Link to the public API documentation this operation implements. */
  docs: string;
  input: z.ZodType<I>;
  output: z.ZodType<O>;
  run(client: C, input: I): Promise<O>;
}

/** Declares an operation; `call` validates input and output so a connector never passes garbage on. */
export function defineOperation<I, O, C = HttpClient>(op: Operation<I, O, C>): Operation<I, O, C> & { call(client: C, input: I): Promise<O> } {
  return {
    ...op,
    async call(client: C, input: I): Promise<O> {
      return op.run(client, op.input.parse(input));
    },
  };
}

export interface ConnectorDeps {
  /** Connection id (keys breaker, buckets, metrics). */
  connection: string;
  rateLimiter?: RateLimiter;
}

export interface ConnectorDefinition<Config, Client> {
  id: string;
  /** Human name and the API generation spoken, e.g. "X-Cart 5.5 REST API (API Platform)". */
  name: string;
  apiVersion: string;
  docs: string;
  configSchema: z.ZodType<Config>;
  /** Published (or configured) limits per operation id. */
  rateLimits: Record<string, RateLimit>;
  createClient(config: Config, deps: ConnectorDeps): Client;
  /** Cheapest authenticated call that proves the credentials work; throws a classified error if not. */
  testConnection(client: Client): Promise<void>;
}
