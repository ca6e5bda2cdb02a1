// Loading specs, lookup tables and target schemas from YAML/JSON files, with errors that name the
// file, line and column. Tables and schemas are cached per absolute path: many mappings share the
// SKU crosswalk and it is indexed once.
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, Scalar } from 'yaml';
import { SynclineError, userError } from '../core/errors.js';
import type { BudgetLimits } from './budget.js';
import { compileMapping } from './compile.js';
import { createLookupTable, type LookupTableSpec } from './lookups.js';
import { createRateTable, type RateTable, type RateTableSpec } from './transforms/currency.js';
import type { CompiledMapping, LookupTables, MappingSpec } from './types.js';
import { checkTargetSchema, type TargetField, type TargetSchema } from './validate.js';

interface Parsed {
  value: unknown;
  /** spec path ("fields.X.expr") → where its scalar starts, for error positions inside expressions. */
  locate: (where: string, offset: number) => { line: number; column: number } | undefined;
}

/** Parses YAML (JSON is YAML) keeping the position of every scalar. */
export function parseWithPositions(text: string, file: string): Parsed {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    throw userError('MAPPING_SYNTAX', `${file}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}`, { details: { file, line: pos.line, column: pos.col } });
  }
  const scalars = new Map<string, Scalar>();
  const keys = new Map<string, YamlNode>();
  const walk = (n: unknown, p: string) => {
    if (isMap(n)) {
      for (const item of n.items) {
        const k = isScalar(item.key) ? String(item.key.value) : String(item.key);
        const sub = p ? `${p}.${k}` : k;
        if (isScalar(item.key)) keys.set(sub, item.key);
        walk(item.value, sub);
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => walk(item, `${p}[${i}]`));
    } else if (isScalar(n)) {
      scalars.set(p, n);
    }
  };
  walk(doc.contents, '');
  const locate = (where: string, offset: number) => {
    const s = scalars.get(where);
    if (s?.range) {
      const start = s.range[0];
      if (s.type === Scalar.BLOCK_LITERAL || s.type === Scalar.BLOCK_FOLDED) {
        // Content starts on the line after the indicator; find the line and column inside it.
        const value = String(s.value);
        const before = value.slice(0, offset);
        const lineIdx = before.split('\n').length - 1;
        const col = before.length - (before.lastIndexOf('\n') + 1);
        const header = lineCounter.linePos(start);
        const firstContent = text.indexOf('\n', start) + 1;
        const indent = (text.slice(firstContent).match(/^ */)?.[0].length ?? 0);
        return { line: header.line + 1 + lineIdx, column: indent + col + 1 };
      }
      const quoted = s.type === Scalar.QUOTE_DOUBLE || s.type === Scalar.QUOTE_SINGLE ? 1 : 0;
      const p = lineCounter.linePos(start + quoted + offset);
      return { line: p.line, column: p.col };
    }
    const k = keys.get(where);
    if (k?.range) {
      const p = lineCounter.linePos(k.range[0]);
      return { line: p.line, column: p.col };
    }
    return undefined;
  };
  return { value: doc.toJS({ maxAliasCount: 100 }), locate };
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw userError('MAPPING_NOT_FOUND', `${what} ${file} cannot be read: ${(e as Error).message}`, { details: { file }, cause: e });
  }
}

const tableCache = new Map<string, Promise<{ table?: ReturnType<typeof createLookupTable>; rates?: RateTable }>>();
const targetCache = new Map<string, Promise<TargetSchema>>();

async function loadTableFile(file: string) {
  let p = tableCache.get(file);
  if (!p) {
    p = (async () => {
      const { value } = parseWithPositions(await readText(file, 'lookup table'), file);
      const spec = value as (LookupTableSpec | RateTableSpec) & { kind?: string };
      try {
        if (spec?.kind === 'rates') return { rates: createRateTable(spec as RateTableSpec) };
        return { table: createLookupTable(spec as LookupTableSpec) };
      } catch (e) {
        if (e instanceof SynclineError) throw userError(e.code, `${file}: ${e.message}`, { details: { ...e.details, file } });
        throw e;
      }
    })();
    tableCache.set(file, p);
    p.catch(() => tableCache.delete(file));
  }
  return p;
}

/** Drops cached tables and schemas, e.g. after an analyst edited a lookup file. */
export function clearMappingCaches(): void {
  tableCache.clear();
  targetCache.clear();
}

/** A lookup table from its text (a version stored from the console), checked like a file. */
export function lookupTableFromText(text: string, name: string) {
  const { value } = parseWithPositions(text, `lookup ${name}`);
  const spec = value as LookupTableSpec;
  if ((spec as { kind?: string } | null)?.kind === 'rates') throw userError('MAPPING_SYNTAX', `lookup ${name}: rate tables are not edited as lookup tables`, { details: { name } });
  try {
    return createLookupTable(spec);
  } catch (e) {
    if (e instanceof SynclineError) throw userError(e.code, `lookup ${name}: ${e.message}`, { details: { ...e.details, name } });
    throw e;
  }
}

export async function loadLookupTable(file: string) {
  const r = await loadTableFile(path.resolve(file));
  if (!r.table) throw userError('MAPPING_SYNTAX', `${file} is a rate table, not a lookup table`, { details: { file } });
  return r.table;
}

export async function loadTargetSchema(file: string): Promise<TargetSchema> {
  const abs = path.resolve(file);
  let p = targetCache.get(abs);
  if (!p) {
    p = (async () => {
      const { value } = parseWithPositions(await readText(abs, 'target schema'), abs);
      const v = value as { name?: string; docs?: string; description?: string; fields?: Record<string, TargetField>; closed?: boolean };
      if (!v || typeof v !== 'object' || !v.fields) throw userError('MAPPING_SYNTAX', `${abs}: a target schema needs "fields"`, { details: { file: abs } });
      const root: TargetField = { type: 'object', fields: v.fields, ...(v.closed === false ? { closed: false } : {}) };
      const name = v.name ?? path.basename(abs, path.extname(abs));
      try {
        checkTargetSchema(name, root);
      } catch (e) {
        if (e instanceof SynclineError) throw userError(e.code, `${abs}: ${e.message}`, { details: { ...e.details, file: abs } });
        throw e;
      }
      return { name, root, ...(v.docs ? { docs: v.docs } : {}), ...(v.description ? { description: v.description } : {}) };
    })();
    targetCache.set(abs, p);
    p.catch(() => targetCache.delete(abs));
  }
  return p;
}

/** The folder holding lookups/ and targets/: the nearest ancestor of the spec that has a lookups/ folder. */
export async function findMappingsRoot(file: string): Promise<string> {
  let dir = path.dirname(path.resolve(file));
  for (let i = 0; i < 4; i++) {
    try {
      if ((await stat(path.join(dir, 'lookups'))).isDirectory()) return dir;
    } catch {
      /* keep walking up */
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return path.dirname(path.resolve(file));
}

export interface LoadOptions {
  /** Folder with lookups/ and targets/ (default: found upwards from the spec). */
  root?: string;
  /**
   * The merchant's own lookup tables (configuration `lookupsDir`): a table found there replaces the
   * shipped one of the same name; the others come from the shipped lookups/ folder.
   */
  lookupsDir?: string;
  /** Run every expression through jsonata-js (benchmark baseline). */
  interpretOnly?: boolean;
  /** Replace named lookup tables (e.g. a bigger catalog in the benchmark). */
  lookups?: LookupTables;
  /** Limits per record (default DEFAULT_BUDGET in budget.ts). */
  budget?: Partial<BudgetLimits>;
  /** The benchmark's variant whose compiled budget checks do nothing. */
  unbudgeted?: boolean;
}

/** Reads, checks and compiles one spec file. A syntax error names the file, line and column. */
export async function loadMapping(file: string, opts: LoadOptions = {}): Promise<CompiledMapping> {
  const abs = path.resolve(file);
  return loadMappingText(await readText(abs, 'mapping'), abs, opts);
}

/** Checks and compiles a spec's text (e.g. a version stored from the console); `file` names it in errors and finds lookups/. */
export async function loadMappingText(text: string, file: string, opts: LoadOptions = {}): Promise<CompiledMapping> {
  const abs = path.resolve(file);
  const { value, locate } = parseWithPositions(text, abs);
  const spec = value as MappingSpec;
  const root = opts.root ?? (await findMappingsRoot(abs));
  const lookups: LookupTables = {};
  const tableFile = (name: string) => {
    const own = opts.lookupsDir ? path.join(opts.lookupsDir, `${name}.yaml`) : undefined;
    return own && existsSync(own) ? own : path.join(root, 'lookups', `${name}.yaml`);
  };
  const fail = (where: string, message: string, code = 'MAPPING_SYNTAX') => {
    const pos = locate(where, 0);
    return new SynclineError(code, 'user', `${abs}${pos ? `:${pos.line}:${pos.column}` : ''}: ${message}`, { details: { file: abs, line: pos?.line, column: pos?.column } });
  };
  if (spec && typeof spec === 'object' && spec.lookups !== undefined) {
    if (!Array.isArray(spec.lookups)) throw fail('lookups', 'lookups is a list of table names');
    for (const [i, name] of spec.lookups.entries()) {
      if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) throw fail(`lookups[${i}]`, `bad lookup table name ${JSON.stringify(name)}`);
      try {
        lookups[name] = await loadLookupTable(tableFile(name));
      } catch (e) {
        if (e instanceof SynclineError && e.code === 'MAPPING_NOT_FOUND') throw fail(`lookups[${i}]`, `lookup table "${name}" not found in ${path.join(root, 'lookups')}`, 'MAPPING_NOT_FOUND');
        throw e;
      }
    }
  }
  let rates: RateTable | undefined;
  if (spec && typeof spec === 'object' && spec.rates !== undefined) {
    const r = await loadTableFile(tableFile(String(spec.rates))).catch((e: unknown) => {
      if (e instanceof SynclineError && e.code === 'MAPPING_NOT_FOUND') throw fail('rates', `rate table "${String(spec.rates)}" not found`, 'MAPPING_NOT_FOUND');
      throw e;
    });
    if (!r.rates) throw fail('rates', `"${String(spec.rates)}" is not a rate table (kind: rates)`);
    rates = r.rates;
  }
  let target: TargetSchema | undefined;
  if (spec && typeof spec === 'object' && spec.target !== undefined) {
    target = await loadTargetSchema(path.join(root, 'targets', `${String(spec.target)}.yaml`)).catch((e: unknown) => {
      if (e instanceof SynclineError && e.code === 'MAPPING_NOT_FOUND') throw fail('target', `target schema "${String(spec.target)}" not found in ${path.join(root, 'targets')}`, 'MAPPING_NOT_FOUND');
      throw e;
    });
  }
  return compileMapping(spec, {
    file: abs,
    locate,
    lookups: { ...lookups, ...opts.lookups },
    ...(rates ? { rates } : {}),
    ...(target ? { target } : {}),
    ...(opts.interpretOnly ? { interpretOnly: true } : {}),
    ...(opts.budget ? { budget: opts.budget } : {}),
    ...(opts.unbudgeted ? { unbudgeted: true } : {}),
  });
}

/** Every spec file (*.yaml) under a folder, not lookups/, targets/ or *.cases.yaml. */
export async function findSpecFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'lookups' && e.name !== 'targets' && !e.name.startsWith('.')) await walk(p);
      } else if (/\.ya?ml$/.test(e.name) && !/\.cases\.ya?ml$/.test(e.name) && !e.name.startsWith('_')) out.push(p);
    }
  };
  await walk(dir);
  return out.sort();
}

/**
 * All installed mappings by id and version. A flow pins `{id, version}`; the engine records that pin
 * on each event at intake, so publishing version N+1 changes what new events run, never old ones.
 */
export class MappingRegistry {
  private readonly byId = new Map<string, Map<number, CompiledMapping>>();

  static async load(dir: string): Promise<MappingRegistry> {
    const reg = new MappingRegistry();
    for (const f of await findSpecFiles(dir)) reg.add(await loadMapping(f), f);
    return reg;
  }

  add(m: CompiledMapping, file?: string): void {
    const versions = this.byId.get(m.id) ?? new Map<number, CompiledMapping>();
    if (versions.has(m.version)) throw userError('MAPPING_SYNTAX', `mapping ${m.id} version ${m.version} is defined twice${file ? ` (again in ${file})` : ''}; publish a new version instead of editing one in use`, { details: { id: m.id, version: m.version, file } });
    versions.set(m.version, m);
    this.byId.set(m.id, versions);
  }

  get(id: string, version: number): CompiledMapping {
    const m = this.byId.get(id)?.get(version);
    if (!m) {
      const have = [...(this.byId.get(id)?.keys() ?? [])];
      throw userError('MAPPING_NOT_FOUND', `mapping ${id} version ${version} is not installed${have.length ? ` (installed: ${have.join(', ')})` : ''}`, { details: { id, version, installed: have } });
    }
    return m;
  }

  latest(id: string): CompiledMapping {
    const versions = this.byId.get(id);
    if (!versions?.size) throw userError('MAPPING_NOT_FOUND', `no mapping with id ${id} is installed`, { details: { id } });
    return versions.get(Math.max(...versions.keys()))!;
  }

  ids(): string[] {
    return [...this.byId.keys()].sort();
  }
}
