// Group commit for webhook intake. Concurrent webhook requests are written to the inbox in one
// transaction instead of one each: on SQLite a transaction costs a mutex hand-off, BEGIN and COMMIT
// (a WAL append) whatever its size, so sharing it multiplies throughput under load while each
// request still gets its own answer only after the shared transaction has committed.
//
// Batches form by themselves: while one transaction runs, arriving requests wait for the next, so a
// lone request is never delayed (it is flushed on the next turn of the event loop) and a burst is
// absorbed in a few transactions.
import type { Engine, IntakeResult } from '../core/engine.js';
import { transientError } from '../core/errors.js';
import type { IncomingEvent } from '../core/triggers.js';

interface Pending {
  events: IncomingEvent[];
  connection: string;
  resolve(r: IntakeResult): void;
  reject(e: unknown): void;
}

export class IntakeBatcher {
  private pending: Pending[] = [];
  private running = false;
  private scheduled = false;

  constructor(
    private readonly engine: Engine<any>,
    /** Most requests per transaction: bounds how long one transaction holds the writer. */
    private readonly maxBatch = 256,
    /**
     * Most requests waiting for a transaction. Beyond it the database cannot keep up and waiting
     * longer only grows memory and latency: refuse at once with 503 + Retry-After (senders retry).
     */
    private readonly maxPending = 5_000,
  ) {}

  intake(events: IncomingEvent[], connection: string): Promise<IntakeResult> {
    if (this.pending.length >= this.maxPending) {
      return Promise.reject(transientError('WEBHOOK_INTAKE_UNAVAILABLE', `the inbox is ${this.pending.length} requests behind; nothing was accepted, retry later`, { retryAfterMs: 1000 }));
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ events, connection, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.running || this.pending.length === 0) return;
    this.running = true;
    const batch = this.pending.splice(0, this.maxBatch);
    try {
      if (batch.length === 1) {
        await this.one(batch[0]!);
      } else {
        const results: IntakeResult[] = [];
        try {
          await this.engine.store.db.transaction().execute(async (trx) => {
            for (const p of batch) results.push(await this.engine.intake(p.events, { connection: p.connection, trx }));
          });
        } catch {
          // One request's failure must not fail its neighbours: nothing committed, so each is
          // written again on its own and gets its own outcome.
          for (const p of batch) await this.one(p);
          return;
        }
        batch.forEach((p, i) => p.resolve(results[i]!));
      }
    } finally {
      this.running = false;
      if (this.pending.length) this.schedule();
    }
  }

  private async one(p: Pending): Promise<void> {
    try {
      p.resolve(await this.engine.intake(p.events, { connection: p.connection }));
    } catch (e) {
      p.reject(e);
    }
  }
}
