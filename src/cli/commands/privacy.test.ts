// The CLI side of issue 10's PII points, run as an operator would: `dlq show` masks personal data
// unless --reveal-pii (it printed the whole order), and `privacy erase --email` reports what it erased.
// The store's payloads are sealed; the commands read them with the master.key beside the SQLite file.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../core/db/database.js';
import { sealedCodec } from '../../core/payload-codec.js';
import { createQueue } from '../../core/queue/sql-queue.js';
import { SecretBox } from '../../core/secrets.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const order = { email: 'jane.doe@example.com', notes: 'call me at +1 415 555 0131', billing: { firstname: 'Jane', lastname: 'Doe' }, sku: 'A1-1002-BLK', total: '12.50' };

let dir: string;
let db: string;
let deadId: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'syncline-cli-pii-'));
  db = path.join(dir, 'syncline.db');
  const store = await openStore({ dialect: 'sqlite', file: db });
  store.payloadCodec = sealedCodec(SecretBox.load(dir, {}));
  const queue = createQueue(store);
  [deadId] = (await queue.enqueue([{ queue: 'shop-orders', payload: { system: 'shop', entity: 'order', id: 'o-1', version: '0001', payload: order } }])) as [number];
  await store.db.updateTable('jobs').set({ state: 'dead', last_error: JSON.stringify({ code: 'TEST_UNKNOWN_SKU', kind: 'user', message: 'unknown SKU', details: {} }) }).where('id', '=', deadId).execute();
  await store.close();
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = async (...args: string[]) => (await run(process.execPath, [path.join(root, 'bin/syncline.js'), ...args, '--db', `sqlite:${db}`], { cwd: root, env: { ...process.env, SYNCLINE_MASTER_KEY: '' }, timeout: 180_000 })).stdout;

describe('syncline dlq show / privacy erase', () => {
  it('dlq show masks personal data; --reveal-pii shows it', async () => {
    const masked = await cli('dlq', 'show', String(deadId), '--json');
    expect(masked).toContain('A1-1002-BLK');
    for (const p of ['jane.doe@example.com', '415 555 0131', 'Jane']) expect(masked).not.toContain(p);
    const shown = JSON.parse(await cli('dlq', 'show', String(deadId), '--json', '--reveal-pii'));
    expect(shown.payload.payload).toEqual(order);
  }, 400_000);

  it('privacy erase --email reports the counts and the data is gone', async () => {
    expect(JSON.parse(await cli('privacy', 'erase', '--email', 'Jane.Doe@example.com', '--json'))).toEqual({ events: 0, deadLetters: 1, runs: 0, pendingJobs: 0 });
    const after = JSON.parse(await cli('dlq', 'show', String(deadId), '--json', '--reveal-pii'));
    expect(JSON.stringify(after)).not.toMatch(/jane|415 555/i);
    expect(after.payload.payload).toMatchObject({ email: '[erased]', sku: 'A1-1002-BLK', total: '12.50' });
  }, 400_000);
});
