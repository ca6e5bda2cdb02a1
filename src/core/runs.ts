// Runs: each event's history through its flow, step by step. Written in the same transaction as the
// job's ack (success) or its retry / dead letter (failure), so history and queue never disagree.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, RunsTable } from './db/schema.js';
import type { SerializedError } from './errors.js';
import { insertRows } from './db/rows.js';

export interface StepRecord {
  step: string;
  status: 'ok' | 'error' | 'skipped';
  input: unknown;
  output: unknown;
  error: SerializedError | null;
  startedAt: number;
  durationMs: number;
}

export interface RunRecord {
  eventId: number | null;
  jobId: number;
  flow: string;
  recordKey: string;
  status: 'succeeded' | 'skipped' | 'retrying' | 'dead';
  attempt: number;
  error: SerializedError | null;
  startedAt: number;
  finishedAt: number;
  steps: StepRecord[];
  /** The flow version the run used. */
  flowVersion?: number | null;
  /** Why a run was skipped, or what it could not do (shown beside the status). */
  note?: string | null;
  /** OpenTelemetry trace id of the attempt (src/telemetry: `withRunSpan` gives it), when tracing is on. */
  traceId?: string | null;
}

export interface RunView extends Omit<RunRecord, 'steps'> {
  id: number;
  steps?: StepRecord[];
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
const parse = (s: string | null) => (s === null ? null : JSON.parse(s));

export async function writeRun(db: Kysely<Database>, run: RunRecord): Promise<number> {
  return (await writeRuns(db, [run]))[0]!;
}

/** Many runs in one statement per table (the runs of a batch of acks); their ids, in order. */
export async function writeRuns(db: Kysely<Database>, runs: RunRecord[]): Promise<number[]> {
  const inserted = await insertRows<{ id: number; job_id: number; attempt: number }>(
    db,
    'runs',
    ['event_id', 'job_id', 'flow', 'record_key', 'status', 'attempt', 'error', 'started_at', 'finished_at', 'flow_version', 'note', 'trace_id'],
    runs.map((run) => [run.eventId, run.jobId, run.flow, run.recordKey, run.status, run.attempt, json(run.error), run.startedAt, run.finishedAt, run.flowVersion ?? null, run.note ?? null, run.traceId ?? null]),
    'returning "id", "job_id", "attempt"',
  );
  // RETURNING's row order is not promised: a job's attempt appears once in a batch, so it names its run.
  const byAttempt = new Map(inserted.map((r) => [`${r.job_id}:${r.attempt}`, Number(r.id)]));
  const ids = runs.map((run) => byAttempt.get(`${run.jobId}:${run.attempt}`)!);
  const steps: unknown[][] = [];
  runs.forEach((run, i) => run.steps.forEach((s, seq) => steps.push([ids[i]!, seq, s.step, s.status, json(s.input), json(s.output), json(s.error), s.startedAt, s.durationMs])));
  await insertRows(db, 'run_steps', ['run_id', 'seq', 'step', 'status', 'input', 'output', 'error', 'started_at', 'duration_ms'], steps);
  return ids;
}

export class RunStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(opts: { flow?: string; status?: string; eventId?: number; jobId?: number; q?: string; since?: number; until?: number; limit?: number; offset?: number } = {}): Promise<RunView[]> {
    let q = this.db.selectFrom('runs').selectAll();
    if (opts.flow) q = q.where('flow', '=', opts.flow);
    if (opts.since !== undefined) q = q.where('finished_at', '>=', opts.since);
    if (opts.until !== undefined) q = q.where('finished_at', '<', opts.until);
    if (opts.q) {
      // A business key (order number, Amazon order id, SKU, settlement id): in the record key, or in a
      // step's recorded input or output (where a SKU or a target's number appears). A scan: fine for
      // a console search over the retention window, not a hot path.
      const like = `%${opts.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      q = q.where((eb) =>
        eb.or([
          sql<boolean>`${eb.ref('record_key')} like ${like} escape '\\'`,
          eb('id', 'in', eb.selectFrom('run_steps').select('run_id').where((s) => s.or([sql<boolean>`${s.ref('input')} like ${like} escape '\\'`, sql<boolean>`${s.ref('output')} like ${like} escape '\\'`]))),
        ]),
      );
    }
    if (opts.status) q = q.where('status', '=', opts.status as RunRecord['status']);
    if (opts.eventId !== undefined) q = q.where('event_id', '=', opts.eventId);
    if (opts.jobId !== undefined) q = q.where('job_id', '=', opts.jobId);
    const rows = await q.orderBy('id', 'desc').limit(opts.limit ?? 50).offset(opts.offset ?? 0).execute();
    return rows.map(toRunView);
  }

  async get(id: number): Promise<RunView | undefined> {
    const view = await this.byId(id);
    if (!view) return undefined;
    const steps = await this.db.selectFrom('run_steps').selectAll().where('run_id', '=', id).orderBy('seq').execute();
    return {
      ...view,
      steps: steps.map((s) => ({
        step: s.step,
        status: s.status,
        input: parse(s.input),
        output: parse(s.output),
        error: parse(s.error),
        startedAt: Number(s.started_at),
        durationMs: Number(s.duration_ms),
      })),
    };
  }

  private async byId(id: number): Promise<RunView | undefined> {
    const r = await this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toRunView(r) : undefined;
  }

  /** Retention: deletes runs (and their steps) that finished before `cutoff` (epoch ms). */
  async deleteOlderThan(cutoff: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const old = trx.selectFrom('runs').select('id').where('finished_at', '<', cutoff);
      await trx.deleteFrom('run_steps').where('run_id', 'in', old).execute();
      const res = await trx.deleteFrom('runs').where('finished_at', '<', cutoff).executeTakeFirst();
      return Number(res.numDeletedRows);
    });
  }
}

function toRunView(r: Selectable<RunsTable>): RunView {
  return {
    id: Number(r.id),
    eventId: r.event_id === null ? null : Number(r.event_id),
    jobId: Number(r.job_id),
    flow: r.flow,
    recordKey: r.record_key,
    status: r.status,
    attempt: r.attempt,
    error: parse(r.error),
    startedAt: Number(r.started_at),
    finishedAt: Number(r.finished_at),
    flowVersion: r.flow_version === null || r.flow_version === undefined ? null : Number(r.flow_version),
    note: r.note ?? null,
    traceId: r.trace_id ?? null,
  };
}
