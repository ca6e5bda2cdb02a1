// PII on screen (issue 10, defect 5): GET /api/dead-letters/:id printed the whole order. Now personal
// data is masked unless an operator or admin asks with ?reveal=pii; a viewer never sees it.
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
import { userError } from '../core/errors.js';
import { defineFlow } from '../core/flow.js';
import { ROLES, type Role } from '../core/roles.js';
import { SecretBox } from '../core/secrets.js';
import { ApiTokenStore } from '../core/tokens.js';
import { buildServer } from './index.js';

const flow = defineFlow<unknown>({
  id: 'shop-orders',
  description: 'orders that fail on an unknown customer',
  source: { system: 'shop', entity: 'order' },
  target: { system: 'sink', entity: 'order' },
  maxAttempts: 1,
  steps: [
    {
      name: 'lookup',
      run: (o: { email: string }) => {
        throw userError('TEST_UNKNOWN_CUSTOMER', `unknown customer e-mail '${o.email}'`, { details: { note: 'customer said: call me at +1 415 555 0131' } });
      },
    },
  ],
});
const order = { email: 'jane.doe@example.com', notes: 'call me at +1 415 555 0131', billing: { firstname: 'Jane', lastname: 'Doe', street: '1 Market St' }, sku: 'A1-1002-BLK', total: '12.50' };
const PII = ['jane.doe@example.com', '415 555 0131', 'Jane', 'Market St'];

let dir: string;
let store: Store;
let engine: Engine<unknown>;
let app: FastifyInstance;
let base: string;
const tokens = {} as Record<Role, string>;
let deadId: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'syncline-pii-api-'));
  store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'db.sqlite') });
  // Runs recorded unredacted (redactPii: false), so masking on the way out is what is tested here.
  engine = new Engine({ store, flows: [flow], deps: {}, redaction: { enabled: false }, worker: { pollMs: 10 } });
  const tokenStore = new ApiTokenStore(store.db);
  for (const r of ROLES) tokens[r] = (await tokenStore.create(r, r)).token;
  app = buildServer({ engine, connections: new ConnectionStore(store.db, SecretBox.fromKey(randomBytes(32).toString('hex'))), tokens: tokenStore, webhookSecrets: () => undefined });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  await engine.intake([{ system: 'shop', entity: 'order', id: 'o-1', version: '0001', payload: order }]);
  engine.start();
  for (let i = 0; i < 200; i++) {
    const [dead] = await engine.queue.list({ state: 'dead' });
    if (dead) {
      deadId = dead.id;
      break;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
});

afterAll(async () => {
  await engine.stop();
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (url: string, role: Role) => (await request(base + url, { headers: { authorization: `Bearer ${tokens[role]}` } })).body.text();

describe('personal data in the admin API', () => {
  it('a dead letter is masked for everyone by default, the business data kept', async () => {
    expect(deadId).toBeGreaterThan(0);
    for (const role of ROLES) {
      const text = await get(`/api/dead-letters/${deadId}`, role);
      for (const p of PII) expect(text, `${role}: ${p}`).not.toContain(p);
      expect(JSON.parse(text)).toMatchObject({ inputs: { payload: { sku: 'A1-1002-BLK', total: '12.50' } }, error: { code: 'TEST_UNKNOWN_CUSTOMER' } });
    }
  });

  it('the error stored with the dead letter (in clear, unlike the sealed payload) does not quote the e-mail or the phone', async () => {
    const raw = await store.db.selectFrom('jobs').select(['last_error', 'history']).where('id', '=', deadId).executeTakeFirstOrThrow();
    expect(raw.last_error).toContain('TEST_UNKNOWN_CUSTOMER');
    for (const text of [raw.last_error!, raw.history]) for (const p of ['jane.doe@example.com', '415 555 0131']) expect(text).not.toContain(p);
  });

  it('?reveal=pii shows it to an operator or admin, never to a viewer', async () => {
    expect(await get(`/api/dead-letters/${deadId}?reveal=pii`, 'viewer')).not.toContain('jane.doe@example.com');
    for (const role of ['operator', 'admin'] as const) {
      const shown = JSON.parse(await get(`/api/dead-letters/${deadId}?reveal=pii`, role));
      expect(shown.inputs.payload).toEqual(order);
    }
  });

  it('runs and dead-letter lists: error messages and step payloads masked the same way', async () => {
    for (const url of ['/api/runs', '/api/dead-letters']) {
      const text = await get(url, 'viewer');
      expect(text).toContain('TEST_UNKNOWN_CUSTOMER');
      for (const p of PII) expect(text, `${url}: ${p}`).not.toContain(p);
    }
    const [run] = JSON.parse(await get('/api/runs', 'viewer')).runs;
    const one = await get(`/api/runs/${run.id}`, 'viewer');
    for (const p of PII) expect(one).not.toContain(p);
    expect(JSON.parse(await get(`/api/runs/${run.id}?reveal=pii`, 'operator')).steps[0].input.email).toBe('jane.doe@example.com');
  });
});
