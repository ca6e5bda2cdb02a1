// `syncline reconcile amazon-x3` against the Amazon and Sage X3 sandboxes: orders missing in X3,
// a settlement not posted, and a posted one whose ledger was changed by hand are each listed with
// their amounts; a settlement posted by `settlement import` reconciles with no difference; a credit
// note carrying one Amazon return twice is listed with the reference and the amount credited twice.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSettlementReports, reportLineBatches } from '../../src/connectors/amazon/index.js';
import { clientFor } from '../../src/connectors/amazon/testing.js';
import { SageX3Client } from '../../src/connectors/sagex3/index.js';
import { modify } from '../../src/connectors/sagex3/operations/modify.js';
import { save } from '../../src/connectors/sagex3/operations/save.js';
import { openStore } from '../../src/core/db/database.js';
import { start as startAmazon, type RunningAmazonSandbox } from '../../src/sandboxes/amazon/index.js';
import { start as startX3, type SageX3Sandbox } from '../../src/sandboxes/sagex3/index.js';
import { importSettlement, x3Ledger } from '../../src/settlement/index.js';
import type { ReconcileReport } from '../../src/settlement/reconcile.js';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'syncline-reconcile-'));
let amazon: RunningAmazonSandbox;
let x3: SageX3Sandbox;
let config: string;
const OPTIONS = { site: 'US011', clearingPartner: null };

beforeAll(async () => {
  amazon = await startAmazon({ seed: 33, timeScale: 50, historicalOrders: 0 });
  x3 = await startX3({ seed: 33 });
  const c = amazon.credentials as Record<string, string>;
  config = path.join(dir, 'syncline.json');
  writeFileSync(config, JSON.stringify({
    dataDir: dir,
    connections: [
      { id: 'amazon', system: 'amazon', config: { endpoint: amazon.url, lwaUrl: c.lwaUrl ?? `${amazon.url}/auth/o2/token`, clientId: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshToken, sellerId: c.sellerId } },
      { id: 'x3', system: 'sagex3', config: { baseUrl: x3.url, auth: { type: 'basic', user: 'SYNCLINE', password: 'x3-sandbox' }, poolAlias: 'SYNCLINE' } },
    ],
  }));
}, 60_000);
afterAll(async () => {
  await x3?.close();
  await amazon?.close();
});

const run = async (since: number) => {
  const { stdout } = await promisify(execFile)(process.execPath, ['bin/syncline.js', 'reconcile', 'amazon-x3', '--config', config, '--json', '--since', new Date(since).toISOString(), '--options', JSON.stringify(OPTIONS)], { cwd: root });
  return JSON.parse(stdout) as ReconcileReport & { differenceCount: number };
};

describe('syncline reconcile amazon-x3', () => {
  it('lists orders missing in X3, an unposted settlement and a ledger changed by hand, each with its amount', async () => {
    const market = amazon.sandbox.market;
    const now = amazon.sandbox.clock.now();
    const orders = Array.from({ length: 4 }, (_, i) => market.placeOrder({ channel: i % 2 ? 'AFN' : 'MFN', purchaseDate: now - 3_600_000 * (i + 1), status: 'Shipped' }));
    const x3client = new SageX3Client({ baseUrl: x3.url, auth: { type: 'basic', user: 'SYNCLINE', password: 'x3-sandbox' }, poolAlias: 'SYNCLINE' }, { connection: 'x3-reconcile' });
    const item = [...x3.state.stores.ITM.keys()][0]!;
    // Two of the four orders reached X3.
    for (const o of orders.slice(0, 2)) await save.call(x3client, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C00007', CUSORDREF: o.id, lines: [{ ITMREF: item, QTY: '1' }] } });
    market.closeSettlement();
    const fifth = market.placeOrder({ channel: 'AFN', purchaseDate: now - 600_000, status: 'Shipped' });
    market.closeSettlement();
    const spapi = clientFor(amazon);
    const reports = await listSettlementReports(spapi);
    expect(reports).toHaveLength(2);
    // The first settlement is posted by the import; the second is not posted at all.
    const store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'store.db') });
    const posted = await importSettlement(reportLineBatches(spapi, reports[0]!.reportDocumentId!), { options: OPTIONS, post: { db: store.db, ledger: x3Ledger(x3client) } });
    await store.close();
    expect(posted.status).toBe('posted');
    const second = await importSettlement(reportLineBatches(spapi, reports[1]!.reportDocumentId!), { options: OPTIONS });

    const r = await run(now - 30 * 86_400_000);
    expect(r.orders.checked).toBeGreaterThanOrEqual(5);
    const missing = r.differences.filter((d) => d.kind === 'order-missing-in-x3').map((d) => d.id);
    expect(missing).toEqual(expect.arrayContaining(orders.slice(2).map((o) => o.id)));
    expect(missing).not.toContain(orders[0]!.id);
    expect(r.differences.find((d) => d.kind === 'order-missing-in-x3' && d.id === orders[2]!.id)!.amount).toMatch(/^\d+\.\d{2}$/);
    // Orders the settlements paid that X3 does not know: each with what the settlement paid for it.
    const unknown = r.differences.filter((d) => d.kind === 'settlement-order-unknown-in-x3');
    expect(unknown.map((d) => d.id).sort()).toEqual([orders[2]!.id, orders[3]!.id, fifth.id].sort());
    for (const d of unknown) expect(d.amount).toMatch(/^\d+\.\d{2}$/);
    expect(r.differences.filter((d) => d.kind.startsWith('settlement') && d.kind !== 'settlement-order-unknown-in-x3')).toEqual([{ kind: 'settlement-not-posted', id: second.settlementId, amount: second.totalAmount, currency: 'USD' }]);
    expect(r.settlements).toEqual({ checked: 2, posted: 1 });

    // Someone moves 5.00 of the posted entry from fees to sales by hand: both accounts show up.
    const entry = [...x3.state.stores.GAS.values()].find((e) => e.fields.REF === posted.settlementId)!;
    const fee = entry.tables.HAE1_1!.find((l) => l.ACC === '622600')!;
    const sale = entry.tables.HAE1_1!.find((l) => l.ACC === '701000')!;
    fee.AMTCUR = (Number(fee.AMTCUR) - 5).toFixed(2);
    sale.AMTCUR = (Number(sale.AMTCUR) - 5).toFixed(2);
    const after = await run(now - 30 * 86_400_000);
    expect(after.differences.filter((d) => d.kind === 'settlement-account').map((d) => [d.id, d.account, d.amount])).toEqual([
      [posted.settlementId, '622600', '-5.00'],
      [posted.settlementId, '701000', '5.00'],
    ]);
    expect(after.differenceCount).toBe(after.differences.length);
  }, 180_000);

  it('lists a credit note carrying one Amazon return (INVREF) twice, with the reference and the amount credited twice', async () => {
    const x3client = new SageX3Client({ baseUrl: x3.url, auth: { type: 'basic', user: 'SYNCLINE', password: 'x3-sandbox' }, poolAlias: 'SYNCLINE' }, { connection: 'x3-credit-notes' });
    const item = [...x3.state.stores.ITM.keys()][0]!;
    // An Amazon order invoiced in X3, and the returns flow's credit note against it (INVREF = the return's licence plate number).
    const invoice = await save.call(x3client, { object: 'SIH', data: { SALFCY: 'US011', SIVTYP: 'INV', BPCINV: 'C00007', INVREF: '113-4471002-5521930', lines: [{ ITMREF: item, QTY: '2', GROPRI: '20.00' }] } });
    const lpn = `LPNRC${Date.now()}`;
    const note = { SALFCY: 'US011', SIVTYP: 'CRN', BPCINV: 'C00007', SIHORINUM: String(invoice.NUM), lines: [{ ITMREF: item, QTY: '1', GROPRI: '20.00' }] };
    await save.call(x3client, { object: 'SIH', data: { ...note, INVREF: lpn } });
    const once = await run(Date.now() - 86_400_000);
    expect(once.creditNotes.checked).toBeGreaterThanOrEqual(1);
    expect(once.differences.filter((d) => d.kind.startsWith('credit-note'))).toEqual([]);

    // The same return entered again by hand, then given the return's reference (the sandbox refuses a
    // second note with one INVREF at save, not at modify).
    const second = await save.call(x3client, { object: 'SIH', data: { ...note, INVREF: `${lpn}-2` } });
    await modify.call(x3client, { object: 'SIH', key: { NUM: String(second.NUM) }, data: { INVREF: lpn } });
    const twice = await run(Date.now() - 86_400_000);
    expect(twice.differences.filter((d) => d.kind.startsWith('credit-note'))).toEqual([
      expect.objectContaining({ kind: 'credit-note-duplicated-in-x3', id: lpn, amount: String(second.INVATI), currency: 'USD', detail: expect.stringContaining(String(second.NUM)) }),
    ]);
  }, 120_000);
});
