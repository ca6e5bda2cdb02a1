// `syncline settlement import` as an operator runs it: the real CLI in a child process, posting to
// the Sage X3 sandbox named in a configuration file, recording in a SQLite store.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start as startX3, type SageX3Sandbox } from '../../src/sandboxes/sagex3/index.js';
import { total, US, usRows, v2File } from '../../src/settlement/settlement.testkit.js';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'syncline-settlement-cli-'));
let x3: SageX3Sandbox;
let config: string;

/** Runs the CLI; resolves with exit code and stdout whatever the code. */
async function syncline(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/syncline.js', ...args], { cwd: root, env: { ...process.env, SYNCLINE_MASTER_KEY: '11'.repeat(32) } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

beforeAll(async () => {
  x3 = await startX3({ seed: 21 });
  config = path.join(dir, 'syncline.yaml');
  writeFileSync(
    config,
    JSON.stringify({
      dataDir: dir,
      connections: [{ id: 'x3', system: 'sagex3', config: { baseUrl: x3.url, auth: { type: 'basic', user: 'SYNCLINE', password: 'x3-sandbox' }, poolAlias: 'SYNCLINE' } }],
    }),
  );
}, 60_000);
afterAll(async () => {
  await x3?.close();
});

const gas = (id: string) => [...x3.state.stores.GAS.values()].filter((r) => String(r.fields.REF).startsWith(id));
const OPTIONS = JSON.stringify({ site: 'US011', clearingPartner: null });

describe('syncline settlement import', () => {
  it('--dry-run --json prints one object with the issue\'s fields and posts nothing', async () => {
    const id = '41000000001';
    const rows = usRows();
    const file = path.join(dir, 'dry.txt');
    writeFileSync(file, v2File({ ...US, id, total: total(rows) }, rows));
    const r = await syncline('settlement', 'import', file, '--dry-run', '--json', '--options', OPTIONS);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ settlementId: id, currency: 'USD', totalAmount: total(rows), lines: rows.length, unmapped: [], difference: '0.00', status: 'dry-run' });
    expect((out.byType as Record<string, string>)['Order/ItemPrice/Principal']).toBe('189.85');
    expect((out.journal as { balanced: boolean }).balanced).toBe(true);
    expect(r.stderr).toBe(''); // no progress bar off a terminal
    expect(gas(id)).toHaveLength(0);
  }, 60_000);

  it('posts to the configured X3 connection once; a re-import posts nothing', async () => {
    const id = '41000000002';
    const rows = usRows();
    const file = path.join(dir, 'post.txt');
    writeFileSync(file, v2File({ ...US, id, total: total(rows) }, rows));
    const first = await syncline('settlement', 'import', file, '--json', '--config', config, '--options', OPTIONS);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ status: 'posted', posted: { created: [id] } });
    const again = await syncline('settlement', 'import', file, '--json', '--config', config, '--options', OPTIONS);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'already-posted', posted: { created: [] } });
    expect(gas(id)).toHaveLength(1);
  }, 60_000);

  it('an unknown description is held (exit 3) and a truncated file refused with its line (exit 1); nothing posted', async () => {
    const id = '41000000003';
    const rows = [...usRows(), { type: 'other-transaction', amountType: 'other-transaction', description: 'Mystery Adjustment', amount: '-4.44', posted: '2026-11-11 10:00:00 UTC' }];
    const file = path.join(dir, 'held.txt');
    const text = v2File({ ...US, id, total: total(rows) }, rows);
    writeFileSync(file, text);
    const held = await syncline('settlement', 'import', file, '--json', '--config', config, '--options', OPTIONS);
    expect(held.code).toBe(3);
    expect(JSON.parse(held.stdout)).toMatchObject({ status: 'held', unmapped: [{ description: 'other-transaction/other-transaction/Mystery Adjustment', amount: '-4.44' }], difference: '4.44' });
    const cut = path.join(dir, 'cut.txt');
    writeFileSync(cut, text.slice(0, text.length - 30));
    const truncated = await syncline('settlement', 'import', cut, '--json', '--config', config, '--options', OPTIONS);
    expect(truncated.code).toBe(1);
    expect(JSON.parse(truncated.stdout)).toMatchObject({ error: { code: 'SETTLEMENT_TRUNCATED', details: { lineNo: rows.length + 2 } } });
    expect(gas(id)).toHaveLength(0);
  }, 60_000);
});
