// What a connector is (STYLE.md): data plus small functions. An id, the API version it speaks, a zod
// config schema, its auth with a connection test, its published rate limits, and its operations —
// one file each, each with input/output schemas and a link to the API doc it implements.
import { ZodError, type z } from 'zod';
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

/** An operation with `call`: input checked (in its schema's input form) before anything is sent. */
export interface DefinedOperation<IS extends z.ZodType, OS extends z.ZodType, C> extends Operation<z.output<IS>, z.output<OS>, C> {
  call(client: C, input: z.input<IS>): Promise<z.output<OS>>;
}

/**
 * Each connector declares its operations through one of these, naming the `user` error a bad input
 * becomes (e.g. SAGE300_INVALID_INPUT) — never a raw ZodError, which the engine would take for a bug.
 */
/**
 * `unexpectedAnswer`: what a schema error escaping an operation's run becomes (a connector's reading
 * of an answer that lacks the documented shape), instead of a bare ZodError; without it, it escapes.
 */
export function operationDefiner<C>(invalidInput: (operation: string, error: z.ZodError) => Error, unexpectedAnswer?: (operation: string, error: z.ZodError) => Error) {
  return function define<IS extends z.ZodType, OS extends z.ZodType>(op: {
    id: string;
    docs: string;
    input: IS;
    output: OS;
    run(client: C, input: z.output<IS>): Promise<z.output<OS>>;
  }): DefinedOperation<IS, OS, C> {
    return {
      // zod's generic ZodType<I> is not inferred from a concrete schema type; the shapes are the same.
      ...(op as unknown as Operation<z.output<IS>, z.output<OS>, C>),
      async call(client: C, input: z.input<IS>): Promise<z.output<OS>> {
        const parsed = op.input.safeParse(input);
        if (!parsed.success) throw invalidInput(op.id, parsed.error);
        try {
          return await op.run(client, parsed.data as z.output<IS>);
        } catch (e) {
          throw unexpectedAnswer && e instanceof ZodError ? unexpectedAnswer(op.id, e) : e;
        }
      },
    };
  };
}

/** Formats zod issues the same way for every connector's input error. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
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
  /**
   * Cheapest authenticated call that proves the credentials work; throws a classified error if not.
   * May return notes an operator should read (e.g. a safeguard of the target's that is off).
   */
  testConnection(client: Client): Promise<void | { notes?: string[] }>;
}
