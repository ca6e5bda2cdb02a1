// Accepted mapping suggestions live beside the store (issue 11: paths relative to the file, not the
// working directory): a server started from a configuration keeps what the designer accepts in its
// data folder, and `syncline mapping suggest --config FILE` run from another folder learns from the
// same file. Before, both used .syncline/accepted-mappings.json under whatever folder each started in.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startSyncline, type Runtime } from '../../src/main.js';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'syncline-accepted-'));
const elsewhere = mkdtempSync(path.join(tmpdir(), 'syncline-accepted-cwd-'));
let runtime: Runtime | undefined;
afterAll(async () => {
  await runtime?.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(elsewhere, { recursive: true, force: true });
});

type Suggestions = { suggestions: Array<{ source: string; candidates: Array<{ target: string; why: string }> }> };
const PAIR = ['--source', 'xcart.order', '--target', 'sage300.oe-order'];

describe('accepted suggestions beside the store', () => {
  it('the designer\'s accept lands in <dataDir>/accepted-mappings.json; `mapping suggest --config` from another folder learns from it', async () => {
    const file = path.join(dir, 'syncline.yaml');
    writeFileSync(file, ['dataDir: ./site', 'server: { port: 0 }', 'health: { testAtStart: false }'].join('\n'));
    const env = { ...process.env, SYNCLINE_DATABASE_URL: '' };
    // The candidate ranked last for `email`: nothing but the acceptance can make it "accepted before".
    const before = JSON.parse((await runCli(['mapping', 'suggest', ...PAIR, '--config', file, '--json'], { env, cwd: elsewhere })).stdout) as Suggestions;
    const candidates = before.suggestions.find((s) => s.source === 'email')!.candidates;
    const low = candidates[candidates.length - 1]!.target;
    expect(candidates.at(-1)!.why).not.toBe('accepted before');

    runtime = await startSyncline(await loadConfig(file), { logger: pino({ level: 'silent' }) });
    const token = (await runtime.tokens.create('suggestions-admin', 'admin')).token;
    const res = await request(`${runtime.url}/api/suggestions/accept`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ source: 'xcart.order', target: 'sage300.oe-order', from: 'email', to: low }) });
    expect(res.statusCode, await res.body.text()).toBe(200);
    expect(existsSync(path.join(dir, 'site', 'accepted-mappings.json'))).toBe(true);
    expect(existsSync(path.join(process.cwd(), '.syncline', 'accepted-mappings.json'))).toBe(false);

    const after = await runCli(['mapping', 'suggest', ...PAIR, '--config', file, '--json'], { env, cwd: elsewhere });
    expect(after.code, after.stderr).toBe(0);
    const email = (JSON.parse(after.stdout) as Suggestions).suggestions.find((s) => s.source === 'email')!.candidates;
    expect(email.find((c) => c.target === low)).toMatchObject({ why: 'accepted before' });
    // Nothing was written where the command ran.
    expect(readdirSync(elsewhere)).toEqual([]);
  }, 300_000);
});
