// Least privilege, route by route (issue 10, defect 4): the routes are read from the server's own
// OpenAPI document, so a route added later is walked too, and one without a declared role fails here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionStore } from '../core/connections.js';
import { openStore, type Store } from '../core/db/database.js';
import { Engine } from '../core/engine.js';
import { defineFlow } from '../core/flow.js';
import { roleAllows, ROLES, type Role } from '../core/roles.js';
import { SecretBox } from '../core/secrets.js';
import { ApiTokenStore } from '../core/tokens.js';
import { ROLE_EXTENSION } from './auth.js';
import { buildServer, signWebhook } from './index.js';

const flow = defineFlow<unknown>({
  id: 'shop-orders',
  description: 'test orders to a sink',
  source: { system: 'shop', entity: 'order' },
  target: { system: 'sink', entity: 'order' },
  steps: [{ name: 'deliver', run: () => undefined }],
});

let dir: string;
let store: Store;
let app: FastifyInstance;
let base: string;
const tokens: Record<Role, string> = { viewer: '', operator: '', admin: '' };
const webhookSecret = 'whsec_' + randomBytes(16).toString('hex');

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'syncline-auth-'));
  store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'db.sqlite') });
  const engine = new Engine({ store, flows: [flow], deps: {} });
  const connections = new ConnectionStore(store.db, SecretBox.fromKey(randomBytes(32).toString('hex')));
  const tokenStore = new ApiTokenStore(store.db);
  await connections.upsert({ id: 'shop-main', system: 'shop', config: {}, secrets: { webhookSecret } });
  for (const role of ROLES) tokens[role] = (await tokenStore.create(`as-${role}`, role)).token;
  app = buildServer({ engine, connections, tokens: tokenStore, webhookSecrets: (id) => connections.webhookSecret(id) });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Status only: a live stream (SSE) never ends, so the body is dropped unread. */
async function status(method: string, url: string, headers: Record<string, string> = {}, body?: unknown): Promise<number> {
  const res = await request(base + url, {
    method: method as 'GET',
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    headersTimeout: 5_000,
  });
  res.body.on('error', () => {});
  res.body.destroy();
  return res.statusCode;
}

interface Op {
  method: string;
  path: string;
  url: string;
  role: string | undefined;
}

async function operations(): Promise<Op[]> {
  const doc = (await request(base + '/api/docs/json').then((r) => r.body.json())) as { paths: Record<string, Record<string, Record<string, unknown>>> };
  const ops: Op[] = [];
  for (const [p, methods] of Object.entries(doc.paths)) {
    if (!p.startsWith('/api/')) continue;
    for (const [method, op] of Object.entries(methods)) {
      // Ids that exist nowhere: an allowed call must not change anything (404 or 400, never 2xx on a real record).
      ops.push({ method: method.toUpperCase(), path: p, url: p.replace(/\{[^}]+\}/g, '999999'), role: op[ROLE_EXTENSION] as string | undefined });
    }
  }
  return ops;
}

describe('least privilege on every /api route', () => {
  it('every /api operation declares its role; writes need at least operator; connections and tokens need admin', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(10);
    expect(ops.filter((o) => !['public', ...ROLES].includes(o.role ?? '')).map((o) => `${o.method} ${o.path}`), 'routes without a declared role').toEqual([]);
    // Signing oneself out is the one write every role makes about itself.
    const selfService = new Set(['DELETE /api/session']);
    const weakWrites = ops.filter((o) => o.method !== 'GET' && o.role === 'viewer' && !selfService.has(`${o.method} ${o.path}`));
    expect(weakWrites.map((o) => `${o.method} ${o.path}`), 'writes a viewer may make').toEqual([]);
    // Changing a connection (not testing it) and anything about tokens is for admins.
    const adminOnly = (x: Op) => x.path.startsWith('/api/tokens') || (/^\/api\/connections(\/\{id\})?$/.test(x.path) && ['PUT', 'PATCH', 'POST', 'DELETE'].includes(x.method));
    expect(ops.filter(adminOnly).length).toBeGreaterThanOrEqual(5);
    for (const o of ops.filter(adminOnly)) {
      expect(o.role, `${o.method} ${o.path}`).toBe('admin');
    }
  });

  it('each route, each role: 401 without or with a bad credential, 403 below its role, through above it', async () => {
    const problems: string[] = [];
    for (const op of await operations()) {
      if (op.role === 'public') continue;
      const body = op.method === 'GET' || op.method === 'DELETE' ? undefined : {};
      const none = await status(op.method, op.url, {}, body);
      if (none !== 401) problems.push(`${op.method} ${op.path} without credentials: ${none}`);
      const bad = await status(op.method, op.url, { authorization: `Bearer syn_${randomBytes(32).toString('base64url')}` }, body);
      if (bad !== 401) problems.push(`${op.method} ${op.path} with an unknown token: ${bad}`);
      const webhook = await status(op.method, op.url, { authorization: `Bearer ${webhookSecret}` }, body);
      if (webhook !== 401) problems.push(`${op.method} ${op.path} with the webhook secret as a token: ${webhook}`);
      for (const role of ROLES) {
        const got = await status(op.method, op.url, { authorization: `Bearer ${tokens[role]}` }, body);
        const allowed = roleAllows(role, op.role as Role);
        if (allowed && (got === 401 || got === 403)) problems.push(`${op.method} ${op.path} as ${role} (needs ${op.role}): ${got}`);
        if (!allowed && got !== 403) problems.push(`${op.method} ${op.path} as ${role} (needs ${op.role}): ${got}, expected 403`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('403 names the role needed and held; a viewer cannot mint a token, an operator cannot change a connection', async () => {
    const res = await request(base + '/api/tokens', { method: 'POST', headers: { authorization: `Bearer ${tokens.viewer}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'escalate', role: 'admin' }) });
    expect(res.statusCode).toBe(403);
    expect(await res.body.json()).toMatchObject({ code: 'API_FORBIDDEN', details: { required: 'admin', held: 'viewer' } });
    const put = await status('PUT', '/api/connections/evil-shop', { authorization: `Bearer ${tokens.operator}` }, { system: 'shop', secrets: { webhookSecret: 'x'.repeat(32) } });
    expect(put).toBe(403);
    expect(await new ConnectionStore(store.db, SecretBox.fromKey(randomBytes(32).toString('hex'))).describe('evil-shop')).toBeUndefined();
    expect(await store.db.selectFrom('api_tokens').select('name').where('name', '=', 'escalate').execute()).toEqual([]);
  });

  it('an admin creates tokens with a role, a viewer by default', async () => {
    const headers = { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' };
    const plain = (await request(base + '/api/tokens', { method: 'POST', headers, body: JSON.stringify({ name: 'grafana' }) }).then((r) => r.body.json())) as { role: string; token: string };
    expect(plain.role).toBe('viewer');
    expect(await status('POST', '/api/dead-letters/replay', { authorization: `Bearer ${plain.token}` }, { all: true })).toBe(403);
    const op = (await request(base + '/api/tokens', { method: 'POST', headers, body: JSON.stringify({ name: 'oncall', role: 'operator' }) }).then((r) => r.body.json())) as { role: string; token: string };
    expect(op.role).toBe('operator');
    expect(await status('POST', '/api/dead-letters/replay', { authorization: `Bearer ${op.token}` }, { all: true })).toBe(200);
    expect(await status('POST', '/api/tokens', headers, { name: 'x', role: 'root' })).toBe(400);
  });
});

describe('webhook credentials and API tokens do not stand in for each other', () => {
  const body = JSON.stringify({ system: 'shop', entity: 'order', id: 'w-1', version: '0001', payload: { sku: 'A' } });

  it('an admin token cannot post a webhook: neither as a bearer nor as the signing key', async () => {
    expect(await status('POST', '/webhooks/shop-main', { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' }, JSON.parse(body))).toBe(401);
    const signedWithToken = await request(base + '/webhooks/shop-main', { method: 'POST', headers: { 'x-syncline-signature': signWebhook(tokens.admin, body), 'content-type': 'application/json' }, body });
    expect(signedWithToken.statusCode).toBe(401);
    expect(await signedWithToken.body.json()).toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID' });
    // The real credential works.
    const ok = await request(base + '/webhooks/shop-main', { method: 'POST', headers: { 'x-syncline-signature': signWebhook(webhookSecret, body), 'content-type': 'application/json' }, body });
    expect(ok.statusCode).toBe(202);
    await ok.body.dump();
  });

  it('a webhook secret shaped like an API token is refused, so one string can never be both', async () => {
    const res = await request(base + '/api/connections/shop-two', {
      method: 'PUT',
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ system: 'shop', secrets: { webhookSecret: tokens.admin } }),
    });
    expect(res.statusCode).toBe(400);
    expect(await res.body.json()).toMatchObject({ code: 'CONNECTION_INVALID' });
  });
});
