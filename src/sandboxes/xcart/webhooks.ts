// EXTENSION — not core X-Cart. X-Cart 5.5 has no outbound webhooks (specs §1.6); some stores add a
// webhook module. This simulates one so the push path can be tested, while connectors must still
// work by polling alone. Every order change is POSTed as JSON to the configured URL with
//   X-Syncline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
//   X-Syncline-Event-Id: <event id>     (the same id on a duplicate delivery)
// Faults: `duplicate` delivers an event twice; `outOfOrder` holds an event back and delivers it after
// the next one. Both are set in the webhook config or as custom faults `webhook_duplicate` /
// `webhook_out_of_order` on the route `POST /__sandbox/webhooks/deliver`.
import { createHmac, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { FaultInjector } from '../shared/faults.js';
import { Random } from '../shared/random.js';

export const webhookConfigSchema = z.object({
  url: z.url(),
  secret: z.string().min(8),
  /** Share of events delivered twice. */
  duplicate: z.number().min(0).max(1).default(0),
  /** Share of events held back and delivered after the next one. */
  outOfOrder: z.number().min(0).max(1).default(0),
  /** Attempts per delivery when the receiver does not answer 2xx (backoff 200 ms, 400 ms, …). */
  maxAttempts: z.number().int().min(1).max(10).default(3),
});
export type WebhookConfig = z.input<typeof webhookConfigSchema>;

export interface WebhookEvent {
  id: string;
  type: 'order.created' | 'order.updated' | 'product.updated';
  created_at: string;
  data: unknown;
}

export function signature(secret: string, t: number, body: string): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

export class WebhookPusher {
  private config: z.output<typeof webhookConfigSchema> | null = null;
  private held: WebhookEvent | null = null;
  private chain: Promise<void> = Promise.resolve();
  private readonly random = new Random(4242);
  readonly stats = { sent: 0, delivered: 0, failed: 0, duplicated: 0, reordered: 0 };

  constructor(private readonly faults: FaultInjector, private readonly now: () => number) {}

  configure(config: WebhookConfig | null): void {
    this.config = config === null ? null : webhookConfigSchema.parse(config);
  }

  get enabled(): boolean {
    return this.config !== null;
  }

  get current() {
    return this.config ? { ...this.config, secret: '***' } : null;
  }

  /** Queues an event; deliveries go out one at a time, in queue order (unless a fault reorders). */
  push(type: WebhookEvent['type'], data: unknown): void {
    const cfg = this.config;
    if (!cfg) return;
    const event: WebhookEvent = { id: randomUUID(), type, created_at: new Date(this.now() * 1000).toISOString(), data };
    const roll = (p: number, name: string) => (p > 0 && this.random.chance(p)) || this.faults.roll('POST', '/__sandbox/webhooks/deliver', name);
    const batch: WebhookEvent[] = [];
    if (!this.held && roll(cfg.outOfOrder, 'webhook_out_of_order')) {
      this.held = event;
      this.stats.reordered++;
      return;
    }
    batch.push(event);
    if (this.held) {
      batch.push(this.held);
      this.held = null;
    }
    for (const e of batch) {
      const times = roll(cfg.duplicate, 'webhook_duplicate') ? 2 : 1;
      if (times === 2) this.stats.duplicated++;
      for (let i = 0; i < times; i++) this.chain = this.chain.then(() => this.deliver(cfg, e));
    }
  }

  /** Sends anything held back (tests call this to finish a run). */
  async flush(): Promise<void> {
    if (this.held && this.config) {
      const e = this.held;
      this.held = null;
      const cfg = this.config;
      this.chain = this.chain.then(() => this.deliver(cfg, e));
    }
    await this.chain;
  }

  private async deliver(cfg: z.output<typeof webhookConfigSchema>, e: WebhookEvent): Promise<void> {
    const body = JSON.stringify(e);
    for (let attempt = 1; attempt <= cfg.maxAttempts; attempt++) {
      this.stats.sent++;
      try {
        const res = await fetch(cfg.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-syncline-signature': signature(cfg.secret, Math.floor(Date.now() / 1000), body), 'x-syncline-event-id': e.id, 'user-agent': 'X-Cart-Webhooks (Syncline sandbox extension)' },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        await res.arrayBuffer();
        if (res.ok) {
          this.stats.delivered++;
          return;
        }
      } catch {
        // receiver down: retry below
      }
      if (attempt < cfg.maxAttempts) await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
    }
    this.stats.failed++;
  }
}
