// `syncline dlq triage` run as an operator would, against a real SQLite store holding dead letters
// whose errors are the real mapping's: the clusters, then --apply adding the SKU crosswalk entries to a
// copy of the lookup table and replaying the letters it resolves.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../core/db/database.js';
import { createQueue } from '../../core/queue/sql-queue.js';
import { loadMapping } from '../../mapping/index.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
let dir: string;
let db: string;
let lookups: string;
let ids: number[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'syncline-cli-triage-'));
  db = path.join(dir, 'syncline.db');
  lookups = path.join(dir, 'lookups');
  mkdirSync(lookups);
  for (const f of ['sku.yaml', 'xcart-surcharges.yaml']) copyFileSync(path.join(root, 'mappings/lookups', f), path.join(lookups, f));
  const m = await loadMapping(path.join(root, 'mappings/xcart-sage300/order-to-oe-order.yaml'));
  const base = JSON.parse(readFileSync(path.join(root, 'mappings/xcart-sage300/samples/order.json'), 'utf8')) as { customer_id: number; items: Array<{ sku: string }> };
  const store = await openStore({ dialect: 'sqlite', file: db });
  const queue = createQueue(store);
  ids = [];
  for (const [i, sku] of ['A1-1001-BLX', 'A1-1001-BLX', 'Q9-7777-NEW'].entries()) {
    const o = structuredClone(base);
    o.customer_id = 0;
    o.items[0].sku = sku;
    const r = await m.run(o, { now: new Date('2026-12-01T00:00:00Z') });
    const [id] = (await queue.enqueue([{ queue: 'xcart-sage300-orders', payload: { system: 'xcart', entity: 'order', id: `o-${i}`, version: '0001', payload: o } }])) as [number];
    await store.db.updateTable('jobs').set({ state: 'dead', last_error: JSON.stringify({ code: 'MAPPING_INVALID', kind: 'user', message: r.errors[0].message, details: { errors: r.errors } }) }).where('id', '=', id).execute();
    ids.push(id);
  }
  await store.close();
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = async (...args: string[]) => (await run(process.execPath, [path.join(root, 'bin/syncline.js'), ...args, '--db', `sqlite:${db}`], { cwd: root, timeout: 180_000 })).stdout;

describe('syncline dlq triage', () => {
  it('clusters, suggests, applies the lookup fix and replays the resolved letters', async () => {
    const { clusters } = JSON.parse(await cli('dlq', 'triage', '--json', '--lookups', lookups)) as { clusters: Array<{ count: number; ids: number[]; fix: { kind: string; table?: string; entries?: Record<string, string> } }> };
    expect(clusters).toHaveLength(2);
    const fixable = clusters.findIndex((c) => c.fix.kind === 'lookup-entry');
    expect(clusters[fixable]).toMatchObject({ count: 2, ids: ids.slice(0, 2), fix: { table: 'sku', entries: { 'A1-1001-BLX': 'A1-1001-BLK' } } });
    const applied = JSON.parse(await cli('dlq', 'triage', '--json', '--lookups', lookups, '--apply', String(fixable + 1)));
    expect(applied).toMatchObject({ added: 1, replayed: 2, of: 2 });
    expect(readFileSync(path.join(lookups, 'sku.yaml'), 'utf8')).toContain('A1-1001-BLX: A1-1001-BLK');
    const left = JSON.parse(await cli('dlq', 'triage', '--json', '--lookups', lookups)) as { clusters: Array<{ ids: number[] }> };
    expect(left.clusters.flatMap((c) => c.ids)).toEqual([ids[2]]);
  }, 240_000);
});
