// A flow: what to do with one kind of event, declared as data plus pure step functions. The engine
// does the I/O around it — loads the event, skips stale versions, runs and records each step,
// retries, dead-letters — so the console can draw a flow from its declaration.
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import type { IncomingEvent } from './triggers.js';
import type { Ref, XrefStore } from './xref.js';

export interface InboxEvent {
  eventId: number | null;
  system: string;
  entity: string;
  id: string;
  version: string;
  payload: unknown;
  /** Connection the event came from (webhook, poller, emit); flows bound to it take it. */
  connection?: string;
  /** The flow version current when the event arrived: the job runs that version (decision 0005). */
  flowVersion?: number;
  /** The flow revision (FlowDefinition.revision) current when the event arrived, when it has one. */
  flowRevision?: string;
}

export interface StepContext<Deps> {
  event: InboxEvent;
  /** Connection clients and lookups the flow was wired with (by main.ts, never by the flow). */
  deps: Deps;
  xref: XrefStore;
  /** True when an earlier attempt may have had effects (retry, expired lease, replay). */
  mayHaveRun: boolean;
  attempt: number;
  /** Queue a write to commit atomically with the job's ack (e.g. an xref link). */
  commitWith(write: (trx: Kysely<Database>) => Promise<void>): void;
  /** Records an xref link, committed with the ack. */
  link(a: Ref, b: Ref): void;
  /** Outputs of the steps that ran so far in this run, by step name (the run scope). */
  outputs: Record<string, unknown>;
  /** Kept across retries with the step outputs (e.g. `each` items done, when an outcome became unknown). */
  checkpoint: Record<string, unknown>;
  /** Follow-up events, written to the inbox with the ack (same connection unless given). */
  emit(events: IncomingEvent[]): void;
  /** Something the run could not do or chose not to do, shown with the run (e.g. "tracking not written"). */
  note(text: string): void;
  /** Aborted when the worker gives the job up (shutdown timeout). */
  signal?: AbortSignal;
}

/** Thrown by a step to end the run early as `skipped`, with the reason recorded (e.g. a `when` that is false). */
export class FlowStop extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'FlowStop';
  }
}

export interface FlowStep<Deps> {
  name: string;
  /** Receives the previous step's output (the event payload for the first step). */
  run(input: any, ctx: StepContext<Deps>): Promise<unknown> | unknown;
}

export interface FlowDefinition<Deps = unknown> {
  id: string;
  /** The stored version this definition was compiled from (flow documents); runs record it. */
  version?: number;
  /**
   * What was compiled when more than the document's version changes what runs (mapping or lookup
   * versions saved from the console). Jobs run the revision they were queued for; default: `version`.
   */
  revision?: string;
  /**
   * Which events the flow takes: those of this connection and entity. Without it (tests, benches),
   * events of `source.system` and `source.entity` from any connection.
   */
  binding?: { connection: string; entity: string };
  description: string;
  source: { system: string; entity: string };
  target: { system: string; entity: string };
  /** Connection the flow delivers to (metrics label). */
  connection?: string;
  /** Events for the same key run in order, one at a time. Default: system:entity:id. */
  orderingKey?(event: InboxEvent): string;
  maxAttempts?: number;
  steps: FlowStep<Deps>[];
}

export function defineFlow<Deps>(flow: FlowDefinition<Deps>): FlowDefinition<Deps> {
  if (!flow.id || !/^[a-z0-9][a-z0-9-]*$/.test(flow.id)) throw new TypeError(`flow id "${flow.id}" must be lower-case words joined by dashes`);
  if (flow.steps.length === 0) throw new TypeError(`flow ${flow.id} has no steps`);
  return flow;
}
