// The designers' admin API: mapping and lookup versions, and new flows assembled from the palette,
// against a real SQLite store and the shipped order flow compiled with its real mappings (the
// connections are never called: no events are taken here).
// The browser test (test/e2e/console.test.ts) proves a saved version reaches the Sage 300 sandbox.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionStore } from '../../core/connections.js';
import { openStore, type Store } from '../../core/db/database.js';
import { Engine } from '../../core/engine.js';
import { ROLES, type Role } from '../../core/roles.js';
import { SecretBox } from '../../core/secrets.js';
import { ApiTokenStore } from '../../core/tokens.js';
import { deployFlows } from '../../flows/deploy.js';
import { FlowVersionStore } from '../../flows/catalog.js';
import { parseFlowDocument } from '../../flows/document.js';
import { flowPalette } from '../../flows/palette.js';
import { buildServer } from '../index.js';

const root = path.resolve(import.meta.dirname, '../../..');
const specText = readFileSync(path.join(root, 'mappings/xcart-sage300/order-to-oe-order.yaml'), 'utf8');
const sample = JSON.parse(readFileSync(path.join(root, 'mappings/xcart-sage300/samples/order.json'), 'utf8'));
const M = '/api/mappings/xcart-sage300/order-to-oe-order';

let dir: string;
let store: Store;
let engine: Engine<unknown>;
let app: FastifyInstance;
const tokens: Record<Role, string> = { viewer: '', operator: '', admin: '' };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'syncline-mapver-'));
  store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'db.sqlite') });
  const deployed = await deployFlows({
    entries: [{ use: 'xcart-order-to-sage300', connections: { shop: 'xcart-main', erp: 'sage300-main' } }],
    db: store.db,
    connections: { 'xcart-main': { id: 'xcart-main', system: 'xcart', client: {} }, 'sage300-main': { id: 'sage300-main', system: 'sage300', client: {} } },
  });
  engine = new Engine({ store, flows: deployed.flows });
  const tokenStore = new ApiTokenStore(store.db);
  for (const role of ROLES) tokens[role] = (await tokenStore.create(`as-${role}`, role)).token;
  app = buildServer({
    engine,
    connections: new ConnectionStore(store.db, SecretBox.fromKey(randomBytes(32).toString('hex'))),
    tokens: tokenStore,
    webhookSecrets: () => undefined,
    acceptedStore: path.join(dir, 'accepted-mappings.json'),
    flowOps: { versions: new FlowVersionStore(store.db), parse: parseFlowDocument, recompile: (doc) => deployed.recompile(doc), palette: flowPalette },
  });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = async (method: 'GET' | 'POST' | 'PUT', url: string, role: Role = 'admin', body?: unknown) => {
  const r = await app.inject({ method, url, headers: { authorization: `Bearer ${tokens[role]}` }, ...(body !== undefined ? { payload: body as object } : {}) });
  return { status: r.statusCode, body: r.json() as any };
};
const preview = async () => (await call('POST', `${M}/preview`, 'operator', { input: sample })).body.output;

describe('mapping versions', () => {
  it('shows the file, its source fields from a sample and the target schema fields, until a version is saved', async () => {
    const r = await call('GET', M, 'viewer');
    expect(r.status).toBe(200);
    expect(r.body.version).toBeNull();
    expect(r.body.versions).toEqual([]);
    expect(r.body.text).toBe(specText);
    expect(r.body.sampleFrom).toMatch(/^sample file/);
    expect(r.body.sourceFields.map((f: { path: string }) => f.path)).toContain('order_number');
    expect(r.body.targetFields.find((f: { path: string }) => f.path === 'PurchaseOrderNumber')).toMatchObject({ type: 'string', required: true });
    expect(engine.flows[0]!.revision).toBeUndefined();
  });

  it('saves an edit as a new version (admins only, checked first), new events run it, and rolls back in one call', async () => {
    const edited = specText.replace(`OrderDescription: "$truncate('X-Cart order #' & order_number, 60)"`, `OrderDescription: "$truncate('Web order ' & order_number, 60)"`);
    expect(edited).not.toBe(specText);
    expect((await call('POST', `${M}/versions`, 'operator', { text: edited })).status).toBe(403);
    const bad = await call('POST', `${M}/versions`, 'admin', { text: edited.replace('$truncate(', '$truncate((') });
    expect([bad.status, bad.body.code]).toEqual([400, 'TEMPLATE_VERSION_INVALID']);
    const renamed = await call('POST', `${M}/versions`, 'admin', { text: edited.replace('id: xcart-sage300/order-to-oe-order', 'id: xcart-sage300/other') });
    expect(renamed.status).toBe(400);
    expect((await call('GET', M)).body.version).toBeNull();

    const before = engine.flows[0]!;
    expect(await preview()).toMatchObject({ OrderDescription: `X-Cart order #${sample.order_number}` });
    const saved = await call('POST', `${M}/versions`, 'admin', { text: edited, note: 'shorter description' });
    expect(saved).toMatchObject({ status: 201, body: { version: 2, created: true, flows: ['xcart-order-to-sage300'] } });
    // The file was recorded as version 1 first, so the original is one click away.
    const versions = (await call('GET', M, 'viewer')).body.versions;
    expect(versions.map((v: { version: number; createdBy: string; note: string | null }) => [v.version, v.createdBy.split(':')[0], v.note])).toEqual([[2, 'token', 'shorter description'], [1, 'file', null]]);
    expect((await call('GET', `${M}/versions/1`, 'viewer')).body.text).toBe(specText);
    expect(await preview()).toMatchObject({ OrderDescription: `Web order ${sample.order_number}` });
    // A new revision of the same flow version: jobs queued before keep `before`.
    const after = engine.flows[0]!;
    expect(after).not.toBe(before);
    expect([after.version, after.revision]).toEqual([before.version, `${before.version}+xcart-sage300/order-to-oe-order@2`]);
    // The same text again is no new version.
    expect((await call('POST', `${M}/versions`, 'admin', { text: edited })).body).toMatchObject({ version: 2, created: false });

    const back = await call('POST', `${M}/rollback`, 'admin', { version: 1 });
    expect(back).toMatchObject({ status: 201, body: { version: 3, flows: ['xcart-order-to-sage300'] } });
    expect((await call('GET', M)).body).toMatchObject({ version: 3, text: specText });
    expect((await call('GET', M)).body.versions[0].note).toBe('rollback to version 1');
    expect(await preview()).toMatchObject({ OrderDescription: `X-Cart order #${sample.order_number}` });
    expect((await call('POST', `${M}/rollback`, 'admin', { version: 99 })).status).toBe(404);
  });

  it('keeps lookup table versions: a new SKU entry resolves for new events, the old version stays', async () => {
    const sku = await call('GET', '/api/lookups/sku', 'operator');
    expect(sku.body.version).toBeNull();
    const probe = { ...sample, items: sample.items.map((i: object) => ({ ...i, sku: 'ZZ-9999' })) };
    const run = async () => (await call('POST', `${M}/preview`, 'operator', { input: probe })).body;
    expect((await run()).errors.map((e: { message: string }) => e.message).join()).toMatch(/ZZ-?9999|SKU/);
    const text = sku.body.text.replace('entries:\n', 'entries:\n  ZZ-9999: A1-1001-BLK\n');
    expect((await call('POST', '/api/lookups/sku/versions', 'admin', { text: text.replace('entries:', 'entries: 3\nx:') })).status).toBe(400);
    const saved = await call('POST', '/api/lookups/sku/versions', 'admin', { text });
    expect(saved).toMatchObject({ status: 201, body: { version: 2, flows: ['xcart-order-to-sage300'] } });
    expect((await run()).errors).toEqual([]);
    expect(engine.flows[0]!.revision).toMatch(/\+lookup:sku@2/);
    expect((await call('POST', '/api/lookups/sku/rollback', 'admin', { version: 1 })).body.version).toBe(3);
    expect((await run()).errors).not.toEqual([]);
    expect((await call('GET', '/api/lookups/fx-rates', 'viewer')).status).toBe(200);
    expect((await call('GET', '/api/mappings', 'viewer')).body.lookups).not.toContain('fx-rates');
  });

  it('masks personal data of a lookup table for viewers', async () => {
    const viewer = (await call('GET', '/api/lookups/customers', 'viewer')).body.text as string;
    const admin = (await call('GET', '/api/lookups/customers', 'admin')).body.text as string;
    expect(admin).toMatch(/@/);
    expect(viewer).not.toMatch(/[\w.]+@[\w.]+\.\w+/);
  });

  it('suggests target fields with a confidence for the template', async () => {
    const r = await call('GET', `${M}/suggestions`, 'viewer');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ source: 'xcart.order', target: 'sage300.oe-order' });
    const email = r.body.suggestions.find((s: { source: string }) => s.source === 'email');
    expect(email.candidates[0].confidence).toBeGreaterThan(0);
    expect(email.candidates[0].confidence).toBeLessThanOrEqual(1);
  });

  it("learns from the designer's accept and reject: a rejected pair is not suggested again, an accepted one is suggested as 'accepted before'", async () => {
    const top = async (source: string) => ((await call('GET', `${M}/suggestions`, 'viewer')).body.suggestions as Array<{ source: string; candidates: Array<{ target: string; why: string }> }>).find((s) => s.source === source)?.candidates ?? [];
    const before = await top('email');
    const first = before[0]!.target;
    const pair = { source: 'xcart.order', target: 'sage300.oe-order', from: 'email', to: first };
    expect((await call('POST', '/api/suggestions/reject', 'viewer', pair)).status).toBe(403);
    expect((await call('POST', '/api/suggestions/reject', 'admin', pair)).status).toBe(200);
    expect((await top('email')).map((c) => c.target)).not.toContain(first);
    // Accepting a lower one marks it 'accepted before' (the suggester weighs it; src/intelligence).
    const low = before[before.length - 1]!.target;
    expect((await call('POST', '/api/suggestions/accept', 'admin', { ...pair, to: low })).status).toBe(200);
    expect((await top('email')).find((c) => c.target === low)).toMatchObject({ why: 'accepted before' });
    // Accepting the rejected pair withdraws the rejection.
    expect((await call('POST', '/api/suggestions/accept', 'admin', pair)).status).toBe(200);
    expect((await top('email')).map((c) => c.target)).toContain(first);
  });
});

describe('new flows from the palette', () => {
  const doc = {
    id: 'xcart-order-copy',
    version: 1,
    title: 'Orders, assembled in the designer',
    roles: { shop: 'xcart', erp: 'sage300' },
    trigger: { kind: 'poller', role: 'shop', poller: 'orders', entity: 'order' },
    steps: [
      { id: 'map', kind: 'map', mapping: 'xcart-sage300/order-to-oe-order', input: 'event.payload' },
      { id: 'deliver', kind: 'deliver', operation: 'erp.createOrder', input: 'steps.map', target: { role: 'erp', entity: 'oe-order' } },
    ],
  };

  it('offers the schema, step kinds, operations, pollers and mappings', async () => {
    const r = await call('GET', '/api/flow-palette', 'viewer');
    expect(r.status).toBe(200);
    expect(r.body.schema.definitions.map.required).toEqual(['mapping']);
    expect(r.body.stepKinds).toEqual(expect.arrayContaining(['fetch', 'map', 'deliver', 'lookup']));
    expect(r.body.operations.sage300).toContain('createOrder');
    expect(r.body.pollers.xcart).toContain('orders');
    expect(r.body.mappings).toContain('xcart-sage300/order-to-oe-order');
  });

  it('checks a new flow against the schema and its references, and saves it as version 1 (admins only)', async () => {
    const bad = { ...doc, steps: [doc.steps[0], { id: 'deliver', kind: 'deliver', operation: 'erp.createOrderz' }] };
    const v = await call('POST', '/api/flows/xcart-order-copy/validate', 'operator', { document: bad });
    expect(v.body.valid).toBe(false);
    expect(v.body.problems.join('\n')).toMatch(/target/);
    expect((await call('POST', '/api/flows', 'admin', { document: bad })).status).toBe(400);
    expect((await call('POST', '/api/flows/xcart-order-copy/validate', 'operator', { document: doc })).body).toEqual({ valid: true, problems: [] });
    expect((await call('POST', '/api/flows', 'operator', { document: doc })).status).toBe(403);
    expect(await call('POST', '/api/flows', 'admin', { document: doc })).toMatchObject({ status: 201, body: { id: 'xcart-order-copy', version: 1, deployed: false } });
    expect((await call('GET', '/api/flows/xcart-order-copy/versions/1', 'viewer')).body.document).toMatchObject({ id: 'xcart-order-copy', steps: [{ kind: 'map' }, { kind: 'deliver' }] });
    // A deployed flow is changed on its own page, as a new version of it.
    expect((await call('POST', '/api/flows', 'admin', { document: { ...doc, id: 'xcart-order-to-sage300' } })).status).toBe(409);
  });
});
