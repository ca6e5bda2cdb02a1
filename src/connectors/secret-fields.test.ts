// Secrets are recognised by each connector's config schema, not by key-name guesses (issue 10,
// defect 4): what the schema marks is sealed and never shown; a key no schema knows is refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionStore, joinSecrets } from '../core/connections.js';
import { openStore, type Store } from '../core/db/database.js';
import { SecretBox } from '../core/secrets.js';
import { connectors } from './index.js';
import { secretPaths } from './secret-fields.js';
import { systemSettings } from './settings.js';

const settings = {
  xcart: { baseUrl: 'http://shop.example', token: 'xc-token-SECRET-1' },
  sage300: { baseUrl: 'http://erp.example', company: 'SAMLTD', user: 'ADMIN', password: 'sage-pass-SECRET-2' },
  amazon: { endpoint: 'http://sp.example', clientId: 'amzn1.app', clientSecret: 'lwa-SECRET-3', refreshToken: 'Atzr|SECRET-4', sellerId: 'A1' },
  sagex3: { baseUrl: 'http://x3.example', poolAlias: 'SEED', auth: { type: 'basic', user: 'admin', password: 'x3-pass-SECRET-5' } },
} as const;

describe('secret fields come from the connector schemas', () => {
  it('each connector marks its credentials', () => {
    expect(secretPaths(connectors.xcart!.configSchema)).toEqual(['legacyKey', 'token']);
    expect(secretPaths(connectors.sage300!.configSchema)).toEqual(['password']);
    expect(secretPaths(connectors.amazon!.configSchema)).toEqual(['clientSecret', 'refreshToken']);
    expect(secretPaths(connectors.sagex3!.configSchema)).toEqual(['auth.password', 'auth.token']);
  });

  it('joinSecrets puts dotted secrets back where the connector reads them', () => {
    expect(joinSecrets({ baseUrl: 'u', auth: { type: 'basic', user: 'a' } }, { 'auth.password': 'p', webhookSecret: 'w' })).toEqual({ baseUrl: 'u', auth: { type: 'basic', user: 'a', password: 'p' }, webhookSecret: 'w' });
  });
});

describe('ConnectionStore with the connectors\' schemas', () => {
  let dir: string;
  let store: Store;
  let connections: ConnectionStore;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-secrets-'));
    store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'db.sqlite') });
    connections = new ConnectionStore(store.db, SecretBox.fromKey(randomBytes(32).toString('hex')), 0);
    connections.systems = systemSettings;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seals what the schema marks, wherever the caller put it, and never shows it', async () => {
    for (const [system, config] of Object.entries(settings)) {
      const view = await connections.upsert({ id: `${system}-1`, system, config: structuredClone(config) as Record<string, unknown>, secrets: { webhookSecret: 'whsec-0123456789abcdef' } });
      expect(JSON.stringify(view)).not.toMatch(/SECRET-\d/);
      expect(Object.values(view.secrets).every((v) => v === '••••')).toBe(true);
      // The decrypted settings are exactly what the connector accepts.
      const got = (await connections.get(`${system}-1`))!;
      const { webhookSecret, ...secrets } = got.secrets;
      expect(webhookSecret).toBe('whsec-0123456789abcdef');
      expect(connectors[system]!.configSchema.safeParse(joinSecrets(got.config, secrets)).success).toBe(true);
    }
    const rows = await store.db.selectFrom('connections').select(['config', 'secrets']).execute();
    expect(JSON.stringify(rows)).not.toMatch(/SECRET-\d/);
    expect((await connections.describe('sagex3-1'))!.secrets).toEqual({ 'auth.password': '••••', webhookSecret: '••••' });
    expect((await connections.describe('sagex3-1'))!.config).toEqual({ baseUrl: 'http://x3.example', poolAlias: 'SEED', auth: { type: 'basic', user: 'admin' } });
  });

  it('refuses credential-looking keys no schema declares, for every system, and stores nothing', async () => {
    const strays = { pwd: 'VAL-pwd-1', passphrase: 'VAL-pass-2', privateKeyPem: '-----BEGIN PRIVATE KEY-----VAL', authHeader: 'Basic VAL-eA==', apiKeyValue: 'VAL-k-3', bearer: 'VAL-b-4', signingKeyId: 'VAL-kid-5' };
    for (const [system, config] of Object.entries(settings)) {
      for (const [k, v] of Object.entries(strays)) {
        for (const where of ['config', 'secrets'] as const) {
          const input = where === 'config' ? { config: { ...config, [k]: v } } : { config: { ...config }, secrets: { [k]: v } };
          const err = await connections.upsert({ id: 'stray', system, ...input }).catch((e: unknown) => e);
          expect(err, `${system} ${where}.${k}`).toMatchObject({ code: 'CONNECTION_INVALID' });
          expect((err as Error).message).toContain(k);
          expect((err as Error).message).not.toContain(v);
        }
      }
    }
    expect(await connections.describe('stray')).toBeUndefined();
  });

  it('a config-only edit keeps the stored secrets and is checked with them', async () => {
    await connections.upsert({ id: 'erp', system: 'sage300', config: { ...settings.sage300 } });
    const view = await connections.upsert({ id: 'erp', system: 'sage300', config: { baseUrl: 'http://erp2.example', company: 'SAMLTD', user: 'ADMIN' } });
    expect(view.config).toEqual({ baseUrl: 'http://erp2.example', company: 'SAMLTD', user: 'ADMIN' });
    expect((await connections.get('erp'))!.secrets).toEqual({ password: 'sage-pass-SECRET-2' });
    await expect(connections.upsert({ id: 'erp', system: 'sage300', config: { baseUrl: 'http://erp2.example', company: 'SAMLTD' } })).rejects.toMatchObject({ code: 'CONNECTION_INVALID' });
    await expect(connections.upsert({ id: 'x', system: 'nosuch', config: {} })).rejects.toThrow(/no connector for system "nosuch"/);
  });
});
