// Fault injection shared by every sandbox: per-route latency, 5xx, 429 with Retry-After, timeouts and
// dropped connections. Configured at start (`--faults`) and at run time (PUT /__sandbox/faults).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Random } from './random.js';

export const faultRuleSchema = z.object({
  /** `METHOD /path` prefix or `/path` prefix; `*` matches anything. Omitted: every route. */
  route: z.string().optional(),
  latencyMs: z.union([z.number().nonnegative(), z.object({ min: z.number().nonnegative(), max: z.number().nonnegative() })]).optional(),
  /** Shares in [0, 1] of matching requests. */
  error5xx: z.number().min(0).max(1).optional(),
  status5xx: z.number().int().min(500).max(599).optional(),
  rate429: z.number().min(0).max(1).optional(),
  retryAfterS: z.number().nonnegative().optional(),
  /** Never answer: the client's timeout must fire. */
  timeout: z.number().min(0).max(1).optional(),
  /** Close the socket without an answer. */
  drop: z.number().min(0).max(1).optional(),
  /** Sandbox-specific faults (e.g. Sage 300 record lock, X3 lock), read by the sandbox itself. */
  custom: z.record(z.string(), z.number().min(0).max(1)).optional(),
});
export const faultConfigSchema = z.object({ rules: z.array(faultRuleSchema).default([]), seed: z.number().int().optional() });
export type FaultRule = z.infer<typeof faultRuleSchema>;
export type FaultConfig = z.input<typeof faultConfigSchema>;

/** Renders the system's own error body for an injected status (each sandbox answers in its dialect). */
export type ErrorRenderer = (status: number, reply: FastifyReply, req: FastifyRequest) => unknown;

export class FaultInjector {
  private rules: FaultRule[] = [];
  private random: Random;
  /** Counts of injected faults by kind, for tests that need to know faults really happened. */
  readonly injected: Record<string, number> = {};

  constructor(config: FaultConfig = { rules: [] }) {
    const parsed = faultConfigSchema.parse(config);
    this.rules = parsed.rules;
    this.random = new Random(parsed.seed ?? 42);
  }

  set(config: FaultConfig): void {
    const parsed = faultConfigSchema.parse(config);
    this.rules = parsed.rules;
    if (parsed.seed !== undefined) this.random = new Random(parsed.seed);
  }

  get config(): { rules: FaultRule[] } {
    return { rules: this.rules };
  }

  matching(method: string, url: string): FaultRule[] {
    if (this.rules.length === 0) return [];
    const path = url.split('?')[0] ?? url;
    return this.rules.filter((r) => matches(r.route, method, path));
  }

  /** Rolls a sandbox-specific fault (e.g. 'lock') for this request. */
  roll(method: string, url: string, name: string): boolean {
    for (const rule of this.matching(method, url)) {
      const p = rule.custom?.[name];
      if (p && this.random.chance(p)) {
        this.count(name);
        return true;
      }
    }
    return false;
  }

  private count(kind: string): void {
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
  }

  /** Installs the hook and the admin routes. Call before the sandbox's own routes. */
  install(app: FastifyInstance, renderError: ErrorRenderer): void {
    app.addHook('onRequest', async (req, reply) => {
      if (req.url.startsWith('/__sandbox')) return;
      for (const rule of this.matching(req.method, req.url)) {
        if (rule.latencyMs !== undefined) {
          const ms = typeof rule.latencyMs === 'number' ? rule.latencyMs : rule.latencyMs.min + this.random.next() * (rule.latencyMs.max - rule.latencyMs.min);
          if (ms > 0) await new Promise((r) => setTimeout(r, ms));
        }
        if (rule.drop && this.random.chance(rule.drop)) {
          this.count('drop');
          req.raw.socket.destroy();
          return reply.hijack();
        }
        if (rule.timeout && this.random.chance(rule.timeout)) {
          this.count('timeout');
          // Hold the request open; the socket is released when the client gives up.
          reply.hijack();
          return;
        }
        if (rule.rate429 && this.random.chance(rule.rate429)) {
          this.count('429');
          reply.code(429).header('retry-after', String(rule.retryAfterS ?? 1));
          return reply.send(renderError(429, reply, req));
        }
        if (rule.error5xx && this.random.chance(rule.error5xx)) {
          this.count('5xx');
          const status = rule.status5xx ?? 503;
          reply.code(status);
          return reply.send(renderError(status, reply, req));
        }
      }
    });
    app.get('/__sandbox/faults', async () => ({ ...this.config, injected: this.injected }));
    app.put('/__sandbox/faults', async (req, reply) => {
      const parsed = faultConfigSchema.safeParse(req.body);
      if (!parsed.success) return reply.code(400).send({ error: 'invalid fault config', issues: parsed.error.issues });
      this.set(parsed.data);
      return this.config;
    });
  }
}

function matches(route: string | undefined, method: string, path: string): boolean {
  if (!route || route === '*') return true;
  const m = /^(GET|POST|PUT|PATCH|DELETE)\s+(.*)$/i.exec(route.trim());
  const [wantMethod, wantPath] = m ? [m[1]!.toUpperCase(), m[2]!] : [undefined, route.trim()];
  if (wantMethod && wantMethod !== method.toUpperCase()) return false;
  const prefix = wantPath.endsWith('*') ? wantPath.slice(0, -1) : wantPath;
  return path.startsWith(prefix);
}

/** `--faults` accepts inline JSON or a path to a JSON file. */
export async function readFaultsOption(value: string | undefined): Promise<FaultConfig | undefined> {
  if (!value) return undefined;
  const text = value.trim().startsWith('{') ? value : await (await import('node:fs/promises')).readFile(value, 'utf8');
  return faultConfigSchema.parse(JSON.parse(text));
}
