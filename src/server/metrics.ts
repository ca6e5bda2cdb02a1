// The server's own metrics, registered on the engine's registry so /metrics shows one page.
import { Counter, Histogram, type Registry } from 'prom-client';

export interface ServerMetrics {
  webhookRequests: Counter<'connection' | 'status'>;
  webhookDuration: Histogram<'connection'>;
}

// A second server on the same engine (tests, a restart in-process) must reuse, not re-register.
function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function serverMetrics(registry: Registry): ServerMetrics {
  return {
    webhookRequests: once(registry, 'syncline_webhook_requests_total', () =>
      new Counter({ name: 'syncline_webhook_requests_total', help: 'Webhook requests by connection and HTTP status', labelNames: ['connection', 'status'], registers: [registry] }),
    ),
    webhookDuration: once(registry, 'syncline_webhook_intake_seconds', () =>
      new Histogram({
        name: 'syncline_webhook_intake_seconds',
        help: 'Accepted webhooks: verification, parsing and the durable inbox write',
        labelNames: ['connection'],
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
        registers: [registry],
      }),
    ),
  };
}
