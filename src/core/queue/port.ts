// The durable job queue's port. Two adapters implement it (SQLite, PostgreSQL) and pass one
// contract suite (queue.contract.ts). Semantics, in one place:
// - enqueue: durable when the promise resolves; may join the caller's transaction (inbox write).
// - claim: leases up to `limit` ready jobs for `leaseMs`; attempts += 1. A job whose lease expires
//   (its worker died) is queued again by `reapExpiredLeases` and runs again.
// - ordering: jobs with the same ordering key run one at a time, in enqueue (id) order; a later
//   job of a key waits while an earlier one is queued (even for a retry in the future) or running.
//   Dead letters do not block their key: one poisoned event must not stall a record forever.
// - paused: a job of a disabled flow is enqueued 'paused': never claimed, and it does not block its
//   key for other flows' jobs; `release` queues a flow's paused jobs again, in their id order.
// - ack / retry / deadLetter take the lease token (id + attempt): a worker whose lease expired and
//   whose job was re-leased cannot ack or fail the new lease.
import type { Kysely } from 'kysely';
import type { Database, JobState } from '../db/schema.js';
import type { SerializedError } from '../errors.js';

export interface EnqueueInput {
  queue: string;
  payload: unknown;
  orderingKey?: string | null;
  /** Epoch ms; default now. */
  runAt?: number;
  maxAttempts?: number;
  eventId?: number | null;
  /** 'paused': stored but not claimed until `release` (a disabled flow's job). Default: queued. */
  state?: 'paused';
}

export interface AttemptRecord {
  attempt: number;
  at: number;
  error: SerializedError | null;
  /** 'retry' | 'dead' | 'lease-expired' | 'replayed' | 'discarded' */
  outcome: string;
}

export interface LeasedJob<P = unknown> {
  id: number;
  queue: string;
  orderingKey: string | null;
  payload: P;
  /** This attempt's number (1 on the first run); also the lease token. */
  attempt: number;
  maxAttempts: number;
  eventId: number | null;
  createdAt: number;
  /** Attempts recorded before this lease (failures, expired leases, replays): > 0 means an earlier try may have had effects. */
  previousAttempts: number;
}

export interface LeaseToken {
  id: number;
  attempt: number;
}

export interface JobView {
  id: number;
  queue: string;
  orderingKey: string | null;
  state: JobState;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
  runAt: number;
  eventId: number | null;
  lastError: SerializedError | null;
  history: AttemptRecord[];
  createdAt: number;
  updatedAt: number;
}

export type Executor = Kysely<Database>;

export interface QueuePort {
  enqueue(jobs: EnqueueInput[], trx?: Executor): Promise<number[]>;
  claim(opts: { workerId: string; limit: number; leaseMs: number; queues?: string[] }): Promise<LeasedJob[]>;
  extendLease(tokens: LeaseToken[], leaseMs: number): Promise<void>;
  ack(tokens: LeaseToken[], trx?: Executor): Promise<number>;
  retry(token: LeaseToken, runAt: number, error: SerializedError, trx?: Executor): Promise<boolean>;
  deadLetter(token: LeaseToken, error: SerializedError, trx?: Executor): Promise<boolean>;
  /** Queues running jobs whose lease has expired; returns how many. */
  reapExpiredLeases(now?: number): Promise<number>;
  /** Dead letters back to the queue, attempts reset; optionally with an edited payload (one id). */
  replay(ids: number[], edit?: { payload: unknown }): Promise<number>;
  discard(ids: number[]): Promise<number>;
  /** The paused jobs of these queues (flows) queued again, to run in their id order; returns how many. */
  release(queues: string[]): Promise<number>;
  get(id: number): Promise<JobView | undefined>;
  list(opts: { state?: JobState; queue?: string; limit?: number; offset?: number }): Promise<JobView[]>;
  counts(): Promise<Array<{ queue: string; state: string; count: number }>>;
  /** Wakes local waiters when work is enqueued in this process (and, on PostgreSQL, in any process: LISTEN/NOTIFY). */
  onEnqueue(listener: () => void): () => void;
  /** True while enqueues in other processes wake this one's workers, so idle polling can be rare. */
  readonly wakesAcrossProcesses?: boolean;
}
