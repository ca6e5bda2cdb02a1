import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './db/database.js';
import { ConnectionStore, SECRET_MASK } from './connections.js';
import { SecretBox } from './secrets.js';
import { SynclineError } from './errors.js';

describe('ConnectionStore', () => {
  let dir: string;
  let store: Store;
  const key = randomBytes(32).toString('hex');
  const box = SecretBox.fromKey(key);
  const password = 'Sup3r-S3cret-pa55word-' + randomBytes(6).toString('hex');

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-conn-'));
    store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'db.sqlite') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seals secrets: the value is in neither the row nor the database file', async () => {
    const conns = new ConnectionStore(store.db, box);
    await conns.upsert({ id: 'sage-main', system: 'sage300', config: { baseUrl: 'http://erp', company: 'SAMINC' }, secrets: { username: 'ADMIN', password } });
    const row = await store.db.selectFrom('connections').selectAll().where('id', '=', 'sage-main').executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(password);
    expect(row.config).toContain('SAMINC');
    // Checkpoint so every page is in the main file, then read its bytes: the config is there in
    // clear (proving we read the right bytes), the password is not.
    store.sqlite!.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = readFileSync(path.join(dir, 'db.sqlite'));
    expect(bytes.includes(Buffer.from('SAMINC'))).toBe(true);
    expect(bytes.includes(Buffer.from(password))).toBe(false);
  });

  it('round-trips with the right key; describe and list show only masked key names', async () => {
    const conns = new ConnectionStore(store.db, box);
    const view = await conns.upsert({ id: 'sage-main', system: 'sage300', config: { company: 'SAMINC' }, secrets: { username: 'ADMIN', password } });
    expect(view.secrets).toEqual({ password: SECRET_MASK, username: SECRET_MASK });
    expect(JSON.stringify(await conns.list())).not.toContain(password);
    expect(JSON.stringify(await conns.describe('sage-main'))).not.toContain(password);
    const again = new ConnectionStore(store.db, SecretBox.fromKey(key), 0);
    const got = await again.get('sage-main');
    expect(got?.secrets).toEqual({ username: 'ADMIN', password });
    expect(got?.config).toEqual({ company: 'SAMINC' });
  });

  it('fails with SECRET_UNREADABLE under another master key, yet still lists the connection', async () => {
    await new ConnectionStore(store.db, box).upsert({ id: 'x', system: 'xcart', secrets: { token: password } });
    const other = new ConnectionStore(store.db, SecretBox.fromKey(randomBytes(32).toString('hex')));
    const err = await other.get('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SynclineError);
    expect((err as SynclineError).code).toBe('SECRET_UNREADABLE');
    expect((await other.list()).map((c) => c.secrets)).toEqual([{ token: SECRET_MASK }]);
  });

  it('keeps stored secrets when an update omits them, replaces them when given', async () => {
    const conns = new ConnectionStore(store.db, box, 0);
    await conns.upsert({ id: 'x', system: 'xcart', config: { baseUrl: 'http://a' }, secrets: { token: 't1', webhookSecret: 'whsec-w1-0123456789' } });
    await conns.upsert({ id: 'x', system: 'xcart', config: { baseUrl: 'http://b' } });
    expect(await conns.get('x')).toMatchObject({ config: { baseUrl: 'http://b' }, secrets: { token: 't1', webhookSecret: 'whsec-w1-0123456789' } });
    expect(await conns.webhookSecret('x')).toBe('whsec-w1-0123456789');
    await conns.upsert({ id: 'x', system: 'xcart', secrets: { token: 't2' } });
    expect((await conns.get('x'))?.secrets).toEqual({ token: 't2' });
    expect(await conns.webhookSecret('x')).toBeUndefined();
  });

  it('rejects malformed input with CONNECTION_INVALID naming each problem, and a secret typed into config', async () => {
    const conns = new ConnectionStore(store.db, box);
    const err = (await conns.upsert({ id: 'Bad Id!', system: '', config: { password: 'oops' } }).catch((e: unknown) => e)) as SynclineError;
    expect(err.code).toBe('CONNECTION_INVALID');
    expect(err.kind).toBe('user');
    const problems = err.details.problems as string[];
    expect(problems.some((p) => p.startsWith('id '))).toBe(true);
    expect(problems.some((p) => p.startsWith('system '))).toBe(true);
    expect(problems.some((p) => p.includes('password'))).toBe(true);
    expect(await conns.list()).toEqual([]);
    const nested = (await conns.upsert({ id: 'x3', system: 'sagex3', config: { baseUrl: 'http://x3', auth: { user: 'ADMIN', password: 'p' }, legacyKey: 'k' } }).catch((e: unknown) => e)) as SynclineError;
    expect(nested.code).toBe('CONNECTION_INVALID');
    expect(nested.message).toContain('auth.password');
    expect(nested.message).toContain('legacyKey');
    // Names that merely mention a token or key are settings, not secrets.
    await conns.upsert({ id: 'amz', system: 'amazon', config: { lwaUrl: 'https://api.amazon.com/auth/o2/token', tokenUrl: 'https://t', keyField: 'sku', sellerId: 'A1' } });
  });

  it('deletes, and the cache forgets a deleted connection', async () => {
    const conns = new ConnectionStore(store.db, box);
    await conns.upsert({ id: 'x', system: 'xcart', secrets: { webhookSecret: 'whsec-w-0123456789' } });
    expect(await conns.webhookSecret('x')).toBe('whsec-w-0123456789');
    expect(await conns.delete('x')).toBe(true);
    expect(await conns.delete('x')).toBe(false);
    expect(await conns.get('x')).toBeUndefined();
    expect(await conns.webhookSecret('x')).toBeUndefined();
  });
});

