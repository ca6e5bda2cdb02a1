// Deploys the flows a configuration names: resolves each document (shipped id or file), stores it as
// a version (a changed document becomes a new version), applies the stored state (disabled, pinned
// version), compiles it against its bound connections, and lists the triggers to start. Pollers are
// shared: two flows on the same connection's orders read them once, and both get each event.
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../core/db/schema.js';
import type { FlowDefinition } from '../core/flow.js';
import type { Poller } from '../core/triggers.js';
import { userError } from '../core/errors.js';
import { connectorTriggers } from '../connectors/index.js';
import { FlowVersionStore, resolveFlow } from './catalog.js';
import { compileFlow, type Binding } from './compile.js';
import type { FlowDocument } from './document.js';

/** How far before the start instant `since: now` begins (clock skew between Syncline and a source). */
export const NOW_SKEW_MS = 60_000;

export interface FlowConfigEntry {
  use: string;
  connections: Record<string, string>;
  pollIntervalMs?: number;
  since?: string;
  mapping?: string;
  mappingOptions?: Record<string, unknown>;
  options?: Record<string, unknown>;
}

export interface PollerPlan {
  poller: Poller;
  intervalMs: number;
  connection: string;
  /** Webhooks of this connection and entity make this poller run now (X-Cart push as a hint). */
  entity: string;
}

export interface SchedulePlan {
  flowId: string;
  cron?: string;
  everyMs?: number;
  connection: string;
  entity: string;
}

export interface DeployedFlows {
  flows: FlowDefinition[];
  docs: FlowDocument[];
  disabled: string[];
  pollers: PollerPlan[];
  schedules: SchedulePlan[];
  /** Compiles an edited or rolled-back version of a deployed flow with the same bindings (designer, API). */
  recompile(doc: FlowDocument): Promise<FlowDefinition>;
}

export async function deployFlows(args: {
  entries: FlowConfigEntry[];
  db: Kysely<Database>;
  /** Connection id → its system and client. */
  connections: Record<string, Binding>;
  baseDir?: string;
  createdBy?: string;
  /** The configuration's lookupsDir (the merchant's own tables). */
  lookupsDir?: string;
}): Promise<DeployedFlows> {
  const versions = new FlowVersionStore(args.db);
  const out: DeployedFlows = { flows: [], docs: [], disabled: [], pollers: [], schedules: [], recompile: async () => { throw new Error('unknown flow'); } };
  const pollerIds = new Set<string>();
  const byId = new Map<string, { entry: FlowConfigEntry; bindings: Record<string, Binding> }>();
  for (const entry of args.entries) {
    const resolved = resolveFlow(entry.use, args.baseDir);
    const stored = await versions.record(resolved.doc, args.createdBy ?? `file:${path.relative(process.cwd(), resolved.file)}`);
    const state = await versions.state(stored.id);
    const doc = state.pinnedVersion !== null ? ((await versions.get(stored.id, state.pinnedVersion)) ?? stored) : stored;
    if (byId.has(doc.id)) throw userError('CONFIG_INVALID', `flow ${doc.id} is deployed twice`);
    const bindings: Record<string, Binding> = {};
    for (const [role, connId] of Object.entries(entry.connections)) {
      const b = args.connections[connId];
      if (!b) throw userError('CONFIG_INVALID', `flow ${doc.id}: role "${role}" names connection "${connId}", which does not exist`);
      bindings[role] = { ...b, id: connId };
    }
    byId.set(doc.id, { entry, bindings });
    const flow = await compileFlow({ doc, bindings, options: { ...(entry.mappingOptions ?? {}), ...(entry.options ?? {}) }, mappingFiles: mappingOverride(doc, entry, args.baseDir), db: args.db, ...(args.lookupsDir ? { lookupsDir: args.lookupsDir } : {}) });
    out.flows.push(flow);
    out.docs.push(doc);
    if (!state.enabled) out.disabled.push(doc.id);

    const t = doc.trigger;
    if (t.kind === 'poller') {
      const b = bindings[t.role]!;
      const id = `${b.id}:${t.poller}`;
      if (!pollerIds.has(id)) {
        pollerIds.add(id);
        // `now` less a clock-skew allowance: a source whose clock runs behind ours (whole seconds,
        // a minute of drift) would otherwise stamp an order placed at our start before `since`, and
        // no later poll would ever see it. The inbox absorbs anything read twice.
        // `all` (and no since, in a configuration built in code) reads the whole history.
        const since = entry.since === 'now' ? new Date(Date.now() - NOW_SKEW_MS).toISOString() : entry.since === 'all' ? undefined : entry.since;
        const poller = connectorTriggers[b.system]![t.poller]!(b.client, { id, ...(since ? { since } : {}), ...(t.options ? { options: t.options } : {}) });
        out.pollers.push({ poller, intervalMs: entry.pollIntervalMs ?? t.intervalMs ?? 2_000, connection: b.id, entity: t.entity });
      }
    } else if (t.kind === 'schedule') {
      out.schedules.push({ flowId: doc.id, ...(t.cron ? { cron: t.cron } : {}), ...(t.everyMs ? { everyMs: t.everyMs } : {}), connection: `schedule:${doc.id}`, entity: t.entity ?? 'tick' });
    }
  }
  out.recompile = async (doc) => {
    const d = byId.get(doc.id);
    if (!d) throw userError('FLOW_INVALID', `flow ${doc.id} is not deployed; add it to the configuration first`);
    return compileFlow({ doc, bindings: d.bindings, options: { ...(d.entry.mappingOptions ?? {}), ...(d.entry.options ?? {}) }, mappingFiles: mappingOverride(doc, d.entry, args.baseDir), db: args.db, ...(args.lookupsDir ? { lookupsDir: args.lookupsDir } : {}) });
  };
  return out;
}

/** A configuration's `mapping: FILE` replaces the flow's first mapping (the one a merchant edits). */
function mappingOverride(doc: FlowDocument, entry: FlowConfigEntry, baseDir = process.cwd()): Record<string, string> {
  if (!entry.mapping) return {};
  const first = doc.steps.find((s) => s.kind === 'map' || s.kind === 'settlement');
  return first && (first.kind === 'map' || first.kind === 'settlement') ? { [first.mapping]: path.resolve(baseDir, entry.mapping) } : {};
}
