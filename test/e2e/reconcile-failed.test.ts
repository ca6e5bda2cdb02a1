// A `syncline reconcile` run that fails is stored as failed, with its reason, where the console's
// dashboard reads the last reconciliation of each pair (GET /api/reconciliations), and the command
// exits non-zero with that reason: Sage 300 refusing the credentials, Sage X3 down. Before, the CLI
// printed the error and stored nothing, so the dashboard went on showing the last run that worked.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startSyncline, type Runtime } from '../../src/main.js';
import { start as startAmazon, type RunningAmazonSandbox } from '../../src/sandboxes/amazon/index.js';
import { start as startSage300, type Sage300Sandbox } from '../../src/sandboxes/sage300/index.js';
import { start as startX3, type SageX3Sandbox } from '../../src/sandboxes/sagex3/index.js';
import { start as startXcart, type XcartSandbox } from '../../src/sandboxes/xcart/index.js';
import type { ReconcileStatus } from '../../src/server/console/reconcile.js';
import { runCli } from '../support/cli.js';
import { X3_SANDBOX_AUTH } from './amazon-x3-pair.js';

let dir: string;
let xcart: XcartSandbox;
let sage300: Sage300Sandbox;
let amazon: RunningAmazonSandbox;
let x3: SageX3Sandbox;
let runtime: Runtime;
let token: string;

/** The four connections as the server has them, each field replaceable (a wrong password, a system that is down). */
const connections = (o: { sage300Password?: string; x3Url?: string } = {}) => {
  const c = amazon.credentials as Record<string, string>;
  return [
    { id: 'xcart-main', system: 'xcart', config: { baseUrl: xcart.url, token: xcart.credentials.readToken } },
    { id: 'sage300-main', system: 'sage300', config: { baseUrl: sage300.url, company: sage300.credentials.company, user: sage300.credentials.user, password: o.sage300Password ?? sage300.credentials.password } },
    { id: 'amazon-main', system: 'amazon', config: { endpoint: amazon.url, lwaUrl: c.lwaUrl ?? `${amazon.url}/auth/o2/token`, clientId: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshToken, sellerId: c.sellerId } },
    { id: 'x3-main', system: 'sagex3', config: { baseUrl: o.x3Url ?? x3.url, ...X3_SANDBOX_AUTH } },
  ];
};

/** A configuration for the CLI naming the server's store (its dataDir) and these connections. */
const cliConfig = (name: string, o: Parameters<typeof connections>[0] = {}) => {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ dataDir: path.join(dir, 'site'), connections: connections(o) }));
  return file;
};

const lastOf = async (pair: string): Promise<ReconcileStatus | undefined> => {
  const res = await request(`${runtime.url}/api/reconciliations`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.statusCode).toBe(200);
  return ((await res.body.json()) as { reconciliations: ReconcileStatus[] }).reconciliations.find((r) => r.pair === pair);
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'syncline-reconcile-failed-'));
  [xcart, sage300, amazon, x3] = await Promise.all([startXcart({ port: 0, seed: 1 }), startSage300({ port: 0, seed: 1 }), startAmazon({ seed: 1, timeScale: 50, historicalOrders: 0 }), startX3({ seed: 1 })]);
  const file = path.join(dir, 'syncline.json');
  writeFileSync(file, JSON.stringify({ dataDir: path.join(dir, 'site'), server: { port: 0 }, health: { testAtStart: false }, connections: connections() }));
  runtime = await startSyncline(await loadConfig(file), { logger: pino({ level: 'silent' }) });
  token = (await runtime.tokens.create('reconcile-viewer', 'viewer')).token;
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
  await Promise.all([xcart?.close(), sage300?.close(), amazon?.close(), x3?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('a syncline reconcile run that fails', () => {
  it('xcart-sage300 with a password Sage 300 refuses: exit 2 with the reason, stored as failed with it in place of the good run before', async () => {
    const since = new Date().toISOString();
    const good = await runCli(['reconcile', 'xcart-sage300', '--config', cliConfig('good'), '--since', since, '--parts', 'orders', '--json']);
    expect(good.code, good.stderr).toBe(0);
    expect(await lastOf('xcart-sage300')).toMatchObject({ status: 'ok', error: null });

    const bad = await runCli(['reconcile', 'xcart-sage300', '--config', cliConfig('wrong-password', { sage300Password: 'not-the-password' }), '--since', since, '--parts', 'orders', '--json']);
    expect(bad.code, bad.stderr).toBe(2);
    const { error } = JSON.parse(bad.stdout) as { error: { code: string; message: string } };
    expect(error.code).toMatch(/AUTH/);
    expect(await lastOf('xcart-sage300')).toMatchObject({ status: 'failed', by: expect.stringMatching(/^cli:/), error: `${error.code}: ${error.message}`, differenceCount: 0 });
    expect(bad.stderr).toContain('stored as the last xcart-sage300 reconciliation, failed');
  }, 120_000);

  it('amazon-x3 with Sage X3 down: exit 1 with the reason (not --json: on stderr), stored as failed with it', async () => {
    // A real X3 sandbox that has stopped: its port refuses connections.
    const gone = await startX3({ seed: 1 });
    await gone.close();
    const bad = await runCli(['reconcile', 'amazon-x3', '--config', cliConfig('x3-down', { x3Url: gone.url })]);
    expect(bad.code, bad.stderr).toBe(1);
    const reason = bad.stderr.split('\n')[0]!;
    expect(reason).toMatch(/^[A-Z0-9_]+: /);
    expect(await lastOf('amazon-sagex3')).toMatchObject({ status: 'failed', by: expect.stringMatching(/^cli:/), error: reason });
    expect(bad.stderr).toContain('stored as the last amazon-sagex3 reconciliation, failed');
  }, 240_000);
});
