// Intake refuses what it cannot store faithfully or safely (issue 10): too-deep nesting and invalid
// UTF-8 get 400 with the reason (a 5,000-deep payload used to get 503, retried forever; invalid
// UTF-8 used to be stored with U+FFFD, so stored bytes differed from signed ones), and events no
// flow takes are counted, not stored.
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
import { SecretBox } from '../core/secrets.js';
import { ApiTokenStore } from '../core/tokens.js';
import { buildServer, signWebhook } from './index.js';
import { MAX_JSON_DEPTH } from './webhooks.js';

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
const secret = 'whsec_' + randomBytes(16).toString('hex');

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'syncline-intake-'));
  store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'db.sqlite') });
  const engine = new Engine({ store, flows: [flow], deps: {} });
  const connections = new ConnectionStore(store.db, SecretBox.fromKey(randomBytes(32).toString('hex')));
  await connections.upsert({ id: 'shop-main', system: 'shop', config: {}, secrets: { webhookSecret: secret } });
  app = buildServer({ engine, connections, tokens: new ApiTokenStore(store.db), webhookSecrets: (id) => connections.webhookSecret(id), bodyLimitBytes: 256 * 1024 });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(body: Buffer | string) {
  const res = await request(`${base}/webhooks/shop-main`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-syncline-signature': signWebhook(secret, body) } });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, any> };
}
const event = (id: string, payload: unknown, entity = 'order') => ({ system: 'shop', entity, id, version: '0001', payload });
const nested = (depth: number): unknown => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};
const stored = async (id: string) => store.db.selectFrom('events').select('id').where('record_id', '=', id).execute();

describe('webhook intake limits', () => {
  it('a payload nested 5,000 deep → 400 REQUEST_TOO_DEEP, not 503; nothing stored', async () => {
    // Written as text: JSON.stringify itself runs out of stack on it.
    const res = await post(`{"system":"shop","entity":"order","id":"deep-1","version":"0001","payload":${'{"a":['.repeat(2_500)}1${']}'.repeat(2_500)}}`);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'REQUEST_TOO_DEEP', details: { maxDepth: MAX_JSON_DEPTH } });
    expect(await stored('deep-1')).toEqual([]);
  });

  it('the limit is exact, and brackets inside strings do not count', async () => {
    // The event object and its payload key take 1 level, so the payload may nest MAX - 1.
    expect((await post(JSON.stringify(event('deep-ok', nested(MAX_JSON_DEPTH - 1))))).status).toBe(202);
    expect((await post(JSON.stringify(event('deep-no', nested(MAX_JSON_DEPTH))))).status).toBe(400);
    const brackets = await post(JSON.stringify(event('brackets', { note: '[[[[{{{{'.repeat(100) + '\\"[[[' })));
    expect(brackets.status).toBe(202);
  });

  it('invalid UTF-8 → 400 REQUEST_INVALID_UTF8 and nothing stored; valid multi-byte text is stored byte for byte', async () => {
    const good = Buffer.from(JSON.stringify(event('utf-1', { note: 'Grüße aus Köln — 東京 🚚' })), 'utf8');
    const bad = Buffer.from(good);
    bad[bad.indexOf(Buffer.from('Gr')) + 2] = 0xff; // the first byte of "ü" becomes an invalid one
    const res = await post(Buffer.concat([bad]));
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('REQUEST_INVALID_UTF8');
    expect(await stored('utf-1')).toEqual([]);
    expect((await post(good)).status).toBe(202);
    expect(await stored('utf-1')).toHaveLength(1);
  });

  it('events of an entity no flow takes are counted, not stored', async () => {
    const before = Number((await store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const junk = Array.from({ length: 200 }, (_, i) => event(`junk-${i}`, { x: i }, `made-up-entity-${i}`));
    const res = await post(JSON.stringify(junk));
    expect(res).toMatchObject({ status: 202, json: { accepted: 0, jobs: 0, ignored: 200 } });
    const after = Number((await store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    expect(after).toBe(before);
    const metrics = await request(`${base}/metrics`).then((r) => r.body.text());
    expect(metrics).toMatch(/syncline_events_unrouted_total\{connection="shop-main"\} 200/);
    // The entity the sender made up is no metric label: cardinality stays bounded.
    expect(metrics).not.toContain('made-up-entity');
  });
});
