import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './db/database.js';
import { ApiTokenStore } from './tokens.js';

describe('ApiTokenStore', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-tok-'));
    store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'db.sqlite') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a token once and stores only its SHA-256', async () => {
    const tokens = new ApiTokenStore(store.db);
    const created = await tokens.create('ci');
    expect(created.token).toMatch(/^syn_[A-Za-z0-9_-]{43}$/);
    const rows = await store.db.selectFrom('api_tokens').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(created.token.slice(4));
    expect(rows[0]!.token_hash).toBe(createHash('sha256').update(created.token).digest('hex'));
    expect(JSON.stringify(await tokens.list())).not.toContain(created.token.slice(4));
  });

  it('verifies the right token, refuses others, records last use', async () => {
    const tokens = new ApiTokenStore(store.db);
    const a = await tokens.create('ci');
    const b = await tokens.create('grafana');
    expect(a.token).not.toBe(b.token);
    expect((await tokens.list())[0]!.lastUsedAt).toBeNull();
    expect(await tokens.verify(a.token)).toBe(a.id);
    expect(await tokens.verify(b.token)).toBe(b.id);
    expect((await tokens.list()).find((t) => t.id === a.id)!.lastUsedAt).toBeGreaterThan(0);
    expect(await tokens.verify(a.token.slice(0, -1) + (a.token.endsWith('A') ? 'B' : 'A'))).toBeUndefined();
    expect(await tokens.verify('')).toBeUndefined();
    expect(await tokens.verify(undefined)).toBeUndefined();
    expect(await tokens.verify(createHash('sha256').update(a.token).digest('hex'))).toBeUndefined();
  });

  it('revoke stops a token at once', async () => {
    const tokens = new ApiTokenStore(store.db);
    const a = await tokens.create('ci');
    expect(await tokens.revoke(a.id)).toBe(true);
    expect(await tokens.verify(a.token)).toBeUndefined();
    expect(await tokens.revoke(a.id)).toBe(false);
    expect(await tokens.list()).toEqual([]);
  });

  it('refuses a token without a name', async () => {
    const tokens = new ApiTokenStore(store.db);
    await expect(tokens.create('  ')).rejects.toMatchObject({ code: 'TOKEN_NAME_INVALID', kind: 'user' });
  });
});
