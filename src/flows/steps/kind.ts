// What every step kind is: a small module registered once (./index.ts), compiled per flow document
// into a function of the run scope. Kinds declare which errors they retry (Temporal's activity
// options): a `never` kind turns a transient error into a dead letter instead of a retry loop.
import type { Kysely } from 'kysely';
import type { Database } from '../../core/db/schema.js';
import type { StepContext } from '../../core/flow.js';
import type { CompiledMapping } from '../../mapping/index.js';
import type { FlowDocument, FlowStepDoc } from '../document.js';
import type { FlowExpr } from '../expr.js';

/** The run scope expressions see: {event, steps, options} (+ item/key inside `each`). */
export type RunScope = Record<string, unknown> & { steps: Record<string, unknown> };

export type StepRun = (scope: RunScope, ctx: StepContext<unknown>) => Promise<unknown>;

export interface StepEnv {
  flow: FlowDocument;
  /** Compiles an expression of this step, e.g. expr(step.input, 'input'). */
  expr(text: string, field: string): FlowExpr;
  /** Calls `role.operation` through the bound connection (input checked by the operation's schema). */
  call(ref: string, input: unknown): Promise<unknown>;
  connection(role: string): { id: string; system: string };
  /** A mapping loaded for this deployment (its own file when the deployment names one). */
  mapping(id: string): CompiledMapping;
  mappingOptions: Record<string, unknown>;
  /** The store, for the few kinds that keep state of their own (diff snapshots, lookup claims). */
  db: Kysely<Database>;
  /** After an unknown outcome, how long the target may still be working on a request. */
  settleMs(role: string): number;
  /** Compiles nested steps (each). */
  compileSteps(steps: FlowStepDoc[], at: string): Array<{ id: string; run: StepRun }>;
}

export interface StepKind<S extends FlowStepDoc = FlowStepDoc> {
  kind: S['kind'];
  /** `transient`: transient errors are retried with backoff; `never`: the step is pure, any error is final. */
  retry: 'transient' | 'never';
  compile(step: S, env: StepEnv): StepRun;
}
