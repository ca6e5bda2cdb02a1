// Versions of mapping templates and lookup tables saved from the console (migration 0014), kept in
// full like flow versions: no retention limit; a rollback saves the chosen version's text again as the
// newest, so history only grows and says who rolled back to what. The newest stored text is what new
// events run; a template never saved from the console runs its file. A file edited after its last
// stored version (the text is none of the stored ones) is recorded as the newest on the next load.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { parse } from 'yaml';
import type { Database } from '../core/db/schema.js';
import { findMappingsRoot, loadMappingText, lookupTableFromText, type LoadOptions } from './load.js';
import type { CompiledMapping, LookupTables } from './types.js';

export type TemplateKind = 'mapping' | 'lookup';

export interface TemplateVersionView {
  version: number;
  createdAt: number;
  createdBy: string;
  note: string | null;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export class TemplateVersionStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores `text` as the newest version unless it is the newest already. */
  async record(kind: TemplateKind, name: string, text: string, createdBy: string, note?: string): Promise<{ version: number; created: boolean }> {
    const hash = sha(text);
    return this.db.transaction().execute(async (trx) => {
      const newest = await trx.selectFrom('template_versions').select(['version', 'hash']).where('kind', '=', kind).where('name', '=', name).orderBy('version', 'desc').limit(1).executeTakeFirst();
      if (newest && newest.hash === hash) return { version: newest.version, created: false };
      const version = (newest?.version ?? 0) + 1;
      await trx.insertInto('template_versions').values({ kind, name, version, text, hash, created_at: Date.now(), created_by: createdBy, note: note ?? null }).execute();
      return { version, created: true };
    });
  }

  async get(kind: TemplateKind, name: string, version?: number): Promise<(TemplateVersionView & { text: string }) | undefined> {
    let q = this.db.selectFrom('template_versions').select(['version', 'text', 'created_at', 'created_by', 'note']).where('kind', '=', kind).where('name', '=', name);
    q = version === undefined ? q.orderBy('version', 'desc').limit(1) : q.where('version', '=', version);
    const r = await q.executeTakeFirst();
    return r ? { version: r.version, text: r.text, createdAt: Number(r.created_at), createdBy: r.created_by, note: r.note } : undefined;
  }

  async versions(kind: TemplateKind, name: string): Promise<TemplateVersionView[]> {
    const rows = await this.db.selectFrom('template_versions').select(['version', 'created_at', 'created_by', 'note']).where('kind', '=', kind).where('name', '=', name).orderBy('version', 'desc').execute();
    return rows.map((r) => ({ version: r.version, createdAt: Number(r.created_at), createdBy: r.created_by, note: r.note }));
  }

  /**
   * The text new events run and its stored version (null: never saved from the console, the file runs).
   * A file whose text is none of the stored versions was edited since: it becomes the newest version.
   */
  async current(kind: TemplateKind, name: string, fileText: string, fileLabel: string): Promise<{ text: string; version: number | null }> {
    const newest = await this.get(kind, name);
    if (!newest) return { text: fileText, version: null };
    const known = await this.db.selectFrom('template_versions').select('version').where('kind', '=', kind).where('name', '=', name).where('hash', '=', sha(fileText)).executeTakeFirst();
    if (known) return { text: newest.text, version: newest.version };
    const { version } = await this.record(kind, name, fileText, fileLabel, 'the file changed');
    return { text: fileText, version };
  }

  /** Saves an edit; the first save records the file's text first, so the original stays one click away. */
  async save(kind: TemplateKind, name: string, fileText: string, fileLabel: string, text: string, createdBy: string, note?: string): Promise<{ version: number; created: boolean }> {
    await this.current(kind, name, fileText, fileLabel);
    if (!(await this.get(kind, name))) await this.record(kind, name, fileText, fileLabel);
    return this.record(kind, name, text, createdBy, note);
  }
}

/** Where a lookup table's file is: the merchant's lookupsDir first, then the shipped lookups/. */
export function lookupFile(root: string, name: string, lookupsDir?: string): string {
  const own = lookupsDir ? path.join(lookupsDir, `${name}.yaml`) : undefined;
  return own && existsSync(own) ? own : path.join(root, 'lookups', `${name}.yaml`);
}

const label = (file: string) => `file:${path.relative(process.cwd(), file) || file}`;

/**
 * Loads a mapping as new events run it: its newest stored version (or its file), with the newest stored
 * version of each lookup table it names. `used` lists the stored versions it runs (`id@version`).
 */
export async function loadCurrentMapping(store: TemplateVersionStore, id: string, file: string, opts: LoadOptions = {}): Promise<{ mapping: CompiledMapping; used: string[] }> {
  const used: string[] = [];
  const root = opts.root ?? (await findMappingsRoot(file));
  const spec = await store.current('mapping', id, await readFile(file, 'utf8'), label(file));
  if (spec.version !== null) used.push(`${id}@${spec.version}`);
  const names = (parse(spec.text) as { lookups?: unknown } | null)?.lookups;
  const lookups: LookupTables = {};
  for (const name of Array.isArray(names) ? names : []) {
    if (typeof name !== 'string') continue;
    const f = lookupFile(root, name, opts.lookupsDir);
    if (!existsSync(f)) continue; // loadMappingText reports the missing table with its position
    const table = await store.current('lookup', name, await readFile(f, 'utf8'), label(f));
    if (table.version === null) continue;
    lookups[name] = lookupTableFromText(table.text, name);
    used.push(`lookup:${name}@${table.version}`);
  }
  const mapping = await loadMappingText(spec.text, file, { ...opts, root, lookups: { ...lookups, ...opts.lookups } });
  return { mapping, used };
}
