// Failure paths of the server: group-commit isolation, bugs answered without leaking, logs without
// secrets or personal data. Real Engine on a temp SQLite file, real HTTP on loopback.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ConnectionStore } from '../core/connections.js';
import { openStore, type Store } from '../core/db/database.js';
import { Engine } from '../core/engine.js';
import { bugError } from '../core/errors.js';
import { defineFlow } from '../core/flow.js';
import { SecretBox } from '../core/secrets.js';
import { ApiTokenStore } from '../core/tokens.js';
import { buildServer, defaultWebhookMapper, signWebhook } from './index.js';

let dir: string;
let store: Store;
let app: FastifyInstance;
let base: string;
let token: string;
let logText = '';
const secret = 'whsec_' + randomBytes(16).toString('hex');

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'syncline-server-err-'));
  store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'db.sqlite') });
  const flow = defineFlow({ id: 'shop-orders', description: 'd', source: { system: 'shop', entity: 'order' }, target: { system: 'sink', entity: 'order' }, steps: [{ name: 'noop', run: (x: unknown) => x }] });
  const engine = new Engine({ store, flows: [flow], deps: {} });
  const connections = new ConnectionStore(store.db, SecretBox.fromKey(randomBytes(32).toString('hex')));
  const tokens = new ApiTokenStore(store.db);
  token = (await tokens.create('test', 'admin')).token;
  const sink = new Writable({ write: (chunk, _enc, cb) => ((logText += chunk.toString()), cb()) });
  app = buildServer({
    engine,
    connections,
    tokens,
    webhookSecrets: (id) => {
      if (id === 'locked') throw new Error('SECRET_UNREADABLE: master key differs');
      return id === 'shop-main' ? secret : undefined;
    },
    logger: pino({ level: 'info' }, sink),
    mapWebhook: (connection, body, headers) => {
      const b = body as { kind?: string; email?: string };
      // A mapper bug whose details carry personal data: the log must mask it, the answer must not show it.
      if (b.kind === 'explode') throw bugError('UNEXPECTED', `mapper crashed on ${b.email}`, { details: { email: b.email } });
      // A mapper that emits a value the inbox cannot serialise (BigInt): fails inside the transaction.
      if (b.kind === 'bigint') return [{ system: 'shop', entity: 'order', id: 'big', version: '1', payload: { n: 10n } }];
      return defaultWebhookMapper(connection, body, headers);
    },
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(bodyValue: unknown) {
  const body = JSON.stringify(bodyValue);
  const res = await request(`${base}/webhooks/shop-main`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-syncline-signature': signWebhook(secret, body) } });
  return { status: res.statusCode, requestId: res.headers['x-request-id'], json: (await res.body.json()) as any };
}

const ev = (id: string) => ({ system: 'shop', entity: 'order', id, version: '0001', payload: { sku: 'A', email: 'jane@example.com' } });

describe('group commit', () => {
  it('concurrent requests each get their own counts; duplicates inside one batch are counted once', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `g-${i}`);
    // Every id is sent twice at once: one of each pair is accepted, the other is a duplicate.
    const results = await Promise.all([...ids, ...ids].map((id) => post(ev(id))));
    expect(results.every((r) => r.status === 202)).toBe(true);
    expect(results.reduce((n, r) => n + r.json.accepted, 0)).toBe(40);
    expect(results.reduce((n, r) => n + r.json.duplicates, 0)).toBe(40);
    const stored = await store.db.selectFrom('events').select('record_id').where('record_id', 'like', 'g-%').execute();
    expect(stored).toHaveLength(40);
    expect(await store.db.selectFrom('jobs').select('id').where('ordering_key', 'like', 'shop:order:g-%').execute()).toHaveLength(40);
  });

  it('one request failing inside the shared transaction does not fail its neighbours', async () => {
    const results = await Promise.all([post(ev('n-1')), post({ kind: 'bigint' }), post(ev('n-2')), post(ev('n-3'))]);
    expect(results.map((r) => r.status)).toEqual([202, 503, 202, 202]);
    expect(results[1]!.json.code).toBe('WEBHOOK_INTAKE_UNAVAILABLE');
    const stored = await store.db.selectFrom('events').select('record_id').where('record_id', 'in', ['n-1', 'n-2', 'n-3', 'big']).orderBy('record_id').execute();
    expect(stored.map((r) => r.record_id)).toEqual(['n-1', 'n-2', 'n-3']);
  });
});

describe('leaks', () => {
  it('a secret that cannot be read is 503 + Retry-After for the sender, the reason only in the log', async () => {
    const res = await request(`${base}/webhooks/locked`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'x-syncline-signature': signWebhook('x', '{}') } });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('30');
    const text = await res.body.text();
    expect(JSON.parse(text).code).toBe('WEBHOOK_INTAKE_UNAVAILABLE');
    expect(text).not.toContain('master key');
    expect(logText).toContain('webhook secret cannot be read');
  });


  it('a bug is a 500 naming the request, without its message; the log has it with PII masked', async () => {
    const res = await post({ kind: 'explode', email: 'jane.doe@example.com' });
    expect(res.status).toBe(500);
    expect(res.json.code).toBe('UNEXPECTED');
    expect(JSON.stringify(res.json)).not.toContain('jane.doe');
    expect(res.json.message).toMatch(/internal error \(request .+\)/);
    expect(res.json.message).toContain(`(request ${res.requestId})`);
    expect(logText).toContain('request failed');
    expect(logText).toContain('j***[redacted]');
    expect(logText).not.toContain('"email":"jane.doe@example.com"');
  });

  it('tokens, signatures and secrets never reach the log', async () => {
    await request(`${base}/api/runs`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.body.text());
    await request(`${base}/api/connections/x`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ system: 'xcart', secrets: { token: 'very-secret-value' } }) }).then((r) => r.body.text());
    await post(ev('log-1'));
    expect(logText.length).toBeGreaterThan(0);
    expect(logText).not.toContain(token.slice(4));
    expect(logText).not.toContain(secret);
    expect(logText).not.toContain('very-secret-value');
    expect(logText).not.toContain('x-syncline-signature');
  });
});
