// The engine: inbox → jobs → flow steps → delivery, with runs, metrics and stale-version skipping.
// It knows no connector and no HTTP server: flows and their dependencies are handed to it.
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from './db/schema.js';
import type { Store } from './db/database.js';
import { toSynclineError, userError, type SerializedError, type SynclineError } from './errors.js';
import { FlowStop, type FlowDefinition, type InboxEvent, type StepContext } from './flow.js';
import { Metrics } from './metrics.js';
import { payloadCodec } from './payload-codec.js';
import { deleteEventsOlderThan } from './privacy.js';
import { createQueue, isEventRef, withEventPayload, type SqlQueue } from './queue/sql-queue.js';
import type { EnqueueInput, LeasedJob } from './queue/port.js';
import { redact, redactText, type RedactionPolicy } from './redact.js';
import { RunStore, writeRun, writeRuns, type RunRecord, type StepRecord } from './runs.js';
import { batchLoader, chunks } from './batch-loader.js';
import type { IncomingEvent, Poller } from './triggers.js';
import type { PollerLease } from './poller-lease.js';
import { Worker, type HandlerResult, type WorkerOptions } from './worker.js';
import { XrefStore, type Ref } from './xref.js';
import { checkVersion } from './versions.js';
import { insertRows } from './db/rows.js';
import { withRunSpan, withStepSpan } from '../telemetry/index.js';

/** A flow with its own dependencies (connection clients, mappings), as main.ts wires it. */
export interface BoundFlow<D = any> {
  flow: FlowDefinition<D>;
  deps: D;
}

export function bindFlow<D>(flow: FlowDefinition<D>, deps: D): BoundFlow<D> {
  return { flow, deps };
}

export interface EngineOptions<Deps> {
  store: Store;
  /** Flows, bare (they get `deps`) or bound to their own dependencies. */
  flows: Array<FlowDefinition<Deps> | BoundFlow>;
  deps?: Deps;
  metrics?: Metrics;
  logger?: Logger;
  redaction?: RedactionPolicy;
  worker?: WorkerOptions;
  /** Runs older than this are deleted (default 30 days). */
  runRetentionMs?: number;
  /**
   * Step payloads in run history. 'errors' (default): a failed run keeps the input of the step that
   * failed, a run that succeeds keeps each step's outcome and duration (its source event is in the
   * inbox); 'all': every step's input and output; 'none': no step payload at all.
   */
  recordPayloads?: 'all' | 'errors' | 'none';
}

export interface IntakeResult {
  accepted: number;
  duplicates: number;
  jobs: number;
  /** Events no flow takes: not stored, so what an intake keeps is bounded by what flows use (decision 0006). */
  ignored?: number;
}

/** What a successful (or stale-skipped) attempt writes with its ack, batched with the other acks. */
interface BatchedWrites {
  run: RunRecord;
  links: Array<[Ref, Ref]>;
  applied?: { key: string; version: string };
}

interface StoredEvents {
  result: IntakeResult;
  received: Array<Record<string, string>>;
  deduplicated: Array<Record<string, string>>;
  unrouted: string[];
}

/** Events handed over in memory at most (each a parsed record of a few KB). */
const HANDOFF_MAX = 1_000;

export class Engine<Deps = unknown> {
  readonly queue: SqlQueue;
  readonly xref: XrefStore;
  readonly runs: RunStore;
  readonly metrics: Metrics;
  readonly store: Store;
  private readonly flowsBySource = new Map<string, FlowDefinition<Deps>[]>();
  private readonly flowsById = new Map<string, FlowDefinition<Deps>>();
  /** Every loaded version of each flow, so jobs queued before an edit run the version they were queued for. */
  private readonly flowVersions = new Map<string, Map<string, FlowDefinition<Deps>>>();
  /** Flows whose new jobs are paused (disabled in the designer or the API). */
  private readonly disabled = new Set<string>();
  private readonly depsById = new Map<string, unknown>();
  private worker?: Worker;
  private readonly pollers: Array<{ stop: () => Promise<void> }> = [];
  /** Per connection: wakes its pollers at once (a store's push is a hint that something changed). */
  private readonly pollerWakers = new Map<string, Array<() => void>>();
  private retentionTimer?: NodeJS.Timeout;
  /** The version of each record each flow last applied; the jobs of a claimed batch ask in one statement. */
  private readonly appliedVersion = batchLoader(async (keys: string[]) => {
    const found = new Map<string, string>();
    for (const part of chunks(keys, 500)) {
      for (const r of await this.store.db.selectFrom('applied_versions').select(['key', 'version']).where('key', 'in', part).execute()) found.set(r.key, r.version);
    }
    return found;
  });
  /** Parsed events from intake to this process's workers, by event id (handOff). */
  private readonly handoff = new Map<number, { key: string; payload: unknown; at: number }>();
  /** Sealed payloads of the events of jobs that found nothing handed over; one query per turn. */
  private readonly eventPayloads = batchLoader(async (ids: number[]) => {
    const found = new Map<number, string>();
    for (const part of chunks(ids, 500)) for (const r of await this.store.db.selectFrom('events').select(['id', 'payload']).where('id', 'in', part).execute()) found.set(Number(r.id), r.payload);
    return found;
  });
  /** Steps of a failing attempt, kept until the failure is committed with its run. */
  private readonly failedSteps = new Map<string, { steps: StepRecord[]; checkpoint?: unknown; traceId?: string }>();
  /** The trace of the attempt an error ended, for the retry and dead-letter log lines (they run after its span). */
  private readonly errorTraces = new WeakMap<SynclineError, string>();

  constructor(private readonly options: EngineOptions<Deps>) {
    this.store = options.store;
    this.queue = createQueue(options.store);
    this.xref = new XrefStore(options.store.db);
    this.runs = new RunStore(options.store.db);
    this.metrics = options.metrics ?? new Metrics();
    for (const entry of options.flows) {
      const flow = ('flow' in entry ? entry.flow : entry) as FlowDefinition<Deps>;
      if (this.flowsById.has(flow.id)) throw new TypeError(`two flows share the id ${flow.id}`);
      this.depsById.set(flow.id, 'flow' in entry ? entry.deps : options.deps);
      this.addFlowVersion(flow);
    }
  }

  /** Routing key: a bound flow takes its connection's events only (least privilege); an unbound one, its system's. */
  private static sourceKey(flow: FlowDefinition<unknown>): string {
    return flow.binding ? `conn:${flow.binding.connection}|${flow.binding.entity}` : `${flow.source.system}|${flow.source.entity}`;
  }

  /**
   * Makes `flow` the current version of its id: new events run it, jobs queued earlier keep the
   * version they were queued for. Used at start and when the designer or the API deploys an edit.
   */
  addFlowVersion(flow: FlowDefinition<Deps>): void {
    const previous = this.flowsById.get(flow.id);
    if (previous) {
      const key = Engine.sourceKey(previous);
      this.flowsBySource.set(key, (this.flowsBySource.get(key) ?? []).filter((f) => f.id !== flow.id));
    }
    this.flowsById.set(flow.id, flow);
    const versions = this.flowVersions.get(flow.id) ?? new Map<string, FlowDefinition<Deps>>();
    versions.set(flow.revision ?? String(flow.version ?? 0), flow);
    this.flowVersions.set(flow.id, versions);
    const key = Engine.sourceKey(flow);
    this.flowsBySource.set(key, [...(this.flowsBySource.get(key) ?? []), flow]);
  }

  /**
   * A disabled flow still takes events (stored, the pollers' cursors move on), but its new jobs are
   * enqueued paused: none runs, and they do not hold their ordering key against other flows' jobs.
   * Jobs queued before it was disabled still run. Enabling queues its paused jobs again, in their
   * order (decision 0017); returns how many were released.
   */
  async setEnabled(flowId: string, enabled: boolean): Promise<number> {
    if (!enabled) {
      this.disabled.add(flowId);
      return 0;
    }
    // New jobs are queued from here on; the paused ones (older ids) are released after, and the
    // claim's per-key order keeps a newer job of a record behind them. On SQLite an intake that
    // saw the flow disabled holds the one connection until it commits, so its jobs are released too.
    this.disabled.delete(flowId);
    return this.queue.release([flowId]);
  }

  /** At start: paused jobs of flows that are enabled (enabled while this process was down, or a crash mid-release) run. */
  async releaseEnabled(): Promise<number> {
    return this.queue.release(this.flows.map((f) => f.id).filter((id) => !this.disabled.has(id)));
  }

  isEnabled(flowId: string): boolean {
    return !this.disabled.has(flowId);
  }

  /** The flows an event goes to: those bound to its connection and entity, and unbound ones of its system. */
  private routes(e: IncomingEvent, connection: string | undefined): FlowDefinition<Deps>[] {
    const bound = connection ? this.flowsBySource.get(`conn:${connection}|${e.entity}`) : undefined;
    const unbound = this.flowsBySource.get(`${e.system}|${e.entity}`);
    // Disabled flows too: their events are kept, their jobs paused (setEnabled).
    return bound && unbound ? [...bound, ...unbound] : (bound ?? unbound ?? []);
  }

  get flows(): FlowDefinition<Deps>[] {
    return [...this.flowsById.values()];
  }

  /**
   * Writes events to the inbox and enqueues a job per subscribed flow, in one transaction. A second
   * delivery of the same (system, entity, id, version) is absorbed and counted, never processed.
   */
  async intake(events: IncomingEvent[], opts: { connection?: string; trx?: Kysely<Database> } = {}): Promise<IntakeResult> {
    const fresh: Array<[number, IncomingEvent]> = [];
    const stored = opts.trx ? await this.storeEvents(events, opts.connection, opts.trx, fresh) : await this.store.db.transaction().execute((trx) => this.storeEvents(events, opts.connection, trx, fresh));
    // Inside a caller's transaction nothing is handed over: it may yet roll back.
    if (!opts.trx) this.handOff(fresh);
    return this.counted(stored);
  }

  /**
   * The inbox and job writes of `events`: one statement per table (and one for the duplicates).
   * Each job refers to its event (decision 0011); `fresh` gets the stored events, for handOff once committed.
   */
  private async storeEvents(events: IncomingEvent[], connection: string | undefined, trx: Kysely<Database>, fresh: Array<[number, IncomingEvent]>): Promise<StoredEvents> {
    const out: StoredEvents = { result: { accepted: 0, duplicates: 0, jobs: 0 }, received: [], deduplicated: [], unrouted: [] };
    fresh.length = 0;
    const routed: Array<{ e: IncomingEvent; key: string; flows: FlowDefinition<Deps>[] }> = [];
    const keys = new Set<string>();
    const repeated: string[] = [];
    for (const e of events) {
      checkVersion(e, connection);
      const flows = this.routes(e, connection);
      // No flow takes it: counted, not stored, so what intake keeps is bounded by what flows use.
      if (flows.length === 0) {
        out.unrouted.push(connection ?? e.system);
        out.result.ignored = (out.result.ignored ?? 0) + 1;
        continue;
      }
      const key = `${e.system}|${e.entity}|${e.id}|${e.version}`;
      if (keys.has(key)) repeated.push(key);
      else routed.push({ e, key, flows }), keys.add(key);
    }
    if (routed.length === 0 && repeated.length === 0) return out;
    const now = Date.now();
    const codec = payloadCodec(this.store);
    const ids = new Map<string, number>();
    const rows = await insertRows<{ id: number; dedupe_key: string }>(
      trx,
      'events',
      ['dedupe_key', 'system', 'entity', 'record_id', 'version', 'payload', 'received_at'],
      routed.map(({ e, key }) => [key, e.system, e.entity, e.id, e.version, codec.encode(e.payload), now]),
      'on conflict ("dedupe_key") do nothing returning "id", "dedupe_key"',
    );
    for (const r of rows) ids.set(r.dedupe_key, Number(r.id));
    const jobs: EnqueueInput[] = [];
    const duplicates = [...repeated];
    for (const { e, key, flows } of routed) {
      const labels = { system: e.system, entity: e.entity, connection: connection ?? e.system };
      const eventId = ids.get(key);
      if (eventId === undefined) {
        duplicates.push(key);
        continue;
      }
      out.result.accepted++;
      out.received.push(labels);
      fresh.push([eventId, e]);
      const event: InboxEvent = { eventId, system: e.system, entity: e.entity, id: e.id, version: e.version, payload: e.payload, ...(connection ? { connection } : {}) };
      const ref = { eventId, system: e.system, entity: e.entity, id: e.id, version: e.version, ...(connection ? { connection } : {}), payloadInEvent: true };
      for (const f of flows) {
        jobs.push({
          queue: f.id,
          payload: f.version === undefined ? ref : { ...ref, flowVersion: f.version, ...(f.revision ? { flowRevision: f.revision } : {}) },
          eventId,
          orderingKey: f.orderingKey?.(event) ?? `${e.system}:${e.entity}:${e.id}`,
          maxAttempts: f.maxAttempts,
          ...(this.disabled.has(f.id) ? { state: 'paused' as const } : {}),
        });
      }
      out.result.jobs += flows.length;
    }
    for (const key of duplicates) {
      const [system, entity] = key.split('|');
      out.deduplicated.push({ system: system!, entity: entity!, connection: connection ?? system! });
    }
    out.result.duplicates = duplicates.length;
    // A record delivered n times in this call counts n duplicates.
    const times = new Map<string, number>();
    for (const key of duplicates) times.set(key, (times.get(key) ?? 0) + 1);
    const byCount = new Map<number, string[]>();
    for (const [key, n] of times) byCount.set(n, [...(byCount.get(n) ?? []), key]);
    for (const [n, list] of byCount) {
      for (const part of chunks(list, 500)) await trx.updateTable('events').set((eb) => ({ duplicates: eb('duplicates', '+', n) })).where('dedupe_key', 'in', part).execute();
    }
    await this.queue.enqueue(jobs, trx);
    return out;
  }

  private counted(stored: StoredEvents): IntakeResult {
    for (const l of stored.received) this.metrics.eventsReceived.inc(l);
    for (const l of stored.deduplicated) this.metrics.eventsDeduplicated.inc(l);
    for (const connection of stored.unrouted) this.metrics.eventsUnrouted.inc({ connection });
    return stored.result;
  }

  /**
   * Committed events go to this process's workers in memory, parsed, so a job does not read back
   * and unseal what was just written. Bounded: when full, the oldest stay (workers take jobs oldest
   * first) and entries nobody took for a minute make room; a job that finds nothing reads the inbox.
   */
  private handOff(fresh: Array<[number, IncomingEvent]>): void {
    const now = Date.now();
    for (const [id, e] of fresh) {
      if (this.handoff.size >= HANDOFF_MAX) {
        for (const [k, v] of this.handoff) if (now - v.at > 60_000) this.handoff.delete(k);
        if (this.handoff.size >= HANDOFF_MAX) return;
      }
      this.handoff.set(id, { key: `${e.system}|${e.entity}|${e.id}|${e.version}`, payload: e.payload, at: now });
    }
  }

  /** The event a job runs on: handed over in memory, or read from the inbox (one query for the jobs of a turn). */
  private async eventOf(job: LeasedJob): Promise<InboxEvent> {
    const p = job.payload as InboxEvent;
    if (!isEventRef(p)) return p;
    const id = Number(p.eventId);
    const handed = this.handoff.get(id);
    // The key guards against an id reused after a rolled-back transaction.
    if (handed && handed.key === `${p.system}|${p.entity}|${p.id}|${p.version}`) {
      this.handoff.delete(id);
      return withEventPayload(p, handed.payload) as unknown as InboxEvent;
    }
    const text = await this.eventPayloads(id);
    if (text === undefined) throw userError('EVENT_MISSING', `inbox event ${id} of this job is gone (deleted from the store by hand?): there is no record to run; discard the dead letter, or replay it with the record as an edited payload`, { details: { eventId: id } });
    return withEventPayload(p, payloadCodec(this.store).decode(text)) as unknown as InboxEvent;
  }

  /** Asks a poller for changes since its cursor; stores events and the new cursor in one transaction. */
  async pollOnce(poller: Poller, connection?: string): Promise<{ events: number; accepted: number; more: boolean }> {
    const row = await this.store.db.selectFrom('cursors').select('cursor').where('id', '=', poller.id).executeTakeFirst();
    const res = await poller.poll(row?.cursor ?? null);
    const fresh: Array<[number, IncomingEvent]> = [];
    const stored = await this.store.db.transaction().execute(async (trx) => {
      const stored = await this.storeEvents(res.events, connection, trx, fresh);
      await trx
        .insertInto('cursors')
        .values({ id: poller.id, cursor: res.cursor, updated_at: Date.now() })
        .onConflict((oc) => oc.column('id').doUpdateSet({ cursor: res.cursor, updated_at: Date.now() }))
        .execute();
      return stored;
    });
    this.handOff(fresh);
    return { events: res.events.length, accepted: this.counted(stored).accepted, more: res.more ?? false };
  }

  /** Polls every `intervalMs` (at once again while the source says there is more). */
  startPoller(poller: Poller, intervalMs: number, connection?: string, lease?: PollerLease): void {
    let running = true;
    let wake: (() => void) | undefined;
    let failing = 0;
    const loop = (async () => {
      while (running) {
        let more = false;
        let waitMs = intervalMs;
        try {
          // Scale-out: poll only while this process owns the poller (src/core/poller-lease.ts).
          if (lease && !(await lease.acquire(poller.id))) waitMs = lease.retryMs;
          else more = (await this.pollOnce(poller, connection)).more;
          if (failing) this.options.logger?.warn({ poller: poller.id, failedPolls: failing }, 'poll works again');
          failing = 0;
        } catch (e) {
          const err = toSynclineError(e);
          // One warn line per outage, not one per failed poll (the rest at debug).
          this.options.logger?.[failing++ === 0 ? 'warn' : 'debug']({ poller: poller.id, err: err.toJSON() }, 'poll failed; will try again');
        }
        if (!more && running) await new Promise<void>((r) => ((wake = r), setTimeout(r, waitMs)));
      }
    })();
    if (connection) this.pollerWakers.set(connection, [...(this.pollerWakers.get(connection) ?? []), () => wake?.()]);
    this.pollers.push({
      stop: async () => {
        running = false;
        wake?.();
        await loop;
        await lease?.release(poller.id).catch(() => {});
      },
    });
  }

  /** Runs the connection's pollers now instead of at their next interval; false when it has none here. */
  wakePollers(connection: string): boolean {
    const wakers = this.pollerWakers.get(connection);
    for (const w of wakers ?? []) w();
    return (wakers?.length ?? 0) > 0;
  }

  start(): void {
    // One handler per flow id; the job's own version is resolved when it runs (flows may be edited live).
    const handlers = new Proxy({} as Record<string, (job: LeasedJob, signal: AbortSignal) => Promise<HandlerResult>>, {
      get: (_t, id: string) =>
        this.flowsById.has(id)
          ? (job: LeasedJob, signal: AbortSignal) => {
              // A run is a trace (off unless telemetry is configured): each step a span, each connector call a child.
              return this.eventOf(job).then((e) =>
                withRunSpan({ flow: id, recordKey: `${e.system}:${e.entity}:${e.id}`, jobId: job.id, attempt: job.attempt, eventId: job.eventId }, (traceId) =>
                  this.handle(this.versionOf(id, job), job, e, signal, traceId).catch((raw: unknown) => {
                    const err = toSynclineError(raw);
                    if (traceId) this.errorTraces.set(err, traceId);
                    throw err;
                  }),
                ),
              );
            }
          : undefined,
    });
    const log = this.options.logger;
    this.worker = new Worker(this.queue, this.store.db, handlers, {
      ...this.options.worker,
      hooks: {
        onSuccess: (job) => this.metrics.jobsSucceeded.inc(this.labels(job.queue)),
        onRetry: (job, err, delayMs) => {
          this.metrics.jobsRetried.inc({ ...this.labels(job.queue), code: err.code });
          log?.debug({ job: job.id, flow: job.queue, attempt: job.attempt, code: err.code, delayMs, traceId: this.errorTraces.get(err) }, 'attempt failed; retrying');
        },
        onDead: (job, err) => {
          this.metrics.jobsDeadLettered.inc({ ...this.labels(job.queue), code: err.code });
          const level = err.kind === 'bug' ? 'error' : 'warn';
          log?.[level]({ job: job.id, flow: job.queue, attempt: job.attempt, code: err.code, message: redactText(err.message), traceId: this.errorTraces.get(err) }, 'dead-lettered');
        },
        onInternalError: (e) => log?.error({ err: e }, 'worker internal error'),
        onFailureCommit: (job, err, outcome, trx) => this.commitFailure(job, err, outcome, trx),
        ...this.options.worker?.hooks,
      },
      commitBatch: (items, trx) => this.commitBatch(items as BatchedWrites[], trx),
    });
    this.worker.start();
    const retention = this.options.runRetentionMs ?? 30 * 24 * 3600_000;
    // Events are kept as long as runs (personal data is not kept longer than the history that explains it).
    this.retentionTimer = setInterval(() => {
      void this.runs.deleteOlderThan(Date.now() - retention).catch(() => {});
      void deleteEventsOlderThan(this.store.db, Date.now() - retention).catch(() => {});
    }, 3600_000);
    this.retentionTimer.unref();
  }

  /** Graceful: stop polling, let in-flight jobs finish and commit. */
  async stop(): Promise<void> {
    await Promise.all(this.pollers.splice(0).map((p) => p.stop()));
    await this.worker?.stop();
    clearInterval(this.retentionTimer);
  }

  private labels(flowId: string): { flow: string; connection: string } {
    const flow = this.flowsById.get(flowId);
    return { flow: flowId, connection: flow?.connection ?? flow?.target.system ?? 'unknown' };
  }

  private appliedKey(flow: FlowDefinition<Deps>, e: InboxEvent): string {
    return `${flow.id}|${e.system}|${e.entity}|${e.id}`;
  }

  /** The version a job was queued for, or the current one when that version is no longer loaded. */
  private versionOf(flowId: string, job: LeasedJob): FlowDefinition<Deps> {
    const e = job.payload as InboxEvent;
    const wanted = e.flowRevision ?? (e.flowVersion !== undefined ? String(e.flowVersion) : undefined);
    return (wanted !== undefined ? this.flowVersions.get(flowId)?.get(wanted) : undefined) ?? this.flowsById.get(flowId)!;
  }

  private async handle(flow: FlowDefinition<Deps>, job: LeasedJob, event: InboxEvent, signal?: AbortSignal, traceId?: string): Promise<HandlerResult> {
    const started = Date.now();
    const recordKey = `${event.system}:${event.entity}:${event.id}`;
    const appliedKey = this.appliedKey(flow, event);
    const appliedVersion = await this.appliedVersion(appliedKey);
    const base = { eventId: job.eventId, jobId: job.id, flow: flow.id, recordKey, attempt: job.attempt, startedAt: started, flowVersion: flow.version ?? null, traceId: traceId ?? null };
    if (appliedVersion !== undefined && appliedVersion >= event.version) {
      // Out of order: a newer version of this record was already delivered. Applying this one would
      // overwrite newer data with older, so it is skipped — and recorded, so nobody wonders where it went.
      this.metrics.jobsSkipped.inc(this.labels(flow.id));
      const step: StepRecord = { step: 'stale-check', status: 'skipped', input: { version: event.version }, output: { applied: appliedVersion }, error: null, startedAt: started, durationMs: 0 };
      const batched: BatchedWrites = { run: { ...base, status: 'skipped', error: null, finishedAt: Date.now(), steps: [step] }, links: [] };
      return { batched };
    }

    const writes: Array<(trx: Kysely<Database>) => Promise<void>> = [];
    const links: Array<[Ref, Ref]> = [];
    const emitted: IncomingEvent[] = [];
    const notes: string[] = [];
    // A retry resumes at the step that failed: the outputs of the steps before it were saved with the retry.
    const saved = job.previousAttempts > 0 ? await this.loadCheckpoint(job.id) : undefined;
    const ctx: StepContext<Deps> = {
      event,
      deps: this.depsById.get(flow.id) as Deps,
      xref: this.xref,
      mayHaveRun: job.attempt > 1 || job.previousAttempts > 0,
      attempt: job.attempt,
      commitWith: (w) => writes.push(w),
      link: (a, b) => links.push([a, b]),
      outputs: {},
      checkpoint: saved?.data ?? {},
      emit: (events) => emitted.push(...events),
      note: (text) => notes.push(text),
      ...(signal ? { signal } : {}),
    };
    const steps: StepRecord[] = [];
    const record = this.options.recordPayloads ?? 'errors';
    const keepAll = record === 'all';
    let input: unknown = event.payload;
    let stopped: string | undefined;
    for (const step of flow.steps) {
      const t0 = performance.now();
      const at = Date.now();
      if (saved && Object.hasOwn(saved.outputs, step.name)) {
        input = ctx.outputs[step.name] = saved.outputs[step.name];
        steps.push({ step: step.name, status: 'skipped', input: null, output: { resumed: 'from the checkpoint of an earlier attempt' }, error: null, startedAt: at, durationMs: 0 });
        continue;
      }
      try {
        const stepInput = input;
        const output = await withStepSpan({ name: step.name, flow: flow.id }, async () => step.run(stepInput, ctx));
        const ms = performance.now() - t0;
        // Object.assign, not `{ ...labels, step }`: V8's spread-then-add is ~1 µs (see src/mapping/expression.ts).
        this.metrics.stepDuration.observe(Object.assign({}, this.labels(flow.id), { step: step.name }), ms / 1000);
        steps.push({ step: step.name, status: 'ok', input: keepAll ? this.redact(input) : null, output: keepAll ? this.redact(output) : null, error: null, startedAt: at, durationMs: ms });
        input = ctx.outputs[step.name] = output;
      } catch (raw) {
        if (raw instanceof FlowStop) {
          stopped = raw.reason;
          steps.push({ step: step.name, status: 'skipped', input: keepAll ? this.redact(input) : null, output: { stopped: raw.reason }, error: null, startedAt: at, durationMs: performance.now() - t0 });
          break;
        }
        const err = toSynclineError(raw);
        steps.push({ step: step.name, status: 'error', input: record === 'none' ? null : this.redact(input), output: null, error: this.redact(err.toJSON()) as SerializedError, startedAt: at, durationMs: performance.now() - t0 });
        this.failedSteps.set(`${job.id}:${job.attempt}`, { steps, checkpoint: { outputs: ctx.outputs, data: ctx.checkpoint }, traceId });
        throw err;
      }
    }
    if (stopped !== undefined) this.metrics.jobsSkipped.inc(this.labels(flow.id));
    const note = [stopped, ...notes].filter((n) => n !== undefined).join('; ') || null;
    // Run, links and applied version go with the other acks of the batch; what only some runs write, here.
    const batched: BatchedWrites = { run: Object.assign({}, base, { status: stopped !== undefined ? ('skipped' as const) : ('succeeded' as const), error: null, finishedAt: Date.now(), steps, note }), links, applied: { key: appliedKey, version: event.version } };
    const own = writes.length > 0 || emitted.length > 0 || saved !== undefined;
    return {
      batched,
      ...(own && {
        commit: async (trx: Kysely<Database>) => {
          for (const w of writes) await w(trx);
          if (emitted.length) await this.intake(emitted, { connection: event.connection, trx });
          if (saved) await trx.deleteFrom('step_checkpoints').where('job_id', '=', job.id).execute();
        },
      }),
    };
  }

  /** The writes of a batch of acks: one statement per table (runs, run steps, xref, applied versions). */
  private async commitBatch(items: BatchedWrites[], trx: Kysely<Database>): Promise<void> {
    await writeRuns(trx, items.map((i) => i.run));
    const links = items.flatMap((i) => i.links);
    if (links.length) await this.xref.linkMany(links, trx);
    // Newest version per record; an older one never overwrites a newer (a stale job may share the batch).
    const applied = new Map<string, string>();
    for (const { applied: a } of items) if (a && !(applied.get(a.key)! >= a.version)) applied.set(a.key, a.version);
    const now = Date.now();
    await insertRows(
      trx,
      'applied_versions',
      ['key', 'version', 'updated_at'],
      [...applied].map(([key, version]) => [key, version, now]),
      'on conflict ("key") do update set version = excluded.version, updated_at = excluded.updated_at where applied_versions.version < excluded.version',
    );
  }

  private async commitFailure(job: LeasedJob, err: SynclineError, outcome: 'retry' | 'dead', trx: Kysely<Database>): Promise<void> {
    const key = `${job.id}:${job.attempt}`;
    const failed = this.failedSteps.get(key);
    const steps = failed?.steps ?? [];
    this.failedSteps.delete(key);
    const event = job.payload as InboxEvent;
    // A retry resumes from here; a dead letter starts afresh when replayed (its payload may be edited).
    if (outcome === 'retry' && failed?.checkpoint) {
      const data = JSON.stringify(failed.checkpoint);
      await trx
        .insertInto('step_checkpoints')
        .values({ job_id: job.id, data, updated_at: Date.now() })
        .onConflict((oc) => oc.column('job_id').doUpdateSet({ data, updated_at: Date.now() }))
        .execute();
    } else if (outcome === 'dead') await trx.deleteFrom('step_checkpoints').where('job_id', '=', job.id).execute();
    await writeRun(trx, {
      eventId: job.eventId,
      jobId: job.id,
      flow: job.queue,
      recordKey: `${event.system}:${event.entity}:${event.id}`,
      status: outcome === 'dead' ? 'dead' : 'retrying',
      attempt: job.attempt,
      error: this.redact(err.toJSON()) as SerializedError,
      startedAt: steps[0]?.startedAt ?? Date.now(),
      finishedAt: Date.now(),
      steps,
      flowVersion: event.flowVersion ?? null,
      traceId: failed?.traceId ?? null,
    });
  }

  private async loadCheckpoint(jobId: number): Promise<{ outputs: Record<string, unknown>; data: Record<string, unknown> } | undefined> {
    const row = await this.store.db.selectFrom('step_checkpoints').select('data').where('job_id', '=', jobId).executeTakeFirst();
    if (!row) return undefined;
    const parsed = JSON.parse(row.data) as { outputs?: Record<string, unknown>; data?: Record<string, unknown> };
    return { outputs: parsed.outputs ?? {}, data: parsed.data ?? {} };
  }

  private redact(v: unknown): unknown {
    return redact(v, this.options.redaction ?? { enabled: true });
  }
}
