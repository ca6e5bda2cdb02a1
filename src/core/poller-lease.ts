// Scale-out: each poller is owned by one worker process at a time, through a row in `poller_leases`.
// The owner renews its lease every ttl/3; a process that dies stops renewing, and once the lease has
// run out (ttl, 5 s by default) the next worker that asks takes the poller over and polls on from
// the durable cursor. So a trigger never fires from two processes at once, and a dead owner's
// poller moves within ttl + ttl/3 (≈ 7 s by default).
//
// The lease is not the only guard: a stale owner that was paused past its lease (GC, a stopped VM)
// and polls once more reads the same cursor, and its events carry the same dedupe keys, so the inbox
// absorbs them. The lease keeps that to a rare race instead of every poll of every worker.
//
// Time is the database's clock on PostgreSQL (clock_timestamp()), so hosts whose clocks disagree
// still agree on when a lease runs out; SQLite is one process, its clock is the process's.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './db/schema.js';
import type { Dialect } from './db/database.js';

export interface PollerLeaseOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  /** This process's name in the table; default `pid-random`. */
  owner?: string;
  /** How long a lease lasts without renewal (default 5 s). */
  ttlMs?: number;
  /** Called when a held lease is lost (taken over, or the database was unreachable too long). */
  onLost?: (pollerId: string) => void;
}

export class PollerLease {
  readonly owner: string;
  readonly ttlMs: number;
  private readonly db: Kysely<Database>;
  private readonly dialect: Dialect;
  /** Poller id → local time (performance.now) until which this process may poll it. */
  private readonly held = new Map<string, number>();
  private renewTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly options: PollerLeaseOptions) {
    this.db = options.db;
    this.dialect = options.dialect;
    this.owner = options.owner ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
    this.ttlMs = options.ttlMs ?? 5_000;
    if (this.ttlMs < 300) throw new RangeError('PollerLease: ttlMs must be ≥ 300');
  }

  /** How often a worker without the lease asks again. */
  get retryMs(): number {
    return Math.max(100, Math.floor(this.ttlMs / 3));
  }

  /** True while this process owns the poller; otherwise tries to take it (free or run out). */
  async acquire(pollerId: string): Promise<boolean> {
    if (this.stopped) return false;
    if (this.holds(pollerId)) return true;
    const ok = await this.claim(pollerId);
    if (ok) this.ensureRenewing();
    return ok;
  }

  /** Local view: the lease was taken or renewed less than ttl ago (minus a margin for the round trip). */
  holds(pollerId: string): boolean {
    const until = this.held.get(pollerId);
    return until !== undefined && performance.now() < until;
  }

  /** Gives the poller up at once (graceful stop), so another worker need not wait for the ttl. */
  async release(pollerId: string): Promise<void> {
    if (!this.held.delete(pollerId)) return;
    await this.db.deleteFrom('poller_leases').where('poller_id', '=', pollerId).where('owner', '=', this.owner).execute();
  }

  /** Releases every lease and stops renewing. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.renewTimer);
    this.renewTimer = undefined;
    for (const id of [...this.held.keys()]) await this.release(id).catch(() => {});
  }

  /** Stops renewing without releasing, as a killed process would (tests). */
  abandon(): void {
    this.stopped = true;
    clearInterval(this.renewTimer);
    this.renewTimer = undefined;
    this.held.clear();
  }

  private now(): RawBuilder<number> {
    return this.dialect === 'postgres' ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint` : sql<number>`${Date.now()}`;
  }

  /** Insert, renew (same owner) or take over (lease run out) in one statement; false when someone else holds it. */
  private async claim(pollerId: string): Promise<boolean> {
    const started = performance.now();
    const now = this.now();
    const until = sql<number>`${now} + ${this.ttlMs}`;
    const row = await this.db
      .insertInto('poller_leases')
      .values({ poller_id: pollerId, owner: this.owner, lease_until: until, epoch: 1, updated_at: now })
      .onConflict((oc) =>
        oc
          .column('poller_id')
          .doUpdateSet({
            owner: this.owner,
            lease_until: until,
            epoch: sql<number>`case when poller_leases.owner = ${this.owner} then poller_leases.epoch else poller_leases.epoch + 1 end`,
            updated_at: now,
          })
          .where((eb) => eb.or([eb('poller_leases.owner', '=', this.owner), eb('poller_leases.lease_until', '<', now)])),
      )
      .returning('epoch')
      .executeTakeFirst();
    if (!row) {
      this.held.delete(pollerId);
      return false;
    }
    // Counted from before the statement was sent: the database's deadline is at least this late.
    this.held.set(pollerId, started + this.ttlMs - 100);
    return true;
  }

  private ensureRenewing(): void {
    if (this.renewTimer || this.stopped) return;
    this.renewTimer = setInterval(() => void this.renewAll(), this.retryMs);
    this.renewTimer.unref();
  }

  private async renewAll(): Promise<void> {
    for (const id of [...this.held.keys()]) {
      try {
        if (!(await this.claim(id))) this.options.onLost?.(id);
      } catch {
        // Database unreachable: keep the local deadline; past it `holds` is false and polling stops.
        if (!this.holds(id)) {
          this.held.delete(id);
          this.options.onLost?.(id);
        }
      }
    }
  }
}
