// The short chaos run in CI: 200 X-Cart orders and 100 Amazon orders through the real order flows
// on SQLite, Sage 300, Amazon and X3 injecting 5xx, 429, timeouts (and record locks on both ERPs), the
// engine SIGKILLed twice mid-flow. Counted over Sage 300's and X3's APIs: every order exactly once,
// none lost. (`npm run chaos` runs the longer one.)
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('chaos (short): X-Cart → Sage 300 and Amazon → X3 on SQLite with SIGKILLs', () => {
  it('200 + 100 orders, 2 kills: one ERP order each, 0 lost, 0 duplicated', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/chaos.js', '--orders', '200', '--amazon', '100', '--kills', '2', '--json'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      timeout: 900_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((e: { stdout?: string; stderr?: string }) => {
      throw new Error(`chaos run failed: ${e.stderr?.slice(-2000)}\n${e.stdout}`);
    });
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(summary).toMatchObject({ orders: 300, erpRecords: 300, lost: 0, duplicated: 0, deadLettered: 0, kills: 2 });
    expect(summary.xcart).toMatchObject({ orders: 200, erpRecords: 200, lost: 0, duplicated: 0 });
    expect(summary.amazon).toMatchObject({ orders: 100, erpRecords: 100, lost: 0, duplicated: 0 });
  }, 960_000);
});
