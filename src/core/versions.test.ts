// Version schemes (issue 10, defect 3): the X-Cart order poller's versions look like
// `001796608962.0000`; a webhook once sent `2026-12-07T02:02:40Z` for the same order, which outranked
// every later poller version as a string, so each later change of that order was skipped as stale.
// Here poller and webhook events of one order are mixed: the webhook's version must follow the
// poller's scheme (else 400 with the reason, nothing stored), and every newer change is delivered,
// in order, while an older one is skipped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderVersion } from '../connectors/xcart/triggers.js'; // declares the X-Cart order scheme, as loading the connector does
import { createShipmentPoller, Sage300Client } from '../connectors/sage300/index.js';
import { ConnectionStore } from './connections.js';
import { openStore, type Store } from './db/database.js';
import { Engine } from './engine.js';
import { defineFlow } from './flow.js';
import { SecretBox } from './secrets.js';
import { ApiTokenStore } from './tokens.js';
import { checkVersion, versionScheme } from './versions.js';
import { buildServer, signWebhook } from '../server/index.js';

const delivered: string[] = [];
const shipments = defineFlow<unknown>({
  id: 'sage300-shipments',
  description: 'Sage 300 shipments to a sink',
  source: { system: 'sage300', entity: 'shipment' },
  target: { system: 'sink', entity: 'shipment' },
  steps: [{ name: 'deliver', run: () => undefined }],
});
const flow = defineFlow<unknown>({
  id: 'xcart-orders',
  description: 'X-Cart orders to a sink that records each state it is given',
  source: { system: 'xcart', entity: 'order' },
  target: { system: 'sink', entity: 'order' },
  steps: [{ name: 'deliver', run: (o: { state: string }) => void delivered.push(o.state) }],
});

let dir: string;
let store: Store;
let engine: Engine<unknown>;
let app: FastifyInstance;
let base: string;
const secret = 'whsec_' + randomBytes(16).toString('hex');

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'syncline-versions-'));
  store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'db.sqlite') });
  engine = new Engine({ store, flows: [flow, shipments], deps: {}, worker: { pollMs: 10 } });
  const connections = new ConnectionStore(store.db, SecretBox.fromKey(randomBytes(32).toString('hex')));
  await connections.upsert({ id: 'shop', system: 'xcart', config: {}, secrets: { webhookSecret: secret } });
  for (const id of ['erp-orders', 'erp-extension']) await connections.upsert({ id, system: 'sage300', config: {}, secrets: { webhookSecret: secret } });
  app = buildServer({ engine, connections, tokens: new ApiTokenStore(store.db), webhookSecrets: (id) => connections.webhookSecret(id) });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await engine.stop();
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const order = (version: string, state: string) => ({ system: 'xcart', entity: 'order', id: '479', version, payload: { id: 479, state } });
async function webhook(event: unknown, connection = 'shop') {
  const body = JSON.stringify(event);
  const res = await request(`${base}/webhooks/${connection}`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-syncline-signature': signWebhook(secret, body) } });
  return { status: res.statusCode, text: await res.body.text() };
}
async function settled(runs: number) {
  for (let i = 0; i < 400; i++) {
    const rows = await store.db.selectFrom('runs').select(['status']).where('flow', '=', flow.id).execute();
    if (rows.length >= runs) return rows;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`fewer than ${runs} runs of ${flow.id}`);
}

describe('one version scheme per source entity', () => {
  it('the X-Cart order scheme is declared by its trigger', () => {
    expect(versionScheme('xcart', 'order')?.pattern.test(orderVersion(1796608962, 0))).toBe(true);
  });

  it('refuses versions of another scheme, and versions that are not versions, with the reason', () => {
    for (const v of ['2026-12-07T02:02:40Z', '1', 'zzzz', '1796608962.0000', '001796608962']) {
      expect(() => checkVersion(order(v, 'x')), v).toThrowError(/does not follow the X-Cart order scheme/);
    }
    expect(() => checkVersion(order('', 'x'))).toThrowError(/non-empty string/);
    expect(() => checkVersion(order(orderVersion(1796608962, 3), 'x'))).not.toThrow();
  });

  it('poller and webhook events of one order mixed: the ISO webhook version is refused at intake, every later change is delivered in order, an older one skipped', async () => {
    await engine.intake([order(orderVersion(1796608962, 0), 'placed')], { connection: 'shop' }); // the poller
    expect(await webhook(order(orderVersion(1796608970, 0), 'paid'))).toMatchObject({ status: 202 }); // a webhook in the poller's scheme
    const iso = await webhook(order('2026-12-07T02:02:40Z', 'iso'));
    expect(iso.status).toBe(400);
    expect(iso.text).toContain('EVENT_VERSION_INVALID');
    expect(iso.text).toContain('does not follow the X-Cart order scheme');
    expect(await store.db.selectFrom('events').select('id').where('version', '=', '2026-12-07T02:02:40Z').execute()).toEqual([]);
    engine.start();
    await settled(2);
    await engine.intake([order(orderVersion(1796608980, 1), 'shipped')], { connection: 'shop' }); // the poller, later
    await settled(3);
    await engine.intake([order(orderVersion(1796608965, 0), 'stale')], { connection: 'shop' }); // a late, older read
    const runs = await settled(4);
    expect(delivered).toEqual(['placed', 'paid', 'shipped']);
    expect(runs.map((r) => r.status).sort()).toEqual(['skipped', 'succeeded', 'succeeded', 'succeeded']);
    const applied = await store.db.selectFrom('applied_versions').select('version').execute();
    expect(applied.map((r) => r.version)).toContain(orderVersion(1796608980, 1));
  });
});

describe('every polled source entity has its scheme', () => {
  it('each shipped flow whose trigger is a poller takes an entity with a declared scheme, which refuses "zzzz"', async () => {
    // Loading the connectors declares their schemes, as the engine's process does.
    await Promise.all(['../connectors/amazon/triggers.js', '../connectors/sage300/triggers.js', '../connectors/sagex3/triggers.js'].map((m) => import(m)));
    const { shippedFlows, loadFlowFile } = await import('../flows/index.js');
    const polled: string[] = [];
    for (const file of shippedFlows().values()) {
      const doc = loadFlowFile(file);
      if (doc.trigger.kind !== 'poller') continue;
      const system = doc.roles[doc.trigger.role]!;
      const entity = doc.trigger.entity;
      polled.push(`${system}|${entity}`);
      expect(versionScheme(system, entity), `${doc.id}: ${system} ${entity}`).toBeDefined();
      expect(() => checkVersion({ system, entity, id: '1', version: 'zzzz', payload: {} }), `${system} ${entity}`).toThrowError(/does not follow/);
    }
    expect(new Set(polled).size).toBeGreaterThanOrEqual(10);
  });

  it('the forms the pollers write pass; a mixed form of the same instant does not', () => {
    const ok = (system: string, entity: string, version: string) => expect(() => checkVersion({ system, entity, id: '1', version, payload: {} }), `${system} ${entity} ${version}`).not.toThrow();
    const bad = (system: string, entity: string, version: string) => expect(() => checkVersion({ system, entity, id: '1', version, payload: {} }), `${system} ${entity} ${version}`).toThrowError(/does not follow/);
    ok('amazon', 'inventory', '2026-12-07T02:02:40.000Z');
    bad('amazon', 'inventory', '2026-12-07T02:02:40Z');
    ok('sage300', 'stock', '2026-12-07T02:02:40.123Z.000002');
    bad('sage300', 'stock', '000000000042');
    ok('sage300', 'shipment', '2026-12-07T02:02:40.123Z');
    bad('sage300', 'shipment', '000000000042'); // the extension's form, on a connection that does not read it
    ok('sagex3', 'salesOrder', '2026-12-07T02:02:40Z');
    ok('sagex3', 'stock', '000000000042');
    bad('sagex3', 'stock', '2026-12-07T02:02:40Z');
  });

  it('an Amazon notification whose EventTime is no date becomes an invalid-notification event, not a throw', async () => {
    const { notificationEvent } = await import('../connectors/amazon/triggers.js');
    const e = notificationEvent({ NotificationType: 'ORDER_CHANGE', EventTime: 'not a date', Payload: { OrderChangeNotification: { AmazonOrderId: '111-1' } } }, 'm-1');
    expect(e).toMatchObject({ entity: 'invalid-notification', id: 'm-1', version: '0' });
    expect(() => checkVersion(e)).not.toThrow();
  });
});

describe('Sage 300 shipments: the scheme follows the connection\'s shipment source', () => {
  it('a connection whose poller reads OEShipments takes only uniquifier versions, one reading the orders only stamps; the other form is refused at intake with the reason', async () => {
    const client = new Sage300Client({ baseUrl: 'http://127.0.0.1:1', company: 'SAMINC', user: 'ADMIN', password: 'x' }, { connection: 'erp' });
    createShipmentPoller(client, { connection: 'erp-extension', source: 'extension' });
    createShipmentPoller(client, { connection: 'erp-orders' });
    const shipment = (version: string) => ({ system: 'sage300', entity: 'shipment', id: 'SH0000042', version, payload: { ShipmentNumber: 'SH0000042' } });
    const stamp = '2026-12-07T02:02:40.123Z';
    const uniquifier = '000000000042';

    const refused = await webhook(shipment(stamp), 'erp-extension');
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('EVENT_VERSION_INVALID');
    expect(refused.text).toContain('shipments source \\"extension\\"');
    expect(await webhook(shipment(uniquifier), 'erp-extension')).toMatchObject({ status: 202 });

    expect((await webhook(shipment(uniquifier), 'erp-orders')).status).toBe(400);
    expect(await webhook(shipment(stamp), 'erp-orders')).toMatchObject({ status: 202 });
    const stored = await store.db.selectFrom('events').select('version').where('entity', '=', 'shipment').execute();
    expect(stored.map((r) => r.version).sort()).toEqual([uniquifier, stamp].sort());
  });
});
