// `syncline reconcile amazon-x3 --stock` against the Amazon and Sage X3 sandboxes: with X3's MFN site
// and FBA site agreeing with Amazon nothing is listed; a merchant-fulfilled quantity edited on Amazon
// and FBA units Amazon found damaged are each listed in units (X3 − Amazon) with both quantities.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start as startAmazon, type RunningAmazonSandbox } from '../../src/sandboxes/amazon/index.js';
import { start as startX3, type SageX3Sandbox } from '../../src/sandboxes/sagex3/index.js';
import type { StockDifference } from '../../src/reconcile/amazon-x3-stock.js';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'syncline-reconcile-stock-'));
let amazon: RunningAmazonSandbox;
let x3: SageX3Sandbox;
let config: string;

beforeAll(async () => {
  amazon = await startAmazon({ seed: 1, timeScale: 50, historicalOrders: 0 });
  x3 = await startX3({ seed: 1 });
  // The merchant keeps FBA stock at its FBA site only, counted as Amazon has it.
  for (const l of amazon.sandbox.market.listings.values()) {
    if (l.channel !== 'AFN') continue;
    x3.state.countStock({ site: 'US011', item: l.sku, qty: '0' });
    x3.state.countStock({ site: 'US014', item: l.sku, qty: String(l.fba.fulfillable) });
  }
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

const run = async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['bin/syncline.js', 'reconcile', 'amazon-x3', '--config', config, '--json', '--stock', '--report-poll-ms', '200'], { cwd: root });
  return JSON.parse(stdout) as { stock: { mfnCompared: number; fbaCompared: number }; differences: Array<StockDifference | { kind: string }> };
};

describe('syncline reconcile amazon-x3 --stock', () => {
  it('lists a drifted MFN quantity and damaged FBA units in units, nothing when both sides agree', async () => {
    const clean = await run();
    expect(clean.stock).toEqual({ mfnCompared: 150, fbaCompared: 150 });
    expect(clean.differences.filter((d) => 'item' in d)).toEqual([]);

    const market = amazon.sandbox.market;
    const mfn = [...market.listings.values()].find((l) => l.channel === 'MFN' && l.mfnQuantity > 0)!;
    const afn = [...market.listings.values()].find((l) => l.channel === 'AFN' && l.fba.fulfillable > 2)!;
    market.setMfnQuantity(mfn, mfn.mfnQuantity + 4);
    market.moveFba(afn.sku, { fulfillable: -2, unfulfillable: +2 });
    const after = await run();
    expect(after.differences.filter((d) => 'item' in d).map((d) => { const s = d as StockDifference; return [s.kind, s.id, s.status ?? '', s.amount, s.x3, s.amazon]; })).toEqual([
      ['mfn-quantity', mfn.sku, '', '-4', String(mfn.mfnQuantity - 4), String(mfn.mfnQuantity)],
      ['fba-quantity', afn.sku, 'A', '2', String(afn.fba.fulfillable + 2), String(afn.fba.fulfillable)],
      ['fba-quantity', afn.sku, 'R', '-2', '0', '2'],
    ]);
  }, 120_000);
});
