// The queue on the store's own tables, so an event and its jobs commit in one transaction.
// SQLite and PostgreSQL differ only in how a batch is claimed and acked (see the subclasses).
// Why not pg-boss or graphile-worker: docs/decisions/0002-job-queue.md.
import { EventEmitter } from 'node:events';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { Database, JobRow, JobState } from '../db/schema.js';
import { payloadCodec, type PayloadCodec } from '../payload-codec.js';
import { redact } from '../redact.js';
import type { Store } from '../db/database.js';
import { chunks } from '../batch-loader.js';
import { insertRows } from '../db/rows.js';
import type { SerializedError } from '../errors.js';
import type { AttemptRecord, EnqueueInput, Executor, JobView, LeaseToken, LeasedJob, QueuePort } from './port.js';

export const DEFAULT_MAX_ATTEMPTS = 12;

/**
 * A job whose payload is `{ ...the event's keys, payloadInEvent: true }` refers to its inbox event
 * (jobs.event_id) for the record instead of holding a second sealed copy (issue 12). Views (get,
 * list: the dead letters) show it with the event's payload, as if the job held it; a replay with an
 * edited payload stores the edit in the job, which then holds its record itself.
 */
export const isEventRef = (p: unknown): p is Record<string, unknown> & { payloadInEvent: true } => typeof p === 'object' && p !== null && (p as { payloadInEvent?: unknown }).payloadInEvent === true;

/** The job payload with the event's record in place of the reference (null when the event is gone). */
export function withEventPayload(ref: Record<string, unknown>, eventPayload: unknown): Record<string, unknown> {
  const { payloadInEvent: _, ...meta } = ref;
  return { ...meta, payload: eventPayload };
}

/**
 * Before an event's payload is changed in place (privacy erase), the queued and running jobs that
 * refer to it get their own copy of the record as it was, so they deliver what was received.
 */
export async function detachJobsFromEvent(db: Executor, codec: PayloadCodec, eventId: number, eventPayload: unknown): Promise<void> {
  const rows = await db.selectFrom('jobs').select(['id', 'payload']).where('event_id', '=', eventId).where('state', 'in', ['queued', 'running', 'paused']).execute();
  for (const r of rows) {
    const p = codec.decode(r.payload);
    if (isEventRef(p)) await db.updateTable('jobs').set({ payload: codec.encode(withEventPayload(p, eventPayload)) }).where('id', '=', r.id).execute();
  }
}

export abstract class SqlQueue implements QueuePort {
  protected readonly db: Kysely<Database>;
  private readonly emitter = new EventEmitter();

  constructor(protected readonly store: Store) {
    this.db = store.db;
    this.emitter.setMaxListeners(0);
  }

  onEnqueue(listener: () => void): () => void {
    this.emitter.on('enqueue', listener);
    return () => this.emitter.off('enqueue', listener);
  }

  async enqueue(jobs: EnqueueInput[], trx?: Executor): Promise<number[]> {
    if (jobs.length === 0) return [];
    const now = Date.now();
    const codec = payloadCodec(this.store);
    const rows = jobs.map((j) => [
      j.queue,
      j.orderingKey ?? null,
      // A job that refers to its event holds no record, only the event's keys, which the events row
      // (record_id) and the ordering key keep in clear anyway: sealing it cost a seal on enqueue and
      // an open on every claim for nothing (issue 12). A record in a job is sealed as always.
      isEventRef(j.payload) ? JSON.stringify(j.payload) : codec.encode(j.payload ?? null),
      j.state ?? 'queued',
      j.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      j.runAt ?? now,
      j.eventId ?? null,
      now,
      now,
    ]);
    const inserted = await insertRows<{ id: number }>(trx ?? this.db, 'jobs', ['queue', 'ordering_key', 'payload', 'state', 'max_attempts', 'run_at', 'event_id', 'created_at', 'updated_at'], rows, 'returning "id"');
    // Ids in insertion order: RETURNING does not promise it, but rowids of one insert rise in the order written.
    const ids = inserted.map((r) => Number(r.id)).sort((a, b) => a - b);
    // Other processes' workers: on PostgreSQL a NOTIFY that is delivered when the transaction commits.
    await this.notify(trx ?? this.db);
    // Wake local workers; when inside a caller's transaction they may look before it commits and
    // find nothing, and the next poll finds it.
    queueMicrotask(() => this.emitter.emit('enqueue'));
    return ids;
  }

  /** Tells workers in other processes that jobs may be ready; nothing to do for one SQLite process. */
  protected async notify(_db: Executor): Promise<void> {}

  /** True while workers in other processes wake this one (then idle polling can be rare). */
  get wakesAcrossProcesses(): boolean {
    return false;
  }

  /** Closes what the queue opened itself (the LISTEN connection on PostgreSQL). */
  async close(): Promise<void> {}

  protected emitEnqueue(): void {
    this.emitter.emit('enqueue');
  }

  abstract claim(opts: { workerId: string; limit: number; leaseMs: number; queues?: string[] }): Promise<LeasedJob[]>;
  abstract ack(tokens: LeaseToken[], trx?: Executor): Promise<number>;

  async extendLease(tokens: LeaseToken[], leaseMs: number): Promise<void> {
    const until = Date.now() + leaseMs;
    for (const t of tokens) {
      await this.db.updateTable('jobs').set({ lease_until: until }).where('id', '=', t.id).where('attempts', '=', t.attempt).where('state', '=', 'running').execute();
    }
  }

  async retry(token: LeaseToken, runAt: number, error: SerializedError, trx?: Executor): Promise<boolean> {
    return this.finishAttempt(token, { state: 'queued', run_at: runAt }, error, 'retry', trx);
  }

  async deadLetter(token: LeaseToken, error: SerializedError, trx?: Executor): Promise<boolean> {
    return this.finishAttempt(token, { state: 'dead' }, error, 'dead', trx);
  }

  private async finishAttempt(token: LeaseToken, set: { state: 'queued' | 'dead'; run_at?: number }, raw: SerializedError, outcome: string, trx?: Executor): Promise<boolean> {
    // The error is stored in clear (the payload is sealed): personal data a message quotes is masked.
    const error = redact(raw);
    const run = async (db: Executor) => {
      const row = await db.selectFrom('jobs').select(['history']).where('id', '=', token.id).where('attempts', '=', token.attempt).where('state', '=', 'running').executeTakeFirst();
      if (!row) return false;
      const history = appendHistory(row.history, { attempt: token.attempt, at: Date.now(), error, outcome });
      const res = await db
        .updateTable('jobs')
        .set({ ...set, lease_until: null, worker_id: null, last_error: JSON.stringify(error), history, updated_at: Date.now() })
        .where('id', '=', token.id)
        .where('attempts', '=', token.attempt)
        .where('state', '=', 'running')
        .executeTakeFirst();
      // A dead letter no longer holds its ordering key: the next job of the key may run now.
      if (set.state === 'dead' && Number(res.numUpdatedRows) === 1) await this.notify(db);
      return Number(res.numUpdatedRows) === 1;
    };
    return trx ? run(trx) : this.db.transaction().execute(run);
  }

  async reapExpiredLeases(now = Date.now()): Promise<number> {
    const expired = await this.db
      .selectFrom('jobs')
      .select(['id', 'attempts', 'max_attempts', 'history'])
      .where('state', '=', 'running')
      .where('lease_until', '<', now)
      .limit(1000)
      .execute();
    let n = 0;
    for (const job of expired) {
      // A job that kills its worker every time would loop forever: past its budget it is dead.
      const exhausted = job.attempts >= job.max_attempts;
      const error: SerializedError | null = exhausted
        ? { code: 'JOB_LEASE_EXPIRED', kind: 'bug', message: `the worker running this job stopped (lease expired) on each of ${job.attempts} attempts`, details: {} }
        : null;
      const history = appendHistory(job.history, { attempt: job.attempts, at: now, error, outcome: 'lease-expired' });
      const res = await this.db
        .updateTable('jobs')
        .set({
          state: exhausted ? 'dead' : 'queued',
          run_at: now,
          lease_until: null,
          worker_id: null,
          history,
          updated_at: now,
          ...(error ? { last_error: JSON.stringify(error) } : {}),
        })
        .where('id', '=', job.id)
        .where('attempts', '=', job.attempts)
        .where('state', '=', 'running')
        .where('lease_until', '<', now)
        .executeTakeFirst();
      n += Number(res.numUpdatedRows);
    }
    if (n > 0) {
      this.emitter.emit('enqueue');
      await this.notify(this.db);
    }
    return n;
  }

  async replay(ids: number[], edit?: { payload: unknown }): Promise<number> {
    if (ids.length === 0) return 0;
    if (edit && ids.length !== 1) throw new RangeError('an edited payload replays exactly one dead letter');
    const now = Date.now();
    let n = 0;
    await this.db.transaction().execute(async (trx) => {
      const rows = await trx.selectFrom('jobs').select(['id', 'attempts', 'history', 'payload']).where('id', 'in', ids).where('state', '=', 'dead').execute();
      const codec = payloadCodec(this.store);
      for (const row of rows) {
        const history = appendHistory(row.history, { attempt: row.attempts, at: now, error: null, outcome: edit ? 'replayed-with-edit' : 'replayed' });
        // A replay runs the flow as deployed now, not the version the event first met (decision 0012):
        // a dead letter is replayed after its cause was fixed — a lookup entry, a mapping, the flow.
        const payload = currentVersion(edit ? edit.payload : codec.decode(row.payload));
        const res = await trx
          .updateTable('jobs')
          // attempts restart from 0 so the replay gets a full retry budget; history keeps the past.
          .set({ state: 'queued', run_at: now, attempts: 0, history, updated_at: now, payload: codec.encode(payload) })
          .where('id', '=', row.id)
          .where('state', '=', 'dead')
          .executeTakeFirst();
        n += Number(res.numUpdatedRows);
      }
      if (n > 0) await this.notify(trx);
    });
    if (n > 0) this.emitter.emit('enqueue');
    return n;
  }

  async discard(ids: number[]): Promise<number> {
    if (ids.length === 0) return 0;
    const res = await this.db.deleteFrom('jobs').where('id', 'in', ids).where('state', '=', 'dead').executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async release(queues: string[]): Promise<number> {
    if (queues.length === 0) return 0;
    let n = 0;
    await this.db.transaction().execute(async (trx) => {
      // run_at stays as enqueued: claim takes ready jobs by (run_at, id), so they run in their order.
      const res = await trx.updateTable('jobs').set({ state: 'queued', updated_at: Date.now() }).where('state', '=', 'paused').where('queue', 'in', queues).executeTakeFirst();
      n = Number(res.numUpdatedRows);
      if (n > 0) await this.notify(trx);
    });
    if (n > 0) this.emitter.emit('enqueue');
    return n;
  }

  async get(id: number): Promise<JobView | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (await this.withEvents([toView(row, payloadCodec(this.store))]))[0] : undefined;
  }

  /** Views show an event-referring job with its event's record (one query for a page of views). */
  private async withEvents(views: JobView[]): Promise<JobView[]> {
    const refs = views.filter((v) => v.eventId !== null && isEventRef(v.payload));
    if (refs.length === 0) return views;
    const codec = payloadCodec(this.store);
    const texts = new Map<number, string>();
    for (const part of chunks([...new Set(refs.map((v) => v.eventId!))], 500)) {
      for (const r of await this.db.selectFrom('events').select(['id', 'payload']).where('id', 'in', part).execute()) texts.set(Number(r.id), r.payload);
    }
    for (const v of refs) {
      const text = texts.get(v.eventId!);
      v.payload = withEventPayload(v.payload as Record<string, unknown>, text === undefined ? null : codec.decode(text));
    }
    return views;
  }

  async list(opts: { state?: JobState; queue?: string; limit?: number; offset?: number }): Promise<JobView[]> {
    let q = this.db.selectFrom('jobs').selectAll();
    if (opts.state) q = q.where('state', '=', opts.state);
    if (opts.queue) q = q.where('queue', '=', opts.queue);
    const rows = await q.orderBy('id').limit(opts.limit ?? 100).offset(opts.offset ?? 0).execute();
    return this.withEvents(rows.map((r) => toView(r, payloadCodec(this.store))));
  }

  async counts(): Promise<Array<{ queue: string; state: string; count: number }>> {
    const rows = await this.db.selectFrom('jobs').select(['queue', 'state', (eb) => eb.fn.countAll<number>().as('count')]).groupBy(['queue', 'state']).execute();
    return rows.map((r) => ({ queue: r.queue, state: r.state, count: Number(r.count) }));
  }
}

export class SqliteQueue extends SqlQueue {
  async claim(opts: { workerId: string; limit: number; leaseMs: number; queues?: string[] }): Promise<LeasedJob[]> {
    const now = Date.now();
    const queues = opts.queues?.length ? sql`and j.queue in (${sql.join(opts.queues)})` : sql``;
    // One process owns the file: a single UPDATE … RETURNING is atomic without row locks.
    const { rows } = await sql<JobRow>`
      update jobs set state = 'running', attempts = attempts + 1, lease_until = ${now + opts.leaseMs},
        worker_id = ${opts.workerId}, updated_at = ${now}
      where id in (
        select j.id from jobs j
        where j.state = 'queued' and j.run_at <= ${now} ${queues}
          and (j.ordering_key is null or not exists (
            select 1 from jobs k where k.ordering_key = j.ordering_key and k.id < j.id and k.state in ('queued', 'running')))
        order by j.run_at, j.id
        limit ${opts.limit})
      returning *`.execute(this.db);
    return rows.map((r) => toLeased(r, payloadCodec(this.store))).sort((a, b) => a.id - b.id);
  }

  async ack(tokens: LeaseToken[], trx?: Executor): Promise<number> {
    if (tokens.length === 0) return 0;
    // One statement for the batch: a lease token is (id, attempt), matched as a row value.
    const run = async (db: Executor) => {
      let n = 0;
      for (const part of chunks(tokens, 400)) {
        const res = await sql`delete from jobs where state = 'running' and id in (${sql.join(part.map((t) => t.id))})
          and (id, attempts) in (values ${sql.join(part.map((t) => sql`(${t.id}, ${t.attempt})`))})`.execute(db);
        n += Number(res.numAffectedRows ?? 0);
      }
      return n;
    };
    return trx ? run(trx) : this.db.transaction().execute(run);
  }
}

/** Channel of the NOTIFY that wakes idle workers; the payload is the schema, so deployments sharing a database do not wake each other. */
export const JOBS_CHANNEL = 'syncline_jobs';

export class PostgresQueue extends SqlQueue {
  private listener?: pg.Client;
  private listening = false;
  private closed = false;
  private reconnectTimer?: NodeJS.Timeout;

  protected override async notify(db: Executor): Promise<void> {
    // NOTIFY inside a transaction is delivered when it commits, never for a rolled-back enqueue;
    // identical notifications of one transaction are folded into one.
    await sql`select pg_notify(${JOBS_CHANNEL}, current_schema())`.execute(db);
  }

  override get wakesAcrossProcesses(): boolean {
    return this.listening;
  }

  private subscribers = 0;

  override onEnqueue(listener: () => void): () => void {
    this.subscribers++;
    void this.listen();
    const off = super.onEnqueue(listener);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      off();
      // The last worker of this queue stopped: close the connection so the process can exit.
      if (--this.subscribers === 0) void this.unlisten();
    };
  }

  private async unlisten(): Promise<void> {
    clearTimeout(this.reconnectTimer);
    this.listening = false;
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => {});
  }

  /** A dedicated connection (not the pool's: LISTEN belongs to one session) that stays open. */
  private async listen(): Promise<void> {
    if (this.listener || this.closed || this.subscribers === 0 || !this.store.pool) return;
    const client = new pg.Client(this.store.pool.options);
    this.listener = client;
    const lost = () => {
      if (this.listener !== client) return;
      this.listening = false;
      this.listener = undefined;
      client.end().catch(() => {});
      // Until it is back, workers poll at their short interval again; try again in a second.
      if (!this.closed && this.subscribers > 0) this.reconnectTimer = setTimeout(() => void this.listen(), 1_000);
    };
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      const { rows } = await client.query<{ schema: string }>('select current_schema() as schema');
      const schema = rows[0]?.schema;
      client.on('notification', (n) => {
        if (n.channel === JOBS_CHANNEL && n.payload === schema) this.emitEnqueue();
      });
      await client.query(`listen ${JOBS_CHANNEL}`);
      if (this.listener !== client) return void (await client.end());
      this.listening = true;
      // Anything enqueued while we were not listening is found by this look.
      this.emitEnqueue();
    } catch {
      lost();
    }
  }

  override async close(): Promise<void> {
    this.closed = true;
    await this.unlisten();
  }

  async claim(opts: { workerId: string; limit: number; leaseMs: number; queues?: string[] }): Promise<LeasedJob[]> {
    const now = Date.now();
    const queues = opts.queues?.length ? sql`and j.queue = any(${opts.queues})` : sql``;
    // SKIP LOCKED lets many workers claim at once without waiting on each other. Only the head of
    // each key is eligible, and heads are row-locked while claimed, so two workers never lease two
    // jobs of one key (READ COMMITTED: a key whose head is being claimed shows that head as queued).
    // A MATERIALIZED CTE runs the locking select once: as an IN (subquery) the planner may rescan
    // it, and with SKIP LOCKED a rescan returns other rows — more than `limit`, breaking the cap.
    const { rows } = await sql<JobRow>`
      with next as materialized (
        select j.id from jobs j
        where j.state = 'queued' and j.run_at <= ${now} ${queues}
          and (j.ordering_key is null or not exists (
            select 1 from jobs k where k.ordering_key = j.ordering_key and k.id < j.id and k.state in ('queued', 'running')))
        order by j.run_at, j.id
        limit ${opts.limit}
        for update of j skip locked)
      update jobs set state = 'running', attempts = attempts + 1, lease_until = ${now + opts.leaseMs},
        worker_id = ${opts.workerId}, updated_at = ${now}
      from next where jobs.id = next.id and jobs.state = 'queued'
      returning jobs.*`.execute(this.db);
    return rows.map((r) => toLeased(r, payloadCodec(this.store))).sort((a, b) => a.id - b.id);
  }

  async ack(tokens: LeaseToken[], trx?: Executor): Promise<number> {
    if (tokens.length === 0) return 0;
    const ids = tokens.map((t) => t.id);
    const attempts = tokens.map((t) => t.attempt);
    // One statement also wakes other processes' workers when an acked job had a queued follower of
    // its ordering key (that follower became claimable); no extra round trip when none waits.
    const { rows } = await sql<{ n: number }>`
      with d as (
        delete from jobs j using unnest(${ids}::bigint[], ${attempts}::int[]) as t(id, attempt)
        where j.id = t.id and j.attempts = t.attempt and j.state = 'running'
        returning j.ordering_key),
      w as (
        select pg_notify(${JOBS_CHANNEL}, current_schema()) from jobs k
        where k.state = 'queued' and k.ordering_key in (select ordering_key from d where ordering_key is not null)
        limit 1)
      select (select count(*) from d)::int as n, (select count(*) from w)::int as woke`.execute(trx ?? this.db);
    return Number(rows[0]?.n ?? 0);
  }
}

export function createQueue(store: Store): SqlQueue {
  return store.dialect === 'postgres' ? new PostgresQueue(store) : new SqliteQueue(store);
}

function appendHistory(json: string, record: AttemptRecord): string {
  const history = JSON.parse(json) as AttemptRecord[];
  history.push(record);
  // Keep the last 50 attempts: enough to diagnose, bounded for a job retried for days.
  return JSON.stringify(history.slice(-50));
}

function toLeased(row: JobRow, codec: PayloadCodec): LeasedJob {
  return {
    id: Number(row.id),
    queue: row.queue,
    orderingKey: row.ordering_key,
    payload: codec.decode(row.payload),
    attempt: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    eventId: row.event_id === null ? null : Number(row.event_id),
    createdAt: Number(row.created_at),
    previousAttempts: row.history === '[]' ? 0 : (JSON.parse(row.history) as unknown[]).length,
  };
}

function toView(row: JobRow, codec: PayloadCodec): JobView {
  return {
    id: Number(row.id),
    queue: row.queue,
    orderingKey: row.ordering_key,
    state: row.state,
    payload: codec.decode(row.payload),
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    runAt: Number(row.run_at),
    eventId: row.event_id === null ? null : Number(row.event_id),
    lastError: row.last_error ? JSON.parse(row.last_error) : null,
    history: JSON.parse(row.history),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** The job payload without the flow version it was queued for: the engine then runs the current one. */
function currentVersion(payload: unknown): unknown {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return payload;
  const { flowVersion: _v, flowRevision: _r, ...rest } = payload as Record<string, unknown>;
  return rest;
}
