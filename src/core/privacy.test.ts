// GDPR erase and event retention (issue 10, defect 5): there was no way to remove one customer's
// personal data from the inbox, dead letters and run history, and events were kept for ever.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './db/database.js';
import { Engine } from './engine.js';
import { userError } from './errors.js';
import { defineFlow } from './flow.js';
import { sealedCodec } from './payload-codec.js';
import { deleteEventsOlderThan, eraseCustomer, ERASED } from './privacy.js';
import { SecretBox } from './secrets.js';

type Order = { email: string; notes: string; billing: { firstname: string; lastname: string; phone: string }; sku: string; total: string };
const flow = defineFlow<unknown>({
  id: 'shop-orders',
  description: 'orders; SKU NOPE fails',
  source: { system: 'shop', entity: 'order' },
  target: { system: 'sink', entity: 'order' },
  maxAttempts: 1,
  steps: [
    {
      name: 'deliver',
      run: (o: Order) => {
        if (o.sku === 'NOPE') throw userError('TEST_UNKNOWN_SKU', `unknown SKU NOPE for ${o.email}`);
        return { ok: true, for: o.email };
      },
    },
  ],
});
const jane = (sku: string): Order => ({ email: 'Jane.Doe@example.com', notes: 'call me at +1 415 555 0131', billing: { firstname: 'Jane', lastname: 'Doe', phone: '+1 415 555 0131' }, sku, total: '12.50' });
const bob: Order = { email: 'bob@example.org', notes: 'ring twice', billing: { firstname: 'Bob', lastname: 'Stone', phone: '+1 503 555 0100' }, sku: 'A1', total: '3.00' };

describe('privacy erase', () => {
  let dir: string;
  let store: Store;
  let engine: Engine<unknown>;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-privacy-'));
    store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'db.sqlite') });
    store.payloadCodec = sealedCodec(SecretBox.fromKey(randomBytes(32).toString('hex')));
    // Runs unredacted, so the erase has to reach into them too.
    engine = new Engine({ store, flows: [flow], deps: {}, redaction: { enabled: false }, recordPayloads: 'all', worker: { pollMs: 10 } });
  });
  afterEach(async () => {
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ev = (id: string, payload: Order) => ({ system: 'shop', entity: 'order', id, version: '0001', payload });

  it("erases one customer's personal data from events, dead letters and runs; reports counts; leaves others and the business data", async () => {
    await engine.intake([ev('j-1', jane('A1')), ev('j-2', jane('NOPE')), ev('b-1', bob)]);
    engine.start();
    for (let i = 0; i < 400 && ((await engine.queue.counts()).find((c) => c.state === 'queued' || c.state === 'running') || (await engine.runs.list({})).length < 3); i++) await new Promise((r) => setTimeout(r, 25));
    await engine.stop();
    // One more of Jane's, still queued: not erased (it would reach the ERP as "[erased]"), counted.
    await engine.intake([ev('j-3', jane('A1'))]);

    const report = await eraseCustomer(store, ' jane.doe@EXAMPLE.com ');
    expect(report).toEqual({ events: 3, deadLetters: 1, runs: 2, pendingJobs: 1 });

    const events = await store.db.selectFrom('events').select(['record_id', 'payload']).orderBy('id').execute();
    const decoded = Object.fromEntries(events.map((e) => [e.record_id, store.payloadCodec!.decode(e.payload) as Order]));
    for (const id of ['j-1', 'j-2', 'j-3']) {
      expect(JSON.stringify(decoded[id])).not.toMatch(/jane|doe|415 555/i);
      expect(decoded[id]).toMatchObject({ email: ERASED, billing: { firstname: ERASED }, sku: expect.any(String), total: '12.50' });
    }
    expect(decoded['b-1']).toEqual(bob);

    const [dead] = await engine.queue.list({ state: 'dead' });
    expect(JSON.stringify(dead)).not.toMatch(/jane|415 555/i);
    expect(dead!.payload).toMatchObject({ payload: { sku: 'NOPE', total: '12.50' } });
    expect(dead!.lastError).toMatchObject({ code: 'TEST_UNKNOWN_SKU' });

    const runs = await Promise.all((await engine.runs.list({})).map((r) => engine.runs.get(r.id)));
    const text = JSON.stringify(runs);
    expect(text).not.toMatch(/jane/i);
    expect(text).toContain('bob@example.org');
    // A second erase finds nothing more (except the job still waiting).
    expect(await eraseCustomer(store, 'jane.doe@example.com')).toEqual({ events: 0, deadLetters: 0, runs: 0, pendingJobs: 1 });
  });

  it('refuses something that is not an e-mail address', async () => {
    await expect(eraseCustomer(store, 'jane')).rejects.toMatchObject({ code: 'PRIVACY_EMAIL_INVALID' });
    await expect(eraseCustomer(store, '%@%.%')).resolves.toEqual({ events: 0, deadLetters: 0, runs: 0, pendingJobs: 0 });
  });

  it('retention deletes old events no job needs, keeps the rest', async () => {
    await engine.intake([ev('old-1', bob), ev('old-2', jane('A1'))]);
    const [job] = await engine.queue.list({});
    // old-1's job is done (acked), old-2's still waits.
    await store.db.deleteFrom('jobs').where('id', '=', job!.id).execute();
    await store.db.updateTable('events').set({ received_at: Date.now() - 40 * 24 * 3600_000 }).execute();
    await engine.intake([ev('new-1', bob)]);
    expect(await deleteEventsOlderThan(store.db, Date.now() - 30 * 24 * 3600_000)).toBe(1);
    expect((await store.db.selectFrom('events').select('record_id').orderBy('id').execute()).map((e) => e.record_id)).toEqual(['old-2', 'new-1']);
  });
});
