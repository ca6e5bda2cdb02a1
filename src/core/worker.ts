// The worker runtime: leases jobs, runs their handler with a concurrency limit, and settles each
// attempt — ack on success, retry with backoff for transient errors, dead letter for user errors or
// exhausted attempts. At-least-once execution; handlers make effects idempotent (xref, references).
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import { toSynclineError, type SynclineError } from './errors.js';
import { DEFAULT_BACKOFF, nextRetryDelay, runAsJob, type BackoffOptions } from './policies.js';
import type { LeaseToken, LeasedJob, QueuePort } from './queue/port.js';

export interface HandlerResult {
  /** Writes that must commit together with the ack. */
  commit?: (trx: Kysely<Database>) => Promise<void>;
  /** Writes handed to `WorkerOptions.commitBatch` with those of the other acks of its batch (one statement per table, not per job). */
  batched?: unknown;
}

export type JobHandler = (job: LeasedJob, signal: AbortSignal) => Promise<HandlerResult | void>;

export interface WorkerHooks {
  onSuccess?(job: LeasedJob, ms: number): void;
  onRetry?(job: LeasedJob, err: SynclineError, delayMs: number): void;
  onDead?(job: LeasedJob, err: SynclineError): void;
  /** The handler failed and also could not write its failure (e.g. database down). */
  onInternalError?(err: unknown): void;
  /** Lets a handler record the failure's run history in the same transaction as the retry/dead letter. */
  onFailureCommit?(job: LeasedJob, err: SynclineError, outcome: 'retry' | 'dead', trx: Kysely<Database>): Promise<void>;
}

export interface WorkerOptions {
  workerId?: string;
  /** Jobs running at once in this process (different ordering keys run in parallel). */
  concurrency?: number;
  leaseMs?: number;
  /** Idle poll interval; in-process enqueues wake the worker at once. */
  pollMs?: number;
  queues?: string[];
  backoff?: BackoffOptions;
  hooks?: WorkerHooks;
  /** Acks are committed in batches; this is the longest an ack waits for companions. */
  ackFlushMs?: number;
  /**
   * Connection health (src/core/connection-health.ts): queues not to claim while a connection they
   * use is paused, and failures that hold a job (it waits `ms`, the attempt is not counted, it is
   * never dead-lettered for it) instead of failing it — refused credentials, which retrying cannot fix.
   */
  pause?: { pausedQueues(): Set<string>; allQueues(): string[]; hold(queue: string, err: SynclineError): number | undefined };
  /** Commits the `batched` writes of a batch of acks, in the acks' transaction (run history, xref, applied versions). */
  commitBatch?: (items: unknown[], trx: Kysely<Database>) => Promise<void>;
}

interface PendingAck {
  token: LeaseToken;
  commit?: HandlerResult['commit'];
  batched?: unknown;
  resolve(): void;
  reject(e: unknown): void;
}

export class Worker {
  readonly id: string;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private running = false;
  private loop?: Promise<void>;
  private readonly inFlight = new Map<number, { job: LeasedJob; abort: AbortController }>();
  private wake?: () => void;
  /** A wake is scheduled (wakeSoon): the jobs of one ack flush wake the claim loop once. */
  private wakePending = false;
  private pendingAcks: PendingAck[] = [];
  private flushTimer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe?: () => void;

  constructor(
    private readonly queue: QueuePort,
    private readonly db: Kysely<Database>,
    private readonly handlers: Record<string, JobHandler>,
    private readonly options: WorkerOptions = {},
  ) {
    this.id = options.workerId ?? `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.concurrency = options.concurrency ?? 16;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 50;
    if (this.concurrency < 1) throw new RangeError('concurrency must be ≥ 1');
    if (this.leaseMs < 100) throw new RangeError('leaseMs must be ≥ 100');
  }

  get activeJobs(): number {
    return this.inFlight.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.queue.onEnqueue(() => this.wake?.());
    // Heartbeat: long jobs keep their lease. Reaper: jobs of dead workers run again.
    this.timers.push(setInterval(() => void this.heartbeat(), Math.max(50, this.leaseMs / 3)));
    this.timers.push(setInterval(() => void this.queue.reapExpiredLeases().catch((e) => this.options.hooks?.onInternalError?.(e)), Math.max(100, this.leaseMs / 2)));
    this.loop = this.run();
  }

  /** Stops claiming, lets in-flight jobs finish (graceful drain), commits their acks. */
  async stop(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    this.wake?.();
    await this.loop;
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    while (this.inFlight.size > 0 && Date.now() < deadline) await sleep(10);
    // Jobs still running after the timeout are abandoned; their leases expire and they run again.
    for (const { abort } of this.inFlight.values()) abort.abort();
    await this.flushAcks();
    await this.flushing;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  private async run(): Promise<void> {
    while (this.running) {
      const free = this.concurrency - this.inFlight.size;
      if (free <= 0) {
        await this.idle(this.pollMs);
        continue;
      }
      let jobs: LeasedJob[] = [];
      let queues = this.options.queues;
      const paused = this.options.pause?.pausedQueues();
      if (paused?.size) {
        queues = (queues ?? this.options.pause!.allQueues()).filter((q) => !paused.has(q));
        if (queues.length === 0) {
          await this.idle(Math.max(this.pollMs, 500));
          continue;
        }
      }
      try {
        jobs = await this.queue.claim({ workerId: this.id, limit: free, leaseMs: this.leaseMs, queues });
      } catch (e) {
        this.options.hooks?.onInternalError?.(e);
        await this.idle(Math.max(this.pollMs, 500));
        continue;
      }
      for (const job of jobs) this.execute(job);
      // With LISTEN/NOTIFY every enqueue (and every freed ordering key) wakes us: the idle poll is
      // only a safety net and the clock for retries coming due, so once a second is enough.
      if (jobs.length === 0) await this.idle(this.queue.wakesAcrossProcesses ? Math.max(this.pollMs, IDLE_POLL_WITH_NOTIFY_MS) : this.pollMs);
    }
  }

  /**
   * Wakes the claim loop once the jobs finishing together (the acks of one flush) have all left: a
   * wake per job claimed one job at a time, a write transaction each (issue 9/12).
   */
  private wakeSoon(): void {
    if (this.wakePending) return;
    this.wakePending = true;
    setImmediate(() => {
      this.wakePending = false;
      this.wake?.();
    });
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private execute(job: LeasedJob): void {
    const abort = new AbortController();
    this.inFlight.set(job.id, { job, abort });
    const started = performance.now();
    const handler = this.handlers[job.queue];
    const work = handler
      ? runAsJob(() => handler(job, abort.signal))
      : Promise.reject(toSynclineError(new Error(`no handler for queue "${job.queue}"`)));
    work
      .then(
        async (result) => {
          await this.ackLater({ id: job.id, attempt: job.attempt }, result ?? undefined);
          this.options.hooks?.onSuccess?.(job, performance.now() - started);
        },
        async (raw) => this.fail(job, toSynclineError(raw)),
      )
      .catch((e) => this.options.hooks?.onInternalError?.(e))
      .finally(() => {
        this.inFlight.delete(job.id);
        this.wakeSoon();
      });
  }

  private async fail(job: LeasedJob, err: SynclineError): Promise<void> {
    const holdMs = this.options.pause?.hold(job.queue, err);
    if (holdMs !== undefined) {
      await this.db.transaction().execute(async (trx) => {
        if (!(await this.queue.retry({ id: job.id, attempt: job.attempt }, Date.now() + holdMs, err.toJSON(), trx))) return;
        // A held attempt is not counted: the job keeps its whole retry budget for when it can run.
        await trx.updateTable('jobs').set((eb) => ({ attempts: eb('attempts', '-', 1) })).where('id', '=', job.id).where('state', '=', 'queued').where('attempts', '>', 0).execute();
        await this.options.hooks?.onFailureCommit?.(job, err, 'retry', trx);
      });
      return;
    }
    const delay = nextRetryDelay(err, job.attempt, job.maxAttempts, this.options.backoff ?? DEFAULT_BACKOFF);
    const token = { id: job.id, attempt: job.attempt };
    const outcome = delay === null ? 'dead' : 'retry';
    await this.db.transaction().execute(async (trx) => {
      const settled = delay === null ? await this.queue.deadLetter(token, err.toJSON(), trx) : await this.queue.retry(token, Date.now() + delay, err.toJSON(), trx);
      if (settled) await this.options.hooks?.onFailureCommit?.(job, err, outcome, trx);
    });
    if (delay === null) this.options.hooks?.onDead?.(job, err);
    else this.options.hooks?.onRetry?.(job, err, delay);
  }

  // Acks from many jobs commit in one transaction: one fsync for a batch instead of one per job.
  private ackLater(token: LeaseToken, result?: HandlerResult): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pendingAcks.push({ token, commit: result?.commit, batched: result?.batched, resolve, reject });
      if (this.pendingAcks.length >= 256) void this.flushAcks();
      else this.flushTimer ??= setTimeout(() => void this.flushAcks(), this.options.ackFlushMs ?? 2);
    });
  }

  private flushAcks(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.pendingAcks;
    this.pendingAcks = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(async () => {
      try {
        await this.commitAcks(batch);
        for (const a of batch) a.resolve();
      } catch {
        // One bad companion must not fail the rest: settle them one by one.
        for (const a of batch) {
          try {
            await this.commitAcks([a]);
            a.resolve();
          } catch (e) {
            a.reject(e);
          }
        }
      }
    });
    return this.flushing;
  }

  private async commitAcks(batch: PendingAck[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const a of batch) await a.commit?.(trx);
      const batched = batch.filter((a) => a.batched !== undefined).map((a) => a.batched);
      if (batched.length) {
        if (!this.options.commitBatch) throw new TypeError('a handler returned batched writes, but the worker has no commitBatch');
        await this.options.commitBatch(batched, trx);
      }
      await this.queue.ack(
        batch.map((a) => a.token),
        trx,
      );
    });
  }

  private async heartbeat(): Promise<void> {
    if (this.inFlight.size === 0) return;
    const tokens = [...this.inFlight.values()].map(({ job }) => ({ id: job.id, attempt: job.attempt }));
    try {
      await this.queue.extendLease(tokens, this.leaseMs);
    } catch (e) {
      this.options.hooks?.onInternalError?.(e);
    }
  }
}

const IDLE_POLL_WITH_NOTIFY_MS = 1_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
