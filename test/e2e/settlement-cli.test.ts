// `syncline settlement import` as an operator runs it: the real CLI in a child process, posting to
// the Sage X3 sandbox named in a configuration file, recording in a SQLite store.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { SageX3Client } from '../../src/connectors/sagex3/index.js';
import { save } from '../../src/connectors/sagex3/operations/save.js';
import { start as startX3, type SageX3Sandbox } from '../../src/sandboxes/sagex3/index.js';
import { at, total, US, usRows, v2File } from '../../src/settlement/settlement.testkit.js';

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

  it('--invoices: an invoice per sold order and a credit note per refunded order, each once; unknown orders flagged with their amounts; to the cent', async () => {
    const id = '41000000004';
    const client = new SageX3Client({ baseUrl: x3.url, auth: { type: 'basic', user: 'SYNCLINE', password: 'x3-sandbox' }, poolAlias: 'SYNCLINE' }, { connection: 'x3-cli-test' });
    const [item] = [...x3.state.stores.ITM.keys()] as [string];
    const [o1, o2, o3] = ['114-4000000-0000001', '114-4000000-0000002', '114-4000000-0000003'];
    for (const o of [o1, o2]) await save.call(client, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C00001', CUSORDREF: o, lines: [{ ITMREF: item, QTY: '2', GROPRI: '15.00' }] } });
    const d = at('2026-11-12');
    const rows = [
      { type: 'Order', order: o1, item: '1', amountType: 'ItemPrice', description: 'Principal', amount: '30.00', posted: d, sku: item, qty: 2 },
      { type: 'Order', order: o2, item: '2', amountType: 'ItemPrice', description: 'Principal', amount: '30.00', posted: d, sku: item, qty: 2 },
      { type: 'Refund', order: o2, item: '2', amountType: 'ItemPrice', description: 'Principal', amount: '-15.00', posted: d, sku: item },
      { type: 'Refund', order: o3, item: '3', amountType: 'ItemPrice', description: 'Principal', amount: '-7.77', posted: d, sku: item },
    ];
    const file = path.join(dir, 'invoices.txt');
    writeFileSync(file, v2File({ ...US, id, total: total(rows) }, rows));
    const first = await syncline('settlement', 'import', file, '--json', '--invoices', '--config', config, '--options', OPTIONS);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const inv = (JSON.parse(first.stdout) as { invoices: { created: Array<{ orderId: string; NUM: string; net: string }>; difference: string; creditNotes: Record<string, unknown> & { created: Array<{ orderId: string; net: string; invoice: string | null }> } } }).invoices;
    expect(inv.created.map((c) => [c.orderId, c.net])).toEqual([[o1, '30.00'], [o2, '30.00']]);
    expect(inv.creditNotes).toMatchObject({ creditType: 'CRN', principal: '22.77', invoiced: '15.00', flagged: '7.77', difference: '0.00', unknownOrders: [{ orderId: o3, amount: '7.77' }] });
    expect(inv.creditNotes.created.map((c) => [c.orderId, c.net, c.invoice])).toEqual([[o2, '15.00', inv.created.find((c) => c.orderId === o2)!.NUM]]);
    const sih = (type: string) => [...x3.state.stores.SIH.values()].filter((r) => String(r.fields.INVREF).startsWith(id) && r.fields.SIVTYP === type);
    expect(sih('CRN').map((r) => [r.fields.INVREF, new Decimal(String(r.fields.INVNOT)).toFixed(2)])).toEqual([[`${id}${o2}`, '15.00']]);
    const again = await syncline('settlement', 'import', file, '--invoices', '--config', config, '--options', OPTIONS);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('invoices: 0 created, 2 found');
    expect(again.stdout).toContain('credit notes: 0 created, 1 found; refunded 22.77 = credited 15.00 + flagged 7.77 (difference 0.00)');
    expect([sih('INV').length, sih('CRN').length]).toEqual([2, 1]);
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
