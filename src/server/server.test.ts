// The server against a real Engine on a temp SQLite file, over real HTTP on loopback.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionStore } from '../core/connections.js';
import { openStore, type Store } from '../core/db/database.js';
import { Engine } from '../core/engine.js';
import { userError } from '../core/errors.js';
import { defineFlow } from '../core/flow.js';
import { SecretBox } from '../core/secrets.js';
import { ApiTokenStore } from '../core/tokens.js';
import { buildServer, signWebhook } from './index.js';
import type { FastifyInstance } from 'fastify';

const delivered: Array<{ id: string; sku: string }> = [];
const flow = defineFlow<unknown>({
  id: 'shop-orders',
  description: 'test orders to a sink',
  source: { system: 'shop', entity: 'order' },
  target: { system: 'sink', entity: 'order' },
  connection: 'sink-main',
  maxAttempts: 2,
  steps: [
    {
      name: 'validate',
      run: (order: { sku?: string }) => {
        if (order.sku === 'NOPE') throw userError('TEST_UNKNOWN_SKU', `unknown SKU ${order.sku}`, { details: { sku: order.sku } });
        return order;
      },
    },
    { name: 'deliver', run: (order: { sku: string }, ctx) => void delivered.push({ id: ctx.event.id, sku: order.sku }) },
  ],
});

let dir: string;
let store: Store;
let engine: Engine<unknown>;
let app: FastifyInstance;
let base: string;
let token: string;
const secret = 'whsec_' + randomBytes(16).toString('hex');

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'syncline-server-'));
  store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'db.sqlite') });
  engine = new Engine({ store, flows: [flow], deps: {}, worker: { pollMs: 20, ackFlushMs: 1 } });
  const connections = new ConnectionStore(store.db, SecretBox.fromKey(randomBytes(32).toString('hex')));
  const tokens = new ApiTokenStore(store.db);
  await connections.upsert({ id: 'shop-main', system: 'shop', config: { baseUrl: 'http://shop' }, secrets: { apiToken: 'shop-api-token-123', webhookSecret: secret } });
  token = (await tokens.create('test', 'admin')).token;
  app = buildServer({ engine, connections, tokens, webhookSecrets: (id) => connections.webhookSecret(id), bodyLimitBytes: 64 * 1024 });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await engine.stop();
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, opts: { body?: unknown; raw?: string | Buffer; headers?: Record<string, string>; auth?: string | null } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.auth !== null) headers.authorization = `Bearer ${opts.auth ?? token}`;
  let body: string | Buffer | undefined = opts.raw;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await request(base + url, { method, headers, body });
  const text = await res.body.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

const event = (id: string, version: string, payload: unknown = { sku: 'SKU-1', total: '12.50' }) => ({ system: 'shop', entity: 'order', id, version, payload });

async function postWebhook(body: string | Buffer, opts: { signature?: string | null; connection?: string; contentType?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/json' };
  const sig = opts.signature === undefined ? signWebhook(secret, body) : opts.signature;
  if (sig !== null) headers['x-syncline-signature'] = sig;
  return call('POST', `/webhooks/${opts.connection ?? 'shop-main'}`, { raw: body, headers, auth: null });
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('health and metrics', () => {
  it('/healthz and /readyz answer without a token', async () => {
    expect(await call('GET', '/healthz', { auth: null })).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(await call('GET', '/readyz', { auth: null })).toMatchObject({ status: 200, json: { status: 'ready' } });
  });

  it('/readyz is 503 when the database does not answer', async () => {
    const s = await openStore({ dialect: 'sqlite', file: path.join(dir, 'other.sqlite') });
    const e = new Engine({ store: s, flows: [flow], deps: {} });
    const a = buildServer({ engine: e, connections: new ConnectionStore(s.db, SecretBox.fromKey(randomBytes(32).toString('hex'))), tokens: new ApiTokenStore(s.db), webhookSecrets: () => undefined });
    expect((await a.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    await s.close();
    const res = await a.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'SERVER_NOT_READY' });
    await a.close();
  });
});

describe('admin API authentication and documentation', () => {
  it('401 with a JSON problem without a token, with a bad one, with a revoked one', async () => {
    const none = await call('GET', '/api/runs', { auth: null });
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ code: 'API_UNAUTHORIZED' });
    expect(none.headers['www-authenticate']).toContain('Bearer');
    const bad = await call('GET', '/api/runs', { auth: 'syn_' + randomBytes(32).toString('base64url') });
    expect(bad.status).toBe(401);
    expect(bad.json.code).toBe('API_UNAUTHORIZED');
    expect((await call('GET', '/api/connections', { headers: { authorization: `Basic ${token}` }, auth: null })).status).toBe(401);
    const tokens = new ApiTokenStore(store.db);
    const t = await tokens.create('short-lived');
    expect((await call('GET', '/api/queue', { auth: t.token })).status).toBe(200);
    await tokens.revoke(t.id);
    expect((await call('GET', '/api/queue', { auth: t.token })).status).toBe(401);
  });

  it('every /api route is refused without a token', async () => {
    for (const [m, u] of [['GET', '/api/runs/1'], ['GET', '/api/dead-letters'], ['GET', '/api/dead-letters/1'], ['PUT', '/api/dead-letters/1/payload'], ['POST', '/api/dead-letters/replay'], ['DELETE', '/api/dead-letters/1'], ['GET', '/api/connections/x'], ['PUT', '/api/connections/x'], ['DELETE', '/api/connections/x'], ['GET', '/api/flows'], ['GET', '/api/tokens'], ['POST', '/api/tokens'], ['DELETE', '/api/tokens/1']] as const) {
      const res = await call(m, u, { auth: null, ...(m === 'PUT' || m === 'POST' ? { body: {} } : {}) });
      expect(res.status, `${m} ${u}`).toBe(401);
    }
  });

  it('serves an OpenAPI 3 document listing the routes, publicly', async () => {
    const res = await call('GET', '/api/docs/json', { auth: null });
    expect(res.status).toBe(200);
    expect(res.json.openapi).toMatch(/^3\./);
    const paths = Object.keys(res.json.paths);
    for (const p of ['/api/runs', '/api/runs/{id}', '/api/dead-letters', '/api/dead-letters/{id}', '/api/dead-letters/{id}/payload', '/api/dead-letters/replay', '/api/connections', '/api/connections/{id}', '/api/queue', '/api/flows', '/api/tokens', '/api/tokens/{id}', '/webhooks/{connection}', '/healthz', '/readyz', '/metrics']) {
      expect(paths, p).toContain(p);
    }
    const operationIds = Object.values(res.json.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(operationIds.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(operationIds).size).toBe(operationIds.length);
    expect(res.json.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(res.json.paths['/api/dead-letters/{id}'])).toEqual(expect.arrayContaining(['get', 'delete']));
  });

  it('400 with the reason for invalid parameters', async () => {
    const res = await call('GET', '/api/runs?limit=100000');
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('API_INVALID_REQUEST');
    expect(res.json.message).toContain('limit');
    const status = await call('GET', '/api/runs?status=sideways');
    expect(status.status).toBe(400);
    expect(status.json.message).toContain('status');
    expect((await call('GET', '/api/runs/abc')).status).toBe(400);
    const replay = await call('POST', '/api/dead-letters/replay', { body: { ids: [] } });
    expect(replay.status).toBe(400);
    const malformed = await call('PUT', '/api/connections/x', { raw: '{"system":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.json.code).toBe('REQUEST_MALFORMED_JSON');
    expect((await call('GET', '/api/nothing-here')).json.code).toBe('API_NOT_FOUND');
    const media = await call('PUT', '/api/connections/x', { raw: 'system=xcart', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(media.status).toBe(415);
    expect(media.json.code).toBe('REQUEST_UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('webhook intake', () => {
  it('unsigned → 401, nothing stored', async () => {
    const res = await postWebhook(JSON.stringify(event('u1', '0001')), { signature: null });
    expect(res.status).toBe(401);
    expect(res.json.code).toBe('WEBHOOK_SIGNATURE_MISSING');
    const garbled = await postWebhook(JSON.stringify(event('u1', '0001')), { signature: 'sha256=abc' });
    expect(garbled.status).toBe(401);
    expect(await store.db.selectFrom('events').select('id').where('record_id', '=', 'u1').execute()).toEqual([]);
  });

  it('wrong signature → 401: another secret, or a body altered after signing', async () => {
    const body = JSON.stringify(event('w1', '0001'));
    const other = await postWebhook(body, { signature: signWebhook('not-the-secret', body) });
    expect(other.status).toBe(401);
    expect(other.json.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    const tampered = await postWebhook(body.replace('12.50', '0.01'), { signature: signWebhook(secret, body) });
    expect(tampered.status).toBe(401);
    expect(tampered.json.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(await store.db.selectFrom('events').select('id').where('record_id', '=', 'w1').execute()).toEqual([]);
  });

  it('stale or future timestamp → 401 with the reason', async () => {
    const body = JSON.stringify(event('s1', '0001'));
    const old = await postWebhook(body, { signature: signWebhook(secret, body, Math.floor(Date.now() / 1000) - 301) });
    expect(old.status).toBe(401);
    expect(old.json.code).toBe('WEBHOOK_TIMESTAMP_STALE');
    expect(old.json.message).toMatch(/30[12] s old/);
    const future = await postWebhook(body, { signature: signWebhook(secret, body, Math.floor(Date.now() / 1000) + 3600) });
    expect(future.status).toBe(401);
    expect(future.json.message).toContain('future');
    // Within the tolerance it is accepted.
    expect((await postWebhook(body, { signature: signWebhook(secret, body, Math.floor(Date.now() / 1000) - 200) })).status).toBe(202);
  });

  it('unknown connection → 404', async () => {
    const body = JSON.stringify(event('c1', '0001'));
    const res = await postWebhook(body, { connection: 'nobody' });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe('WEBHOOK_UNKNOWN_CONNECTION');
  });

  it('malformed JSON (correctly signed) → 400 with the parser reason', async () => {
    const res = await postWebhook('{"system": "shop", "entity": ');
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('REQUEST_MALFORMED_JSON');
    expect(res.json.message).toMatch(/JSON/);
    expect(res.json.message.length).toBeGreaterThan('the body is not valid JSON: '.length + 5);
  });

  it('JSON that is not an event → 400 listing the problems', async () => {
    const res = await postWebhook(JSON.stringify([event('v1', '0001'), { system: 'shop', entity: 'order', id: 'x', version: 7, extra: 1 }]));
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('WEBHOOK_INVALID_EVENT');
    const paths = res.json.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['1.version', '1.payload']));
    expect(res.json.message).toContain('1.version');
    // All or nothing: the valid first event was not stored either.
    expect(await store.db.selectFrom('events').select('id').where('record_id', '=', 'v1').execute()).toEqual([]);
  });

  it('an empty body → 400; two v1 signatures during a secret rotation → accepted when one matches', async () => {
    const empty = await postWebhook('');
    expect(empty.status).toBe(400);
    expect(empty.json.message).toContain('empty');
    const body = JSON.stringify(event('rot-1', '0001'));
    const good = signWebhook(secret, body);
    const t = good.slice(2, good.indexOf(','));
    const oldSig = signWebhook('the-old-secret', body, Number(t)).split('v1=')[1];
    const res = await postWebhook(body, { signature: `t=${t},v1=${oldSig},${good.split(',')[1]}` });
    expect(res.status).toBe(202);
    expect((await postWebhook(body, { signature: `t=${t},v1=${oldSig}` })).status).toBe(401);
  });

  it("a connection's events must be of its own system", async () => {
    const res = await postWebhook(JSON.stringify([event('sys-1', '0001'), { ...event('sys-2', '0001'), system: 'amazon' }]));
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('WEBHOOK_INVALID_EVENT');
    expect(res.json.details.issues).toEqual([{ path: '1.system', message: '"amazon" is not this connection\'s system "shop"' }]);
    expect(await store.db.selectFrom('events').select('id').where('record_id', 'in', ['sys-1', 'sys-2']).execute()).toEqual([]);
  });

  it('oversized body → 413 with a clear message', async () => {
    const big = JSON.stringify(event('big', '0001', { blob: 'x'.repeat(70 * 1024) }));
    const res = await postWebhook(big);
    expect(res.status).toBe(413);
    expect(res.json.code).toBe('REQUEST_TOO_LARGE');
    expect(res.json.message).toContain(String(64 * 1024));
  });

  it('valid → 202 after the event is in the inbox with a job; the same event again is a duplicate', async () => {
    const body = JSON.stringify(event('ok-1', '2026-11-22T10:00:00Z'));
    const res = await postWebhook(body, { contentType: 'text/plain' });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ accepted: 1, duplicates: 0, jobs: 1 });
    // Read through a separate connection to the file: the write is committed, not just in our process.
    const reader = await openStore({ dialect: 'sqlite', file: path.join(dir, 'db.sqlite') });
    try {
      const ev = await reader.db.selectFrom('events').selectAll().where('record_id', '=', 'ok-1').executeTakeFirstOrThrow();
      expect(JSON.parse(ev.payload)).toEqual({ sku: 'SKU-1', total: '12.50' });
      const jobs = await reader.db.selectFrom('jobs').select(['queue', 'state']).where('event_id', '=', ev.id).execute();
      expect(jobs).toEqual([{ queue: 'shop-orders', state: 'queued' }]);
    } finally {
      await reader.close();
    }
    const again = await postWebhook(body);
    expect(again.status).toBe(202);
    expect(again.json).toEqual({ accepted: 0, duplicates: 1, jobs: 0 });
    const batch = await postWebhook(JSON.stringify([event('ok-1', '2026-11-22T10:00:00Z'), event('ok-2', '0001'), { ...event('ok-3', '0001'), id: 3 }]));
    expect(batch.json).toEqual({ accepted: 2, duplicates: 1, jobs: 2 });
  });
});

describe('dead letters, runs and connections over the API', () => {
  it('list, show, edit + replay, replay, discard', async () => {
    engine.start();
    const bad = [event('dl-1', '0001', { sku: 'NOPE', total: '1.00' }), event('dl-2', '0001', { sku: 'NOPE' }), event('dl-3', '0001', { sku: 'NOPE' })];
    expect((await postWebhook(JSON.stringify(bad))).json.accepted).toBe(3);
    const list = await until('3 dead letters', async () => {
      const r = await call('GET', '/api/dead-letters?flow=shop-orders');
      const mine = r.json.deadLetters.filter((d: { recordKey: string }) => d.recordKey.startsWith('shop:order:dl-'));
      return mine.length === 3 && mine;
    });
    expect(list[0]).toMatchObject({ flow: 'shop-orders', recordKey: 'shop:order:dl-1', error: { code: 'TEST_UNKNOWN_SKU', kind: 'user' } });

    const shown = await call('GET', `/api/dead-letters/${list[0].id}`);
    expect(shown.status).toBe(200);
    expect(shown.json.error.message).toContain('NOPE');
    expect(shown.json.inputs).toMatchObject({ system: 'shop', entity: 'order', id: 'dl-1', version: '0001', payload: { sku: 'NOPE', total: '1.00' } });
    expect(shown.json.history).toEqual([expect.objectContaining({ attempt: 1, outcome: 'dead', error: expect.objectContaining({ code: 'TEST_UNKNOWN_SKU' }) })]);
    expect(shown.json.runs).toEqual([expect.objectContaining({ status: 'dead', jobId: list[0].id })]);

    // The run is there with its steps.
    const run = await call('GET', `/api/runs/${shown.json.runs[0].id}`);
    expect(run.json.steps.map((s: { step: string; status: string }) => `${s.step}:${s.status}`)).toEqual(['validate:error']);
    expect((await call('GET', '/api/runs?flow=shop-orders&status=dead')).json.runs.length).toBeGreaterThanOrEqual(3);

    // Editing the identity is refused; fixing the data replays it and delivers it once.
    const identity = await call('PUT', `/api/dead-letters/${list[0].id}/payload`, { body: { payload: { ...shown.json.inputs, id: 'someone-else' } } });
    expect(identity.status).toBe(400);
    expect(identity.json.message).toContain('id');
    const edit = await call('PUT', `/api/dead-letters/${list[0].id}/payload`, { body: { payload: { ...shown.json.inputs, payload: { sku: 'SKU-FIXED', total: '1.00' } } } });
    expect(edit.json).toEqual({ replayed: 1 });
    await until('dl-1 delivered', async () => delivered.some((d) => d.id === 'dl-1'));
    expect(delivered.filter((d) => d.id === 'dl-1')).toEqual([{ id: 'dl-1', sku: 'SKU-FIXED' }]);
    expect((await call('GET', `/api/dead-letters/${list[0].id}`)).status).toBe(404);

    // Replay without an edit: it fails the same way and comes back as a dead letter.
    const replay = await call('POST', '/api/dead-letters/replay', { body: { ids: [list[1].id] } });
    expect(replay.json).toEqual({ replayed: 1, requested: 1 });
    await until('dl-2 dead again', async () => {
      const r = await call('GET', `/api/dead-letters/${list[1].id}`);
      return r.status === 200 && r.json.history.length === 3 && r.json;
    });
    const again = (await call('GET', `/api/dead-letters/${list[1].id}`)).json;
    expect(again.history.map((h: { outcome: string }) => h.outcome)).toEqual(['dead', 'replayed', 'dead']);

    // Discard.
    expect((await call('DELETE', `/api/dead-letters/${list[2].id}`)).status).toBe(204);
    expect((await call('DELETE', `/api/dead-letters/${list[2].id}`)).status).toBe(404);
    expect((await call('GET', `/api/dead-letters/${list[2].id}`)).json.code).toBe('API_NOT_FOUND');

    // Replay all of a flow.
    const all = await call('POST', '/api/dead-letters/replay', { body: { all: true, flow: 'shop-orders' } });
    expect(all.json.replayed).toBe(all.json.requested);
    expect(all.json.replayed).toBeGreaterThanOrEqual(1);
    expect((await call('POST', '/api/dead-letters/replay', { body: { ids: [1], all: true } })).status).toBe(400);

    const queue = await call('GET', '/api/queue');
    expect(queue.status).toBe(200);
    expect(queue.json.counts.every((c: { flow: string }) => c.flow === 'shop-orders')).toBe(true);
    const flows = await call('GET', '/api/flows');
    expect(flows.json.flows).toEqual([expect.objectContaining({ id: 'shop-orders', steps: ['validate', 'deliver'], source: { system: 'shop', entity: 'order' } })]);
  });

  it('connections: secrets go in, never come out', async () => {
    const put = await call('PUT', '/api/connections/sage-main', { body: { system: 'sage300', config: { baseUrl: 'http://erp', company: 'SAMINC' }, secrets: { username: 'ADMIN', password: 'p@ss-w0rd-xyz' } } });
    expect(put.status).toBe(200);
    expect(put.text).not.toContain('p@ss-w0rd-xyz');
    expect(put.json.secrets).toEqual({ password: '••••', username: '••••' });
    const one = await call('GET', '/api/connections/sage-main');
    expect(one.json).toMatchObject({ id: 'sage-main', system: 'sage300', config: { company: 'SAMINC' } });
    expect(one.text).not.toContain('p@ss-w0rd-xyz');
    const all = await call('GET', '/api/connections');
    expect(all.json.connections.map((c: { id: string }) => c.id)).toEqual(['sage-main', 'shop-main']);
    expect(all.text).not.toContain('shop-api-token-123');
    expect(all.text).not.toContain(secret);
    const leak = await call('PUT', '/api/connections/bad', { body: { system: 'xcart', config: { apiToken: 'abc' } } });
    expect(leak.status).toBe(400);
    expect(leak.json.code).toBe('CONNECTION_INVALID');
    expect((await call('PUT', '/api/connections/Bad%20Id', { body: { system: 'xcart' } })).status).toBe(400);
    expect((await call('DELETE', '/api/connections/sage-main')).status).toBe(204);
    expect((await call('GET', '/api/connections/sage-main')).status).toBe(404);
  });

  it('API tokens: create (shown once), list (never shown), revoke', async () => {
    const created = await call('POST', '/api/tokens', { body: { name: 'console' } });
    expect(created.status).toBe(201);
    expect(created.json.token).toMatch(/^syn_/);
    expect((await call('GET', '/api/flows', { auth: created.json.token })).status).toBe(200);
    const list = await call('GET', '/api/tokens');
    expect(list.json.tokens.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['test', 'console']));
    expect(list.text).not.toContain(created.json.token);
    expect((await call('DELETE', `/api/tokens/${created.json.id}`)).status).toBe(204);
    expect((await call('GET', '/api/flows', { auth: created.json.token })).status).toBe(401);
    expect((await call('POST', '/api/tokens', { body: { name: '' } })).status).toBe(400);
  });

  it('metrics expose the counters with flow and connection labels', async () => {
    const res = await call('GET', '/metrics', { auth: null });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toMatch(/syncline_events_received_total\{system="shop",entity="order",connection="shop-main"\} \d+/);
    expect(res.text).toMatch(/syncline_events_deduplicated_total\{system="shop",entity="order",connection="shop-main"\} [1-9]/);
    expect(res.text).toMatch(/syncline_jobs_succeeded_total\{flow="shop-orders",connection="sink-main"\} [1-9]/);
    expect(res.text).toMatch(/syncline_jobs_dead_lettered_total\{flow="shop-orders",connection="sink-main",code="TEST_UNKNOWN_SKU"\} [1-9]/);
    expect(res.text).toMatch(/syncline_queue_depth\{flow="shop-orders",state="(queued|dead)"\} \d+/);
    expect(res.text).toMatch(/syncline_webhook_requests_total\{connection="shop-main",status="202"\} [1-9]/);
    expect(res.text).toMatch(/syncline_webhook_requests_total\{connection="\(unknown\)",status="404"\} [1-9]/);
    expect(res.text).toMatch(/syncline_step_duration_seconds_count\{flow="shop-orders",connection="sink-main",step="validate"\} [1-9]/);
  });
});
