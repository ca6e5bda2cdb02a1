// PII at rest (issue 10, defect 5): event and job payloads are sealed with the master key, and the
// SQLite files are the owner's alone. Before, `events.payload` kept each order whole in a 0644 file.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './db/database.js';
import { Engine } from './engine.js';
import { defineFlow } from './flow.js';
import { plainCodec, sealedCodec, withPayloadKey } from './payload-codec.js';
import { createQueue } from './queue/sql-queue.js';
import { SecretBox } from './secrets.js';

const received: unknown[] = [];
const flow = defineFlow<unknown>({ id: 'shop-orders', description: 'orders', source: { system: 'shop', entity: 'order' }, target: { system: 'sink', entity: 'order' }, steps: [{ name: 'receive', run: (input) => void received.push(input) }] });
const order = { id: 'A-1', email: 'jane.doe@example.com', billing: { firstname: 'Jane', lastname: 'Doe', phone: '+1 415 555 0131', street: '1 Market St' }, total: '12.50' };
const mode = (p: string) => statSync(p).mode & 0o777;

describe('payloads sealed at rest', () => {
  let dir: string;
  let store: Store;
  let key: string;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-pii-'));
    key = randomBytes(32).toString('hex');
    store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'db.sqlite') });
    store.payloadCodec = sealedCodec(SecretBox.fromKey(key));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the inbox and the queue hold no personal data in clear; the engine reads them back whole', async () => {
    const engine = new Engine({ store, flows: [flow], deps: {} });
    expect(await engine.intake([{ system: 'shop', entity: 'order', id: 'A-1', version: '0001', payload: order }])).toMatchObject({ accepted: 1, jobs: 1 });
    const events = await store.db.selectFrom('events').select('payload').execute();
    const jobs = await store.db.selectFrom('jobs').select('payload').execute();
    for (const raw of [...events, ...jobs].map((r) => r.payload)) {
      for (const pii of ['jane.doe', 'Jane', 'Doe', '415 555', 'Market']) expect(raw).not.toContain(pii);
    }
    // The record is sealed in the inbox; the job holds only the event's keys (id, version), in clear.
    expect(events.map((r) => r.payload)).toEqual([expect.stringMatching(/^v1:/)]);
    expect(JSON.parse(jobs[0]!.payload)).toMatchObject({ id: 'A-1', version: '0001', payloadInEvent: true });
    // Nor in the database file itself (WAL included), whatever SQLite keeps around.
    store.sqlite!.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(path.join(dir, 'db.sqlite')).includes('jane.doe@example.com')).toBe(false);
    const [job] = await engine.queue.list({});
    expect(job!.payload).toMatchObject({ id: 'A-1', payload: order });
    // The job refers to its event (one sealed copy of the order, not two); the worker reads the event.
    expect(JSON.stringify(await store.db.selectFrom('jobs').select('payload').execute())).not.toContain('jane');
    engine.start();
    try {
      for (let i = 0; i < 500 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(received).toEqual([order]);
    } finally {
      await engine.stop();
    }
  });

  it('a replayed edit is sealed too; rows written before encryption stay readable', async () => {
    const queue = createQueue(store);
    store.payloadCodec = plainCodec;
    const [old] = await queue.enqueue([{ queue: 'q', payload: { email: 'old@example.com' } }]);
    store.payloadCodec = sealedCodec(SecretBox.fromKey(key));
    expect((await queue.get(old!))!.payload).toEqual({ email: 'old@example.com' });
    const [id] = await queue.enqueue([{ queue: 'q', payload: { email: 'new@example.com' } }]);
    await store.db.updateTable('jobs').set({ state: 'dead' }).where('id', '=', id!).execute();
    await queue.replay([id!], { payload: { email: 'edited@example.com' } });
    const raw = await store.db.selectFrom('jobs').select('payload').where('id', '=', id!).executeTakeFirstOrThrow();
    expect(raw.payload).not.toContain('edited@');
    expect((await queue.get(id!))!.payload).toEqual({ email: 'edited@example.com' });
  });

  it('without the key a command is told why it cannot read; with the key file beside the store it can', async () => {
    const queue = createQueue(store);
    const [id] = await queue.enqueue([{ queue: 'q', payload: order }]);
    const reader = await openStore({ dialect: 'sqlite', file: path.join(dir, 'db.sqlite') });
    try {
      await expect(createQueue(reader).get(id!)).rejects.toMatchObject({ code: 'PAYLOAD_SEALED' });
      writeFileSync(path.join(dir, 'master.key'), key, { mode: 0o600 });
      withPayloadKey(reader, { dataDir: dir, env: {} });
      expect((await createQueue(reader).get(id!))!.payload).toEqual(order);
    } finally {
      await reader.close();
    }
  });
});

describe('store files are the owner\'s alone', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'syncline-modes-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a new store: folder 0700, database, -wal and -shm 0600', async () => {
    const file = path.join(dir, 'data', 'syncline.db');
    const store = await openStore({ dialect: 'sqlite', file });
    try {
      await store.db.selectFrom('jobs').select('id').execute();
      expect(mode(path.dirname(file)).toString(8)).toBe('700');
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(mode(f).toString(8), f).toBe('600');
    } finally {
      await store.close();
    }
  });

  it('an existing 0644 store is tightened to 0600 when opened; the master key file is 0600 in a 0700 folder', async () => {
    const file = path.join(dir, 'old.db');
    const first = await openStore({ dialect: 'sqlite', file });
    await first.close();
    chmodSync(file, 0o644);
    const again = await openStore({ dialect: 'sqlite', file });
    await again.close();
    expect(mode(file).toString(8)).toBe('600');
    const keyDir = path.join(dir, 'keys');
    SecretBox.load(keyDir, {});
    expect(mode(keyDir).toString(8)).toBe('700');
    expect(mode(path.join(keyDir, 'master.key')).toString(8)).toBe('600');
  });
});
