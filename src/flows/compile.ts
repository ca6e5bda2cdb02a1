// Compiles a flow document bound to connections into what the engine runs: one engine step per
// document step, each a registered kind (decision 0005). The document names operations as
// role.operationId; here they are resolved to the bound connection's client, once.
import type { Kysely } from 'kysely';
import type { Database } from '../core/db/schema.js';
import { userError, toSynclineError } from '../core/errors.js';
import type { FlowDefinition, FlowStep, InboxEvent, StepContext } from '../core/flow.js';
import { truthy } from '../mapping/expr.js';
import { loadMapping, type CompiledMapping } from '../mapping/index.js';
import { loadCurrentMapping, TemplateVersionStore } from '../mapping/versions.js';
import { connectorOperations } from '../connectors/index.js';
import path from 'node:path';
import { MAPPINGS_DIR, type FlowDocument, type FlowStepDoc } from './document.js';
import { compileFlowExpr, compileSyncFlowExpr } from './expr.js';
import { stepKinds, type RunScope, type StepEnv, type StepRun } from './steps/index.js';

export interface Binding {
  id: string;
  system: string;
  client: unknown;
}

export interface FlowDeployment {
  doc: FlowDocument;
  /** Role → bound connection. */
  bindings: Record<string, Binding>;
  /** Overrides of the document's options. */
  options?: Record<string, unknown>;
  /** Mapping id → file, where a deployment brings its own mapping. */
  mappingFiles?: Record<string, string>;
  db: Kysely<Database>;
  /** The configuration's lookupsDir: the merchant's own tables replace the shipped ones of the same name. */
  lookupsDir?: string;
  /** Replaces real operation calls (flow test cases stub them; the operation's input schema still checks the input). */
  call?: (ref: string, input: unknown, system: string) => Promise<unknown>;
}

/** How long a target may still work on a request after the client gave up (its own request limit, with margin). */
export const DEFAULT_SETTLE_MS: Record<string, number> = {
  sage300: 120_000, // IIS executionTimeout defaults to 110 s
  sagex3: 120_000, // X3 web-service pool requests time out at 60–120 s by default
  xcart: 60_000, // PHP max_execution_time defaults to 30 s
  amazon: 60_000,
};

/** Every mapping a document names (map steps, lookups that create). */
export function mappingIds(steps: FlowStepDoc[]): string[] {
  const out: string[] = [];
  for (const s of steps) {
    if (s.kind === 'map' || s.kind === 'settlement') out.push(s.mapping);
    if (s.kind === 'lookup' && s.create?.mapping) out.push(s.create.mapping);
    if (s.kind === 'each') out.push(...mappingIds(s.steps));
  }
  return [...new Set(out)];
}

/**
 * Loads the mappings a document names. With the store, as new events run them: the newest version saved
 * from the console (src/mapping/versions.ts) or the file; `used` collects the stored versions (`id@v`).
 */
export async function loadFlowMappings(doc: FlowDocument, files: Record<string, string> = {}, lookupsDir?: string, db?: Kysely<Database>, used: string[] = []): Promise<Map<string, CompiledMapping>> {
  const out = new Map<string, CompiledMapping>();
  const store = db ? new TemplateVersionStore(db) : undefined;
  for (const id of mappingIds(doc.steps)) {
    const file = files[id] ?? path.join(MAPPINGS_DIR, `${id}.yaml`);
    const opts = lookupsDir ? { lookupsDir } : {};
    if (!store) {
      out.set(id, await loadMapping(file, opts));
      continue;
    }
    const current = await loadCurrentMapping(store, id, file, opts);
    out.set(id, current.mapping);
    used.push(...current.used);
  }
  return out;
}

export async function compileFlow(dep: FlowDeployment): Promise<FlowDefinition> {
  const { doc } = dep;
  for (const role of Object.keys(doc.roles)) {
    const b = dep.bindings[role];
    if (!b) throw userError('FLOW_INVALID', `flow ${doc.id} needs a connection for role "${role}" (a ${doc.roles[role]} connection)`);
    if (b.system !== doc.roles[role]) throw userError('FLOW_INVALID', `flow ${doc.id}: role "${role}" needs a ${doc.roles[role]} connection, ${b.id} is ${b.system}`);
  }
  const storedVersions: string[] = [];
  const mappings = await loadFlowMappings(doc, dep.mappingFiles, dep.lookupsDir, dep.db, storedVersions);
  const options = { ...(doc.options ?? {}), ...(dep.options ?? {}) };
  const settle = (options.settleMs as Record<string, number> | number | undefined) ?? {};

  const env: StepEnv = {
    flow: doc,
    expr: () => {
      throw new Error('bound per step');
    },
    async call(ref, input) {
      const [role, opId] = ref.split('.') as [string, string];
      const b = dep.bindings[role]!;
      if (dep.call) return dep.call(ref, input, b.system);
      const op = connectorOperations[b.system]![opId]!;
      return op.call(b.client, input);
    },
    connection: (role) => ({ id: dep.bindings[role]!.id, system: dep.bindings[role]!.system }),
    mapping: (id) => mappings.get(id)!,
    mappingOptions: options,
    db: dep.db,
    settleMs: (role) => (typeof settle === 'number' ? settle : (settle[role] ?? DEFAULT_SETTLE_MS[dep.bindings[role]!.system] ?? 60_000)),
    compileSteps: (steps, at) => steps.map((s, i) => ({ id: s.id, run: compileStep(s, `${at}[${i}]`) })),
  };

  function compileStep(s: FlowStepDoc, at: string): StepRun {
    const kind = stepKinds[s.kind];
    const where = `${doc.id} ${at} (${s.id})`;
    const run = kind.compile(s, { ...env, expr: (text, field) => compileFlowExpr(text, `${where}.${field}`) });
    const cond = s.if ? compileFlowExpr(s.if, `${where}.if`) : undefined;
    const note = s.note ? compileFlowExpr(s.note, `${where}.note`) : undefined;
    return async (scope, ctx) => {
      if (cond && !truthy(await cond(scope))) return null;
      try {
        const output = await run(scope, ctx);
        if (note) {
          const text = await note({ ...scope, output });
          if (typeof text === 'string' && text.trim()) ctx.note(`${s.id}: ${text.trim()}`);
        }
        return output;
      } catch (e) {
        const err = toSynclineError(e);
        // A pure kind's error is final: retrying the same input gives the same answer.
        if (kind.retry === 'never' && err.kind === 'transient') throw userError(err.code, err.message, { details: err.details });
        throw e;
      }
    };
  }

  const steps: FlowStep<unknown>[] = doc.steps.map((s, i) => {
    const run = compileStep(s, `steps[${i}]`);
    return { name: s.id, run: (_input: unknown, ctx: StepContext<unknown>) => run(scopeOf(ctx, options), ctx) };
  });

  const t = doc.trigger;
  const system = t.kind === 'schedule' ? 'syncline' : doc.roles[t.role]!;
  const entity = t.kind === 'schedule' ? (t.entity ?? 'tick') : t.entity;
  const connection = t.kind === 'schedule' ? `schedule:${doc.id}` : dep.bindings[t.role]!.id;
  const target = doc.steps.find((s) => s.kind === 'deliver') as { target?: { role: string; entity: string } } | undefined;
  let orderingKey: ((e: InboxEvent) => string) | undefined;
  if (doc.orderingKey) {
    const key = compileSyncFlowExpr(doc.orderingKey, `${doc.id} orderingKey`);
    if (!key) throw userError('FLOW_INVALID', `${doc.id} orderingKey: \`${doc.orderingKey}\` must be an expression that compiles to JS (paths, &, conditions, built-ins)`);
    orderingKey = (e) => String(key({ event: e }) ?? `${e.system}:${e.entity}:${e.id}`);
  }
  return {
    id: doc.id,
    version: doc.version,
    // Mappings or lookups saved from the console make it another revision of the same flow version.
    ...(storedVersions.length ? { revision: `${doc.version}+${[...new Set(storedVersions)].sort().join('+')}` } : {}),
    description: doc.title ?? doc.description ?? doc.id,
    source: { system, entity },
    target: target?.target ? { system: doc.roles[target.target.role] ?? 'unknown', entity: target.target.entity } : { system, entity },
    connection: target?.target ? dep.bindings[target.target.role]?.id : connection,
    binding: { connection, entity },
    ...(orderingKey ? { orderingKey } : {}),
    ...(doc.retry?.maxAttempts ? { maxAttempts: doc.retry.maxAttempts } : {}),
    steps,
  };
}

function scopeOf(ctx: StepContext<unknown>, options: Record<string, unknown>): RunScope {
  const e = ctx.event;
  return { event: { system: e.system, entity: e.entity, id: e.id, version: e.version, connection: e.connection ?? null, payload: e.payload }, steps: ctx.outputs, options };
}
