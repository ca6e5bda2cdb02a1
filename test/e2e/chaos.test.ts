// The short chaos run in CI (issue 15: 1,000 orders, 3 kills): 700 X-Cart orders and 300 Amazon orders through the real order flows
// on SQLite, Sage 300, Amazon and X3 injecting 5xx, 429, timeouts (and record locks on both ERPs),
// X-Cart's webhooks 10 % twice and 10 % out of order, each ERP down for
// 120 s once (its connection-down alert must fire), the engine SIGKILLed three times at random moments.
// Counted over Sage 300's and X3's APIs: every order exactly once, its total to the cent, none lost.
// Amazon's ORDER_CHANGE notifications are on, as in `npm run chaos` (the longer one).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('chaos (short): X-Cart → Sage 300 and Amazon → X3 on SQLite with SIGKILLs', () => {
  it('700 + 300 orders, 3 kills, 2 outages: one ERP order each with its total, 0 lost, 0 duplicated, each outage alerted', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/chaos.js', '--orders', '700', '--amazon', '300', '--kills', '3', '--json'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      timeout: 1_500_000, // 300 orders took 334–455 s at load 10–21; 15,000 took 1,711 s at load 15–20
      maxBuffer: 16 * 1024 * 1024,
    }).catch((e: { stdout?: string; stderr?: string }) => {
      throw new Error(`chaos run failed: ${e.stderr?.slice(-2000)}\n${e.stdout}`);
    });
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(summary).toMatchObject({ orders: 1000, erpRecords: 1000, lost: 0, duplicated: 0, totalsWrong: 0, deadLettered: 0, kills: 3 });
    // In the order they ended.
    expect(summary.outages).toHaveLength(2);
    expect(summary.outages).toEqual(expect.arrayContaining([expect.objectContaining({ erp: 'sage300-main', alerted: true }), expect.objectContaining({ erp: 'x3-main', alerted: true })]));
    const { xcartPushes } = summary.redelivered as { xcartPushes: { twice: number; reordered: number } };
    expect(xcartPushes.twice * xcartPushes.reordered).toBeGreaterThan(0);
    expect(summary.xcart).toMatchObject({ orders: 700, erpRecords: 700, lost: 0, duplicated: 0 });
    expect(summary.amazon).toMatchObject({ orders: 300, erpRecords: 300, lost: 0, duplicated: 0 });
  }, 1_560_000);
});
