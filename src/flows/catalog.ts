// The flows shipped with the product (flows/<pair>/<id>.yaml) and the versions deployed in the store.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../core/db/schema.js';
import { userError } from '../core/errors.js';
import { FLOWS_DIR, flowHash, loadFlowFile, parseFlowDocument, type FlowDocument } from './document.js';

/** Shipped flow files by id. */
export function shippedFlows(dir = FLOWS_DIR): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name) && !/\.cases\.ya?ml$/.test(e.name)) out.set(e.name.replace(/\.ya?ml$/, ''), p);
    }
  };
  walk(dir);
  return out;
}

/** A flow named in configuration: a shipped id, or a path to a document. */
export function resolveFlow(use: string, baseDir = process.cwd()): { doc: FlowDocument; file: string } {
  if (/\.(ya?ml|json)$/i.test(use)) {
    const file = path.resolve(baseDir, use);
    return { doc: loadFlowFile(file), file };
  }
  const file = shippedFlows().get(use);
  if (!file) throw userError('CONFIG_INVALID', `unknown flow "${use}"; shipped flows: ${[...shippedFlows().keys()].sort().join(', ')}`);
  return { doc: loadFlowFile(file), file };
}

export interface FlowVersionView {
  flowId: string;
  version: number;
  createdAt: number;
  createdBy: string;
}

export class FlowVersionStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Stores `doc` as a new version unless the newest stored version is the same flow (same hash).
   * Returns the document with its stored version number.
   */
  async record(doc: FlowDocument, createdBy: string): Promise<FlowDocument> {
    const hash = flowHash(doc);
    return this.db.transaction().execute(async (trx) => {
      const newest = await trx.selectFrom('flow_versions').select(['version', 'hash']).where('flow_id', '=', doc.id).orderBy('version', 'desc').limit(1).executeTakeFirst();
      if (newest && newest.hash === hash) return { ...doc, version: newest.version };
      const version = (newest?.version ?? 0) + 1;
      const stored = { ...doc, version };
      await trx.insertInto('flow_versions').values({ flow_id: doc.id, version, document: JSON.stringify(stored), hash, created_at: Date.now(), created_by: createdBy }).execute();
      return stored;
    });
  }

  async get(flowId: string, version?: number): Promise<FlowDocument | undefined> {
    let q = this.db.selectFrom('flow_versions').select('document').where('flow_id', '=', flowId);
    q = version === undefined ? q.orderBy('version', 'desc').limit(1) : q.where('version', '=', version);
    const row = await q.executeTakeFirst();
    return row ? parseFlowDocument(JSON.parse(row.document), `${flowId} v${version ?? 'latest'}`) : undefined;
  }

  async versions(flowId: string): Promise<FlowVersionView[]> {
    const rows = await this.db.selectFrom('flow_versions').select(['flow_id', 'version', 'created_at', 'created_by']).where('flow_id', '=', flowId).orderBy('version', 'desc').execute();
    return rows.map((r) => ({ flowId: r.flow_id, version: r.version, createdAt: Number(r.created_at), createdBy: r.created_by }));
  }

  async state(flowId: string): Promise<{ enabled: boolean; pinnedVersion: number | null }> {
    const row = await this.db.selectFrom('flow_state').select(['enabled', 'pinned_version']).where('flow_id', '=', flowId).executeTakeFirst();
    return { enabled: row ? Number(row.enabled) === 1 : true, pinnedVersion: row?.pinned_version ?? null };
  }

  async setState(flowId: string, patch: { enabled?: boolean; pinnedVersion?: number | null }): Promise<void> {
    const current = await this.state(flowId);
    const enabled = (patch.enabled ?? current.enabled) ? 1 : 0;
    const pinned = patch.pinnedVersion === undefined ? current.pinnedVersion : patch.pinnedVersion;
    await this.db
      .insertInto('flow_state')
      .values({ flow_id: flowId, enabled, pinned_version: pinned, updated_at: Date.now() })
      .onConflict((oc) => oc.column('flow_id').doUpdateSet({ enabled, pinned_version: pinned, updated_at: Date.now() }))
      .execute();
  }
}
