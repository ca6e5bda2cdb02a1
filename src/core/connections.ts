// Connections: one configured instance of an external system. Settings are split in two: `config`
// (base URL, company, marketplace…) is stored as plain JSON, `secrets` (passwords, tokens, webhook
// signing secrets) are sealed with AES-256-GCM by the SecretBox and only ever decrypted by `get`,
// which wires connectors. Everything that shows a connection to a person (`list`, `describe`, the
// admin API, the CLI) sees secret key names with a mask, never a value.
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import { userError } from './errors.js';
import type { SecretBox } from './secrets.js';
import { TOKEN_PREFIX } from './tokens.js';

export type Settings = Record<string, unknown>;

export interface ConnectionInput {
  id: string;
  system: string;
  config?: Settings;
  /** Replaces every stored secret. Omitted: the stored secrets are kept (edit config without re-typing passwords). */
  secrets?: Record<string, unknown>;
}

/** Decrypted: for wiring connectors only. Never log or return it over the API. */
export interface Connection {
  id: string;
  system: string;
  config: Settings;
  secrets: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/** Safe to show: secret values replaced by a mask. */
export interface ConnectionView {
  id: string;
  system: string;
  config: Settings;
  secrets: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export const SECRET_MASK = '••••';

// Ids appear in webhook URLs (/webhooks/:connection), metric labels and log lines: keep them plain.
const ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const SYSTEM = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/**
 * Stored form of the `secrets` column: the key names in clear (so a connection can be described, and
 * listed even when the master key is wrong) and the values sealed as one JSON object.
 */
interface StoredSecrets {
  keys: string[];
  sealed: string;
}

export class ConnectionStore {
  // Decrypted connections, kept briefly so a busy webhook endpoint does not decrypt per request. The
  // TTL bounds how long another process's edit (PostgreSQL scale-out) takes to be seen here.
  private readonly cache = new Map<string, { value: Connection | undefined; until: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
    private readonly cacheTtlMs = 5_000,
  ) {}

  /**
   * The settings schema of each system (main.ts gives the connectors'): with it, what is a secret is
   * decided by the schema, unknown keys are refused, and config and secrets are checked together.
   * Without it (tests of the store alone) secrets are what the caller puts under `secrets`.
   */
  systems?: (system: string) => SystemSettings | undefined;

  async upsert(input: ConnectionInput): Promise<ConnectionView> {
    const problems = validate(input, this.systems !== undefined);
    if (problems.length === 0 && this.systems) input = await this.bySchema(input, problems);
    if (problems.length) throw userError('CONNECTION_INVALID', `connection "${String(input.id)}" is invalid: ${problems.join('; ')}`, { details: { problems } });
    const now = Date.now();
    const config = JSON.stringify(input.config ?? {});
    const secrets = input.secrets === undefined ? undefined : this.sealSecrets(input.secrets);
    await this.db
      .insertInto('connections')
      .values({ id: input.id, system: input.system, config, secrets: secrets ?? null, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ system: input.system, config, updated_at: now, ...(secrets === undefined ? {} : { secrets }) }))
      .execute();
    this.cache.delete(input.id);
    return (await this.describe(input.id))!;
  }

  /** The connection with its secrets decrypted; throws SECRET_UNREADABLE under another master key. */
  async get(id: string): Promise<Connection | undefined> {
    const cached = this.cache.get(id);
    if (cached && cached.until > Date.now()) return cached.value;
    const row = await this.db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst();
    const value = row
      ? { id: row.id, system: row.system, config: JSON.parse(row.config) as Settings, secrets: this.openSecrets(row.secrets), createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) }
      : undefined;
    if (this.cacheTtlMs > 0) this.cache.set(id, { value, until: Date.now() + this.cacheTtlMs });
    return value;
  }

  async describe(id: string): Promise<ConnectionView | undefined> {
    const row = await this.db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toView(row) : undefined;
  }

  async list(): Promise<ConnectionView[]> {
    const rows = await this.db.selectFrom('connections').selectAll().orderBy('id').execute();
    return rows.map(toView);
  }

  /** True when a connection was deleted. */
  async delete(id: string): Promise<boolean> {
    const res = await this.db.deleteFrom('connections').where('id', '=', id).executeTakeFirst();
    this.cache.delete(id);
    return Number(res.numDeletedRows) > 0;
  }

  /**
   * The webhook signing secret of a connection (its `webhookSecret` secret), or undefined when the
   * connection does not exist or has none. Suits `buildServer({ webhookSecrets })`.
   */
  async webhookSecret(id: string): Promise<string | undefined> {
    const c = await this.get(id);
    const s = c?.secrets.webhookSecret;
    return typeof s === 'string' && s.length > 0 ? s : undefined;
  }

  /**
   * Config and secrets are one set of settings to the connector: joined (with the stored secrets
   * when the caller sent none), checked against the system's strict schema, then split again by
   * what the schema marks secret, wherever the caller had put each value.
   */
  private async bySchema(input: ConnectionInput, problems: string[]): Promise<ConnectionInput> {
    const system = this.systems!(input.system);
    if (!system) {
      problems.push(`no connector for system "${input.system}"`);
      return input;
    }
    const stored = input.secrets === undefined ? (await this.get(input.id))?.secrets : undefined;
    const { webhookSecret, ...secrets } = input.secrets ?? stored ?? {};
    const settings = joinSecrets(input.config ?? {}, secrets);
    problems.push(...system.check(settings));
    const split = splitSecrets(settings, system.secretPaths);
    return { ...input, config: split.config, secrets: { ...split.secrets, ...(webhookSecret === undefined ? {} : { webhookSecret }) } };
  }

  private sealSecrets(secrets: Record<string, unknown>): string {
    const stored: StoredSecrets = { keys: Object.keys(secrets).sort(), sealed: this.box.seal(secrets) };
    return JSON.stringify(stored);
  }

  private openSecrets(column: string | null): Record<string, unknown> {
    if (column === null) return {};
    return this.box.open<Record<string, unknown>>(parseStored(column).sealed);
  }
}

/** What the store needs to know of a system's settings (from its connector's config schema). */
export interface SystemSettings {
  /** Dotted paths of the fields that are credentials. */
  secretPaths: string[];
  /** Every problem with the whole settings (config and secrets joined), as "path: message". */
  check(settings: Settings): string[];
}

/** Moves the values at `paths` out of `settings`: secrets keyed by their dotted path. */
export function splitSecrets(settings: Settings, paths: string[]): { config: Settings; secrets: Record<string, unknown> } {
  const config = structuredClone(settings);
  const secrets: Record<string, unknown> = {};
  for (const p of paths) {
    const keys = p.split('.');
    let parent: unknown = config;
    for (const k of keys.slice(0, -1)) parent = isPlainObject(parent) ? parent[k] : undefined;
    const last = keys[keys.length - 1]!;
    if (isPlainObject(parent) && parent[last] !== undefined) {
      secrets[p] = parent[last];
      delete parent[last];
    }
  }
  return { config, secrets };
}

/** The connector's settings again: each secret put back at its dotted path (plain keys as they are). */
export function joinSecrets(config: Settings, secrets: Record<string, unknown>): Settings {
  const out = structuredClone(config);
  for (const [p, v] of Object.entries(secrets)) {
    const keys = p.split('.');
    let parent: Record<string, unknown> = out;
    for (const k of keys.slice(0, -1)) {
      if (!isPlainObject(parent[k])) parent[k] = {};
      parent = parent[k] as Record<string, unknown>;
    }
    parent[keys[keys.length - 1]!] = v;
  }
  return out;
}

function validate(input: ConnectionInput, bySchema = false): string[] {
  const problems: string[] = [];
  if (typeof input.id !== 'string' || !ID.test(input.id)) problems.push('id must be 1-64 lower-case letters, digits, "-" or "_", starting with a letter or digit');
  if (typeof input.system !== 'string' || !SYSTEM.test(input.system)) problems.push('system must be a lower-case name such as "xcart", "sage300", "amazon" or "sagex3"');
  if (input.config !== undefined && !isPlainObject(input.config)) problems.push('config must be an object');
  if (input.secrets !== undefined && !isPlainObject(input.secrets)) problems.push('secrets must be an object');
  // The webhook secret is the connection's webhook-only credential (decision 0006): it must never
  // double as an admin API token, so a string shaped like one is refused.
  const hook = isPlainObject(input.secrets) ? input.secrets.webhookSecret : undefined;
  if (hook !== undefined && (typeof hook !== 'string' || hook.length < 16 || hook.startsWith(TOKEN_PREFIX))) {
    problems.push(`secrets.webhookSecret must be a string of at least 16 characters that is not an API token (does not start with "${TOKEN_PREFIX}")`);
  }
  if (isPlainObject(input.config) && !bySchema) {
    // A secret typed into config would be stored in clear and shown to everyone: refuse it, also
    // nested (an `auth: {user, password}` block).
    const leaked = secretLookingPaths(input.config, '');
    if (leaked.length) problems.push(`config holds what looks like a secret (${leaked.join(', ')}): put it under secrets`);
  }
  return problems;
}

/** Names that hold a secret: anywhere "password", "secret", "credential"; at the end "token", "key", "pass". */
const SECRET_NAME = /(password|passwd|secret|credential)|(token|key|pass)$/i;

function secretLookingPaths(obj: Record<string, unknown>, prefix: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (SECRET_NAME.test(k) && v !== null && v !== '' && typeof v !== 'boolean') out.push(p);
    else if (isPlainObject(v)) out.push(...secretLookingPaths(v, p));
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseStored(column: string): StoredSecrets {
  try {
    const parsed = JSON.parse(column) as StoredSecrets;
    if (Array.isArray(parsed.keys) && typeof parsed.sealed === 'string') return parsed;
  } catch {
    // fall through: not our format
  }
  throw userError('SECRET_UNREADABLE', 'a stored connection secret has an unknown format; re-enter the credentials');
}

function toView(row: { id: string; system: string; config: string; secrets: string | null; created_at: number; updated_at: number }): ConnectionView {
  const keys = row.secrets === null ? [] : parseStored(row.secrets).keys;
  return {
    id: row.id,
    system: row.system,
    config: JSON.parse(row.config) as Settings,
    secrets: Object.fromEntries(keys.map((k) => [k, SECRET_MASK])),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
