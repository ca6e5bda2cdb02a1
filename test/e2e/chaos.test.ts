// The short chaos run in CI: 200 X-Cart orders through the real order flow on SQLite, Sage 300
// injecting 5xx, 429, timeouts and record locks, the engine SIGKILLed twice mid-flow. Counted over
// Sage 300's API: every order exactly once, none lost. (`npm run chaos` runs the longer one.)
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('chaos (short): X-Cart → Sage 300 on SQLite with SIGKILLs', () => {
  it('200 orders, 2 kills: one Sage 300 order each, 0 lost, 0 duplicated', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/chaos.js', '--orders', '200', '--kills', '2', '--json'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      timeout: 900_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((e: { stdout?: string; stderr?: string }) => {
      throw new Error(`chaos run failed: ${e.stderr?.slice(-2000)}\n${e.stdout}`);
    });
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    expect(summary).toMatchObject({ orders: 200, erpRecords: 200, lost: 0, duplicated: 0, deadLettered: 0, kills: 2 });
  }, 960_000);
});
