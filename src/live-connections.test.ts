// The file seeds the store; the store is the truth once deployed: an API edit survives a restart with
// the same file, an edit of the file's entry wins at the next start, and nothing is written when one
// entry of the file is invalid. Real SQLite file, real X-Cart sandbox for the client and its test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { systemSettings } from './connectors/settings.js';
import { ConnectionHealthRegistry } from './core/connection-health.js';
import { ConnectionStore } from './core/connections.js';
import { openStore, type Store } from './core/db/database.js';
import { MemoryRateLimiter } from './core/rate-limit.js';
import { SecretBox } from './core/secrets.js';
import { LiveConnections } from './live-connections.js';
import { start as startXcart, type XcartSandbox } from './sandboxes/xcart/index.js';
import { failure } from '../test/support/failure.js';

let dir: string;
let store: Store;
let xcart: XcartSandbox;
let connections: ConnectionStore;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'syncline-live-'));
  store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'syncline.db') });
  xcart = await startXcart({ port: 0, seed: 1 });
  connections = new ConnectionStore(store.db, SecretBox.load(dir), 0);
  connections.systems = systemSettings;
});
afterAll(async () => {
  await store?.close();
  await xcart?.close();
  rmSync(dir, { recursive: true, force: true });
});

const live = (health = new ConnectionHealthRegistry()) =>
  new LiveConnections({ connections, db: store.db, health, rateLimiter: new MemoryRateLimiter(), split: (c) => ({ config: c.config, secrets: c.webhookSecret ? { webhookSecret: c.webhookSecret } : {} }) });
const file = (baseUrl: string, extra: Record<string, unknown> = {}) =>
  parseConfig({ connections: [{ id: 'shop', system: 'xcart', config: { baseUrl, token: xcart.credentials.readToken, ...extra } }] }).connections;

describe('LiveConnections', () => {
  it('seeds new entries, keeps API edits while the file entry is unchanged, and lets a changed entry win', async () => {
    expect(await live().seed(file(xcart.url))).toEqual(['shop']);
    // An operator edits the connection over the API (here: straight in the store, as the route does).
    await connections.upsert({ id: 'shop', system: 'xcart', config: { baseUrl: `${xcart.url}/` } });
    expect(await live().seed(file(xcart.url))).toEqual([]);
    expect((await connections.describe('shop'))!.config.baseUrl).toBe(`${xcart.url}/`);
    // The file's entry changes: the file wins at this start.
    expect(await live().seed(file(`${xcart.url}//`))).toEqual(['shop']);
    expect((await connections.describe('shop'))!.config.baseUrl).toBe(`${xcart.url}//`);
    await connections.upsert({ id: 'shop', system: 'xcart', config: { baseUrl: xcart.url } });
  });

  it('writes nothing when one entry is invalid, and says which', async () => {
    const before = await connections.list();
    const entries = [...file(xcart.url), ...parseConfig({ connections: [{ id: 'other', system: 'xcart', config: { baseUrl: 'not a url', token: 'x' } }] }).connections];
    const e = await failure(live().seed(entries));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain('connections[1] (other).config.baseUrl');
    expect(await connections.list()).toEqual(before);
  });

  it('the stable handle follows a rebuilt client; a test records health', async () => {
    const health = new ConnectionHealthRegistry();
    const l = live(health);
    await l.build('shop');
    const handle = l.client('shop') as { config: { token: string } };
    expect(handle.config.token).toBe(xcart.credentials.readToken);
    const first = l.raw('shop');
    expect((await l.test('shop')).ok).toBe(true);
    expect(health.get('shop')?.state).toBe('ok');
    await connections.upsert({ id: 'shop', system: 'xcart', config: { baseUrl: xcart.url }, secrets: { token: 'wrong-token' } });
    const res = await l.reload('shop');
    expect(l.raw('shop')).not.toBe(first);
    expect(res).toMatchObject({ ok: false, state: 'paused', error: { authFailure: true } });
    expect(health.get('shop')?.state).toBe('paused');
    // Flows wired with the handle at start now use the rebuilt client.
    expect(handle.config.token).toBe('wrong-token');
    health.close();
  });
});
