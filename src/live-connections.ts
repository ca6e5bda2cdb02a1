// Connection clients while the process runs. The store is the truth for connections once deployed:
// the configuration file seeds it (an entry is written when it is new or when the file's entry
// changed since it was last written, so an edit made through the API survives a restart), each
// client is built from the store, and an edit through the API rebuilds that client at once. Flows
// hold a stable handle (a proxy) that forwards to the current client, so they need no re-wiring.
// Every connection is tested at start and, while it is degraded or paused, again on a timer.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { connectors } from './connectors/index.js';
import { joinSecrets, type ConnectionStore } from './core/connections.js';
import { isAuthFailure, type ConnectionHealthRegistry, type ConnectionTestResult } from './core/connection-health.js';
import type { Database } from './core/db/schema.js';
import { toSynclineError, userError } from './core/errors.js';
import type { RateLimiter } from './core/rate-limit.js';
import type { SynclineConfig } from './config.js';

type FileConnection = SynclineConfig['connections'][number];

export interface LiveConnectionsOptions {
  connections: ConnectionStore;
  db: Kysely<Database>;
  health: ConnectionHealthRegistry;
  rateLimiter: RateLimiter;
  logger?: Logger;
  /** Splits a file entry's settings into plain config and sealed secrets. */
  split(c: FileConnection): { config: Record<string, unknown>; secrets: Record<string, unknown> };
  /** Rate-limit overrides from the file, per connection. */
  rateLimits?: Record<string, Record<string, { ratePerSec: number; burst: number }>>;
  retestMs?: number;
}

export class LiveConnections {
  private readonly current = new Map<string, { system: string; client: unknown }>();
  private readonly handles = new Map<string, unknown>();
  private timer?: NodeJS.Timeout;
  private retesting = false;

  constructor(private readonly opts: LiveConnectionsOptions) {}

  /**
   * Checks every file entry against its connector's settings (all problems at once, nothing written
   * if one fails), then writes the new and the changed ones. Returns the ids written.
   */
  async seed(entries: FileConnection[]): Promise<string[]> {
    const problems: Array<{ path: string; message: string }> = [];
    const prepared = entries.map((c, i) => {
      const connector = connectors[c.system];
      if (!connector) problems.push({ path: `connections[${i}] (${c.id}).system`, message: `no connector for system "${c.system}"` });
      else {
        const res = connector.configSchema.safeParse(c.config);
        if (!res.success) for (const issue of res.error.issues) problems.push({ path: `connections[${i}] (${c.id}).config.${issue.path.join('.')}`, message: issue.message });
      }
      const { config, secrets } = this.opts.split(c);
      const hash = createHash('sha256').update(JSON.stringify({ system: c.system, config: c.config, webhookSecret: c.webhookSecret ?? null })).digest('hex');
      return { c, config, secrets, hash };
    });
    if (problems.length) {
      throw userError('CONFIG_INVALID', `the configuration has ${problems.length} problem(s):\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`, { details: { problems } });
    }
    const written: string[] = [];
    for (const { c, config, secrets, hash } of prepared) {
      const key = `connection:${c.id}`;
      const seeded = await this.opts.db.selectFrom('config_seeds').select('hash').where('key', '=', key).executeTakeFirst();
      const exists = await this.opts.connections.describe(c.id);
      if (exists && seeded?.hash === hash) continue; // unchanged in the file: the store (maybe edited over the API) wins
      await this.opts.connections.upsert({ id: c.id, system: c.system, config, secrets });
      await this.opts.db
        .insertInto('config_seeds')
        .values({ key, hash, applied_at: Date.now() })
        .onConflict((oc) => oc.column('key').doUpdateSet({ hash, applied_at: Date.now() }))
        .execute();
      written.push(c.id);
    }
    return written;
  }

  /** (Re)builds the client of a connection from the store. */
  async build(id: string): Promise<void> {
    const stored = await this.opts.connections.get(id);
    if (!stored) throw userError('CONFIG_INVALID', `connection ${id} is not in the store`);
    const connector = connectors[stored.system];
    if (!connector) throw userError('CONFIG_INVALID', `connection ${id}: no connector for system "${stored.system}"`);
    const { webhookSecret: _webhookSecret, ...secrets } = stored.secrets;
    const client = connector.createClient(joinSecrets(stored.config, secrets), { connection: id, rateLimiter: this.opts.rateLimiter });
    for (const [op, limit] of Object.entries(this.opts.rateLimits?.[id] ?? {})) await this.opts.rateLimiter.setLimit(`${id}:${op}`, limit);
    this.current.set(id, { system: stored.system, client });
    this.opts.health.track(id);
  }

  /**
   * A stable handle on a connection's client: it forwards every property to the current client, so
   * a flow wired at start uses the rebuilt client after an edit.
   */
  client(id: string): unknown {
    let handle = this.handles.get(id);
    if (!handle) {
      const live = this.current;
      handle = new Proxy(
        {},
        {
          get(_t, prop) {
            const c = live.get(id)?.client as Record<PropertyKey, unknown> | undefined;
            if (!c) throw userError('CONFIG_INVALID', `connection ${id} was removed`);
            const v = Reflect.get(c, prop, c);
            return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(c) : v;
          },
          has: (_t, prop) => prop in ((live.get(id)?.client as object) ?? {}),
          getPrototypeOf: () => Object.getPrototypeOf(live.get(id)?.client ?? {}),
        },
      );
      this.handles.set(id, handle);
    }
    return handle;
  }

  /** The real client (tests, the demo's own counting). */
  raw(id: string): unknown {
    return this.current.get(id)?.client;
  }

  ids(): string[] {
    return [...this.current.keys()];
  }

  /** Runs the connector's `testConnection`; records the outcome in the health registry. */
  async test(id: string): Promise<ConnectionTestResult> {
    const entry = this.current.get(id);
    if (!entry) throw userError('CONFIG_INVALID', `no connection "${id}"`);
    const connector = connectors[entry.system]!;
    const t0 = performance.now();
    try {
      const said = await connector.testConnection(entry.client);
      const ms = performance.now() - t0;
      this.opts.health.tested(id, { ok: true, ms });
      const notes = said && said.notes?.length ? said.notes : undefined;
      for (const n of notes ?? []) this.opts.logger?.warn({ connection: id }, n);
      return { connection: id, ok: true, ms: Math.round(ms), state: this.opts.health.get(id)?.state ?? 'ok', ...(notes ? { notes } : {}) };
    } catch (e) {
      const ms = performance.now() - t0;
      const error = toSynclineError(e);
      this.opts.health.tested(id, { ok: false, ms, error });
      return { connection: id, ok: false, ms: Math.round(ms), state: this.opts.health.get(id)?.state ?? 'degraded', error: { code: error.code, kind: error.kind, message: error.message, authFailure: isAuthFailure(error) } };
    }
  }

  /** After an API edit: rebuild the client and test it (a paused connection resumes when it passes). */
  async reload(id: string): Promise<ConnectionTestResult | undefined> {
    const stored = await this.opts.connections.describe(id);
    if (!stored) {
      this.current.delete(id);
      this.opts.health.untrack(id);
      return undefined;
    }
    await this.build(id);
    return this.test(id);
  }

  /** Tests every connection at start: logged, never fatal (a sandbox that is down degrades, it does not stop the start). */
  async testAll(): Promise<ConnectionTestResult[]> {
    const results = await Promise.all(this.ids().map((id) => this.test(id)));
    for (const r of results) {
      if (r.ok) this.opts.logger?.info({ connection: r.connection, ms: r.ms }, `connection ${r.connection} ok (${r.ms} ms)`);
      // The health registry has already said it in one warn line (degraded or paused, with the reason).
    }
    return results;
  }

  /** Re-tests degraded and paused connections every `retestMs`, so they resume without a restart. */
  startRetest(): void {
    const every = this.opts.retestMs ?? 30_000;
    this.timer = setInterval(() => {
      if (this.retesting) return;
      this.retesting = true;
      const due = this.ids().filter((id) => {
        const s = this.opts.health.get(id)?.state;
        return s === 'paused' || s === 'degraded';
      });
      void Promise.all(due.map((id) => this.test(id).catch(() => undefined))).finally(() => (this.retesting = false));
    }, every);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
