// The server on PostgreSQL (scale-out mode): stores, webhook group commit and the dead-letter API
// against a real database, in a schema of its own dropped afterwards.
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { dropSchema, openPgStore, uniqueSchema } from '../../test/support/pg.js';
import { ConnectionStore } from '../core/connections.js';
import type { Store } from '../core/db/database.js';
import { Engine } from '../core/engine.js';
import { userError } from '../core/errors.js';
import { defineFlow } from '../core/flow.js';
import { SecretBox } from '../core/secrets.js';
import { ApiTokenStore } from '../core/tokens.js';
import { buildServer, signWebhook } from './index.js';

const schema = uniqueSchema('server');
let store: Store;
let engine: Engine<unknown>;
let app: FastifyInstance;
let base: string;
let token: string;
const key = randomBytes(32).toString('hex');
const secret = randomBytes(16).toString('hex');

beforeAll(async () => {
  store = await openPgStore(schema);
  const flow = defineFlow({
    id: 'shop-orders',
    description: 'd',
    source: { system: 'shop', entity: 'order' },
    target: { system: 'sink', entity: 'order' },
    steps: [{ name: 'check', run: (o: { sku: string }) => { if (o.sku === 'NOPE') throw userError('TEST_UNKNOWN_SKU', 'unknown SKU NOPE'); return o; } }],
  });
  engine = new Engine({ store, flows: [flow], deps: {}, worker: { pollMs: 20, ackFlushMs: 1 } });
  const connections = new ConnectionStore(store.db, SecretBox.fromKey(key), 0);
  const tokens = new ApiTokenStore(store.db);
  await connections.upsert({ id: 'shop-main', system: 'shop', secrets: { webhookSecret: secret, apiToken: 'tok-123' } });
  token = (await tokens.create('pg-test', 'admin')).token;
  app = buildServer({ engine, connections, tokens, webhookSecrets: (id) => connections.webhookSecret(id) });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await engine?.stop();
  await app?.close();
  await store?.close();
  await dropSchema(schema);
});

const ev = (id: string, sku = 'A') => ({ system: 'shop', entity: 'order', id, version: '0001', payload: { sku } });
async function post(v: unknown) {
  const body = JSON.stringify(v);
  const res = await request(`${base}/webhooks/shop-main`, { method: 'POST', body, headers: { 'x-syncline-signature': signWebhook(secret, body), 'content-type': 'application/json' } });
  return { status: res.statusCode, json: (await res.body.json()) as any };
}
async function api(method: 'GET' | 'POST', url: string, body?: unknown) {
  const res = await request(base + url, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.statusCode, json: (await res.body.json()) as any };
}

describe('server on PostgreSQL', () => {
  it('stores: secrets sealed in the row, readable only with the key; tokens verify', async () => {
    const row = await store.db.selectFrom('connections').selectAll().where('id', '=', 'shop-main').executeTakeFirstOrThrow();
    expect(row.secrets).not.toContain(secret);
    expect(row.secrets).not.toContain('tok-123');
    await expect(new ConnectionStore(store.db, SecretBox.fromKey(randomBytes(32).toString('hex'))).get('shop-main')).rejects.toMatchObject({ code: 'SECRET_UNREADABLE' });
    expect(await new ApiTokenStore(store.db).verify(token)).toBeGreaterThan(0);
    expect((await request(`${base}/readyz`)).statusCode).toBe(200);
  });

  it('concurrent webhooks with duplicates: every event stored once, counts per request add up', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `p-${i}`);
    const res = await Promise.all([...ids, ...ids, ...ids].map((id) => post(ev(id))));
    expect(res.every((r) => r.status === 202)).toBe(true);
    expect(res.reduce((n, r) => n + r.json.accepted, 0)).toBe(30);
    expect(res.reduce((n, r) => n + r.json.duplicates, 0)).toBe(60);
    expect(await store.db.selectFrom('events').select('id').where('record_id', 'like', 'p-%').execute()).toHaveLength(30);
  });

  it('dead letter → replay all over the API', async () => {
    engine.start();
    expect((await post([ev('d-1', 'NOPE'), ev('d-2', 'NOPE')])).json.accepted).toBe(2);
    const dead = async () => (await api('GET', '/api/dead-letters')).json.deadLetters as Array<{ id: number; recordKey: string }>;
    for (let i = 0; i < 200 && (await dead()).length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    expect((await dead()).map((d) => d.recordKey).sort()).toEqual(['shop:order:d-1', 'shop:order:d-2']);
    const shown = await api('GET', `/api/dead-letters/${(await dead())[0]!.id}`);
    expect(shown.json.error.code).toBe('TEST_UNKNOWN_SKU');
    expect(shown.json.runs[0].status).toBe('dead');
    expect((await api('POST', '/api/dead-letters/replay', { all: true })).json).toEqual({ replayed: 2, requested: 2 });
  });
});
