// Prometheus metrics (prom-client), labelled by flow and connection.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly eventsReceived = new Counter({ name: 'syncline_events_received_total', help: 'Events written to the inbox', labelNames: ['system', 'entity', 'connection'], registers: [this.registry] });
  readonly eventsDeduplicated = new Counter({ name: 'syncline_events_deduplicated_total', help: 'Duplicate deliveries absorbed by the inbox', labelNames: ['system', 'entity', 'connection'], registers: [this.registry] });
  // Labelled by connection only: the entity of an event nobody takes is whatever the sender wrote.
  readonly eventsUnrouted = new Counter({ name: 'syncline_events_unrouted_total', help: 'Events no flow takes, counted and not stored (decision 0006)', labelNames: ['connection'], registers: [this.registry] });
  readonly jobsSucceeded = new Counter({ name: 'syncline_jobs_succeeded_total', help: 'Jobs completed', labelNames: ['flow', 'connection'], registers: [this.registry] });
  readonly jobsSkipped = new Counter({ name: 'syncline_jobs_stale_skipped_total', help: 'Jobs skipped because a newer version of the record was already applied', labelNames: ['flow', 'connection'], registers: [this.registry] });
  readonly jobsRetried = new Counter({ name: 'syncline_jobs_retried_total', help: 'Job attempts that failed and were scheduled again', labelNames: ['flow', 'connection', 'code'], registers: [this.registry] });
  readonly jobsDeadLettered = new Counter({ name: 'syncline_jobs_dead_lettered_total', help: 'Jobs parked in the dead-letter queue', labelNames: ['flow', 'connection', 'code'], registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: 'syncline_queue_depth', help: 'Jobs by queue (flow) and state', labelNames: ['flow', 'state'], registers: [this.registry] });
  readonly stepDuration = new Histogram({
    name: 'syncline_step_duration_seconds',
    help: 'Duration of each flow step',
    labelNames: ['flow', 'step', 'connection'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Refreshes the queue-depth gauge (called on scrape). */
  setQueueDepth(counts: Array<{ queue: string; state: string; count: number }>): void {
    this.queueDepth.reset();
    for (const c of counts) this.queueDepth.set({ flow: c.queue, state: c.state }, c.count);
  }
}
