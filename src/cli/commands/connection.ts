// `syncline connection test ID`: the connector's cheapest authenticated call with the connection's
// current settings — from the store when it holds the connection (the store is the truth once
// deployed), else from the configuration file. Exit 0 when it passes, 1 when it does not.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig, resolveStoreUrl } from '../../config.js';
import { isAuthFailure, type ConnectionTestResult } from '../../core/connection-health.js';
import { openStore, storeOptionsFromUrl } from '../../core/db/database.js';
import { toSynclineError } from '../../core/errors.js';
import { colour } from '../output.js';

interface Settings {
  system: string;
  settings: Record<string, unknown>;
  from: string;
}

async function fromStore(id: string, o: { db?: string; config?: string }, keyFile: string | undefined): Promise<Settings | undefined> {
  const { url } = await resolveStoreUrl(o);
  const options = storeOptionsFromUrl(url);
  if (options.dialect === 'sqlite' && !existsSync(options.file)) return undefined;
  const [{ ConnectionStore, joinSecrets }, { SecretBox }, { systemSettings }] = await Promise.all([import('../../core/connections.js'), import('../../core/secrets.js'), import('../../connectors/settings.js')]);
  const file = keyFile ?? (options.dialect === 'sqlite' ? path.join(path.dirname(path.resolve(options.file)), 'master.key') : undefined);
  // Never create a master key here: a read must not leave a new key beside an existing store.
  if (!process.env.SYNCLINE_MASTER_KEY && (!file || !existsSync(file))) return undefined;
  const store = await openStore({ ...options, readonly: true });
  try {
    const connections = new ConnectionStore(store.db, SecretBox.load(path.dirname(file ?? '.'), process.env, file));
    connections.systems = systemSettings;
    const stored = await connections.get(id);
    if (!stored) return undefined;
    const { webhookSecret: _w, ...secrets } = stored.secrets;
    return { system: stored.system, settings: joinSecrets(stored.config, secrets), from: `the store (${url.replace(/\/\/[^@/]*@/, '//…@')})` };
  } finally {
    await store.close();
  }
}

export function registerConnection(program: Command): void {
  const cmd = program.command('connection').description('test a connection with its current settings');
  cmd
    .command('test')
    .description("run the connector's connection test (credentials, URL, company…); exit 1 when it fails")
    .argument('<id>', 'connection id')
    .option('--config <file>', 'configuration naming the store and the connection')
    .option('--db <url>', 'store URL (the master key: $SYNCLINE_MASTER_KEY or master.key beside a SQLite file)')
    .option('--json', 'one JSON document: {"connection", "ok", "ms", "state", "error"}')
    .action(async (id: string, o: { config?: string; db?: string; json?: boolean }) => {
      const config = o.config ? await loadConfig(o.config) : undefined;
      let target = await fromStore(id, o, config?.masterKeyFile);
      if (!target && config) {
        const c = config.connections.find((x) => x.id === id);
        if (c) target = { system: c.system, settings: c.config, from: `${o.config}` };
      }
      if (!target) throw new Error(`no connection "${id}" in ${o.config ?? o.db ?? 'the store'}`);
      const { connectors } = await import('../../connectors/index.js');
      const connector = connectors[target.system];
      if (!connector) throw new Error(`no connector for system "${target.system}"`);
      const t0 = performance.now();
      let result: ConnectionTestResult;
      try {
        // No shared circuit or rate-limit state: a one-off call from this process.
        const client = connector.createClient(target.settings, { connection: id });
        const said = await connector.testConnection(client);
        result = { connection: id, ok: true, ms: Math.round(performance.now() - t0), state: 'ok', ...(said && said.notes?.length ? { notes: said.notes } : {}) };
      } catch (e) {
        const err = toSynclineError(e);
        const auth = isAuthFailure(err);
        result = { connection: id, ok: false, ms: Math.round(performance.now() - t0), state: auth ? 'paused' : 'degraded', error: { code: err.code, kind: err.kind, message: err.message, authFailure: auth } };
      }
      if (o.json) console.log(JSON.stringify({ ...result, from: target.from }));
      else if (result.ok) {
        console.log(colour.green(`${id} (${target.system}): ok in ${result.ms} ms`) + colour.dim(`  settings from ${target.from}`));
        for (const n of result.notes ?? []) console.log(`  note: ${n}`);
      }
      else {
        console.log(colour.red(`${id} (${target.system}): failed after ${result.ms} ms — ${result.error!.code}: ${result.error!.message}`));
        if (result.error!.authFailure) console.log('  the credentials were refused: a running engine pauses this connection (its jobs wait) until a test passes');
        console.log(colour.dim(`  settings from ${target.from}`));
      }
      if (!result.ok) process.exitCode = 1;
    });
}
