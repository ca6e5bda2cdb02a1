// Configuration for `syncline start --config FILE` (YAML or JSON). One strict schema: an unknown key
// is an error (a typo such as `conections:` must not start a server with no connections), and every
// problem is listed at once with its path and, inside a connection, the connection's id. It is all
// checked before anything is written to the store. `${NAME}` in a string value is replaced by the
// environment variable NAME (secrets stay out of the file); relative paths are relative to the file.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { closest } from 'fastest-levenshtein';
import { userError } from './core/errors.js';

const SYSTEMS = ['xcart', 'sage300', 'amazon', 'sagex3'] as const;

const connectionSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'connection ids are 1-64 lower-case letters, digits, "-" or "_"'),
  system: z.enum(SYSTEMS),
  /** Checked against the connector's own config schema (credentials included; stored sealed). */
  config: z.record(z.string(), z.unknown()),
  /** HMAC secret for POST /webhooks/<id>, for stores that push. */
  webhookSecret: z.string().min(16).optional(),
  /** Override the connector's published/default limits per operation, e.g. { createOrder: { ratePerSec: 50, burst: 100 } }. */
  rateLimits: z.record(z.string(), z.strictObject({ ratePerSec: z.number().positive(), burst: z.number().min(1) })).optional(),
  /** Send this connection's calls through an on-premise agent of this group (needs `agentHub`; docs/decisions/0009). */
  agentGroup: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'agent groups are 1-64 lower-case letters, digits, "-" or "_"').optional(),
});

/** The listener on-premise agents dial out to (mutual TLS; src/agent/hub.ts). */
const agentHubSchema = z.strictObject({
  host: z.string().default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(4443),
  /** Names agents dial, written into the hub's certificate (DNS names or IP addresses). */
  hostnames: z.array(z.string().min(1)).min(1).default(['localhost']),
  /** How long a call waits for an agent of its group to connect. */
  waitForAgentMs: z.number().int().min(0).default(10_000),
  /** Ping interval; an agent silent for two intervals is dropped and its calls fail over. */
  heartbeatMs: z.number().int().min(100).default(5_000),
});

/** Where a poller starts on its first run: `now`, `all` (the whole history) or an ISO-8601 date (docs/configuration.md). */
export const sinceSchema = z.union([
  z.literal('now'),
  z.literal('all'),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/, 'since is "now", "all" or an ISO-8601 date such as 2026-12-01 or 2026-12-01T00:00:00Z')
    .refine((s) => !Number.isNaN(Date.parse(s)), 'since is not a real date'),
]);

const flowSchema = z.strictObject({
  /** A flow from src/flows, e.g. xcart-order-to-sage300. */
  use: z.string().min(1),
  /** Role → connection id, e.g. { shop: xcart-main, erp: sage300-main }. */
  connections: z.record(z.string(), z.string()),
  pollIntervalMs: z.number().int().min(50).default(2_000),
  /** Where the flow's pollers start on their first run; each poller keeps its own cursor afterwards. Required in a file for a flow with a poller (checkConfig). */
  since: sinceSchema.optional(),
  /** Mapping spec file; default the shipped template. */
  mapping: z.string().optional(),
  /** Mapping options (e.g. webCustomer, location). */
  mappingOptions: z.record(z.string(), z.unknown()).optional(),
  /** Options of the flow itself (read by the flow's runtime). */
  options: z.record(z.string(), z.unknown()).optional(),
});

const logSchema = z
  .strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    /** auto: coloured lines on a terminal, JSON otherwise. */
    format: z.enum(['auto', 'pretty', 'json']).default('auto'),
  })
  .prefault({});

const telemetrySchema = z
  .strictObject({
    /** Off by default: nothing is recorded or sent unless this is true. */
    enabled: z.boolean().default(false),
    serviceName: z.string().min(1).default('syncline'),
    /** OTLP/HTTP traces endpoint, e.g. http://collector:4318/v1/traces (default: $OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or the OTLP default). */
    otlpEndpoint: z.string().url().optional(),
    otlpHeaders: z.record(z.string(), z.string()).optional(),
  })
  .prefault({});

const healthSchema = z
  .strictObject({
    /** Test every connection at start (a failure warns and marks it degraded or paused; never fatal). */
    testAtStart: z.boolean().default(true),
    /** How often a paused or degraded connection is tested again. */
    retestMs: z.number().int().min(1_000).default(30_000),
    /** Consecutive failures of one kind (reads, or writes) that open a connection's circuit. */
    circuitFailures: z.number().int().min(1).default(5),
  })
  .prefault({});

export const configSchema = z.strictObject({
  dataDir: z.string().default('./data'),
  /** sqlite:PATH (default sqlite:<dataDir>/syncline.db) or postgres://… */
  database: z.string().optional(),
  /** Master key file (default <dataDir>/master.key); $SYNCLINE_MASTER_KEY wins when set. */
  masterKeyFile: z.string().optional(),
  /** Folder of mapping lookup tables (payment methods, carriers, GL accounts…); default the shipped mappings/lookups. */
  lookupsDir: z.string().optional(),
  sqliteSynchronous: z.enum(['normal', 'full']).default('normal'),
  server: z.strictObject({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(4100), bodyLimitBytes: z.number().int().positive().default(1_048_576) }).prefault({}),
  worker: z.strictObject({ concurrency: z.number().int().min(1).max(512).default(16), leaseMs: z.number().int().min(1000).default(30_000), pollMs: z.number().int().min(1).default(50) }).prefault({}),
  redactPii: z.boolean().default(true),
  runRetentionDays: z.number().positive().default(30),
  /** Step payloads in run history: every step's ('all'), failed runs' only ('errors'), or none; the source event is kept once in the inbox. */
  recordPayloads: z.enum(['all', 'errors', 'none']).default('errors'),
  log: logSchema,
  telemetry: telemetrySchema,
  health: healthSchema,
  agentHub: agentHubSchema.optional(),
  connections: z.array(connectionSchema).default([]),
  flows: z.array(flowSchema).default([]),
});

export type SynclineConfig = z.infer<typeof configSchema> & {
  /** The file it was read from (absolute), when it came from one. */
  source?: string;
};
export type SynclineConfigInput = z.input<typeof configSchema>;

/** One problem: where (with the connection's id inside a connection) and what. */
export interface ConfigProblem {
  path: string;
  message: string;
}

const KNOWN_KEYS: Record<string, string[]> = {
  '': Object.keys(configSchema.shape),
  connections: Object.keys(connectionSchema.shape),
  flows: Object.keys(flowSchema.shape),
};

/** `connections.1.config.baseUrl` → `connections[1] (sage300-main).config.baseUrl`. */
function describePath(p: PropertyKey[], input: unknown): string {
  let out = '';
  let node: unknown = input;
  for (let i = 0; i < p.length; i++) {
    const k = p[i]!;
    if (typeof k === 'number') {
      out += `[${k}]`;
      node = Array.isArray(node) ? node[k] : undefined;
      const id = (node as { id?: unknown; use?: unknown } | undefined)?.id ?? (node as { use?: unknown } | undefined)?.use;
      if (i === 1 && typeof id === 'string') out += ` (${id})`;
    } else {
      out += out ? `.${String(k)}` : String(k);
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[String(k)] : undefined;
    }
  }
  return out || '(root)';
}

function issueMessage(issue: z.core.$ZodIssue, p: PropertyKey[]): string {
  if (issue.code === 'unrecognized_keys') {
    const section = typeof p[0] === 'string' && typeof p[1] === 'number' && p.length === 2 ? p[0] : p.length === 0 ? '' : undefined;
    const known = section !== undefined ? KNOWN_KEYS[section] : undefined;
    return issue.keys
      .map((k) => {
        const hint = known ? closest(k, known) : undefined;
        return `unknown key "${k}"${hint ? ` (did you mean "${hint}"?)` : ''}`;
      })
      .join('; ');
  }
  return issue.message;
}

const ENV_REF = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces `${NAME}` in every string with the environment variable; `$${` is a literal `${`. */
export function substituteEnv(input: unknown, env: NodeJS.ProcessEnv, problems: ConfigProblem[], at: PropertyKey[] = [], root: unknown = input): unknown {
  if (typeof input === 'string') {
    return input.replace(ENV_REF, (whole, name: string | undefined) => {
      if (!name) return '${';
      const value = env[name];
      if (value === undefined) {
        problems.push({ path: describePath(at, root), message: `environment variable ${name} is not set` });
        return whole;
      }
      return value;
    });
  }
  if (Array.isArray(input)) return input.map((v, i) => substituteEnv(v, env, problems, [...at, i], root));
  if (input && typeof input === 'object') return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, substituteEnv(v, env, problems, [...at, k], root)]));
  return input;
}

/** What checkConfig reads of a flow document: its roles (role → system) and its trigger. */
interface FlowTemplate {
  roles: Record<string, string>;
  trigger: { kind: string; role?: string; poller?: string };
}

/** Every problem of a configuration, without throwing: schema, env references, cross references, connector settings. */
export async function checkConfig(input: unknown, opts: { env?: NodeJS.ProcessEnv; connectors?: boolean; baseDir?: string } = {}): Promise<{ config?: SynclineConfig; problems: ConfigProblem[] }> {
  const problems: ConfigProblem[] = [];
  const data = substituteEnv(input, opts.env ?? process.env, problems);
  const parsed = configSchema.safeParse(data ?? {});
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push({ path: describePath(i.path, data), message: issueMessage(i, i.path) });
  }
  // Cross references and connector settings are checked on what did parse, so one run shows all.
  const raw = (data && typeof data === 'object' ? data : {}) as { connections?: unknown; flows?: unknown };
  const conns = Array.isArray(raw.connections) ? (raw.connections as Array<Record<string, unknown>>) : [];
  const flows = Array.isArray(raw.flows) ? (raw.flows as Array<Record<string, unknown>>) : [];
  const byId = new Map<string, Record<string, unknown>>();
  conns.forEach((c, i) => {
    if (typeof c?.id !== 'string') return;
    if (byId.has(c.id)) problems.push({ path: describePath(['connections', i, 'id'], data), message: `two connections have the id "${c.id}"` });
    byId.set(c.id, c);
  });
  if (opts.connectors !== false) {
    // Imported here, not at the top: `syncline --help` and the store commands must not load every connector.
    const { connectors } = await import('./connectors/index.js');
    conns.forEach((c, i) => {
      const connector = typeof c?.system === 'string' ? connectors[c.system] : undefined;
      if (!connector || !c.config || typeof c.config !== 'object') return;
      const res = connector.configSchema.safeParse(c.config);
      if (!res.success) for (const issue of res.error.issues) problems.push({ path: describePath(['connections', i, 'config', ...issue.path], data), message: issue.message });
    });
  }
  // The flow catalogue (shipped flow documents, or a document's path): each flow's roles, role → system.
  const catalog = opts.connectors !== false ? ((await import('./flows/index.js')) as { resolveFlow?: (use: string, baseDir?: string) => { doc: FlowTemplate }; shippedFlows?: () => Map<string, string> }) : undefined;
  flows.forEach((f, i) => {
    if (!f || typeof f !== 'object') return;
    let template: FlowTemplate | undefined;
    if (catalog?.resolveFlow && typeof f.use === 'string') {
      try {
        template = catalog.resolveFlow(f.use, opts.baseDir).doc;
      } catch (e) {
        const known = [...(catalog.shippedFlows?.().keys() ?? [])].sort();
        const hint = /\.(ya?ml|json)$/i.test(f.use) ? undefined : closest(f.use, known);
        problems.push({ path: describePath(['flows', i, 'use'], data), message: `${(e as Error).message}${hint && hint !== f.use ? ` (did you mean "${hint}"?)` : ''}` });
      }
    }
    const roles = (f.connections && typeof f.connections === 'object' ? f.connections : {}) as Record<string, unknown>;
    for (const [role, id] of Object.entries(roles)) {
      if (typeof id !== 'string') continue;
      const conn = byId.get(id);
      if (!conn) problems.push({ path: describePath(['flows', i, 'connections', role], data), message: `names connection "${id}", but no connection has that id` });
      else if (template?.roles[role] && conn.system !== template.roles[role]) problems.push({ path: describePath(['flows', i, 'connections', role], data), message: `role "${role}" needs a ${template.roles[role]} connection; ${id} is ${String(conn.system)}` });
    }
    if (template) for (const role of Object.keys(template.roles)) if (!(role in roles)) problems.push({ path: describePath(['flows', i, 'connections'], data), message: `needs a connection for role "${role}" (a ${template.roles[role]} connection)` });
    // A file deploys against real systems: without a starting point a first poll would push the
    // source's whole history into the ERP, so the choice is made explicitly (`all` for a back-fill).
    const t = template?.trigger;
    if (t?.kind === 'poller' && t.role && f.since === undefined) {
      const polled = `${typeof roles[t.role] === 'string' ? String(roles[t.role]) : t.role}:${t.poller}`;
      problems.push({ path: describePath(['flows', i, 'since'], data), message: `required: the first poll of ${polled} needs a starting point — since: now (from the start on), a date such as 2026-12-01 (a cut-over), or since: all (the whole history, a back-fill) (docs/configuration.md, "First start")` });
    }
  });
  return { config: problems.length === 0 && parsed.success ? parsed.data : undefined, problems };
}

function invalid(source: string, problems: ConfigProblem[]): Error {
  const lines = problems.map((p) => `  ${p.path}: ${p.message}`);
  return userError('CONFIG_INVALID', `${source} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${lines.join('\n')}`, { details: { problems } });
}

/**
 * Schema and cross references only (no connector settings, and `since` is not required): for
 * configurations built in code by the demo, scenarios and tests, which start their own sandboxes.
 */
export function parseConfig(input: unknown, source = 'configuration'): SynclineConfig {
  const problems: ConfigProblem[] = [];
  const parsed = configSchema.safeParse(input ?? {});
  if (!parsed.success) for (const i of parsed.error.issues) problems.push({ path: describePath(i.path, input), message: issueMessage(i, i.path) });
  else {
    const ids = new Set(parsed.data.connections.map((c) => c.id));
    parsed.data.flows.forEach((f, i) => {
      for (const [role, id] of Object.entries(f.connections)) if (!ids.has(id)) problems.push({ path: describePath(['flows', i, 'connections', role], input), message: `names connection "${id}", but no connection has that id` });
    });
  }
  if (problems.length) throw invalid(source, problems);
  return parsed.data!;
}

/** Reads and parses a file (YAML or JSON), without validating it. */
export async function readConfigFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw userError('CONFIG_INVALID', `cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return /\.json$/i.test(file) ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    throw userError('CONFIG_INVALID', `${file} does not parse: ${(e as Error).message}`);
  }
}

/**
 * Relative paths (dataDir, a sqlite: database, masterKeyFile, lookupsDir, flows' mapping files)
 * resolve against the directory of the configuration file, never the working directory: the same
 * file names the same store whichever folder a command is started from.
 */
export function resolvePaths(config: SynclineConfig, baseDir: string): SynclineConfig {
  const abs = (p: string) => path.resolve(baseDir, p);
  const dataDir = abs(config.dataDir);
  let database = config.database;
  if (database?.startsWith('sqlite:')) {
    const file = database.slice('sqlite:'.length);
    if (file && file !== ':memory:') database = `sqlite:${abs(file)}`;
  }
  return {
    ...config,
    dataDir,
    database: database ?? `sqlite:${path.join(dataDir, 'syncline.db')}`,
    masterKeyFile: abs(config.masterKeyFile ?? path.join(dataDir, 'master.key')),
    ...(config.lookupsDir ? { lookupsDir: abs(config.lookupsDir) } : {}),
    // A flow named by a document path (flows/…/x.yaml) resolves against the file like the rest.
    flows: config.flows.map((f) => ({ ...f, ...(f.mapping ? { mapping: abs(f.mapping) } : {}), ...(/\.(ya?ml|json)$/i.test(f.use) ? { use: abs(f.use) } : {}) })),
  };
}

/** Reads, substitutes, validates (every problem at once) and resolves paths. Writes nothing. */
export async function loadConfig(file: string, opts: { env?: NodeJS.ProcessEnv } = {}): Promise<SynclineConfig> {
  const source = path.resolve(file);
  const { config, problems } = await checkConfig(await readConfigFile(source), { ...opts, baseDir: path.dirname(source) });
  if (!config) throw invalid(file, problems);
  return { ...resolvePaths(config, path.dirname(source)), source };
}

/** The store's location a configuration file names (dataDir, database, resolved): a command that needs only that must not want the connections' secrets. */
async function readStoreLocation(file: string, env: NodeJS.ProcessEnv): Promise<SynclineConfig> {
  const source = path.resolve(file);
  const raw = (await readConfigFile(source)) as { dataDir?: unknown; database?: unknown } | null;
  const problems: ConfigProblem[] = [];
  const picked = substituteEnv({ dataDir: raw?.dataDir, database: raw?.database }, env, problems) as { dataDir?: unknown; database?: unknown };
  const parsed = configSchema.pick({ dataDir: true, database: true }).safeParse(picked);
  if (!parsed.success) for (const i of parsed.error.issues) problems.push({ path: describePath(i.path, picked), message: i.message });
  if (problems.length || !parsed.success) throw invalid(file, problems);
  return resolvePaths({ ...configSchema.parse({}), ...parsed.data }, path.dirname(source));
}

/** Which store a command uses, and why: `--db`, else `--config`'s file, else $SYNCLINE_DATABASE_URL, else ./data/syncline.db. */
export async function resolveStoreUrl(o: { db?: string; config?: string }, env: NodeJS.ProcessEnv = process.env): Promise<{ url: string; from: string; ignored?: string }> {
  const envUrl = env.SYNCLINE_DATABASE_URL;
  if (o.db) return { url: o.db, from: '--db', ...(envUrl && o.config ? { ignored: '--config and $SYNCLINE_DATABASE_URL' } : envUrl ? { ignored: '$SYNCLINE_DATABASE_URL' } : o.config ? { ignored: '--config' } : {}) };
  if (o.config) {
    const url = (await readStoreLocation(o.config, env)).database!;
    return { url, from: `--config ${o.config}`, ...(envUrl && envUrl !== url ? { ignored: '$SYNCLINE_DATABASE_URL' } : {}) };
  }
  if (envUrl) return { url: envUrl, from: '$SYNCLINE_DATABASE_URL' };
  return { url: `sqlite:${path.resolve('data/syncline.db')}`, from: 'the default (./data/syncline.db)' };
}

/** Where accepted and rejected mapping suggestions are kept: in the data folder, beside the store. */
export const acceptedMappingsFile = (dataDir: string): string => path.join(dataDir, 'accepted-mappings.json');

/** The suggestions file a command uses: `--store`, else in `--config`'s data folder (where a server started from that file keeps it), else ./data. */
export async function resolveAcceptedMappings(o: { store?: string; config?: string }, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (o.store) return path.resolve(o.store);
  return acceptedMappingsFile(o.config ? (await readStoreLocation(o.config, env)).dataDir : path.resolve('data'));
}
